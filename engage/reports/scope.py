"""Which part of the city a report covers, and the SQL pieces that differ between databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Integer, case, cast, func, literal

from engage.core.types import LOCAL_TIMEZONE
from engage.extensions import db


@dataclass(frozen=True)
class ReportScope:
    """Filters of the council dashboard; None means "all"."""

    process_id: int | None = None
    district_id: int | None = None
    department_id: int | None = None
    since: date | None = None
    until: date | None = None

    @property
    def since_utc(self) -> datetime | None:
        return _local_midnight(self.since) if self.since else None

    @property
    def until_utc(self) -> datetime | None:
        """The end of the last day (exclusive bound: midnight after it)."""
        if not self.until or self.until == date.max:  # the last day there is: no upper bound
            return None
        return _local_midnight(self.until + timedelta(days=1))

    def where(self, query, *, created, process=None, district=None, department=None):
        """Restrict a query to this scope, given the columns that carry each dimension.

        A source without a column for a dimension that is filtered matches nothing: a
        city-wide discussion belongs to no district, so a district filter leaves it out.
        """
        if self.since_utc is not None:
            query = query.where(created >= self.since_utc)
        if self.until_utc is not None:
            query = query.where(created < self.until_utc)
        for wanted, column in ((self.process_id, process), (self.district_id, district),
                               (self.department_id, department)):  # fmt: skip
            if wanted is not None:
                query = query.where(column == wanted) if column is not None else query.where(
                    literal(False))  # fmt: skip
        return query

    @property
    def is_filtered(self) -> bool:
        return any(v is not None for v in vars(self).values())


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def month_of(column):
    """'YYYY-MM' of a UTC timestamp column in the municipality's time (Europe/Berlin): a
    contribution at 00:30 on 1 December, 23:30 on 30 November in UTC, counts in December."""
    if _dialect() == "postgresql":
        return func.to_char(func.timezone(LOCAL_TIMEZONE.key, column), "YYYY-MM")
    return func.strftime("%Y-%m", column, _berlin_offset_at_month_end(column))


def _berlin_offset_at_month_end(column):
    """SQLite has no time zones. Only the offset at the coming month boundary decides the local
    month, and in Europe/Berlin that is summer time (+2 h) at the starts of April to October and
    winter time (+1 h) at the others (the clocks change on the last Sundays of March and
    October, at 01:00 UTC, before the boundary)."""
    month = cast(func.strftime("%m", column), Integer)
    return case((month.between(3, 9), "+2 hours"), else_="+1 hours")


def seconds_between(start, end):
    """end − start in seconds, as SQL."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400


def days_later(column, days, now: datetime):
    """SQL truth of: column + days (an integer column) lies before now."""
    if _dialect() == "postgresql":
        return column + func.make_interval(0, 0, 0, days) < now
    naive = now.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return func.julianday(column) + days < func.julianday(naive)
