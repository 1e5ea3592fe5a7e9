"""What co-production delivered: attendance, hours, no-shows, at-risk shifts, costs saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from engage.core import audit
from engage.core.types import utcnow
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.volunteering.models import ServiceOffer, Shift, Signup
from engage.volunteering.models import SignupStatus as St
from engage.volunteering.services import VolunteeringError

MILESTONES = (10, 50, 100)
AT_RISK_WINDOW = timedelta(days=7)
MARKABLE = (St.CONFIRMED.value, St.ATTENDED.value, St.NO_SHOW.value)


# Time beyond the shift's length that may still be credited (preparation, the way there).
EXTRA_HOURS = Decimal(2)


def max_hours(shift: Shift) -> Decimal:
    """The most hours one volunteer can be credited for a shift."""
    return min(shift.length_hours + EXTRA_HOURS, Decimal(24))


def check_hours(shift: Shift, hours: Decimal) -> None:
    """Hours are a finite number with at most two decimals, from 0 to the shift's maximum."""
    if not hours.is_finite() or not Decimal(0) <= hours <= Decimal(24):
        raise VolunteeringError(_("Hours must be between 0 and 24."))
    if hours != hours.quantize(Decimal("0.01")):
        raise VolunteeringError(
            _("Please give the hours with at most two decimals, for example 1,25.")
        )
    if hours > max_hours(shift):
        raise VolunteeringError(_(
            "That is much longer than the shift (%(length)s hours): at most %(max)s hours can "
            "be credited. If the shift lasted longer, change its time first.",
            length=format_decimal(shift.length_hours, "#,##0.0#"),
            max=format_decimal(max_hours(shift), "#,##0.0#")))  # fmt: skip


def mark(signup: Signup, actor, attended: bool, hours: Decimal | None = None,
         now: datetime | None = None) -> None:  # fmt: skip
    """Record that a volunteer came (with hours, by default the shift's length) or did not."""
    now = now or utcnow()
    if signup.shift.starts_at > now:
        raise VolunteeringError(_("Attendance can be recorded once the shift has begun."))
    if signup.status not in MARKABLE:
        raise VolunteeringError(_("Only volunteers who had a place can be marked."))
    if hours is not None:
        check_hours(signup.shift, hours)
    signup.status = St.ATTENDED.value if attended else St.NO_SHOW.value
    signup.hours = (signup.shift.length_hours if hours is None else hours) if attended else None
    signup.attendance_marked_at = now
    db.session.flush()
    audit.record("signup.attendance", actor=actor, target=signup, status=signup.status,
                 hours=str(signup.hours) if signup.hours is not None else None)  # fmt: skip


@dataclass(frozen=True)
class Delivered:
    """Hours and costs saved for one offer, department or district (or in total)."""

    label: str
    hours: Decimal
    value: Decimal
    attended: int
    no_shows: int

    @property
    def no_show_rate(self) -> float | None:
        """Share of marked places where nobody came; None while nothing is marked."""
        marked = self.attended + self.no_shows
        return self.no_shows / marked if marked else None


def _delivered_columns():
    attended = Signup.status == St.ATTENDED.value
    return (
        func.coalesce(func.sum(case((attended, Signup.hours), else_=0)), 0),
        func.coalesce(func.sum(case((attended, Signup.hours * ServiceOffer.hour_value),
                                    else_=0)), 0),
        func.count(case((attended, 1))),
        func.count(case((Signup.status == St.NO_SHOW.value, 1))),
    )  # fmt: skip


def _marked():
    return (
        select().select_from(Signup)
        .join(Shift, Shift.id == Signup.shift_id)
        .join(ServiceOffer, ServiceOffer.id == Shift.offer_id)
        .where(Signup.status.in_((St.ATTENDED.value, St.NO_SHOW.value)))
    )  # fmt: skip


def _row(label: str, hours, value, attended, no_shows) -> Delivered:
    return Delivered(label, Decimal(hours).quantize(Decimal("0.01")),
                     Decimal(value).quantize(Decimal("0.01")), attended, no_shows)  # fmt: skip


def delivered_total(department_id: int | None = None, offer_id: int | None = None) -> Delivered:
    """All hours and costs saved, optionally for one department or one offer."""
    query = _marked().add_columns(*_delivered_columns())
    if department_id is not None:
        query = query.where(ServiceOffer.department_id == department_id)
    if offer_id is not None:
        query = query.where(ServiceOffer.id == offer_id)
    return _row("", *db.session.execute(query).one())


GROUPS = {
    "offer": (ServiceOffer.id, ServiceOffer.title),
    "department": (Department.id, Department.name),
    "district": (District.id, District.name),
}


def delivered_by(group: str, department_id: int | None = None) -> list[Delivered]:
    """Hours and costs saved per offer, department or district, largest first (one query)."""
    key, label = GROUPS[group]
    query = _marked().add_columns(label, *_delivered_columns())
    if group == "department":
        query = query.join(Department, Department.id == ServiceOffer.department_id)
    elif group == "district":
        query = query.outerjoin(District, District.id == ServiceOffer.district_id)
    if department_id is not None:
        query = query.where(ServiceOffer.department_id == department_id)
    rows = db.session.execute(query.group_by(key, label)).all()
    result = [_row(name if name is not None else _("Whole city"), *rest) for name, *rest in rows]
    return sorted(result, key=lambda row: (-row.hours, row.label))


def at_risk_shifts(department_id: int | None = None, now: datetime | None = None):
    """Shifts of the next 7 days with less than half of their places taken: (shift, taken)."""
    now = now or utcnow()
    taken = (
        select(Signup.shift_id, func.count().label("taken"))
        .where(Signup.status == St.CONFIRMED.value).group_by(Signup.shift_id).subquery()
    )  # fmt: skip
    taken_count = func.coalesce(taken.c.taken, 0)
    query = (
        select(Shift, taken_count)
        .join(ServiceOffer, ServiceOffer.id == Shift.offer_id)
        .outerjoin(taken, taken.c.shift_id == Shift.id)
        .where(Shift.cancelled_at.is_(None), Shift.starts_at > now,
               Shift.starts_at <= now + AT_RISK_WINDOW, taken_count * 2 < Shift.capacity)
        .order_by(Shift.starts_at)
    )  # fmt: skip
    if department_id is not None:
        query = query.where(ServiceOffer.department_id == department_id)
    return db.session.execute(query).all()


AWAITING_LIMIT = 50


def awaiting_attendance(department_id: int | None = None, now: datetime | None = None,
                        limit: int = AWAITING_LIMIT) -> tuple[list, int]:  # fmt: skip
    """Ended shifts (not called off) whose volunteers with a place are not all marked yet:
    up to limit (shift, unmarked) rows, latest first, and how many shifts there are in all."""
    now = now or utcnow()
    unmarked = (
        select(Signup.shift_id, func.count().label("unmarked"))
        .where(Signup.status == St.CONFIRMED.value).group_by(Signup.shift_id).subquery()
    )  # fmt: skip
    where = [Shift.cancelled_at.is_(None), Shift.ends_at <= now]
    if department_id is not None:
        where.append(ServiceOffer.department_id == department_id)

    def shifts(*columns):
        return (
            select(*columns).select_from(Shift).join(unmarked, unmarked.c.shift_id == Shift.id)
            .join(ServiceOffer, ServiceOffer.id == Shift.offer_id).where(*where)
        )  # fmt: skip

    rows = db.session.execute(
        shifts(Shift, unmarked.c.unmarked).options(joinedload(Shift.offer))
        .order_by(Shift.starts_at.desc(), Shift.id.desc()).limit(limit)
    ).all()  # fmt: skip
    total = db.session.scalar(shifts(func.count()))
    return rows, total


def hours_of(user) -> Decimal:
    """A volunteer's credited hours."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Signup.hours), 0))
        .where(Signup.user_id == user.id, Signup.status == St.ATTENDED.value)
    )  # fmt: skip
    return Decimal(total).quantize(Decimal("0.01"))


def milestones(hours: Decimal) -> tuple[list[int], int | None]:
    """The milestones reached, and the next one (None once all are reached)."""
    reached = [m for m in MILESTONES if hours >= m]
    ahead = [m for m in MILESTONES if hours < m]
    return reached, (ahead[0] if ahead else None)


def attended_signups(user) -> list[Signup]:
    """The shifts a volunteer attended, oldest first (for the certificate)."""
    return list(db.session.scalars(
        select(Signup).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user.id, Signup.status == St.ATTENDED.value)
        .order_by(Shift.starts_at)
    ))  # fmt: skip


def roster(shift: Shift) -> list[Signup]:
    """Everyone on a shift, those with a place first, then the waiting list in order."""
    order = case((Signup.status == St.WAITLISTED.value, 1),
                 (Signup.status == St.CANCELLED.value, 2), else_=0)  # fmt: skip
    return list(db.session.scalars(
        select(Signup).where(Signup.shift_id == shift.id)
        .order_by(order, Signup.queued_at, Signup.id)
    ))  # fmt: skip
