"""The dialogue board through HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from engage.boards import dialogue_services as services
from engage.boards.dialogue_models import Comment, Thread
from engage.extensions import db
from tests.conftest import post_form


@pytest.fixture
def thread(town):
    thread = services.open_thread(town["citizen"], "Wo parken Fahrräder?", "Frage",
                                  town["dialogue"])  # fmt: skip
    db.session.commit()
    return thread


def _count_queries(app, call) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_citizen_opens_a_thread_in_the_dialogue_phase(client, auth, town):
    auth.login("buerger@example.org")
    response = post_form(client, "/dialogue/new", title="Mehr Bänke im Park",
                         body="Es fehlen **Bänke**.",
                         process_id=str(town["dialogue"].id))  # fmt: skip
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread))
    html = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    assert "Mehr Bänke im Park" in html and "<strong>Bänke</strong>" in html


def test_threads_in_a_process_outside_its_dialogue_phase_are_refused(client, auth, town):
    auth.login("buerger@example.org")
    response = post_form(client, "/dialogue/new", title="Zu spät dran", body="x",
                         process_id=str(town["voting"].id))  # fmt: skip
    assert response.status_code == 422


def test_unverified_and_anonymous_users_cannot_post(client, auth, town, thread):
    assert "/auth/login" in client.get("/dialogue/new").headers["Location"]
    auth.login("neu@example.org")
    assert client.get("/dialogue/new").status_code == 403
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="Hallo")  # fmt: skip
    assert response.status_code == 403


def test_reply_official_answer_and_the_answered_note(client, auth, town, thread):
    auth.login("umwelt@example.org")
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="Wir prüfen das.", official="y")  # fmt: skip
    assert response.status_code == 302
    html = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    assert "Offizielle Antwort" in html and "· Umwelt" in html and "beantwortet am" in html


def test_staff_of_another_department_cannot_answer_officially(client, auth, town, thread):
    auth.login("verkehr@example.org")
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="Offiziell?", official="y")  # fmt: skip
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


def test_replies_to_a_closed_thread_get_409(client, auth, town, thread):
    services.close_thread(thread, town["staff"], "Erledigt")
    db.session.commit()
    auth.login("nachbar@example.org")
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="Doch noch?")  # fmt: skip
    assert response.status_code == 409
    assert "geschlossen" in response.get_data(as_text=True)


def test_forged_ids_and_empty_replies_are_clear_errors(client, auth, town, thread):
    auth.login("nachbar@example.org")
    assert client.get("/dialogue/99999").status_code == 404
    assert post_form(client, "/dialogue", action="/dialogue/99999/reply",
                     body="x").status_code == 404  # fmt: skip
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="x", parent_id="99999")  # fmt: skip
    assert response.status_code == 404
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="   ")  # fmt: skip
    assert response.status_code == 422  # the form shows why; nothing stored
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="x" * 10_001)  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bitte höchstens 10.000 Zeichen: Dieser Text hat 10.001." in page  # (as the hint)
    assert "x" * 10_001 in page  # (the text is kept)
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


def test_a_reply_is_answered_from_its_own_link(client, auth, town, thread):
    first = services.reply(thread, town["citizen"], "Am Bahnhof fehlen Bügel.")
    db.session.commit()
    auth.login("nachbar@example.org")
    page = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    form_url = f"/dialogue/{thread.id}/reply?to={first.id}"
    assert f'href="{form_url}"' in page and 'name="parent_id" value="{first.id}"' not in page
    html = client.get(form_url).get_data(as_text=True)  # without script: a page with the form
    assert "Am Bahnhof fehlen Bügel." in html and f'value="{first.id}"' in html
    response = post_form(client, form_url, action=f"/dialogue/{thread.id}/reply", body=" ",
                         parent_id=str(first.id))  # fmt: skip
    assert response.status_code == 422 and "Am Bahnhof" in response.get_data(as_text=True)
    response = post_form(client, form_url, action=f"/dialogue/{thread.id}/reply",
                         body="Stimmt, auch am Markt.", parent_id=str(first.id))  # fmt: skip
    assert response.status_code == 302
    answer = db.session.scalar(db.select(Comment).where(Comment.body == "Stimmt, auch am Markt."))
    assert answer.parent_id == first.id
    assert client.get(f"/dialogue/{thread.id}/reply?to=99999").status_code == 404
    # The form's own address (where a browser lands after logging in): the thread.
    assert (
        client.get(f"/dialogue/{thread.id}/reply").headers["Location"] == f"/dialogue/{thread.id}"
    )
    auth.logout()
    assert "/auth/login" in client.get(form_url).headers["Location"]


def test_authors_edit_within_15_minutes_and_delete(client, auth, town, thread):
    comment = services.reply(thread, town["neighbour"], "Tippfehlr")
    db.session.commit()
    auth.login("nachbar@example.org")
    post_form(client, f"/dialogue/replies/{comment.id}/edit", body="Tippfehler")
    html = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    assert "Tippfehler" in html and "bearbeitet" in html
    post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/replies/{comment.id}/delete")
    html = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    assert "Tippfehler" not in html and "gelöscht" in html


def test_deleting_or_editing_a_reply_on_a_later_page_returns_to_that_page(
    client, auth, town, thread
):
    for number in range(services.REPLIES_PER_PAGE):
        services.reply(thread, town["citizen"], f"Beitrag {number}")
    late = services.reply(thread, town["neighbour"], "Auf Seite zwei")
    db.session.commit()
    auth.login("nachbar@example.org")
    page_two = f"/dialogue/{thread.id}?page=2"
    edit = client.get(f"/dialogue/replies/{late.id}/edit").get_data(as_text=True)
    assert f'href="{page_two}#c{late.id}"' in edit  # (the way back)
    answer = post_form(client, page_two, action=f"/dialogue/replies/{late.id}/delete")
    assert answer.status_code == 302 and answer.headers["Location"] == f"{page_two}#c{late.id}"


def test_helpful_toggle(client, auth, town, thread):
    comment = services.reply(thread, town["neighbour"], "Gute Idee")
    db.session.commit()
    auth.login("buerger@example.org")
    post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/replies/{comment.id}/helpful")
    html = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    assert 'aria-pressed="true"' in html


def test_thread_page_costs_a_constant_number_of_queries(app, client, town, thread):
    def load():
        assert client.get(f"/dialogue/{thread.id}").status_code == 200

    def add_replies(n):
        for i in range(n):
            top = services.reply(thread, town["neighbour"], f"Antwort {i}")
            services.reply(thread, town["citizen"], f"Darauf {i}", parent=top)
        db.session.commit()

    add_replies(2)
    few = _count_queries(app, load)
    add_replies(30)
    many = _count_queries(app, load)
    assert few == many


def test_long_threads_paginate_top_level_replies(client, town, thread):
    for i in range(55):
        services.reply(thread, town["neighbour"], f"Beitrag-{i:02d}")
    db.session.commit()
    first = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    second = client.get(f"/dialogue/{thread.id}?page=2").get_data(as_text=True)
    assert "Beitrag-00" in first and "Beitrag-54" not in first
    assert "Beitrag-54" in second


def test_list_filters_and_bad_parameters(client, town, thread):
    assert "Wo parken" in client.get("/dialogue").get_data(as_text=True)
    assert "Wo parken" not in client.get("/dialogue?state=answered").get_data(as_text=True)
    assert client.get("/dialogue?state=<x>&process_id=abc&page=-1").status_code == 200


def test_thread_title_cannot_be_erased(client, auth, town, thread):
    auth.login("buerger@example.org")
    response = post_form(client, f"/dialogue/{thread.id}/edit", title="  ", body="Frage")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).title == "Wo parken Fahrräder?"


def test_empty_reply_shows_the_error_at_the_form(client, auth, town, thread):
    auth.login("nachbar@example.org")
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="   ")  # fmt: skip
    assert response.status_code == 422
    assert 'id="body-error"' in response.get_data(as_text=True)


def test_closing_without_a_reason_shows_the_error_at_the_reason_field(client, auth, town, thread):
    auth.login("umwelt@example.org")
    url = f"/dialogue/{thread.id}"
    response = post_form(client, url, action=f"{url}/close", reason="  ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#reason"' in html
    assert 'aria-invalid="true"' in html and "Bitte geben Sie eine Begründung an." in html
    assert '<details class="staff-tools" open>' in html  # the form is shown, not folded away
    db.session.refresh(thread)
    assert not thread.is_closed
    too_long = post_form(client, url, action=f"{url}/close", reason="Erledigt. " * 60)
    assert too_long.status_code == 422
    assert "Erledigt. Erledigt." in too_long.get_data(as_text=True)  # what was typed is kept


def test_text_boxes_say_their_limit_before_sending(client, auth, town):
    auth.login("buerger@example.org")
    page = client.get("/dialogue/new").get_data(as_text=True)
    assert "Höchstens 10.000 Zeichen." in page
    hint = re.search(r'<p class="hint" id="([^"]+)-hint">[^<]*Höchstens 10.000 Zeichen', page)
    assert hint and f'aria-describedby="{hint.group(1)}-hint"' in page


def test_a_reply_on_a_later_page_is_linked_and_opened_where_it_is(app, client, auth, town, thread):
    with app.test_request_context("/"):  # (the notification mails build links)
        for n in range(services.REPLIES_PER_PAGE + 2):
            services.reply(thread, town["neighbour"], f"Antwort {n}")
        official = services.reply(thread, town["staff"], "Amtlich.", official=True)
    db.session.commit()
    last = db.session.scalars(
        db.select(Comment).where(Comment.thread_id == thread.id, Comment.is_official.is_(False))
        .order_by(Comment.id.desc())
    ).first()  # fmt: skip
    # Official answers stand first: the official one is on page 1, the last two on page 2.
    assert services.reply_page_number(official) == 1
    assert services.reply_page_number(last) == 2
    page_two = f"/dialogue/{thread.id}?page=2#c{last.id}"
    assert client.get(f"/dialogue/replies/{last.id}").headers["Location"] == page_two
    assert f'id="c{last.id}"' in client.get(f"/dialogue/{thread.id}?page=2").get_data(as_text=True)
    # Answering it: the answer opens on the page of its conversation, not on page 1.
    auth.login("buerger@example.org")
    response = post_form(client, f"/dialogue/{thread.id}", action=f"/dialogue/{thread.id}/reply",
                         body="Dazu noch etwas.", parent_id=str(last.id))  # fmt: skip
    answer = db.session.scalars(db.select(Comment).order_by(Comment.id.desc())).first()
    assert response.headers["Location"] == f"/dialogue/{thread.id}?page=2#c{answer.id}"
    # The notification to the replied-to author leads there too.
    auth.logout()
    auth.login("nachbar@example.org")
    notes = client.get("/notifications").get_data(as_text=True)
    link = re.search(r'href="(/notifications/\d+)"', notes).group(1)
    target = client.get(client.get(link).headers["Location"]).headers["Location"]
    assert target == f"/dialogue/{thread.id}?page=2#c{answer.id}"


def test_a_reply_sent_twice_is_published_once(client, auth, town, thread):
    """Back after sending, then send again (the form still holds the text): one reply."""
    auth.login("nachbar@example.org")
    page = f"/dialogue/{thread.id}"
    first = post_form(client, page, action=f"{page}/reply", body="Am Bahnhof.")
    again = post_form(client, page, action=f"{page}/reply", body="Am Bahnhof. ")
    replies = db.session.scalars(db.select(Comment).where(Comment.thread_id == thread.id)).all()
    assert len(replies) == 1 and again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]  # (to the one reply)
    assert "schon gesendet" in client.get(page).get_data(as_text=True)
    db.session.refresh(thread)
    assert thread.reply_count == 1
    # A different text, or the same text a while later, is a reply of its own.
    post_form(client, page, action=f"{page}/reply", body="Am Rathaus.")
    replies[0].created_at -= services.RESENT_WITHIN
    db.session.commit()
    post_form(client, page, action=f"{page}/reply", body="Am Bahnhof.")
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 3
