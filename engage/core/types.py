"""Column types shared by all models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# The largest id an integer primary key holds (PostgreSQL's INTEGER).
MAX_ID = 2_147_483_647


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware UTC times")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it zone-free and uniform so that it sorts correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


LOCAL_TIMEZONE = ZoneInfo("Europe/Berlin")


def local_today() -> date:
    """Today's date in the municipality's time zone (phases are calendar days there)."""
    return utcnow().astimezone(LOCAL_TIMEZONE).date()


def optional_id(value) -> int | None:
    """An id chosen in a form or filter: None when empty; ValueError when no row can have it."""
    if value in (None, "", "None"):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:  # the database would refuse to compare it (a server error)
        raise ValueError(f"not an id: {value!r}")
    return number
