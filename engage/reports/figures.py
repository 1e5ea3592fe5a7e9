"""The council's figures, by aggregate SQL.

Participation (people and contributions) is counted from the participation ledger (models.py);
the whole city without filters from the figures kept with it. Answers, sign-up hours and
outcomes come from their own tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, literal, select, text

from engage.accounts.models import User
from engage.boards.dialogue_models import Thread
from engage.core.types import utcnow
from engage.extensions import db
from engage.processes.models import Process
from engage.proposals.models import Proposal
from engage.proposals.models import ProposalStatus as S
from engage.reports import ledger, sources
from engage.reports.models import Participation as L
from engage.reports.models import ParticipationPeople as People
from engage.reports.models import ParticipationTally as Tally
from engage.reports.scope import ReportScope, days_later, seconds_between
from engage.volunteering.models import ServiceOffer
from engage.volunteering.models import SignupStatus as St

KINDS = ("threads", "replies", "proposals", "supports", "signups")

# --- over the participation ledger (engage/reports/models.py) ----------------------------------
# One grouped pass gives every plain count; distinct people take one ordered pass per grouping.
# Within `memo()` (one report) each query runs once however many tables use it.

_memo: ContextVar[dict | None] = ContextVar("report_memo", default=None)


@contextmanager
def memo() -> Iterator[None]:
    """Run each ledger query once while the block builds the tables of one report."""
    token = _memo.set({})
    _jit_off()
    try:
        yield
    finally:
        _memo.reset(token)


def _jit_off() -> None:
    """For the rest of the transaction (SET LOCAL): compiling these scans to machine code
    (JIT) costs PostgreSQL more than it saves at this size."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def _once(key, compute):
    store = _memo.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def _ledger(scope: ReportScope, *columns):
    query = select(*columns).select_from(L)
    return scope.where(query, created=L.created, process=L.process_id, district=L.district_id,
                       department=L.department_id)  # fmt: skip


def _tally(scope: ReportScope) -> list[tuple]:
    """(kind, staff, process, district, month, contributions): the plain counts, grouped."""

    def compute():
        if not scope.is_filtered:  # the whole city: the figures kept with the ledger
            _fold_pending()
            rows = db.session.execute(select(
                Tally.kind, Tally.staff, Tally.process_key, Tally.district_key, Tally.month_key,
                Tally.n).where(Tally.n != 0))  # fmt: skip
            return [(kind, staff, process or None, district or None, month or None, n)
                    for kind, staff, process, district, month, n in rows]  # fmt: skip
        keys = (L.kind, L.staff, L.process_id, L.district_id, L.month)
        query = _ledger(scope, *keys, func.count()).group_by(*keys)
        return [tuple(row) for row in db.session.execute(query)]

    return _once(("tally", scope), compute)


def _fold_pending() -> None:
    """Bring the kept figures up to date with the ledger's logged changes (ledger.fold)."""
    _once(("folded",), _fold_and_keep)


def _fold_and_keep() -> None:
    session = db.session
    if ledger.fold(session.connection()) and not (
        session.new or session.dirty or session.deleted or session.info.get("engage_changed")
    ):
        session.commit()  # kept for the next report (a request that wrote commits it itself)
        _jit_off()  # (the setting ended with the transaction; the report goes on in a new one)


def _kept_people(key: str) -> tuple[dict, int]:
    """The whole city's distinct participants per value, and in all, kept with the ledger."""
    dimension = key.removesuffix("_id")
    values, everybody = {}, 0
    _fold_pending()
    rows = db.session.execute(select(People.dimension, People.key, People.people).where(
        People.dimension.in_([dimension, "all"]), People.people != 0))  # fmt: skip
    for kind, value, people in rows:
        if kind == "all":
            everybody = people
        else:
            values[None if value == "" else value if dimension == "month" else int(value)] = people
    return values, everybody


TOTAL_WITH = "district_id"  # the grouping that also gives the total (see the ledger's indexes)


def _people(scope: ReportScope, key: str) -> tuple[dict, int | None]:
    """Distinct participants (staff left out) per value of a ledger column, and in all.

    The pairs (person, value) come in person order; the first pair of each person counts them
    once in all, so the total needs no pass of its own. DISTINCT in a subquery, not
    count(DISTINCT …): the database may then drop repeats as they pass in index order.
    """

    def compute():
        if not scope.is_filtered:
            return _kept_people(key)
        column = getattr(L, key)
        # The columns in the order of the ledger's index for this grouping (see models.py).
        order = (L.user_id, column.label("key")) if key == TOTAL_WITH else (
            column.label("key"), L.user_id)  # fmt: skip
        pairs = _ledger(scope, *order).where(~L.staff).distinct().subquery()
        if key != TOTAL_WITH:
            rows = db.session.execute(select(pairs.c.key, func.count(), literal(0))
                                      .group_by(pairs.c.key)).all()  # fmt: skip
            return {k: n for k, n, _first in rows}, None
        first = func.row_number().over(partition_by=pairs.c.user_id, order_by=pairs.c.key)
        flagged = select(pairs.c.key, case((first == 1, 1), else_=0).label("first")).subquery()
        rows = db.session.execute(select(flagged.c.key, func.count(), func.sum(flagged.c.first))
                                  .group_by(flagged.c.key)).all()  # fmt: skip
        return {k: n for k, n, _first in rows}, sum(first for _k, _n, first in rows)

    return _once(("people", key, scope), compute)


def participants(scope: ReportScope) -> int:
    """Distinct people who posted, proposed, supported or signed up."""
    return _people(scope, TOTAL_WITH)[1]


def registrations(scope: ReportScope) -> int | None:
    """New accounts in the period (and district); None where a process or department is chosen."""
    if scope.process_id is not None or scope.department_id is not None:
        return None
    query = select(func.count()).select_from(User).where(User.deleted_at.is_(None))
    query = scope.where(query, created=User.created_at, district=User.district_id)
    return db.session.scalar(query)


def counts(scope: ReportScope) -> dict[str, int]:
    """How many threads, replies, proposals, supports and sign-ups (staff's included)."""
    result = {kind: 0 for kind in KINDS}
    for kind, _staff, _process, _district, _month, n in _tally(scope):
        result[kind] += n
    return result


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
    (S.EVALUATED, {S.EVALUATED.value}),  # (the effect measured: the last step of the lifecycle)
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
    """Per month: contributions and distinct participants (staff left out)."""
    contributions: dict[str, int] = {}
    for _kind, staff, _process, _district, month, n in _tally(scope):
        if not staff and month:
            contributions[month] = contributions.get(month, 0) + n
    people = _people(scope, "month")[0]
    return {month: (contributions[month], people.get(month, 0)) for month in sorted(contributions)}


def breakdown(scope: ReportScope, dimension: str) -> dict[int | None, dict[str, int]]:
    """Per district or process: participants and each kind of contribution (staff left out)."""
    result: dict[int | None, dict[str, int]] = {}
    for kind, staff, process, district, _month, n in _tally(scope):
        if not staff:
            key = district if dimension == "district" else process
            cell = result.setdefault(key, {})
            cell[kind] = cell.get(kind, 0) + n
    for key, people in _people(scope, f"{dimension}_id")[0].items():
        result.setdefault(key, {})["participants"] = people
    return result


@dataclass(frozen=True)
class Outcome:
    title: str
    indicator: str
    baseline: str
    target: str
    measured_value: str | None
    rating_sum: int
    rating_count: int

    @property
    def average_rating(self) -> float | None:  # as Proposal.average_rating
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


def outcomes(scope: ReportScope) -> list[Outcome]:
    """Implemented proposals: indicator, baseline, target, measured value, citizens' rating.

    Plain rows, not proposals: a city has thousands, and loading each with its process, district
    and author took longer than every other figure together.
    """
    done = [S.IMPLEMENTED.value, S.EVALUATED.value]
    query = sources.proposals().select(
        scope, Proposal.title, Proposal.indicator, Proposal.baseline, Proposal.target,
        Proposal.measured_value, Proposal.rating_sum, Proposal.rating_count,
    ).where(Proposal.status.in_(done))  # fmt: skip
    return [Outcome(*row) for row in db.session.execute(query.order_by(Proposal.title))]
