"""Who follows what, and what they were told."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.boards.dialogue_models import Thread
from engage.boards.models import Announcement
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.moderation.models import ModerationDecision
from engage.processes.models import Process
from engage.proposals.models import Proposal
from engage.volunteering.models import Shift


class Follow(db.Model):
    """A user follows a thread, a proposal or a whole process (exactly one of them)."""

    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN thread_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN process_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_subject",
        ),
        UniqueConstraint("user_id", "proposal_id", name="uq_follow_user_proposal"),
        UniqueConstraint("user_id", "thread_id", name="uq_follow_user_thread"),
        UniqueConstraint("user_id", "process_id", name="uq_follow_user_process"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), index=True
    )
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NotificationKind(enum.StrEnum):
    REPLY = "reply"
    OFFICIAL_ANSWER = "official_answer"
    NEW_THREAD = "new_thread"
    THREAD_CLOSED = "thread_closed"
    NEW_ANNOUNCEMENT = "new_announcement"
    PROPOSAL_CHANGED = "proposal_changed"
    PROPOSAL_COMMENT = "proposal_comment"
    MODERATION_DECISION = "moderation_decision"  # to the author: hidden, restored …
    APPEAL_DECIDED = "appeal_decided"  # to the author: the appeal was answered
    AUTO_HIDDEN = "auto_hidden"  # to moderators: enough reports hid an item
    SHIFT_PLACE = "shift_place"  # to a volunteer: a place freed up for them on the waiting list
    SHIFT_CHANGED = "shift_changed"  # to volunteers: their shift's time or place changed
    SHIFT_CANCELLED = "shift_cancelled"  # to volunteers: their shift was called off


class Notification(db.Model):
    """Something happened that a user follows; read in-app, mailed as the user prefers."""

    __table_args__ = (
        # One notification per user and event, however many follows lead there.
        UniqueConstraint("user_id", "event_key", name="uq_notification_user_event"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    event_key: Mapped[str] = mapped_column(String(80))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("thread.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE")
    )
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_decision.id", ondelete="CASCADE")
    )
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    thread: Mapped[Thread | None] = relationship(lazy="joined")
    process: Mapped[Process | None] = relationship(lazy="joined")
    announcement: Mapped[Announcement | None] = relationship(lazy="joined")
    proposal: Mapped[Proposal | None] = relationship(lazy="joined")
    decision: Mapped[ModerationDecision | None] = relationship(lazy="joined")
    shift: Mapped[Shift | None] = relationship(lazy="joined", innerjoin=False)
