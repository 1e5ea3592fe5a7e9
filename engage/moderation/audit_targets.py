"""Where the audit log's targets can be seen: a link per target that still exists and that the
reader may open, with a short name. A fixed number of queries, whatever the number of entries.

Each kind asks the predicate of the feature that owns the page (can_view_thread …), so the log
links exactly where those pages would let the reader in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from engage.accounts.models import User
from engage.accounts.permissions import can_administer
from engage.boards import permissions as boards
from engage.boards.dialogue_models import Comment, Thread
from engage.boards.models import Announcement
from engage.core.moderation import ContentStatus
from engage.core.sanitize import excerpt
from engage.extensions import db
from engage.moderation.models import Appeal, ModerationDecision
from engage.moderation.permissions import can_moderate, can_see_hidden_offer, can_view_decision
from engage.organisation.models import Department, District
from engage.processes.models import Process
from engage.processes.permissions import can_view_process
from engage.proposals.models import Proposal
from engage.proposals.permissions import can_view_proposal
from engage.volunteering.models import ServiceOffer, Shift, Signup
from engage.volunteering.permissions import can_manage_offer

Key = tuple[str, int]


@dataclass(frozen=True)
class Target:
    """What the log shows of one target: a link (None: plain text) and a short name."""

    url: str | None = None
    name: str = ""


# The audit entry's target_type (the model's class name in lower case) → how to load it: with
# what the predicates read, and nothing else (lazyload: no authors, phases … nobody reads here).
_BARE = lazyload("*")
MODELS = {
    "announcement": (Announcement, (_BARE, joinedload(Announcement.process).lazyload("*"),
                                    selectinload(Announcement.author).lazyload("*"))),
    "appeal": (Appeal, (_BARE, joinedload(Appeal.decision).lazyload("*"))),
    "comment": (Comment, (_BARE,)),
    "department": (Department, (_BARE,)),
    "district": (District, (_BARE,)),
    "process": (Process, (_BARE,)),
    "proposal": (Proposal, (_BARE,)),
    "serviceoffer": (ServiceOffer, (_BARE,)),
    "shift": (Shift, (_BARE, selectinload(Shift.offer).lazyload("*"))),
    "signup": (Signup, (_BARE, joinedload(Signup.shift).lazyload("*"),
                        joinedload(Signup.shift).selectinload(Shift.offer).lazyload("*"))),
    "thread": (Thread, (_BARE,)),
    "user": (User, (_BARE,)),
}  # fmt: skip
# Content that a hidden state takes off its page: a moderator reads it on its last decision.
_DECIDED = {"comment": "comment", "proposal": "proposal"}


def targets_of(entries, user) -> dict[Key, Target]:
    """The link and name of every target of these entries that still exists."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.target_type in MODELS and entry.target_id:
            wanted[entry.target_type].add(entry.target_id)
    loaded = {kind: _load(kind, ids) for kind, ids in wanted.items()}
    # The threads and proposals the replies are on: their page decides whether one is seen.
    comments = loaded.get("comment", {}).values()
    parents = {
        "thread": _load("thread", {c.thread_id for c in comments if c.thread_id}),
        "proposal": _load("proposal", {c.proposal_id for c in comments if c.proposal_id}),
    }
    decisions = _last_decisions(loaded, user)
    found = {}
    for kind, items in loaded.items():
        for item_id, item in items.items():
            url = URLS[kind](item, user, (parents, decisions))
            found[kind, item_id] = Target(url, _name(item))
    return found


def _load(kind: str, ids: set[int]) -> dict[int, object]:
    if not ids:
        return {}
    model, options = MODELS[kind]
    rows = db.session.scalars(select(model).where(model.id.in_(ids)).options(*options)).unique()
    return {row.id: row for row in rows}


def _last_decisions(loaded: dict[str, dict[int, object]], user) -> dict[Key, int]:
    """The newest decision about each hidden or rejected reply and proposal (for moderators)."""
    if not can_moderate(user):
        return {}
    away = {kind: [i for i, item in loaded.get(kind, {}).items() if item.is_hidden]
            for kind in _DECIDED}  # fmt: skip
    clauses = [and_(ModerationDecision.content_type == _DECIDED[kind],
                    ModerationDecision.content_id.in_(ids))
               for kind, ids in away.items() if ids]  # fmt: skip
    if not clauses:
        return {}
    rows = db.session.execute(
        select(ModerationDecision.content_type, ModerationDecision.content_id,
               func.max(ModerationDecision.id))
        .where(or_(*clauses))
        .group_by(ModerationDecision.content_type, ModerationDecision.content_id)
    )  # fmt: skip
    return {(kind, item_id): decision_id for kind, item_id, decision_id in rows}


def _away_url(kind: str, item, user, decisions: dict[Key, int]) -> str | None:
    """A hidden reply or proposal on its last decision; a waiting one in the queue."""
    if item.is_hidden and decisions.get((_DECIDED[kind], item.id)):
        return url_for("moderation.decision", decision_id=decisions[_DECIDED[kind], item.id])
    if item.moderation_status == ContentStatus.PENDING.value and can_moderate(user):
        return url_for("moderation.queue", status="pending", kind=_DECIDED[kind])
    return None


def _thread(thread, user, context) -> str | None:
    if thread.is_deleted or not boards.can_view_thread(user, thread):
        return None
    return url_for("dialogue.detail", thread_id=thread.id)


def _comment(comment, user, context) -> str | None:
    """A visible reply at its place on its page (if the reader may see the page)."""
    parents, decisions = context
    if comment.is_deleted:
        return None
    if not comment.is_visible:
        return _away_url("comment", comment, user, decisions)
    if comment.thread_id is not None:
        thread = parents["thread"].get(comment.thread_id)
        if thread is None or not boards.can_view_thread(user, thread):
            return None
        return url_for("dialogue.reply_at", comment_id=comment.id)
    proposal = parents["proposal"].get(comment.proposal_id)
    if proposal is None or not can_view_proposal(user, proposal):
        return None
    return url_for("dialogue.reply_at", comment_id=comment.id)


def _proposal(proposal, user, context) -> str | None:
    if can_view_proposal(user, proposal):
        return url_for("proposals.detail", proposal_id=proposal.id)
    return _away_url("proposal", proposal, user, context[1])


def _offer(offer, user, context=None) -> str | None:
    if offer.is_visible or can_see_hidden_offer(user, offer):
        return url_for("volunteer.detail", offer_id=offer.id)
    return None


def _shift(shift, user, context) -> str | None:
    if can_manage_offer(user, shift.offer):
        return url_for("volunteer.shift", shift_id=shift.id)
    return _offer(shift.offer, user)  # (the offer's page lists its shifts)


def _signup(signup, user, context) -> str | None:
    """A volunteer's sign-up: on its shift's page, for the offer's department only."""
    if can_manage_offer(user, signup.shift.offer):
        return url_for("volunteer.shift", shift_id=signup.shift_id)
    return None


def _process(process, user, context) -> str | None:
    if not can_view_process(user, process):
        return None
    return url_for("processes.detail", slug=process.slug)


def _announcement(announcement, user, context) -> str | None:
    if not boards.can_view_announcement(user, announcement):
        return None
    return url_for("info.detail", announcement_id=announcement.id)


def _appeal(appeal, user, context) -> str | None:
    """The decision an appeal is against: its page shows the appeal too."""
    if not can_view_decision(user, appeal.decision):
        return None
    return url_for("moderation.decision", decision_id=appeal.decision_id)


def _user(person, user, context) -> str | None:
    """Admins: the person's admin page; other readers: the public profile, while there is one."""
    if can_administer(user):
        return url_for("admin.user_detail", user_id=person.id)
    return None if person.is_deleted else url_for("main.profile", user_id=person.id)


def _organisation(kind: str):
    def url(item, user, context) -> str | None:
        if not can_administer(user):
            return None
        return url_for("admin.organisation_edit", kind=kind, item_id=item.id)

    return url


URLS = {
    "announcement": _announcement, "appeal": _appeal, "comment": _comment,
    "department": _organisation("departments"), "district": _organisation("districts"),
    "process": _process, "proposal": _proposal, "serviceoffer": _offer, "shift": _shift,
    "signup": _signup, "thread": _thread, "user": _user,
}  # fmt: skip


def _name(item) -> str:
    """A short name of the item, as its pages name it (empty where there is none to show)."""
    if isinstance(item, Comment):
        return "" if item.is_deleted else excerpt(item.body, 60)
    if isinstance(item, User):
        return item.public_name
    if isinstance(item, Department | District):
        return item.name
    if isinstance(item, Shift):
        return excerpt(item.offer.title, 60)
    title = getattr(item, "title", None)
    return excerpt(title, 60) if title else ""
