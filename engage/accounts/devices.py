"""The browsers an account is logged in with ("Devices" on the account page).

Each is a live `user_session` record. The page names a record by a digest of its key, never by
the key itself: the key is what the signed cookies carry, and a page is no place for it.
Ending a record logs that browser out at its next request (the kept user is renewed with the
accounts version, core/pagecache.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from engage.accounts.models import User, UserSession
from engage.accounts.session import idle_limit
from engage.core.types import utcnow
from engage.extensions import db


@dataclass(frozen=True)
class Device:
    handle: str
    description: str
    logged_in_at: datetime
    last_seen_at: datetime
    current: bool


def handle_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def devices_of(user: User, current_key: str | None) -> list[Device]:
    """The user's live sessions, this browser first, then the most recently used."""
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.last_seen_at >= utcnow() - idle_limit())
        .order_by(UserSession.last_seen_at.desc(), UserSession.created_at.desc())
    ).all()  # fmt: skip
    devices = [Device(handle_of(r.id), describe(r.user_agent), r.created_at, r.last_seen_at,
                      r.id == current_key) for r in records]  # fmt: skip
    return sorted(devices, key=lambda device: not device.current)  # (stable: keeps the order)


def end_device(user: User, handle: str, current_key: str | None) -> bool:
    """Log out one of the user's other browsers; False if no such session (or it is this one)."""
    for key in db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)):
        if handle_of(key) == handle and key != current_key:
            db.session.execute(delete(UserSession).where(UserSession.id == key))
            return True
    return False


def end_other_devices(user: User, current_key: str | None) -> int:
    """Log out every browser of the user but this one; returns how many."""
    return db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.id != current_key)
    ).rowcount


# In this order: Edge and Opera also say "Chrome/", Chrome also says "Safari/". The record
# keeps the first 120 characters, which may end before Safari's "Safari/" but not "Version/".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
             ("Chrome/", "Chrome"), ("CriOS/", "Chrome"), ("Chromium/", "Chromium"),
             ("Safari/", "Safari"), ("Version/", "Safari"))  # fmt: skip
_SYSTEMS = (("Android", "Android"), (re.compile(r"iPhone|iPad|iPod"), "iOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))  # fmt: skip


def describe(agent: str | None) -> str:
    """A plain name for a browser from its User-Agent: "Firefox unter Windows"."""
    agent = agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS
                   if (mark.search(agent) if isinstance(mark, re.Pattern) else mark in agent)),
                  None)  # fmt: skip
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")
