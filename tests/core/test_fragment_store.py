"""A worker's fragment store: one content version at a time, bounded in entries and size."""

from __future__ import annotations

from engage.core import fragments
from engage.core.fragments import _Store


def test_a_new_version_starts_empty():
    store = _Store()
    store.put("e:1", ("a",), "<p>eins</p>")
    assert store.get("e:1", ("a",)) == "<p>eins</p>"
    assert store.get("e:2", ("a",)) is None
    store.put("e:2", ("b",), "<p>zwei</p>")
    assert store.get("e:1", ("a",)) is None and list(store.items) == [("b",)]


def test_the_least_recently_used_go_first_when_full():
    store = _Store(max_entries=2, max_chars=100)
    store.put("v", ("a",), "x" * 10)
    store.put("v", ("b",), "x" * 10)
    store.get("v", ("a",))  # used: b is now the oldest
    store.put("v", ("c",), "x" * 10)
    assert set(store.items) == {("a",), ("c",)}
    store.put("v", ("big",), "x" * 95)  # over the size budget: everything older goes
    assert set(store.items) == {("big",)} and store.chars == 95


def test_a_version_is_dropped_after_a_minute_without_writes(monkeypatch):
    store = _Store()
    now = [1000.0]
    monkeypatch.setattr(fragments.time, "monotonic", lambda: now[0])
    store.put("v", ("a",), "<p>Phase läuft</p>")
    now[0] += fragments.TTL_SECONDS + 1
    assert store.get("v", ("a",)) is None  # content that changes with the clock is renewed


def test_kept_replies_outlive_the_minute(monkeypatch):
    """Replies are kept by their whole state, and nothing in them changes with the clock."""
    now = [1000.0]
    monkeypatch.setattr(fragments.time, "monotonic", lambda: now[0])
    store = _Store(ttl_seconds=fragments.ROW_TTL_SECONDS)
    store.put("n:1", ("comment", 7), "<article>Antwort</article>")
    now[0] += fragments.TTL_SECONDS + 1
    assert store.get("n:1", ("comment", 7)) == "<article>Antwort</article>"
    now[0] += fragments.ROW_TTL_SECONDS
    assert store.get("n:1", ("comment", 7)) is None
    assert fragments.row_store.ttl_seconds == fragments.ROW_TTL_SECONDS
