"""Who may report content, moderate it and appeal a decision."""

from __future__ import annotations

from engage.accounts.permissions import can_write, is_moderator, is_signed_in
from engage.core.moderation import ContentStatus


def can_flag(user, item) -> bool:
    """Verified, unblocked users report visible content of others."""
    author_id = getattr(item, "author_id", None) or getattr(item, "created_by_id", None)
    return (
        can_write(user)
        and item.is_visible
        and not getattr(item, "is_deleted", False)
        and author_id != user.id
    )


def can_moderate(user) -> bool:
    """The queue, hiding, restoring, approving, blocking authors: moderators and admins."""
    return is_moderator(user)


def can_decide_appeals(user) -> bool:
    return is_moderator(user)


def can_appeal(user, decision, already_appealed: bool, item=None) -> bool:
    """The author, once per item, against a decision that took the content away, while the
    item is still away (once restored there is nothing left to appeal against).

    Blocked authors may appeal too: an appeal is how a wrong decision gets corrected.
    """
    return (
        is_signed_in(user)
        and not user.is_deleted
        and decision.author_id == user.id
        and decision.is_appealable
        and not already_appealed
        and (item is None or item.moderation_status != ContentStatus.VISIBLE.value)
    )


def can_view_decision(user, decision) -> bool:
    return is_moderator(user) or (is_signed_in(user) and decision.author_id == user.id)


def can_see_hidden_offer(user, offer) -> bool:
    """Moderators, and the department that runs the offer."""
    from engage.accounts.permissions import works_in

    return is_moderator(user) or works_in(user, offer.department_id)


def skips_premoderation(user) -> bool:
    """Staff, moderators and admins publish without waiting for approval."""
    from engage.accounts.permissions import is_staff

    return is_staff(user)
