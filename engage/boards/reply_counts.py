"""The reply counters kept on threads and proposals count the replies a reader can read.

A reply counts while it is public and not deleted. A pending, hidden or deleted reply keeps its
place in the tree (so that the answers below it stay understandable) but is not one of the
"12 replies" a list or a page heading shows: before, they were, and a reader found fewer.
Every change of a reply's visibility goes through `changed`, and `check-consistency`
compares the counters with `counted()` over the rows.
"""

from __future__ import annotations

from sqlalchemy import and_, update

from engage.boards.dialogue_models import Comment, Thread
from engage.core.moderation import ContentStatus
from engage.extensions import db


def counts(item) -> bool:
    """Whether the item is a reply counted by its thread or proposal (False for any other
    kind of post, so that moderation can ask about whatever it decides on)."""
    return (isinstance(item, Comment) and item.moderation_status == ContentStatus.VISIBLE.value
            and item.deleted_at is None)  # fmt: skip


def counted():
    """SQL: the replies that count (see counts)."""
    return and_(Comment.moderation_status == ContentStatus.VISIBLE.value,
                Comment.deleted_at.is_(None))  # fmt: skip


def changed(item, counted_before: bool) -> None:
    """Move the counter of a reply's thread or proposal if its counting changed (no-op for
    other kinds of post)."""
    now = counts(item)
    if now != counted_before:
        add(item, 1 if now else -1)


def add(reply: Comment, step: int) -> None:
    """Move the counter of the reply's thread or proposal by step, in the database."""
    from engage.proposals.models import Proposal

    if reply.thread_id is not None:
        statement = update(Thread).where(Thread.id == reply.thread_id)
        statement = statement.values(reply_count=Thread.reply_count + step)
    else:
        statement = update(Proposal).where(Proposal.id == reply.proposal_id)
        statement = statement.values(comment_count=Proposal.comment_count + step)
    db.session.execute(statement)
