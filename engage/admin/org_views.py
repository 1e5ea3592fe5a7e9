"""Administration of departments, districts and the municipality's settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engage.admin import forms, services
from engage.admin.views import _departments, _districts, bp
from engage.core.settings import get_settings
from engage.extensions import db
from engage.organisation.models import Department, District

KINDS = {
    "departments": (Department, _departments, services.save_department),
    "districts": (District, _districts, services.save_district),
}


def _save(kind: str, obj, form) -> bool:
    _model, _list, save = KINDS[kind]
    try:
        if kind == "departments":
            save(current_user, obj, form.name.data, form.short_name.data or "")
        else:
            save(current_user, obj, form.name.data)
    except services.AdminError as error:
        form.name.errors = [*form.name.errors, str(error)]
        db.session.rollback()
        return False
    db.session.commit()
    return True


@bp.route("/<any(departments, districts):kind>", methods=["GET", "POST"])
def organisation(kind: str):
    """List departments or districts and add a new one."""
    form = forms.NamedItemForm()
    if form.validate_on_submit() and _save(kind, None, form):
        flash(_("“%(name)s” is added.", name=form.name.data), "success")
        return redirect(url_for("admin.organisation", kind=kind))
    items = KINDS[kind][1]()
    return render_template("admin/organisation.html", kind=kind, items=items, form=form), (
        422 if form.errors else 200
    )


@bp.route("/<any(departments, districts):kind>/<int:item_id>", methods=["GET", "POST"])
def organisation_edit(kind: str, item_id: int):
    obj = db.get_or_404(KINDS[kind][0], item_id)
    form = forms.NamedItemForm(obj=obj)
    if form.validate_on_submit() and _save(kind, obj, form):
        flash(_("The changes are saved."), "success")
        return redirect(url_for("admin.organisation", kind=kind))
    return render_template("admin/organisation_edit.html", kind=kind, item=obj, form=form), (
        422 if form.errors else 200
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The municipality's name, contact, imprint data and participation settings."""
    form = forms.SettingsForm(obj=get_settings())
    if form.validate_on_submit():
        values = {name: form[name].data for name in services.SETTING_FIELDS}
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        services.update_settings(current_user, values)
        db.session.commit()
        flash(_("The settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), 422 if form.errors else 200


@bp.post("/<any(departments, districts):kind>/<int:item_id>/delete")
def organisation_delete(kind: str, item_id: int):
    obj = db.get_or_404(KINDS[kind][0], item_id)
    form = forms.PlainActionForm()
    if form.validate_on_submit():
        try:
            services.delete_named(current_user, obj)
        except services.InUse as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("admin.organisation_edit", kind=kind, item_id=item_id))
        db.session.commit()
        flash(_("“%(name)s” is deleted.", name=obj.name), "success")
    return redirect(url_for("admin.organisation", kind=kind))
