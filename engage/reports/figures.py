"""The council's figures, each computed by aggregate SQL over the sources of participation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, literal, select, union_all

from engage.accounts.models import User
from engage.accounts.permissions import STAFF_ROLES
from engage.boards.dialogue_models import Thread
from engage.core.types import utcnow
from engage.extensions import db
from engage.processes.models import Process
from engage.proposals.models import Proposal
from engage.proposals.models import ProposalStatus as S
from engage.reports import sources
from engage.reports.scope import ReportScope, days_later, month_of, seconds_between
from engage.volunteering.models import ServiceOffer
from engage.volunteering.models import SignupStatus as St


def _not_staff(user_column):
    """Participation means residents and council members; staff answering is their job."""
    return user_column.in_(select(User.id).where(User.role.not_in(sorted(STAFF_ROLES))))


def participants(scope: ReportScope) -> int:
    """Distinct people who posted, proposed, supported or signed up, in one query."""
    union = union_all(*[
        s.select(scope, s.user.label("user_id")).where(_not_staff(s.user))
        for s in sources.all_sources()
    ]).subquery()  # fmt: skip
    return db.session.scalar(select(func.count(func.distinct(union.c.user_id))))


def registrations(scope: ReportScope) -> int | None:
    """New accounts in the period (and district); None where a process or department is chosen."""
    if scope.process_id is not None or scope.department_id is not None:
        return None
    query = select(func.count()).select_from(User).where(User.deleted_at.is_(None))
    query = scope.where(query, created=User.created_at, district=User.district_id)
    return db.session.scalar(query)


def counts(scope: ReportScope) -> dict[str, int]:
    """How many threads, replies, proposals, supports and sign-ups (one query each)."""
    return {s.kind: db.session.scalar(s.count(scope)) for s in sources.all_sources()}


def _median(values_query) -> float | None:
    """Median of a one-column query, by SQL ordering (two small queries, no rows in Python)."""
    sub = values_query.subquery()
    column = sub.c[0]
    n = db.session.scalar(select(func.count()).select_from(sub).where(column.is_not(None)))
    if not n:
        return None
    middle = select(column).where(column.is_not(None)).order_by(column)
    middle = middle.offset((n - 1) // 2).limit(2 if n % 2 == 0 else 1).subquery()
    return float(db.session.scalar(select(func.avg(middle.c[0]))))


@dataclass(frozen=True)
class Answers:
    """Share of items with an official answer, and the median time to it (in days)."""

    total: int
    answered: int
    median_days: float | None

    @property
    def share(self) -> float | None:
        return self.answered / self.total if self.total else None


def thread_answers(scope: ReportScope) -> Answers:
    source = sources.threads()
    total, answered = db.session.execute(
        source.select(scope, func.count(), func.count(Thread.answered_at))).one()  # fmt: skip
    median = _median(source.select(scope, Thread.answer_seconds))
    return Answers(total, answered, median / 86400 if median is not None else None)


def proposal_answers(scope: ReportScope) -> Answers:
    source = sources.proposals()
    total, answered = db.session.execute(
        source.select(scope, func.count(), func.count(Proposal.answered_at))).one()  # fmt: skip
    median = _median(source.select(
        scope, seconds_between(Proposal.submitted_at, Proposal.answered_at)))  # fmt: skip
    return Answers(total, answered, median / 86400 if median is not None else None)


def overdue_proposals(scope: ReportScope, now: datetime | None = None) -> int:
    """Qualified proposals still without an answer after the process's deadline."""
    query = sources.proposals().count(scope).where(
        Proposal.qualified_at.is_not(None), Proposal.answered_at.is_(None),
        Proposal.status.in_([S.SUBMITTED.value, S.UNDER_REVIEW.value]),
        days_later(Proposal.qualified_at, Process.answer_deadline_days, now or utcnow()),
    )  # fmt: skip
    return db.session.scalar(query)


FUNNEL = [
    (S.SUBMITTED, {s.value for s in S} - {S.DRAFT.value}),
    (S.UNDER_REVIEW, {S.UNDER_REVIEW.value, S.ACCEPTED.value, S.REJECTED.value,
                      S.IN_IMPLEMENTATION.value, S.IMPLEMENTED.value, S.EVALUATED.value}),
    (S.ACCEPTED, {S.ACCEPTED.value, S.IN_IMPLEMENTATION.value, S.IMPLEMENTED.value,
                  S.EVALUATED.value}),
    (S.IN_IMPLEMENTATION, {S.IN_IMPLEMENTATION.value, S.IMPLEMENTED.value, S.EVALUATED.value}),
    (S.IMPLEMENTED, {S.IMPLEMENTED.value, S.EVALUATED.value}),
]  # fmt: skip


def proposal_statuses(scope: ReportScope) -> dict[str, int]:
    """Proposals per current status (one grouped query)."""
    rows = db.session.execute(
        sources.proposals().select(scope, Proposal.status, func.count()).group_by(Proposal.status)
    ).all()
    return dict(rows)


def funnel(statuses: dict[str, int]) -> list[tuple[S, int]]:
    """How many proposals reached each stage (a proposal in implementation was also accepted)."""
    return [(stage, sum(statuses.get(s, 0) for s in reached)) for stage, reached in FUNNEL]


@dataclass(frozen=True)
class Volunteering:
    signups: int
    volunteers: int
    hours: Decimal
    value: Decimal
    attended: int
    no_shows: int

    @property
    def no_show_rate(self) -> float | None:
        marked = self.attended + self.no_shows
        return self.no_shows / marked if marked else None


def _volunteering_columns():
    attended = sources.Signup.status == St.ATTENDED.value
    return (
        func.count(), func.count(func.distinct(sources.Signup.user_id)),
        func.coalesce(func.sum(case((attended, sources.Signup.hours), else_=0)), 0),
        func.coalesce(func.sum(case((attended, sources.Signup.hours * ServiceOffer.hour_value),
                                    else_=0)), 0),
        func.count(case((attended, 1))),
        func.count(case((sources.Signup.status == St.NO_SHOW.value, 1))),
    )  # fmt: skip


def _volunteering(row) -> Volunteering:
    signups, volunteers, hours, value, attended, no_shows = row
    return Volunteering(signups, volunteers, Decimal(hours).quantize(Decimal("0.01")),
                        Decimal(value).quantize(Decimal("0.01")), attended, no_shows)  # fmt: skip


def volunteering(scope: ReportScope) -> Volunteering:
    return _volunteering(
        db.session.execute(sources.signups().select(scope, *_volunteering_columns())).one()
    )


def volunteering_by_district(scope: ReportScope) -> list[tuple[int | None, Volunteering]]:
    source = sources.signups()
    rows = db.session.execute(
        source.select(scope, source.district, *_volunteering_columns()).group_by(source.district)
    ).all()
    return [(row[0], _volunteering(row[1:])) for row in rows]


def over_time(scope: ReportScope) -> dict[str, tuple[int, int]]:
    """Per month: contributions and distinct participants (two grouped queries)."""
    union = union_all(*[
        s.select(scope, s.user.label("user_id"), month_of(s.created).label("month"))
        .where(_not_staff(s.user))
        for s in sources.all_sources()
    ]).subquery()  # fmt: skip
    rows = db.session.execute(
        select(union.c.month, func.count(), func.count(func.distinct(union.c.user_id)))
        .group_by(union.c.month).order_by(union.c.month)
    ).all()  # fmt: skip
    return {month: (contributions, people) for month, contributions, people in rows if month}


def breakdown(scope: ReportScope, dimension: str) -> dict[int | None, dict[str, int]]:
    """Per district or process: participants and each kind of contribution (two queries)."""
    parts = [
        s.select(scope, getattr(s, dimension).label("key"), s.user.label("user_id"),
                 literal(s.kind).label("kind")).where(_not_staff(s.user))
        for s in sources.all_sources()
    ]  # fmt: skip
    union = union_all(*parts).subquery()
    result: dict[int | None, dict[str, int]] = {}
    for key, kind, n in db.session.execute(
        select(union.c.key, union.c.kind, func.count()).group_by(union.c.key, union.c.kind)
    ):
        result.setdefault(key, {})[kind] = n
    for key, people in db.session.execute(
        select(union.c.key, func.count(func.distinct(union.c.user_id))).group_by(union.c.key)
    ):
        result.setdefault(key, {})["participants"] = people
    return result


def outcomes(scope: ReportScope) -> list[Proposal]:
    """Implemented proposals: indicator, baseline, target, measured value, citizens' rating."""
    done = [S.IMPLEMENTED.value, S.EVALUATED.value]
    query = sources.proposals().select(scope, Proposal).where(Proposal.status.in_(done))
    return list(db.session.scalars(query.order_by(Proposal.title)))
