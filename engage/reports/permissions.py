"""Who sees which reports: council and admins all, staff their own department."""

from __future__ import annotations

from engage.accounts.permissions import is_admin, is_council, is_signed_in, is_staff


def can_view_reports(user) -> bool:
    return is_signed_in(user) and not user.is_deleted and (is_council(user) or is_staff(user))


def sees_whole_city(user) -> bool:
    """Council members and admins; other staff see their department's figures only."""
    return is_council(user) or is_admin(user)
