"""Whole-page cache for visitors without a session, shared by all workers through Redis.

A page is stored with the content version it was rendered at; every commit that changed data
raises the version, so the next visitor gets a fresh page. Pages also expire after a minute,
because some content changes with the clock alone (phases, scheduled announcements).
Anyone with a session (logged in, a chosen language, a form in progress) bypasses the cache.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

VERSION_KEY = "engage:content-version"
PAGE_PREFIX = "engage:page:"
TTL_SECONDS = 60
SKIPPED_PREFIXES = ("/static/", "/auth/", "/account", "/healthz", "/admin", "/moderation",
                    "/reports", "/notifications", "/language")  # fmt: skip


def _client():
    return current_app.extensions.get("engage_page_cache")


def _key() -> str | None:
    """The cache key for this request, or None when it must not be served from the cache."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(SKIPPED_PREFIXES):
        return None
    cookies = request.cookies
    if current_app.config["SESSION_COOKIE_NAME"] in cookies or "remember_token" in cookies:
        return None
    locale = request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "de"
    return f"{PAGE_PREFIX}{locale}:{request.full_path}"


def _serve_cached() -> Response | None:
    key = _key()
    if key is None:
        return None
    g.page_cache_key = key
    try:
        version, stored = _client().mget(VERSION_KEY, key)
    except Exception:  # noqa: BLE001 (Redis away: render the page as if there were no cache)
        log.warning("page cache unavailable", exc_info=True)
        return None
    version = (version or b"0").decode()
    g.page_cache_version = version
    if stored is None:
        return None
    stored_version, _, body = stored.partition(b"\n")
    if stored_version.decode() != version:
        return None
    g.page_cache_hit = True
    response = Response(body, mimetype="text/html")
    response.headers["X-Engage-Cache"] = "hit"
    return response


def _store(response: Response) -> Response:
    key = g.get("page_cache_key")
    if key is None or g.get("page_cache_hit") or "page_cache_version" not in g:
        return response
    if response.status_code != 200 or response.mimetype != "text/html" or session.modified:
        return response  # a flash message or a form's token belongs to one visitor only
    try:
        _client().set(key, g.page_cache_version.encode() + b"\n" + response.get_data(),
                      ex=TTL_SECONDS)  # fmt: skip
    except Exception:  # noqa: BLE001
        log.warning("page cache unavailable", exc_info=True)
    response.headers["X-Engage-Cache"] = "miss"
    return response


def _note_change(session_, *args) -> None:
    session_.info["engage_changed"] = True


def _note_dml(orm_execute_state) -> None:
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info["engage_changed"] = True


def _bump_version(session_) -> None:
    if not session_.info.pop("engage_changed", False):
        return
    client = _client() if has_app_context() else None
    if client is None:
        return
    try:
        client.incr(VERSION_KEY)
    except Exception:  # noqa: BLE001
        log.warning("page cache version not raised", exc_info=True)


def _forget_change(session_) -> None:
    session_.info.pop("engage_changed", None)


def init_app(app: Flask) -> None:
    """Switch the cache on when Redis is configured (and ENGAGE_PAGE_CACHE is not off)."""
    url = app.config.get("REDIS_URL")
    if not url or not app.config.get("PAGE_CACHE", True):
        return
    import redis

    app.extensions["engage_page_cache"] = redis.Redis.from_url(
        url, socket_timeout=0.25, socket_connect_timeout=0.25)  # fmt: skip
    app.before_request(_serve_cached)
    app.after_request(_store)
    if not event.contains(Session, "after_flush", _note_change):
        event.listen(Session, "after_flush", _note_change)
        event.listen(Session, "do_orm_execute", _note_dml)
        event.listen(Session, "after_commit", _bump_version)
        event.listen(Session, "after_rollback", _forget_change)
