"""Every kind of participation as a SQL source with the columns a report filters and groups by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import join

from engage.boards.dialogue_models import Comment, Thread
from engage.core.moderation import ContentStatus
from engage.processes.models import Process
from engage.proposals.models import Proposal, ProposalStatus, Support
from engage.reports.scope import ReportScope
from engage.volunteering.models import ServiceOffer, Shift, Signup, SignupStatus

VISIBLE = ContentStatus.VISIBLE.value


@dataclass(frozen=True)
class Source:
    """One kind of contribution: where it is stored and which columns carry who, when, where."""

    kind: str
    table: Any
    id: Any
    user: Any
    created: Any
    process: Any
    district: Any
    department: Any
    conditions: tuple

    def select(self, scope: ReportScope, *columns):
        query = select(*columns).select_from(self.table).where(*self.conditions)
        return scope.where(query, created=self.created, process=self.process,
                           district=self.district, department=self.department)  # fmt: skip

    def count(self, scope: ReportScope):
        return self.select(scope, func.count())


def threads() -> Source:
    return Source(
        "threads", join(Thread, Process, Thread.process_id == Process.id, isouter=True),
        Thread.id, Thread.author_id, Thread.created_at, Thread.process_id, Process.district_id,
        Process.department_id,
        (Thread.deleted_at.is_(None), Thread.moderation_status == VISIBLE),
    )  # fmt: skip


def replies() -> Source:
    """Citizens' replies in discussions and comments on proposals (official answers excluded)."""
    table = (
        join(Comment, Thread, Comment.thread_id == Thread.id, isouter=True)
        .join(Proposal, Comment.proposal_id == Proposal.id, isouter=True)
        .join(Process, Process.id == func.coalesce(Thread.process_id, Proposal.process_id),
              isouter=True)
    )  # fmt: skip
    return Source(
        "replies", table, Comment.id, Comment.author_id, Comment.created_at,
        func.coalesce(Thread.process_id, Proposal.process_id),
        func.coalesce(Proposal.district_id, Process.district_id), Process.department_id,
        (Comment.deleted_at.is_(None), Comment.moderation_status == VISIBLE,
         Comment.is_official.is_(False)),
    )  # fmt: skip


def proposals() -> Source:
    return Source(
        "proposals", join(Proposal, Process, Proposal.process_id == Process.id),
        Proposal.id, Proposal.author_id, Proposal.submitted_at, Proposal.process_id,
        func.coalesce(Proposal.district_id, Process.district_id), Process.department_id,
        (Proposal.status != ProposalStatus.DRAFT.value, Proposal.moderation_status == VISIBLE),
    )  # fmt: skip


def supports(rows=None) -> Source:
    """rows: supports from elsewhere with the table's columns (the support path's own INSERT …
    RETURNING, whose new rows the rest of its statement cannot read from the table)."""
    support = Support.__table__ if rows is None else rows
    table = join(support, Proposal, support.c.proposal_id == Proposal.id).join(
        Process, Proposal.process_id == Process.id)  # fmt: skip
    return Source(
        "supports", table, support.c.id, support.c.user_id, support.c.created_at,
        Proposal.process_id, func.coalesce(Proposal.district_id, Process.district_id),
        Process.department_id, (Proposal.moderation_status == VISIBLE,),
    )  # fmt: skip


def signups() -> Source:
    """Sign-ups for shifts, counted in the period of the shift (not of the click)."""
    table = join(Signup, Shift, Signup.shift_id == Shift.id).join(
        ServiceOffer, Shift.offer_id == ServiceOffer.id)  # fmt: skip
    return Source(
        "signups", table, Signup.id, Signup.user_id, Shift.starts_at, ServiceOffer.process_id,
        ServiceOffer.district_id, ServiceOffer.department_id,
        (Signup.status != SignupStatus.CANCELLED.value,),
    )  # fmt: skip


def all_sources() -> list[Source]:
    return [threads(), replies(), proposals(), supports(), signups()]
