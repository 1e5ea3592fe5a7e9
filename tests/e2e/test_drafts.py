"""A reply typed into a thread is not lost when the form expired or the browser was logged
out meanwhile; once it is posted, the box starts empty again."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import delete

from engage.accounts.models import UserSession
from engage.boards import dialogue_services
from engage.extensions import db
from tests.conftest import TEST_PASSWORD


def _log_in(page, email):
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_a_typed_reply_survives_an_expired_form_and_a_log_in(page, make_user):
    author = make_user("citizen", email="clara@example.org", display_name="Clara")
    thread = dialogue_services.open_thread(author, "Wo parken Lastenräder?", "Frage")
    db.session.commit()
    _log_in(page, "clara@example.org")
    page.goto(f"/dialogue/{thread.id}")
    box = page.get_by_label("Ihre Antwort", exact=True)
    box.fill("Am Markt fehlen Bügel für Lastenräder.")
    # The form expired (here: its token spoiled): the error page leads back, the text is there.
    page.locator("#reply form input[name=csrf_token]").evaluate(
        "field => { field.value = 'abgelaufen'; }"
    )
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_text("Das Formular ist abgelaufen")).to_be_visible()
    page.get_by_role("link", name="Zurück zur vorigen Seite").click()
    expect(page.get_by_label("Ihre Antwort", exact=True)).to_have_value(
        "Am Markt fehlen Bügel für Lastenräder."
    )
    # Logged out meanwhile (say, from another device): after logging in, the text is back.
    db.session.execute(delete(UserSession))
    db.session.commit()
    page.get_by_role("button", name="Antwort senden").click()
    page.get_by_label("E-Mail-Adresse").fill("clara@example.org")
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"/dialogue/{thread.id}")
    expect(page.get_by_label("Ihre Antwort", exact=True)).to_have_value(
        "Am Markt fehlen Bügel für Lastenräder."
    )
    expect(page.locator(".draft-note")).to_have_text("Ihr noch nicht gesendeter Text ist zurück.")
    # Posted: the page opens at the reply, and the box is empty from then on.
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator(".reply").last).to_contain_text("Bügel für Lastenräder")
    page.reload()
    expect(page.get_by_label("Ihre Antwort", exact=True)).to_have_value("")
