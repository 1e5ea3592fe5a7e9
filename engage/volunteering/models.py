"""Offers (Mitmach-Angebote), their shifts (Einsätze) and the sign-ups."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.core.moderation import ModeratedMixin
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes.models import Process
from engage.proposals.models import Proposal


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    SignupStatus.CONFIRMED: _l("has a place"),
    SignupStatus.WAITLISTED: _l("on the waiting list"),
    SignupStatus.CANCELLED: _l("cancelled"),
    SignupStatus.ATTENDED: _l("came"),
    SignupStatus.NO_SHOW: _l("did not come"),
}

ACTIVE = (SignupStatus.CONFIRMED.value, SignupStatus.WAITLISTED.value)


class ServiceOffer(ModeratedMixin, db.Model):
    """A service citizens help deliver, owned by a department."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text)
    requirements: Mapped[str] = mapped_column(Text, default="")
    min_age: Mapped[int | None] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"), index=True)
    # The accepted proposal this service grew from (co-design leading to co-production).
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="SET NULL"), index=True
    )
    place: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    hour_value: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")
    process: Mapped[Process | None] = relationship(lazy="joined")
    proposal: Mapped[Proposal | None] = relationship(lazy="joined")
    # Loaded on use (one query on an offer's page); lists of offers never need every shift.
    shifts: Mapped[list[Shift]] = relationship(back_populates="offer", order_by="Shift.starts_at")


class Shift(db.Model):
    """One date of an offer, with its place and number of places."""

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("service_offer.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")

    @property
    def length_hours(self) -> Decimal:
        """The shift's length, the default for the hours a volunteer is credited."""
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / 3600).quantize(Decimal("0.01"))

    offer: Mapped[ServiceOffer] = relationship(back_populates="shifts")


class Signup(db.Model):
    """A volunteer's place on a shift: confirmed, waiting, cancelled, attended or no-show."""

    __table_args__ = (
        UniqueConstraint("shift_id", "user_id", name="uq_signup_shift_user"),
        CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show')",
            name="status_known",
        ),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Waiting-list order: the moment of (re)joining; ties by id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attendance_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shift: Mapped[Shift] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")
