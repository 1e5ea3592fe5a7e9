"""Every role does its main task with the keyboard alone; the focus is always visible and never
trapped."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engage.demo import DEMO_PASSWORD
from tests.conftest import TEST_PASSWORD, path_of
from tests.e2e.keyboard import assert_focus_visible, tab_through, tab_to, type_into


@pytest.fixture
def demo(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0


def _keyboard_login(browser, live_server, email, password=DEMO_PASSWORD, width=1280):
    page = browser.new_context(
        locale="de-DE", base_url=live_server.url, viewport={"width": width, "height": 900}
    ).new_page()
    page.goto("/auth/login")
    type_into(page, "E-Mail-Adresse", email)
    type_into(page, "Passwort", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("button", has_text="Abmelden")).to_be_attached()
    return page


def _press_on(page, name, key="Enter", limit=120, loads_page=True):
    """Tab to a control and press a key; wait for the page a link or submit button loads."""
    info = tab_to(page, name, limit)
    if loads_page and key == "Enter" and (info["tag"] == "a" or info["type"] == "submit"):
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def test_a_citizen_registers_discusses_proposes_supports_and_signs_up_by_keyboard(
    browser, live_server, demo, make_user
):
    page = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    page.goto("/auth/register")
    assert tab_through(page) < 80
    page.goto("/auth/register")
    type_into(page, re.compile("^E-Mail-Adresse"), "karla@example.org")
    type_into(page, "Anzeigename", "Karla")
    type_into(page, re.compile("^Passwort"), "ein sehr langes Passwort 42")
    tab_to(page, re.compile("^(Stadtteil|Ortsteil|Wohngebiet)"))
    page.keyboard.press("ArrowDown")
    _press_on(page, re.compile("Datenschutz|einverstanden|akzeptiere"), key="Space")
    _press_on(page, "Konto erstellen")
    expect(page.locator(".flash-success")).to_be_visible()
    page.context.close()

    make_user("citizen", email="kim@example.org", display_name="Kim")
    page = _keyboard_login(browser, live_server, "kim@example.org", TEST_PASSWORD)
    # A new discussion.
    page.goto("/dialogue")
    _press_on(page, "Diskussion beginnen")
    type_into(page, "Titel", "Trinkbrunnen am Bahnhof")
    type_into(
        page, re.compile("^(Text|Ihr Beitrag|Beitrag|Worum geht es)"), "Im Sommer fehlt Wasser."
    )
    _press_on(page, re.compile("^(Thema eröffnen|Veröffentlichen|Speichern|Absenden)$"))
    expect(page.get_by_role("heading", name="Trinkbrunnen am Bahnhof")).to_be_visible()
    # A proposal in the demo city's voting process.
    page.goto("/proposals")
    _press_on(page, re.compile("Vorschlag machen"))
    if "process" not in page.url:
        _press_on(page, "Sicher zur Schule in der Südstadt")  # the process to choose
    type_into(page, "Titel", "Trinkbrunnen am Bahnhof")
    type_into(page, "Was ist das Problem?", "Im Sommer gibt es kein Trinkwasser.")
    type_into(page, "Was ist Ihre Idee?", "Ein Trinkbrunnen am Vorplatz.")
    type_into(page, "Welche Wirkung soll es haben?", "Niemand muss Wasser kaufen.")
    type_into(page, "Woran erkennen wir, dass es wirkt? (Indikator)", "Nutzungen pro Tag")
    tab_to(page, "Kategorie")
    page.keyboard.press("ArrowDown")  # (a closed list: the next entry, the first category)
    expect(page.get_by_label("Kategorie")).to_have_value("green")
    _press_on(page, "Vorschlag einreichen")
    expect(page.locator(".flash-success")).to_contain_text("eingereicht")
    # Support someone else's proposal.
    page.goto("/proposals/1")
    _press_on(page, "Unterstützen", loads_page=False)  # (answered in place by the script)
    expect(page.locator(".support-status")).to_contain_text("Danke")
    expect(page.get_by_role("button", name="Unterstützung zurückziehen")).to_be_focused()
    assert_focus_visible_after_tab(page)
    # Sign up for a shift.
    page.goto("/volunteer/1")
    _press_on(page, "Eintragen")
    expect(page.locator(".flash-success")).to_contain_text("eingetragen")
    page.context.close()


def assert_focus_visible_after_tab(page):
    """After a page load, the first Tab lands on a visible focus (the skip link)."""
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["name"]


def test_staff_answer_and_move_a_proposal_and_mark_attendance_by_keyboard(
    browser, live_server, demo
):
    page = _keyboard_login(browser, live_server, "mobilitaet@musterstadt.example")
    page.goto("/proposals/1")
    assert tab_through(page) < 250
    page.goto("/proposals/1")
    tab_to(page, "Neuer Stand", limit=200)
    page.keyboard.type("Angenommen")
    assert page.locator("#move select").evaluate("s => s.selectedOptions[0].text") == "Angenommen"
    type_into(page, "Notiz (öffentlich sichtbar)", "Der Zebrastreifen kommt im Frühjahr.")
    _press_on(page, "Schritt speichern")
    expect(page.locator(".flash-success")).to_contain_text("Angenommen")
    page.context.close()

    page = _keyboard_login(browser, live_server, "umwelt@musterstadt.example")
    page.goto("/volunteer/shifts/8")
    assert tab_through(page) < 150
    page.goto("/volunteer/shifts/8")
    info = tab_to(page, "gekommen")  # the first volunteer's attendance
    page.keyboard.press("ArrowRight")  # "did not come"
    page.keyboard.press("ArrowLeft")  # back to "came"
    assert focus_is_checked(page), info
    type_into(page, re.compile("^Stunden von "), "2,5")
    _press_on(page, "Anwesenheit speichern")
    expect(page.locator(".flash-success")).to_be_visible()
    page.context.close()


def focus_is_checked(page) -> bool:
    return page.evaluate("document.activeElement.checked")


def test_a_moderator_works_the_queue_by_keyboard(browser, live_server, demo):
    page = _keyboard_login(browser, live_server, "moderation@musterstadt.example")
    page.goto("/moderation")
    assert tab_through(page) < 250
    page.goto("/moderation")
    tab_to(page, re.compile(r"^(Beitrag|Antwort|Kommentar|Thema|Vorschlag|Angebot)"))
    page.keyboard.press("Space")
    assert focus_is_checked(page)
    tab_to(page, "Aktion für die ausgewählten Einträge")
    page.keyboard.type("Wieder")
    _press_on(page, "Ausführen")
    expect(page.locator(".flash-success")).to_contain_text("erledigt")
    page.context.close()


def test_a_council_member_opens_the_reports_and_the_printable_report_by_keyboard(
    browser, live_server, demo
):
    page = _keyboard_login(browser, live_server, "rat@musterstadt.example")
    _press_on(page, "Berichte")
    expect(page).to_have_url(re.compile("/reports$"))
    assert tab_through(page) < 250
    page.goto("/reports")
    _press_on(page, "Bericht zum Drucken")
    expect(page).to_have_url(re.compile("/reports/print"))
    assert tab_through(page) < 250
    page.context.close()


def test_the_phone_menu_and_the_report_disclosure_work_by_keyboard(browser, live_server, demo):
    page = _keyboard_login(browser, live_server, "buerger@musterstadt.example", width=360)
    page.goto("/dialogue/1")
    tab_to(page, "Menü")
    page.keyboard.press("Enter")
    tab_to(page, "Vorschläge")
    page.keyboard.press("Escape")
    assert assert_focus_visible(page)["name"] == "Menü"
    _press_on(page, re.compile("^Melden"))
    tab_to(page, re.compile("Beleidigung|Werbung|Sonstig|Thema"))
    assert tab_through(page) < 250


def test_an_admin_invites_a_person_who_accepts_and_sets_a_password_by_keyboard(
    browser, live_server, demo, outbox
):
    page = _keyboard_login(browser, live_server, "admin@musterstadt.example")
    _press_on(page, "Administration")
    _press_on(page, "Einladen")
    assert tab_through(page) < 120
    page.goto("/admin/invite")
    type_into(page, "E-Mail-Adresse", "nele@example.org")
    type_into(page, "Name", "Nele Neu")
    tab_to(page, "Rolle")
    page.keyboard.type("Mitarbeit")
    tab_to(page, re.compile("^Fachbereich"))
    page.keyboard.type("Fachbereich Bildung")
    _press_on(page, "Einladung senden")
    expect(page.locator(".flash-success")).to_contain_text("nele@example.org")
    _press_on(page, "Abmelden")

    page.goto(path_of(outbox.last_link(to="nele@example.org")))
    assert tab_through(page) < 80
    type_into(page, "Neues Passwort", "Wiesen und Wälder 2026")
    type_into(page, "Neues Passwort wiederholen", "Wiesen und Wälder 2026")
    _press_on(page, "Passwort speichern")
    expect(page.locator(".flash-success")).to_contain_text("Willkommen, Nele Neu!")
    _press_on(page, "Aufgaben")  # she is staff of the department now
    expect(page).to_have_url(re.compile("/proposals/manage$"))
    page.context.close()


def test_an_admin_changes_a_role_a_department_and_the_settings_by_keyboard(
    browser, live_server, demo
):
    page = _keyboard_login(browser, live_server, "admin@musterstadt.example")
    page.goto("/admin/users")
    assert tab_through(page) < 250
    page.goto("/admin/users")
    _press_on(page, "Berta Bürgerin")
    assert tab_through(page) < 120
    tab_to(page, "Rolle", limit=120)
    page.keyboard.type("Ratsmitglied")
    _press_on(page, "Speichern")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#user-role")).to_have_value("council")

    page.goto("/admin/departments")
    assert tab_through(page) < 120
    page.goto("/admin/departments")
    _press_on(page, "Fachbereich Umwelt und Grün")
    type_into(page, "Kürzel", "Grün")
    _press_on(page, "Speichern")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("(Grün)")

    page.goto("/admin/settings")
    assert tab_through(page) < 120
    page.goto("/admin/settings")
    type_into(page, "Name der Kommune", "Musterstadt am See")
    _press_on(page, "Einstellungen speichern", limit=150)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".brand-name")).to_have_text("Musterstadt am See")
    page.context.close()
