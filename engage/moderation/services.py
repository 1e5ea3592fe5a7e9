"""Moderation rules: flags and auto-hide, decisions, bulk actions, appeals, pre-moderation.

Every decision is written to the audit log in the same transaction as the change itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import User
from engage.boards import reply_counts
from engage.core import audit
from engage.core.moderation import ContentStatus
from engage.core.pagecache import of_user
from engage.core.settings import get_settings
from engage.core.types import utcnow
from engage.extensions import db
from engage.moderation import content
from engage.moderation.models import (
    Action,
    Appeal,
    AppealStatus,
    Flag,
    ModerationDecision,
    Reason,
)
from engage.moderation.permissions import skips_premoderation


class ModerationError(Exception):
    """A moderation rule was broken; the message is shown to the user."""


class AlreadyFlagged(ModerationError):
    pass


class AlreadyAppealed(ModerationError):
    pass


class NotApplicable(ModerationError):
    """The action does not fit the item's state (e.g. restoring visible content)."""


# From which moderation states each action may be taken, and the state it leads to.
TRANSITIONS = {
    Action.HIDE: ({ContentStatus.VISIBLE, ContentStatus.PENDING}, ContentStatus.HIDDEN),
    Action.RESTORE: ({ContentStatus.HIDDEN}, ContentStatus.VISIBLE),
    Action.DISMISS: ({ContentStatus.VISIBLE}, ContentStatus.VISIBLE),
    Action.APPROVE: ({ContentStatus.PENDING}, ContentStatus.VISIBLE),
    Action.REJECT: ({ContentStatus.PENDING}, ContentStatus.HIDDEN),
}
NEEDS_REASON = {Action.HIDE, Action.REJECT}


def reason_text(code: str, text: str = "") -> str:
    """The reason the author reads: the template's wording, then the moderator's own words."""
    label = Reason(code).label if code in set(Reason) else ""
    text = (text or "").strip()
    return f"{label}: {text}" if label and text else (label or text)


# --- flags -------------------------------------------------------------------------------------


def flag(user: User, item, reason: str, text: str = "") -> Flag:
    """Report an item once; at the threshold of distinct reports it is hidden for review."""
    if reason not in set(Reason):
        raise ModerationError(_("Please choose a reason."))
    text = (text or "").strip()
    if reason == Reason.OTHER and not text:
        raise ModerationError(_("Please describe the problem."))
    kind, item_id = content.key_of(item)
    report = Flag(user_id=user.id, content_type=kind, content_id=item_id, reason=reason,
                  text=text[:500])  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise AlreadyFlagged(_("You have already reported this.")) from None
    if open_flag_count(item) >= get_settings().flag_threshold:
        auto_hide(item)
    return report


def open_flag_count(item) -> int:
    kind, item_id = content.key_of(item)
    return db.session.scalar(
        select(func.count(func.distinct(Flag.user_id))).where(
            Flag.content_type == kind, Flag.content_id == item_id, Flag.resolved_at.is_(None)
        )
    )


def has_flagged(user, item) -> bool:
    if not user.is_authenticated:
        return False
    kind, item_id = content.key_of(item)
    return bool(db.session.scalar(
        select(func.count()).select_from(Flag)
        .where(Flag.user_id == user.id, Flag.content_type == kind, Flag.content_id == item_id)
    ))  # fmt: skip


def auto_hide(item) -> ModerationDecision | None:
    """Hide an item that enough users reported; moderators are told. None if already hidden."""
    model = type(item)
    counted_before = reply_counts.counts(item)
    # A conditional update: of two concurrent last reports, only one hides the item.
    hidden = db.session.execute(
        update(model)
        .where(model.id == item.id, model.moderation_status == ContentStatus.VISIBLE.value)
        .values(moderation_status=ContentStatus.HIDDEN.value, hidden_at=utcnow(),
                hidden_reason=_("Reported by several users; waiting for review."))
    ).rowcount  # fmt: skip
    if not hidden:
        return None
    db.session.refresh(item)
    reply_counts.changed(item, counted_before)
    decision = _record(None, item, Action.AUTO_HIDE, _top_reason(item), "")
    from engage.notifications import services as notifications

    notifications.notify_moderators(decision)
    return decision


def _top_reason(item) -> str:
    kind, item_id = content.key_of(item)
    row = db.session.execute(
        select(Flag.reason, func.count().label("n"))
        .where(Flag.content_type == kind, Flag.content_id == item_id, Flag.resolved_at.is_(None))
        .group_by(Flag.reason)
        .order_by(func.count().desc(), Flag.reason)
        .limit(1)
    ).first()
    return row.reason if row else Reason.OTHER.value


def _resolve_flags(item) -> None:
    kind, item_id = content.key_of(item)
    db.session.execute(
        update(Flag)
        .where(Flag.content_type == kind, Flag.content_id == item_id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )


# --- decisions ---------------------------------------------------------------------------------


def _record(actor, item, action: Action, reason_code: str, reason: str) -> ModerationDecision:
    kind, item_id = content.key_of(item)
    decision = ModerationDecision(
        content_type=kind, content_id=item_id, action=action.value,
        actor_id=getattr(actor, "id", None), author_id=content.author_id_of(item),
        reason_code=reason_code, reason=reason,
    )  # fmt: skip
    db.session.add(decision)
    db.session.flush()
    audit.record(f"moderation.{action.value}", actor=actor, target=item, reason=reason,
                 decision_id=decision.id, reason_code=reason_code)  # fmt: skip
    return decision


def decide(actor: User, item, action: Action | str, reason_code: str = "", text: str = "",
           notify: bool = True, mail: bool = True) -> ModerationDecision:  # fmt: skip
    """Hide, restore, approve, reject an item or dismiss its reports; the author is told
    (mail=False: in the notifications only, a caller's mail sums several decisions up)."""
    action = Action(action)
    if action not in TRANSITIONS:
        raise NotApplicable(_("This action is not possible here."))
    allowed_from, to_status = TRANSITIONS[action]
    if ContentStatus(item.moderation_status) not in allowed_from:
        raise NotApplicable(_("This action does not fit the item's current state."))
    if action in NEEDS_REASON and reason_code not in set(Reason):
        raise ModerationError(_("Please choose a reason."))
    if reason_code not in set(Reason):
        reason_code = ""
    reason = reason_text(reason_code, text)
    counted_before = reply_counts.counts(item)
    item.moderation_status = to_status.value
    reply_counts.changed(item, counted_before)
    if to_status == ContentStatus.HIDDEN:
        item.hidden_at, item.hidden_reason = utcnow(), reason[:500]
    elif action != Action.DISMISS:
        item.hidden_at = item.hidden_reason = None
    _resolve_flags(item)
    # (Restoring, approving and dismissing need no reason: none is recorded, not "other".)
    decision = _record(actor, item, action, reason_code, reason)
    from engage.notifications import services as notifications

    if action == Action.APPROVE:
        _announce(item)
    if notify and action != Action.DISMISS and decision.author_id != actor.id:
        notifications.notify_decision(decision, item, mail=mail)
    return decision


def _announce(item) -> None:
    """Send the news held back while the post waited for approval (followers, replied-to)."""
    from engage.boards.dialogue_models import Comment, Thread
    from engage.notifications import services as notifications

    author = db.session.get(User, content.author_id_of(item))
    if isinstance(item, Thread):
        notifications.notify_new_thread(item, author)
    elif isinstance(item, Comment):
        parent = db.session.get(Comment, item.parent_id) if item.parent_id else None
        if item.thread_id is not None:
            thread = db.session.get(Thread, item.thread_id)
            notifications.notify_reply(item, thread, author, replied_to=parent)
        else:
            proposal = content.load("proposal", item.proposal_id)
            notifications.notify_proposal_comment(proposal, item, author, replied_to=parent)


@dataclass
class BulkResult:
    done: int = 0
    skipped: int = 0
    blocked: list[str] = field(default_factory=list)
    blocked_before: list[str] = field(default_factory=list)  # (their posts are hidden now)


BULK_ACTIONS = ("hide", "restore", "dismiss", "approve", "reject", "block")


def bulk(actor: User, keys: list[tuple[str, int]], action: str, reason_code: str = "",
         text: str = "", block_until: datetime | None = None) -> BulkResult:  # fmt: skip
    """Apply one action to many items; items in another state are skipped, not failed."""
    if action not in BULK_ACTIONS:
        raise NotApplicable(_("This action is not possible here."))
    items = content.load_many(keys)
    result = BulkResult(skipped=len(set(keys)) - len(items))
    if action == "block":
        return _block_authors(actor, list(items.values()), reason_code, text, block_until, result)
    for item in items.values():
        try:
            decide(actor, item, action, reason_code, text)
        except NotApplicable:
            result.skipped += 1
        else:
            result.done += 1
    return result


def _block_authors(actor, items, reason_code, text, until, result: BulkResult) -> BulkResult:
    from engage.admin import services as admin

    if reason_code not in set(Reason):
        raise ModerationError(_("Please choose a reason."))
    reason = reason_text(reason_code, text)
    author_ids = {content.author_id_of(item) for item in items} - {None}
    authors = db.session.scalars(select(User).where(User.id.in_(author_ids))).all()
    for author in authors:
        if author.id == actor.id or skips_premoderation(author):
            result.skipped += 1  # staff are not blocked from the queue: an admin does that
            continue
        newly_blocked = not author.is_blocked  # (if blocked already, say in /admin: only hide)
        if newly_blocked:
            admin.block_user(actor, author, reason, until, tell=False)
            result.blocked.append(author.display_name)
        else:
            result.blocked_before.append(author.display_name)
        # One mail for the block and the hidden posts; each post's decision is a notification.
        hidden = hide_all_content(actor, author, reason_code, text, mail=not newly_blocked)
        if newly_blocked:
            admin.tell_about_block(author, blocked=True, hidden_posts=hidden)
        result.done += hidden
    return result


def hide_all_content(actor: User, author: User, reason_code: str, text: str = "",
                     mail: bool = True) -> int:  # fmt: skip
    """Hide everything the author wrote that is still public or pending; returns the count.

    Each decision is in the author's notifications (from where it can be appealed, like any
    other); the author gets one mail for all of them (mail=False: the caller's mail says it)."""
    count = 0
    for kind, model in content.MODELS.items():
        author_column = model.created_by_id if kind == "offer" else model.author_id
        items = db.session.scalars(
            select(model).where(author_column == author.id,
                                model.moderation_status != ContentStatus.HIDDEN.value)
        ).all()  # fmt: skip
        for item in items:
            decide(actor, item, Action.HIDE, reason_code, text, mail=False)
            count += 1
    if count and mail:
        from engage.notifications import services as notifications

        notifications.mail_hidden_posts(author, count, reason_text(reason_code, text))
    return count


# --- appeals -----------------------------------------------------------------------------------


def has_appealed(user, decision: ModerationDecision) -> bool:
    return bool(db.session.scalar(
        select(func.count()).select_from(Appeal)
        .where(Appeal.author_id == user.id, Appeal.content_type == decision.content_type,
               Appeal.content_id == decision.content_id)
    ))  # fmt: skip


def appeal(user: User, decision: ModerationDecision, text: str) -> Appeal:
    """The author objects to a decision, once per item (the database refuses a second one)."""
    if not text.strip():
        raise ModerationError(_("Please explain why the decision should be reviewed."))
    new = Appeal(decision_id=decision.id, author_id=user.id, content_type=decision.content_type,
                 content_id=decision.content_id, text=text.strip())  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(new)
    except IntegrityError:
        raise AlreadyAppealed(_("You have already appealed against this decision.")) from None
    return new


def decide_appeal(actor: User, appeal: Appeal, grant: bool, answer: str) -> None:
    """Grant (publish the content again) or reject an appeal; the author is told either way."""
    if not appeal.is_open:
        raise NotApplicable(_("This appeal has already been decided."))
    if not answer.strip():
        raise ModerationError(_("Please give a reason."))
    appeal.status = (AppealStatus.GRANTED if grant else AppealStatus.REJECTED).value
    appeal.decided_at, appeal.decided_by_id, appeal.answer = utcnow(), actor.id, answer.strip()
    item = content.load(appeal.content_type, appeal.content_id)
    if grant and item is not None and item.is_hidden:
        decide(actor, item, Action.RESTORE, "", answer, notify=False)
    audit.record(f"appeal.{appeal.status}", actor=actor, target=appeal, reason=answer.strip(),
                 decision_id=appeal.decision_id)  # fmt: skip
    from engage.notifications import services as notifications

    notifications.notify_appeal_decided(appeal, item)


# --- pre-moderation and spam defences ----------------------------------------------------------


def pending_message() -> str:
    """What an author reads after posting something that waits for approval."""
    return _("Thank you. Your post is under review: the moderation team publishes it soon.")


def published_post_count(user) -> int:
    """How many of the user's posts are public (threads, replies, proposals)."""
    total = 0
    for kind in ("thread", "comment", "proposal"):
        model = content.MODELS[kind]
        total += db.session.scalar(
            select(func.count()).select_from(model)
            .where(model.author_id == user.id,
                   model.moderation_status == ContentStatus.VISIBLE.value)
        )  # fmt: skip
    return total


def initial_status(author: User, process=None) -> str:
    """Pending in a pre-moderated process or for a user's first N posts, else visible."""
    if skips_premoderation(author):
        return ContentStatus.VISIBLE.value
    if process is not None and process.premoderated:
        return ContentStatus.PENDING.value
    first_posts = get_settings().premoderated_first_posts
    if first_posts and published_post_count(author) < first_posts:
        return ContentStatus.PENDING.value
    return ContentStatus.VISIBLE.value


LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
NEW_ACCOUNT_AGE = timedelta(hours=24)
NEW_ACCOUNT_POSTS = 3
NEW_ACCOUNT_LINKS = 2


def link_limit(user, *texts: str) -> int | None:
    """The number of links the user may post at once, or None when there is no limit."""
    if skips_premoderation(user):
        return None
    young = user.created_at is None or utcnow() - user.created_at < NEW_ACCOUNT_AGE
    if young or published_post_count(user) < NEW_ACCOUNT_POSTS:
        return NEW_ACCOUNT_LINKS
    return None


def too_many_links(user, *texts: str) -> bool:
    limit = link_limit(user)
    return limit is not None and sum(len(LINK.findall(t or "")) for t in texts) > limit


# --- personal data -----------------------------------------------------------------------------


def export_for(user) -> dict:
    """The user's own reports and appeals and the decisions about their posts, for the export."""
    flags = db.session.scalars(select(Flag).where(Flag.user_id == user.id).order_by(Flag.id))
    appeals = db.session.scalars(
        select(Appeal).where(Appeal.author_id == user.id).order_by(Appeal.id)
    )
    decisions = db.session.scalars(
        select(ModerationDecision)
        .where(ModerationDecision.author_id == user.id)
        .order_by(ModerationDecision.id)
    )
    return {
        "reports": [{"content_type": f.content_type, "content_id": f.content_id,
                     "reason": f.reason, "text": f.text, "created_at": f.created_at.isoformat()}
                    for f in flags],
        "appeals": [{"content_type": a.content_type, "content_id": a.content_id, "text": a.text,
                     "status": a.status, "answer": a.answer,
                     "created_at": a.created_at.isoformat()} for a in appeals],
        "decisions_about_your_posts": [
            {"id": d.id, "content_type": d.content_type, "content_id": d.content_id,
             "action": d.action, "reason_code": d.reason_code, "reason": d.reason,
             "created_at": d.created_at.isoformat()} for d in decisions],
    }  # fmt: skip


def forget_user(user) -> None:
    """Account deletion: the texts of reports and appeals go; the counts stay."""
    db.session.execute(update(Flag).where(Flag.user_id == user.id).values(text=""),
                       execution_options=of_user(user.id))  # fmt: skip
    db.session.execute(update(Appeal).where(Appeal.author_id == user.id).values(text=""))
