"""Logged-in proposal and thread pages are kept whole, layout included, for everyone whose
switches and layout read the same (fragments.kept_page): each user still gets their own
CSRF token, their own id, their messages, notices and unread count."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered

from engage.accounts import services as accounts
from engage.boards import dialogue_services as dialogue
from engage.core import version_watch
from engage.extensions import db
from engage.proposals import services as proposals
from tests.conftest import AuthActions, needs_redis, with_empty_redis

pytestmark = needs_redis
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
OWNER_RE = re.compile(r'data-draft-owner="([^"]*)"')


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


@pytest.fixture(autouse=True)
def _watched(monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)


@pytest.fixture
def proposal(town):
    made = proposals.save_proposal(town["staff"], town["voting"], proposals.ProposalData(
        title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
        intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    return made


@contextmanager
def rendered(app):
    """The names of the templates rendered while the block runs."""
    names: list[str] = []

    def note(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(note, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(note, app)


def _browser(app, email: str):
    browser = app.test_client()
    AuthActions(browser).login(email)
    browser.get("/")  # (shows the log-in's message)
    return browser


def _get(browser, path: str) -> str:
    answer = browser.get(path)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_a_second_reader_with_the_same_switches_gets_the_kept_page_with_their_own_token_and_id(
    app, town, make_user, proposal
):
    make_user(email="zweite@example.org")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    path = f"/proposals/{proposal.id}"
    page_one = _get(first, path)
    with rendered(app) as templates:
        page_two = _get(second, path)
    assert templates == []  # (served whole, no template rendered)
    tokens_one, tokens_two = set(TOKEN_RE.findall(page_one)), set(TOKEN_RE.findall(page_two))
    assert len(tokens_one) == len(tokens_two) == 1 and tokens_one != tokens_two
    owners = OWNER_RE.findall(page_one) + OWNER_RE.findall(page_two)
    second_id = accounts.find_by_email("zweite@example.org").id
    assert owners == [str(town["citizen"].id), str(second_id)]
    strip = lambda page: OWNER_RE.sub("", TOKEN_RE.sub("", page))  # noqa: E731
    assert strip(page_one) == strip(page_two)
    # The second reader's token is their own: their support counts.
    answer = second.post(f"{path}/support", data={"csrf_token": tokens_two.pop(),
                                                    "intent": "support"})  # fmt: skip
    assert answer.status_code == 302
    assert "Unterstützung zurückziehen" in _get(second, path)
    assert "Unterstützung zurückziehen" not in _get(first, path)


def test_readers_of_each_language_get_the_page_kept_in_their_own(app, town, make_user, proposal):
    make_user(email="english@example.org", locale="en")
    make_user(email="zweite@example.org")
    german, english = _browser(app, "buerger@example.org"), _browser(app, "english@example.org")
    second_german = _browser(app, "zweite@example.org")
    path = f"/proposals/{proposal.id}"
    assert '<html lang="de"' in _get(german, path)
    assert '<html lang="en"' in _get(english, path)
    with rendered(app) as templates:
        assert '<html lang="de"' in _get(second_german, path)
    assert templates == []  # (the German reader's page, kept)


def test_a_message_shows_once_on_the_page_after_a_press_and_not_on_the_kept_one(
    app, town, proposal
):
    reader = _browser(app, "buerger@example.org")
    path = f"/proposals/{proposal.id}"
    token = TOKEN_RE.search(_get(reader, path)).group(1)
    reader.post(f"{path}/support", data={"csrf_token": token, "intent": "support"})
    with_message = _get(reader, path)
    assert "Danke für Ihre Unterstützung" in with_message
    again = _get(reader, path)
    assert "Danke für Ihre Unterstützung" not in again
    assert "Unterstützung zurückziehen" in again


def test_the_unread_count_and_the_account_notices_are_each_readers_own(
    app, town, make_user, proposal
):
    make_user(email="ungelesen@example.org")
    plain, unverified = _browser(app, "buerger@example.org"), _browser(app, "neu@example.org")
    path = f"/proposals/{proposal.id}"
    assert "count-badge" not in _get(plain, path)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse, um mitzumachen" in _get(unverified, path)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse, um mitzumachen" not in _get(plain, path)
    thread = dialogue.open_thread(town["citizen"], "Frage zur Bank", "Text", town["dialogue"])
    db.session.commit()
    dialogue.reply(thread, town["neighbour"], "Eine Antwort für Bernd")  # (a notification)
    db.session.commit()
    badge = re.compile(r'class="count-badge">1<')
    assert badge.search(_get(plain, path))
    other = _browser(app, "ungelesen@example.org")
    assert not badge.search(_get(other, path))


def test_thread_pages_are_kept_whole_too(app, town, make_user):
    make_user(email="zweite@example.org")
    thread = dialogue.open_thread(town["neighbour"], "Frage zur Bank", "Text", town["dialogue"])
    db.session.commit()
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    path = f"/dialogue/{thread.id}"
    page_one = _get(first, path)
    with rendered(app) as templates:
        page_two = _get(second, path)
    assert templates == []
    assert OWNER_RE.findall(page_one) != OWNER_RE.findall(page_two)
    assert set(TOKEN_RE.findall(page_one)) != set(TOKEN_RE.findall(page_two))


def test_the_author_of_a_thread_reads_its_page_after_others_kept_it(app, town, make_user):
    """(The kept thread holds its author: rendered for that author, the session had the
    author twice, the reader and the thread's, and the page failed.)"""
    make_user(email="zweite@example.org")
    thread = dialogue.open_thread(town["citizen"], "Bernds Frage", "Text", town["dialogue"])
    db.session.commit()
    author, other = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    path = f"/dialogue/{thread.id}"
    assert "Bernds Frage" in _get(other, path)
    page = _get(author, path)
    assert "Bernds Frage" in page and f"/dialogue/{thread.id}/edit" in page


def test_a_reply_on_another_page_of_the_thread_leaves_this_page_kept_for_its_author(
    app, town, make_user
):
    make_user(email="zweite@example.org")
    thread = dialogue.open_thread(town["neighbour"], "Lange Diskussion", "Text", town["dialogue"])
    for number in range(dialogue.REPLIES_PER_PAGE):
        dialogue.reply(thread, town["neighbour"], f"Beitrag {number}")
    db.session.commit()
    own = dialogue.reply(thread, town["citizen"], "Bernd auf Seite zwei")  # (the 51st: page 2)
    db.session.commit()
    author, other = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    path = f"/dialogue/{thread.id}"
    first_page = _get(other, path)
    with rendered(app) as templates:
        authors_first_page = _get(author, path)
    assert templates == []  # (the page the other reader was given: nothing of Bernd's on it)
    strip = lambda page: OWNER_RE.sub("", TOKEN_RE.sub("", page))  # noqa: E731
    assert strip(authors_first_page) == strip(first_page)
    second_page = _get(author, f"{path}?page=2")
    assert f"/dialogue/replies/{own.id}/edit" in second_page  # (his own reply: his buttons)
    # (his page 2 is made of what is kept of it: its replies and pages as everyone's)
    assert f'href="{path}?page=1"' in second_page and 'aria-current="page">2<' in second_page
    assert "Beitrag 0" not in second_page and "Bernd auf Seite zwei" in second_page
    assert f"/dialogue/replies/{own.id}/edit" not in _get(other, f"{path}?page=2")


def test_a_reader_with_a_reply_on_the_page_gets_the_other_trees_as_kept_for_everyone(
    app, town, make_user, monkeypatch
):
    """Only the tree holding Bernd's reply is loaded and rendered for him; the other
    top-level replies with their answers are the fragments kept for every reader."""
    make_user(email="zweite@example.org")
    thread = dialogue.open_thread(town["neighbour"], "Lange Diskussion", "Text", town["dialogue"])
    first = dialogue.reply(thread, town["neighbour"], "Erster Beitrag")
    dialogue.reply(thread, town["staff"], "Antwort auf den ersten", parent=first)
    second = dialogue.reply(thread, town["neighbour"], "Zweiter Beitrag")
    own = dialogue.reply(thread, town["citizen"], "Bernds Antwort", parent=second)
    db.session.commit()
    first_id, second_id, own_id = first.id, second.id, own.id
    author, other = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    path = f"/dialogue/{thread.id}"
    others_page = _get(other, path)
    trees_loaded: list[list[int]] = []
    load = dialogue.replies_below

    def noted(roots, viewer=None):
        trees_loaded.append([c.id for c in roots])
        return load(roots, viewer)

    monkeypatch.setattr(dialogue, "replies_below", noted)
    page = _get(author, path)
    assert trees_loaded == [[second_id]]  # his tree only
    assert f"/dialogue/replies/{own_id}/edit" in page  # his reply, with his buttons
    strip = lambda text: OWNER_RE.sub("", TOKEN_RE.sub("", text))  # noqa: E731
    kept = re.search(rf'<li>\s*<article id="c{first_id}".*?</li>', strip(others_page), re.S)
    assert kept and "Antwort auf den ersten" in kept.group(0)
    assert kept.group(0) in strip(page)  # the other tree as everyone sees it


def test_a_reader_with_a_reply_on_the_page_after_a_write_costs_the_same_queries(
    app, town, make_user
):
    """After a write nothing of the page is kept: its trees are rendered for Bernd and kept
    again, loaded together, not one query per tree (as many for 2 other trees as for 9)."""
    from engage.core import fragments
    from tests.perf.test_query_counts import counted

    author = _browser(app, "buerger@example.org")

    def statements_for(others: int) -> int:
        thread = dialogue.open_thread(town["neighbour"], "Diskussion", "Text", town["dialogue"])
        for number in range(others):
            top = dialogue.reply(thread, town["neighbour"], f"Beitrag {number}")
            dialogue.reply(thread, town["staff"], f"Antwort {others}-{number}", parent=top)
        own = dialogue.reply(thread, town["citizen"], "Bernds Beitrag")
        db.session.commit()
        own_id, path = own.id, f"/dialogue/{thread.id}"
        _get(author, path)
        fragments.store.clear()  # (as after a write: nothing of the page kept)
        with counted() as statements:
            page = _get(author, path)
        assert f"/dialogue/replies/{own_id}/edit" in page
        assert all(f"Antwort {others}-{number}" in page for number in range(others))
        return len([s for s in statements if "FROM comment" in s])

    assert statements_for(2) == statements_for(9)


def test_a_reply_waiting_for_approval_shows_to_its_author_on_the_kept_thread_page(
    app, town, make_user
):
    from engage.core.moderation import ContentStatus

    make_user(email="zweite@example.org")
    thread = dialogue.open_thread(town["neighbour"], "Frage zur Bank", "Text", town["dialogue"])
    dialogue.reply(thread, town["neighbour"], "Eine sichtbare Antwort")
    waiting = dialogue.reply(thread, town["citizen"], "Bernds Antwort in Prüfung")
    waiting.moderation_status = ContentStatus.PENDING.value
    db.session.commit()
    author, other = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    path = f"/dialogue/{thread.id}"
    assert "Bernds Antwort in Prüfung" not in _get(other, path)
    assert "Bernds Antwort in Prüfung" in _get(author, path)


def test_the_proposal_list_is_kept_whole_and_a_new_proposal_shows_at_once(
    app, town, make_user, proposal
):
    make_user(email="zweite@example.org")
    first, second = _browser(app, "buerger@example.org"), _browser(app, "zweite@example.org")
    assert "Bank am Teich" in _get(first, "/proposals")
    with rendered(app) as templates:
        listing = _get(second, "/proposals")
    assert templates == []
    assert OWNER_RE.findall(listing) == [str(accounts.find_by_email("zweite@example.org").id)]
    proposals.save_proposal(town["neighbour"], town["voting"], proposals.ProposalData(
        title="Zweite Bank", problem="P", idea="I", intended_outcome="W", indicator="Z"),
        submit=True)  # fmt: skip
    db.session.commit()
    assert "Zweite Bank" in _get(second, "/proposals")


def test_a_kept_page_is_rendered_again_a_minute_after_its_oldest_part(app, town, proposal):
    """Some content changes with the clock alone (phases, edit windows): like the fragments it
    is made of, a page is kept for a minute from its oldest part, and in a store of its own."""
    from engage.core import fragments

    reader = _browser(app, "buerger@example.org")
    path = f"/proposals/{proposal.id}"
    _get(reader, path)
    [page] = [v for k, v in fragments.page_store.items.items() if proposal.id in k[1]]
    assert not any(isinstance(v, fragments._KeptPage) for v in fragments.store.items.values())
    with rendered(app) as templates:
        _get(reader, path)
    assert templates == []
    page.since -= fragments.TTL_SECONDS
    with rendered(app) as templates:
        _get(reader, path)
    assert templates == ["proposals/detail.html"]
