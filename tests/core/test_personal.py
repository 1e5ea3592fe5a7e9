"""A user's own state on proposals and threads is loaded once per worker and kept until one of
their rows changes, by any worker (core/personal.py): what they did shows on their next page,
and other people's writes leave it kept."""

from __future__ import annotations

import re
import time

import pytest
import redis
from sqlalchemy import delete

from engage.boards import dialogue_services as dialogue
from engage.core import personal, version_watch
from engage.core.version_watch import PERSONAL_ALL, PERSONAL_PREFIX, VersionWatch
from engage.extensions import db
from engage.moderation import services as moderation
from engage.notifications import services as notifications
from engage.notifications.models import Follow
from engage.proposals import services as proposals
from tests.conftest import TEST_REDIS_URL, AuthActions, needs_redis, with_empty_redis
from tests.perf.test_query_counts import counted

pytestmark = needs_redis
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    # Kept versions would expire after a second anyway; here only messages may renew them.
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    personal.kept.clear()
    yield
    personal.kept.clear()


def _proposal(town, title: str, author=None):
    proposal = proposals.save_proposal(author or town["staff"], town["voting"],
                                       proposals.ProposalData(
        title=title, problem="Keine Bank.", idea="Eine Bank.", intended_outcome="Ausruhen.",
        indicator="Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    return proposal


def _own_state_queries(statements: list[str]) -> list[str]:
    # (both the kept state's one query and a page's own query about its one item read these)
    return [s for s in statements if "support.user_id" in s]


def _view(browser, path: str) -> tuple[str, list[str]]:
    with counted() as statements:
        page = browser.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True), _own_state_queries(statements)


def _until(condition, seconds: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def test_reading_one_proposal_after_another_asks_for_the_readers_state_once(app, town):
    first, second = _proposal(town, "Bank am Teich"), _proposal(town, "Licht am Weg")
    browser = app.test_client()
    AuthActions(browser).login("buerger@example.org")

    _, asked = _view(browser, f"/proposals/{first.id}")
    assert len(asked) == 1 and "UNION ALL" in asked[0]  # (the reader's whole state)
    _, asked = _view(browser, f"/proposals/{second.id}")
    assert asked == []
    _, asked = _view(browser, f"/proposals/{first.id}")
    assert asked == []


def test_the_readers_own_support_follow_and_comment_show_on_their_next_page(app, town):
    proposal = _proposal(town, "Bank am Teich")
    path = f"/proposals/{proposal.id}"
    browser = app.test_client()
    AuthActions(browser).login("buerger@example.org")
    page, _ = _view(browser, path)
    assert "Unterstützung zurückziehen" not in page
    token = TOKEN_RE.search(page).group(1)

    browser.post(f"{path}/support", data={"csrf_token": token, "intent": "support"})
    page, asked = _view(browser, path)
    assert "Unterstützung zurückziehen" in page
    assert len(asked) == 1  # (loaded anew after the user's own write)

    browser.post(f"/follow/proposal/{proposal.id}", data={"csrf_token": token})
    page, _ = _view(browser, path)
    assert "Sie folgen – beenden" in page

    browser.post(f"{path}/support", data={"csrf_token": token, "intent": "withdraw"})
    page, _ = _view(browser, path)
    assert "Unterstützung zurückziehen" not in page


def test_a_write_through_another_worker_shows_on_this_workers_next_page(app, app_config, town):
    from engage import create_app

    proposal = _proposal(town, "Bank am Teich")
    path = f"/proposals/{proposal.id}"
    other_worker = create_app(app_config)  # (its own watch, as a second gunicorn worker has)
    browser = other_worker.test_client()
    AuthActions(browser).login("buerger@example.org")
    assert "Unterstützung zurückziehen" not in browser.get(path).get_data(as_text=True)
    watch = other_worker.extensions["engage_version_watch"]
    citizen = town["citizen"]
    before = watch.personal_token(citizen.id)

    proposals.add_support(proposal, citizen)  # (through this worker: the test's app)
    db.session.commit()

    assert _until(lambda: watch.personal_token(citizen.id) != before)
    assert "Unterstützung zurückziehen" in browser.get(path).get_data(as_text=True)


def test_other_peoples_writes_leave_the_readers_state_kept(app, town):
    first, second = _proposal(town, "Bank am Teich"), _proposal(town, "Licht am Weg")
    browser = app.test_client()
    AuthActions(browser).login("buerger@example.org")
    _view(browser, f"/proposals/{first.id}")
    watch = app.extensions["engage_version_watch"]
    before = watch.personal_token(town["citizen"].id)

    neighbour = town["neighbour"]
    proposals.add_support(first, neighbour)
    proposals.comment(first, neighbour, "Gute Idee")
    notifications.follow(neighbour, proposal=second)
    db.session.commit()
    redis.Redis.from_url(TEST_REDIS_URL).incr(PERSONAL_PREFIX + str(neighbour.id))

    time.sleep(0.05)  # (time for the messages to arrive)
    assert watch.personal_token(town["citizen"].id) == before
    page, asked = _view(browser, f"/proposals/{first.id}")
    assert asked == []
    assert "Gute Idee" in page  # (the content itself is new)


def test_a_write_whose_users_are_not_known_renews_everyones_state(app, town):
    proposal = _proposal(town, "Bank am Teich")
    browser = app.test_client()
    AuthActions(browser).login("buerger@example.org")
    notifications.follow(town["citizen"], proposal=proposal)
    db.session.commit()
    page, asked = _view(browser, f"/proposals/{proposal.id}")
    assert len(asked) == 1

    db.session.execute(delete(Follow).where(Follow.proposal_id == proposal.id))  # (no of_user)
    db.session.commit()

    page, asked = _view(browser, f"/proposals/{proposal.id}")
    assert len(asked) == 1  # loaded anew: the follow is gone
    assert ">Folgen</button>" in page


def test_a_kept_state_is_loaded_anew_after_a_while_even_without_a_message(app, town,
                                                                          monkeypatch):  # fmt: skip
    proposal = _proposal(town, "Bank am Teich")
    browser = app.test_client()
    AuthActions(browser).login("buerger@example.org")
    assert len(_view(browser, f"/proposals/{proposal.id}")[1]) == 1
    assert _view(browser, f"/proposals/{proposal.id}")[1] == []
    monkeypatch.setattr(personal, "KEPT_SECONDS", 0.0)
    assert len(_view(browser, f"/proposals/{proposal.id}")[1]) == 1


def test_a_user_with_more_rows_than_are_kept_asks_on_each_page(app, town, monkeypatch):
    monkeypatch.setattr(personal, "MAX_ROWS", 0)
    proposal = _proposal(town, "Bank am Teich")
    proposals.add_support(proposal, town["citizen"])
    db.session.commit()
    browser = app.test_client()
    AuthActions(browser).login("buerger@example.org")
    page, asked = _view(browser, f"/proposals/{proposal.id}")
    assert "Unterstützung zurückziehen" in page
    assert ["UNION ALL" in query for query in asked] == [True, False]  # (found too many)
    for _ in range(2):
        page, asked = _view(browser, f"/proposals/{proposal.id}")
        assert "Unterstützung zurückziehen" in page
        assert len(asked) == 1 and "UNION ALL" not in asked[0]  # (the page's own query)


def test_the_kept_state_answers_as_the_pages_own_query_does(app, town, make_user, monkeypatch):
    """Everything one user can have done, on proposals and threads: the kept state and the
    page's own query about its one item say the same for each item."""
    from engage.accounts.models import User
    from engage.boards.dialogue_models import Thread
    from engage.proposals.models import Proposal, Rating

    citizen, neighbour = town["citizen"], town["neighbour"]
    items = [_proposal(town, f"Vorschlag {i}", author=neighbour) for i in range(6)]
    supported, followed, rated, reported, commented, marked = items
    proposals.add_support(supported, citizen)
    notifications.follow(citizen, proposal=followed)
    proposals.add_support(rated, citizen)
    db.session.add(Rating(proposal_id=rated.id, user_id=citizen.id, stars=4))
    moderation.flag(citizen, reported, "spam", "")
    own_comment = proposals.comment(commented, citizen, "Meine Meinung")
    theirs = proposals.comment(marked, neighbour, "Ihre Meinung")
    threads = [dialogue.open_thread(neighbour, f"Frage {i}", "Text", town["dialogue"])
               for i in range(4)]  # fmt: skip
    followed_thread, reported_thread, answered, flagged_reply = threads
    notifications.follow(citizen, thread=followed_thread)
    moderation.flag(citizen, reported_thread, "spam", "")
    own_reply = dialogue.reply(answered, citizen, "Meine Antwort")
    reply = dialogue.reply(flagged_reply, neighbour, "Ihre Antwort")
    reviewed = dialogue.open_thread(neighbour, "Frage in Prüfung", "Text", town["dialogue"])
    waiting = dialogue.reply(reviewed, citizen, "Wartet auf Freigabe")
    waiting.moderation_status = "pending"
    db.session.commit()
    dialogue.toggle_helpful(theirs, citizen)
    moderation.flag(citizen, reply, "spam", "")
    db.session.commit()

    with app.test_request_context("/"):
        user = db.session.get(User, citizen.id)
        kept_state = personal.of(user)
        assert kept_state is not None
        assert kept_state.ratings == {rated.id: 4}
        # Which comments: a page asks whether it shows one of them (dialogue.ReplyPage).
        touched = {own_comment.id, theirs.id, own_reply.id, reply.id, waiting.id}
        every = range(1, max(touched) + 1)
        assert {i for i in every if i in kept_state.touched_comments} == touched
        assert reviewed.id in kept_state.waiting_threads and len(kept_state.waiting_threads) == 1
        assert not len(kept_state.waiting_proposals)
        found = [(proposals.viewer_of(user, db.session.get(Proposal, p.id)), p) for p in items]
        found += [(dialogue.thread_viewer(user, db.session.get(Thread, t.id)), t)
                  for t in threads]  # fmt: skip
        monkeypatch.setattr(personal, "of", lambda user: None)  # (the page's own query)
        asked = [(proposals.viewer_of(user, db.session.get(Proposal, p.id)), p) for p in items]
        asked += [(dialogue.thread_viewer(user, db.session.get(Thread, t.id)), t)
                  for t in threads]  # fmt: skip
    assert found == asked
    truths = [viewer for viewer, _ in asked]
    assert truths[0].supported and truths[1].following and truths[2].rating == 4
    assert truths[3].reported and truths[4].touched_comments and truths[5].touched_comments
    assert truths[6].following and truths[7].reported
    assert truths[8].touched_replies and truths[9].touched_replies


# --- keeping (no Redis needed) ---------------------------------------------------------------


@pytest.mark.parametrize("ids", [[], [7], [3, 1, 2, 2], list(range(0, 20_000, 3))])
def test_kept_ids_answer_as_a_set_would(ids):
    kept_ids = personal.Ids(ids)
    assert len(kept_ids) == len(set(ids))
    for probe in (-1, 0, 1, 2, 3, 4, 7, 8, 19_998, 19_999, 2**31 - 1):
        assert (probe in kept_ids) == (probe in set(ids))


def test_the_least_recently_used_users_go_when_the_ids_budget_is_spent():
    store = personal._Kept(max_users=10, max_ids=5)
    for user in (1, 2, 3):
        store.put(user, ("t",), personal.Personal(supported=personal.Ids([user, 100 + user])))
    assert store.get(1, ("t",)) is None  # (2 + 2 + 2 ids > 5: the oldest went)
    assert store.get(2, ("t",)) is not None and store.get(3, ("t",)) is not None
    assert store.ids == 4
    store.put(3, ("t",), personal.Personal())  # (loaded anew, empty: its ids are given back)
    assert store.ids == 2


# --- the watch's side (core/version_watch.py) ----------------------------------------------


@pytest.fixture
def client_and_watch():
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=0.25)
    watch = VersionWatch(client, ("test:watched-version",))
    yield client, watch
    watch._close()


def test_a_users_key_renews_only_that_users_token(client_and_watch):
    client, watch = client_and_watch
    anna, bert = watch.personal_token(1), watch.personal_token(2)
    client.incr(PERSONAL_PREFIX + "1")
    assert _until(lambda: watch.personal_token(1) != anna)
    assert watch.personal_token(2) == bert


def test_the_key_of_everyone_renews_every_token(client_and_watch):
    client, watch = client_and_watch
    anna, bert = watch.personal_token(1), watch.personal_token(2)
    client.incr(PERSONAL_ALL)
    assert _until(lambda: watch.personal_token(2) != bert)
    assert watch.personal_token(1) != anna


def test_a_lost_connection_renews_every_token(client_and_watch):
    _, watch = client_and_watch
    anna = watch.personal_token(1)
    watch._close()  # (as when Redis goes away; the next request connects anew)
    assert watch.personal_token(1) not in (None, anna)


def test_without_redis_nothing_personal_is_kept():
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.05)
    assert VersionWatch(client, ("test:watched-version",)).personal_token(1) is None
