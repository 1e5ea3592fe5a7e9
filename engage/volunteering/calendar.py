"""Shifts as iCalendar (RFC 5545): one file per shift and a personal feed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from engage.core.types import utcnow
from engage.volunteering.models import Shift, SignupStatus

FEED_SALT = "engage.calendar-feed"


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))  # fmt: skip


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(shift: Shift, status: str | None, now: datetime) -> list[str]:
    link = url_for("volunteer.detail", offer_id=shift.offer_id, _external=True)
    summary = shift.offer.title
    if status == SignupStatus.WAITLISTED.value:
        summary += " (Warteliste / waiting list)"
    state = "CANCELLED" if shift.cancelled_at else (
        "TENTATIVE" if status == SignupStatus.WAITLISTED.value else "CONFIRMED")  # fmt: skip
    return [
        "BEGIN:VEVENT",
        f"UID:shift-{shift.id}@{request.host.split(':')[0]}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(shift.starts_at)}",
        f"DTEND:{_stamp(shift.ends_at)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(shift.place or shift.offer.place)}",
        f"DESCRIPTION:{_escape(shift.offer.department.name + chr(10) + link)}",
        f"URL:{link}",
        f"STATUS:{state}",
        "END:VEVENT",
    ]


def feed_entries(signups, now: datetime | None = None) -> list[tuple[Shift, str]]:
    """The shifts of a volunteer's feed: those with a place, and those still waited for.

    Cancelled sign-ups are left out (the event leaves the calendar), and so are the shifts
    the volunteer did not come to and those that began while they were still waiting: they
    never took part."""
    now = now or utcnow()
    left_out = (SignupStatus.CANCELLED.value, SignupStatus.NO_SHOW.value)
    return [
        (s.shift, s.status) for s in signups
        if s.status not in left_out
        and not (s.status == SignupStatus.WAITLISTED.value and s.shift.starts_at <= now)
    ]  # fmt: skip


def calendar(entries: list[tuple[Shift, str | None]], name: str) -> str:
    """A VCALENDAR of the given shifts, each with the viewer's sign-up status (or None)."""
    now = utcnow()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Engage//Engage//DE",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]  # fmt: skip
    for shift, status in entries:
        lines += _event(shift, status, now)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def feed_token(user) -> str:
    """A secret for calendar apps, which cannot log in; "log out everywhere" revokes it."""
    return _serializer().dumps({"u": user.id, "v": user.session_version})


def read_feed_token(token: str) -> tuple[int, int] | None:
    """(user id, session version), or None when the token is not genuine."""
    try:
        data = _serializer().loads(token)
        return int(data["u"]), int(data["v"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
