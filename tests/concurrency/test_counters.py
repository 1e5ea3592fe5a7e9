"""Concurrent writes keep one support per person and counters that match their rows."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage.core.types import local_today
from engage.extensions import db
from engage.proposals import services as proposals
from engage.proposals.models import Proposal, Support


@pytest.fixture
def proposal(town):
    """A submitted proposal in a co-design phase (threshold 3)."""
    from engage.processes import services as processes
    from engage.processes.models import PhaseKind

    today = local_today()
    process = processes.create_process(town["admin"], processes.ProcessData(
        title="Schulwege", summary="x", body="", department_id=town["staff"].department_id,
        district_id=None, support_threshold=3, answer_deadline_days=14,
        phases=[processes.PhaseDates(PhaseKind.CODESIGN, today - timedelta(days=1),
                                     today + timedelta(days=20))],
    ))  # fmt: skip
    processes.publish_process(process, town["admin"])
    data = proposals.ProposalData(
        title="Zebrastreifen", problem="Gefährlich.", idea="Streifen malen.",
        intended_outcome="Sicher queren.", indicator="Unfälle", baseline="3", target="0",
    )  # fmt: skip
    proposal = proposals.save_proposal(town["citizen"], process, data, submit=True)
    db.session.commit()
    return proposal


def run_together(app, jobs) -> list[Exception]:
    """Run each job in its own thread and app context, all started at once; return errors."""
    errors: list[Exception] = []
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        with app.app_context():
            barrier.wait()
            try:
                job()
            except Exception as error:  # every failure is reported to the test
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    return errors


def _support(proposal_id: int, user_id: int, *, withdraw_first: bool = False):
    def job():
        from engage.accounts.models import User

        proposal, user = db.session.get(Proposal, proposal_id), db.session.get(User, user_id)
        proposals.add_support(proposal, user)
        db.session.commit()
        if withdraw_first:
            proposals.withdraw_support(proposal, user)
            db.session.commit()
            proposals.add_support(proposal, user)
            db.session.commit()

    return job


def test_fifty_concurrent_supports_by_one_user_leave_one(app, town, proposal):
    user_id = town["neighbour"].id
    errors = run_together(app, [_support(proposal.id, user_id) for _ in range(50)])
    assert errors == []
    supports = db.session.scalar(select(func.count()).select_from(Support))
    assert supports == 1 and db.session.get(Proposal, proposal.id).support_count == 1


def test_concurrent_supports_withdrawals_and_replies_leave_no_drift(app, runner, town, proposal,
                                                                    make_user):  # fmt: skip
    from engage.accounts.models import User
    from engage.boards import dialogue_services as dialogue
    from engage.boards.dialogue_models import Thread

    people = [make_user("citizen").id for _ in range(20)]
    thread = dialogue.open_thread(town["citizen"], "Licht am Weg", "Zu dunkel.", town["dialogue"])
    db.session.commit()

    def reply(user_id):
        def job():
            dialogue.reply(db.session.get(Thread, thread.id), db.session.get(User, user_id), "Ja.")
            db.session.commit()

        return job

    jobs = [_support(proposal.id, uid, withdraw_first=True) for uid in people]
    jobs += [_support(proposal.id, people[0]) for _ in range(10)]
    jobs += [reply(uid) for uid in people]
    assert run_together(app, jobs) == []

    stored = db.session.get(Proposal, proposal.id)
    assert stored.support_count == 20 and stored.qualified_at is not None
    assert db.session.get(Thread, thread.id).reply_count == 20
    result = runner.invoke(args=["check-consistency"])
    assert result.exit_code == 0 and "All counters match" in result.output, result.output


def test_a_support_and_its_counter_are_written_together_or_not_at_all(town, proposal):
    """The row and the counter share one transaction, so no other writer sees one alone.

    (A savepoint outside a transaction once committed the support row on its own on SQLite,
    and a concurrent withdrawal then found a row while the counter was still 0.)
    """
    user = town["neighbour"]
    assert proposals.add_support(proposal, user)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Support)) == 0
    assert db.session.get(Proposal, proposal.id).support_count == 0
    assert proposals.add_support(proposal, user)
    db.session.commit()
    assert proposals.withdraw_support(proposal, user)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Support)) == 1
    assert db.session.get(Proposal, proposal.id).support_count == 1


def test_figures_folded_while_people_support_match_a_fresh_count(app, runner, town, proposal,
                                                                 make_user):  # fmt: skip
    """Reports fold the logged ledger changes in while supports are written and withdrawn:
    a change committed during a fold is neither lost nor counted twice."""
    from engage.reports import ledger

    people = [make_user("citizen").id for _ in range(16)]
    db.session.commit()

    def fold():
        for _ in range(25):
            ledger.fold(db.session.connection())
            db.session.commit()

    jobs = [_support(proposal.id, uid, withdraw_first=True) for uid in people]
    jobs += [fold for _ in range(4)]
    assert run_together(app, jobs) == []
    result = runner.invoke(args=["check-consistency"])
    assert result.exit_code == 0 and "All counters match" in result.output, result.output


def test_a_support_while_its_proposal_moves_district_counts_in_the_new_district(
    app, runner, town, proposal, make_user
):
    """A support sent while staff move the proposal to another district (their change holds
    the proposal's row until it commits) waits for it, so that its report row names the new
    district: before, it was written with the old one and check-consistency found it stale."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the two cannot overlap")
    from engage.accounts.models import User
    from engage.organisation.models import District

    citizen_id = make_user("citizen").id
    south = District(name="Südstadt")
    db.session.add(south)
    db.session.commit()
    south_id, proposal_id = south.id, proposal.id
    moved, supporting = threading.Event(), threading.Event()

    def move():
        stored = db.session.get(Proposal, proposal_id)
        stored.district_id = south_id
        db.session.flush()  # the row is locked and its supports' report rows are rewritten
        moved.set()
        supporting.wait(5)
        time.sleep(0.3)  # (the support is under way meanwhile)
        db.session.commit()

    def support():
        moved.wait(5)
        supporting.set()
        found = proposals.proposal_for_support(proposal_id)
        proposals.add_support(found, db.session.get(User, citizen_id))
        db.session.commit()

    assert run_together(app, [move, support]) == []
    result = runner.invoke(args=["check-consistency"])
    assert result.exit_code == 0 and "All counters match" in result.output, result.output
