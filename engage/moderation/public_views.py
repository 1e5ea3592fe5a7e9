"""Pages for everyone: reporting content, a decision with its appeal, transparency figures."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.core.policy import require
from engage.core.sanitize import excerpt
from engage.extensions import db, limiter
from engage.moderation import content, queue, services
from engage.moderation.forms import AppealForm, FlagForm
from engage.moderation.models import REASON_LABELS, Appeal, ModerationDecision
from engage.moderation.permissions import can_appeal, can_flag, can_view_decision
from engage.moderation.views import bp

LISTS = {
    "thread": "dialogue.index",
    "proposal": "proposals.index",
    "offer": "volunteer.index",
}


def _back_to(item) -> str:
    """Where the reporter returns: the item, or its list once the item is hidden."""
    kind = content.kind_of(item)
    if item.is_visible or kind == "comment":
        return content.url_of(item)
    return url_for(LISTS[kind])


@bp.route("/flag/<any(thread, comment, proposal, offer):kind>/<int:item_id>",
          methods=["GET", "POST"])  # fmt: skip
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def flag(kind: str, item_id: int):
    """Report an item with a reason; enough reports hide it until a moderator decides."""
    # The form has a page of its own: a form under each of a page's 50 replies was half the
    # page's weight, for a button few ever press.
    item = content.load(kind, item_id)
    if item is None or not item.is_visible:
        abort(404)
    require(can_flag(current_user, item))
    form = FlagForm()
    if not form.validate_on_submit():
        return _flag_page(form, item, kind)
    try:
        services.flag(current_user, item, form.reason.data, form.text.data or "")
    except services.AlreadyFlagged as error:
        flash(str(error), "warning")
        return redirect(content.url_of(item))
    except services.ModerationError as error:
        form.text.errors = [*form.text.errors, str(error)]
        return _flag_page(form, item, kind)
    db.session.commit()
    if item.is_visible:
        flash(_("Thank you. The moderation team will look at your report."), "success")
    else:
        flash(_("Thank you. The post is hidden until the moderation team has reviewed it."),
              "success")  # fmt: skip
    return redirect(_back_to(item))


def _flag_page(form: FlagForm, item, kind: str):
    """The report form with the post it reports (422 when it comes back with errors)."""
    status = 422 if form.errors else 200
    return render_template("moderation/flag.html", form=form, item=item, kind=kind,
                           content=content, excerpt=excerpt), status  # fmt: skip


@bp.route("/decisions/<int:decision_id>", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def decision(decision_id: int):
    """A decision as its author sees it, with the one appeal they may make."""
    decision = db.get_or_404(ModerationDecision, decision_id)
    if not can_view_decision(current_user, decision):
        abort(404)
    existing = db.session.scalar(
        db.select(Appeal).where(Appeal.author_id == decision.author_id,
                                Appeal.content_type == decision.content_type,
                                Appeal.content_id == decision.content_id)
    )  # fmt: skip
    item = content.load(decision.content_type, decision.content_id)
    allowed = can_appeal(current_user, decision, existing is not None, item)
    form = AppealForm()
    if form.is_submitted():
        require(allowed)
        if form.validate_on_submit():
            try:
                services.appeal(current_user, decision, form.text.data)
            except services.ModerationError as error:
                abort(409, description=str(error))
            db.session.commit()
            flash(_("Your appeal is sent. You will be told the result."), "success")
            return redirect(url_for("moderation.decision", decision_id=decision.id))
    return render_template(
        "moderation/decision.html", decision=decision, item=item, appeal=existing,
        form=form if allowed else None, content=content, excerpt=excerpt,
    ), 422 if form.errors else 200  # fmt: skip


@bp.get("/transparency")
def transparency():
    """Hidden items per month and reason: counts only, for everyone."""
    return render_template("moderation/transparency.html", months=queue.transparency(),
                           reasons=REASON_LABELS)  # fmt: skip
