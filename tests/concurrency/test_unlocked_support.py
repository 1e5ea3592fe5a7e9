"""A support read unlocked (PostgreSQL, with the kept user): one read and one guarded write,
and a proposal changed in between gets no support but the usual answer for its new state."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, update

from engage.extensions import db
from engage.proposals import services as proposals
from engage.proposals.models import Proposal, Support
from tests.conftest import needs_redis, post_form, with_empty_redis

pytestmark = needs_redis
UNLOCKED_READ = (
    "SELECT proposal.id, proposal.process_id, proposal.author_id, "
    "proposal.district_id, proposal.status, proposal.moderation_status FROM"
)
GUARD = "proposal.moderation_status IS NOT DISTINCT FROM"


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


@pytest.fixture
def open_proposals(app, town):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the unlocked read and its guarded write are PostgreSQL's")
    first, proposal = (
        proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
            title=title, problem="Keine Bank.", idea="Eine Bank.",
            intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)
        for title in ("Bank am Spielplatz", "Bank am Teich")
    )  # fmt: skip
    db.session.commit()
    return first.id, proposal.id


def _log_in_and_keep(client, auth, first_id: int) -> None:
    """Log in, and support another proposal of the process first: the worker then keeps the
    user and the process (until one of them changes), as it does once it has served a few
    requests; without them, the support loads them in a transaction and takes the locked way."""
    auth.login("nachbar@example.org")
    page = f"/proposals/{first_id}"
    client.get(page)
    post_form(client, page, action=f"{page}/support", intent="support")


def _statements_of(app, action):
    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return response, seen


def _supports(proposal_id: int) -> tuple[int, int]:
    db.session.expire_all()
    rows = db.session.scalar(
        select(func.count()).select_from(Support).where(Support.proposal_id == proposal_id)
    )
    return rows, db.session.get(Proposal, proposal_id).support_count


def test_a_support_is_one_read_and_one_write(app, client, auth, open_proposals, runner):
    first, open_proposal = open_proposals
    _log_in_and_keep(client, auth, first)
    page = f"/proposals/{open_proposal}"
    response, statements = _statements_of(app, lambda: post_form(
        client, page, action=f"{page}/support", intent="support"))  # fmt: skip
    assert response.status_code == 302
    # (the GET of post_form renders the page; the POST's own two come last)
    read, write = statements[-2:]
    assert read.startswith(UNLOCKED_READ) and "FOR" not in read
    assert write.startswith("WITH new_support AS") and GUARD in write
    assert _supports(open_proposal) == (1, 1)
    # (the write raised the page's version: the kept page shows the new count)
    assert 'class="support-count"><strong>1</strong>' in client.get(page).get_data(as_text=True)
    result = runner.invoke(args=["check-consistency"])
    assert "All counters match" in result.output, result.output


def test_supporting_twice_and_toggling_take_the_locked_way(app, client, auth, open_proposals):
    first, open_proposal = open_proposals
    _log_in_and_keep(client, auth, first)
    page = f"/proposals/{open_proposal}"
    for _ in range(2):
        post_form(client, page, action=f"{page}/support", intent="support")
    assert _supports(open_proposal) == (1, 1)
    post_form(client, page, action=f"{page}/support")  # (no intent: the form toggles)
    assert _supports(open_proposal) == (0, 0)


def test_a_proposal_hidden_after_the_support_read_it_gets_no_support(
    app, client, auth, open_proposals
):
    """A moderator hides the proposal between the support's unlocked read (which saw it
    visible) and its write: the write finds it changed, the locked read sees it hidden, and
    the citizen gets the page's 404 instead of a support on a hidden proposal."""
    first, open_proposal = open_proposals
    _log_in_and_keep(client, auth, first)
    page = f"/proposals/{open_proposal}"
    token_page = client.get(page)
    with app.app_context():
        engine = db.engine

    hidden = []

    def hide_after_the_read(conn, cursor, statement, *args):
        if not hidden and " ".join(statement.split()).startswith(UNLOCKED_READ):
            hidden.append(True)
            with engine.begin() as other:
                other.execute(update(Proposal).where(Proposal.id == open_proposal)
                              .values(moderation_status="hidden"))  # fmt: skip

    from tests.conftest import csrf_from

    event.listen(engine, "after_cursor_execute", hide_after_the_read)
    try:
        response, written = _statements_of(app, lambda: client.post(f"{page}/support", data={
            "csrf_token": csrf_from(token_page), "intent": "support"}))  # fmt: skip
    finally:
        event.remove(engine, "after_cursor_execute", hide_after_the_read)
    assert hidden  # (the quick way was taken, and the proposal hidden after its read)
    assert any(GUARD in statement for statement in written)
    assert response.status_code == 404
    assert _supports(open_proposal) == (0, 0)
