"""Flags (reports of content), moderation decisions and the authors' appeals."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db


class ContentKind(enum.StrEnum):
    """Every kind of user content that shares the moderation mixin."""

    THREAD = "thread"
    COMMENT = "comment"
    PROPOSAL = "proposal"
    OFFER = "offer"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    ContentKind.THREAD: _l("Discussion"),
    ContentKind.COMMENT: _l("Reply or comment"),
    ContentKind.PROPOSAL: _l("Proposal"),
    ContentKind.OFFER: _l("Volunteer offer"),
}


class Reason(enum.StrEnum):
    """Why content is reported or hidden (also the templates of moderators' reasons)."""

    SPAM = "spam"
    INSULT = "insult"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    Reason.SPAM: _l("Spam or advertising"),
    Reason.INSULT: _l("Insult or hostility"),
    Reason.OFF_TOPIC: _l("Off topic"),
    Reason.PERSONAL_DATA: _l("Personal data of others"),
    Reason.OTHER: _l("Other reason"),
}


class Action(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"  # flags dismissed, the content stays visible
    APPROVE = "approve"  # a pending post is published
    REJECT = "reject"  # a pending post is not published
    AUTO_HIDE = "auto_hide"  # enough users reported it


# Decisions that take content away from the public; their authors may appeal once.
APPEALABLE = (Action.HIDE.value, Action.REJECT.value)


def _known(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v.value}'" for v in values) + ")"


class Flag(db.Model):
    """One user's report of one item; the database refuses a second report of the same item."""

    __table_args__ = (
        UniqueConstraint("user_id", "content_type", "content_id", name="uq_flag_user_content"),
        CheckConstraint(_known("content_type", ContentKind), name="content_type_known"),
        CheckConstraint(_known("reason", Reason), name="reason_known"),
        Index("ix_flag_content", "content_type", "content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    content_type: Mapped[str] = mapped_column(String(20))
    content_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when a moderator decided about the item; open flags are the ones still counted.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def reason_label(self) -> str:
        return Reason(self.reason).label


class ModerationDecision(db.Model):
    """What a moderator (or the flag threshold) decided about one item, and why."""

    __table_args__ = (
        CheckConstraint(_known("content_type", ContentKind), name="content_type_known"),
        CheckConstraint(_known("action", Action), name="action_known"),
        Index("ix_moderation_decision_content", "content_type", "content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(20))
    content_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20), index=True)
    # None for automatic decisions (the flag threshold).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    reason_code: Mapped[str] = mapped_column(String(20), default=Reason.OTHER.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")

    @property
    def is_appealable(self) -> bool:
        return self.action in APPEALABLE

    @property
    def reason_label(self) -> str:
        return Reason(self.reason_code).label if self.reason_code in set(Reason) else ""

    @property
    def kind_label(self) -> str:
        return ContentKind(self.content_type).label


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    GRANTED = "granted"  # the content is published again
    REJECTED = "rejected"  # the decision stands


class Appeal(db.Model):
    """An author's objection to a decision; one per author and item, enforced by the database."""

    __table_args__ = (
        UniqueConstraint(
            "author_id", "content_type", "content_id", name="uq_appeal_author_content"
        ),
        CheckConstraint(_known("status", AppealStatus), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_decision.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    content_type: Mapped[str] = mapped_column(String(20))
    content_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=AppealStatus.OPEN.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answer: Mapped[str] = mapped_column(Text, default="")

    decision: Mapped[ModerationDecision] = relationship(lazy="joined")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN.value
