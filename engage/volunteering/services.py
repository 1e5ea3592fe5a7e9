"""Co-production rules: offers, shifts, sign-ups within capacity, the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from engage.accounts.services import mail_locale
from engage.core import audit
from engage.core.mail import queue_mail
from engage.core.settings import get_settings
from engage.core.types import utcnow
from engage.extensions import db
from engage.volunteering.models import ACTIVE, ServiceOffer, Shift, Signup
from engage.volunteering.models import SignupStatus as St


class VolunteeringError(Exception):
    """A co-production rule was broken; the message is shown to the user."""


class AlreadySignedUp(VolunteeringError):
    pass


class ShiftPast(VolunteeringError):
    pass


class ShiftOverlaps(VolunteeringError):
    pass


@dataclass
class OfferData:
    title: str
    description: str
    department_id: int
    requirements: str = ""
    min_age: int | None = None
    district_id: int | None = None
    place: str = ""
    contact: str = ""
    hour_value: Decimal | None = None  # None: the value from the settings
    process_id: int | None = None


def create_offer(author, data: OfferData) -> ServiceOffer:
    values = vars(data).copy()
    values["hour_value"] = data.hour_value or get_settings().volunteer_hour_value
    offer = ServiceOffer(created_by_id=author.id, **values)
    db.session.add(offer)
    db.session.flush()
    audit.record("offer.create", actor=author, target=offer, title=offer.title)
    return offer


def add_shifts(offer: ServiceOffer, starts_at: datetime, ends_at: datetime, capacity: int,
               place: str = "", weeks: int = 1) -> list[Shift]:  # fmt: skip
    """Add a shift, or the same shift weekly for several weeks in one step."""
    if ends_at <= starts_at:
        raise VolunteeringError(_("A shift must end after it starts."))
    shifts = [
        Shift(offer_id=offer.id, starts_at=starts_at + timedelta(weeks=n),
              ends_at=ends_at + timedelta(weeks=n), capacity=capacity, place=place or offer.place)
        for n in range(weeks)
    ]  # fmt: skip
    db.session.add_all(shifts)
    db.session.flush()
    return shifts


def _lock(shift: Shift) -> None:
    """Serialise sign-ups of one shift: a row lock on PostgreSQL, the write lock on SQLite."""
    db.session.execute(update(Shift).where(Shift.id == shift.id).values(capacity=Shift.capacity))


def confirmed_count(shift: Shift) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signup)
        .where(Signup.shift_id == shift.id, Signup.status == St.CONFIRMED.value)
    )  # fmt: skip


def confirmed_counts(shifts: list[Shift]) -> dict[int, int]:
    """Confirmed places per shift, in one query (for pages listing many shifts)."""
    rows = db.session.execute(
        select(Signup.shift_id, func.count())
        .where(Signup.shift_id.in_([s.id for s in shifts]), Signup.status == St.CONFIRMED.value)
        .group_by(Signup.shift_id)
    )
    found = dict(rows.all())
    return {shift.id: found.get(shift.id, 0) for shift in shifts}


def sign_up(shift: Shift, user, now: datetime | None = None) -> Signup:
    """Take a place if one is left, else join the waiting list; capacity is never exceeded."""
    now = now or utcnow()
    if shift.starts_at <= now or shift.cancelled_at is not None:
        raise ShiftPast(_("This shift has already started or was cancelled."))
    _lock(shift)
    existing = db.session.scalar(
        select(Signup).where(Signup.shift_id == shift.id, Signup.user_id == user.id)
    )
    if existing is not None and existing.status in ACTIVE:
        raise AlreadySignedUp(_("You are already signed up for this shift."))
    overlapping = db.session.scalar(
        select(func.count()).select_from(Signup).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user.id, Signup.status.in_(ACTIVE), Shift.id != shift.id)
        .where(Shift.starts_at < shift.ends_at, Shift.ends_at > shift.starts_at)
    )  # fmt: skip
    if overlapping:
        raise ShiftOverlaps(_("You are already signed up for another shift at that time."))
    status = St.CONFIRMED if confirmed_count(shift) < shift.capacity else St.WAITLISTED
    signup = existing or Signup(shift_id=shift.id, user_id=user.id)
    signup.status, signup.queued_at = status.value, now
    db.session.add(signup)
    db.session.flush()
    return signup


def waiting_position(signup: Signup) -> int | None:
    """1 for the first person waiting, and so on; None when not waiting."""
    if signup.status != St.WAITLISTED.value:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(Signup)
        .where(Signup.shift_id == signup.shift_id, Signup.status == St.WAITLISTED.value)
        .where((Signup.queued_at < signup.queued_at)
               | ((Signup.queued_at == signup.queued_at) & (Signup.id < signup.id)))
    )  # fmt: skip
    return ahead + 1


def cancel(signup: Signup) -> Signup | None:
    """Cancel a sign-up; a freed place goes to the first person waiting, who is told by mail."""
    shift = signup.shift
    _lock(shift)
    was_confirmed = signup.status == St.CONFIRMED.value
    signup.status = St.CANCELLED.value
    db.session.flush()
    if not was_confirmed:
        return None
    first = db.session.scalar(
        select(Signup)
        .where(Signup.shift_id == shift.id, Signup.status == St.WAITLISTED.value)
        .order_by(Signup.queued_at, Signup.id)
        .limit(1)
    )
    if first is None or confirmed_count(shift) >= shift.capacity:
        return None
    first.status = St.CONFIRMED.value
    with force_locale(mail_locale(first.user)):
        queue_mail(first.user.email, _("You have a place: %(title)s", title=shift.offer.title),
                   "promoted", user=first.user, shift=shift)  # fmt: skip
    return first


def my_signups(user) -> list[Signup]:
    return list(db.session.scalars(
        select(Signup).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user.id).order_by(Shift.starts_at)
    ))  # fmt: skip


def upcoming_shifts(limit: int = 4, now: datetime | None = None) -> list[Shift]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Shift).where(Shift.starts_at > now, Shift.cancelled_at.is_(None))
        .order_by(Shift.starts_at).limit(limit)
    ))  # fmt: skip


def export_for(user) -> list[dict]:
    return [
        {"shift_id": s.shift_id, "offer": s.shift.offer.title, "status": s.status,
         "starts_at": s.shift.starts_at.isoformat(),
         "hours": str(s.hours) if s.hours is not None else None}
        for s in my_signups(user)
    ]  # fmt: skip


def offers_of_process(process) -> list[ServiceOffer]:
    return list(db.session.scalars(
        select(ServiceOffer).where(ServiceOffer.process_id == process.id)
        .order_by(ServiceOffer.title)
    ))  # fmt: skip


REMINDER_LEAD = timedelta(hours=24)


def send_reminders(now: datetime | None = None) -> int:
    """Mail every confirmed volunteer once, within the 24 hours before the shift."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Signup).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.status == St.CONFIRMED.value, Signup.reminded_at.is_(None))
        .where(Shift.cancelled_at.is_(None), Shift.starts_at > now,
               Shift.starts_at <= now + REMINDER_LEAD)
    ).all()  # fmt: skip
    for signup in due:
        with force_locale(mail_locale(signup.user)):
            queue_mail(signup.user.email,
                       _("Reminder: %(title)s tomorrow", title=signup.shift.offer.title),
                       "reminder", user=signup.user, shift=signup.shift)  # fmt: skip
        signup.reminded_at = now
    return len(due)
