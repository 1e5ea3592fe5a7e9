"""Finished reports kept for a few minutes: over a whole city the figures take seconds.

Reports are shown "as of" the moment they were computed; a council session needs consistent
figures, not to-the-second ones. Without Redis every view computes afresh.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import get_locale

from engage.core.types import utcnow
from engage.reports import tables
from engage.reports.scope import ReportScope

log = logging.getLogger(__name__)
TTL_SECONDS = 300
PREFIX = "engage:report:"


def _redis():
    """One client (and connection pool) per app, made on first use, not one per request."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    if "engage_report_cache" not in current_app.extensions:
        import redis

        current_app.extensions["engage_report_cache"] = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.25)  # fmt: skip
    return current_app.extensions["engage_report_cache"]


def _key(scope: ReportScope) -> str:
    parts = [f"{k}={v}" for k, v in sorted(vars(scope).items())]
    return f"{PREFIX}{get_locale()}:" + "&".join(parts)


def report(scope: ReportScope, refresh: bool = False) -> tuple[dict[str, tables.Table], datetime]:
    """The report's tables and when they were computed (from the cache when fresh)."""
    client = _redis()
    key = _key(scope)
    if client is not None and not refresh:
        try:
            stored = client.get(key)
        except Exception:  # noqa: BLE001 (no cache: compute)
            log.warning("report cache unavailable", exc_info=True)
            stored = None
        if stored:
            stamp, _, body = stored.decode().partition("\n")
            return tables.from_json(body), datetime.fromisoformat(stamp)
    computed_at = utcnow()
    result = tables.all_tables(scope)
    if client is not None:
        try:
            client.set(key, computed_at.isoformat() + "\n" + tables.to_json(result),
                       ex=TTL_SECONDS)  # fmt: skip
        except Exception:  # noqa: BLE001
            log.warning("report cache unavailable", exc_info=True)
    return result, computed_at
