"""The versions of core/pagecache.py, kept by each worker until Redis says that one changed.

Every request that may use kept fragments or the kept user read the versions from Redis (one
MGET). Through gunicorn that round trip cost a trivial route 40 % of its throughput (4,363 →
2,654 req/s in bench/run on 2026-12-03): more than everything else a logged-in no-op does.
Redis can tell a client when keys change (client tracking in broadcast mode, Redis 6 and
later): each worker holds one connection on which Redis sends a message whenever a version key
is written, by any instance. A request reads whatever arrived there without waiting (one
non-blocking receive); if nothing did, the versions read last still hold, else they are read
again. The messages are never parsed: any byte is a change, an empty read a closed connection.

Why this is as current as reading every time:
- a message is queued by Redis while it executes the write, so a read (MGET) that Redis runs
  after the write sees the new value, and one it ran before is followed by the message. The
  versions are kept only when the connection was watched before they were read;
- another worker learns of a write while Redis sends its answer to the writer; the writer's
  visitor then needs a whole round trip (answer, redirect, next request) to ask again;
- the writing worker itself forgets its kept versions at once (`forget`), without waiting for
  its own message;
- in a threaded server, values that one request read are not kept if another took in a
  message, or wrote, while it was reading (kept() hands out a token that keep() checks);
- a connection that breaks costs at most `MAX_AGE_SECONDS`: kept versions are read again
  after that in any case, and a quiet connection is asked for an answer then (PING); one that
  gives none within `PONG_WAIT_SECONDS` is replaced.
Without a working watch every request reads the versions, as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import ssl
import threading
import time

from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

INVALIDATIONS = "__redis__:invalidate"
MAX_AGE_SECONDS = 1.0
RETRY_SECONDS = 1.0  # (after a failed connection: not a connect timeout on every request)
PONG_WAIT_SECONDS = 1.0  # (a ping unanswered this long: the connection is gone)


class VersionWatch:
    """One worker's watched copy of the version keys (names that no other key begins with)."""

    def __init__(self, client, keys: tuple[str, ...]) -> None:
        self._client = client
        self._keys = keys
        self._lock = threading.Lock()  # (a threaded server's requests share the watch)
        self._pid: int | None = None
        self._connection = None
        self._socket = None
        self._retry_at = 0.0
        self._values: list | None = None
        self._read_at = 0.0
        self._changes = 0  # (raised by every message, (re)connection and forget())
        self._ping_sent_at: float | None = None
        self.client_id = None  # (Redis's id of the watch connection)

    def kept(self) -> tuple[list | None, int | None]:
        """(the values read last, None) if no key changed since. Else (None, token): read the
        values from Redis and hand them to keep() with the token."""
        with self._lock:
            quiet = self._nothing_arrived()
            watching = quiet is not None
            if quiet and self._values is not None:
                if time.monotonic() - self._read_at < MAX_AGE_SECONDS:
                    return self._values, None
                self._ping()  # (a second without a message: is the connection still there?)
            self._values = None
            # Values read from now on are current until the next message: kept, unless one
            # arrives (or forget() is called) before they are handed in.
            return None, (self._changes if watching else None)

    def keep(self, values: list, token: int | None) -> None:
        """Values read after kept() gave the token: kept if nothing changed in between."""
        if token is None:
            return
        with self._lock:
            if token == self._changes and self._socket is not None:
                self._values = values
                self._read_at = time.monotonic()

    def forget(self) -> None:
        """This worker wrote a version: the next request reads them again."""
        with self._lock:
            self._values = None
            self._changes += 1

    def _nothing_arrived(self) -> bool | None:
        """Reads what Redis sent: True if nothing, False if a change (now taken in), None
        without a working watch connection."""
        sock = self._open_socket()
        if sock is None:
            return None
        arrived = False
        try:
            while True:
                if not sock.recv(65536):
                    raise ConnectionError("Redis closed the watch connection")
                arrived = True
        except (BlockingIOError, ssl.SSLWantReadError):
            if arrived:
                self._changes += 1
                self._ping_sent_at = None  # (the answer to a ping counts as a change too)
            elif (self._ping_sent_at is not None
                  and time.monotonic() - self._ping_sent_at > PONG_WAIT_SECONDS):  # fmt: skip
                log.warning("version watch unanswered; connecting again")
                self._close()
                return None
            return not arrived
        except (OSError, ConnectionError):
            log.warning("version watch lost; reading versions on every request", exc_info=True)
            self._close()
            return None

    def _ping(self) -> None:
        """Ask for an answer on the watch connection. A connection that a firewall dropped
        without a word would otherwise stay quiet for ever, and every change would be seen
        only when the kept values are a second old."""
        if self._ping_sent_at is not None:
            return
        try:
            self._socket.send(b"*1\r\n$4\r\nPING\r\n")  # (PING, allowed while subscribed)
        except (OSError, ssl.SSLError):
            self._close()
            return
        self._ping_sent_at = time.monotonic()

    def _open_socket(self):
        if self._pid != os.getpid():  # (a forked worker: the parent's connection is not ours)
            self._connection = self._socket = None
            self._pid = os.getpid()
        if self._socket is None and time.monotonic() >= self._retry_at:
            try:
                self._connect()
            except ResponseError:  # (a Redis before 6.0, or one that forbids CLIENT)
                log.warning("Redis refused to watch the versions: read on every request",
                            exc_info=True)  # fmt: skip
                self._close()
                self._retry_at = float("inf")  # (asking again would be refused again)
            except Exception:  # noqa: BLE001 (Redis away: versions are read as before)
                log.warning("version watch unavailable", exc_info=True)
                self._close()
                self._retry_at = time.monotonic() + RETRY_SECONDS
        return self._socket

    def _connect(self) -> None:
        connection = self._client.connection_pool.make_connection()
        connection.connect()  # (address, password, database and TLS as the client has them)
        self._connection = connection
        connection.send_command("CLIENT", "ID")
        own_id = self.client_id = connection.read_response()
        prefixes = [part for key in self._keys for part in ("PREFIX", key)]
        connection.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", *prefixes)
        if connection.read_response() not in (b"OK", "OK"):
            raise ResponseError("Redis refused client tracking")
        connection.send_command("SUBSCRIBE", INVALIDATIONS)
        sock = connection._sock  # (redis-py's socket: read without its parser, see above)
        confirmation = b""
        while b"subscribe" not in confirmation:  # (RESP2 or RESP3, whichever the client spoke)
            received = sock.recv(65536)
            if not received:
                raise ConnectionError("Redis closed the watch connection")
            confirmation += received
        sock.setblocking(False)
        self._values = None  # (what arrived with the confirmation is not looked at: read anew)
        self._changes += 1
        self._socket = sock

    def _close(self) -> None:
        self._values = None
        self._changes += 1
        self._ping_sent_at = None
        connection, self._connection, self._socket = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # (closing a broken connection)
                connection.disconnect()
