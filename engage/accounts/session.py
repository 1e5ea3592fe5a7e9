"""Flask-Login wiring with server-side session records.

The signed session (and remember) cookie carries "user id:session key". A user is loaded only
while the `user_session` row with that key exists, in the same query that loads the user, so
log-out (deleting the row) ends every copy of the cookies (ASVS 3.3.1) without costing logged-in
pages an extra query.
"""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlalchemy import bindparam, delete, select, update

from engage.core import fragments, kept_rows
from engage.core.types import MAX_ID, utcnow
from engage.extensions import db

# last_seen_at is refreshed at most this often: no write per page view.
SEEN_EVERY = timedelta(hours=1)
KEY_LENGTH = 43  # secrets.token_urlsafe(32)


def configure_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(ask_to_log_in)
    _save_changes_to_kept_users()


@functools.cache  # (once a process: the listeners are the model's, not an application's)
def _save_changes_to_kept_users() -> None:
    from engage.accounts.models import User

    kept_rows.attach_when_changed(User)


def ask_to_log_in():
    """To the log-in page, and from there back to the page the visitor was on.

    A form sent after the session ended (an expired log-in, a log-out in another tab) has a
    POST-only address: after logging in, the browser would GET it and find a 404 or 405. Such
    a request returns to the page the form was on (the referrer, if it is one of ours), where
    the typed text waits in the tab (static/js/engage.js), or else to the nearest page above
    the form's address that can be read.
    """
    from engage.i18n import readable_page

    flash(_l("Please log in to continue."), "info")
    if request.method == "GET":
        back = request.full_path.removesuffix("?")
    else:
        back = readable_page(_local_referrer() or request.path)
    return redirect(url_for("accounts.login", next=back))


def _local_referrer() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def load_user(user_key: str):
    """The user of a live session record, or None (the cookie then counts as logged out)."""
    user_id, _, key = user_key.partition(":")
    if (
        not (user_id.isascii() and user_id.isdigit())
        or int(user_id) > MAX_ID
        or len(key) != KEY_LENGTH
    ):
        return None
    kept_key = ("session user", int(user_id), key)
    kept = fragments.kept(kept_key, fragments.ACCOUNTS)
    if kept is None:
        found = db.session.execute(
            _user_of_session(), {"user_id": int(user_id), "key": key}
        ).first()
        if found is None:
            return None
        user, last_seen = found
        fragments.keep(kept_key, (kept_rows.snapshot(user, _KEPT_RELATIONS), last_seen),
                       fragments.ACCOUNTS)  # fmt: skip
    else:
        values, last_seen = kept
        user = kept_rows.revive_on_use(values)
    idle = utcnow() - last_seen
    if idle > idle_limit():
        return None  # unused longer than a remember cookie lives; log_in deletes such records
    user.session_key = key
    if idle > SEEN_EVERY:
        _touch(key)
        fragments.keep(kept_key, (kept_rows.snapshot(user, _KEPT_RELATIONS), utcnow()),
                       fragments.ACCOUNTS)  # fmt: skip
    return user


# What a page reads of the user's relations (loaded with the user): kept with it, since the
# revived user stays out of the session until the request uses the session
# (kept_rows.revive_on_use), and nothing can load meanwhile. A write to a department or a
# district renews what is kept of accounts (core/pagecache.py).
_KEPT_RELATIONS = {"department": {}, "district": {}}

# Loading the user is the one query every logged-in page makes. Each worker keeps the account's
# columns under the accounts version (core/pagecache.py), like a fragment: every change to an
# account or a session record (log-out, blocking, a new role, a password) is a write that renews
# it, and a version lives a minute at most; supports and comments leave it alone. The user is
# revived into this request's session, so that changes to it are saved as usual.


@functools.cache
def _user_of_session():
    """Built once (every logged-in request runs it; building costs more than running it)."""
    from engage.accounts.models import User, UserSession

    return (
        select(User, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == bindparam("user_id"), UserSession.id == bindparam("key"),
               User.deleted_at.is_(None))
    )  # fmt: skip


def idle_limit() -> timedelta:
    """A record unused this long is dead: the remember cookie's lifetime (Flask-Login's
    default: 365 days); last_seen_at is refreshed hourly while it is in use."""
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
    return duration if isinstance(duration, timedelta) else timedelta(seconds=int(duration))


def _touch(key: str) -> None:
    """Note that the session is in use, in its own short transaction (the request's own unit of
    work may be read-only and is never committed)."""
    from engage.accounts.models import UserSession

    with db.engine.begin() as connection:
        connection.execute(
            update(UserSession).where(UserSession.id == key).values(last_seen_at=utcnow())
        )


def log_in(user, remember: bool = False) -> None:
    """Start a session record for user in this browser and log it in (commits)."""
    from engage.accounts.models import UserSession

    key = secrets.token_urlsafe(32)
    agent = request.user_agent.string[:120] if request.user_agent.string else None
    # Browsers that never logged out leave records behind; the user's dead ones go now.
    dead = utcnow() - idle_limit()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.last_seen_at < dead)
    )
    db.session.add(UserSession(id=key, user_id=user.id, user_agent=agent))
    user.last_login_at = utcnow()  # (also after registering, a reset or an invitation)
    db.session.commit()
    user.session_key = key
    login_user(user, remember=remember)


def use_language_in_browser(language: str | None) -> None:
    """This browser's language switch set to the language (None: the browser's own), and this
    request's messages from now on in it: after a log-out or a deletion the account's choice
    stays with the pages that follow, and a choice saved in the account replaces the switch's."""
    from flask import session
    from flask_babel import refresh

    if language in current_app.config["LANGUAGES"]:
        session["locale"] = language
    else:
        session.pop("locale", None)
    refresh()


def log_out() -> None:
    """End this browser's session: its record is deleted, so copied cookies stop working too."""
    from engage.accounts.models import UserSession

    key = getattr(current_user, "session_key", None) if current_user.is_authenticated else None
    if key:
        db.session.execute(delete(UserSession).where(UserSession.id == key))
        db.session.commit()
    logout_user()


def has_remember_cookie() -> bool:
    return bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME",
                                                           "remember_token")))  # fmt: skip
