"""A reply typed into a thread is not lost when the form expired or the browser was logged
out meanwhile; once it is posted, the box starts empty again."""

from __future__ import annotations

import re

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


def test_a_reply_typed_under_a_reply_comes_back_under_that_reply(app, page, make_user):
    author = make_user("citizen", email="clara@example.org", display_name="Clara")
    other = make_user("citizen", email="ben@example.org", display_name="Ben")
    thread = dialogue_services.open_thread(author, "Wo parken Lastenräder?", "Frage")
    with app.test_request_context("/"):  # the mail to the thread's author builds links
        dialogue_services.reply(thread, other, "Am Bahnhof ist Platz.")
        dialogue_services.reply(thread, other, "Und am Rathaus.")
    db.session.commit()
    _log_in(page, "clara@example.org")
    page.goto(f"/dialogue/{thread.id}")
    page.get_by_role("link", name="Antworten (Ben)").first.click()
    page.get_by_label("Ihre Antwort an Ben").fill("Dort sind die Bügel zu eng.")
    # The page is left before sending: coming back, the form is open under the same reply.
    page.goto("/dialogue")
    page.goto(f"/dialogue/{thread.id}")
    box = page.get_by_label("Ihre Antwort an Ben")
    expect(box).to_have_value("Dort sind die Bügel zu eng.")
    expect(page.locator(".reply").first.locator(".draft-note")).to_have_text(
        "Ihr noch nicht gesendeter Text ist zurück."
    )
    expect(page.get_by_label("Ihre Antwort", exact=True)).to_have_value("")
    page.locator("form.reply-inline").get_by_role("button", name="Antwort senden").click()
    expect(page).to_have_url(re.compile(r"#c\d+$"))
    expect(page.locator(".reply", has_text="Bügel zu eng")).to_have_count(1)
    page.goto(f"/dialogue/{thread.id}")
    expect(page.locator("form.reply-inline")).to_have_count(0)


def test_a_new_discussion_typed_but_not_sent_waits_and_is_gone_once_opened(page, make_user):
    make_user("citizen", email="clara@example.org", display_name="Clara")
    _log_in(page, "clara@example.org")
    page.goto("/dialogue/new")
    page.get_by_label("Titel").fill("Wo parken Lastenräder?")
    page.get_by_label("Ihr Beitrag").fill("Am Markt fehlen Bügel.")
    page.goto("/dialogue")  # (left before sending: a link, a log-in, a lost connection)
    page.goto("/dialogue/new")
    expect(page.get_by_label("Titel")).to_have_value("Wo parken Lastenräder?")
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("Am Markt fehlen Bügel.")
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/dialogue/new")  # opened: the next new discussion starts empty
    expect(page.get_by_label("Titel")).to_have_value("")
    expect(page.get_by_label("Ihr Beitrag")).to_have_value("")


def test_unsent_texts_are_not_given_to_the_next_person_on_the_same_computer(page, make_user):
    make_user("citizen", email="clara@example.org", display_name="Clara")
    make_user("citizen", email="ben@example.org", display_name="Ben")
    _log_in(page, "clara@example.org")
    page.goto("/dialogue/new")
    page.get_by_label("Titel").fill("Meine private Frage")
    page.goto("/dialogue")
    page.get_by_role("button", name="Abmelden").click()  # (logging out forgets it)
    _log_in(page, "ben@example.org")
    page.goto("/dialogue/new")
    expect(page.get_by_label("Titel")).to_have_value("")
    # Typed by Ben, kept for Ben; "Cancel" drops it.
    page.get_by_label("Titel").fill("Bens Entwurf")
    page.get_by_role("link", name="Abbrechen").click()
    page.goto("/dialogue/new")
    expect(page.get_by_label("Titel")).to_have_value("")


def test_a_text_kept_at_the_end_of_a_long_thread_is_announced_at_the_top(app, page, make_user):
    author = make_user("citizen", email="clara@example.org", display_name="Clara")
    other = make_user("citizen", email="ben@example.org", display_name="Ben")
    thread = dialogue_services.open_thread(author, "Wo parken Lastenräder?", "Frage")
    with app.test_request_context("/"):
        for n in range(25):
            dialogue_services.reply(thread, other, f"Antwort Nummer {n}, mit etwas Text dazu.")
    db.session.commit()
    _log_in(page, "clara@example.org")
    page.goto(f"/dialogue/{thread.id}")
    page.get_by_label("Ihre Antwort", exact=True).fill("Am Markt fehlen Bügel.")
    page.goto("/dialogue")
    page.goto(f"/dialogue/{thread.id}")
    # The page opens at its top, far above the form: a link there leads to the text.
    jump = page.locator("main .draft-jump a")
    expect(jump).to_have_text("Ihr noch nicht gesendeter Text ist zurück.")
    jump.click()
    box = page.get_by_label("Ihre Antwort", exact=True)
    expect(box).to_be_focused()
    expect(box).to_be_in_viewport()
    expect(box).to_have_value("Am Markt fehlen Bügel.")


def test_a_proposal_typed_but_not_sent_keeps_its_district_and_category(page, town):
    _log_in(page, "buerger@example.org")
    new_proposal = f"/proposals/new?process={town['voting'].id}"
    page.goto(new_proposal)
    district = page.get_by_label("Stadtteil")
    expect(district).to_have_value(str(town["nord"].id))  # (the process's district, at first)
    page.get_by_label("Titel").fill("Bügel am Markt")
    district.select_option(label="Ganze Stadt")
    page.goto("/proposals")
    page.goto(new_proposal)
    expect(page.get_by_label("Titel")).to_have_value("Bügel am Markt")
    expect(district).to_have_value("")
    # A choice alone does not come back: with no text kept, the form starts as the page says.
    page.get_by_label("Titel").fill("")
    page.goto("/proposals")
    page.goto(new_proposal)
    expect(page.get_by_label("Titel")).to_have_value("")
    expect(district).to_have_value(str(town["nord"].id))
