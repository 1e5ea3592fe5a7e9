"""Each worker keeps copies of the visitors' pages it served (core/worker_pages.py): served
without Redis while the versions are known, never after a write or once Redis's copy expired."""

from __future__ import annotations

import time

import pytest
import redis

from engage.core import pagecache, version_watch
from engage.core.worker_pages import WorkerPages
from engage.extensions import db
from tests.conftest import TEST_REDIS_URL, needs_redis, with_empty_redis


def test_a_page_is_kept_only_under_its_version_and_until_it_expires():
    pages = WorkerPages()
    pages.put("e:1", "/a", b"A", time.time() + 60)
    pages.put("e:1", "/old", b"old", time.time() - 1)  # (rendered over a minute ago)
    assert pages.get("e:1", "/a") == b"A" and pages.get("e:1", "/old") is None
    assert pages.get("e:2", "/a") is None  # another content version: not this page
    pages.put("e:2", "/b", b"B", time.time() + 60)
    assert pages.get("e:1", "/a") is None  # a new version starts with nothing


def test_a_page_expires_while_kept(monkeypatch):
    pages = WorkerPages()
    pages.put("e:1", "/a", b"A", time.time() + 60)
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert pages.get("e:1", "/a") is None and pages._bytes == 0


def test_the_least_recently_served_pages_go_first_when_full():
    pages = WorkerPages(max_pages=3, max_bytes=1000)
    expires = time.time() + 60
    for name in "abcd":
        pages.put("e:1", name, name.encode() * 100, expires)
        pages.get("e:1", "a")  # (served again and again)
    assert [name for name in "abcd" if pages.get("e:1", name)] == ["a", "c", "d"]
    assert pages._bytes == 300
    small = WorkerPages(max_pages=10, max_bytes=1000)
    for name in "abcdef":
        small.put("e:1", name, name.encode() * 200, expires)
    assert [name for name in "abcdef" if small.get("e:1", name)] == ["b", "c", "d", "e", "f"]
    pages.put("e:1", "huge", b"x" * 251, expires)  # (more than a quarter of the store)
    assert pages.get("e:1", "huge") is None


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


def _count_redis(app, monkeypatch) -> list:
    """The commands (GET or MGET, with their keys) the app's page cache sends from now on."""
    client = app.extensions["engage_page_cache"]
    sent = []
    for name in ("get", "mget"):
        real = getattr(client, name)
        monkeypatch.setattr(client, name, lambda *keys, _real=real, _name=name: sent.append(
            (_name, keys)) or _real(*keys))  # fmt: skip
    return sent


def _versions_kept(app, client) -> None:
    """Until the watch holds every version (the first request on an empty Redis sets the
    epoch, whose message then renews it once)."""
    watch = app.extensions["engage_version_watch"]
    deadline = time.monotonic() + 1
    while set(watch.kept()[0]) != set(watch._keys) and time.monotonic() < deadline:
        client.get("/info")  # (a page that reads the versions)
        time.sleep(0.01)
    assert set(watch.kept()[0]) == set(watch._keys)


@needs_redis
def test_a_visitor_page_is_served_without_redis_until_a_write(app, client, town, monkeypatch):
    from engage.boards import dialogue_services as dialogue

    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _versions_kept(app, client)
    first = client.get("/dialogue")
    assert first.headers["X-Engage-Cache"] == "miss"
    sent = _count_redis(app, monkeypatch)
    second = client.get("/dialogue")
    assert second.headers["X-Engage-Cache"] == "hit" and second.get_data() == first.get_data()
    assert sent == []  # neither the versions nor the page were asked of Redis

    dialogue.open_thread(town["citizen"], "Neue Frage zum Park", "Text")
    db.session.commit()
    third = client.get("/dialogue")
    assert third.headers["X-Engage-Cache"] == "miss"
    assert "Neue Frage zum Park" in third.get_data(as_text=True)


@needs_redis
def test_a_write_through_another_worker_ends_the_kept_page(app, app_config, client, town,
                                                           monkeypatch):  # fmt: skip
    from engage import create_app
    from engage.boards import dialogue_services as dialogue

    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _versions_kept(app, client)
    client.get("/dialogue")
    assert client.get("/dialogue").headers["X-Engage-Cache"] == "hit"
    other_worker = create_app(app_config)  # (its own watch and pages, as a second worker's)
    with other_worker.app_context():
        dialogue.open_thread(town["citizen"], "Frage aus dem anderen Prozess", "Text")
        db.session.commit()
    watch = app.extensions["engage_version_watch"]
    deadline = time.monotonic() + 0.5
    while pagecache.VERSION_KEY in watch.kept()[0] and time.monotonic() < deadline:
        time.sleep(0.005)
    page = client.get("/dialogue")
    assert page.headers["X-Engage-Cache"] == "miss"
    assert "Frage aus dem anderen Prozess" in page.get_data(as_text=True)


@needs_redis
def test_a_page_from_redis_is_kept_no_longer_than_there(app, client, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _versions_kept(app, client)
    client.get("/hilfe")  # rendered and stored in Redis, with the time it was rendered
    pagecache.forget_worker_pages()  # (as in a worker that did not render it)
    assert client.get("/hilfe").headers["X-Engage-Cache"] == "hit"  # fetched from Redis
    sent = _count_redis(app, monkeypatch)
    assert client.get("/hilfe").headers["X-Engage-Cache"] == "hit" and sent == []
    later = time.time() + pagecache.TTL_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    client.get("/hilfe")
    assert [name for name, _ in sent] == ["get"]  # expired here: asked of Redis again


def _stored(key: str, header: bytes, body: bytes) -> None:
    redis.Redis.from_url(TEST_REDIS_URL).set(key, header + b"\n" + body, ex=60)


@needs_redis
def test_a_page_without_its_rendering_time_is_served_but_not_kept(app, client, monkeypatch):
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _versions_kept(app, client)
    client.get("/hilfe")
    key = f"{pagecache.PAGE_PREFIX}de:/hilfe?"
    with app.test_request_context("/hilfe"):
        pagecache.content_version()
        version = pagecache.worker_version()
    _stored(key, version.encode(), b"<p>without its time</p>")
    pagecache.forget_worker_pages()
    sent = _count_redis(app, monkeypatch)
    for _ in range(2):
        assert client.get("/hilfe").get_data() == b"<p>without its time</p>"
    assert [name for name, _ in sent] == ["get", "get"]


@needs_redis
def test_a_page_of_the_same_count_before_redis_was_emptied_is_not_served(app, client,
                                                                         monkeypatch):  # fmt: skip
    """A page rendered before Redis was emptied and stored after it carries the old epoch: the
    count of the new one may reach the same number within its minute."""
    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _versions_kept(app, client)
    key = f"{pagecache.PAGE_PREFIX}de:/hilfe?"
    with app.test_request_context("/hilfe"):
        pagecache.content_version()
        epoch, _, count = pagecache.worker_version().partition(":")
    for header in (f"other{epoch}:{count} {time.time():.3f}".encode(), count.encode()):
        _stored(key, header, b"<p>from before</p>")  # (and a page stored without its epoch)
        pagecache.forget_worker_pages()
        page = client.get("/hilfe")
        assert page.headers["X-Engage-Cache"] == "miss" and b"from before" not in page.get_data()


@needs_redis
def test_a_page_made_of_older_kept_fragments_is_kept_only_for_the_rest_of_their_minute(
    app, client, monkeypatch
):
    """Kept fragments may show what changes with the clock alone (a scheduled announcement),
    for up to a minute: a visitor's page built from them is as old as they are."""
    from engage.core import fragments

    monkeypatch.setattr(version_watch, "MAX_AGE_SECONDS", 60.0)
    _versions_kept(app, client)
    client.get("/hilfe")  # (its navigation and footer are now kept fragments)
    key = f"{pagecache.PAGE_PREFIX}de:/hilfe?"
    store = redis.Redis.from_url(TEST_REDIS_URL)
    assert store.ttl(key) > 55
    monkeypatch.setattr(fragments.store, "started", time.monotonic() - 50)
    store.delete(key)
    pagecache.forget_worker_pages()
    assert client.get("/hilfe").headers["X-Engage-Cache"] == "miss"  # rendered from them
    assert 0 < store.ttl(key) <= 10
    later = time.time() + 11
    monkeypatch.setattr(time, "time", lambda: later)
    sent = _count_redis(app, monkeypatch)
    client.get("/hilfe")
    assert [name for name, _ in sent] == ["get"]  # no longer served from the worker's copy
