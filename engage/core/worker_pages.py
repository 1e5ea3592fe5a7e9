"""Visitors' pages that this worker served lately, kept beside the page cache's copy in Redis.

A visitor's page from Redis still costs one round trip: through gunicorn on two cores that is
about as much machine time as everything else such a request does. When the worker knows
every version without asking Redis (core/version_watch.py), a page it rendered or fetched
under the current content version is served from its memory. A page is kept only under the
content version it was rendered at (the store starts empty for a new one, so one write empties
it) and no longer than it is kept in Redis, counted from when it was rendered: pages that
change with the clock alone (phases, scheduled announcements) are no older than there.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_PAGES = 400
MAX_BYTES = 8_000_000  # (a proposal's page with its comments is ~120 kB)


class WorkerPages:
    def __init__(self, max_pages: int = MAX_PAGES, max_bytes: int = MAX_BYTES) -> None:
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self._lock = threading.Lock()  # (a threaded server's requests share the store)
        self._version: str | None = None
        self._pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0

    def get(self, version: str, key: str) -> bytes | None:
        """The page kept under key at this content version, if it has not expired."""
        with self._lock:
            entry = self._pages.get(key) if version == self._version else None
            if entry is None:
                return None
            if time.time() >= entry[0]:  # (wall clock: another worker may have rendered it)
                self._bytes -= len(self._pages.pop(key)[1])
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def put(self, version: str, key: str, body: bytes, expires_at: float) -> None:
        if len(body) > self.max_bytes // 4 or expires_at <= time.time():
            return
        with self._lock:
            if version != self._version:
                self._version, self._pages, self._bytes = version, OrderedDict(), 0
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._pages[key] = (expires_at, body)
            self._bytes += len(body)
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                self._bytes -= len(self._pages.popitem(last=False)[1][1])

    def clear(self) -> None:
        with self._lock:
            self._version, self._pages, self._bytes = None, OrderedDict(), 0
