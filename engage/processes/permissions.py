"""Who may see, create and change participation processes."""

from __future__ import annotations

from engage.accounts.permissions import can_write, is_admin, is_staff, works_in


def can_create_process(user) -> bool:
    """Admins, and staff who belong to a department (their processes belong to it)."""
    if not can_write(user):  # blocked or unconfirmed staff write nothing either
        return False
    return is_admin(user) or (is_staff(user) and user.department_id is not None)


def can_edit_process(user, process) -> bool:
    """Admins, and staff of the process's responsible department."""
    return can_write(user) and works_in(user, process.department_id)


def can_view_process(user, process) -> bool:
    """Published processes are public; drafts only for those who may edit them."""
    return process.is_published or can_edit_process(user, process)


def can_choose_any_department(user) -> bool:
    """Only admins create processes for departments other than their own."""
    return is_admin(user)
