"""The benchmark city builds on both databases, and check-consistency finds counter drift."""

from __future__ import annotations

from sqlalchemy import func, select, update

from engage.extensions import db
from engage.proposals.models import Proposal, Support


def test_a_small_bench_city_has_consistent_counters(runner):
    result = runner.invoke(args=["seed-bench", "--scale", "0.01"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Support)) == 10_000
    top = db.session.get(Proposal, 1)
    assert top.support_count == db.session.scalar(
        select(func.count()).where(Support.proposal_id == 1)) > 100  # fmt: skip
    assert top.comment_count == 500  # the long proposal page of the benchmark
    result = runner.invoke(args=["check-consistency"])
    assert result.exit_code == 0 and "match" in result.output
    assert runner.invoke(args=["seed-bench", "--scale", "0.01"]).exit_code == 1  # not empty


def test_check_consistency_reports_a_drifted_counter(runner):
    assert runner.invoke(args=["seed-bench", "--scale", "0.01"]).exit_code == 0
    db.session.execute(update(Proposal).where(Proposal.id == 7).values(support_count=0))
    db.session.commit()
    result = runner.invoke(args=["check-consistency"])
    assert result.exit_code == 1
    assert "proposal 7: support_count is 0" in result.output
