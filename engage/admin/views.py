"""Administration: overview, users (roles, assignments, blocking) and invitations."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from engage.accounts import services as accounts
from engage.accounts.models import Role, User
from engage.accounts.permissions import can_administer
from engage.admin import forms, services
from engage.core.policy import require
from engage.core.types import LOCAL_TIMEZONE
from engage.extensions import db
from engage.organisation.models import all_departments, all_districts

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    require(can_administer(current_user))


_departments, _districts = all_departments, all_districts


@bp.get("")
def overview():
    """Entry page of the administration, with the user search."""
    counts = {
        role: db.session.scalar(
            db.select(db.func.count()).select_from(User)
            .where(User.role == role.value, User.deleted_at.is_(None))
        )
        for role in Role
    }  # fmt: skip
    return render_template("admin/overview.html", counts=counts, search=forms.UserSearchForm())


@bp.get("/users")
def users():
    search = forms.UserSearchForm(request.args)
    search.role.choices = [SelectChoice("", _l("All roles")), *forms.role_choices()]
    search.validate()
    # PostgreSQL refuses NUL in text; no one types it.
    query = services.users_query(
        (search.q.data or "").replace("\x00", ""), (search.role.data or "").replace("\x00", "")
    )
    page = db.paginate(query, per_page=25, error_out=False)
    return render_template("admin/users.html", search=search, page=page)


def _user_forms(user: User, edit=None, block=None, unblock=None):
    edit = edit or forms.UserEditForm(obj=user, formdata=None)
    edit.role.choices = forms.role_choices()
    edit.department_id.choices = forms.optional_choices(_departments(), _l("— none —"))
    edit.district_id.choices = forms.optional_choices(_districts(), _l("— none —"))
    return {
        "edit": edit,
        "block": block or forms.BlockForm(formdata=None),
        "unblock": unblock or forms.UnblockForm(formdata=None),
    }


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id)
    return render_template("admin/user.html", user=user, **_user_forms(user))


@bp.post("/users/<int:user_id>")
def user_update(user_id: int):
    user = db.get_or_404(User, user_id)
    page_forms = _user_forms(user, edit=forms.UserEditForm())
    form = page_forms["edit"]
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, form.role.data, form.department_id.data,
                                 form.district_id.data)  # fmt: skip
        except services.DepartmentDoesNotFitRole as error:
            form.department_id.errors = [*form.department_id.errors, str(error)]
        except services.AdminError as error:
            form.role.errors = [*form.role.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The changes are saved."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user.html", user=user, **page_forms), 422


@bp.post("/users/<int:user_id>/block")
def user_block(user_id: int):
    user = db.get_or_404(User, user_id)
    page_forms = _user_forms(user, block=forms.BlockForm())
    form = page_forms["block"]
    if form.validate_on_submit():
        until = None
        if form.until.data:
            # Blocked through the whole given day, local time.
            end_of_day = datetime.combine(form.until.data, time.max, tzinfo=LOCAL_TIMEZONE)
            until = end_of_day.astimezone(UTC)
        try:
            services.block_user(current_user, user, form.reason.data, until)
        except services.BlockEndInPast as error:
            form.until.errors = [*form.until.errors, str(error)]
        except services.AdminError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            db.session.commit()
            flash(_("%(name)s is blocked.", name=user.display_name), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user.html", user=user, **page_forms), 422


@bp.post("/users/<int:user_id>/unblock")
def user_unblock(user_id: int):
    user = db.get_or_404(User, user_id)
    form = forms.UnblockForm()
    if form.validate_on_submit():
        services.unblock_user(current_user, user, form.reason.data or "")
        db.session.commit()
        flash(_("%(name)s is no longer blocked.", name=user.display_name), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/reinvite")
def user_reinvite(user_id: int):
    user = db.get_or_404(User, user_id)
    form = forms.PlainActionForm()
    if form.validate_on_submit():
        try:
            services.resend_invitation(current_user, user)
        except services.AdminError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The invitation to %(email)s is sent again.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    """Invite staff, moderators, council members or admins by e-mail."""
    form = forms.InviteForm()
    form.role.choices = forms.role_choices([r for r in Role if r != Role.CITIZEN])
    form.department_id.choices = forms.optional_choices(_departments(), _l("— none —"))
    if form.validate_on_submit():
        try:
            user = services.invite(
                current_user,
                services.Invitation(form.email.data, form.display_name.data, form.role.data,
                                    form.department_id.data),
            )  # fmt: skip
        except accounts.EmailTaken as error:
            form.email.errors = [*form.email.errors, str(error)]
        except services.AdminError as error:
            form.department_id.errors = [*form.department_id.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The invitation to %(email)s is sent.", email=user.email), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/invite.html", form=form), 422 if form.errors else 200


from engage.admin import org_views  # noqa: E402,F401 (adds its routes to bp)
