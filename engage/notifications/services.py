"""Following threads and processes; telling followers, in-app and by e-mail."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import g, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from engage.accounts.models import NotifyFrequency, User
from engage.accounts.services import mail_locale
from engage.boards.dialogue_models import Comment, Thread
from engage.core.mail import queue_mail
from engage.core.pagecache import of_user
from engage.core.types import utcnow
from engage.extensions import db
from engage.notifications.models import Follow, Notification, NotificationKind

DIGEST_WINDOW = timedelta(days=7)


def _subject(thread: Thread | None = None, process=None, proposal=None) -> dict:
    if thread is not None:
        return {"thread_id": thread.id}
    if proposal is not None:
        return {"proposal_id": proposal.id}
    return {"process_id": process.id}


def is_following(user, thread: Thread | None = None, process=None, proposal=None) -> bool:
    if not user.is_authenticated:
        return False
    from engage.core import personal

    mine = personal.of(user)  # (kept per user until their rows change: no query)
    subject = thread or proposal or process
    if mine is not None and subject is not None:
        followed = (mine.following_threads if thread is not None else
                    mine.following_proposals if proposal is not None else
                    mine.following_processes)  # fmt: skip
        return subject.id in followed
    conditions = [Follow.user_id == user.id]
    conditions += [getattr(Follow, k) == v
                   for k, v in _subject(thread, process, proposal).items()]  # fmt: skip
    return bool(db.session.scalar(select(func.count()).select_from(Follow).where(*conditions)))


def follow(user, thread: Thread | None = None, process=None, proposal=None) -> None:
    """Follow a thread, a proposal or a process; following twice changes nothing."""
    row = Follow(user_id=user.id, **_subject(thread, process, proposal))  # read before savepoint
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        pass  # already following (the unique constraint says so)


def unfollow(user, thread: Thread | None = None, process=None, proposal=None) -> None:
    conditions = [getattr(Follow, k) == v for k, v in _subject(thread, process, proposal).items()]
    db.session.execute(delete(Follow).where(Follow.user_id == user.id, *conditions),
                       execution_options=of_user(user.id))  # fmt: skip


def _followers(thread: Thread | None = None, process_id: int | None = None) -> set[int]:
    ids: set[int] = set()
    if thread is not None:
        ids |= set(db.session.scalars(select(Follow.user_id).where(Follow.thread_id == thread.id)))
    if process_id is not None:
        ids |= set(
            db.session.scalars(select(Follow.user_id).where(Follow.process_id == process_id))
        )
    return ids


def _added_once(notification: Notification) -> bool:
    """Store it unless its user was told about this event already (one per user and event)."""
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return False
    return True


def _notify(user_ids: set[int], actor, kind: NotificationKind, event_key: str, wants,
            **subject) -> list[Notification]:  # fmt: skip
    """Create one notification per recipient (never the actor) and mail the immediate ones."""
    user_ids.discard(actor.id)
    if not user_ids:
        return []
    users = db.session.scalars(
        select(User).where(User.id.in_(user_ids), User.deleted_at.is_(None))
    ).all()
    created = []
    for user in users:
        if not wants(user):
            continue
        notification = Notification(
            user_id=user.id, kind=kind.value, event_key=event_key, actor_id=actor.id, **subject
        )
        if not _added_once(notification):
            continue  # this user was already told about this event
        created.append(notification)
        if user.notify_frequency == NotifyFrequency.IMMEDIATELY.value and user.is_verified:
            _mail_now(user, notification)
    return created


def notify_reply(comment: Comment, thread: Thread, actor,
                 replied_to: Comment | None = None) -> list[Notification]:  # fmt: skip
    """Tell the thread's followers (and the author replied to) about a reply."""
    recipients = _followers(thread)
    if comment.is_official:
        # Official answers also reach those who follow the whole process.
        recipients |= _followers(process_id=thread.process_id)
        return _notify(recipients, actor, NotificationKind.OFFICIAL_ANSWER,
                       f"comment:{comment.id}", lambda u: u.notify_official_answers,
                       thread_id=thread.id, comment_id=comment.id)  # fmt: skip
    if replied_to is not None:
        recipients.add(replied_to.author_id)
    return _notify(recipients, actor, NotificationKind.REPLY, f"comment:{comment.id}",
                   lambda u: u.notify_replies, thread_id=thread.id,
                   comment_id=comment.id)  # fmt: skip


def notify_new_thread(thread: Thread, actor) -> list[Notification]:
    """Tell the followers of a process that a discussion was opened in it."""
    if thread.process_id is None:
        return []
    return _notify(_followers(process_id=thread.process_id), actor, NotificationKind.NEW_THREAD,
                   f"thread:{thread.id}", lambda u: u.notify_replies, thread_id=thread.id,
                   process_id=thread.process_id)  # fmt: skip


def notify_closed(thread: Thread, actor) -> list[Notification]:
    key = f"closed:{thread.id}:{int(thread.closed_at.timestamp())}"
    return _notify(_followers(thread), actor, NotificationKind.THREAD_CLOSED, key,
                   lambda u: True, thread_id=thread.id)  # fmt: skip


def notify_announcement(announcement, actor) -> list[Notification]:
    """Tell the followers of a process about an announcement that appears in it now."""
    if announcement.process_id is None or not announcement.is_visible():
        return []
    return _notify(_followers(process_id=announcement.process_id), actor,
                   NotificationKind.NEW_ANNOUNCEMENT, f"announcement:{announcement.id}",
                   lambda u: True, announcement_id=announcement.id,
                   process_id=announcement.process_id)  # fmt: skip


def notify_proposal_change(proposal, event, actor) -> list[Notification]:
    """Tell the author and every supporter that the proposal moved on."""
    from engage.proposals.models import Support

    recipients = {proposal.author_id} | _proposal_followers(proposal)
    recipients |= set(
        db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal.id))
    )
    # The key names the step, so that the notification says it later, not the state the
    # proposal is in when it is read (four steps read "… is now Evaluated" four times).
    return _notify(recipients, actor, NotificationKind.PROPOSAL_CHANGED,
                   f"proposal-event:{event.id}:{event.to_status}", lambda u: True,
                   proposal_id=proposal.id)  # fmt: skip


def _proposal_followers(proposal) -> set[int]:
    return set(db.session.scalars(select(Follow.user_id).where(Follow.proposal_id == proposal.id)))


def notify_proposal_comment(proposal, comment, actor, replied_to=None) -> list[Notification]:
    """Tell the proposal's followers (and the author replied to) about a comment."""
    recipients = _proposal_followers(proposal)
    if replied_to is not None:
        recipients.add(replied_to.author_id)
    return _notify(recipients, actor, NotificationKind.PROPOSAL_COMMENT, f"comment:{comment.id}",
                   lambda u: u.notify_official_answers if comment.is_official
                   else u.notify_replies,
                   proposal_id=proposal.id, comment_id=comment.id)  # fmt: skip


def notify_decision(decision, item, mail: bool = True) -> Notification | None:
    """Tell the author about a moderation decision: in-app, and by mail with how to appeal
    (mail=False: a mail about several decisions tells them; see mail_hidden_posts)."""
    return _tell_author(decision, item, NotificationKind.MODERATION_DECISION,
                        f"decision:{decision.id}", "moderation_decision", mail=mail)  # fmt: skip


def mail_hidden_posts(author, count: int, reason: str) -> None:
    """One mail for several posts hidden at once; the notifications list each to appeal."""
    with force_locale(mail_locale(author)):
        # (Not ngettext: German says "Einer Ihrer Beiträge", without the number, for one.)
        subject = (_("One of your posts was hidden") if count == 1
                   else _("%(num)d of your posts were hidden", num=count))  # fmt: skip
        queue_mail(author.email, subject, "content_hidden", user=author, count=count,
                   reason=reason,
                   notifications_link=url_for("notifications.index", _external=True))  # fmt: skip


def notify_appeal_decided(appeal, item) -> Notification | None:
    return _tell_author(appeal.decision, item, NotificationKind.APPEAL_DECIDED,
                        f"appeal:{appeal.id}", "appeal_decided", appeal=appeal)  # fmt: skip


def _tell_author(decision, item, kind: NotificationKind, event_key: str, template: str,
                 mail: bool = True, **context) -> Notification | None:  # fmt: skip
    from engage.moderation import content

    author = db.session.get(User, decision.author_id) if decision.author_id else None
    if author is None or author.is_deleted:
        return None
    notification = Notification(user_id=author.id, kind=kind.value, event_key=event_key,
                                actor_id=decision.actor_id, decision_id=decision.id)  # fmt: skip
    if not _added_once(notification):
        return None
    if not mail:  # (told by a mail about several decisions: not in a digest again)
        notification.mailed_at = utcnow()
        return notification
    # A decision about one's own content is a service message: mailed whatever the preference.
    with force_locale(mail_locale(author)):
        notification.decision = decision
        queue_mail(
            author.email,
            describe(notification),
            template,
            user=author,
            decision=decision,
            title=content.title_of(item) if item is not None else "",
            item_link=content.url_of(item, external=True) if item is not None else "",
            appeal_link=url_for("moderation.decision", decision_id=decision.id, _external=True),
            **context,
        )
    notification.mailed_at = utcnow()
    return notification


def notify_moderators(decision) -> list[Notification]:
    """Tell moderators and admins that reports hid an item, so that they review it soon."""
    from engage.accounts.permissions import MODERATOR_ROLES

    moderators = db.session.scalars(
        select(User).where(User.role.in_(MODERATOR_ROLES), User.deleted_at.is_(None))
    ).all()
    created = []
    for user in moderators:
        notification = Notification(user_id=user.id, kind=NotificationKind.AUTO_HIDDEN.value,
                                    event_key=f"decision:{decision.id}",
                                    decision_id=decision.id)  # fmt: skip
        if not _added_once(notification):
            continue
        created.append(notification)
        if user.notify_frequency == NotifyFrequency.IMMEDIATELY.value and user.is_verified:
            notification.decision = decision
            _mail_now(user, notification)
    return created


MODERATION_KINDS = {
    NotificationKind.MODERATION_DECISION.value,
    NotificationKind.APPEAL_DECIDED.value,
    NotificationKind.AUTO_HIDDEN.value,
}


def _describe_moderation(notification: Notification) -> str:
    decision = notification.decision
    kind = decision.kind_label if decision else ""
    if notification.kind == NotificationKind.AUTO_HIDDEN.value:
        return _("Reports hid a post (%(kind)s); please review it", kind=kind)
    if notification.kind == NotificationKind.APPEAL_DECIDED.value:
        return _("Your appeal has been decided (%(kind)s)", kind=kind)
    action = decision.action if decision else ""
    texts = {
        "hide": _("Moderation hid your post (%(kind)s)", kind=kind),
        "reject": _("Moderation did not publish your post (%(kind)s)", kind=kind),
        "restore": _("Your post is visible again (%(kind)s)", kind=kind),
        "approve": _("Your post was approved and is published (%(kind)s)", kind=kind),
    }
    return texts.get(action, _("A moderation decision about your post (%(kind)s)", kind=kind))


def moderated_titles(notifications) -> dict[int, str]:
    """The names of the posts that moderation notifications are about, per notification id:
    "Moderation hid your post" eight times over says nothing. One query per kind of post."""
    from engage.moderation import content

    keys = {n.id: (n.decision.content_type, n.decision.content_id) for n in notifications
            if n.kind in MODERATION_KINDS and n.decision is not None}  # fmt: skip
    items = content.load_many(keys.values())
    return {nid: content.title_of(items[key]) for nid, key in keys.items() if key in items}


def _step_of(notification: Notification) -> str:
    """The state the proposal moved to in the notified step ("proposal-event:ID:STATE")."""
    from engage.proposals.models import ProposalStatus

    *_, state = notification.event_key.split(":")
    try:
        return ProposalStatus(state).label
    except ValueError:  # (a key without its step)
        return notification.proposal.status_label


SHIFT_KINDS = {
    NotificationKind.SHIFT_PLACE.value,
    NotificationKind.SHIFT_CHANGED.value,
    NotificationKind.SHIFT_CANCELLED.value,
}


def notify_about_shift(signup, kind: NotificationKind, event_key: str) -> Notification | None:
    """Note in the volunteer's list what their shift's mail said (a place, a change, a call-off).

    The mail went out already, whatever the preferences (it is about their own commitment):
    the notification is marked as mailed, so no digest repeats it."""
    notification = Notification(user_id=signup.user_id, kind=kind.value, event_key=event_key,
                                shift_id=signup.shift_id, mailed_at=utcnow())  # fmt: skip
    return notification if _added_once(notification) else None


def _describe_shift(notification: Notification) -> str:
    shift = notification.shift
    title = shift.offer.title if shift is not None else ""
    from engage.i18n import time_range

    when = time_range(shift.starts_at, shift.ends_at) if shift is not None else ""
    return {
        NotificationKind.SHIFT_PLACE.value: _(
            "You have a place from the waiting list: “%(title)s”, %(when)s",
            title=title, when=when),
        NotificationKind.SHIFT_CHANGED.value: _(
            "Your shift was changed: “%(title)s”, now %(when)s", title=title, when=when),
        NotificationKind.SHIFT_CANCELLED.value: _(
            "Your shift was cancelled: “%(title)s”, %(when)s", title=title, when=when),
    }[notification.kind]  # fmt: skip


def describe(notification: Notification) -> str:
    """One line saying what happened, in the current language."""
    if notification.kind in MODERATION_KINDS:
        return _describe_moderation(notification)
    if notification.kind in SHIFT_KINDS:
        return _describe_shift(notification)
    if notification.kind == NotificationKind.PROPOSAL_COMMENT.value:
        return _("New comment on “%(title)s”", title=notification.proposal.title)
    if notification.proposal is not None:
        return _("“%(title)s” is now “%(state)s”", title=notification.proposal.title,
                 state=_step_of(notification))  # fmt: skip
    if notification.announcement is not None:
        return _("New announcement: “%(title)s”", title=notification.announcement.title)
    title = notification.thread.title if notification.thread else ""
    texts = {
        NotificationKind.REPLY.value: _("New reply in “%(title)s”", title=title),
        NotificationKind.OFFICIAL_ANSWER.value: _("Official answer in “%(title)s”", title=title),
        NotificationKind.NEW_THREAD.value: _("New discussion: “%(title)s”", title=title),
        NotificationKind.THREAD_CLOSED.value: _("“%(title)s” was closed", title=title),
    }
    return texts.get(notification.kind, title)


def link_for(notification: Notification, external: bool = False) -> str:
    if notification.kind in SHIFT_KINDS:
        return url_for("volunteer.me", _external=external)
    if notification.kind == NotificationKind.AUTO_HIDDEN.value:
        return url_for("moderation.queue", _external=external)
    if notification.kind in MODERATION_KINDS:
        return url_for("moderation.decision", decision_id=notification.decision_id,
                       _external=external)  # fmt: skip
    if notification.comment_id is not None:  # (found on whichever page it is on by then)
        return url_for("dialogue.reply_at", comment_id=notification.comment_id, _external=external)
    if notification.proposal_id is not None:
        return url_for("proposals.detail", proposal_id=notification.proposal_id,
                       _external=external)  # fmt: skip
    if notification.announcement_id is not None:
        return url_for("info.detail", announcement_id=notification.announcement_id,
                       _external=external)  # fmt: skip
    return url_for("dialogue.detail", thread_id=notification.thread_id, _external=external)


def _mail_now(user: User, notification: Notification) -> None:
    with force_locale(mail_locale(user)):
        queue_mail(
            user.email,
            describe(notification),
            "notification",
            user=user,
            lines=[(describe(notification), link_for(notification, external=True))],
            preferences_link=url_for("account.overview", _external=True) + "#prefs-title",
        )
    notification.mailed_at = utcnow()


def _digest_lines(notifications: list[Notification]) -> list[tuple[str, str]]:
    """One line per item (thread or announcement), saying what is new there."""
    groups: dict[tuple, list[Notification]] = defaultdict(list)
    for notification in notifications:
        key = (
            notification.thread_id,
            notification.announcement_id,
            notification.proposal_id,
            notification.decision_id,
        )
        groups[key].append(notification)
    lines = []
    for items in groups.values():
        first = items[0]
        if (first.announcement is not None or first.proposal is not None
                or first.kind in MODERATION_KINDS):  # fmt: skip
            lines.append((describe(first), link_for(first, external=True)))
            continue
        counts = defaultdict(int)
        for item in items:
            counts[item.kind] += 1
        parts = [
            ngettext("%(num)d new reply", "%(num)d new replies",
                     counts[NotificationKind.REPLY.value])
            if counts[NotificationKind.REPLY.value] else "",
            _("an official answer") if counts[NotificationKind.OFFICIAL_ANSWER.value] else "",
            _("new discussion") if counts[NotificationKind.NEW_THREAD.value] else "",
            _("closed") if counts[NotificationKind.THREAD_CLOSED.value] else "",
        ]  # fmt: skip
        summary = ", ".join(part for part in parts if part)
        title = first.thread.title if first.thread else ""
        link = url_for("dialogue.detail", thread_id=first.thread_id, _external=True)
        lines.append((f"„{title}“: {summary}", link))
    return lines


def send_digests(now: datetime | None = None) -> int:
    """Mail each daily-digest user one message, grouped by item; returns mails queued."""
    now = now or utcnow()
    pending = db.session.scalars(
        select(Notification)
        .join(User, User.id == Notification.user_id)
        .where(Notification.mailed_at.is_(None), Notification.created_at >= now - DIGEST_WINDOW)
        .where(User.notify_frequency == NotifyFrequency.DAILY.value)
        .where(User.email_verified_at.is_not(None), User.deleted_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    for user_id, notifications in by_user.items():
        user = db.session.get(User, user_id)
        with force_locale(mail_locale(user)):
            queue_mail(
                user.email,
                _("What happened in what you follow"),
                "notification",
                user=user,
                lines=_digest_lines(notifications),
                preferences_link=url_for("account.overview", _external=True) + "#prefs-title",
            )
        for notification in notifications:
            notification.mailed_at = now
    return len(by_user)


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def header_unread(user) -> int:
    """The unread count the header shows: asked once per request (in g, where the thread and
    proposal pages look whether to mark news read), kept per user until data changes (a new or
    read notification is a change)."""
    if not user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        from engage.core import fragments

        g.unread_notifications = fragments.remembered(("unread", user.id),
                                                      lambda: unread_count(user))  # fmt: skip
    return g.unread_notifications


def has_unread(user, thread: Thread | None = None, proposal=None) -> bool:
    """Whether the user has unread news about this thread or proposal."""
    return bool(db.session.scalar(
        select(Notification.id).where(Notification.user_id == user.id,
                                      Notification.read_at.is_(None),
                                      _about(thread, proposal)).limit(1)
    ))  # fmt: skip


def read_news_on_page(user, unread: int, thread: Thread | None = None, proposal=None) -> bool:
    """The user read the page of a thread or proposal: its news count as read (True if there
    were any; the caller commits). unread: the user's unread count, 0 asks nothing."""
    if not unread or not user.is_authenticated or not has_unread(user, thread, proposal):
        return False
    mark_read(user, thread=thread, proposal=proposal)
    return True


def _about(thread: Thread | None, proposal):
    if thread is not None:
        return Notification.thread_id == thread.id
    return Notification.proposal_id == proposal.id


def mark_read(user, notification_ids: list[int] | None = None, thread: Thread | None = None,
              proposal=None):  # fmt: skip
    """Mark the user's unread notifications read: those given, those about the thread or the
    proposal (its page was read), or all."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    if thread is not None or proposal is not None:
        query = query.where(_about(thread, proposal))
    db.session.execute(query.values(read_at=utcnow()))


def notifications_query(user):
    from sqlalchemy.orm import joinedload

    from engage.volunteering.models import Shift

    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(joinedload(Notification.shift).joinedload(Shift.offer))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def export_for(user) -> dict:
    follows = db.session.scalars(select(Follow).where(Follow.user_id == user.id))
    notes = db.session.scalars(notifications_query(user))
    return {
        "follows": [{"thread_id": f.thread_id, "process_id": f.process_id,
                     "proposal_id": f.proposal_id} for f in follows],
        "notifications": [
            {"kind": n.kind, "thread_id": n.thread_id, "created_at": n.created_at.isoformat(),
             "read": n.read_at is not None}
            for n in notes
        ],
    }  # fmt: skip


def forget_user(user) -> None:
    """Account deletion: follows and notifications go."""
    db.session.execute(delete(Follow).where(Follow.user_id == user.id),
                       execution_options=of_user(user.id))  # fmt: skip
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
