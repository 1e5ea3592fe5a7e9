"""With Redis, each worker keeps the loaded user between requests (accounts/session.py):
every change to an account or its sessions must still take effect on the very next request."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engage.accounts.models import User
from engage.extensions import db
from tests.conftest import AuthActions, needs_redis, post_form, with_empty_redis
from tests.perf.test_query_counts import counted

pytestmark = needs_redis


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


def _logged_in(app, email: str):
    client = app.test_client()
    AuthActions(client).login(email)
    client.get("/proposals")  # shows the log-in message; keeps the user
    return client


def test_a_kept_user_costs_no_query(app, make_user):
    make_user(email="anna@example.org")
    browser = _logged_in(app, "anna@example.org")
    with counted() as statements:
        assert browser.get("/proposals").status_code == 200
    assert statements == []


def test_a_copied_cookie_in_use_stops_working_at_log_out(app, make_user):
    make_user(email="anna@example.org")
    browser, attacker = _logged_in(app, "anna@example.org"), app.test_client()
    attacker.set_cookie("session", browser.get_cookie("session").value)
    assert attacker.get("/account").status_code == 200  # the copy works, and is kept
    AuthActions(browser).logout()
    response = attacker.get("/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_blocking_takes_effect_on_the_next_request(app, make_user):
    from engage.admin.services import block_user

    admin = make_user("admin", email="chefin@example.org")
    anna = make_user(email="anna@example.org")
    browser = _logged_in(app, "anna@example.org")
    assert "gesperrt" not in browser.get("/proposals").get_data(as_text=True)
    block_user(admin, anna, "Beleidigungen")
    db.session.commit()
    assert "gesperrt" in browser.get("/proposals").get_data(as_text=True)


def test_a_kept_user_changing_their_profile_is_saved(app, make_user):
    anna = make_user(email="anna@example.org", display_name="Anna")
    browser = _logged_in(app, "anna@example.org")
    browser.get("/account")  # the user comes from what the worker kept
    response = post_form(browser, "/account", action="/account/profile",
                         profile__display_name="Anna Berg", profile__district_id="")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, anna.id).display_name == "Anna Berg"
    assert "Anna Berg" in browser.get("/account").get_data(as_text=True)


def test_a_kept_user_outlives_other_peoples_writes(app, make_user):
    from engage.boards import dialogue_services as dialogue

    make_user(email="anna@example.org")
    writer = make_user(email="bert@example.org")
    browser = _logged_in(app, "anna@example.org")
    dialogue.open_thread(writer, "Neue Frage zum Park", "Text")
    db.session.commit()  # the lists are rendered afresh, the user is still kept
    with counted() as statements:
        assert "Abmelden" in browser.get("/proposals").get_data(as_text=True)
    assert statements and not [s for s in statements if "user_session" in s]


def test_a_kept_user_sends_forms_without_being_loaded_again(app, make_user, town):
    from tests.conftest import csrf_from

    make_user(email="anna@example.org")
    browser = _logged_in(app, "anna@example.org")
    token = csrf_from(browser.get("/dialogue/new"))
    with counted() as statements:
        response = browser.post("/dialogue/new", data={"csrf_token": token, "title": "",
                                                       "body": ""})  # fmt: skip
    assert response.status_code == 422  # the form's errors, for the kept user
    assert not [s for s in statements if "user_session" in s]


def test_a_kept_proposal_or_thread_page_opens_no_transaction_for_its_one_query(
    app, make_user, town
):
    """Its one query (what the viewer did there, on all pages at once: core/personal.py) runs
    alone, in autocommit: one round trip instead of BEGIN, the query and COMMIT
    (core/transactions.read_alone); once that is kept, the page makes none."""
    from sqlalchemy import event

    from engage.boards import dialogue_services as dialogue
    from engage.core import personal
    from engage.proposals import services as proposals

    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
        intended_outcome="Pause", indicator="Zählung"), submit=True)  # fmt: skip
    proposals.comment(proposal, town["neighbour"], "Gute Idee")
    thread = dialogue.open_thread(town["citizen"], "Wo parken?", "Frage", town["dialogue"])
    dialogue.reply(thread, town["neighbour"], "Am Bahnhof")
    db.session.commit()
    make_user(email="anna@example.org")
    browser = _logged_in(app, "anna@example.org")
    for path in (f"/proposals/{proposal.id}", f"/dialogue/{thread.id}"):
        browser.get(path)  # renders and keeps the page
        for kept_state, queries in ((False, ["AUTOCOMMIT"]), (True, [])):
            if not kept_state:
                personal.kept.clear()
            isolation: list[object] = []
            begun: list[object] = []

            def note(conn, cursor, statement, *args, seen=isolation):
                seen.append(conn.get_execution_options().get("isolation_level"))

            def began(*args, seen=begun):
                seen.append(args)

            event.listen(db.engine, "before_cursor_execute", note)
            event.listen(Session, "after_begin", began)
            try:
                page = browser.get(path)
            finally:
                event.remove(db.engine, "before_cursor_execute", note)
                event.remove(Session, "after_begin", began)
            assert page.status_code == 200
            assert isolation == queries, path
            assert begun == [], path


def test_a_kept_author_replies_on_their_thread_page_kept_for_others(app, make_user, town):
    """The page's thread holds its author, a copy of the user this worker kept: the user is
    the session's one object of that row while the reply is saved."""
    from engage.boards import dialogue_services as dialogue
    from engage.boards.dialogue_models import Comment
    from tests.conftest import csrf_from

    author = make_user(email="anna@example.org")
    thread = dialogue.open_thread(author, "Wo parken?", "Frage", town["dialogue"])
    dialogue.reply(thread, town["neighbour"], "Am Bahnhof")
    db.session.commit()
    _logged_in(app, town["neighbour"].email).get(f"/dialogue/{thread.id}")  # kept for others
    browser = _logged_in(app, "anna@example.org")
    page = browser.get(f"/dialogue/{thread.id}")
    assert page.status_code == 200
    response = browser.post(f"/dialogue/{thread.id}/reply",
                            data={"csrf_token": csrf_from(page), "body": "Danke!"})  # fmt: skip
    assert response.status_code == 302
    saved = db.session.scalars(db.select(Comment).where(Comment.body == "Danke!")).one()
    assert saved.author_id == author.id


def test_a_kept_staff_member_sees_the_department_renamed_on_the_next_request(app, town):
    """The kept user holds their department (read while the user is out of the session)."""
    from engage.organisation.models import Department

    browser = _logged_in(app, town["staff"].email)
    assert "Umwelt" in browser.get("/account").get_data(as_text=True)
    db.session.get(Department, town["staff"].department_id).name = "Umwelt und Grün"
    db.session.commit()
    assert "Umwelt und Grün" in browser.get("/account").get_data(as_text=True)
