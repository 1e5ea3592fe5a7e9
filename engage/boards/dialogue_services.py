"""Dialogue rules: opening threads, replying, official answers, editing, closing, reactions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, cached_property

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from engage.boards import reply_counts
from engage.boards.dialogue_models import MAX_DEPTH, Comment, Reaction, Thread
from engage.core import audit
from engage.core.hot_sql import HotStatement
from engage.core.moderation import ContentStatus
from engage.core.pagecache import of_user
from engage.core.pagination import requested_page, require_existing_page
from engage.core.transactions import read_alone
from engage.core.types import MAX_ID, utcnow
from engage.extensions import db


class DialogueError(Exception):
    """A dialogue rule was broken; the message is shown to the user."""


class ThreadClosed(DialogueError):
    pass


class ReplyTargetGone(DialogueError):
    pass


def open_thread(author, title: str, body: str, process=None) -> Thread:
    """Open a thread; its author follows it (and is told so on the page)."""
    from engage.moderation.services import initial_status
    from engage.notifications import services as notifications

    thread = Thread(author_id=author.id, title=title.strip(), body=body.strip(),
                    process_id=process.id if process else None,
                    moderation_status=initial_status(author, process))  # fmt: skip
    db.session.add(thread)
    db.session.flush()
    notifications.follow(author, thread=thread)
    if thread.is_visible:  # pending threads are announced to nobody but moderators
        notifications.notify_new_thread(thread, author)
    return thread


def reply(thread: Thread, author, body: str, parent: Comment | None = None,
          official: bool = False) -> Comment:  # fmt: skip
    """Add a reply; an official one records who answered and how fast (first one only)."""
    if thread.is_closed:
        raise ThreadClosed(_("This discussion is closed: %(reason)s", reason=thread.closed_reason))
    if thread.is_deleted or not thread.is_visible:
        raise ReplyTargetGone(_("This discussion is no longer available."))
    if parent is not None and (parent.thread_id != thread.id or parent.is_deleted
                               or not parent.is_visible):  # fmt: skip
        raise ReplyTargetGone(_("The post you replied to is no longer available."))
    from engage.moderation.services import initial_status

    parent_id, depth = placement(parent)
    now = utcnow()
    comment = Comment(
        thread_id=thread.id, parent_id=parent_id, depth=depth, author_id=author.id,
        body=body.strip(), is_official=official, created_at=now,
        department_id=author.department_id if official else None,
        moderation_status=initial_status(author, thread.process),
    )  # fmt: skip
    db.session.add(comment)
    db.session.flush()
    comment.root_id = comment.id if parent is None else parent.root_id
    # A pending reply counts once it is approved (boards/reply_counts.py).
    step = 1 if reply_counts.counts(comment) else 0
    db.session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(reply_count=Thread.reply_count + step, last_activity_at=now)
    )  # fmt: skip
    if official and thread.answered_at is None:
        thread.answered_at = now
        thread.answered_by_department_id = author.department_id
        thread.answer_seconds = int((now - thread.created_at).total_seconds())
        audit.record("thread.official_answer", actor=author, target=thread, comment_id=comment.id)
    from engage.notifications import services as notifications

    if comment.is_visible:
        notifications.notify_reply(comment, thread, author, replied_to=parent)
    return comment


# A form sent twice (the browser's Back button, then send again; a double click) within this
# time publishes its text once.
RESENT_WITHIN = timedelta(minutes=10)


def sent_before(author, body: str, parent: Comment | None, *, thread_id: int | None = None,
                proposal_id: int | None = None) -> Comment | None:  # fmt: skip
    """The same text by the same author at the same place, sent a moment ago and not deleted."""
    parent_id, _depth = placement(parent)
    place = (Comment.thread_id == thread_id) if thread_id is not None else (
        Comment.proposal_id == proposal_id)  # fmt: skip
    return db.session.scalar(
        select(Comment).where(
            place, Comment.author_id == author.id, Comment.body == body.strip(),
            Comment.parent_id.is_(None) if parent_id is None else Comment.parent_id == parent_id,
            Comment.deleted_at.is_(None), Comment.created_at >= utcnow() - RESENT_WITHIN,
        ).order_by(Comment.id.desc()).limit(1)
    )  # fmt: skip


def parent_for_reply(parent_id: int | None, thread_id: int | None = None,
                     proposal_id: int | None = None) -> Comment | None:  # fmt: skip
    """The comment a reply answers, or None for a top-level reply.

    Raises LookupError when the id names no comment under this thread or proposal (forged ids).
    """
    if not parent_id:
        return None
    if not isinstance(parent_id, int) or not 0 < parent_id <= MAX_ID:
        raise LookupError(parent_id)  # (a refused form's raw text, or beyond any id)
    parent = db.session.get(Comment, parent_id)
    if parent is None or (parent.thread_id, parent.proposal_id) != (thread_id, proposal_id):
        raise LookupError(parent_id)
    return parent


def parent_to_answer(parent_id: int | None, thread_id: int | None = None,
                     proposal_id: int | None = None) -> Comment:  # fmt: skip
    """The post a reply form answers: one that can still be answered, else LookupError."""
    parent = parent_for_reply(parent_id, thread_id=thread_id, proposal_id=proposal_id)
    if parent is None or parent.is_deleted or not parent.is_visible:
        raise LookupError(parent_id)
    return parent


def placement(parent: Comment | None) -> tuple[int | None, int]:
    """(parent id, depth) of a new reply; beyond the deepest level it joins its parent's level."""
    if parent is None:
        return None, 0
    if parent.depth < MAX_DEPTH:
        return parent.id, parent.depth + 1
    return parent.parent_id, parent.depth


def edit_post(post, body: str, title: str | None = None) -> None:
    post.body = body.strip()
    if title is not None:
        post.title = title.strip()
    post.edited_at = utcnow()


def delete_post(post) -> None:
    """Delete the text but keep the place, so that replies stay understandable."""
    counted_before = reply_counts.counts(post)
    post.deleted_at = utcnow()
    post.body = ""
    reply_counts.changed(post, counted_before)
    if isinstance(post, Comment) and post.is_official and post.thread_id is not None:
        db.session.flush()
        thread = db.session.get(Thread, post.thread_id)
        remaining = official_answer(thread)
        if remaining is None:  # the thread counts as answered only while an answer stands
            thread.answered_at = thread.answered_by_department_id = thread.answer_seconds = None
        elif remaining.created_at != thread.answered_at:
            thread.answered_at = remaining.created_at
            thread.answered_by_department_id = remaining.department_id
            thread.answer_seconds = int((remaining.created_at - thread.created_at).total_seconds())


def close_thread(thread: Thread, actor, reason: str) -> None:
    if not reason.strip():
        raise DialogueError(_("Please give a reason."))
    thread.closed_at = utcnow()
    thread.closed_reason = reason.strip()
    thread.closed_by_id = actor.id
    audit.record("thread.close", actor=actor, target=thread, reason=reason.strip())
    from engage.notifications import services as notifications

    notifications.notify_closed(thread, actor)


def reopen_thread(thread: Thread, actor) -> None:
    thread.closed_at = thread.closed_reason = thread.closed_by_id = None
    audit.record("thread.reopen", actor=actor, target=thread)


def toggle_helpful(comment: Comment, user) -> bool:
    """Mark or unmark a reply as helpful; returns whether it is marked now."""
    removed = db.session.execute(
        delete(Reaction).where(Reaction.comment_id == comment.id, Reaction.user_id == user.id),
        execution_options=of_user(user.id),
    ).rowcount
    if removed:
        comment.helpful_count = max(comment.helpful_count - 1, 0)
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Reaction(comment_id=comment.id, user_id=user.id))
    except IntegrityError:  # a double click raced us; the unique constraint kept one
        return True
    comment.helpful_count += 1
    return True


@dataclass
class ThreadFilter:
    process_id: int | None = None
    state: str | None = None  # "open", "answered", "unanswered", "closed"
    city_wide_only: bool = False


def threads_query(filters: ThreadFilter) -> Select:
    query = select(Thread).where(
        Thread.moderation_status == ContentStatus.VISIBLE.value, Thread.deleted_at.is_(None)
    )
    if filters.process_id:
        query = query.where(Thread.process_id == filters.process_id)
    elif filters.city_wide_only:
        query = query.where(Thread.process_id.is_(None))
    if filters.state == "answered":
        query = query.where(Thread.answered_at.is_not(None))
    elif filters.state == "unanswered":
        query = query.where(Thread.answered_at.is_(None), Thread.closed_at.is_(None))
    elif filters.state == "closed":
        query = query.where(Thread.closed_at.is_not(None))
    elif filters.state == "open":
        query = query.where(Thread.closed_at.is_(None))
    return query.order_by(Thread.last_activity_at.desc(), Thread.id.desc())


def _shown_to(viewer):
    """Visible replies, and the viewer's own ones waiting for approval ("under review")."""
    visible = Comment.moderation_status == ContentStatus.VISIBLE.value
    if viewer is None or not viewer.is_authenticated:
        return visible
    own_pending = and_(Comment.moderation_status == ContentStatus.PENDING.value,
                       Comment.author_id == viewer.id)  # fmt: skip
    return or_(visible, own_pending)


def _keeps_its_place(below) -> object:
    """SQL: a hidden reply with a visible answer below it stays as a placeholder ("hidden by
    the moderation team"), like a deleted one: else blocking a spammer would also hide the
    official answer given to them."""
    answer = aliased(Comment)
    visible = answer.moderation_status == ContentStatus.VISIBLE.value
    return and_(Comment.moderation_status == ContentStatus.HIDDEN.value,
                exists().where(below(answer), answer.parent_id.is_not(None), visible))  # fmt: skip


def top_level_query(thread: Thread | None = None, proposal=None, viewer=None) -> Select:
    """Top-level replies of a thread or a proposal, official answers first."""
    subject = Comment.thread_id == thread.id if thread else Comment.proposal_id == proposal.id
    # (Below a top-level reply: every reply of its tree.)
    in_tree = _keeps_its_place(lambda answer: answer.root_id == Comment.id)
    return (
        select(Comment)
        .where(subject, Comment.parent_id.is_(None))
        .where(or_(_shown_to(viewer), in_tree))
        .order_by(Comment.is_official.desc(), Comment.created_at, Comment.id)
    )


# Top-level replies per page of a thread or a proposal (their answers below them).
REPLIES_PER_PAGE = 50


def reply_page_number(comment: Comment, viewer=None) -> int:
    """The page on which the viewer finds a reply: the one of its top-level reply, counted in
    the order of top_level_query (official answers first, then by time)."""
    root = comment
    if comment.parent_id is not None:
        root = db.session.get(Comment, comment.root_id) or comment
    subject = (Comment.thread_id == root.thread_id if root.thread_id is not None
               else Comment.proposal_id == root.proposal_id)  # fmt: skip
    earlier = or_(Comment.created_at < root.created_at,
                  and_(Comment.created_at == root.created_at, Comment.id < root.id))  # fmt: skip
    if root.is_official:
        before = and_(Comment.is_official.is_(True), earlier)
    else:
        before = or_(Comment.is_official.is_(True), earlier)
    in_tree = _keeps_its_place(lambda answer: answer.root_id == Comment.id)
    ahead = db.session.scalar(
        select(func.count()).select_from(Comment)
        .where(subject, Comment.parent_id.is_(None), or_(_shown_to(viewer), in_tree), before)
    )  # fmt: skip
    return ahead // REPLIES_PER_PAGE + 1


def reply_url(comment: Comment, viewer=None) -> str:
    """The address of a reply on its thread's or proposal's page, on the right page."""
    from flask import url_for

    number = reply_page_number(comment, viewer)
    page = {"page": number} if number > 1 else {}
    if comment.proposal_id is not None:
        return url_for("proposals.detail", proposal_id=comment.proposal_id, **page,
                       _anchor=f"c{comment.id}")  # fmt: skip
    return url_for("dialogue.detail", thread_id=comment.thread_id, **page,
                   _anchor=f"c{comment.id}")  # fmt: skip


def replies_below(roots: list[Comment], viewer=None) -> dict[int, list[Comment]]:
    """All nested replies of a page of top-level replies, in one query, grouped by parent."""
    children: dict[int, list[Comment]] = {}
    if not roots:
        return children
    nested = db.session.scalars(replies_below_query([c.id for c in roots], viewer))
    for comment in nested:
        children.setdefault(comment.parent_id, []).append(comment)
    return children


def replies_below_query(root_ids: list[int], viewer=None) -> Select:
    """The nested replies below these top-level replies that the viewer sees, in order."""
    return (
        select(Comment)
        .where(Comment.root_id.in_(root_ids), Comment.parent_id.is_not(None))
        .where(
            or_(_shown_to(viewer), _keeps_its_place(lambda answer: answer.parent_id == Comment.id))
        )
        .order_by(Comment.created_at, Comment.id)
    )


def helpful_marks(user, comment_ids: list[int]) -> set[int]:
    if not user.is_authenticated or not comment_ids:
        return set()
    return set(
        db.session.scalars(
            select(Reaction.comment_id).where(
                Reaction.user_id == user.id, Reaction.comment_id.in_(comment_ids)
            )
        )
    )


def official_answer(thread: Thread) -> Comment | None:
    return db.session.scalar(
        select(Comment)
        .where(Comment.thread_id == thread.id, Comment.is_official.is_(True))
        .where(
            Comment.deleted_at.is_(None), Comment.moderation_status == ContentStatus.VISIBLE.value
        )
        .order_by(Comment.created_at)
        .limit(1)
    )


def thread_counts(process_id: int | None = None) -> int:
    query = select(func.count()).select_from(threads_query(ThreadFilter(process_id)).subquery())
    return db.session.scalar(query)


def export_dialogue(user) -> dict:
    """Threads and replies the user wrote, for the personal-data export."""

    def iso(value: datetime | None):
        return value.isoformat() if value else None

    threads = db.session.scalars(select(Thread).where(Thread.author_id == user.id))
    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id))
    reactions = db.session.scalars(
        select(Reaction).where(Reaction.user_id == user.id).order_by(Reaction.id)
    )
    return {
        "threads": [{"id": t.id, "title": t.title, "body": t.body,
                     "created_at": iso(t.created_at)} for t in threads],
        "replies": [{"id": c.id, "thread_id": c.thread_id, "proposal_id": c.proposal_id,
                     "body": c.body, "created_at": iso(c.created_at)} for c in comments],
        "helpful_marks": [{"comment_id": r.comment_id, "created_at": iso(r.created_at)}
                          for r in reactions],
    }  # fmt: skip


class ReplyPage:
    """One page of replies with their sub-trees, loaded only when a template reads them.

    A viewer who wrote, marked or reported none of the replies here sees them like any other
    viewer with the same right to write: `shared_key` names that case, and the page keeps the
    rendered replies as one fragment (core/fragments.py), so a hit loads no reply at all.
    """

    def __init__(self, per_page: int, viewer, *, thread=None, proposal=None,
                 touched: bool | None = None):  # fmt: skip
        """touched: whether the viewer wrote, marked or reported a reply anywhere on the thread
        or proposal, when the page asked already (from the personal state); only then is this
        page's own replies asked about."""
        self.per_page, self.viewer = per_page, viewer
        self._thread, self._proposal = thread, proposal
        self.subject = ("thread", thread.id) if thread else ("proposal", proposal.id)
        self.number = requested_page()
        self.touched = touched

    def _where(self):
        # Built when asked, not up front: a kept page never needs it (building the clause
        # was a twentieth of a kept proposal page).
        if self._thread is not None:
            return Comment.thread_id == self._thread.id
        return Comment.proposal_id == self._proposal.id

    @cached_property
    def page(self):
        # Built here, not up front: a kept page never needs it.
        page = self._page_of_kept_trees()
        if page is None:
            query = top_level_query(self._thread, proposal=self._proposal, viewer=self.viewer)
            page = db.paginate(query, page=self.number, per_page=self.per_page, error_out=False)
        require_existing_page(self.number, page.pages)
        return page

    def _page_of_kept_trees(self) -> Pagination | None:
        """For a viewer with trees kept for everyone on the page (tree_key): the page from what
        the worker keeps of it (its top-level ids, the count of them), with only the viewer's
        own trees' top-level replies loaded; the others stand for their kept fragment
        (loaded() gives the reply, should that be gone meanwhile)."""
        if self._writes is None or not self._touched_trees:
            return None
        from engage.core import fragments

        roots = list(self._tree_ids())
        mine = self._touched_trees
        loaded = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_(mine)))}
        items = [loaded.get(root) or _KeptTree(root) for root in roots]
        total = fragments.remembered(("reply count", *self.subject), self._count_shown_to_all)
        return _KnownPage(page=self.number, per_page=self.per_page, error_out=False,
                          items=items, total=total)  # fmt: skip

    def _count_shown_to_all(self) -> int:
        top = top_level_query(self._thread, proposal=self._proposal).order_by(None)
        return db.session.scalar(select(func.count()).select_from(top.subquery()))

    def loaded(self, top) -> Comment:
        """The top-level reply itself, for one that stood for its kept tree: loaded with the
        page's others whose trees are not kept now (a new version: one query, not one each)."""
        if not isinstance(top, _KeptTree):
            return top
        found = self._loaded_tops
        if top.id not in found:
            wanted = [c.id for c in self._rendered_with(top.id, found) if isinstance(c, _KeptTree)]
            found.update((c.id, c) for c in db.session.scalars(
                select(Comment).where(Comment.id.in_(wanted))))  # fmt: skip
        return found[top.id]

    @cached_property
    def _loaded_tops(self) -> dict[int, Comment]:
        return {}

    def answers_to(self, comment: Comment) -> list[Comment]:
        """The replies to a reply on this page. Loaded with the rest of their tree, and with
        every other tree of the page not kept for everyone (tree_key), in one query."""
        root = comment.root_id or comment.id
        if root not in self._loaded_trees:
            wanted = self._rendered_with(root, self._loaded_trees)
            self._children.update(replies_below(wanted, viewer=self.viewer))
            self._loaded_trees.update(c.id for c in wanted)
        return self._children.get(comment.id, [])

    def _rendered_with(self, root_id: int, done) -> list:
        """The page's top-level replies (or their stand-ins) whose trees are rendered now:
        this one, and the others not done yet whose trees are not kept (after a write none
        is: one query for them all, not one each)."""
        return [c for c in self.page.items if c.id not in done
                and (c.id == root_id or not self._kept_tree(c.id))]  # fmt: skip

    @cached_property
    def _children(self) -> dict[int, list[Comment]]:
        return {}

    @cached_property
    def _loaded_trees(self) -> set[int]:
        return set()

    def marked_helpful(self, comment: Comment) -> bool:
        """Whether the viewer marked the reply helpful."""
        return comment.id in self._helpful

    @cached_property
    def _helpful(self) -> set[int]:
        trees = self._touched_trees
        if trees is not None:  # (in a tree they did nothing in, they marked nothing)
            ids = [i for root in trees for i in self._tree_ids().get(root, ())]
        else:
            ids = [c.id for c in self.page.items]
            ids += [answer.id for c in self.page.items for answer in self._tree_of(c)]
        return helpful_marks(self.viewer, ids)

    def _tree_of(self, top: Comment) -> list[Comment]:
        """Every reply below a top-level one."""
        found, waiting = [], [top]
        while waiting:
            below = self.answers_to(waiting.pop())
            found += below
            waiting += below
        return found

    @cached_property
    def shared_key(self) -> tuple | None:
        """The key of this page's replies as every such viewer sees them, or None."""
        if self._writes is None or self._touched_trees != frozenset():
            return None  # nothing can be kept (no Redis), or the page shows what they did
        return (*self.subject, self.number, self._writes)

    def tree_key(self, root_id: int, can_reply: bool) -> tuple | None:
        """The key of a top-level reply's tree as every viewer with the same rights who did
        nothing in it sees it, or None when it is rendered for this viewer. A reader whose
        reply is on a page of a long discussion has that page rendered, but only the trees
        they wrote, marked or reported in (page 1 of the 2,000-reply thread cost one of its
        authors 15 ms of CPU each time)."""
        self._can_reply = can_reply  # (the same for every tree: _kept_tree asks it)
        return self._tree_key(root_id, can_reply)

    def _tree_key(self, root_id: int, can_reply: bool) -> tuple | None:
        trees = self._touched_trees
        if self._writes is None or trees is None or root_id in trees:
            return None
        return ("reply tree", *self.subject, root_id, self._writes, can_reply)

    def _kept_tree(self, root_id: int) -> bool:
        from engage.core import fragments

        can_reply = self.__dict__.get("_can_reply")
        key = None if can_reply is None else self._tree_key(root_id, can_reply)
        # (the template's {% cache tree_key %} keeps it under the one part (tree_key,))
        return key is not None and fragments.is_cached((key,))

    @cached_property
    def _writes(self) -> bool | None:
        """Whether the viewer may write (what a reply shows everyone who did nothing in its
        tree depends on); None when nothing can be kept (no Redis)."""
        from engage.accounts.permissions import can_write
        from engage.core.pagecache import worker_version

        if worker_version() is None:
            return None
        return can_write(self.viewer)

    @cached_property
    def _touched_trees(self) -> frozenset[int] | None:
        """The top-level replies on this page in whose trees the viewer wrote, marked or
        reported a reply; None when every tree is rendered for them (a reply of theirs waits
        for approval on this subject, shown to them alone, or their state is not kept)."""
        user = self.viewer
        # (touched: whether they did so anywhere on the subject, from the page's personal
        # state; False spares the rest)
        if user is None or not user.is_authenticated or self.touched is False:
            return frozenset()
        from engage.core import personal

        mine = personal.of(user)  # (kept per user until their rows change: no query)
        if mine is None:
            return None if self._touches_this_page(user) else frozenset()
        waiting = mine.waiting_threads if self._thread is not None else mine.waiting_proposals
        if self.subject[1] in waiting:
            return None
        touched = mine.touched_comments
        return frozenset(root for root, ids in self._tree_ids().items()
                         if any(i in touched for i in ids))  # fmt: skip

    def _tree_ids(self) -> dict[int, tuple[int, ...]]:
        from engage.core import fragments

        return fragments.remembered(("reply trees", *self.subject, self.number),
                                    self._ids_shown_to_all)  # fmt: skip

    def _touches_this_page(self, user) -> bool:
        """Whether the user wrote, marked or reported a reply shown on this page, or has a
        reply waiting for approval here (shown to them alone), in one query."""
        shown = [i for ids in self._tree_ids().values() for i in ids]
        pending = Comment.moderation_status == ContentStatus.PENDING.value
        waiting = exists().where(self._where(), Comment.author_id == user.id, pending)
        return bool(db.session.scalar(select(or_(touches(user.id, Comment.id.in_(shown)),
                                                 waiting))))  # fmt: skip

    def _ids_shown_to_all(self) -> dict[int, tuple[int, ...]]:
        """The ids of the replies this page shows to everyone (a visitor's view of it), by
        the top-level reply of their tree."""
        top = top_level_query(self._thread, proposal=self._proposal).with_only_columns(Comment.id)
        first = (self.number - 1) * self.per_page
        roots = list(db.session.scalars(top.offset(first).limit(self.per_page)))
        trees = {root: [root] for root in roots}
        if roots:
            below = replies_below_query(roots).with_only_columns(Comment.id, Comment.root_id)
            for reply_id, root in db.session.execute(below):
                trees[root].append(reply_id)
        return {root: tuple(ids) for root, ids in trees.items()}


@dataclass(frozen=True)
class _KeptTree:
    """A top-level reply on a page, by its id only: its tree is kept (ReplyPage.tree_key)."""

    id: int


class _KnownPage(Pagination):
    """A page of replies whose items and total are known already (ReplyPage)."""

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


@dataclass(frozen=True)
class ThreadViewer:
    """What one user did on a thread's page: it decides the buttons they see."""

    following: bool = False
    reported: bool = False  # the thread itself
    touched_replies: bool = False  # wrote, marked helpful or reported a reply here


@cache
def _thread_viewer_query():
    from sqlalchemy import bindparam, exists

    from engage.moderation.models import Flag
    from engage.notifications.models import Follow

    user_id, thread_id = bindparam("user_id"), bindparam("thread_id")
    return HotStatement(select(
        exists().where(Follow.user_id == user_id, Follow.thread_id == thread_id),
        exists().where(Flag.user_id == user_id, Flag.content_type == "thread",
                       Flag.content_id == thread_id),
        touches(user_id, Comment.thread_id == thread_id),
    ))  # fmt: skip


def thread_viewer(user, thread: Thread) -> ThreadViewer:
    """The user's own state on the thread's page, in one query (none for visitors)."""
    if not user.is_authenticated:
        return ThreadViewer()
    from engage.core import personal

    mine = personal.of(user)  # (kept per user until their rows change: no query)
    if mine is not None:
        return ThreadViewer(thread.id in mine.following_threads,
                            thread.id in mine.reported_threads,
                            thread.id in mine.touched_threads)  # fmt: skip
    # On psycopg's cursor (core/hot_sql.py: SQLAlchemy's execution costs more than the query),
    # and alone (core/transactions.read_alone): often the page's only query.
    [(following, reported, touched)] = read_alone(
        _thread_viewer_query(), {"user_id": user.id, "thread_id": thread.id})  # fmt: skip
    return ThreadViewer(bool(following), bool(reported), bool(touched))


def touches(user_id, where):
    """SQL: whether the user wrote, marked helpful or reported any reply matching where."""
    from sqlalchemy import exists

    from engage.moderation.models import Flag

    here = select(Comment.id).where(where)
    wrote = exists().where(where, Comment.author_id == user_id)
    marked = exists().where(Reaction.user_id == user_id, Reaction.comment_id.in_(here))
    flagged = exists().where(Flag.user_id == user_id, Flag.content_type == "comment",
                             Flag.content_id.in_(here))  # fmt: skip
    return or_(wrote, marked, flagged)
