"""Whole-page cache for visitors without a session, shared by all workers through Redis.

A page is stored with the content version it was rendered at; every commit that changed data
raises the version, so the next visitor gets a fresh page. Accounts have a version of their own
(`ACCOUNTS_KEY`): what each worker keeps of a logged-in user must outlive the supports and
comments written in between, but not a log-out. A change to a session record raises only the
accounts version; a change to an account raises both, since pages show names. Processes (with
their phases), departments and districts have one too (`PROCESSES_KEY`): what a support's
permission check reads of them, and the report's filter choices, outlive supports. Pages also
expire after a minute, because some content changes with the clock alone (phases, scheduled
announcements): a minute from the oldest kept fragment they show (core/fragments.py).
A page is stored with the epoch of the versions too (`EPOCH_KEY`: after Redis was emptied
the count starts again) and the time it counts from; while a worker knows every version
without asking (core/version_watch.py), it serves its own copy (core/worker_pages.py).
Anyone with a session (logged in, a chosen language, a form in progress) bypasses the cache.
"""

from __future__ import annotations

import logging
import secrets
import time

from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, scoped_session

from engage.core.version_watch import PERSONAL_ALL, PERSONAL_PREFIX
from engage.core.worker_pages import WorkerPages
from engage.i18n import browser_language

log = logging.getLogger(__name__)
_worker_pages = WorkerPages()  # (this worker's copies of visitors' pages)

VERSION_KEY = "engage:content-version"
ACCOUNTS_KEY = "engage:accounts-version"
PROCESSES_KEY = "engage:processes-version"
NAMES_KEY = "engage:names-version"
EPOCH_KEY = "engage:content-epoch"
PAGE_PREFIX = "engage:page:"
TTL_SECONDS = 60
SKIPPED_PREFIXES = ("/static/", "/auth/", "/account", "/healthz", "/admin", "/moderation",
                    "/reports", "/notifications", "/language")  # fmt: skip
UNVERSIONED_PREFIXES = ("/static/", "/healthz")  # (they load nothing that is kept)


CONTENT, ACCOUNTS, PROCESSES, NAMES = "content", "accounts", "processes", "names"
# What a write to these tables changes; a write to any other table changes content only.
# NAMES: what pages show of people and departments next to their posts (kept replies).
_OF_PROCESSES = frozenset({PROCESSES, CONTENT})
_AREAS_OF_TABLE = {"user_session": frozenset({ACCOUNTS}),
                   "user_account": frozenset({ACCOUNTS, CONTENT, NAMES}),
                   "process": _OF_PROCESSES, "phase": _OF_PROCESSES,
                   # (accounts: a kept user holds their department and district)
                   "department": frozenset({PROCESSES, CONTENT, NAMES, ACCOUNTS}),
                   "district": frozenset({PROCESSES, CONTENT, ACCOUNTS})}  # fmt: skip
_CONTENT_ONLY = frozenset({CONTENT})
# Columns of an account that no page shows: a change of only these (a log-in notes its time)
# renews what workers keep of accounts, not the pages.
_UNSHOWN_ACCOUNT_COLUMNS = frozenset({"last_login_at", "password_hash"})
_KEY_OF_AREA = {CONTENT: VERSION_KEY, ACCOUNTS: ACCOUNTS_KEY, PROCESSES: PROCESSES_KEY,
                NAMES: NAMES_KEY}  # fmt: skip
# Rows that make up what one user did on proposals and threads (core/personal.py), by table:
# the column naming the user whose personal key a write to the row raises.
PERSONAL_COLUMNS = {"support": "user_id", "follow": "user_id", "rating": "user_id",
                    "flag": "user_id", "reaction": "user_id", "comment": "author_id",
                    "signup": "user_id"}  # fmt: skip
EVERYONE = "all"  # (a personal write whose users are not known)
_OTHER_AREAS = (ACCOUNTS, PROCESSES, NAMES)  # read with the content version and the epoch
_AREA_KEYS = tuple(_KEY_OF_AREA[area] for area in _OTHER_AREAS)
_ALL_KEYS = (VERSION_KEY, EPOCH_KEY, *_AREA_KEYS)


def _client():
    return current_app.extensions.get("engage_page_cache")


def _key() -> str | None:
    """The cache key for this request, or None when it must not be served from the cache."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(SKIPPED_PREFIXES):
        return None
    cookies = request.cookies
    if current_app.config["SESSION_COOKIE_NAME"] in cookies or "remember_token" in cookies:
        return None
    locale = browser_language() or "de"
    return f"{PAGE_PREFIX}{locale}:{request.full_path}"


def _serve_cached() -> Response | None:
    key = _key()
    if key is None:
        if not request.path.startswith(UNVERSIONED_PREFIXES):
            # Read before any data, for the fragments and the kept user (core/fragments.py);
            # a form sent (POST) needs the user as much as a page does.
            read_versions()
        return None
    g.page_cache_key = key
    # The page is read with the versions (one MGET) unless the watch holds every version:
    # then this worker's own copy may do without Redis (core/worker_pages.py).
    values = _read_versions(_ALL_KEYS, also=key)
    if values is None:
        return None
    _remember(values[VERSION_KEY], values[EPOCH_KEY], [values[k] for k in _AREA_KEYS])
    # With the epoch: after Redis was emptied the count starts again, and a page rendered
    # before (stored after the emptying) must not pass for one of the new count.
    kept_under = worker_version(CONTENT)
    if kept_under is None:
        return None
    if key in values:
        stored = values[key]
    else:
        body = _worker_pages.get(kept_under, key)
        if body is not None:
            return _hit(body)
        try:
            stored = _client().get(key)
        except Exception:  # noqa: BLE001 (Redis away: render the page as if there were no cache)
            log.warning("page cache unavailable", exc_info=True)
            return None
    if stored is None:
        return None
    header, _, body = stored.partition(b"\n")
    stored_version, _, rendered_at = header.decode(errors="replace").partition(" ")
    if stored_version != kept_under:
        return None
    if rendered_at.replace(".", "", 1).isdigit():
        _worker_pages.put(kept_under, key, body, float(rendered_at) + TTL_SECONDS)
    return _hit(body)


def forget_worker_pages() -> None:
    _worker_pages.clear()


def _hit(body: bytes) -> Response:
    g.page_cache_hit = True
    response = Response(body, mimetype="text/html")
    response.headers["X-Engage-Cache"] = "hit"
    return response


def content_version() -> str | None:
    """The content version, read once per request; None without Redis (nothing may be kept).

    It must be read before the data a cached fragment shows: a version read afterwards could
    already count a change that the data, read earlier, misses. A form sent (POST) reads only
    the other areas' versions at its start (a support needs the kept user and process, not
    content); if it asks for the content version later, what it renders then is not kept.
    """
    if "page_cache_version" in g:
        return g.page_cache_version
    if _client() is None:
        return None
    if "area_versions" in g:  # (a form sent, asking later)
        values = _read_versions((VERSION_KEY,))
        if values is None:
            return None
        g.page_cache_version = (values[VERSION_KEY] or b"0").decode()
        return g.page_cache_version
    values = _read_versions(_ALL_KEYS)
    if values is None:
        return None
    return _remember(values[VERSION_KEY], values[EPOCH_KEY], [values[k] for k in _AREA_KEYS])


def read_versions() -> None:
    """Before a request that loads data: the versions it may use kept things of (see
    content_version)."""
    if not reads_content_late():
        content_version()
        return
    if _client() is None:
        return
    values = _read_versions((EPOCH_KEY, *_AREA_KEYS))
    if values is not None:
        _remember_areas(values[EPOCH_KEY], [values[k] for k in _AREA_KEYS])


def reads_content_late() -> bool:
    """Whether this request reads the content version only when it asks, perhaps after data it
    loaded (a form sent): it may use what is kept of content, but keeps none."""
    return request.method not in ("GET", "HEAD")


def _read_versions(keys: tuple[str, ...], also: str | None = None) -> dict | None:
    """The keys' values: those the watch kept (core/version_watch.py), the others read from
    Redis in one MGET, with the key `also` when there is a read anyway (it is missing from
    the answer when there was none); None when Redis cannot be reached."""
    watch = current_app.extensions.get("engage_version_watch")
    values, token = watch.kept() if watch is not None else ({}, None)
    missing = [key for key in keys if key not in values]
    if missing:
        asked = missing if also is None else [*missing, also]
        try:
            read = dict(zip(asked, _client().mget(*asked), strict=True))
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)
            return None
        if watch is not None:
            watch.keep({key: read[key] for key in missing}, token)
        values.update(read)
    return values


def _remember(version: bytes | None, epoch: bytes | None, areas: list) -> str:
    g.page_cache_version = (version or b"0").decode()
    _remember_areas(epoch, areas)
    return g.page_cache_version


def _remember_areas(epoch: bytes | None, areas: list) -> None:
    g.area_versions = {area: (value or b"0").decode()
                       for area, value in zip(_OTHER_AREAS, areas, strict=True)}  # fmt: skip
    g.content_epoch = epoch


def worker_version(area: str = CONTENT) -> str | None:
    """The version under which a worker may keep things of an area (content, accounts or
    processes) in its memory (core/fragments.py).

    It is the area's version read at the start of this request (never later; for content in
    a form sent, see content_version), prefixed by the epoch of the Redis data: when Redis
    starts empty, the count starts again at 0, and the new epoch keeps the old version numbers
    from meaning the old content.
    """
    if area == CONTENT:
        version = g.get("page_cache_version")
        if version is None and "area_versions" in g:
            version = content_version()
    else:
        areas = g.get("area_versions")
        version = None if areas is None else areas[area]
    if version is None:
        return None
    epoch = g.get("content_epoch")
    if epoch is None:
        try:
            _client().set(EPOCH_KEY, secrets.token_hex(8), nx=True)
            epoch = _client().get(EPOCH_KEY)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)
            return None
        if epoch is None:
            return None
        g.content_epoch = epoch
    return f"{epoch.decode()}:{version}"


def _store(response: Response) -> Response:
    key = g.get("page_cache_key")
    if key is None or g.get("page_cache_hit") or "page_cache_version" not in g:
        return response
    if response.status_code != 200 or response.mimetype != "text/html" or session.modified:
        return response  # a flash message or a form's token belongs to one visitor only
    from engage.core.fragments import db_changed, kept_seconds

    if db_changed():
        return response  # (it shows changes not committed yet)
    kept_under = worker_version(CONTENT)  # (the version read at the start, with its epoch)
    if kept_under is None:
        return response
    # As old as the oldest kept fragment in it: kept no longer than a minute from then.
    age = kept_seconds()
    if age >= TTL_SECONDS - 1:
        return response
    body, rendered_at = response.get_data(), time.time() - age
    try:
        _client().set(key, f"{kept_under} {rendered_at:.3f}\n".encode() + body,
                      ex=TTL_SECONDS - int(age))  # fmt: skip
    except Exception:  # noqa: BLE001
        log.warning("page cache unavailable", exc_info=True)
        return response
    _worker_pages.put(kept_under, key, body, rendered_at + TTL_SECONDS)
    response.headers["X-Engage-Cache"] = "miss"
    return response


def _changed(session_, areas: frozenset[str]) -> None:
    """Note the areas this transaction changed (session.info["engage_changed"], a set)."""
    noted = session_.info.get("engage_changed")
    if noted is None:
        session_.info["engage_changed"] = set(areas)
        _note_in_request(session_, changed=True)
    else:
        noted |= areas


# In g: the ids of this request's sessions holding uncommitted changes (fragments.db_changed).
CHANGED_SESSIONS = "engage_changed_sessions"


def _note_in_request(session_, changed: bool) -> None:
    """Which sessions of this request hold uncommitted changes, in g (fragments.db_changed)."""
    if not has_app_context():
        return
    if isinstance(session_, scoped_session):
        session_ = session_()  # (note_written is given db.session; the events, the session)
    sessions = g.get(CHANGED_SESSIONS)
    if changed:
        if sessions is None:
            setattr(g, CHANGED_SESSIONS, {id(session_)})
        else:
            sessions.add(id(session_))
    elif sessions:
        sessions.discard(id(session_))


def _personal(session_, users) -> None:
    """Note users whose personal rows this transaction wrote (EVERYONE: not known which)."""
    noted = session_.info.get("engage_personal")
    if noted is None:
        noted = session_.info["engage_personal"] = set()
    noted.update(users)


def _users_of(obj, column: str) -> set:
    # (the user before and after the change: a row handed to another user changes both)
    history = inspect(obj).attrs[column].history
    users = {*history.added, *history.deleted, *history.unchanged}
    return {EVERYONE} if None in users or not users else users


def _note_change(session_, flush_context) -> None:
    # (after_flush: new, dirty and deleted still hold what was just written)
    areas = set()
    for obj in (*session_.new, *session_.dirty, *session_.deleted):
        table = getattr(type(obj), "__tablename__", None)
        column = PERSONAL_COLUMNS.get(table)
        if column is not None:
            _personal(session_, _users_of(obj, column))
        if table == "user_account" and obj in session_.dirty and _only_unshown_columns(obj):
            areas.add(ACCOUNTS)
            continue
        areas |= _AREAS_OF_TABLE.get(table, _CONTENT_ONLY)
    _changed(session_, frozenset(areas) or _CONTENT_ONLY)


def _only_unshown_columns(account) -> bool:
    changed = {attr.key for attr in inspect(account).attrs if attr.history.has_changes()}
    return bool(changed) and changed <= _UNSHOWN_ACCOUNT_COLUMNS


def _note_dml(orm_execute_state) -> None:
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        table = getattr(getattr(orm_execute_state.statement, "table", None), "name", None)
        _changed(orm_execute_state.session, _AREAS_OF_TABLE.get(table, _CONTENT_ONLY))
        if table in PERSONAL_COLUMNS:
            # Whose rows a statement changes is not known unless it says (of_user).
            user = orm_execute_state.execution_options.get("engage_personal_user")
            _personal(orm_execute_state.session, {EVERYONE if user is None else user})


def of_user(user_id: int) -> dict:
    """Execution options for a DML statement on personal rows (PERSONAL_COLUMNS) that changes
    only the user's own: `session.execute(statement, execution_options=of_user(id))`."""
    return {"engage_personal_user": user_id}


def note_written(session_, table: str, user_id: int | None = None) -> None:
    """Note a write that bypassed the ORM (a Core statement run on the session's connection),
    so that the commit raises the versions of what it changed (and, for personal rows, the
    user's personal key: everyone's if user_id is not given)."""
    _changed(session_, _AREAS_OF_TABLE.get(table, _CONTENT_ONLY))
    if table in PERSONAL_COLUMNS:
        _personal(session_, {EVERYONE if user_id is None else user_id})


def _bump_version(session_) -> None:
    _note_in_request(session_, changed=False)
    areas = session_.info.pop("engage_changed", None)
    users = session_.info.pop("engage_personal", None)  # (noted only with areas changed)
    if not areas:
        return
    client = _client() if has_app_context() else None
    if client is None:
        return
    everyone = users is not None and EVERYONE in users
    watch = current_app.extensions.get("engage_version_watch")
    if watch is not None:  # (this worker's next request reads the raised versions)
        watch.forget(tuple(_KEY_OF_AREA[area] for area in areas))
        if users:
            watch.forget_personal(None if everyone else users)
    try:
        with client.pipeline(transaction=False) as pipe:
            for area in sorted(areas):
                pipe.incr(_KEY_OF_AREA[area])
            personal_keys = [PERSONAL_ALL] if everyone else [
                f"{PERSONAL_PREFIX}{user}" for user in sorted(users or ())]  # fmt: skip
            for key in personal_keys:
                pipe.incr(key)
            pipe.execute()
    except Exception:  # noqa: BLE001
        log.warning("page cache version not raised", exc_info=True)


def _forget_change(session_) -> None:
    _note_in_request(session_, changed=False)
    session_.info.pop("engage_changed", None)
    session_.info.pop("engage_personal", None)


def init_app(app: Flask) -> None:
    """Switch the cache on when Redis is configured (and ENGAGE_PAGE_CACHE is not off)."""
    from engage.core.fragments import FragmentCacheExtension, draft_owner, row_state, viewer_name

    app.jinja_env.add_extension(FragmentCacheExtension)  # {% cache %} works with or without Redis
    app.jinja_env.globals["row_state"] = row_state
    app.jinja_env.globals["draft_owner"] = draft_owner
    app.jinja_env.globals["viewer_name"] = viewer_name
    url = app.config.get("REDIS_URL")
    if not url or not app.config.get("PAGE_CACHE", True):
        return
    import redis

    client = app.extensions["engage_page_cache"] = redis.Redis.from_url(
        url, socket_timeout=0.25, socket_connect_timeout=0.25)  # fmt: skip
    from engage.core.version_watch import VersionWatch

    app.extensions["engage_version_watch"] = VersionWatch(client, _ALL_KEYS)
    app.before_request(_serve_cached)
    app.after_request(_store)
    if not event.contains(Session, "after_flush", _note_change):
        event.listen(Session, "after_flush", _note_change)
        event.listen(Session, "do_orm_execute", _note_dml)
        event.listen(Session, "after_commit", _bump_version)
        event.listen(Session, "after_rollback", _forget_change)
