"""Rendered fragments that are the same for many users, kept in each worker per data version.

Logged-in pages cannot come from the page cache, but most of what they show is the same for
everyone: a list of proposals, a comment with its author and text, the buttons under it for
everyone who may report and reply. Such fragments are kept in the worker's memory under the
page cache's content version (see engage/core/pagecache.py): every commit that changes data
raises it, and a new version starts with an empty store.

A key names everything per-user that the fragment shows (a "may edit" or "marked helpful"
flag), so two users share a fragment only when it reads the same for both. A fragment never
keeps a user's CSRF token: it is kept as the text between the tokens of the request that
rendered it, and every request that serves the fragment joins the parts with its own token.
Values kept with keep() name their area: a loaded user is kept under the accounts version
(pagecache.ACCOUNTS_KEY), a process under the processes version, which supports and comments
leave alone.
Without Redis there is no content version, and nothing is cached.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, g, has_app_context, has_request_context
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup, escape

from engage.core.pagecache import (
    ACCOUNTS,
    CHANGED_SESSIONS,
    CONTENT,
    NAMES,
    PROCESSES,
    forget_worker_pages,
)

MAX_ENTRIES = 4000
MAX_CHARS = 16_000_000  # about 16 MB of HTML per worker (a page of 50 replies is ~250 kB)
# Like the page cache: some content changes with the clock alone (phases, edit windows are
# in the keys), so a version's fragments are dropped after a minute even without a write.
TTL_SECONDS = 60


class _Store:
    """One worker's fragments of one content version, the least recently used dropped first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS,
                 ttl_seconds: float = TTL_SECONDS) -> None:  # fmt: skip
        self.max_entries, self.max_chars, self.chars = max_entries, max_chars, 0
        self.ttl_seconds = ttl_seconds
        self.version: str | None = None
        self.started = 0.0
        self.items: OrderedDict[tuple, object] = OrderedDict()
        self.lock = threading.Lock()

    def _current(self, version: str) -> bool:
        return version == self.version and time.monotonic() - self.started < self.ttl_seconds

    def get(self, version: str, key: tuple):
        with self.lock:
            if not self._current(version):
                return None
            html = self.items.get(key)
            if html is not None:
                self.items.move_to_end(key)
            return html

    def put(self, version: str, key: tuple, html: object) -> None:
        with self.lock:
            if not self._current(version):
                self.version, self.started, self.items = version, time.monotonic(), OrderedDict()
                self.chars = 0
            if key in self.items:
                self.chars -= _size(self.items.pop(key))
            self.items[key] = html
            self.chars += _size(html)
            while len(self.items) > self.max_entries or self.chars > self.max_chars:
                self.chars -= _size(self.items.popitem(last=False)[1])

    def clear(self) -> None:
        with self.lock:
            self.version, self.items, self.chars = None, OrderedDict(), 0


def _size(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, tuple) and all(isinstance(part, str) for part in value):
        return sum(map(len, value))  # a fragment, split at its CSRF tokens
    if isinstance(value, _KeptPage):  # (its text between the slots, the viewer's twice)
        return sum(map(len, value.pieces)) + sum(sum(map(len, split)) for _, split in value.viewed)
    return 64


store = _Store()
# Whole pages (kept_page), under the content version: a store of their own, so that a city's
# many pages do not push out the fragments they are made of (a page holds its fragments' text
# again).
page_store = _Store(max_entries=MAX_ENTRIES // 4, max_chars=MAX_CHARS // 2)
# What is kept under the other areas' versions (core/pagecache.py): the loaded users; the
# processes with their phases, and lists of processes, districts and departments.
account_store = _Store(max_entries=MAX_ENTRIES, max_chars=MAX_CHARS // 16)
process_store = _Store(max_entries=MAX_ENTRIES // 4, max_chars=MAX_CHARS // 16)
# Fragments of one row each (a reply with its buttons), whose key names the row's whole state
# (row_state): they outlive the content version, which every support and comment anywhere
# raises, so that a page rendered afresh after a write does not render its hundred replies
# again. What else they show are people's and departments' names: they are kept under the
# names version (raised by changes to accounts and departments, not by log-ins). Nothing in
# them changes with the clock (whether the user may still edit is in the key), so they are
# not dropped every minute: a page renewed after its minute finds its replies still kept.
ROW_TTL_SECONDS = 3600
row_store = _Store(max_entries=MAX_ENTRIES, max_chars=MAX_CHARS // 4, ttl_seconds=ROW_TTL_SECONDS)
_STORES = {CONTENT: store, ACCOUNTS: account_store, PROCESSES: process_store,
           NAMES: row_store}  # fmt: skip


def _store_of(area: str) -> _Store:
    return _STORES[area]


def clear_all() -> None:
    """Forget everything this worker keeps (tests start from nothing)."""
    from engage.core import personal

    for kept_store in (*_STORES.values(), page_store):
        kept_store.clear()
    personal.kept.clear()
    forget_worker_pages()


def _usable_version(area: str = CONTENT) -> str | None:
    """The area's version, or None when fragments must be rendered afresh."""
    if not has_request_context():
        return None
    # (asked for every kept fragment and row: worked out once a request, from the versions
    # read at its start; None, before they are read, is asked again)
    request_g = g._get_current_object()  # (each use of the proxy costs a lookup)
    versions = request_g.get("engage_usable_versions")
    if versions is None:
        if not current_app.config.get("FRAGMENT_CACHE", True):
            return None
        versions = request_g.engage_usable_versions = {}
    if db_changed():
        return None  # this request changed data it has not committed yet
    version = versions.get(area)
    if version is None:
        from engage.core.pagecache import worker_version

        version = versions[area] = worker_version(area)
    return version


def keepable(area: str = CONTENT) -> bool:
    """Whether this request may keep things of the area: not while it has uncommitted changes,
    nor content in a form sent, whose version is read after its data
    (core/pagecache.reads_content_late)."""
    from engage.core.pagecache import reads_content_late

    return not db_changed() and (area != CONTENT or not reads_content_late())


def row_state(obj) -> tuple:
    """All of a row's columns, for a fragment's key (long texts by their hash)."""
    from engage.core.kept_rows import column_names

    values = (getattr(obj, name) for name in column_names(type(obj)))
    return tuple(hash(v) if isinstance(v, str) and len(v) > 64 else v for v in values)


def db_changed() -> bool:
    """Whether this request has changes it has not committed (or rolled back) yet, in any
    session (pagecache notes them in g: asked several times a request, the session's own
    note cost a lookup of the scoped session each time)."""
    return has_app_context() and bool(g.get(CHANGED_SESSIONS))


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _with_token(parts: tuple[str, ...]) -> str:
    """A kept fragment, stored as the text between its CSRF tokens, with this request's
    token put in (a join copies the text once; a search and replace would read it twice)."""
    if len(parts) == 1:
        return parts[0]
    from flask_wtf.csrf import generate_csrf

    return generate_csrf().join(parts)


# The signed CSRF token of each session's secret, as this worker last signed it: signing costs
# as much as a kept page's whole rendering. A token reused for a minute expires (after
# WTF_CSRF_TIME_LIMIT) a minute sooner, and names the same secret as a fresh one would.
_signed_tokens: dict[str, tuple[str, float]] = {}
SIGNED_TOKEN_SECONDS = 60
MAX_SIGNED_TOKENS = 20_000


def reuse_signed_token() -> None:
    """Before a request: hand Flask-WTF this session's token if this worker signed it lately
    (generate_csrf() returns what g holds)."""
    from flask import request, session

    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return  # no session, no secret (and no "Vary: Cookie" for visitors' pages)
    name = _csrf_field()
    secret = session.get(name)
    signed = _signed_tokens.get(secret) if isinstance(secret, str) else None
    if signed is not None and time.monotonic() - signed[1] < SIGNED_TOKEN_SECONDS:
        setattr(g, name, signed[0])
        g.engage_token_reused = True


def keep_signed_token(response):
    """After a request: remember a token signed in it, for the next ones."""
    from flask import session

    name = _csrf_field()
    token = g.get(name)
    if token is not None and not g.get("engage_token_reused"):
        secret = session.get(name)
        if isinstance(secret, str):
            if len(_signed_tokens) >= MAX_SIGNED_TOKENS:
                _signed_tokens.clear()
            _signed_tokens[secret] = (token, time.monotonic())
    return response


def _language() -> str:
    """This request's language, the first part of every key (asked once a request)."""
    language = g.get("engage_fragment_language")
    if language is None:
        # The selector's answer, which Flask-Babel parses into the request's Locale (the
        # same name): a page served whole needs no Locale, and making it was a thirtieth of
        # such a page's CPU.
        from engage.i18n import select_locale

        language = g.engage_fragment_language = select_locale()
    return language


def cached(key: tuple[Hashable, ...], render: Callable[[], str], area: str = CONTENT) -> Markup:
    """The fragment stored under key for this version and language, rendered when missing.

    render() returns template output (already escaped), so the stored HTML is markup.
    """
    version = _usable_version(area)
    if version is None:
        return Markup(render())  # noqa: S704 (template output)
    full_key = (_language(), *key)
    kept_in = _store_of(area)
    parts = kept_in.get(version, full_key)
    if parts is None:
        html = str(render())
        token = g.get(_csrf_field())
        if keepable(area):
            kept_in.put(version, full_key, tuple(html.split(token)) if token else (html,))
        return Markup(html)  # noqa: S704 (template output)
    _note_kept_since(area)
    return Markup(_with_token(parts))  # noqa: S704 (template output, with this request's token)


def is_cached(key: tuple[Hashable, ...], area: str = CONTENT) -> bool:
    """Whether cached() holds a fragment under key now (what it needs need not be loaded)."""
    version = _usable_version(area)
    return version is not None and _store_of(area).get(version, (_language(), *key)) is not None


# Stand for the user's id and name in a page kept for everyone whose key is the same
# (kept_page): random, so that no text on a page can contain them.
OWNER_MARK = f"owner-{secrets.token_hex(16)}"
NAME_MARK = f"name-{secrets.token_hex(16)}"
_OWNER_BYTES, _NAME_BYTES = OWNER_MARK.encode(), NAME_MARK.encode()
_VIEWER_MARKS = re.compile(f"({OWNER_MARK}|{NAME_MARK})".encode())


def draft_owner() -> str:
    """The user's id, as the layout names it (whose unsent texts a tab may give back): a mark
    while a page is rendered to be kept, put in per request."""
    if g.get("engage_keeping_page"):
        return OWNER_MARK
    from flask_login import current_user

    return str(current_user.id)


def viewer_name() -> str:
    """The user's display name, for a page that greets them: a mark while a page is rendered
    to be kept, put in (escaped, as the template would) per request."""
    if g.get("engage_keeping_page"):
        return NAME_MARK
    from flask_login import current_user

    return current_user.display_name


def _viewer_values(marks: set[bytes]) -> dict[bytes, bytes]:
    from flask_login import current_user

    user = current_user._get_current_object()
    values = {_OWNER_BYTES: str(user.id).encode()}
    if _NAME_BYTES in marks:
        values[_NAME_BYTES] = str(escape(user.display_name)).encode()
    return values


def kept_page(key: tuple[Hashable, ...], render: Callable[[], str]) -> str | bytes:
    """A whole page, layout included, kept like a fragment for everyone with the same key.

    The key must name everything the page shows differently for users and requests (the
    layout's part: main/layout.layout_key); the CSRF token and the user's id are put in per
    request. A hit renders no template at all: for a logged-in proposal page that was a fifth
    of its CPU, the layout's context and the template glue around its kept fragments. The
    page is kept, and answered, as UTF-8: encoding it for each response was a quarter of a
    logged-in 500-comment proposal page's instructions (its text holds “ and –, which makes
    Python encode it character by character), where joining bytes is a copy.
    """
    version = _usable_version(CONTENT)
    if version is None:
        return render()
    full_key = (_language(), *key)
    found = page_store.get(version, full_key)
    now = time.monotonic()
    if found is not None and now - found.since < TTL_SECONDS:
        _note_since(found.since)
        return _filled(found)
    g.engage_keeping_page = True
    try:
        html = str(render())
    finally:
        g.engage_keeping_page = False
    # As old as the oldest kept fragment in it: dropped a minute from then, as they are.
    since = min(now, g.get("engage_content_kept_since") or now)
    page = _KeptPage(html, g.get(_csrf_field()), since)
    if keepable(CONTENT):
        page_store.put(version, full_key, page)
    return _filled(page)


class _KeptPage:
    """A page kept whole, since when its oldest part is, and its UTF-8 text between the slots.

    The text is kept split at the CSRF token (a page of 500 comments has a form at each), and
    a piece holding the viewer's marks split again at them: a hit joins bytes, in C, instead
    of looking at each of a hundred parts in Python."""

    __slots__ = ("since", "pieces", "viewed", "marks")

    def __init__(self, html: str, token: str | None, since: float) -> None:
        self.since = since
        pieces = html.split(token) if token else [html]
        self.pieces = tuple(piece.encode() for piece in pieces)
        # (index of a piece, the piece split at the marks: text and marks in turn)
        self.viewed = tuple((i, tuple(_VIEWER_MARKS.split(piece)))
                            for i, piece in enumerate(self.pieces)
                            if _OWNER_BYTES in piece or _NAME_BYTES in piece)  # fmt: skip
        self.marks = {mark for _, split in self.viewed for mark in split[1::2]}


def _filled(page: _KeptPage) -> bytes:
    pieces = page.pieces
    if page.viewed:
        values = _viewer_values(page.marks)
        pieces = list(pieces)
        for index, split in page.viewed:
            pieces[index] = b"".join(part if i % 2 == 0 else values[part]
                                     for i, part in enumerate(split))  # fmt: skip
    if len(pieces) == 1:
        return pieces[0]
    from flask_wtf.csrf import generate_csrf

    return generate_csrf().encode().join(pieces)


def kept(key: tuple[Hashable, ...], area: str = CONTENT) -> object | None:
    """A value kept under key for the area's version (see keep), or None."""
    version = _usable_version(area)
    value = None if version is None else _store_of(area).get(version, ("value", *key))
    if value is not None:
        _note_kept_since(area)
    return value


def _note_kept_since(area: str) -> None:
    # What is kept of content may hold what changes with the clock alone, up to a minute old
    # (TTL_SECONDS): a visitor's page made of it is as old as the oldest part
    # (core/pagecache.py keeps the page only for the rest of that minute).
    if area == CONTENT:
        _note_since(store.started)


def _note_since(started: float) -> None:
    since = g.get("engage_content_kept_since")
    if since is None or started < since:
        g.engage_content_kept_since = started


def kept_seconds() -> float:
    """How long ago the oldest kept content this request used was rendered (0: none)."""
    since = g.get("engage_content_kept_since")
    return 0.0 if since is None else max(0.0, time.monotonic() - since)


def keep(key: tuple[Hashable, ...], value: object, area: str = CONTENT) -> None:
    """Keep a value under key until the area's version changes (or a minute passes); not
    while this request has uncommitted changes."""
    version = _usable_version(area)
    if version is not None and keepable(area):
        _store_of(area).put(version, ("value", *key), value)


def remembered(key: tuple[Hashable, ...], compute: Callable[[], object],
               area: str = CONTENT) -> object:  # fmt: skip
    """A value kept like a fragment, under the area's version (a per-user key for personal
    values)."""
    value = kept(key, area)
    if value is None:
        value = compute()
        keep(key, value, area)
    return value


class FragmentCacheExtension(Extension):
    """``{% cache "name", part, … %}…{% endcache %}``: the body rendered once per key and
    content version. The parts must name everything the body shows that differs between users.

    ``{% rowcache "name", row_state(row), part, … %}…{% endrowcache %}``: the same for a body
    that shows one row (and names of people and departments): kept under the names version.
    """

    tags = {"cache", "rowcache"}

    def parse(self, parser):
        tag = next(parser.stream)
        parts = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            parts.append(parser.parse_expression())
        body = parser.parse_statements((f"name:end{tag.value}",), drop_needle=True)
        method = "_row_fragment" if tag.value == "rowcache" else "_fragment"
        call = self.call_method(method, [nodes.List(parts)])
        return nodes.CallBlock(call, [], [], body).set_lineno(tag.lineno)

    def _fragment(self, parts: list, caller) -> Markup:
        return cached(tuple(parts), caller)

    def _row_fragment(self, parts: list, caller) -> Markup:
        return cached(tuple(parts), caller, NAMES)
