"""Counters kept on rows (supports, comments, replies) and the report's participation ledger
against the rows they are derived from. A reply counts while it is public and not deleted
(boards/reply_counts.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from engage.boards.dialogue_models import Comment, Thread
from engage.boards.reply_counts import counted
from engage.extensions import db
from engage.proposals.models import Proposal, Support


def drift(limit: int = 50) -> list[str]:
    """One line per row whose counter differs from the real count (at most limit lines)."""
    checks = [
        ("proposal", "support_count", Proposal, Proposal.support_count,
         select(func.count()).where(Support.proposal_id == Proposal.id)),
        ("proposal", "comment_count", Proposal, Proposal.comment_count,
         select(func.count()).where(Comment.proposal_id == Proposal.id, counted())),
        ("thread", "reply_count", Thread, Thread.reply_count,
         select(func.count()).where(Comment.thread_id == Thread.id, counted())),
    ]  # fmt: skip
    lines = []
    for name, column_name, model, counter, real in checks:
        real = real.scalar_subquery()
        rows = db.session.execute(
            select(model.id, counter, real).where(counter != real).order_by(model.id).limit(limit)
        )
        lines += [f"{name} {row_id}: {column_name} is {kept}, real {actual}"
                  for row_id, kept, actual in rows]  # fmt: skip
    from engage.reports.ledger import drift as ledger_drift

    lines += ledger_drift(limit)
    return lines[:limit]
