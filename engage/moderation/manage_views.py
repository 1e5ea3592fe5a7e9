"""Moderators' pages: the queue with bulk actions, and the appeals."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from engage.accounts.forms import PlainActionForm
from engage.accounts.models import User
from engage.accounts.permissions import can_administer
from engage.admin.services import AdminError, BlockEndInPast
from engage.core.pagination import requested_page, require_existing_page
from engage.core.policy import require
from engage.core.sanitize import excerpt
from engage.core.types import LOCAL_TIMEZONE
from engage.extensions import db
from engage.moderation import content, queue, services
from engage.moderation.forms import (
    STATUS_HINTS,
    AppealDecisionForm,
    BulkForm,
    HideAllForm,
    QueueFilterForm,
)
from engage.moderation.models import Appeal
from engage.moderation.permissions import can_decide_appeals, can_moderate
from engage.moderation.views import bp

PER_PAGE = 50


def _parse_keys(values: list[str]) -> list[tuple[str, int]]:
    keys = []
    for value in values:
        kind, _sep, item_id = value.partition(":")
        if not item_id.isdigit() or kind not in content.MODELS:
            abort(400)
        keys.append((kind, int(item_id)))
    return keys


def queue_filters() -> dict[str, str]:
    """The queue's filters of this request (the bulk form is sent with them)."""
    return {name: request.args[name] for name in ("status", "kind", "reason", "page")
            if request.args.get(name)}  # fmt: skip


@bp.get("", endpoint="queue")
def queue_page():
    """Reported and pending items, most reported and oldest first, with one bulk form."""
    require(can_moderate(current_user))
    # (Among the hidden items, the action that fits is restoring one.)
    hidden = request.args.get("status") == "hidden"
    return _render_queue(BulkForm(formdata=None, **({"operation": "restore"} if hidden else {})))


def _render_queue(bulk_form: BulkForm, http_status: int = 200):
    filters = QueueFilterForm(request.args)
    filters.validate()  # (a filter that is not offered is shown with its error and left out)
    status = "open" if filters.status.errors else filters.status.data
    items = queue.queue_items(
        status=status,
        kind="" if filters.kind.errors else filters.kind.data,
        reason="" if filters.reason.errors else filters.reason.data,
    )
    page = requested_page()
    require_existing_page(page, math.ceil(len(items) / PER_PAGE))
    shown = items[(page - 1) * PER_PAGE : page * PER_PAGE]
    return render_template(
        "moderation/queue.html", filters=filters, queue_filters=queue_filters(), form=bulk_form,
        items=shown, page=page, has_next=len(items) > page * PER_PAGE, total=len(items),
        excerpt=excerpt, content=content, status=status, status_hint=STATUS_HINTS[status],
    ), http_status  # fmt: skip


@bp.post("/bulk")
def bulk():
    """Apply one action with one reason to every selected item."""
    require(can_moderate(current_user))
    form = BulkForm()
    if not form.validate_on_submit():
        return _render_queue(form, 422)
    keys = _parse_keys(form.items.data or [])
    if not keys:
        form.items.errors = [_("Please select at least one item.")]
        return _render_queue(form, 422)
    until = None
    if form.until.data:
        until = datetime.combine(form.until.data, time.max, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    try:
        result = services.bulk(current_user, keys, form.operation.data, form.reason_code.data,
                               form.text.data or "", until)  # fmt: skip
    except (services.ModerationError, AdminError) as error:
        # (shown at the field it is about: a block's end, else the reason)
        field = form.until if isinstance(error, BlockEndInPast) else form.reason_code
        field.errors = [str(error)]
        return _render_queue(form, 422)
    db.session.commit()
    flash(ngettext("%(num)d item done.", "%(num)d items done.", result.done), "success")
    if result.blocked:  # (no full stop after the names: one may end in one, "Troll T.")
        flash(_("Blocked: %(names)s", names=", ".join(result.blocked)), "success")
    if result.blocked_before:
        flash(_("Blocked already (the block is changed under Administration): %(names)s",
                names=", ".join(result.blocked_before)), "info")  # fmt: skip
    if result.skipped:
        flash(ngettext("%(num)d item skipped: the action does not fit its state.",
                       "%(num)d items skipped: the action does not fit their state.",
                       result.skipped), "warning")  # fmt: skip
    # Back to the queue as it was filtered (the form is sent with the queue's filters).
    return redirect(url_for("moderation.queue", **queue_filters()))


@bp.get("/appeals")
def appeals():
    """Open appeals, oldest first, then the recently decided ones."""
    require(can_decide_appeals(current_user))
    return _render_appeals()


def _render_appeals(forms: dict | None = None, status: int = 200):
    open_appeals = db.session.scalars(queue.open_appeals_query()).all()
    decided = db.session.scalars(queue.decided_appeals_query().limit(30)).all()
    items = content.load_many([(a.content_type, a.content_id) for a in [*open_appeals, *decided]])
    forms = forms or {}
    for appeal in open_appeals:
        forms.setdefault(appeal.id, AppealDecisionForm(formdata=None, prefix=f"a{appeal.id}"))
    return render_template("moderation/appeals.html", open_appeals=open_appeals, decided=decided,
                           items=items, forms=forms, content=content,
                           excerpt=excerpt), status  # fmt: skip


@bp.post("/appeals/<int:appeal_id>")
def decide_appeal(appeal_id: int):
    require(can_decide_appeals(current_user))
    appeal = db.get_or_404(Appeal, appeal_id)
    if not appeal.is_open:
        abort(409, description=_("This appeal has already been decided."))
    form = AppealDecisionForm(prefix=f"a{appeal.id}")
    if not form.validate_on_submit():
        return _render_appeals({appeal.id: form}, 422)
    services.decide_appeal(current_user, appeal, form.outcome.data == "grant", form.answer.data)
    db.session.commit()
    flash(_("The appeal is decided; the author is told."), "success")
    return redirect(url_for("moderation.appeals"))


@bp.post("/users/<int:user_id>/hide-all")
def hide_all(user_id: int):
    """Hide everything a blocked user wrote (from the admin page of the user)."""
    require(can_moderate(current_user))
    user = db.get_or_404(User, user_id)
    form = HideAllForm()
    if not user.is_blocked:
        abort(409, description=_("Only the posts of blocked users are hidden all at once."))
    if not form.validate_on_submit():
        abort(400, description=_("Please choose a reason."))
    count = services.hide_all_content(current_user, user, form.reason_code.data,
                                      form.text.data or "")  # fmt: skip
    db.session.commit()
    flash(ngettext("%(num)d post hidden.", "%(num)d posts hidden.", count), "success")
    if can_administer(current_user):
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return redirect(url_for("moderation.queue"))


@bp.get("/blocked")
def blocked():
    """Blocked users, newest block first, each with an unblock form."""
    require(can_moderate(current_user))
    users = db.session.scalars(
        db.select(User)
        .where(User.blocked_at.is_not(None), User.deleted_at.is_(None))
        .order_by(User.blocked_at.desc())
    ).all()
    return render_template("moderation/blocked.html", users=[u for u in users if u.is_blocked])


@bp.post("/blocked/<int:user_id>/unblock")
def unblock(user_id: int):
    """Moderators lift a block; the user is told by mail."""
    from engage.admin import services as admin

    require(can_moderate(current_user))
    user = db.get_or_404(User, user_id)
    if PlainActionForm().validate_on_submit() and user.is_blocked:
        admin.unblock_user(current_user, user, request.form.get("reason", "")[:500])
        db.session.commit()
        flash(_("%(name)s is no longer blocked.", name=user.display_name), "success")
    return redirect(url_for("moderation.blocked"))
