/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    var panel = document.getElementById("menu-panel");
    if (toggle && panel) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = panel.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && panel.classList.contains("open")) {
          panel.classList.remove("open");
          toggle.setAttribute("aria-expanded", "false");
          toggle.focus();
        }
      });
    }
    // Destructive buttons ask once before their form is sent (data-confirm holds the question).
    document.addEventListener("submit", function (event) {
      var button = event.submitter;
      var question = button && button.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
    // A reply's "Reply" link opens the page's one reply form under that reply (without script,
    // the link leads to a page with the form).
    var replyForm = document.getElementById("reply-form-template");
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.reply-link");
      if (!link || !replyForm || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      var actions = link.closest(".reply-actions");
      var form = actions.nextElementSibling;
      if (!form || !form.classList.contains("reply-inline")) {
        form = replyForm.content.firstElementChild.cloneNode(true);
        var id = "reply-" + link.getAttribute("data-reply-to");
        form.querySelector("[name=parent_id]").value = link.getAttribute("data-reply-to");
        form.querySelector("label").textContent = link.getAttribute("data-label");
        form.querySelector("label").htmlFor = id;
        form.querySelector("textarea").id = id;
        actions.after(form);
      }
      form.querySelector("textarea").focus();
    });
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
