"""Dialogue: threads and their nested replies (one comment table, later shared by proposals)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.core.moderation import ModeratedMixin
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.organisation.models import Department
from engage.processes.models import Process

EDIT_WINDOW_MINUTES = 15
MAX_DEPTH = 2  # replies nest three levels: 0, 1, 2


class Thread(ModeratedMixin, db.Model):
    """A discussion opened by a citizen, in a process or in the city-wide dialogue."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("process.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(String(500))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The first official answer: who answered, when, and how long it took (for the council).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    answered_by_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    answer_seconds: Mapped[int | None] = mapped_column(Integer)

    # Authors come in one extra query per page: joining 100,000 users would defeat LIMIT.
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="selectin")
    process: Mapped[Process | None] = relationship(lazy="joined")
    answered_by_department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Comment(ModeratedMixin, db.Model):
    """A reply in a thread or on a proposal (exactly one); nested ones keep their root."""

    __table_args__ = (
        CheckConstraint("(thread_id IS NULL) <> (proposal_id IS NULL)", name="one_subject"),
        CheckConstraint("depth >= 0 AND depth <= 2", name="depth_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    # The top-level reply this one belongs to: one query loads a whole page of sub-trees.
    root_id: Mapped[int | None] = mapped_column(Integer, index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)

    # Authors come in one extra query per page: joining 100,000 users would defeat LIMIT.
    author: Mapped[User] = relationship(lazy="selectin")
    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reaction(db.Model):
    """A "helpful" mark on a reply: one per user and reply."""

    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_reaction_comment_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
