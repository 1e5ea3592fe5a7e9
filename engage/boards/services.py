"""Publishing, editing and listing announcements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from engage.boards.models import Announcement, visible_announcements
from engage.core import audit
from engage.core.types import utcnow
from engage.extensions import db
from engage.processes.models import Process


@dataclass
class AnnouncementData:
    title: str
    body: str
    process_id: int | None = None
    district_id: int | None = None
    pinned: bool = False
    publish_at: datetime | None = None  # None: now


def publish_announcement(author, data: AnnouncementData) -> Announcement:
    announcement = Announcement(author_id=author.id)
    _apply(announcement, data)
    db.session.add(announcement)
    db.session.flush()
    audit.record("announcement.create", actor=author, target=announcement,
                 title=announcement.title)  # fmt: skip
    from engage.notifications.services import notify_announcement

    notify_announcement(announcement, author)
    return announcement


def update_announcement(announcement: Announcement, editor, data: AnnouncementData) -> None:
    """Change an announcement; once it has appeared, the change is marked as an edit."""
    was_visible = announcement.is_visible()
    _apply(announcement, data)
    if was_visible:
        announcement.edited_at = utcnow()
    audit.record("announcement.update", actor=editor, target=announcement)


def _apply(announcement: Announcement, data: AnnouncementData) -> None:
    announcement.title = data.title.strip()
    announcement.body = data.body
    announcement.process_id = data.process_id
    announcement.district_id = data.district_id
    announcement.pinned = data.pinned
    if data.publish_at is not None:
        announcement.publish_at = data.publish_at
    elif announcement.publish_at is None or announcement.publish_at > utcnow():
        announcement.publish_at = utcnow()  # no date (any more): it appears now


def set_published(announcement: Announcement, actor, published: bool) -> None:
    """Take an announcement off the board, or put it back."""
    announcement.unpublished_at = None if published else utcnow()
    audit.record("announcement.publish" if published else "announcement.unpublish",
                 actor=actor, target=announcement)  # fmt: skip


@dataclass
class AnnouncementFilter:
    process_id: int | None = None
    district_id: int | None = None


def announcements_query(filters: AnnouncementFilter, now: datetime | None = None) -> Select:
    """Visible announcements, pinned first, newest first."""
    query = select(Announcement).where(visible_announcements(now))
    if filters.process_id:
        query = query.where(Announcement.process_id == filters.process_id)
    if filters.district_id:
        # Its own district, or the district of its process; city-wide ones concern everybody.
        scope = aliased(Process)
        query = query.outerjoin(scope, scope.id == Announcement.process_id).where(
            or_(
                Announcement.district_id == filters.district_id,
                scope.district_id == filters.district_id,
                (Announcement.district_id.is_(None)) & (scope.district_id.is_(None)),
            )
        )
    return query.order_by(
        Announcement.pinned.desc(), Announcement.publish_at.desc(), Announcement.id.desc()
    )


def latest_announcements(limit: int = 3, process: Process | None = None) -> list[Announcement]:
    filters = AnnouncementFilter(process_id=process.id if process else None)
    query = announcements_query(filters).limit(limit)
    return list(db.session.scalars(query))


def scheduled_and_withdrawn(user) -> list[Announcement]:
    """Announcements the user wrote that the public does not see (scheduled or taken down)."""
    query = (
        select(Announcement)
        .where(Announcement.author_id == user.id)
        .where(~visible_announcements())
        .order_by(Announcement.publish_at.desc())
    )
    return list(db.session.scalars(query))


def export_announcements(user) -> list[dict]:
    """The announcements the user wrote, for the personal-data export."""
    rows = db.session.scalars(
        select(Announcement).where(Announcement.author_id == user.id).order_by(Announcement.id)
    )
    return [
        {
            "id": a.id,
            "title": a.title,
            "body": a.body,
            "process_id": a.process_id,
            "publish_at": a.publish_at.isoformat(),
            "edited_at": a.edited_at.isoformat() if a.edited_at else None,
        }
        for a in rows
    ]
