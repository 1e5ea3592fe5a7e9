"""A proposal from submission through supports, acceptance and implementation to a result."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from engage.core.types import local_today
from engage.extensions import db
from engage.organisation.models import Department
from engage.processes import services as processes
from engage.processes.models import PhaseKind
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations


def _session(browser, live_server, email):
    page = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    return page


def _step(page, state, note):
    page.get_by_label("Neuer Stand").select_option(label=state)
    page.get_by_label("Notiz (öffentlich sichtbar)").fill(note)
    page.get_by_role("button", name="Schritt speichern").click()
    expect(page.locator(".flash-success")).to_contain_text(state)


def test_proposal_from_submission_to_result(app, browser, live_server, make_user):
    verkehr = Department(name="Fachbereich Verkehr", short_name="Verkehr")
    db.session.add(verkehr)
    db.session.commit()
    admin = make_user("admin", email="admin@example.org")
    today = local_today()
    process = processes.create_process(
        admin,
        processes.ProcessData(
            title="Sichere Schulwege", summary="Mehr Sicherheit", body="",
            department_id=verkehr.id, district_id=None, support_threshold=2,
            answer_deadline_days=14,
            phases=[processes.PhaseDates(PhaseKind.VOTING, today, today + timedelta(days=9))],
        ),
    )  # fmt: skip
    processes.publish_process(process, admin)
    db.session.commit()
    make_user("citizen", email="paula@example.org", display_name="Paula")
    make_user("citizen", email="fritz@example.org", display_name="Fritz")
    make_user("citizen", email="greta@example.org", display_name="Greta")
    make_user("staff", email="vera@example.org", display_name="Vera", department_id=verkehr.id)

    author = _session(browser, live_server, "paula@example.org")
    author.goto(f"/processes/{process.slug}")
    author.get_by_role("link", name="Vorschlag machen").click()
    author.get_by_label("Titel").fill("Zebrastreifen an der Lindenschule")
    author.get_by_label("Was ist das Problem?").fill("Kinder queren zwischen parkenden Autos.")
    author.get_by_label("Was ist Ihre Idee?").fill("Ein beleuchteter Zebrastreifen.")
    author.get_by_label("Welche Wirkung soll es haben?").fill("Kinder queren sicher.")
    author.get_by_label("Woran erkennen wir, dass es wirkt? (Indikator)").fill(
        "Beinaheunfälle pro Monat"
    )
    author.get_by_label("Heutiger Wert (Ausgangswert)").fill("6")
    author.get_by_label("Zielwert").fill("1")
    author.get_by_label("Kategorie").select_option(label="Mobilität und Verkehr")
    author.get_by_role("button", name="Vorschau").click()
    expect(author.locator(".preview")).to_contain_text("Ein beleuchteter Zebrastreifen.")
    assert axe_violations(author) == []
    author.get_by_role("button", name="Vorschlag einreichen").click()
    expect(author.locator(".flash-success")).to_contain_text("eingereicht")
    proposal_url = author.url

    # The support button answers in place: count, button and a spoken message, no reload.
    supporter = _session(browser, live_server, "fritz@example.org")
    supporter.goto(proposal_url)
    supporter.get_by_role("button", name="Unterstützen").click()
    expect(supporter.locator(".support-status")).to_contain_text("Danke")
    expect(supporter.locator(".support-count strong")).to_have_text("1")
    # The label says what a press does now (no aria-pressed as well: "withdraw, pressed").
    withdraw = supporter.get_by_role("button", name="Unterstützung zurückziehen", exact=True)
    expect(withdraw).not_to_have_attribute("aria-pressed", "true")
    assert axe_violations(supporter) == []
    supporter.reload()
    expect(supporter.get_by_role("button", name="Unterstützung zurückziehen")).to_be_visible()
    supporter.context.close()
    # A form that the server refuses (here: its token spoiled) is sent the usual way, and the
    # page that comes back says what went wrong.
    supporter = _session(browser, live_server, "greta@example.org")
    supporter.goto(proposal_url)
    supporter.locator("form[data-live-support] input[name=csrf_token]").evaluate(
        "field => { field.value = 'abgelaufen'; }"
    )
    supporter.get_by_role("button", name="Unterstützen").click()
    expect(supporter.get_by_text("Das Formular ist abgelaufen")).to_be_visible()
    supporter.goto(proposal_url)
    supporter.get_by_role("button", name="Unterstützen").click()
    expect(supporter.locator(".support-count strong")).to_have_text("2")

    staff = _session(browser, live_server, "vera@example.org")
    staff.goto(proposal_url)
    expect(staff.get_by_text("qualifiziert")).to_be_visible()
    assert axe_violations(staff) == []
    _step(staff, "In Prüfung", "Wir prüfen mit der Verkehrsbehörde.")
    _step(staff, "Angenommen", "Der Zebrastreifen kommt im Frühjahr.")
    # Greta's page was opened before the acceptance: her press gets the page as it is now and
    # why, and her support stays counted.
    supporter.get_by_role("button", name="Unterstützung zurückziehen").click()
    expect(supporter.locator(".flash-error")).to_contain_text("nicht mehr zur Unterstützung offen")
    expect(supporter.locator(".support-count strong")).to_have_text("2")
    expect(supporter.get_by_text("Angenommen").first).to_be_visible()
    assert axe_violations(supporter) == []
    supporter.context.close()
    _step(staff, "In Umsetzung", "Die Markierung ist beauftragt.")
    _step(staff, "Umgesetzt", "Der Zebrastreifen ist fertig.")
    staff.get_by_label("Gemessener Wert des Indikators").fill("1")
    staff.get_by_label("Kurze Auswertung").fill("Seit der Markierung kaum noch Beinaheunfälle.")
    staff.get_by_role("button", name="Ergebnis speichern").click()
    expect(staff.locator("#result-title")).to_be_visible()
    assert axe_violations(staff) == []

    author.goto(proposal_url)
    expect(author.locator(".reply-official")).to_contain_text("Frühjahr")
    expect(author.locator(".history")).to_contain_text("Umgesetzt")
    expect(author.get_by_text("Seit der Markierung kaum noch Beinaheunfälle.")).to_be_visible()
    author.context.close()
    staff.context.close()
