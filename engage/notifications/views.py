"""The notification centre and follow buttons."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.accounts.forms import PlainActionForm
from engage.boards.dialogue_models import Thread
from engage.extensions import db
from engage.notifications import services
from engage.notifications.models import Notification
from engage.processes.models import Process
from engage.proposals.models import Proposal

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_notifications() -> dict:
    """The unread count for the header (services.header_unread)."""
    user = current_user._get_current_object() if current_user else None
    return {"unread_notifications": services.header_unread(user) if user else 0}


@bp.get("/notifications")
@login_required
def index():
    page = db.paginate(services.notifications_query(current_user), per_page=30, error_out=False)
    return render_template(
        "notifications/index.html", page=page, describe=services.describe, link=services.link_for,
        titles=services.moderated_titles(page.items),
    )  # fmt: skip


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark one notification as read and go where it points."""
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    services.mark_read(current_user, notification_ids=[notification.id])
    db.session.commit()
    return redirect(services.link_for(notification))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    if PlainActionForm().validate_on_submit():
        services.mark_read(current_user)
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


FOLLOWABLE = {"thread": Thread, "process": Process, "proposal": Proposal}


@bp.post("/follow/<any(thread, process, proposal):kind>/<int:item_id>")
@login_required
def toggle_follow(kind: str, item_id: int):
    """Follow or stop following a thread, a proposal or a process."""
    item = db.get_or_404(FOLLOWABLE[kind], item_id)
    if kind == "process" and not item.is_published:
        abort(404)
    if kind == "proposal" and item.status == "draft":
        abort(404)
    if PlainActionForm().validate_on_submit():
        subject = {kind: item}
        if services.is_following(current_user, **subject):
            services.unfollow(current_user, **subject)
            flash(_("You no longer follow this."), "success")
        else:
            services.follow(current_user, **subject)
            flash(_("You follow this now."), "success")
        db.session.commit()
    if kind == "thread":
        return redirect(url_for("dialogue.detail", thread_id=item.id))
    if kind == "proposal":
        return redirect(url_for("proposals.detail", proposal_id=item.id))
    return redirect(url_for("processes.detail", slug=item.slug))
