"""An admin invites a staff member, who sets a password and creates a process for their
department; it appears on /processes and on the home page."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from engage.core.types import local_today
from engage.extensions import db
from engage.organisation.models import Department, District
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations


def _log_in(page, email, password):
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden").click()


def test_admin_invites_staff_who_creates_a_process(app, page, live_server, smtp_server,
                                                   make_user):  # fmt: skip
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    db.session.add_all([Department(name="Fachbereich Umwelt", short_name="Umwelt"),
                        District(name="Nordviertel")])  # fmt: skip
    db.session.commit()
    make_user("admin", email="admin@example.org", display_name="Ada Admin")

    _log_in(page, "admin@example.org", TEST_PASSWORD)
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Mitarbeitende einladen").click()
    page.get_by_label("E-Mail-Adresse").fill("sina@example.org")
    page.get_by_label("Name").fill("Sina Umwelt")
    page.get_by_label("Rolle").select_option("staff")
    page.get_by_label("Fachbereich").select_option(label="Fachbereich Umwelt")
    page.get_by_role("button", name="Einladung senden").click()
    expect(page.locator(".flash-success")).to_contain_text("sina@example.org")
    page.get_by_role("button", name="Abmelden").click()

    for _ in range(150):  # up to 15 s
        if smtp_server.bodies_to("sina@example.org"):
            break
        page.wait_for_timeout(100)
    [body] = smtp_server.bodies_to("sina@example.org")
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/invite/\S+", body).group(0)

    page.goto(link)
    assert axe_violations(page) == []
    page.get_by_label("Neues Passwort", exact=True).fill("Wiesen und Wälder 2026")
    page.get_by_label("Neues Passwort wiederholen").fill("Wiesen und Wälder 2026")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.locator(".flash-success")).to_contain_text("Sina Umwelt")

    page.goto("/processes")
    page.get_by_role("link", name="Neues Verfahren").click()
    page.get_by_label("Titel").fill("Bäume für das Nordviertel")
    page.get_by_label("Kurzbeschreibung").fill("Wo sollen neue Straßenbäume stehen?")
    page.get_by_label("Stadtteil").select_option(label="Nordviertel")
    start, end = local_today() - timedelta(days=1), local_today() + timedelta(days=30)
    dialogue = page.locator("fieldset.phase-row", has_text="Dialog")
    dialogue.get_by_label("Beginn").fill(start.isoformat())
    dialogue.get_by_label("Ende").fill(end.isoformat())
    assert axe_violations(page) == []
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bäume für das Nordviertel")
    expect(page.locator(".badge-draft")).to_be_visible()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_contain_text("Dialog")
    assert axe_violations(page) == []

    visitor = page.context.browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    visitor.goto("/processes")
    expect(visitor.get_by_role("link", name="Bäume für das Nordviertel")).to_be_visible()
    visitor.goto("/")
    expect(visitor.get_by_role("link", name="Bäume für das Nordviertel")).to_be_visible()
    visitor.context.close()
