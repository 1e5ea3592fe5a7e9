"""What one user did on proposals and threads (and which processes they follow, which shifts
they signed up for, which offers they reported), kept per user in each worker until it changes.

A logged-in proposal or thread page shows the viewer's own state: whether they support,
follow, rated or reported it, and whether they wrote, marked or reported a comment there. It
was one query on every view, the page's only round trip to the database, and under load a
quarter of the page's CPU (bench/README.md). Now each worker loads a user's state for all
proposals and threads in one query and keeps it until one of the user's personal rows
changes (pagecache.PERSONAL_COLUMNS): a commit that writes such a row raises the user's key
in Redis (`engage:personal:<id>`; a write whose users are not known raises
`engage:personal:all`), and every worker's watch connection hears of it
(core/version_watch.py). So a citizen reading one proposal after another costs one query,
not one per page, and a support, follow or comment of theirs is on their next page.

Nothing is kept without a working watch (no Redis, a lost connection), for a request with
uncommitted writes of its own, or for a user with more than MAX_ROWS such rows (staff who
answered thousands of comments): their pages ask about the one item, as before. A kept state
is as current as the versions of core/pagecache.py: a message about the user's key is on the
watch connection before the writer's answer leaves Redis, the writing worker forgets its own
copy at the commit, and a watch connection that falls silent is replaced within about two
seconds, which forgets every user's state.
"""

from __future__ import annotations

import threading
import time
from array import array
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache

from flask import current_app
from sqlalchemy import Integer, bindparam, cast, literal_column, null, select, union_all

from engage.core.hot_sql import HotStatement

# Per user; more and the user's pages ask about their one item. A citizen has a dozen such
# rows (the benchmark city's median is 9), the bench's own citizens over a thousand supports
# after some runs, staff who answer every day thousands of comments.
MAX_ROWS = 5000
MAX_USERS = 5000  # per worker, the least recently used dropped first
MAX_IDS = 1_000_000  # per worker, all users together: 4 MB (the least recently used go first)
# Loaded anew after this even without a message: a commit whose raise of the user's key did
# not reach Redis (a timeout) leaves the other workers' copies old for at most this long.
KEPT_SECONDS = 300

(SUPPORTED, FOLLOWED_PROPOSAL, FOLLOWED_THREAD, RATED, REPORTED_PROPOSAL, REPORTED_THREAD,
 TOUCHED, FOLLOWED_PROCESS, REPORTED_OFFER, CONFIRMED, WAITLISTED, WAITING) = range(12)  # fmt: skip
_SIGNUP_STATUS = {CONFIRMED: "confirmed", WAITLISTED: "waitlisted"}


class Ids:
    """Item ids in a sorted compact array (4 bytes each, where a set takes about 60): a user
    may have thousands."""

    __slots__ = ("_ids",)

    def __init__(self, ids=()) -> None:
        self._ids = array("i", sorted(set(ids)))  # (ids fit: core.types.MAX_ID is 2³¹−1)

    def __contains__(self, item_id: int) -> bool:
        ids = self._ids
        at = bisect_left(ids, item_id)
        return at < len(ids) and ids[at] == item_id

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class Personal:
    """One user's own rows on proposals and threads, by item id."""

    supported: Ids = field(default_factory=Ids)
    following_proposals: Ids = field(default_factory=Ids)
    following_threads: Ids = field(default_factory=Ids)
    ratings: dict[int, int] = field(default_factory=dict)
    reported_proposals: Ids = field(default_factory=Ids)
    reported_threads: Ids = field(default_factory=Ids)
    # where they wrote, marked helpful or reported a comment, and those comments
    touched_proposals: Ids = field(default_factory=Ids)
    touched_threads: Ids = field(default_factory=Ids)
    touched_comments: Ids = field(default_factory=Ids)
    # where a comment of theirs waits for approval (shown to them alone)
    waiting_proposals: Ids = field(default_factory=Ids)
    waiting_threads: Ids = field(default_factory=Ids)
    following_processes: Ids = field(default_factory=Ids)
    reported_offers: Ids = field(default_factory=Ids)
    # the shifts they are signed up for or waiting for, by offer: ((shift id, status), …)
    signups: dict[int, tuple[tuple[int, str], ...]] = field(default_factory=dict)

    def size(self) -> int:
        """How many ids it holds."""
        return len(self.ratings) + sum(map(len, self.signups.values())) + sum(
            len(ids) for ids in (self.supported, self.following_proposals,
                                 self.following_threads, self.reported_proposals,
                                 self.reported_threads, self.touched_proposals,
                                 self.touched_threads, self.touched_comments,
                                 self.waiting_proposals, self.waiting_threads,
                                 self.following_processes, self.reported_offers))  # fmt: skip


_TOO_MANY = object()  # (kept too: the user's pages ask about their one item)


class _Kept:
    """One worker's Personal per user, with the watch's token it was loaded under."""

    def __init__(self, max_users: int = MAX_USERS, max_ids: int = MAX_IDS) -> None:
        self.max_users, self.max_ids, self.ids = max_users, max_ids, 0
        self.items: OrderedDict[int, tuple[tuple, float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, user_id: int, token: tuple) -> object | None:
        with self.lock:
            found = self.items.get(user_id)
            if found is None or found[0] != token or time.monotonic() - found[1] > KEPT_SECONDS:
                return None
            self.items.move_to_end(user_id)
            return found[2]

    def put(self, user_id: int, token: tuple, value: object) -> None:
        with self.lock:
            old = self.items.pop(user_id, None)
            if old is not None:
                self.ids -= _size(old[2])
            self.items[user_id] = (token, time.monotonic(), value)
            self.ids += _size(value)
            while len(self.items) > self.max_users or self.ids > self.max_ids:
                self.ids -= _size(self.items.popitem(last=False)[1][2])

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.ids = 0


def _size(value: object) -> int:
    return value.size() if isinstance(value, Personal) else 1


kept = _Kept()


def of(user) -> Personal | None:
    """The user's own rows, kept or loaded in one query; None where the page must ask the
    database about its one item (see the module's docstring)."""
    from engage.core.fragments import db_changed

    if not user.is_authenticated or not current_app.config.get("FRAGMENT_CACHE", True):
        return None
    watch = current_app.extensions.get("engage_version_watch")
    if watch is None or db_changed():
        return None
    token = watch.personal_token(user.id)  # (before the rows are read: see _Kept)
    if token is None:
        return None
    found = kept.get(user.id, token)
    if found is None:
        found = _load(user.id)
        kept.put(user.id, token, found)
    return None if found is _TOO_MANY else found


def _load(user_id: int) -> object:
    from engage.core.transactions import read_alone

    rows = read_alone(_query(), {"user_id": user_id})
    if len(rows) > MAX_ROWS:
        return _TOO_MANY
    sets: list[set] = [set() for _ in range(REPORTED_OFFER + 1)]
    ratings: dict[int, int] = {}
    touched_proposals, touched_threads, touched_comments = set(), set(), set()
    waiting_proposals, waiting_threads = set(), set()
    signups: dict[int, list[tuple[int, str]]] = {}
    for kind, item, value, comment in rows:
        if kind == RATED:
            ratings[item] = value
        elif kind in _SIGNUP_STATUS:  # (item: the shift, value: its offer)
            signups.setdefault(value, []).append((item, _SIGNUP_STATUS[kind]))
        elif kind == TOUCHED:  # (item: the comment's proposal, value: its thread)
            touched_comments.add(comment)
            _by_subject(item, value, touched_proposals, touched_threads)
        elif kind == WAITING:  # (as TOUCHED)
            _by_subject(item, value, waiting_proposals, waiting_threads)
        else:
            sets[kind].add(item)
    return Personal(
        supported=Ids(sets[SUPPORTED]),
        following_proposals=Ids(sets[FOLLOWED_PROPOSAL]),
        following_threads=Ids(sets[FOLLOWED_THREAD]),
        ratings=ratings,
        reported_proposals=Ids(sets[REPORTED_PROPOSAL]),
        reported_threads=Ids(sets[REPORTED_THREAD]),
        touched_proposals=Ids(touched_proposals),
        touched_threads=Ids(touched_threads),
        touched_comments=Ids(touched_comments),
        waiting_proposals=Ids(waiting_proposals),
        waiting_threads=Ids(waiting_threads),
        following_processes=Ids(sets[FOLLOWED_PROCESS]),
        reported_offers=Ids(sets[REPORTED_OFFER]),
        signups={offer: tuple(sorted(shifts)) for offer, shifts in signups.items()},
    )


def _by_subject(proposal_id, thread_id, proposals: set, threads: set) -> None:
    """A comment's subject into the set of its kind (exactly one of the two ids is set)."""
    if proposal_id is not None:
        proposals.add(proposal_id)
    else:
        threads.add(thread_id)


@cache
def _query() -> HotStatement:
    """(kind, item id, value, comment id) for every personal row of the user, at most
    MAX_ROWS + 1 (the comment's id for the comments they touched)."""
    from engage.boards.dialogue_models import Comment, Reaction
    from engage.core.moderation import ContentStatus
    from engage.moderation.models import Flag
    from engage.notifications.models import Follow
    from engage.proposals.models import Rating, Support
    from engage.volunteering.models import Shift, Signup

    user_id = bindparam("user_id")
    none = cast(null(), Integer)

    def kind(number: int):
        return literal_column(str(number), Integer)

    def flags(content_type: str):
        return Flag.user_id == user_id, Flag.content_type == content_type

    def rows(number: int, item, value=none):
        return select(kind(number), item, value, none)

    def touched():
        return select(kind(TOUCHED), Comment.proposal_id, Comment.thread_id, Comment.id)

    parts = [
        rows(SUPPORTED, Support.proposal_id).where(Support.user_id == user_id),
        rows(FOLLOWED_PROPOSAL, Follow.proposal_id).where(
            Follow.user_id == user_id, Follow.proposal_id.is_not(None)),
        rows(FOLLOWED_THREAD, Follow.thread_id).where(
            Follow.user_id == user_id, Follow.thread_id.is_not(None)),
        rows(FOLLOWED_PROCESS, Follow.process_id).where(
            Follow.user_id == user_id, Follow.process_id.is_not(None)),
        rows(REPORTED_OFFER, Flag.content_id).where(*flags("offer")),
        *(rows(number, Signup.shift_id, Shift.offer_id)
          .join(Shift, Shift.id == Signup.shift_id)
          .where(Signup.user_id == user_id, Signup.status == status)
          for number, status in _SIGNUP_STATUS.items()),
        rows(RATED, Rating.proposal_id, Rating.stars).where(Rating.user_id == user_id),
        rows(REPORTED_PROPOSAL, Flag.content_id).where(*flags("proposal")),
        rows(REPORTED_THREAD, Flag.content_id).where(*flags("thread")),
        # The comments the user wrote, marked helpful or reported: as dialogue.touches.
        touched().where(Comment.author_id == user_id),
        touched().join(Reaction, Reaction.comment_id == Comment.id)
        .where(Reaction.user_id == user_id),
        touched().join(Flag, Flag.content_id == Comment.id).where(*flags("comment")),
        rows(WAITING, Comment.proposal_id, Comment.thread_id).where(
            Comment.author_id == user_id,
            Comment.moderation_status == ContentStatus.PENDING.value),
    ]  # fmt: skip
    return HotStatement(union_all(*parts).limit(literal_column(str(MAX_ROWS + 1))))
