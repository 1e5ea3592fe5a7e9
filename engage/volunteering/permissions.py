"""Who may offer, manage and sign up for co-produced services."""

from __future__ import annotations

from engage.accounts.permissions import can_write, is_admin, is_staff, works_in


def can_create_offer(user) -> bool:
    return can_write(user) and (is_admin(user) or (is_staff(user) and bool(user.department_id)))


def can_manage_offer(user, offer) -> bool:
    return can_write(user) and works_in(user, offer.department_id)


def can_sign_up(user) -> bool:
    """Verified users who are not blocked."""
    return can_write(user)
