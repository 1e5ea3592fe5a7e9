"""What the public may see, as selections built on the features' own public list queries."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from engage.boards.dialogue_models import Thread
from engage.boards.dialogue_services import ThreadFilter, threads_query
from engage.boards.models import Announcement
from engage.boards.services import AnnouncementFilter, announcements_query
from engage.core.moderation import ContentStatus
from engage.extensions import db
from engage.processes.models import Process, ProcessStatus
from engage.proposals.models import Proposal
from engage.proposals.services import ProposalFilter, proposals_query
from engage.volunteering.models import ServiceOffer, Shift, Signup, SignupStatus

# A place is taken by whoever holds it, came or did not come; not by the waiting list.
TAKING = (SignupStatus.CONFIRMED.value, SignupStatus.ATTENDED.value, SignupStatus.NO_SHOW.value)


def published_process_ids() -> Select:
    return select(Process.id).where(Process.status == ProcessStatus.PUBLISHED.value)


def in_public_process(column):
    """City-wide, or in a published process (drafts of processes stay private)."""
    return or_(column.is_(None), column.in_(published_process_ids()))


def processes() -> Select:
    return select(Process).where(Process.status == ProcessStatus.PUBLISHED.value)


def announcements() -> Select:
    query = announcements_query(AnnouncementFilter())
    return query.where(in_public_process(Announcement.process_id))


def threads() -> Select:
    return threads_query(ThreadFilter()).where(in_public_process(Thread.process_id))


def proposals() -> Select:
    return proposals_query(ProposalFilter()).where(Proposal.process_id.in_(published_process_ids()))


def _public_offer_ids() -> Select:
    return select(ServiceOffer.id).where(
        ServiceOffer.moderation_status == ContentStatus.VISIBLE.value,
        in_public_process(ServiceOffer.process_id),
    )


def offers() -> Select:
    """Public offers, each with its shifts (loaded for the whole page in one query)."""
    return select(ServiceOffer).options(selectinload(ServiceOffer.shifts)).where(
        ServiceOffer.id.in_(_public_offer_ids()))  # fmt: skip


def shifts() -> Select:
    return select(Shift).where(Shift.offer_id.in_(_public_offer_ids()))


def by_id(query: Select, model) -> Select:
    """Oldest first: new items land on the last page, so paging through stays stable."""
    return query.order_by(None).order_by(model.id)


def public_proposal_ids() -> Select:
    return proposals().with_only_columns(Proposal.id).order_by(None)


def places_taken(shift_ids: list[int]) -> dict[int, int]:
    """Places taken per shift, for a whole page of shifts in one query."""
    if not shift_ids:
        return {}
    rows = db.session.execute(
        select(Signup.shift_id, func.count())
        .where(Signup.shift_id.in_(shift_ids), Signup.status.in_(TAKING))
        .group_by(Signup.shift_id)
    )
    return dict(rows.all())
