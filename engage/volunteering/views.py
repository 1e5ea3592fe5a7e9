"""Co-production pages: offers, shifts, sign-up and cancellation, and one's own shifts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.accounts.forms import PlainActionForm
from engage.accounts.permissions import can_administer
from engage.core.moderation import ContentStatus
from engage.core.policy import require
from engage.core.sanitize import render_user_text
from engage.core.types import utcnow
from engage.extensions import db, limiter
from engage.moderation import permissions as moderation
from engage.organisation.models import all_departments, all_districts
from engage.processes.services import published_processes
from engage.volunteering import permissions, services
from engage.volunteering.forms import OfferForm, ShiftForm
from engage.volunteering.models import ServiceOffer, Shift, Signup

bp = Blueprint("volunteer", __name__, url_prefix="/volunteer")


@bp.get("")
def index():
    offers = db.session.scalars(
        db.select(ServiceOffer)
        .where(ServiceOffer.moderation_status == ContentStatus.VISIBLE.value)
        .order_by(ServiceOffer.created_at.desc())
    ).all()
    return render_template("volunteering/index.html", offers=offers, now=utcnow(),
                           can_create=permissions.can_create_offer(current_user))  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(permissions.can_create_offer(current_user))
    form = OfferForm()
    departments = all_departments()
    if not can_administer(current_user):
        departments = [d for d in departments if d.id == current_user.department_id]
    form.set_choices(departments, all_districts(), published_processes())
    if form.validate_on_submit():
        offer = services.create_offer(current_user, services.OfferData(
            title=form.title.data, description=form.description.data,
            department_id=form.department_id.data, requirements=form.requirements.data or "",
            min_age=form.min_age.data, district_id=form.district_id.data,
            place=form.place.data or "", contact=form.contact.data or "",
            hour_value=form.hour_value.data, process_id=form.process_id.data,
        ))  # fmt: skip
        db.session.commit()
        flash(_("The offer is created. Now add its shifts."), "success")
        return redirect(url_for("volunteer.detail", offer_id=offer.id))
    return render_template("volunteering/offer_form.html", form=form), (422 if form.errors else 200)


@bp.get("/<int:offer_id>")
def detail(offer_id: int):
    offer = db.get_or_404(ServiceOffer, offer_id)
    if not offer.is_visible and not moderation.can_see_hidden_offer(current_user, offer):
        abort(404)  # hidden by moderation
    mine = {}
    if current_user.is_authenticated:
        for signup in db.session.scalars(
            db.select(Signup).join(Shift).where(Shift.offer_id == offer.id,
                                                Signup.user_id == current_user.id)
        ):  # fmt: skip
            mine[signup.shift_id] = signup
    counts = services.confirmed_counts(offer.shifts)
    return render_template(
        "volunteering/offer_detail.html", offer=offer, mine=mine, counts=counts, now=utcnow(),
        description_html=render_user_text(offer.description),
        can_manage=permissions.can_manage_offer(current_user, offer),
        can_sign_up=permissions.can_sign_up(current_user), position=services.waiting_position,
        shift_form=ShiftForm(formdata=None),
    )  # fmt: skip


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
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(n)d shift(s) added.", n=len(shifts)), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("volunteer.detail", offer_id=offer.id))


@bp.post("/shifts/<int:shift_id>/signup")
@login_required
@limiter.limit("30 per minute")
def signup(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    require(permissions.can_sign_up(current_user))
    if PlainActionForm().validate_on_submit():
        try:
            entry = services.sign_up(shift, current_user)
        except services.VolunteeringError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if entry.status == "confirmed":
                flash(_("You are signed up. Thank you!"), "success")
            else:
                flash(_("The shift is full; you are number %(n)d on the waiting list.",
                        n=services.waiting_position(entry)), "success")  # fmt: skip
    return redirect(url_for("volunteer.detail", offer_id=shift.offer_id))


@bp.post("/shifts/<int:shift_id>/cancel")
@login_required
def cancel(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    entry = db.first_or_404(db.select(Signup).where(Signup.shift_id == shift.id,
                                                    Signup.user_id == current_user.id))  # fmt: skip
    if PlainActionForm().validate_on_submit() and entry.status in ("confirmed", "waitlisted"):
        services.cancel(entry)
        db.session.commit()
        flash(_("Your sign-up is cancelled."), "success")
    return redirect(url_for("volunteer.detail", offer_id=shift.offer_id))


@bp.get("/me")
@login_required
def me():
    signups = services.my_signups(current_user)
    return render_template("volunteering/me.html", signups=signups, now=utcnow(),
                           position=services.waiting_position)  # fmt: skip
