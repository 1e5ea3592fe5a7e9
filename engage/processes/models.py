"""Participation processes and their ordered phases."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.organisation.models import Department, District


class PhaseKind(enum.StrEnum):
    """The kinds of phase, in the order a process runs through them."""

    INFORMATION = "information"
    DIALOGUE = "dialogue"
    CODESIGN = "codesign"
    VOTING = "voting"
    IMPLEMENTATION = "implementation"
    EVALUATION = "evaluation"

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self])

    @property
    def position(self) -> int:
        return list(PhaseKind).index(self)


PHASE_LABELS = {
    PhaseKind.INFORMATION: _l("Information"),
    PhaseKind.DIALOGUE: _l("Dialogue"),
    PhaseKind.CODESIGN: _l("Co-design"),
    PhaseKind.VOTING: _l("Voting"),
    PhaseKind.IMPLEMENTATION: _l("Implementation"),
    PhaseKind.EVALUATION: _l("Evaluation"),
}


class ProcessStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Process(db.Model):
    """A participation process: what is decided, by which department, where, and when."""

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint("support_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("answer_deadline_days >= 1", name="deadline_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProcessStatus.DRAFT.value, index=True)
    support_threshold: Mapped[int] = mapped_column(Integer, default=50)
    answer_deadline_days: Mapped[int] = mapped_column(Integer, default=30)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Pre-moderation: posts in this process wait for a moderator's approval.
    premoderated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())

    department: Mapped[Department] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")
    phases: Mapped[list[Phase]] = relationship(
        back_populates="process",
        order_by="Phase.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_published(self) -> bool:
        return self.status == ProcessStatus.PUBLISHED  # (a StrEnum: equal to its value)

    def current_phase(self, today: date) -> Phase | None:
        """The phase running today, else None (before the first or between phases)."""
        for phase in self.phases:
            if phase.starts_on <= today <= phase.ends_on:
                return phase
        return None

    def is_in_phase(self, kind: PhaseKind, today: date) -> bool:
        phase = self.current_phase(today)
        return phase is not None and phase.kind == kind

    def is_finished(self, today: date) -> bool:
        return bool(self.phases) and self.phases[-1].ends_on < today

    def next_phase(self, today: date) -> Phase | None:
        return next((p for p in self.phases if p.starts_on > today), None)

    def __str__(self) -> str:
        return self.title


class Phase(db.Model):
    """One phase of a process, with its dates (local calendar days, both inclusive)."""

    __table_args__ = (
        UniqueConstraint("process_id", "kind", name="uq_phase_process_kind"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint(
            "kind IN ('information', 'dialogue', 'codesign', 'voting', 'implementation', "
            "'evaluation')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    process: Mapped[Process] = relationship(back_populates="phases")

    @property
    def label(self) -> str:
        return PhaseKind(self.kind).label

    def state(self, today: date) -> str:
        if today < self.starts_on:
            return "upcoming"
        if today > self.ends_on:
            return "done"
        return "current"


class FormerSlug(db.Model):
    """A web address a process had before it was changed: it leads to the process still
    (links in mails, notifications and on other sites were made with it)."""

    __tablename__ = "process_former_slug"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
