"""axe-core finds no violation in interactive states: the open phone menu, a flash message, form
errors on the main forms, open disclosures; form errors are summarised and tied to their fields."""

from __future__ import annotations

from playwright.sync_api import expect

from engage.demo import DEMO_PASSWORD
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations


def _login(browser, live_server, email, password=DEMO_PASSWORD):
    page = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()
    return page


def assert_errors_summarised_and_linked(page, where):
    """The summary is focused, each of its links leads to a field that is described by its
    error message (in German), and axe finds nothing."""
    summary = page.locator(".error-summary").first
    expect(summary).to_be_visible()
    for _ in range(50):  # the script focuses the summary once the page is loaded (up to 5 s)
        if page.evaluate("document.activeElement.classList.contains('error-summary')"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the error summary on {where} does not get the focus")
    links = summary.locator("a")
    assert links.count() >= 1, where
    for href in links.evaluate_all("links => links.map((a) => a.getAttribute('href'))"):
        target = page.locator(href)
        expect(target).to_have_count(1)
        if target.evaluate("el => el.matches('input, select, textarea')"):
            described = (target.get_attribute("aria-describedby") or "").split()
            assert f"{href[1:]}-error" in described, (where, href)
            assert target.get_attribute("aria-invalid") == "true", (where, href)
    text = summary.inner_text()
    assert "Bitte korrigieren Sie" in text and "required" not in text.lower(), (where, text)
    assert axe_violations(page) == [], where


def test_interactive_states_have_no_axe_violations(browser, live_server, runner, make_user):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    admin = _login(browser, live_server, "admin@musterstadt.example")
    # Form errors on the main forms.
    for path, button in [
        ("/dialogue/new", "Veröffentlichen"),
        ("/proposals/new?process=2", "Vorschlag einreichen"),
        ("/volunteer/new", "Speichern"),
        ("/volunteer/1", "Einsätze hinzufügen"),
        ("/dialogue/1", "Antwort senden"),
        ("/proposals/1", "Kommentar senden"),
    ]:
        admin.goto(path)
        admin.get_by_role("button", name=button, exact=True).click()
        assert_errors_summarised_and_linked(admin, path)
    admin.goto("/dialogue/1")  # closing a discussion needs a reason
    admin.get_by_text("Diskussion schließen", exact=True).click()
    admin.get_by_role("button", name="Schließen", exact=True).click()
    assert_errors_summarised_and_linked(admin, "/dialogue/1/close")
    admin.goto("/reports?since=2030-01-02&until=2030-01-01")
    assert_errors_summarised_and_linked(admin, "/reports")
    # A flash message.
    admin.goto("/dialogue/new")
    admin.get_by_label("Titel").fill("Trinkbrunnen am Bahnhof")
    admin.get_by_label("Ihr Beitrag", exact=True).fill("Im Sommer fehlt Trinkwasser.")
    admin.get_by_role("button", name="Veröffentlichen").click()
    expect(admin.locator(".flash")).to_be_visible()
    assert axe_violations(admin) == []
    # The open phone menu.
    admin.set_viewport_size({"width": 360, "height": 800})
    admin.goto("/")
    admin.get_by_role("button", name="Menü").click()
    expect(admin.get_by_role("link", name="Administration")).to_be_visible()
    assert axe_violations(admin) == []
    admin.context.close()

    # The report form, on its own page, for a reply, a proposal and an offer.
    make_user("citizen", email="kim@example.org", display_name="Kim")
    citizen = _login(browser, live_server, "kim@example.org", TEST_PASSWORD)
    for path in ("/dialogue/1", "/proposals/1", "/volunteer/1"):
        citizen.goto(path)
        citizen.locator("a.flag-link").first.click()
        expect(citizen.get_by_role("heading", name="Beitrag melden")).to_be_visible()
        citizen.get_by_role("button", name="Meldung senden").click()  # no reason chosen
        expect(citizen.locator(".error-summary")).to_be_visible()
        assert axe_violations(citizen) == [], path
    citizen.context.close()
