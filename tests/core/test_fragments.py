"""Logged-in pages share rendered fragments, but never a user's token or personal switches."""

from __future__ import annotations

import re

import pytest
import redis

from engage.core import fragments
from engage.extensions import db
from engage.proposals import services as proposals
from tests.conftest import TEST_REDIS_URL, AuthActions, needs_redis, post_form, with_empty_redis

pytestmark = needs_redis
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


@pytest.fixture
def discussed(town):
    """A proposal open for support with two comments, one of them by the neighbour."""
    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
        intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)  # fmt: skip
    first = proposals.comment(proposal, town["citizen"], "Gute Idee, Bernd hier.")
    own = proposals.comment(proposal, town["neighbour"], "Nina findet das auch.")
    db.session.commit()
    return proposal, first, own


def _logged_in(app, email: str):
    client = app.test_client()
    AuthActions(client).login(email)
    return client


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _fragments() -> set:
    """The kept comments and pages of replies (the header differs with the user's rights)."""
    kept = {key for key in fragments.store.items if key[1] == "replies"}
    return kept | _kept_comments()


def _kept_comments() -> set:
    return {key for key in fragments.row_store.items if key[1] == "comment"}


def test_each_user_gets_their_own_token_in_shared_fragments(app, town, discussed):
    proposal = discussed[0]
    # Logging in is a write (it raises the version): all log in before the pages are read.
    staff, admin = _logged_in(app, "umwelt@example.org"), _logged_in(app, "admin@example.org")
    first = _page(staff, f"/proposals/{proposal.id}")
    kept = _fragments()
    assert kept, "the comments were kept"
    second = _page(admin, f"/proposals/{proposal.id}")
    assert _fragments() == kept, "the second page came from the kept fragments"
    tokens_first, tokens_second = set(TOKEN_RE.findall(first)), set(TOKEN_RE.findall(second))
    assert len(tokens_first) == 1 and len(tokens_second) == 1
    assert tokens_first != tokens_second
    for html in [*fragments.store.items.values(), *fragments.row_store.items.values()]:
        assert not any(token in str(html) for token in tokens_first | tokens_second)
    # The token served from a kept fragment is valid for its user: a reply form works.
    response = post_form(admin, f"/proposals/{proposal.id}", body="Admin antwortet.",
                         action=f"/proposals/{proposal.id}/comments")  # fmt: skip
    assert response.status_code == 302


def test_personal_switches_are_not_shared(app, town, discussed):
    from engage.boards import dialogue_services as dialogue

    proposal, first, own = discussed
    path = f"/proposals/{proposal.id}"
    staff, author = _logged_in(app, "umwelt@example.org"), _logged_in(app, "nachbar@example.org")
    other, admin = _logged_in(app, "verkehr@example.org"), _logged_in(app, "admin@example.org")
    _page(staff, path)  # fills the store
    version = fragments.store.version
    mine = _page(author, path)
    # The author may delete her own comment; nobody else sees that button on it.
    assert f"/dialogue/replies/{own.id}/delete" in mine
    assert f"/dialogue/replies/{own.id}/delete" not in _page(other, path)
    assert f"/dialogue/replies/{first.id}/delete" not in mine
    assert fragments.store.version == version, "all pages were served in one version"
    # A helpful mark shows as pressed for the one who set it only.
    dialogue.toggle_helpful(first, town["staff"])
    db.session.commit()
    marked, unmarked = _page(staff, path), _page(admin, path)
    button = (f'action="/dialogue/replies/{first.id}/helpful"'
              r'[^>]*>\s*<input[^>]*>\s*<button[^>]*aria-pressed="{}"')  # fmt: skip
    assert re.search(button.format("true"), marked)
    assert re.search(button.format("false"), unmarked)


def test_a_change_shows_at_once_for_logged_in_users(app, town, discussed):
    proposal = discussed[0]
    reader = _logged_in(app, "umwelt@example.org")
    _page(reader, "/proposals")
    assert "Neuer Gedanke" not in _page(reader, f"/proposals/{proposal.id}")
    assert "Zweite Bank" not in _page(reader, "/proposals")
    proposals.comment(proposal, town["neighbour"], "Neuer Gedanke zur Bank.")
    proposals.save_proposal(town["neighbour"], town["voting"], proposals.ProposalData(
        title="Zweite Bank", problem="P", idea="I", intended_outcome="W", indicator="Z"),
        submit=True)  # fmt: skip
    db.session.commit()
    assert "Neuer Gedanke zur Bank." in _page(reader, f"/proposals/{proposal.id}")
    assert "Zweite Bank" in _page(reader, "/proposals")


def test_a_new_redis_epoch_drops_what_workers_kept(app, town, discussed):
    proposal = discussed[0]
    reader = _logged_in(app, "umwelt@example.org")
    _page(reader, f"/proposals/{proposal.id}")
    versions = {fragments.store.version}
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()  # Redis restarted empty: the count starts again
    _page(reader, f"/proposals/{proposal.id}")
    assert fragments.store.version not in versions


def test_logged_in_pages_served_from_fragments_need_few_queries(app, town, discussed):
    from engage.boards import dialogue_services as dialogue
    from tests.perf.test_query_counts import counted

    proposal = discussed[0]
    thread = dialogue.open_thread(town["citizen"], "Licht am Weg", "Zu dunkel.", town["dialogue"])
    dialogue.reply(thread, town["citizen"], "Ja, sehr dunkel.")
    db.session.commit()
    reader = _logged_in(app, "verkehr@example.org")
    # The user, the proposal (with process and phases), and in one query whether the user
    # supports, follows, rated or reported it or wrote, marked or reported a comment: the rest
    # of the page is kept. No comment, count, settings or unread query.
    for path, most in (("/proposals", 1), (f"/proposals/{proposal.id}", 3),
                       (f"/dialogue/{thread.id}", 5)):  # fmt: skip
        _page(reader, path)
        with counted() as statements:
            _page(reader, path)
        assert len(statements) <= most, (path, [" ".join(s.split())[:90] for s in statements])


def test_the_kept_proposal_page_shows_each_user_their_own_buttons(app, town, discussed):
    """The page below the header is one fragment per set of switches: supporting, following
    and being the author each change the key, so nobody sees another user's buttons."""
    from engage.notifications.services import follow

    proposal = discussed[0]
    path = f"/proposals/{proposal.id}"
    supporter, reader = (
        _logged_in(app, "umwelt@example.org"),
        _logged_in(app, "verkehr@example.org"),
    )
    author = _logged_in(app, "buerger@example.org")
    proposals.add_support(proposal, town["staff"])
    follow(town["staff"], proposal=proposal)
    db.session.commit()
    for client in (supporter, reader, author):
        _page(client, "/proposals")  # shows the log-in message
    first_reader = _page(reader, path)  # kept for every reader like this one
    theirs, again, own = _page(supporter, path), _page(reader, path), _page(author, path)
    assert again.replace(_token(again), "") == first_reader.replace(_token(first_reader), "")
    assert 'value="support"' in again and 'value="withdraw"' not in again
    assert 'value="withdraw"' in theirs and 'value="support"' not in theirs
    assert "Sie folgen – beenden" in theirs and "Sie folgen – beenden" not in again
    edit = f"/proposals/{proposal.id}/edit"
    assert edit in own and edit not in again and edit not in theirs
    # The reader's and the supporter's pages are kept; the author wrote a comment here, and
    # pages of people who wrote, marked or reported a comment are rendered for them alone.
    keys = {key for key in fragments.store.items if key[1] == "proposal-page"}
    assert len(keys) == 2


def _token(html: str) -> str:
    return TOKEN_RE.findall(html)[0]


def test_kept_replies_outlive_writes_elsewhere(app, town, discussed):
    """A reply's fragment is kept by the reply's own state: a support or a comment elsewhere
    (which renews the page) does not make the page render its replies again."""
    proposal = discussed[0]
    path = f"/proposals/{proposal.id}"
    reader = _logged_in(app, "verkehr@example.org")
    _page(reader, "/proposals")  # (shows the log-in message once)
    _page(reader, path)
    kept = {key: fragments.row_store.items[key] for key in _kept_comments()}
    assert len(kept) == 2
    content_version = fragments.store.version
    other = proposals.save_proposal(town["neighbour"], town["voting"], proposals.ProposalData(
        title="Zweite Bank", problem="P", idea="I", intended_outcome="W", indicator="Z"),
        submit=True)  # fmt: skip
    proposals.add_support(other, town["staff"])
    db.session.commit()
    _logged_in(app, "nachbar@example.org")  # (a log-in: the session record, the last log-in)
    _page(reader, path)
    assert fragments.store.version != content_version, "the writes renewed the page"
    assert {key: fragments.row_store.items[key] for key in _kept_comments()} == kept
    assert all(fragments.row_store.items[key] is html for key, html in kept.items())


def test_a_changed_reply_shows_at_once(app, town, discussed):
    """Whatever changes a reply, or the name of its author, shows on the next page."""
    from engage.accounts.models import User
    from engage.boards import dialogue_services as dialogue
    from engage.moderation import services as moderation

    proposal, first, own = discussed
    path = f"/proposals/{proposal.id}"
    reader = _logged_in(app, "verkehr@example.org")
    _page(reader, "/proposals")
    assert "Nina findet das auch." in _page(reader, path)
    dialogue.edit_post(db.session.get(type(own), own.id), "Nina findet das jetzt gut.")
    db.session.commit()
    assert "Nina findet das jetzt gut." in _page(reader, path)
    dialogue.toggle_helpful(db.session.get(type(first), first.id), town["neighbour"])
    db.session.commit()
    page = _page(reader, path)
    assert re.search(rf'action="/dialogue/replies/{first.id}/helpful".*?\(1\)', page, re.S)
    db.session.get(User, town["citizen"].id).display_name = "Bernd B."
    db.session.commit()
    assert f'id="c{first.id}-by" class="reply-author">Bernd B.<' in _page(reader, path)
    moderator = db.session.get(User, town["admin"].id)
    moderation.decide(moderator, db.session.get(type(first), first.id), "hide", "spam")
    db.session.commit()
    page = _page(reader, path)
    assert "Gute Idee, Bernd hier." not in page


def test_a_request_with_uncommitted_changes_in_any_session_uses_nothing_kept(app, town):
    from sqlalchemy.orm import Session

    with app.test_request_context("/"):
        assert not fragments.db_changed()
        town["citizen"].display_name = "Bernd B."
        db.session.flush()
        assert fragments.db_changed()
        db.session.rollback()
        assert not fragments.db_changed()
        with Session(db.engine) as other:  # (a session of its own, as a CLI task might open)
            other.get(type(town["citizen"]), town["citizen"].id).display_name = "Bernd C."
            other.flush()
            assert fragments.db_changed()
            other.commit()
        assert not fragments.db_changed()
        town["citizen"].display_name = "Bernd D."
        db.session.commit()
        assert not fragments.db_changed()


def test_a_write_noted_by_hand_ends_with_its_commit(app, town):
    """(A support on PostgreSQL bypasses the ORM and notes itself through db.session, the
    scoped session: its commit left the request "changed" and nothing kept was used.)"""
    from engage.core.pagecache import note_written

    with app.test_request_context("/"):
        db.session.get(type(town["citizen"]), town["citizen"].id)  # (a transaction to commit)
        note_written(db.session, "support", town["citizen"].id)
        assert fragments.db_changed()
        db.session.commit()
        assert not fragments.db_changed()
