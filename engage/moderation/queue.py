"""The moderation queue and the public transparency figures, read-only."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from engage.accounts.models import User
from engage.core.moderation import ContentStatus
from engage.core.types import LOCAL_TIMEZONE
from engage.extensions import db
from engage.moderation import content
from engage.moderation.models import Action, Appeal, AppealStatus, Flag, ModerationDecision

STATUSES = ("open", "flagged", "pending", "hidden")
HIDDEN_LIMIT = 200  # the "hidden" view lists the most recently hidden items


@dataclass
class QueueItem:
    kind: str
    item: object
    author: User | None
    flag_count: int = 0
    reasons: Counter = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)
    first_flag_at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item.id}"

    @property
    def since(self) -> datetime:
        return self.first_flag_at or self.item.created_at


def _open_flags() -> dict[tuple[str, int], QueueItem]:
    entries: dict[tuple[str, int], QueueItem] = {}
    rows = db.session.execute(
        select(Flag.content_type, Flag.content_id, Flag.reason, Flag.text, Flag.created_at)
        .where(Flag.resolved_at.is_(None))
        .order_by(Flag.created_at)
    )
    for row in rows:
        key = (row.content_type, row.content_id)
        entry = entries.setdefault(key, QueueItem(row.content_type, None, None))
        entry.flag_count += 1
        entry.reasons[row.reason] += 1
        if row.text:
            entry.texts.append(row.text)
        entry.first_flag_at = entry.first_flag_at or row.created_at
    return entries


def _with_status(status: ContentStatus) -> list[tuple[str, int]]:
    keys = []
    for kind, model in content.MODELS.items():
        query = select(model.id).where(model.moderation_status == status.value)
        if status == ContentStatus.HIDDEN:
            query = query.order_by(model.hidden_at.desc()).limit(HIDDEN_LIMIT)
        keys += [(kind.value, item_id) for item_id in db.session.scalars(query)]
    return keys


def queue_items(status: str = "open", kind: str = "", reason: str = "") -> list[QueueItem]:
    """Items needing a decision, most reported and oldest first; a fixed number of queries."""
    entries = _open_flags()
    if status == "pending":
        wanted = _with_status(ContentStatus.PENDING)
    elif status == "hidden":
        wanted = _with_status(ContentStatus.HIDDEN)
    elif status == "flagged":
        wanted = list(entries)
    else:  # open: reported or waiting for approval
        wanted = list(entries) + _with_status(ContentStatus.PENDING)
    if kind:
        wanted = [key for key in wanted if key[0] == kind]
    items = content.load_many(wanted)
    authors = _authors(items.values())
    result = []
    for key in dict.fromkeys(wanted):
        item = items.get(key)
        if item is None:
            continue  # deleted meanwhile
        entry = entries.get(key) or QueueItem(key[0], None, None)
        if reason and not entry.reasons.get(reason):
            continue
        entry.item, entry.author = item, authors.get(content.author_id_of(item))
        result.append(entry)
    result.sort(key=lambda e: (-e.flag_count, e.since))
    return result


def _authors(items) -> dict[int, User]:
    ids = {content.author_id_of(item) for item in items} - {None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def open_appeals_query():
    return (
        select(Appeal)
        .where(Appeal.status == AppealStatus.OPEN.value)
        .order_by(Appeal.created_at, Appeal.id)
    )


def decided_appeals_query():
    return (
        select(Appeal)
        .where(Appeal.status != AppealStatus.OPEN.value)
        .order_by(Appeal.decided_at.desc(), Appeal.id.desc())
    )


@dataclass(frozen=True)
class Waiting:
    """What waits for moderators: the queue's items (reported or pending) and open appeals."""

    items: int
    appeals: int

    @property
    def total(self) -> int:
        return self.items + self.appeals

    def parts(self) -> dict[str, str]:
        """Both counts in words, for the badge's label and the queue's note."""
        from flask_babel import ngettext

        return {
            "items": ngettext("%(num)d item in the queue", "%(num)d items in the queue",
                              self.items),
            "appeals": ngettext("%(num)d open appeal", "%(num)d open appeals", self.appeals),
        }  # fmt: skip


def waiting() -> Waiting:
    """Pending items, reported items and open appeals, in one statement (asked on every page
    a moderator opens, for the navigation badge)."""
    flagged_items = (
        select(Flag.content_type, Flag.content_id).where(Flag.resolved_at.is_(None)).distinct()
    )
    parts = [
        select(func.count()).select_from(model)
        .where(model.moderation_status == ContentStatus.PENDING.value).scalar_subquery()
        for model in content.MODELS.values()
    ]  # fmt: skip
    parts.append(select(func.count()).select_from(flagged_items.subquery()).scalar_subquery())
    items = parts[0]
    for part in parts[1:]:
        items = items + part
    appeals = select(func.count()).select_from(open_appeals_query().subquery()).scalar_subquery()
    row = db.session.execute(select(items, appeals)).one()
    return Waiting(items=row[0], appeals=row[1])


HIDING = (Action.HIDE.value, Action.REJECT.value, Action.AUTO_HIDE.value)


def transparency() -> list[tuple[str, dict[str, int], int]]:
    """Hidden items per month (local time) and reason, counts only, newest month first."""
    rows = db.session.execute(
        select(ModerationDecision.created_at, ModerationDecision.reason_code,
               ModerationDecision.content_type, ModerationDecision.content_id)
        .where(ModerationDecision.action.in_(HIDING))
        .order_by(ModerationDecision.created_at)
    )  # fmt: skip
    seen: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        month = row.created_at.astimezone(LOCAL_TIMEZONE).strftime("%Y-%m")
        # An item hidden twice in a month (say, auto-hidden, then hidden) counts once.
        seen[month][row.reason_code].add((row.content_type, row.content_id))
    months = []
    for month in sorted(seen, reverse=True):
        counts = {reason: len(keys) for reason, keys in seen[month].items()}
        months.append((month, counts, sum(counts.values())))
    return months
