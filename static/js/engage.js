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
    function openReplyForm(link) {
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
        keepDraft(form.querySelector("textarea"));
      }
      return form;
    }
    var replyForm = document.getElementById("reply-form-template");
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.reply-link");
      if (!link || !replyForm || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      openReplyForm(link).querySelector("textarea").focus();
    });
    // The support button sends its form in the background and updates the button and the
    // count in place. Anything but a plain answer (an expired form, a limit, a lost
    // connection) sends the form the usual way, and the server's page says what went wrong.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (event.defaultPrevented || !form.hasAttribute("data-live-support") || form.dataset.plain) {
        return;
      }
      event.preventDefault();
      // (Not disabled while it waits: a disabled button loses the keyboard focus.)
      if (form.dataset.busy) { return; }
      form.dataset.busy = "1";
      var button = event.submitter || form.querySelector("button[name=intent]");
      var body = new URLSearchParams(new FormData(form));
      body.set(button.name, button.value);
      var box = form.closest(".support-box");
      var status = box.querySelector(".support-status");
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"Accept": "application/json"}
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        box.querySelector(".support-count strong").textContent = answer.support_count;
        button.value = answer.intent;
        button.textContent = answer.label;
        button.classList.toggle("button-secondary", answer.supported);
        delete form.dataset.busy;
        status.textContent = answer.message;
      }).catch(function () {
        delete form.dataset.busy;
        form.dataset.plain = "1";
        form.requestSubmit(button);
      });
    });
    // An error page's "Back" goes back in the history: the form there keeps what was typed.
    document.addEventListener("click", function (event) {
      var back = event.target.closest && event.target.closest("a[data-history-back]");
      if (back && window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
    // What is typed into a keep_draft box (a reply, a comment, a new discussion or proposal)
    // is kept in this tab (sessionStorage) until it lands: an expired form, a log-in in
    // between or a lost connection no longer lose the text. It landed when the next page opens
    // at the new post (#c123) or says the form succeeded (a success message); else an empty
    // box gets it back. A reply typed under another reply is kept under that reply's number,
    // and its form is opened there again when the page comes back.
    var SENT = "engage-draft-sent";
    // Kept per person: on a shared computer the next one to log in never sees them, and
    // logging out drops every text kept in the tab.
    var owner = document.body.getAttribute("data-draft-owner") || "";
    var draftPrefix = "engage-draft:" + owner + ":" + location.pathname + ":";
    function draftKey(box) {
      var parent = box.form && box.form.querySelector("[name=parent_id]");
      return draftPrefix + (box.form ? box.form.getAttribute("action") : "") + ":" + box.name +
        (parent && parent.value ? ":" + parent.value : "");
    }
    // A choice (a select) comes back with its form's texts only: an edit form's choices hold
    // stored values, and no text of it came back there.
    function keepDraft(box) {
      var key = draftKey(box);
      var choice = box.tagName === "SELECT";
      try {
        var kept = window.sessionStorage.getItem(key);
        var restore = choice ? box.form && box.form.hasAttribute("data-draft-back") : !box.value;
        if (kept !== null && restore && (!choice || box.querySelector('option[value="' + CSS.escape(kept) + '"]'))) {
          box.value = kept;
          // (a box that refuses the text, such as a number field, did not get it back)
          if (!choice && box.value === kept) { noteDraftBack(box); }
        }
        box.addEventListener(choice ? "change" : "input", function () {
          if (box.value || choice) { window.sessionStorage.setItem(key, box.value); }
          else { window.sessionStorage.removeItem(key); }
        });
      } catch (error) { /* storage switched off: nothing is kept */ }
    }
    // Said under the form (once per form) and, when the form is further down than the screen
    // shows (a long thread), at the top of the page too, as a link to the text.
    function noteDraftBack(box) {
      if (box.form) {
        if (box.form.hasAttribute("data-draft-back")) { return; }
        box.form.setAttribute("data-draft-back", "");
      }
      var note = document.createElement("p");
      note.className = "hint draft-note";
      note.textContent = box.getAttribute("data-draft");
      box.after(note);
      var top = document.querySelector("main .container");
      if (box.id && top && !top.querySelector(".draft-jump") &&
          box.getBoundingClientRect().top > window.innerHeight) {
        var jump = document.createElement("p");
        jump.className = "hint draft-jump";
        jump.setAttribute("role", "status");
        var link = document.createElement("a");
        link.href = "#" + box.id;
        link.textContent = box.getAttribute("data-draft");
        link.addEventListener("click", function (event) {
          event.preventDefault();
          box.focus();
          box.scrollIntoView({block: "center"});
        });
        jump.appendChild(link);
        top.prepend(jump);
      } else {
        note.setAttribute("role", "status");
      }
    }
    try {
      var sent = JSON.parse(window.sessionStorage.getItem(SENT) || "[]");
      window.sessionStorage.removeItem(SENT);
      if (document.querySelector(".flash-success") || /^#c\d+$/.test(location.hash)) {
        sent.forEach(function (key) { window.sessionStorage.removeItem(key); });
      }
      var stored = [];
      for (var i = 0; i < window.sessionStorage.length; i++) { stored.push(window.sessionStorage.key(i)); }
      stored = stored.filter(function (key) { return key.indexOf(draftPrefix) === 0; });
      if (/^#c\d+$/.test(location.hash)) {
        stored.forEach(function (key) { window.sessionStorage.removeItem(key); });
      } else if (replyForm) {
        stored.forEach(function (key) {
          var parent = /:(\d+)$/.exec(key);
          var link = parent && document.querySelector('a.reply-link[data-reply-to="' + parent[1] + '"]');
          if (link) { openReplyForm(link); }
        });
      }
    } catch (error) { /* storage switched off */ }
    // Texts first: whether a form's texts came back decides about its choices.
    document.querySelectorAll("textarea[data-draft], input[data-draft]").forEach(function (box) {
      if (!box.form || !box.form.classList.contains("reply-inline")) { keepDraft(box); }
    });
    document.querySelectorAll("select[data-draft]").forEach(keepDraft);
    function forgetDrafts(test) {
      try {
        var keys = [];
        for (var k = 0; k < window.sessionStorage.length; k++) { keys.push(window.sessionStorage.key(k)); }
        keys.filter(test).forEach(function (key) { window.sessionStorage.removeItem(key); });
      } catch (error) { /* storage switched off */ }
    }
    function forgetDraftsOf(form) {
      var keys = Array.prototype.map.call(form.querySelectorAll("[data-draft]"), draftKey);
      forgetDrafts(function (key) { return keys.indexOf(key) !== -1; });
    }
    // "Cancel" means the text is not wanted: it is not given back next time.
    document.addEventListener("click", function (event) {
      var cancel = event.target.closest && event.target.closest("a[data-discard-drafts]");
      var form = cancel && cancel.closest("form");
      if (form) { forgetDraftsOf(form); }
    });
    // The reply form under a reply closes on "Cancel", its text not kept; the reader is back
    // at the "Reply" link that opened it.
    document.addEventListener("click", function (event) {
      var close = event.target.closest && event.target.closest("button[data-close-reply]");
      var form = close && close.closest("form.reply-inline");
      if (!form) { return; }
      forgetDraftsOf(form);
      var actions = form.previousElementSibling;
      var link = actions && actions.querySelector("a.reply-link");
      form.remove();
      if (link) { link.focus(); }
    });
    // Sending: the page that answers says whether the drafts of this form landed (above).
    // Logging out forgets every text kept in this tab.
    document.addEventListener("submit", function (event) {
      if (/\/auth\/logout$/.test(event.target.getAttribute("action") || "")) {
        forgetDrafts(function (key) { return key.indexOf("engage-draft") === 0; });
        return;
      }
      var boxes = event.target.querySelectorAll("[data-draft]");
      if (!boxes.length || event.defaultPrevented) { return; }
      try {
        window.sessionStorage.setItem(SENT, JSON.stringify(Array.prototype.map.call(boxes, draftKey)));
      } catch (error) { /* storage switched off */ }
    });
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
})();
