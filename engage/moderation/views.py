"""The audit log for moderators and admins, with the chain's verification state."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField
from wtforms.validators import Optional

from engage.accounts.models import User
from engage.accounts.permissions import can_read_audit_log
from engage.core.audit import AuditEntry, verify_chain
from engage.core.policy import require
from engage.core.types import LOCAL_TIMEZONE
from engage.extensions import db

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = IntegerField(_l("Actor (user number)"), validators=[Optional()])
    action = SelectField(_l("Action"), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])


def _local_day_bounds(day, end: bool) -> datetime:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=LOCAL_TIMEZONE)
    return moment.astimezone(UTC)


@bp.get("/audit")
def audit_log():
    """The audit log, newest first, filterable by actor, action and date."""
    require(can_read_audit_log(current_user))
    form = AuditFilterForm(request.args)
    actions = db.session.scalars(
        db.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    )
    form.action.choices = [SelectChoice("", _l("All actions"))] + [
        SelectChoice(a, a) for a in actions
    ]
    form.validate()
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if form.actor.data and not form.actor.errors:
        query = query.where(AuditEntry.actor_id == form.actor.data)
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.since.data and not form.since.errors:
        query = query.where(AuditEntry.created_at >= _local_day_bounds(form.since.data, False))
    if form.until.data and not form.until.errors:
        query = query.where(AuditEntry.created_at <= _local_day_bounds(form.until.data, True))
    page = db.paginate(query, per_page=50, error_out=False)
    actor_ids = {entry.actor_id for entry in page.items if entry.actor_id}
    actors = {
        user.id: user for user in db.session.scalars(db.select(User).where(User.id.in_(actor_ids)))
    }
    return render_template(
        "moderation/audit.html", form=form, page=page, actors=actors, chain=verify_chain()
    )
