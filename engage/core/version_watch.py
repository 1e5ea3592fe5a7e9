"""The versions of core/pagecache.py, kept by each worker until Redis says that one changed.

Every request that may use kept fragments or the kept user read the versions from Redis (one
MGET). Through gunicorn that round trip cost a trivial route 40 % of its throughput (4,363 →
2,654 req/s in bench/run on 2026-12-03): more than everything else a logged-in no-op does.
Redis can tell a client when keys change (client tracking in broadcast mode, Redis 6 and
later): each worker holds one connection on which Redis sends a message whenever a version key
is written, by any instance. A request takes in whatever arrived there without waiting (one
non-blocking receive); each message names the keys written, whose values are read again. The
others stay kept: a support raises only the content version, and the next support, which
needs only the accounts and processes versions (core/pagecache.py), reads none. Anything else
that arrives (a flush, a message not understood) counts as a change of every key; a message
only partly arrived counts once it is complete, as one still on its way.

Why this is as current as reading every time:
- a message is queued by Redis while it executes the write, so a read (MGET) that Redis runs
  after the write sees the new value, and one it ran before is followed by the message. The
  versions are kept only when the connection was watched before they were read;
- another worker learns of a write while Redis sends its answer to the writer; the writer's
  visitor then needs a whole round trip (answer, redirect, next request) to ask again;
- the writing worker itself forgets the versions it raised at once (`forget`), without
  waiting for its own message;
- in a threaded server, a value that one request read is not kept if another took in a
  message about its key, or wrote it, while it was reading (kept() hands out a token that
  keep() checks);
- a connection that breaks costs at most `MAX_AGE_SECONDS`: kept versions are read again
  after that in any case, and a quiet connection is asked for an answer then (PING); one that
  gives none within `PONG_WAIT_SECONDS` is replaced.
Without a working watch every request reads the versions, as before.

The same connection hears of each user's personal key (`PERSONAL_PREFIX` and the user's id,
raised by a commit that wrote the user's supports, follows, marks or posts; see
core/personal.py): `personal_token` gives a value that changes when such a message arrives,
when this worker wrote one itself, and whenever the connection is lost or made anew.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import ssl
import threading
import time

import hiredis
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

INVALIDATIONS = "__redis__:invalidate"
MAX_AGE_SECONDS = 1.0
RETRY_SECONDS = 1.0  # (after a failed connection: not a connect timeout on every request)
PONG_WAIT_SECONDS = 1.0  # (a ping unanswered this long: the connection is gone)
PERSONAL_PREFIX = "engage:personal:"
PERSONAL_ALL = PERSONAL_PREFIX + "all"  # (raised by a write whose users are not known)
MAX_PERSONAL_COUNTERS = 100_000
_serials = itertools.count()


class VersionWatch:
    """One worker's watched copy of the version keys (names that no other key begins with)."""

    def __init__(self, client, keys: tuple[str, ...]) -> None:
        self._client = client
        self._keys = keys
        self._names = {key.encode(): key for key in keys}
        self._lock = threading.Lock()  # (a threaded server's requests share the watch)
        self._pid: int | None = None
        self._connection = None
        self._socket = None
        self._reader = hiredis.Reader()
        self._retry_at = 0.0
        self._values: dict[str, bytes | None] = {}  # (the keys no message changed since read)
        self._read_at: dict[str, float] = {}
        self._changes = dict.fromkeys(keys, 0)  # (per key: raised by its messages, forget())
        self._ping_sent_at: float | None = None
        self.client_id = None  # (Redis's id of the watch connection)
        # Per user: raised by each message about the user's personal key; all of them count
        # from the generation (a new connection, a message not understood, PERSONAL_ALL).
        self._personal: dict[int, int] = {}
        self._personal_generation = 0
        self._serial = next(_serials)  # (tokens of two watches in one process never match)

    def kept(self) -> tuple[dict[str, bytes | None], dict | None]:
        """(the values of the keys that did not change since they were read, token). Read the
        others from Redis and hand them to keep() with the token (None: nothing will be kept,
        for want of a working watch)."""
        with self._lock:
            if not self._take_in():
                self._drop(self._keys)
                return {}, None
            now = time.monotonic()
            old = [key for key, at in self._read_at.items() if now - at >= MAX_AGE_SECONDS]
            if old:
                self._ping()  # (a second without a message: is the connection still there?)
                self._drop(old)
            return dict(self._values), dict(self._changes)

    def keep(self, values: dict[str, bytes | None], token: dict | None) -> None:
        """Values read after kept() gave the token: each kept if its key did not change in
        between."""
        if token is None:
            return
        with self._lock:
            if self._socket is None:
                return
            now = time.monotonic()
            for key, value in values.items():
                if token.get(key) == self._changes[key]:
                    self._values[key] = value
                    self._read_at[key] = now

    def forget(self, keys: tuple[str, ...] | None = None) -> None:
        """This worker wrote these keys (all if None): the next request reads them again."""
        with self._lock:
            self._drop(self._keys if keys is None else keys)

    def personal_token(self, user_id: int) -> tuple[int, int, int] | None:
        """A value that stays the same while nothing changed the user's personal rows (None
        without a working watch: nothing personal may be kept)."""
        with self._lock:
            if not self._take_in():
                return None
            return self._serial, self._personal_generation, self._personal.get(user_id, 0)

    def forget_personal(self, user_ids) -> None:
        """This worker wrote these users' personal rows (everyone's if None)."""
        with self._lock:
            if user_ids is None:
                self._forget_all_personal()
            else:
                self._raise_personal(user_ids)

    def _raise_personal(self, user_ids) -> None:
        if len(self._personal) >= MAX_PERSONAL_COUNTERS:
            self._forget_all_personal()  # (the counters start again from a new generation)
        for user_id in user_ids:
            self._personal[user_id] = self._personal.get(user_id, 0) + 1

    def _forget_all_personal(self) -> None:
        self._personal.clear()
        self._personal_generation += 1

    def _drop(self, keys) -> None:
        for key in keys:
            self._values.pop(key, None)
            self._read_at.pop(key, None)
            self._changes[key] += 1

    def _take_in(self) -> bool:
        """Takes in what Redis sent (dropping the keys it names): False without a working
        watch connection."""
        sock = self._open_socket()
        if sock is None:
            return False
        try:
            while True:
                received = sock.recv(65536)
                if not received:
                    raise ConnectionError("Redis closed the watch connection")
                self._reader.feed(received)
        except (BlockingIOError, ssl.SSLWantReadError):
            pass
        except (OSError, ConnectionError):
            log.warning("version watch lost; reading versions on every request", exc_info=True)
            self._close()
            return False
        try:
            while (message := self._reader.gets()) is not False:
                self._apply(message)
        except hiredis.ProtocolError:
            log.warning("version watch garbled; connecting again", exc_info=True)
            self._close()
            return False
        if (self._ping_sent_at is not None
                and time.monotonic() - self._ping_sent_at > PONG_WAIT_SECONDS):  # fmt: skip
            log.warning("version watch unanswered; connecting again")
            self._close()
            return False
        return True

    def _apply(self, message) -> None:
        """One message: the keys an invalidation names are dropped; a pong answers the ping;
        anything else (a flush names no keys) drops them all."""
        if isinstance(message, list) and len(message) == 3 and message[0] == b"message":
            self._drop_written(message[2])  # (RESP2: a message on the invalidation channel)
        elif isinstance(message, list) and len(message) == 2 and message[0] == b"invalidate":
            self._drop_written(message[1])  # (RESP3: pushed)
        elif message == b"PONG" or isinstance(message, list) and message[:1] == [b"pong"]:
            self._ping_sent_at = None
        else:
            self._drop(self._keys)
            self._forget_all_personal()

    def _drop_written(self, written: list | None) -> None:
        names, users = [], []
        for key in written or [b""]:
            name = self._names.get(key)
            user = _personal_user(key) if name is None else None
            if user is not None:
                users.append(user)
            else:
                names.append(name)
        if users:
            if "all" in users:
                self._forget_all_personal()
            else:
                self._raise_personal(users)
        if None in names:  # (a key not understood: everything may have changed)
            self._drop(self._keys)
            self._forget_all_personal()
        elif names:
            self._drop(names)

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
        prefixes = [part for key in (*self._keys, PERSONAL_PREFIX) for part in ("PREFIX", key)]
        connection.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST", *prefixes)
        if connection.read_response() not in (b"OK", "OK"):
            raise ResponseError("Redis refused client tracking")
        connection.send_command("SUBSCRIBE", INVALIDATIONS)
        sock = connection._sock  # (redis-py's socket, read with a reader of our own from now)
        reader = hiredis.Reader()
        while True:
            received = sock.recv(65536)
            if not received:
                raise ConnectionError("Redis closed the watch connection")
            reader.feed(received)
            confirmation = reader.gets()
            if confirmation is not False:
                break
        if not (isinstance(confirmation, list) and confirmation[:1] == [b"subscribe"]):
            raise ConnectionError(f"Redis answered {confirmation!r} to SUBSCRIBE")
        sock.setblocking(False)
        self._drop(self._keys)  # (writes before the subscription sent no message: read anew)
        self._forget_all_personal()
        self._reader = reader
        self._socket = sock

    def _close(self) -> None:
        self._drop(self._keys)
        self._forget_all_personal()
        self._ping_sent_at = None
        connection, self._connection, self._socket = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # (closing a broken connection)
                connection.disconnect()


def _personal_user(key: bytes) -> int | str | None:
    """The user id a personal key names ("all" for PERSONAL_ALL), or None for another key."""
    prefix = PERSONAL_PREFIX.encode()
    if not key.startswith(prefix):
        return None
    rest = key[len(prefix) :]
    if rest == b"all":
        return "all"
    return int(rest) if rest.isdigit() else None
