"""Announcements (Mitteilungen) of the information board."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.accounts.models import User
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.organisation.models import District
from engage.processes.models import Process


class Announcement(db.Model):
    """Information published by staff, city-wide or within a process; may be scheduled."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("process.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # The moment it appears: now, or a future time that keeps it hidden until then.
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    unpublished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    process: Mapped[Process | None] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")
    # Authors come in one extra query per page: joining 100,000 users would defeat LIMIT.
    author: Mapped[User] = relationship(lazy="selectin")

    def is_visible(self, now: datetime | None = None) -> bool:
        return self.unpublished_at is None and self.publish_at <= (now or utcnow())

    @property
    def is_scheduled(self) -> bool:
        return self.unpublished_at is None and self.publish_at > utcnow()

    @property
    def department(self):
        return self.process.department if self.process else self.author.department


def visible_announcements(now: datetime | None = None):
    """The condition for announcements the public sees."""
    now = now or utcnow()
    return (Announcement.unpublished_at.is_(None)) & (Announcement.publish_at <= now)
