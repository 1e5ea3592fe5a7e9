"""The user's own account: profile, password, e-mail, preferences, export and deletion."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user

from engage.accounts import devices, forms, services, session
from engage.accounts.forms import PlainActionForm
from engage.core import privacy
from engage.core.types import utcnow
from engage.extensions import db
from engage.organisation.models import districts_in_order

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(**forms_given):
    """Render the account page with every form, the given ones carrying errors."""
    profile = forms_given.get("profile") or forms.ProfileForm(obj=current_user, formdata=None)
    profile.set_district_choices(db.session.scalars(districts_in_order()))
    if profile.district_id.data is None and not forms_given.get("profile"):
        profile.district_id.data = current_user.district_id
    preferences = forms_given.get("preferences") or forms.PreferencesForm(
        formdata=None,
        locale=current_user.locale or "",
        notify_frequency=current_user.notify_frequency,
        notify_replies=current_user.notify_replies,
        notify_official_answers=current_user.notify_official_answers,
        milestones_public=current_user.milestones_public,
    )
    status = 422 if forms_given else 200
    return render_template(
        "accounts/account.html",
        profile=profile,
        preferences=preferences,
        password_form=forms_given.get("password") or forms.ChangePasswordForm(formdata=None),
        email_form=forms_given.get("email") or forms.ChangeEmailForm(formdata=None),
        devices=devices.devices_of(current_user, _this_browser()),
    ), status


def _this_browser() -> str | None:
    return getattr(current_user, "session_key", None)


@bp.get("")
@login_required
def overview():
    """Show the account page."""
    return _page()


@bp.post("/profile")
@login_required
def profile():
    form = forms.ProfileForm()
    form.set_district_choices(db.session.scalars(districts_in_order()))
    if not form.validate_on_submit():
        return _page(profile=form)
    services.update_profile(current_user, form.display_name.data, form.district_id.data)
    db.session.commit()
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("account.overview"))


@bp.post("/preferences")
@login_required
def preferences():
    form = forms.PreferencesForm()
    if not form.validate_on_submit():
        return _page(preferences=form)
    services.update_preferences(
        current_user,
        form.locale.data,
        form.notify_frequency.data,
        form.notify_replies.data,
        form.notify_official_answers.data,
        form.milestones_public.data,
    )
    db.session.commit()
    # The browser's own language switch follows the account's choice: a choice of "as set
    # in my browser" made after using the switch would otherwise still read the switch's.
    session.use_language_in_browser(form.locale.data or None)
    flash(_("Your preferences are saved."), "success")
    return redirect(url_for("account.overview"))


@bp.post("/password")
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WeakPassword as error:
            form.password.errors.append(str(error))
        except services.WrongPassword as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            # Every session record ended with the new password; this browser gets a new one.
            session.log_in(
                current_user._get_current_object(), remember=session.has_remember_cookie()
            )
            flash(_("Your password is changed. You were logged out on other devices."), "success")
            return redirect(url_for("account.overview"))
    return _page(password=form)


@bp.post("/email")
@login_required
def change_email():
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.new_email.data, form.password.data)
        except services.EmailTaken as error:
            form.new_email.errors.append(str(error))
        except services.WrongPassword as error:
            form.password.errors.append(str(error))
        except services.AccountError as error:
            form.new_email.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _("We have sent a confirmation link to %(email)s. Your address changes once "
                  "you open it.", email=current_user.pending_email),
                "success",
            )  # fmt: skip
            return redirect(url_for("account.overview"))
    return _page(email=form)


@bp.post("/devices/<handle>/end")
@login_required
def end_device(handle: str):
    """Log out one of the other browsers listed under "Devices"."""
    if not PlainActionForm().validate_on_submit():
        abort(400)
    if devices.end_device(current_user, handle, _this_browser()):
        db.session.commit()
        flash(_("The device is logged out."), "success")
    else:  # (logged out meanwhile, say from a second tab: what was asked for is so)
        flash(_("This device is no longer logged in."), "info")
    return redirect(url_for("account.overview") + "#sessions-title")


@bp.post("/devices/end-others")
@login_required
def end_other_devices():
    """Log out every browser but this one."""
    if not PlainActionForm().validate_on_submit():
        abort(400)
    count = devices.end_other_devices(current_user, _this_browser())
    db.session.commit()
    flash(ngettext("%(num)d other device is logged out.", "%(num)d other devices are logged out.",
                   count), "success")  # fmt: skip
    return redirect(url_for("account.overview") + "#sessions-title")


@bp.get("/export")
@login_required
def export():
    """Download all personal data of the account as JSON."""
    data = {"exported_at": utcnow().isoformat(), **privacy.export_user_data(current_user)}
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=engage-meine-daten.json"},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Delete (anonymise) the account after the password is confirmed."""
    form = forms.ConfirmPasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.email, form.password.data) is None:
            form.password.errors.append(_("The current password is not correct."))
        else:
            language = current_user.locale
            services.delete_account(current_user)
            db.session.commit()
            logout_user()
            if language:  # (the message below in the language they chose)
                session.use_language_in_browser(language)
            flash(_("Your account is deleted. Your posts remain as 'deleted account'."), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/delete.html", form=form), 200 if not form.errors else 422
