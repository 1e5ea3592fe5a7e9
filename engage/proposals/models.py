"""Proposals, their supports and the public history of every change."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.core.moderation import ModeratedMixin
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.organisation.models import District
from engage.processes.models import Process


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_IMPLEMENTATION = "in_implementation"
    IMPLEMENTED = "implemented"
    EVALUATED = "evaluated"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.SUBMITTED: _l("Submitted"),
    ProposalStatus.UNDER_REVIEW: _l("Under review"),
    ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.REJECTED: _l("Rejected"),
    ProposalStatus.IN_IMPLEMENTATION: _l("In implementation"),
    ProposalStatus.IMPLEMENTED: _l("Implemented"),
    ProposalStatus.EVALUATED: _l("Evaluated"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
}

CATEGORIES = {
    "green": _l("Green spaces and environment"),
    "mobility": _l("Mobility and traffic"),
    "social": _l("Social affairs and neighbourhood"),
    "education": _l("Education and culture"),
    "other": _l("Other"),
}


class Proposal(ModeratedMixin, db.Model):
    """An idea framed by the effect it should have, and how that effect would be measured."""

    __table_args__ = (
        CheckConstraint("support_count >= 0", name="support_count_not_negative"),
        CheckConstraint(
            "status IN ('draft', 'submitted', 'under_review', 'accepted', 'rejected', "
            "'in_implementation', 'implemented', 'evaluated', 'withdrawn')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    problem: Mapped[str] = mapped_column(Text)
    idea: Mapped[str] = mapped_column(Text)
    intended_outcome: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[str] = mapped_column(String(100), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    category: Mapped[str] = mapped_column(String(30), default="other", index=True)
    cost_estimate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.DRAFT.value, index=True)
    support_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    qualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    official_response: Mapped[str | None] = mapped_column(Text)
    # The measured result once implemented: value of the indicator and a short evaluation.
    measured_value: Mapped[str | None] = mapped_column(String(100))
    evaluation: Mapped[str | None] = mapped_column(Text)
    result_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    process: Mapped[Process] = relationship(lazy="joined")
    # Authors come in one extra query per page: joining 100,000 users would defeat LIMIT.
    author: Mapped[User] = relationship(lazy="selectin")
    district: Mapped[District | None] = relationship(lazy="joined")
    # Loaded only where shown (the detail page), not for every proposal of a list.
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", order_by="ProposalEvent.id"
    )

    @property
    def status_label(self) -> str:
        return ProposalStatus(self.status).label

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, CATEGORIES["other"]))

    @property
    def is_qualified(self) -> bool:
        return self.qualified_at is not None

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


class ProposalEvent(db.Model):
    """One change of a proposal's state: who, when, from what to what, and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")


class Support(db.Model):
    """One supporter of one proposal; the database refuses a second one."""

    # The unique constraint's index leads with proposal_id: it serves lookups by proposal too.
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_support_proposal_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Rating(db.Model):
    """How well an implemented proposal worked, in the eyes of one supporter (1 to 5)."""

    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id", name="uq_rating_proposal_user"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
