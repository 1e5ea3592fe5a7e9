"""Registration, verification, log-in, log-out and password reset (/auth/...)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from engage.accounts import forms, services, tokens
from engage.accounts.session import log_in, log_out, use_language_in_browser
from engage.core.types import utcnow
from engage.extensions import db, limiter
from engage.i18n import _safe_next
from engage.organisation.models import districts_in_order

bp = Blueprint("accounts", __name__, url_prefix="/auth")

LOGIN_TOO_MANY = _l(
    "Too many failed log-in attempts. For your protection, log-in is paused for 15 minutes. "
    "If you forgot your password, you can reset it now."
)


def _login_failed(response) -> bool:
    """Only failed log-ins count against the limit (a success redirects)."""
    return request.method == "POST" and response.status_code != 302


def _email_key() -> str:
    return "login-email:" + services.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """Create a citizen account and send the verification link."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.RegisterForm()
    form.set_district_choices(db.session.scalars(districts_in_order()))
    if form.validate_on_submit():
        if form.website.data:  # the honeypot: only bots fill it in
            flash(_("Thank you. Please check your e-mail inbox."), "success")
            return redirect(url_for("main.home"))
        try:
            user = services.register(
                services.Registration(
                    email=form.email.data,
                    display_name=form.display_name.data,
                    password=form.password.data,
                    district_id=form.district_id.data,
                )
            )
        except services.EmailTaken as error:
            form.email.errors.append(str(error))
        except services.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            log_in(user)
            flash(
                _("Welcome! We have sent a link to %(email)s. Please open it to confirm your "
                  "address; until then you can read but not write.", email=user.email),
                "success",
            )  # fmt: skip
            return redirect(url_for("main.home"))
    return render_template("accounts/register.html", form=form), 200 if not form.errors else 422


@bp.get("/verify/<token>")
def verify(token: str):
    """Confirm an e-mail address from the link in the verification mail."""
    try:
        user = services.verify_email(token)
    except tokens.TokenExpired:
        flash(_("This confirmation link has expired. Please request a new one."), "error")
        return render_template("accounts/verify_failed.html"), 400
    except (tokens.TokenInvalid, services.EmailTaken):
        flash(_("This confirmation link is not valid (any more)."), "error")
        return render_template("accounts/verify_failed.html"), 400
    db.session.commit()
    flash(_("Thank you, your e-mail address %(email)s is confirmed.", email=user.email), "success")
    return redirect(
        url_for("account.overview" if current_user.is_authenticated else "accounts.login")
    )


@bp.post("/verify/resend")
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    """Send the verification link again."""
    form = forms.ResendVerificationForm()
    if form.validate_on_submit():
        if current_user.is_verified and not current_user.pending_email:
            flash(_("Your e-mail address is already confirmed."), "info")
        else:
            services.send_verification(current_user, email=current_user.pending_email)
            db.session.commit()
            flash(_("We have sent the link again. Please also check your spam folder."), "success")
    return redirect(url_for("account.overview"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT_PER_IP"],
    methods=["POST"],
    deduct_when=_login_failed,
    error_message=LOGIN_TOO_MANY,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    methods=["POST"],
    key_func=_email_key,
    deduct_when=_login_failed,
    error_message=LOGIN_TOO_MANY,
)
def login():
    """Log in with e-mail and password; the message never says which of the two was wrong."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            log_in(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("E-mail address or password is not correct."))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
def logout():
    """Log out of this browser, or of every device when asked to."""
    form = forms.PlainActionForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        if request.form.get("everywhere"):
            services.end_all_sessions(current_user)
            db.session.commit()
        language = current_user.locale
        log_out()
        if language:  # (the message below in the language they chose)
            use_language_in_browser(language)
        flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def reset_request():
    """Ask for a password reset link; the answer is the same for every address."""
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("If an account exists for this address, we have sent a link to reset the "
              "password. The link is valid for one hour."),
            "success",
        )  # fmt: skip
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token: str):
    """Set a new password from a reset link (valid once, for one hour)."""
    try:
        user = services.user_for_reset_token(token)
    except tokens.TokenExpired:
        flash(_("This link has expired. Please request a new one."), "error")
        return redirect(url_for("accounts.reset_request"))
    except tokens.TokenInvalid:
        flash(_("This link is not valid (any more). Please request a new one."), "error")
        return redirect(url_for("accounts.reset_request"))
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except services.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            if user.email_verified_at is None:
                # Opening the link proved control of the address.
                user.email_verified_at = utcnow()
            db.session.commit()
            logout_user()
            flash(_("Your new password is saved. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An invited staff member, moderator or council member sets a password."""
    try:
        user = services.user_for_invite_token(token)
    except tokens.TokenExpired:
        flash(_("This invitation has expired. Please ask for a new one."), "error")
        return render_template("accounts/verify_failed.html"), 400
    except tokens.TokenInvalid:
        flash(_("This invitation is not valid (any more). If you already set a password, "
                "please log in."), "error")  # fmt: skip
        return redirect(url_for("accounts.login"))
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(user, form.password.data)
        except services.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            log_out()
            log_in(user)
            flash(_("Welcome, %(name)s! Your password is set.", name=user.display_name), "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/accept_invitation.html", form=form, invited=user), (
        422 if form.errors else 200
    )
