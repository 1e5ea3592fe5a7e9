"""Staff pages for co-production: offers, shifts, attendance and what volunteers delivered."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from engage.accounts.forms import PlainActionForm
from engage.accounts.permissions import can_administer
from engage.core.forms import parse_local_decimal
from engage.core.policy import require
from engage.extensions import db
from engage.organisation.models import all_departments, all_districts
from engage.processes.services import published_processes
from engage.proposals.services import accepted_proposals
from engage.volunteering import attendance, permissions, services
from engage.volunteering.forms import CancelShiftForm, EditShiftForm, OfferForm, ShiftForm
from engage.volunteering.models import ServiceOffer, Shift, Signup
from engage.volunteering.views import bp, offer_page


def _offer_form(offer: ServiceOffer | None = None) -> OfferForm:
    form = OfferForm(obj=offer)
    departments = all_departments()
    if not can_administer(current_user):
        departments = [d for d in departments if d.id == current_user.department_id]
    form.set_choices(departments, all_districts(), published_processes(), accepted_proposals())
    return form


def _offer_data(form: OfferForm) -> services.OfferData:
    return services.OfferData(
        title=form.title.data, description=form.description.data,
        department_id=form.department_id.data, requirements=form.requirements.data or "",
        min_age=form.min_age.data, district_id=form.district_id.data,
        place=form.place.data or "", contact=form.contact.data or "",
        hour_value=form.hour_value.data, process_id=form.process_id.data,
        proposal_id=form.proposal_id.data,
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(permissions.can_create_offer(current_user))
    form = _offer_form()
    if form.validate_on_submit():
        offer = services.create_offer(current_user, _offer_data(form))
        db.session.commit()
        flash(_("The offer is created. Now add its shifts."), "success")
        return redirect(url_for("volunteer.detail", offer_id=offer.id))
    return render_template("volunteering/offer_form.html", form=form), (422 if form.errors else 200)


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(offer_id: int):
    offer = db.get_or_404(ServiceOffer, offer_id)
    require(permissions.can_manage_offer(current_user, offer))
    form = _offer_form(offer)
    if form.validate_on_submit():
        services.update_offer(offer, current_user, _offer_data(form))
        db.session.commit()
        flash(_("The offer is saved."), "success")
        return redirect(url_for("volunteer.detail", offer_id=offer.id))
    return render_template("volunteering/offer_form.html", form=form, offer=offer), (
        422 if form.errors else 200)  # fmt: skip


@bp.post("/<int:offer_id>/shifts")
@login_required
def add_shifts(offer_id: int):
    offer = db.get_or_404(ServiceOffer, offer_id)
    require(permissions.can_manage_offer(current_user, offer))
    form = ShiftForm()
    if form.validate_on_submit():
        try:
            shifts = services.add_shifts(offer, form.utc(form.starts_at), form.utc(form.ends_at),
                                         form.capacity.data, form.place.data or "",
                                         form.weeks.data)  # fmt: skip
        except services.VolunteeringError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(ngettext("%(num)d shift added.", "%(num)d shifts added.", len(shifts)),
                  "success")  # fmt: skip
            if past := services.begun(shifts):  # allowed, to record attendance afterwards
                flash(ngettext(
                    "%(num)d shift lies in the past: nobody can sign up for it. You can record "
                    "its attendance on its page.",
                    "%(num)d shifts lie in the past: nobody can sign up for them. You can "
                    "record their attendance on their pages.", len(past)), "warning")  # fmt: skip
            return redirect(url_for("volunteer.detail", offer_id=offer.id))
    # Errors next to their fields and summarised above the form, keeping what was typed.
    return offer_page(offer.id, shift_form=form, status=422)


def _shift_page(shift: Shift, status: int = 200, **forms):
    return render_template(
        "volunteering/shift_manage.html", shift=shift, roster=attendance.roster(shift),
        edit_form=forms.get("edit") or EditShiftForm.for_shift(shift),
        cancel_form=forms.get("cancel") or CancelShiftForm(formdata=None),
        attendance_form=PlainActionForm(formdata=None), errors=forms.get("errors", {}),
        taken=services.places_taken(shift), position=services.waiting_position,
        max_hours=attendance.max_hours(shift), extra_hours=attendance.EXTRA_HOURS,
    ), status  # fmt: skip


def _managed_shift(shift_id: int) -> Shift:
    shift = db.get_or_404(Shift, shift_id)
    require(permissions.can_manage_offer(current_user, shift.offer))
    return shift


@bp.get("/shifts/<int:shift_id>")
@login_required
def shift(shift_id: int):
    """Staff view of one shift: who comes, change or cancel it, record attendance."""
    return _shift_page(_managed_shift(shift_id))


@bp.post("/shifts/<int:shift_id>/edit")
@login_required
def edit_shift(shift_id: int):
    shift = _managed_shift(shift_id)
    form = EditShiftForm()
    if not form.validate_on_submit():
        return _shift_page(shift, 422, edit=form)
    try:
        told = services.edit_shift(shift, current_user, form.utc(form.starts_at),
                                   form.utc(form.ends_at), form.capacity.data,
                                   form.place.data or "")  # fmt: skip
    except services.VolunteeringError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _shift_page(db.session.get(Shift, shift_id), 409, edit=form)
    db.session.commit()
    flash(
        ngettext(
            "The shift is saved. %(num)d volunteer was notified.",
            "The shift is saved. %(num)d volunteers were notified.",
            told,
        ),
        "success",
    )
    return redirect(url_for("volunteer.shift", shift_id=shift.id))


@bp.post("/shifts/<int:shift_id>/cancel-shift")
@login_required
def cancel_shift(shift_id: int):
    shift = _managed_shift(shift_id)
    form = CancelShiftForm()
    if not form.validate_on_submit():
        return _shift_page(shift, 422, cancel=form)
    try:
        told = services.cancel_shift(shift, current_user, form.reason.data)
    except services.VolunteeringError as error:
        flash(str(error), "error")
        return redirect(url_for("volunteer.shift", shift_id=shift.id))
    db.session.commit()
    flash(
        ngettext(
            "The shift is cancelled. %(num)d volunteer was notified.",
            "The shift is cancelled. %(num)d volunteers were notified.",
            told,
        ),
        "success",
    )
    return redirect(url_for("volunteer.shift", shift_id=shift.id))


@bp.post("/shifts/<int:shift_id>/attendance")
@login_required
def record_attendance(shift_id: int):
    """Mark each volunteer of a shift as attended (with hours) or not there, in one form."""
    shift = _managed_shift(shift_id)
    if not PlainActionForm().validate_on_submit():
        return _shift_page(shift, 400)
    errors: dict[int, str] = {}
    marked = 0
    for signup in db.session.scalars(db.select(Signup).where(Signup.shift_id == shift.id)):
        choice = request.form.get(f"attendance-{signup.id}", "")
        if choice not in ("attended", "no_show"):
            continue
        try:
            hours = parse_local_decimal(request.form.get(f"hours-{signup.id}", ""))
            attendance.mark(signup, current_user, choice == "attended", hours)
        except ValueError:
            errors[signup.id] = _("Please enter the hours as a number, for example 2,5.")
        except services.VolunteeringError as error:
            errors[signup.id] = str(error)
        else:
            marked += 1
    if errors:
        db.session.rollback()
        return _shift_page(db.session.get(Shift, shift_id), 422, errors=errors)
    db.session.commit()
    flash(_("Attendance saved for %(n)d volunteer(s).", n=marked), "success")
    return redirect(url_for("volunteer.shift", shift_id=shift.id))


@bp.get("/manage")
@login_required
def manage():
    """What the department's volunteers delivered, no-shows and shifts that need people."""
    require(permissions.can_create_offer(current_user))
    department_id = None if can_administer(current_user) else current_user.department_id
    awaiting, awaiting_total = attendance.awaiting_attendance(department_id)
    return render_template(
        "volunteering/manage.html", awaiting=awaiting, awaiting_total=awaiting_total,
        total=attendance.delivered_total(department_id=department_id),
        by_offer=attendance.delivered_by("offer", department_id),
        by_department=attendance.delivered_by("department", department_id),
        by_district=attendance.delivered_by("district", department_id),
        at_risk=attendance.at_risk_shifts(department_id),
    )  # fmt: skip
