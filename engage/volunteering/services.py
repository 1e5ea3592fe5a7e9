"""Co-production rules: offers, shifts, sign-ups within capacity, the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from engage.accounts.models import User
from engage.accounts.services import mail_locale
from engage.core import audit
from engage.core.mail import queue_mail
from engage.core.moderation import ContentStatus
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


class ShiftStarted(VolunteeringError):
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
    proposal_id: int | None = None


def create_offer(author, data: OfferData) -> ServiceOffer:
    values = vars(data).copy()
    values["hour_value"] = data.hour_value or get_settings().volunteer_hour_value
    offer = ServiceOffer(created_by_id=author.id, **values)
    db.session.add(offer)
    db.session.flush()
    audit.record("offer.create", actor=author, target=offer, title=offer.title)
    return offer


def update_offer(offer: ServiceOffer, actor, data: OfferData) -> None:
    """Change an offer's description; an empty hour value keeps the current one."""
    for key, value in vars(data).items():
        if key == "hour_value" and value is None:
            continue
        setattr(offer, key, value)
    db.session.flush()
    audit.record("offer.update", actor=actor, target=offer, title=offer.title)


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


def begun(shifts: list[Shift], now: datetime | None = None) -> list[Shift]:
    """The shifts that have already begun (staff may add them to record attendance later)."""
    now = now or utcnow()
    return [shift for shift in shifts if shift.starts_at <= now]


def _lock(shift: Shift) -> None:
    """Serialise sign-ups of one shift: a row lock on PostgreSQL, the write lock on SQLite."""
    db.session.execute(update(Shift).where(Shift.id == shift.id).values(capacity=Shift.capacity))


# A place is held by a confirmed sign-up, and still once attendance is recorded for it.
HOLDING_A_PLACE = (St.CONFIRMED.value, St.ATTENDED.value, St.NO_SHOW.value)


def places_taken(shift: Shift) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signup)
        .where(Signup.shift_id == shift.id, Signup.status.in_(HOLDING_A_PLACE))
    )  # fmt: skip


def viewer_of_offer(user, offer: ServiceOffer) -> tuple[tuple[tuple[int, str], ...], bool]:
    """What the offer's page shows of the user's own: their active sign-ups there ((shift id,
    status), …) and whether they reported it; kept per user (core/personal.py), else asked."""
    if not user.is_authenticated:
        return (), False
    from engage.core import personal
    from engage.moderation.services import has_flagged

    mine = personal.of(user)  # (kept per user until their rows change: no query)
    if mine is not None:
        return mine.signups.get(offer.id, ()), offer.id in mine.reported_offers
    signed_up = sorted((shift_id, signup.status) for shift_id, signup in
                       signups_on(user, offer).items() if signup.status in ACTIVE)  # fmt: skip
    return tuple(signed_up), has_flagged(user, offer)


def signups_on(user, offer: ServiceOffer) -> dict[int, Signup]:
    """The user's sign-ups for the offer's shifts, by shift id."""
    return {signup.shift_id: signup for signup in db.session.scalars(
        select(Signup).join(Shift).where(Shift.offer_id == offer.id, Signup.user_id == user.id)
    )}  # fmt: skip


def places_taken_by_shift(shifts: list[Shift]) -> dict[int, int]:
    """Places taken per shift, in one query (for pages listing many shifts)."""
    rows = db.session.execute(
        select(Signup.shift_id, func.count())
        .where(Signup.shift_id.in_([s.id for s in shifts]), Signup.status.in_(HOLDING_A_PLACE))
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
    status = St.CONFIRMED if places_taken(shift) < shift.capacity else St.WAITLISTED
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


def _promote_waiting(shift: Shift, now: datetime | None = None) -> list[Signup]:
    """Give free places to the people waiting longest, and tell each of them by mail.

    Nobody is promoted into a shift that has begun (they would learn of it too late) or was
    called off, nor is a deleted account (its entries end with the account; older ones may
    remain)."""
    if shift.starts_at <= (now or utcnow()) or shift.cancelled_at is not None:
        return []
    free = shift.capacity - places_taken(shift)
    if free <= 0:
        return []
    promoted = list(db.session.scalars(
        select(Signup).join(User, User.id == Signup.user_id)
        .where(Signup.shift_id == shift.id, Signup.status == St.WAITLISTED.value,
               User.deleted_at.is_(None))
        .order_by(Signup.queued_at, Signup.id).limit(free)
    ))  # fmt: skip
    for signup in promoted:
        signup.status = St.CONFIRMED.value
        _mail(signup, _l("You have a place: %(title)s", title=shift.offer.title), "promoted")
        _note(signup, "SHIFT_PLACE", f"shift-place:{signup.id}")
    db.session.flush()
    return promoted


def _mail(signup: Signup, subject, template: str, **context) -> None:
    """Mail a volunteer about their shift, in their language (never a deleted account)."""
    if signup.user.is_deleted:
        return
    with force_locale(mail_locale(signup.user)):
        queue_mail(signup.user.email, str(subject), template, user=signup.user,
                   shift=signup.shift, **context)  # fmt: skip


def _note(signup: Signup, kind: str, event_key: str) -> None:
    """The mail's news in the volunteer's notifications too (some read only those); kind names
    a NotificationKind (imported here: notifications import this feature's models)."""
    from engage.notifications.models import NotificationKind
    from engage.notifications.services import notify_about_shift

    if signup.user.is_deleted:
        return
    notify_about_shift(signup, NotificationKind[kind], event_key)


def cancel(signup: Signup, now: datetime | None = None) -> Signup | None:
    """Cancel a sign-up before the shift begins; a freed place goes to the first person
    waiting, who is told by mail."""
    now = now or utcnow()
    if signup.shift.starts_at <= now:
        raise ShiftStarted(_(
            "This shift has already begun; the sign-up can no longer be cancelled. If you "
            "cannot come, please tell the contact person of the offer."))  # fmt: skip
    _lock(signup.shift)
    was_confirmed = signup.status == St.CONFIRMED.value
    signup.status = St.CANCELLED.value
    db.session.flush()
    if not was_confirmed:
        return None
    promoted = _promote_waiting(signup.shift, now)
    return promoted[0] if promoted else None


def forget_user(user, now: datetime | None = None) -> None:
    """Account deletion: sign-ups and waiting-list entries for shifts not begun yet end (their
    places go to the waiting list in order); attendance stays, anonymously, for the reports."""
    now = now or utcnow()
    active = db.session.scalars(
        select(Signup).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user.id, Signup.status.in_(ACTIVE))
        .order_by(Shift.starts_at, Signup.id)
    ).all()  # fmt: skip
    for signup in active:
        if signup.shift.starts_at > now:
            cancel(signup, now)
        elif signup.status == St.WAITLISTED.value:
            # A running or past shift: nobody moves up any more, the entry just ends.
            signup.status = St.CANCELLED.value
    db.session.flush()


def _active_signups(shift: Shift) -> list[Signup]:
    return list(db.session.scalars(
        select(Signup).where(Signup.shift_id == shift.id, Signup.status.in_(ACTIVE))
    ))  # fmt: skip


def edit_shift(shift: Shift, actor, starts_at: datetime, ends_at: datetime, capacity: int,
               place: str) -> int:  # fmt: skip
    """Change a shift; its volunteers are told of a new time or place. Returns mails sent."""
    if shift.cancelled_at is not None:
        raise VolunteeringError(_("A cancelled shift cannot be changed."))
    if ends_at <= starts_at:
        raise VolunteeringError(_("A shift must end after it starts."))
    _lock(shift)
    taken = places_taken(shift)
    if capacity < taken:
        raise VolunteeringError(_(
            "%(n)d volunteers already have a place; the shift needs at least that many places.",
            n=taken))  # fmt: skip
    moved = (starts_at, ends_at, place) != (shift.starts_at, shift.ends_at, shift.place)
    now = utcnow()
    if starts_at < now <= shift.starts_at and _active_signups(shift):
        raise VolunteeringError(_(
            "Volunteers have signed up for this shift: it cannot be moved to a time that has "
            "passed. To record a shift that took place, change it after its start."))  # fmt: skip
    shift.starts_at, shift.ends_at, shift.capacity, shift.place = (
        starts_at, ends_at, capacity, place)  # fmt: skip
    db.session.flush()
    promoted = {signup.id for signup in _promote_waiting(shift, now)}
    told = 0
    if moved:
        for signup in _active_signups(shift):
            if signup.id not in promoted:
                _mail(signup, _l("Changed: %(title)s", title=shift.offer.title), "shift_changed")
                _note(signup, "SHIFT_CHANGED", f"shift-changed:{shift.id}:{now.isoformat()}")
                signup.reminded_at = None  # the reminder follows the new time
                told += 1
    audit.record("shift.update", actor=actor, target=shift, offer=shift.offer_id,
                 starts_at=starts_at.isoformat(), capacity=capacity)  # fmt: skip
    return told + len(promoted)


def cancel_shift(shift: Shift, actor, reason: str, now: datetime | None = None) -> int:
    """Call off a shift: every sign-up ends and each volunteer is told why. Returns mails sent."""
    if shift.cancelled_at is not None:
        raise VolunteeringError(_("This shift is already cancelled."))
    _lock(shift)
    shift.cancelled_at, shift.cancel_reason = now or utcnow(), reason
    active = _active_signups(shift)
    for signup in active:
        signup.status = St.CANCELLED.value
        _mail(signup, _l("Cancelled: %(title)s", title=shift.offer.title), "shift_cancelled",
              reason=reason)  # fmt: skip
        _note(signup, "SHIFT_CANCELLED", f"shift-cancelled:{shift.id}")
    db.session.flush()
    audit.record("shift.cancel", actor=actor, target=shift, reason=reason, offer=shift.offer_id)
    return len(active)


def my_signups(user) -> list[Signup]:
    return list(db.session.scalars(
        select(Signup).join(Shift, Shift.id == Signup.shift_id)
        .where(Signup.user_id == user.id).order_by(Shift.starts_at)
    ))  # fmt: skip


def upcoming_shifts(limit: int = 4, now: datetime | None = None) -> list[Shift]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Shift).options(joinedload(Shift.offer))
        .where(Shift.starts_at > now, Shift.cancelled_at.is_(None))
        .order_by(Shift.starts_at).limit(limit)
    ))  # fmt: skip


def export_for(user) -> list[dict]:
    return [
        {"shift_id": s.shift_id, "offer": s.shift.offer.title, "status": s.status,
         "starts_at": s.shift.starts_at.isoformat(),
         "hours": str(s.hours) if s.hours is not None else None}
        for s in my_signups(user)
    ]  # fmt: skip


def _next_start(now: datetime):
    return (
        select(func.min(Shift.starts_at))
        .where(Shift.offer_id == ServiceOffer.id, Shift.starts_at > now,
               Shift.cancelled_at.is_(None))
        .correlate(ServiceOffer).scalar_subquery()
    )  # fmt: skip


def offers_query(district_id: int | None = None, now: datetime | None = None):
    """Offers with upcoming shifts first (soonest first), then the others; by district."""
    next_start = _next_start(now or utcnow())
    query = select(ServiceOffer).where(
        ServiceOffer.moderation_status == ContentStatus.VISIBLE.value
    )
    if district_id:
        query = query.where((ServiceOffer.district_id == district_id)
                            | ServiceOffer.district_id.is_(None))  # fmt: skip
    return query.order_by(next_start.is_(None), next_start, ServiceOffer.created_at.desc())


def next_shift_starts(offers: list[ServiceOffer], now: datetime | None = None) -> dict:
    """The next shift's start per offer, in one grouped query."""
    rows = db.session.execute(
        select(Shift.offer_id, func.min(Shift.starts_at))
        .where(Shift.offer_id.in_([o.id for o in offers]), Shift.starts_at > (now or utcnow()),
               Shift.cancelled_at.is_(None))
        .group_by(Shift.offer_id)
    )  # fmt: skip
    return dict(rows.all())  # min() keeps the column type: aware UTC datetimes


def offers_of_process(process) -> list[ServiceOffer]:
    return list(db.session.scalars(
        select(ServiceOffer).where(ServiceOffer.process_id == process.id,
                                   ServiceOffer.moderation_status == ContentStatus.VISIBLE.value)
        .order_by(ServiceOffer.title)
    ))  # fmt: skip


def offers_from_proposal(proposal) -> list[ServiceOffer]:
    """The co-produced services that put a proposal into practice (those not hidden)."""
    return list(db.session.scalars(
        select(ServiceOffer).where(ServiceOffer.proposal_id == proposal.id,
                                   ServiceOffer.moderation_status == ContentStatus.VISIBLE.value)
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
        _mail(signup, _l("Reminder: %(title)s tomorrow", title=signup.shift.offer.title),
              "reminder")  # fmt: skip
        signup.reminded_at = now
    return len(due)
