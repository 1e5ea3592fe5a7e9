"""A citizen opens a thread, staff of the department answer officially, and the citizen sees
the notification in the header and receives the mail."""

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


def _log_in(page, email):
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_thread_official_answer_notification_and_mail(app, browser, live_server, smtp_server,
                                                      make_user):  # fmt: skip
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    umwelt = Department(name="Fachbereich Umwelt", short_name="Umwelt")
    db.session.add(umwelt)
    db.session.commit()
    admin = make_user("admin", email="admin@example.org")
    today = local_today()
    process = processes.create_process(
        admin,
        processes.ProcessData(
            title="Grün im Norden", summary="Mehr Bäume", body="", department_id=umwelt.id,
            district_id=None, support_threshold=5, answer_deadline_days=10,
            phases=[processes.PhaseDates(PhaseKind.DIALOGUE, today, today + timedelta(days=9))],
        ),
    )  # fmt: skip
    processes.publish_process(process, admin)
    db.session.commit()
    make_user("citizen", email="clara@example.org", display_name="Clara")
    make_user("staff", email="ulla@example.org", display_name="Ulla", department_id=umwelt.id)

    citizen = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    _log_in(citizen, "clara@example.org")
    citizen.goto(f"/processes/{process.slug}")
    citizen.get_by_role("link", name="Diskussion beginnen").click()
    citizen.get_by_label("Titel").fill("Wann kommen die neuen Bäume?")
    citizen.get_by_label("Ihr Beitrag").fill("In der **Nordstraße** fehlen Bäume.")
    assert axe_violations(citizen) == []
    citizen.get_by_role("button", name="Veröffentlichen").click()
    expect(citizen.locator(".flash-success")).to_contain_text("Sie folgen ihr")
    thread_url = citizen.url

    staff = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    _log_in(staff, "ulla@example.org")
    staff.goto(thread_url)
    staff.get_by_label("Ihre Antwort").fill("Die Pflanzung ist für März geplant.")
    staff.get_by_label("Als offizielle Antwort meines Fachbereichs kennzeichnen").check()
    staff.get_by_role("button", name="Antwort senden").last.click()
    expect(staff.locator(".reply-official")).to_contain_text("März")
    expect(staff.locator(".answered-note", has_text="· Fachbereich Umwelt")).to_be_visible()
    assert axe_violations(staff) == []

    citizen.goto("/")
    badge = citizen.locator(".count-badge")
    expect(badge).to_contain_text("1")
    citizen.get_by_role("link", name="Benachrichtigungen").click()
    assert axe_violations(citizen) == []
    citizen.get_by_role("link", name="Offizielle Antwort in „Wann kommen die neuen Bäume?“").click()
    expect(citizen.locator(".reply-official")).to_contain_text("März")
    expect(citizen.locator(".count-badge")).to_have_count(0)

    # Answering the answer: the reply's link opens the form right under it (script on);
    # "Abbrechen" closes it again, the text not kept, and the focus is back on the link.
    citizen.locator(".reply-official a.reply-link").click()
    citizen.get_by_label("Ihre Antwort an Ulla").fill("Doch nicht.")
    citizen.locator("form.reply-inline").get_by_role("button", name="Abbrechen").click()
    expect(citizen.locator("form.reply-inline")).to_have_count(0)
    expect(citizen.locator(".reply-official a.reply-link")).to_be_focused()
    citizen.locator(".reply-official a.reply-link").click()
    expect(citizen.get_by_label("Ihre Antwort an Ulla")).to_have_value("")
    citizen.get_by_label("Ihre Antwort an Ulla").fill("Danke, dann gieße ich mit.")
    citizen.locator("form.reply-inline").get_by_role("button", name="Antwort senden").click()
    expect(citizen.locator("ol.replies ol.replies")).to_contain_text("gieße ich mit")
    assert axe_violations(citizen) == []

    for _ in range(150):  # up to 15 s
        if smtp_server.bodies_to("clara@example.org"):
            break
        citizen.wait_for_timeout(100)
    [body] = smtp_server.bodies_to("clara@example.org")
    assert "Offizielle Antwort in „Wann kommen die neuen Bäume?“" in body
    assert "/dialogue/" in body and "/account" in body
    citizen.context.close()
    staff.context.close()


def test_deleting_a_post_asks_first(app, page, make_user):
    from engage.boards import dialogue_services

    author = make_user("citizen", email="dora@example.org", display_name="Dora")
    thread = dialogue_services.open_thread(author, "Frage zur Müllabfuhr", "Wann kommt sie?")
    db.session.commit()
    _log_in(page, "dora@example.org")
    page.goto(f"/dialogue/{thread.id}")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Löschen").click()
    expect(page.locator(".thread-body")).to_contain_text("Wann kommt sie?")
    assert questions == ["Diesen Beitrag löschen? Das kann nicht rückgängig gemacht werden."]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Löschen").click()
    expect(page.get_by_text("Dieser Beitrag wurde")).to_be_visible()
