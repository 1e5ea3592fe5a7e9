"""Each worker keeps the versions until Redis says that one changed (core/version_watch.py):
a write by any worker must take effect on every other worker's next request."""

from __future__ import annotations

import re
import socket
import time

import pytest
import redis

from engage.core import pagecache, version_watch
from engage.core.version_watch import VersionWatch
from engage.extensions import db
from tests.conftest import TEST_REDIS_URL, AuthActions, needs_redis, with_empty_redis

pytestmark = needs_redis
KEYS = ("test:watched-version", "test:watched-epoch")
TOKEN_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


@pytest.fixture
def client_and_watch(monkeypatch):
    # Kept values would expire after a second anyway: here only a message may renew them.
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=0.25)
    client.delete(*KEYS)
    watch = VersionWatch(client, KEYS)
    yield client, watch
    watch._close()


def _read(client, watch):
    """As pagecache._read_versions: the kept values, the others read from Redis and kept."""
    values, token = watch.kept()
    missing = [key for key in KEYS if key not in values]
    if missing:
        read = dict(zip(missing, client.mget(*missing), strict=True))
        watch.keep(read, token)
        values.update(read)
    return [values[key] for key in KEYS]


def _kept(watch) -> list | None:
    """The kept values of all keys, or None if any must be read."""
    values = watch.kept()[0]
    return [values[key] for key in KEYS] if all(key in values for key in KEYS) else None


def _until_renewed(watch, seconds=0.5, key=None) -> bool:
    """Whether the watch drops its value of key (any) within the time a message needs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        values = watch.kept()[0]
        if any(k not in values for k in ((key,) if key else KEYS)):
            return True
        time.sleep(0.005)
    return False


def test_unchanged_versions_are_kept_and_a_change_by_anyone_renews_them(client_and_watch):
    client, watch = client_and_watch
    assert watch.kept()[0] == {}  # nothing read yet
    assert _read(client, watch) == [None, None]
    assert _kept(watch) == [None, None]  # no round trip: the watch said nothing changed

    redis.Redis.from_url(TEST_REDIS_URL).incr(KEYS[0])  # (another worker, another connection)
    assert _until_renewed(watch)
    assert _read(client, watch) == [b"1", None]
    assert _kept(watch) == [b"1", None]


def test_a_message_renews_only_the_keys_it_names(client_and_watch):
    client, watch = client_and_watch
    client.set(KEYS[1], "epoch-1")
    _read(client, watch)
    client.incr(KEYS[0])
    assert _until_renewed(watch, key=KEYS[0])
    assert watch.kept()[0] == {KEYS[1]: b"epoch-1"}  # (the other key needs no round trip)
    assert _read(client, watch) == [b"1", b"epoch-1"]


def test_a_message_not_understood_renews_every_key(client_and_watch):
    client, watch = client_and_watch
    _read(client, watch)
    watch._apply([b"message", version_watch.INVALIDATIONS.encode(), [b"test:unknown"]])
    assert watch.kept()[0] == {}
    _read(client, watch)
    watch._apply(b"ERR something")
    assert watch.kept()[0] == {}
    _read(client, watch)
    watch._apply([b"invalidate", None])  # (a flush, as RESP3 pushes it)
    assert watch.kept()[0] == {}


def test_a_worker_forgets_only_the_versions_it_raised(client_and_watch):
    client, watch = client_and_watch
    _read(client, watch)
    watch.forget((KEYS[0],))
    assert watch.kept()[0] == {KEYS[1]: None}
    watch.forget()
    assert watch.kept()[0] == {}


def test_other_keys_leave_the_versions_kept(client_and_watch):
    client, watch = client_and_watch
    _read(client, watch)
    client.set("test:watched-other", "x")
    client.set("engage:page:de:/", "a page")
    assert not _until_renewed(watch, 0.1)


def test_emptied_redis_renews_them(client_and_watch):
    client, watch = client_and_watch
    client.set(KEYS[1], "epoch-1")
    assert _read(client, watch) == [None, b"epoch-1"]
    client.flushdb()
    assert _until_renewed(watch)
    assert _read(client, watch) == [None, None]


def test_a_lost_watch_connection_means_reading_every_time_until_it_is_back(client_and_watch):
    client, watch = client_and_watch
    _read(client, watch)
    client.client_kill_filter(_id=watch.client_id)  # (what a Redis restart does to it too)
    assert _until_renewed(watch)
    assert _read(client, watch) == [None, None]  # read again, now watched by a new connection
    assert _kept(watch) == [None, None]
    client.incr(KEYS[0])
    assert _until_renewed(watch)


def test_without_redis_nothing_is_kept_and_connecting_is_not_tried_on_every_request():
    watch = VersionWatch(redis.Redis.from_url("redis://127.0.0.1:1/0"), KEYS)
    values, token = watch.kept()
    assert values == {} and token is None  # (nothing read now would be kept)
    watch.keep({KEYS[0]: b"1"}, token)
    started = time.monotonic()
    for _ in range(50):
        assert watch.kept()[0] == {}
    assert time.monotonic() - started < version_watch.RETRY_SECONDS / 2


def test_a_redis_that_refuses_tracking_is_not_asked_again(monkeypatch):
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=0.25)
    # Overlapping prefixes: Redis refuses the tracking request, as an old one refuses CLIENT.
    watch = VersionWatch(client, ("test:watched", "test:watched-version"))
    connects = []
    real_connect = watch._connect
    monkeypatch.setattr(watch, "_connect", lambda: connects.append(1) or real_connect())
    monkeypatch.setattr(version_watch, "RETRY_SECONDS", 0.0)
    for _ in range(3):
        values, token = watch.kept()
        assert values == {}
        watch.keep({"test:watched": b"1"}, token)
    assert connects == [1]
    assert watch._socket is None  # (refused, not watching)


def test_kept_versions_expire_even_when_no_message_comes(client_and_watch, monkeypatch):
    client, watch = client_and_watch
    _read(client, watch)
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 0.0)
    assert watch.kept()[0] == {}


def test_a_connection_that_falls_silent_is_replaced(client_and_watch, monkeypatch):
    client, watch = client_and_watch
    _read(client, watch)
    # A firewall dropped the connection without a word: nothing arrives, nothing answers.
    silent, far_end = socket.socketpair()
    silent.setblocking(False)
    watch._socket = silent
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 0.0)
    monkeypatch.setattr(version_watch, "PONG_WAIT_SECONDS", 0.05)
    assert watch.kept()[0] == {}  # (a second old: read again, and the connection is asked)
    assert far_end.recv(100) == b"*1\r\n$4\r\nPING\r\n"
    time.sleep(0.1)
    assert watch.kept() == ({}, None)  # no answer: the connection is given up …
    values, token = watch.kept()  # … and the next request watches on a new one
    assert watch._socket not in (None, silent) and token is not None
    far_end.close()
    silent.close()


def test_a_quiet_connection_that_answers_stays(client_and_watch, monkeypatch):
    client, watch = client_and_watch
    _read(client, watch)
    sock = watch._socket
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 0.0)
    monkeypatch.setattr(version_watch, "PONG_WAIT_SECONDS", 0.5)
    watch.kept()
    time.sleep(0.1)  # (Redis answers the ping)
    watch.kept()
    assert watch._socket is sock and watch._ping_sent_at is None
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _read(client, watch)
    watch._ping_sent_at = None
    watch._socket.send(b"*1\r\n$4\r\nPING\r\n")
    time.sleep(0.1)
    assert _kept(watch) == [None, None]  # (a pong changes nothing)


def test_values_read_before_a_change_that_another_request_took_in_are_not_kept(
    client_and_watch,
):
    client, watch = client_and_watch
    _read(client, watch)
    watch.forget()
    values, token = watch.kept()  # (one request: about to read the versions)
    stale = dict(zip(KEYS, client.mget(*KEYS), strict=True))
    client.incr(KEYS[0])  # a write after its read …
    assert _until_renewed(watch)  # … which the next request (another thread) takes in
    watch.keep(stale, token)  # the first request hands in what it read before the write
    assert watch.kept()[0] == {KEYS[1]: None}  # (the other key did not change)


def test_values_read_before_this_worker_wrote_are_not_kept(client_and_watch):
    client, watch = client_and_watch
    values, token = watch.kept()
    read = dict(zip(KEYS, client.mget(*KEYS), strict=True))
    watch.forget((KEYS[0],))  # (a write's commit in another thread of this worker)
    watch.keep(read, token)
    assert watch.kept()[0] == {KEYS[1]: None}


def test_a_write_through_one_worker_shows_on_the_next_request_of_another(
    app, app_config, make_user, monkeypatch
):
    from engage import create_app
    from engage.admin.services import block_user

    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    admin = make_user("admin", email="chefin@example.org")
    anna = make_user(email="anna@example.org")
    other_worker = create_app(app_config)  # (its own watch, as a second gunicorn worker has)
    browser = other_worker.test_client()
    AuthActions(browser).login("anna@example.org")
    browser.get("/proposals")
    assert "gesperrt" not in browser.get("/proposals").get_data(as_text=True)
    watch = other_worker.extensions["engage_version_watch"]
    assert set(watch.kept()[0]) == set(watch._keys)  # served from the kept versions until now

    block_user(admin, anna, "Beleidigungen")  # (through this worker: the test's app)
    db.session.commit()

    assert _until_renewed(watch)
    assert "gesperrt" in browser.get("/proposals").get_data(as_text=True)
    assert app.extensions["engage_version_watch"] is not watch
    assert pagecache.ACCOUNTS_KEY in watch._keys


def test_a_message_that_arrives_in_parts_counts_once_complete(client_and_watch):
    client, watch = client_and_watch
    _read(client, watch)
    message = (b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$20\r\n"
               + KEYS[0].encode())  # fmt: skip
    watch._reader.feed(message[:30])
    assert _kept(watch) == [None, None]  # (as a message still on its way)
    watch._reader.feed(message[30:] + b"\r\n")
    assert watch.kept()[0] == {KEYS[1]: None}


@pytest.fixture
def open_proposal(town):
    from engage.proposals import services as proposals

    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
        intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    return proposal


def _count_reads(app, monkeypatch) -> list:
    """The keys of each MGET the app's page cache sends from now on."""
    client = app.extensions["engage_page_cache"]
    reads, real_mget = [], client.mget
    monkeypatch.setattr(client, "mget", lambda *keys: reads.append(keys) or real_mget(*keys))
    return reads


def test_a_support_after_writes_elsewhere_reads_no_versions(app, open_proposal, monkeypatch):
    """A support needs the kept user and process (the accounts and processes versions), which
    supports and comments leave alone: after other workers' supports it reads nothing."""
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    browser = app.test_client()
    AuthActions(browser).login("nachbar@example.org")
    path = f"/proposals/{open_proposal.id}"
    token = TOKEN_RE.search(browser.get(path).get_data(as_text=True)).group(1)
    watch = app.extensions["engage_version_watch"]
    redis.Redis.from_url(TEST_REDIS_URL).incr(pagecache.VERSION_KEY)  # (another worker)
    assert _until_renewed(watch, key=pagecache.VERSION_KEY)
    reads = _count_reads(app, monkeypatch)

    answer = browser.post(f"{path}/support", data={"csrf_token": token, "intent": "support"})
    assert answer.status_code == 302
    assert reads == []
    db.session.refresh(open_proposal)
    assert open_proposal.support_count == 1
    page = browser.get(path).get_data(as_text=True)
    assert reads == [(pagecache.VERSION_KEY,)]  # (the support raised the content version only)
    assert "Withdraw support" in page or "Unterstützung zurückziehen" in page


def test_a_form_sent_keeps_nothing_of_content_read_after_its_start(app, open_proposal):
    from engage.core import fragments, settings

    browser = app.test_client()
    AuthActions(browser).login("nachbar@example.org")
    path = f"/proposals/{open_proposal.id}"
    token = TOKEN_RE.search(browser.get(path).get_data(as_text=True)).group(1)
    fragments.clear_all()
    settings._worker_copy = None

    answer = browser.post(f"{path}/comments", data={"csrf_token": token, "body": ""})
    assert answer.status_code == 422  # the page again, with the form's message
    assert "Bank am Teich" in answer.get_data(as_text=True)
    assert fragments.store.items == {} and settings._worker_copy is None
    browser.get(path)
    assert fragments.store.items and settings._worker_copy is not None  # (a page keeps them)
