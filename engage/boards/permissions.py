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


def can_open_thread(user, process=None, today=None) -> bool:
    """Verified users, city-wide at any time, in a process during its dialogue phase."""
    from engage.core.types import local_today
    from engage.processes.models import PhaseKind

    if not can_write(user):
        return False
    if process is None:
        return True
    return process.is_published and process.is_in_phase(PhaseKind.DIALOGUE, today or local_today())


def can_view_thread(user, thread) -> bool:
    from engage.accounts.permissions import is_moderator

    if thread.is_visible:
        return True
    return is_moderator(user) or (user.is_authenticated and thread.author_id == user.id)


def can_reply(user, thread) -> bool:
    return can_write(user) and thread.is_visible and not thread.is_closed and not thread.is_deleted


def can_answer_officially(user, thread) -> bool:
    """Staff of the process's department; in the city-wide dialogue any staff."""
    if not can_write(user) or not is_staff(user):
        return False
    return thread.process is None or works_in(user, thread.process.department_id)


def can_close_thread(user, thread) -> bool:
    return can_answer_officially(user, thread)


def can_edit_post(user, post, now=None) -> bool:
    """Authors change their own thread or reply within 15 minutes of writing it."""
    from datetime import timedelta

    from engage.boards.dialogue_models import EDIT_WINDOW_MINUTES
    from engage.core.types import utcnow

    if not can_write(user) or post.author_id != user.id or post.is_deleted:
        return False
    return (now or utcnow()) - post.created_at <= timedelta(minutes=EDIT_WINDOW_MINUTES)


def can_delete_post(user, post) -> bool:
    """Authors delete their own posts at any time."""
    return user.is_authenticated and post.author_id == user.id and not post.is_deleted


def can_mark_helpful(user, comment) -> bool:
    return can_write(user) and comment.author_id != user.id and not comment.is_deleted
