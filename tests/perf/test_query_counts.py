"""No N+1: every list and detail page issues as many queries with 100 items as with 10."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from engage.boards import dialogue_services as dialogue
from engage.boards import services as boards
from engage.core.types import utcnow
from engage.extensions import db
from engage.proposals import services as proposals
from engage.volunteering import services as volunteering

# "About ten"; the home page gathers five lists, moderators get a badge (an admin's home page
# is the most: 16). With Redis, logged-in pages are cheaper still: they are served from
# fragments (tests/core/test_fragments.py counts those).
MAX_QUERIES = 16
MAX_REPORT_QUERIES = 32  # the dashboard: about two aggregate queries per figure, whatever the size
# The audit log: about ten, and one or two for each kind of target on the page (twelve kinds),
# whatever the number of entries.
MAX_AUDIT_LOG_QUERIES = 32


@contextmanager
def counted():
    """Count the SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _grow(town, make_user, n: int, state: dict) -> None:
    """Add items until every list and detail page shows n of each."""
    while state["count"] < n:
        i = state["count"]
        person = make_user("citizen")
        thread = dialogue.open_thread(person, f"Diskussion {i}", "Text", town["dialogue"])
        dialogue.reply(state["thread"] or thread, person, f"Antwort {i}")
        state["thread"] = state["thread"] or thread
        proposal = proposals.save_proposal(person, town["voting"], proposals.ProposalData(
            title=f"Vorschlag {i}", problem="P", idea="I", intended_outcome="W",
            indicator="Z"), submit=True)  # fmt: skip
        state["proposal"] = state["proposal"] or proposal
        proposals.add_support(state["proposal"], person)
        proposals.comment(state["proposal"], person, f"Kommentar {i}")
        boards.publish_announcement(town["staff"], boards.AnnouncementData(
            title=f"Mitteilung {i}", body="Neu", process_id=town["dialogue"].id))  # fmt: skip
        offer = volunteering.create_offer(town["staff"], volunteering.OfferData(
            title=f"Angebot {i}", description="Helfen",
            department_id=town["staff"].department_id))  # fmt: skip
        state["offer"] = state["offer"] or offer
        start = utcnow() + timedelta(days=1, hours=3 * i)
        volunteering.add_shifts(state["offer"], start, start + timedelta(hours=2), 3)
        volunteering.sign_up(volunteering.upcoming_shifts(limit=1)[0], person)
        state["count"] += 1
    db.session.commit()


PAGES = ["/", "/info", "/dialogue", "/dialogue/{thread}", "/proposals", "/proposals/{proposal}",
         "/volunteer", "/volunteer/{offer}", "/processes", "/processes/{process}",
         "/reports"]  # fmt: skip


def _queries(client, path: str) -> int:
    with counted() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "admin"])
def test_pages_issue_the_same_queries_for_10_and_100_items(client, auth, town, make_user,
                                                           logged_in):  # fmt: skip
    state = {"count": 0, "thread": None, "proposal": None, "offer": None}
    if logged_in:
        auth.login("admin@example.org")
    counts = {}
    for n in (10, 100):
        _grow(town, make_user, n, state)
        paths = [p.format(thread=state["thread"].id, proposal=state["proposal"].id,
                          offer=state["offer"].id, process=town["dialogue"].slug)
                 for p in PAGES if logged_in or p != "/reports"]  # fmt: skip
        counts[n] = {path: _queries(client, path) for path in paths}
    assert counts[10] == counts[100]
    reports = counts[100].pop("/reports", 0)
    assert max(counts[100].values()) <= MAX_QUERIES, counts[100]
    assert reports <= MAX_REPORT_QUERIES


def test_visitor_pages_open_no_session_so_that_they_can_be_cached(client, town, make_user):
    state = {"count": 0, "thread": None, "proposal": None, "offer": None}
    _grow(town, make_user, 2, state)
    for path in PAGES:
        if path == "/reports":
            continue
        path = path.format(thread=state["thread"].id, proposal=state["proposal"].id,
                           offer=state["offer"].id, process=town["dialogue"].slug)  # fmt: skip
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, path


def test_my_proposals_issue_the_same_queries_for_5_and_25(client, auth, town):
    auth.login("buerger@example.org")
    counts = []
    for n in (5, 25):
        while len(proposals.my_proposals(town["citizen"])) < n:
            i = len(proposals.my_proposals(town["citizen"]))
            proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
                title=f"Vorschlag {i}", problem="P", idea="I", intended_outcome="W",
                indicator="Z"), submit=i % 2 == 0)  # fmt: skip
        db.session.commit()
        counts.append(_queries(client, "/proposals/mine"))
    assert counts[0] == counts[1] <= MAX_QUERIES


def _log_more(town, make_user, moderator, n: int) -> None:
    """n more audit entries on each kind of target the log links (replies hidden and visible,
    proposals and their comments, offers, shifts, sign-ups, people)."""
    from engage.core import audit
    from engage.moderation import services as moderation

    staff = town["staff"]
    for i in range(n):
        person = make_user("citizen")
        thread = dialogue.open_thread(person, f"Diskussion {i}", "Text", town["dialogue"])
        shown = dialogue.reply(thread, person, f"Antwort {i}")
        hidden = dialogue.reply(thread, person, f"Werbung {i}")
        proposal = proposals.save_proposal(person, town["voting"], proposals.ProposalData(
            title=f"Vorschlag {i}", problem="P", idea="I", intended_outcome="W",
            indicator="Z"), submit=True)  # fmt: skip
        comment = proposals.comment(proposal, person, f"Kommentar {i}")
        offer = volunteering.create_offer(staff, volunteering.OfferData(
            title=f"Angebot {i}", description="Helfen",
            department_id=staff.department_id))  # fmt: skip
        start = utcnow() + timedelta(days=1, hours=3 * i)
        shift = volunteering.add_shifts(offer, start, start + timedelta(hours=2), 3)[0]
        signup = volunteering.sign_up(shift, person)
        # (A person other than the author: else the authors would all be loaded already.)
        for target in (thread, shown, proposal, comment, shift, signup, make_user("citizen")):
            audit.record("thread.close", actor=staff, target=target)
        moderation.decide(moderator, hidden, "hide", "spam")
    db.session.commit()


@pytest.mark.parametrize("reader", ["moderator", "admin"])
def test_the_audit_log_issues_the_same_queries_for_8_and_40_entries(client, auth, town,
                                                                   make_user, reader):  # fmt: skip
    """Every target's link and name come in a fixed number of queries (50 entries a page)."""
    moderator = make_user("moderator", email="mod@example.org")
    auth.login("mod@example.org" if reader == "moderator" else "admin@example.org")
    client.get("/moderation/audit")  # (the first page after logging in also notes the session)
    counts = []
    for n in (1, 5):  # (8 entries each, besides the town's 4: 12, then 44, all on page one)
        _log_more(town, make_user, moderator, n if not counts else n - 1)
        counts.append(_queries(client, "/moderation/audit"))
    assert counts[0] == counts[1] <= MAX_AUDIT_LOG_QUERIES, counts


def test_the_staff_overview_issues_the_same_queries_for_10_and_100_shifts_awaiting_attendance(
    client, auth, town, make_user
):
    """/volunteer/manage lists past shifts whose attendance is not recorded yet."""
    auth.login("umwelt@example.org")
    counts, made = [], 0
    for n in (10, 100):
        while made < n:
            offer = volunteering.create_offer(town["staff"], volunteering.OfferData(
                title=f"Angebot {made}", description="Helfen",
                department_id=town["staff"].department_id))  # fmt: skip
            start = utcnow() + timedelta(days=1, hours=3 * made)
            [shift] = volunteering.add_shifts(offer, start, start + timedelta(hours=2), 3)
            volunteering.sign_up(shift, make_user("citizen"))
            shift.starts_at -= timedelta(days=30)
            shift.ends_at -= timedelta(days=30)
            made += 1
        db.session.commit()
        with counted() as statements:
            response = client.get("/volunteer/manage")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("#roster-title") == min(n, 50)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= MAX_QUERIES
