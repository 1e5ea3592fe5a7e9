"""Public co-production pages: offers, sign-up and cancellation, and one's own shifts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engage.accounts.forms import PlainActionForm
from engage.accounts.models import User
from engage.core import kept_rows
from engage.core.policy import require
from engage.core.sanitize import render_user_text
from engage.core.types import local_today, optional_id, utcnow
from engage.extensions import db, limiter, login_manager
from engage.main.layout import kept_listing, kept_whole
from engage.moderation import permissions as moderation
from engage.organisation.models import all_districts
from engage.volunteering import attendance, calendar, permissions, services
from engage.volunteering.forms import ShiftForm
from engage.volunteering.models import ServiceOffer, Shift, Signup

bp = Blueprint("volunteer", __name__, url_prefix="/volunteer")


@bp.get("")
def index():
    """Offers with the soonest shifts first; optionally those of one district (and city-wide).

    The list is the same for everyone: rendered once per content version, and the page kept
    whole for everyone whose buttons and layout read the same."""
    can_create = permissions.can_create_offer(current_user)
    return kept_listing("volunteer.index", "volunteering/index.html", _listing,
                        page_key=(can_create,), can_create=can_create)  # fmt: skip


def _listing() -> str:
    district_id = request.args.get("district_id", type=optional_id)
    page = db.paginate(services.offers_query(district_id), per_page=24, error_out=False)
    return render_template(
        "volunteering/_listing.html", page=page, next_starts=services.next_shift_starts(page.items),
        districts=all_districts(), district_id=district_id,
    )  # fmt: skip


@bp.get("/<int:offer_id>")
def detail(offer_id: int):
    return offer_page(offer_id)


def offer_page(offer_id: int, shift_form: ShiftForm | None = None, status: int = 200):
    """The offer's page; staff's shift form comes back with its errors when given.

    Kept whole for everyone whose sign-ups there, switches and layout read the same; the
    user's sign-ups and report come from their kept personal state (core/personal.py); the
    department's staff share theirs, with the empty shift form (its token is put in per
    request). Rendered each time for anyone on a waiting list there (the page shows their own
    place on it) and for a shift form that comes back with errors. A logged-in
    citizen's offer page made eight queries and cost 15 ms of CPU every time."""
    offer = kept_rows.loaded(
        ("offer", offer_id), lambda: db.session.get(ServiceOffer, offer_id), attach=False
    )  # (detached until rendered: kept_rows.revive)
    if offer is None:
        abort(404)
    user = current_user._get_current_object()
    if not offer.is_visible and not moderation.can_see_hidden_offer(user, offer):
        abort(404)  # hidden by moderation
    can_manage = permissions.can_manage_offer(user, offer)
    can_sign_up = permissions.can_sign_up(user)
    page_key = None
    if status == 200 and shift_form is None:
        signed_up, reported = services.viewer_of_offer(user, offer)
        # A waiting user's page shows their own place on the list: rendered for them alone.
        if all(state != "waitlisted" for _, state in signed_up):
            page_key = ("offer", offer.id, can_manage, can_sign_up,
                        moderation.can_flag(user, offer), reported, signed_up)  # fmt: skip

    def page() -> str:
        shown = kept_rows.attached(offer)
        return render_template(
            "volunteering/offer_detail.html", offer=shown,
            mine=services.signups_on(user, shown) if user.is_authenticated else {},
            counts=services.places_taken_by_shift(shown.shifts), now=utcnow(),
            description_html=render_user_text(shown.description),
            can_manage=can_manage, can_sign_up=can_sign_up, position=services.waiting_position,
            # Only staff see the shift form; visitors' pages stay free of tokens (and cacheable).
            shift_form=(shift_form or ShiftForm(formdata=None)) if can_manage else None,
            delivered=attendance.delivered_total(offer_id=offer.id),
        )  # fmt: skip

    return kept_whole(page_key, page), status


@bp.get("/shifts/<int:shift_id>.ics")
def shift_ics(shift_id: int):
    """One shift as a calendar file to import."""
    shift = db.get_or_404(Shift, shift_id)
    return _ics(calendar.calendar([(shift, None)], shift.offer.title), f"einsatz-{shift.id}.ics")


def _ics(body: str, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
    if not PlainActionForm().validate_on_submit():
        abort(400)
    if entry.status in ("confirmed", "waitlisted"):
        try:
            services.cancel(entry)
        except services.VolunteeringError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your sign-up is cancelled."), "success")
    elif entry.status == "cancelled":  # (a second tab, or pressed twice)
        flash(_("Your sign-up was cancelled already."), "info")
    else:  # attended or not shown: the shift is over
        flash(_("This shift is over; its sign-up can no longer be cancelled."), "info")
    return redirect(url_for("volunteer.detail", offer_id=shift.offer_id))


@bp.get("/me")
@login_required
def me():
    signups = services.my_signups(current_user)
    hours = attendance.hours_of(current_user)
    reached, next_milestone = attendance.milestones(hours)
    feed = url_for("volunteer.my_calendar", token=calendar.feed_token(current_user),
                   _external=True)  # fmt: skip
    return render_template("volunteering/me.html", signups=signups, now=utcnow(),
                           position=services.waiting_position, hours=hours, reached=reached,
                           next_milestone=next_milestone, feed_url=feed)  # fmt: skip


@bp.get("/me.ics")
def my_calendar():
    """The volunteer's shifts as a feed; calendar apps authenticate with the token in the link."""
    user = current_user if current_user.is_authenticated else None
    if request.args.get("token"):
        found = calendar.read_feed_token(request.args["token"])
        user = db.session.get(User, found[0]) if found else None
        if user is None or user.session_version != found[1] or user.deleted_at is not None:
            abort(404)
    if user is None:
        return login_manager.unauthorized()
    entries = calendar.feed_entries(services.my_signups(user))
    return _ics(calendar.calendar(entries, _("My shifts")), "meine-einsaetze.ics")


@bp.get("/me/certificate")
@login_required
def certificate():
    """Printable record of the volunteer's attended shifts and hours (Engagementnachweis)."""
    return render_template(
        "volunteering/certificate.html", signups=attendance.attended_signups(current_user),
        hours=attendance.hours_of(current_user), today=local_today(),
    )  # fmt: skip
