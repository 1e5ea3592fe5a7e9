"""Finished reports kept for a few minutes, so that a council session sees consistent figures.

Reports are shown "as of" the moment they were computed; a council session needs consistent
figures, not to-the-second ones. Without Redis every view computes afresh.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import get_locale

from engage.core.types import utcnow
from engage.reports import tables
from engage.reports.scope import ReportScope

log = logging.getLogger(__name__)
TTL_SECONDS = 300
PREFIX = "engage:report:"
DASHBOARD_SUFFIX = ":dashboard"
HTML_SUFFIX = ":html:"
DASHBOARD_ROWS = {"outcomes": 50}  # the dashboard shows the first rows of these tables


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


def _get(client, key: str):
    try:
        return client.get(key)
    except Exception:  # noqa: BLE001 (no cache: compute)
        log.warning("report cache unavailable", exc_info=True)
        return None


def report(scope: ReportScope, refresh: bool = False,
           dashboard: bool = False) -> tuple[dict[str, tables.Table], datetime]:  # fmt: skip
    """The report's tables and when they were computed (from the cache when fresh).

    Each computation is kept twice: whole (print view, exports) and as the dashboard shows it,
    with only its first rows of the long tables and every cell's text already formatted, so
    that a dashboard from the cache reads a few kilobytes and formats nothing.
    """
    client = _redis()
    key = _key(scope)
    if client is not None and not refresh:
        stored = _get(client, key + DASHBOARD_SUFFIX if dashboard else key)
        if stored:
            stamp, _, body = stored.decode().partition("\n")
            return tables.from_json(body), datetime.fromisoformat(stamp)
    computed_at = utcnow()
    result = tables.all_tables(scope)
    if client is not None:
        stamp = computed_at.isoformat() + "\n"
        try:
            pipe = client.pipeline(transaction=False)
            pipe.set(key, stamp + tables.to_json(result), ex=TTL_SECONDS)
            pipe.set(key + DASHBOARD_SUFFIX, stamp + tables.to_json(
                result, DASHBOARD_ROWS, shown=True), ex=TTL_SECONDS)  # fmt: skip
            pipe.execute()
        except Exception:  # noqa: BLE001
            log.warning("report cache unavailable", exc_info=True)
    return result, computed_at


def dashboard(scope: ReportScope, variant: str, render: Callable[[dict], str],
              refresh: bool = False) -> tuple[str, datetime]:  # fmt: skip
    """The dashboard's report part as HTML, and when its figures were computed.

    The part is the same for everyone with the same filters (variant: the query string, which
    its links repeat), so it is kept rendered until its report expires: a dashboard from the
    cache formats and renders nothing of the report.
    """
    client = _redis()
    key = f"{_key(scope)}{HTML_SUFFIX}{hashlib.sha256(variant.encode()).hexdigest()[:16]}"
    if client is not None and not refresh:
        stored = _get(client, key)
        if stored:
            stamp, _, html = stored.decode().partition("\n")
            return html, datetime.fromisoformat(stamp)
    tables_, computed_at = report(scope, refresh=refresh, dashboard=True)
    html = render(tables_)
    left = TTL_SECONDS - int((utcnow() - computed_at).total_seconds())
    if client is not None and left > 0:
        try:
            client.set(key, computed_at.isoformat() + "\n" + html, ex=left)
        except Exception:  # noqa: BLE001
            log.warning("report cache unavailable", exc_info=True)
    return html, computed_at
