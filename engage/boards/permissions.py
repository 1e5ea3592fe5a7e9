"""Who may publish and change announcements."""

from __future__ import annotations

from engage.accounts.permissions import can_write, is_admin, is_staff, works_in


def can_publish_announcement(user, process=None) -> bool:
    """Any staff city-wide; within a process only its department's staff (and admins)."""
    if not can_write(user) or not is_staff(user):
        return False
    return process is None or works_in(user, process.department_id)


def can_edit_announcement(user, announcement) -> bool:
    """The author, staff of the process's department, and admins."""
    if not can_write(user) or not is_staff(user):
        return False
    if is_admin(user) or announcement.author_id == user.id:
        return True
    if announcement.process is not None:
        return works_in(user, announcement.process.department_id)
    department_id = announcement.author.department_id
    return department_id is not None and department_id == user.department_id


def can_view_announcement(user, announcement) -> bool:
    return announcement.is_visible() or can_edit_announcement(user, announcement)
