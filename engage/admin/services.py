"""Administrative actions; each one is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from engage.accounts import services as accounts
from engage.accounts import tokens
from engage.accounts.models import Role, User
from engage.core import audit
from engage.core.mail import queue_mail
from engage.core.settings import SiteSettings, settings_for_update
from engage.core.types import utcnow
from engage.extensions import db
from engage.organisation.models import Department, District


class AdminError(Exception):
    """An administrative rule was broken; the message is shown to the admin."""


class BlockEndInPast(AdminError):
    pass


class DepartmentDoesNotFitRole(AdminError):
    pass


def users_query(search: str = "", role: str = "", department_id: int | None = None) -> Select:
    """Users matching a search in name or e-mail, newest first; deleted accounts left out."""
    query = select(User).where(User.deleted_at.is_(None))
    if search:
        # % and _ are what people type, not wildcards.
        escaped = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%")
        pattern = "%" + escaped.replace("_", "\\_") + "%"
        name_matches = db.func.lower(User.display_name).like(pattern, escape="\\")
        query = query.where(or_(User.email.like(pattern, escape="\\"), name_matches))
    if role:
        query = query.where(User.role == role)
    if department_id:
        query = query.where(User.department_id == department_id)
    return query.order_by(User.created_at.desc(), User.id.desc())


def update_user(admin: User, user: User, role: str, department_id: int | None,
                district_id: int | None) -> None:  # fmt: skip
    """Change role and assignments; an admin cannot take their own admin role away."""
    if user.id == admin.id and role != Role.ADMIN.value:
        raise AdminError(_("You cannot remove your own administrator role."))
    if role in (Role.CITIZEN.value, Role.COUNCIL.value) and department_id == user.department_id:
        department_id = None  # (left as it was: staff who become citizens leave their department)
    check_department_fits_role(role, department_id)
    changes = {}
    if user.role != role:
        changes["role"] = [user.role, role]
        user.role = Role(role).value
    if user.department_id != department_id:
        changes["department_id"] = [user.department_id, department_id]
        user.department_id = department_id
    if user.district_id != district_id:
        changes["district_id"] = [user.district_id, district_id]
        user.district_id = district_id
    if changes:
        audit.record("user.update", actor=admin, target=user, **changes)


def check_department_fits_role(role: str, department_id: int | None) -> None:
    """Staff work for a department; citizens and council members belong to none."""
    if role == Role.STAFF.value and department_id is None:
        raise DepartmentDoesNotFitRole(
            _("Staff need a department: their processes and answers belong to it.")
        )
    if role in (Role.CITIZEN.value, Role.COUNCIL.value) and department_id is not None:
        raise DepartmentDoesNotFitRole(
            _("Only staff, moderators and admins belong to a department.")
        )


def block_user(admin: User, user: User, reason: str, until: datetime | None = None,
               tell: bool = True) -> None:  # fmt: skip
    """Block a user: they can read and log in, but not write. They are told why by mail
    (tell=False: the caller sends that mail with tell_about_block, naming what it hid)."""
    if user.id == admin.id:
        raise AdminError(_("You cannot block yourself."))
    if not reason.strip():
        raise AdminError(_("Please give a reason."))
    if until is not None and until <= utcnow():
        raise BlockEndInPast(_("The end of the block must lie in the future."))
    user.blocked_at = utcnow()
    user.blocked_until = until
    user.blocked_reason = reason.strip()
    audit.record("user.block", actor=admin, target=user, reason=reason.strip(),
                 until=until.isoformat() if until else None)  # fmt: skip
    if tell:
        tell_about_block(user, blocked=True)


def unblock_user(admin: User, user: User, reason: str) -> None:
    user.blocked_at = None
    user.blocked_until = None
    user.blocked_reason = None
    audit.record("user.unblock", actor=admin, target=user, reason=reason.strip())
    tell_about_block(user, blocked=False)


def tell_about_block(user: User, blocked: bool, hidden_posts: int = 0) -> None:
    """The block mail; hidden_posts: how many posts were hidden with the block (each is in the
    user's notifications, where it can be appealed)."""
    with force_locale(accounts.mail_locale(user)):
        subject = _("Your account is blocked") if blocked else _("Your account is unblocked")
        queue_mail(user.email, subject, "block_notice", user=user, blocked=blocked,
                   hidden_posts=hidden_posts,
                   notifications_link=url_for("notifications.index", _external=True),
                   help_link=url_for("main.hilfe", _external=True))  # fmt: skip


@dataclass
class Invitation:
    email: str
    display_name: str
    role: str
    department_id: int | None


def invite(admin: User, data: Invitation) -> User:
    """Create the account and mail a link with which the invitee sets a password."""
    check_department_fits_role(data.role, data.department_id)
    if accounts.email_in_use(data.email):
        raise accounts.EmailTaken(_("An account with this e-mail address already exists."))
    user = User(
        email=accounts.normalise_email(data.email),
        display_name=data.display_name.strip(),
        password_hash="",
        role=Role(data.role).value,
        department_id=data.department_id,
    )
    db.session.add(user)
    db.session.flush()
    send_invitation(admin, user)
    audit.record("user.invite", actor=admin, target=user, role=user.role,
                 department_id=user.department_id)  # fmt: skip
    return user


def resend_invitation(admin: User, user: User) -> None:
    """Send a fresh invitation link to someone who has not set a password yet."""
    if user.password_hash:
        raise AdminError(_("This person has already set a password."))
    send_invitation(admin, user)
    audit.record("user.invite_resend", actor=admin, target=user)


def send_invitation(admin: User, user: User) -> None:
    token = tokens.make_invite_token(user.id, user.password_hash)
    with force_locale(accounts.mail_locale(user)):
        queue_mail(
            user.email,
            _("Your invitation to %(site)s", site=_site_name()),
            "invitation",
            user=user,
            inviter=admin.display_name,
            link=url_for("accounts.accept_invitation", token=token, _external=True),
        )


def _site_name() -> str:
    from engage.core.settings import get_settings

    return get_settings().municipality_name


def save_department(admin: User, department: Department | None, name: str,
                    short_name: str) -> Department:  # fmt: skip
    return _save_named(admin, Department, department, name, short_name=short_name.strip())


def save_district(admin: User, district: District | None, name: str) -> District:
    return _save_named(admin, District, district, name)


def _save_named(admin, model, obj, name: str, **fields):
    name = name.strip()
    clash = db.session.scalar(select(model).where(db.func.lower(model.name) == name.lower()))
    if clash is not None and clash is not obj:
        raise AdminError(_("This name is already used."))
    short_name = fields.get("short_name")
    if short_name:
        clash = db.session.scalar(
            select(model).where(db.func.lower(model.short_name) == short_name.lower())
        )
        if clash is not None and clash is not obj:
            raise AdminError(_("This short name is already used."))
    kind = model.__name__.lower()
    if obj is None:
        obj = model(name=name, **fields)
        db.session.add(obj)
        db.session.flush()
        audit.record(f"{kind}.create", actor=admin, target=obj, name=name)
    else:
        old = obj.name
        obj.name = name
        for key, value in fields.items():
            setattr(obj, key, value)
        db.session.flush()
        audit.record(f"{kind}.update", actor=admin, target=obj, old_name=old, name=name)
    return obj


class InUse(AdminError):
    pass


def delete_named(admin: User, obj) -> None:
    """Delete a department or district that nothing refers to any more."""
    from engage.processes.models import Process

    column = "department_id" if isinstance(obj, Department) else "district_id"
    used = db.session.scalar(
        select(db.func.count()).select_from(User).where(getattr(User, column) == obj.id)
    ) + db.session.scalar(
        select(db.func.count()).select_from(Process).where(getattr(Process, column) == obj.id)
    )
    if used:
        raise InUse(
            _("“%(name)s” is still assigned to %(n)d people or processes. Reassign them first.",
              name=obj.name, n=used)
        )  # fmt: skip
    kind = type(obj).__name__.lower()
    audit.record(f"{kind}.delete", actor=admin, target=obj, name=obj.name)
    db.session.delete(obj)


SETTING_FIELDS = (
    "municipality_name", "logo_path", "contact_email", "contact_phone", "address",
    "imprint_responsible", "imprint_extra", "privacy_officer", "accessibility_email",
    "volunteer_hour_value", "flag_threshold", "premoderated_first_posts",
)  # fmt: skip


def update_settings(admin: User, values: dict) -> SiteSettings:
    """Save the settings; the audit entry names the fields that changed."""
    settings = settings_for_update()
    changed = []
    for name in SETTING_FIELDS:
        if name in values and getattr(settings, name) != values[name]:
            setattr(settings, name, values[name])
            changed.append(name)
    db.session.flush()
    if changed:
        audit.record("settings.update", actor=admin, fields=changed)
    return settings
