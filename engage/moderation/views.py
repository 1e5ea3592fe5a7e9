"""Moderation pages: the audit log here; the queue and the public pages in their modules."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, StringField
from wtforms.validators import Optional

from engage.accounts.models import User
from engage.accounts.permissions import can_read_audit_log
from engage.core.audit import AuditEntry, verify_chain
from engage.core.forms import ChoiceField, Length, PlausibleDate
from engage.core.policy import require
from engage.core.types import LOCAL_TIMEZONE, MAX_ID
from engage.extensions import db
from engage.moderation import audit_targets, audit_words
from engage.moderation.models import REASON_LABELS, Flag

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.record_once
def _register_privacy(state) -> None:
    from engage.moderation import register_privacy

    register_privacy()


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(
        _l("Actor (name or e-mail)"),
        filters=[lambda value: value.strip().replace("\x00", "") if value else value],
        validators=[Optional(), Length(max=254)],
    )
    action = ChoiceField(_l("Action"), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional(), PlausibleDate()])
    until = DateField(_l("To"), validators=[Optional(), PlausibleDate()])


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
    form.action.choices = [SelectChoice("", _l("All actions"))] + sorted(
        (SelectChoice(a, audit_words.action_label(a)) for a in actions), key=lambda c: c.label
    )
    form.validate()
    query, matched = _filtered(form)
    page = db.paginate(query, per_page=50, error_out=False)
    actor_ids = {entry.actor_id for entry in page.items if entry.actor_id}
    actors = {
        user.id: user for user in db.session.scalars(db.select(User).where(User.id.in_(actor_ids)))
    }
    return render_template(
        "moderation/audit.html",
        form=form,
        page=page,
        actors=actors,
        matched=matched,
        targets=audit_targets.targets_of(page.items, current_user),
        chain=verify_chain(),
        words=audit_words,
    )


def _filtered(form: AuditFilterForm):
    """The entries the filters ask for, and the people the actor filter found (None: no such
    filter); when it finds no one, the field says so and no entry is listed."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    matched = None
    if form.actor.data and not form.actor.errors:
        people = _actors_matching(form.actor.data)
        matched = db.session.scalars(people.order_by(User.display_name).limit(11)).all()
        if not matched:
            form.actor.errors = [_("No one in the log matches “%(text)s” by name or e-mail.",
                                   text=form.actor.data)]  # fmt: skip
        query = query.where(AuditEntry.actor_id.in_(people.with_only_columns(User.id)))
    if form.action.data:
        query = query.where(AuditEntry.action == form.action.data)
    if form.since.data and not form.since.errors:
        query = query.where(AuditEntry.created_at >= _local_day_bounds(form.since.data, False))
    if form.until.data and not form.until.errors:
        query = query.where(AuditEntry.created_at <= _local_day_bounds(form.until.data, True))
    return query, matched


def _actors_matching(text: str):
    """People who appear in the log as actors, by their number or part of name or e-mail."""
    from engage.admin.services import users_query

    acted = User.id.in_(db.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)))
    if text.isdigit() and len(text) <= len(str(MAX_ID)) and int(text) <= MAX_ID:
        return db.select(User).where(User.id == int(text), acted)  # (a number, as links give)
    return users_query(text).order_by(None).where(acted)


@bp.app_context_processor
def moderation_helpers() -> dict:
    """Templates ask the same predicates as views; my_flags() is one query per page at most."""
    from engage.moderation import permissions

    def my_flags() -> set[tuple[str, int]]:
        if "my_flags" not in g:
            g.my_flags = set()
            if current_user.is_authenticated:
                g.my_flags = {
                    (row.content_type, row.content_id)
                    for row in db.session.execute(
                        db.select(Flag.content_type, Flag.content_id).where(
                            Flag.user_id == current_user.id
                        )
                    )
                }
        return g.my_flags

    reasons = [(reason.value, label) for reason, label in REASON_LABELS.items()]

    def moderation_waiting():
        """Items and appeals waiting for moderators (asked only in moderators' navigation,
        once a request: the badge and the moderation pages' tabs share it)."""
        from engage.moderation import queue

        if "moderation_waiting" not in g:
            g.moderation_waiting = queue.waiting()
        return g.moderation_waiting

    return {"mod_perm": permissions, "my_flags": my_flags, "flag_reasons": reasons,
            "moderation_waiting": moderation_waiting}  # fmt: skip


@bp.app_template_filter("flag_reason")
def flag_reason(code: str) -> str:
    """The label of a reason code, in the current language."""
    label = REASON_LABELS.get(code)
    return str(label) if label else code


@bp.app_template_filter("month_name")
def month_name(month: str) -> str:
    """ "2026-11" as "November 2026" in the current language."""
    from datetime import date

    from flask_babel import format_date

    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "LLLL yyyy")


ACTION_LABELS = {
    "hide": _l("hidden"),
    "restore": _l("visible again"),
    "dismiss": _l("reports dismissed"),
    "approve": _l("approved"),
    "reject": _l("not published"),
    "auto_hide": _l("hidden after reports, waiting for review"),
}


@bp.app_template_filter("moderation_action")
def moderation_action(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label else action


from engage.moderation import manage_views, public_views  # noqa: E402,F401 (add routes to bp)
