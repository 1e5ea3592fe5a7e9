"""Permission predicates about accounts; other features build on can_write."""

from __future__ import annotations


def is_signed_in(user) -> bool:
    """Logged in with an account that is not deleted (a deleted account is never signed in:
    User.is_authenticated; the predicates below rely on it)."""
    return bool(user and user.is_authenticated)


def can_write(user) -> bool:
    """Verified, not blocked, not deleted: may post, support, sign up and flag."""
    return is_signed_in(user) and user.is_verified and not user.is_blocked


def write_refusal_reason(user) -> str | None:
    """Why the user may not write, as a key the templates turn into a message."""
    if not is_signed_in(user):
        return "anonymous"
    if user.is_blocked:
        return "blocked"
    if not user.is_verified:
        return "unverified"
    return None


def write_refusal(user) -> str | None:
    """Why the user may not write, in words for a refused page (None: they may, or must log in)."""
    from flask_babel import gettext as _

    return {
        "blocked": _("Your account is blocked: you cannot post, support or sign up at the "
                     "moment. The message about the block says why and until when."),
        "unverified": _("Please confirm your e-mail address first: open the link in the mail "
                        "we sent you. On \u201cMy account\u201d you can have it sent again."),
    }.get(write_refusal_reason(user))  # fmt: skip


# Roles build on each other as DESIGN.md describes: moderators are staff, admins are all.
STAFF_ROLES = frozenset({"staff", "moderator", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "admin"})
COUNCIL_ROLES = frozenset({"council", "admin"})


def is_staff(user) -> bool:
    return is_signed_in(user) and user.role in STAFF_ROLES


def is_moderator(user) -> bool:
    return is_signed_in(user) and user.role in MODERATOR_ROLES


def is_council(user) -> bool:
    return is_signed_in(user) and user.role in COUNCIL_ROLES


def is_admin(user) -> bool:
    return is_signed_in(user) and user.role == "admin"


def works_in(user, department_id: int | None) -> bool:
    """Staff of this department (admins count as staff of every department)."""
    if is_admin(user):
        return True
    return is_staff(user) and department_id is not None and user.department_id == department_id


def can_administer(user) -> bool:
    """Users, roles, departments, districts, settings."""
    return is_admin(user)


def can_read_audit_log(user) -> bool:
    return is_moderator(user)
