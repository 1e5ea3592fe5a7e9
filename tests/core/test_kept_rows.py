"""Kept rows revive as fresh objects: attached to the session, or detached until attached()."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from engage.core import kept_rows
from engage.extensions import db
from engage.proposals import services as proposals
from engage.proposals.models import Proposal


@pytest.fixture
def kept_proposal(town):
    """A snapshot of a submitted proposal with its process and phases, as the detail page keeps
    it, taken in an earlier request (the session is new)."""
    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
        intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    kept = kept_rows.snapshot(proposal, {"process": {"phases": {}}})
    db.session.remove()
    return kept


def test_a_detached_revival_reads_its_columns_and_kept_relations_without_the_session(
    app, town, kept_proposal
):
    proposal = kept_rows.revive(kept_proposal, attach=False)
    assert inspect(proposal).detached
    assert proposal not in db.session
    assert proposal.title == "Bank am Teich"
    assert proposal.process.title == town["voting"].title
    assert [phase.kind for phase in proposal.process.phases]  # kept with the process
    assert inspect(proposal.process).detached


def test_attached_puts_the_tree_in_the_session_and_what_was_not_kept_loads(
    app, town, kept_proposal
):
    proposal = kept_rows.attached(kept_rows.revive(kept_proposal, attach=False))
    assert inspect(proposal).persistent
    assert inspect(proposal.process).persistent  # (the session's cascade)
    assert proposal.author.display_name == town["citizen"].display_name  # loaded on access
    assert not db.session.dirty and not db.session.new  # revived as loaded: nothing to save


def test_attached_gives_the_sessions_own_object_when_the_row_was_loaded_meanwhile(
    app, kept_proposal
):
    revived = kept_rows.revive(kept_proposal, attach=False)
    loaded = db.session.get(Proposal, revived.id)
    assert kept_rows.attached(revived) is loaded
    assert kept_rows.revive(kept_proposal, attach=False) is loaded  # (the identity map first)


def test_an_attached_revival_saves_a_change_like_a_loaded_object(app, kept_proposal):
    proposal = kept_rows.revive(kept_proposal)
    assert inspect(proposal).persistent
    proposal_id, proposal.title = proposal.id, "Zwei Bänke am Teich"
    db.session.commit()
    db.session.remove()
    assert db.session.get(Proposal, proposal_id).title == "Zwei Bänke am Teich"


def test_attached_relates_the_tree_to_rows_the_session_holds_already(app, town):
    """A kept thread holds its author; the reader may be that author, loaded before."""
    from engage.accounts.models import User
    from engage.boards import dialogue_services as dialogue

    thread = dialogue.open_thread(town["citizen"], "Frage", "Text", town["dialogue"])
    db.session.commit()
    kept = kept_rows.snapshot(thread, {"author": {}, "process": {"phases": {}}})
    db.session.remove()
    revived = kept_rows.revive(kept, attach=False)
    reader = db.session.get(User, town["citizen"].id)  # (the logged-in author)
    shown = kept_rows.attached(revived)
    assert shown is revived and inspect(shown).persistent
    assert shown.author is reader and inspect(shown.process).persistent
