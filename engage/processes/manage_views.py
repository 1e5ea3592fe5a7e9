"""Creating, editing and publishing processes (admins and staff of the department)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.accounts.forms import PlainActionForm
from engage.core.policy import require
from engage.extensions import db
from engage.processes import permissions, services
from engage.processes.forms import ProcessForm
from engage.processes.models import Process
from engage.processes.views import organisation_choices

bp = Blueprint("process_admin", __name__, url_prefix="/processes")


def _visible_process_or_404(slug: str) -> Process:
    """The process, or 404 where even its existence is not the user's business (drafts)."""
    process = db.first_or_404(db.select(Process).where(Process.slug == slug))
    if not permissions.can_view_process(current_user, process):
        abort(404)
    return process


def _form(process: Process | None = None) -> ProcessForm:
    form = ProcessForm(obj=process)
    departments, districts = organisation_choices()
    if not permissions.can_choose_any_department(current_user):
        departments = [d for d in departments if d.id == current_user.department_id]
    form.set_choices(departments, districts)
    return form


def _data(form: ProcessForm) -> services.ProcessData:
    return services.ProcessData(
        title=form.title.data,
        slug=form.slug.data or "",
        summary=form.summary.data,
        body=form.body.data or "",
        department_id=form.department_id.data,
        district_id=form.district_id.data,
        support_threshold=form.support_threshold.data,
        answer_deadline_days=form.answer_deadline_days.data,
        phases=form.phase_dates(),
        premoderated=bool(form.premoderated.data),
    )


def _save(form: ProcessForm, save) -> bool:
    """Run save(); put a rule's message on the right field. True when saved."""
    try:
        save()
    except services.SlugTaken as error:
        form.slug.errors = [*form.slug.errors, str(error)]
    except services.PhasesInvalid as error:
        starts = {kind: start for kind, start, _end in form.phase_fields()}
        first_used = next((s for _k, s, _e in form.phase_fields() if s.data), None)
        target = starts.get(error.kind) or first_used or form.information_start
        target.errors = [*target.errors, str(error)]
    else:
        db.session.commit()
        return True
    db.session.rollback()
    return False


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Create a draft process for the user's department."""
    require(permissions.can_create_process(current_user))
    form = _form()
    if form.validate_on_submit():
        holder = {}
        if _save(form, lambda: holder.update(p=services.create_process(current_user, _data(form)))):
            flash(_("The process is saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("processes.detail", slug=holder["p"].slug))
    return render_template("processes/form.html", form=form, process=None), (
        422 if form.errors else 200
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    process = _visible_process_or_404(slug)
    require(permissions.can_edit_process(current_user, process))
    form = _form(process)
    if not form.is_submitted():
        form.fill_phases(process.phases)
        form.department_id.data = process.department_id
    if form.validate_on_submit() and _save(
        form, lambda: services.update_process(process, current_user, _data(form))
    ):
        flash(_("The process is saved."), "success")
        return redirect(url_for("processes.detail", slug=process.slug))
    return render_template("processes/form.html", form=form, process=process), (
        422 if form.errors else 200
    )


@bp.post("/<slug>/publish")
@login_required
def publish(slug: str):
    """Publish a draft, or take a published process back to draft."""
    process = _visible_process_or_404(slug)
    require(permissions.can_edit_process(current_user, process))

    form = PlainActionForm()
    if form.validate_on_submit():
        try:
            services.publish_process(process, current_user, publish=not process.is_published)
        except services.ProcessError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The process is published.") if process.is_published
                  else _("The process is a draft again."), "success")  # fmt: skip
    return redirect(url_for("processes.detail", slug=process.slug))


@bp.post("/<slug>/delete")
@login_required
def delete(slug: str):
    """Delete a draft that was never published."""
    process = _visible_process_or_404(slug)
    require(permissions.can_edit_process(current_user, process))
    if PlainActionForm().validate_on_submit():
        try:
            services.delete_draft(process, current_user)
        except services.ProcessError as error:
            flash(str(error), "error")
            return redirect(url_for("processes.detail", slug=process.slug))
        db.session.commit()
        flash(_("The draft is deleted."), "success")
    return redirect(url_for("processes.index"))
