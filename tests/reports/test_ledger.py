"""The participation ledger stays equal to its sources through every kind of write."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, text

from engage.boards import dialogue_services as dialogue
from engage.boards.dialogue_models import Comment, Thread
from engage.extensions import db
from engage.moderation import services as moderation
from engage.proposals import services as proposals
from engage.proposals.models import Support
from engage.reports import figures, ledger
from engage.reports.models import Participation, ParticipationChange, ParticipationPeople
from engage.reports.scope import ReportScope
from engage.volunteering.models import Signup

CITY = ReportScope()


# Filtered, yet everything: counted from the ledger, not from the figures kept for the city.
ALL_TIME = ReportScope(since=date(2000, 1, 1))


def _step(expected_counts: dict[str, int], participants: int) -> None:
    db.session.commit()
    assert ledger.drift() == []
    counts = figures.counts(CITY)
    assert {k: counts[k] for k in expected_counts} == expected_counts
    assert figures.participants(CITY) == participants
    for figure in (figures.counts, figures.participants, figures.over_time,
                   lambda s: figures.breakdown(s, "district"),
                   lambda s: figures.breakdown(s, "process")):  # fmt: skip
        assert figure(CITY) == figure(ALL_TIME)


def test_the_ledger_follows_posts_moderation_supports_roles_and_processes(city):
    people = city["people"]
    _step({"threads": 3, "replies": 3, "supports": 5, "signups": 2}, 7)
    reply_of_d = db.session.scalar(select(Comment).where(Comment.author_id == people["d"].id))
    moderation.auto_hide(reply_of_d)  # an UPDATE statement, not a flush
    _step({"replies": 2}, 7)  # d still supports the bike proposal
    proposals.withdraw_support(city["bike"], people["f"])  # a DELETE statement
    _step({"supports": 4}, 7)  # f still replied
    people["c"].role = "staff"  # staff answering is their job: c no longer counts as a person
    _step({"threads": 3, "supports": 4}, 6)
    people["c"].role = "citizen"
    _step({"threads": 3}, 7)
    city["voting"].district_id = None  # the process moves out of the district
    nord = ReportScope(district_id=city["nord"].id)
    _step({"proposals": 2}, 7)
    assert figures.counts(nord)["proposals"] == 0 and figures.counts(nord)["supports"] == 0
    signup = db.session.scalar(select(Signup).where(Signup.user_id == people["b"].id))
    signup.status = "cancelled"
    _step({"signups": 1}, 7)
    shift, today = signup.shift, signup.created_at.date()
    shift.ends_at += timedelta(days=400)
    shift.starts_at += timedelta(days=400)  # sign-ups count in the period of the shift
    _step({"signups": 1}, 7)
    assert figures.counts(ReportScope(until=today))["signups"] == 0
    assert figures.counts(ReportScope(since=today + timedelta(days=390)))["signups"] == 1
    thread = db.session.scalar(select(Thread).where(Thread.author_id == people["c"].id))
    dialogue.delete_post(thread)
    _step({"threads": 2}, 7)
    first = db.session.scalar(select(Thread).where(Thread.author_id == people["a"].id))
    dialogue.reply(first, people["g"], "Noch eine Antwort")
    _step({"replies": 3}, 7)


def test_an_insert_statement_through_the_session_reaches_the_ledger(city):
    g = city["people"]["g"]
    db.session.execute(insert(Support).values(proposal_id=city["bike"].id, user_id=g.id))
    _step({"supports": 6}, 7)


def test_a_support_that_returns_its_id_writes_just_its_own_row(city):
    """The lean support path (INSERT … RETURNING id) needs no search for rows without a
    ledger entry: a support missing from the ledger from before stays missing (drift that
    check-consistency reports), and the new one is written."""
    g, d = city["people"]["g"], city["people"]["d"]
    db.session.execute(delete(Participation).where(
        Participation.kind == "supports", Participation.user_id == d.id))  # fmt: skip
    db.session.commit()
    assert proposals.add_support(city["bike"], g)
    db.session.commit()
    rows = set(db.session.execute(select(Participation.kind, Participation.user_id)))
    assert ("supports", g.id) in rows
    assert ("supports", d.id) not in rows
    assert any("missing in the ledger" in line for line in ledger.drift())


def test_replies_leave_the_ledger_with_their_deleted_thread(city):
    first = db.session.scalar(select(Thread).where(Thread.author_id == city["people"]["a"].id))
    db.session.delete(first)  # the database deletes its replies with it
    db.session.commit()
    assert ledger.drift() == []
    assert figures.counts(CITY)["replies"] == 0


def test_check_consistency_names_ledger_drift_and_rebuild_repairs_it(runner, city):
    db.session.execute(delete(Participation).where(Participation.kind == "supports"))
    db.session.commit()
    result = runner.invoke(args=["check-consistency"])
    assert result.exit_code == 1
    assert "participation supports" in result.output and "missing" in result.output
    result = runner.invoke(args=["reports-rebuild"])
    assert result.exit_code == 0 and "rebuilt" in result.output
    assert runner.invoke(args=["check-consistency"]).exit_code == 0
    assert figures.counts(CITY)["supports"] == 5


def test_writes_only_log_changes_and_the_next_report_folds_them_in(city, make_user):
    """A support writes its ledger row and one log entry; the kept figures move when a
    whole-city report is next computed, and the log is empty after it."""
    everybody = select(ParticipationPeople.people).where(ParticipationPeople.dimension == "all")
    figures.counts(CITY)  # folds what the city's set-up logged
    assert db.session.scalar(select(func.count()).select_from(ParticipationChange)) == 0
    before = db.session.scalar(everybody)
    newcomer = make_user("citizen")
    assert proposals.add_support(city["bike"], newcomer)
    db.session.commit()
    logged = db.session.execute(select(ParticipationChange.user_id, ParticipationChange.kind,
                                       ParticipationChange.step)).all()  # fmt: skip
    assert logged == [(newcomer.id, "supports", 1)]
    assert db.session.scalar(everybody) == before  # not folded yet
    assert figures.participants(CITY) == before + 1
    assert db.session.scalar(select(func.count()).select_from(ParticipationChange)) == 0
    proposals.withdraw_support(city["bike"], newcomer)
    db.session.commit()
    assert figures.participants(CITY) == before
    assert ledger.drift() == []


def test_the_fold_command_empties_the_log_into_the_kept_figures(runner, city, make_user):
    """Run from cron, it folds what writes logged, so that no report waits for a long log."""
    everybody = select(ParticipationPeople.people).where(ParticipationPeople.dimension == "all")
    figures.counts(CITY)
    before = db.session.scalar(everybody)
    for _ in range(3):
        assert proposals.add_support(city["bike"], make_user("citizen"))
    db.session.commit()
    result = runner.invoke(args=["reports-fold"])
    assert result.exit_code == 0 and "Folded 3 logged change(s)" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ParticipationChange)) == 0
    assert db.session.scalar(everybody) == before + 3
    assert runner.invoke(args=["check-consistency"]).exit_code == 0
    assert "Folded 0" in runner.invoke(args=["reports-fold"]).output


def test_a_long_log_is_folded_in_batches(city, monkeypatch):
    """Changes are taken out of the log a batch at a time; the figures come out the same."""
    monkeypatch.setattr(ledger, "FOLD_BATCH", 2)
    assert db.session.scalar(select(func.count()).select_from(ParticipationChange)) > 2
    _step({"threads": 3, "replies": 3, "supports": 5, "signups": 2}, 7)
    assert db.session.scalar(select(func.count()).select_from(ParticipationChange)) == 0


def test_a_report_that_folds_and_commits_keeps_jit_off_for_the_rest(city, make_user):
    """Folding commits the kept figures mid-report; the report's remaining queries still run
    without PostgreSQL's JIT (SET LOCAL ends with a transaction)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    db.session.commit()
    assert proposals.add_support(city["bike"], make_user("citizen"))  # a change to fold in
    db.session.commit()
    # (A Core write notes itself for the page cache; without Redis no commit clears the note,
    # and this test's session outlives its requests. A noted write keeps the fold uncommitted.)
    db.session.info.pop("engage_changed", None)
    with figures.memo():
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
        figures.counts(CITY)  # folds, and commits the folded figures
        assert db.session.scalar(select(func.count()).select_from(ParticipationChange)) == 0
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
