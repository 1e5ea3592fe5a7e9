"""Permission predicates about accounts; other features build on can_write."""

from __future__ import annotations


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def can_write(user) -> bool:
    """Verified, not blocked, not deleted: may post, support, sign up and flag."""
    return is_signed_in(user) and user.is_verified and not user.is_blocked and not user.is_deleted


def write_refusal_reason(user) -> str | None:
    """Why the user may not write, as a key the templates turn into a message."""
    if not is_signed_in(user):
        return "anonymous"
    if user.is_blocked:
        return "blocked"
    if not user.is_verified:
        return "unverified"
    return None
