"""Proposal rules: drafting, submitting, supporting and the lifecycle with its history."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import defaultload, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from engage.core import audit, fragments, hot_sql, kept_rows, personal
from engage.core.hot_sql import HotStatement
from engage.core.moderation import ContentStatus
from engage.core.pagecache import note_written, of_user
from engage.core.transactions import read_alone
from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.processes.models import Process
from engage.proposals import permissions
from engage.proposals.models import Proposal, ProposalEvent, Rating, Support
from engage.proposals.models import ProposalStatus as S


class ProposalError(Exception):
    """A proposal rule was broken; the message is shown to the user."""


class InvalidTransition(ProposalError):
    pass


class NoteNotValid(ProposalError):
    """A lifecycle step's public note is missing or too long (shown at the note field)."""


NOTE_MAX = 5000  # (as the form's field says: the note shows in the history and in mails)


@dataclass
class ProposalData:
    title: str
    problem: str
    idea: str
    intended_outcome: str
    indicator: str
    baseline: str = ""
    target: str = ""
    district_id: int | None = None
    category: str = "other"
    cost_estimate: Decimal | None = None


def _apply(proposal: Proposal, data: ProposalData) -> None:
    for name, value in vars(data).items():
        setattr(proposal, name, value.strip() if isinstance(value, str) else value)


def save_proposal(author, process, data: ProposalData, submit: bool) -> Proposal:
    """Create a proposal as a draft, or submit it at once."""
    from engage.moderation.services import initial_status

    proposal = Proposal(process_id=process.id, author_id=author.id, status=S.DRAFT.value,
                        moderation_status=initial_status(author, process))  # fmt: skip
    _apply(proposal, data)
    db.session.add(proposal)
    db.session.flush()
    from engage.notifications.services import follow

    follow(author, proposal=proposal)  # shown on the page, with a button to stop
    if submit:
        move(proposal, author, S.SUBMITTED, note="")
    return proposal


def sent_before(author, process, data: ProposalData) -> Proposal | None:
    """The same proposal (title and problem) by the same author in the same process, created a
    moment ago: the form sent twice (Back, then send again) makes one proposal."""
    from engage.boards.dialogue_services import RESENT_WITHIN

    return db.session.scalar(
        select(Proposal).where(
            Proposal.author_id == author.id, Proposal.process_id == process.id,
            Proposal.title == data.title.strip(), Proposal.problem == (data.problem or "").strip(),
            Proposal.status != S.WITHDRAWN.value, Proposal.created_at >= utcnow() - RESENT_WITHIN,
        ).order_by(Proposal.id.desc()).limit(1)
    )  # fmt: skip


def update_proposal(proposal: Proposal, author, data: ProposalData, submit: bool) -> None:
    _apply(proposal, data)
    if submit and proposal.status == S.DRAFT:
        move(proposal, author, S.SUBMITTED, note="")


def missing_parts(proposal: Proposal) -> list[str]:
    """The labels of what a draft still lacks before it can be submitted."""
    from engage.proposals.forms import COMPLETE_PARTS

    return [str(label) for name, label in COMPLETE_PARTS.items()
            if not (getattr(proposal, name) or "").strip()]  # fmt: skip


def my_proposals(user) -> list[Proposal]:
    """Everything the user proposed, drafts included, the latest first."""
    return list(db.session.scalars(
        select(Proposal).where(Proposal.author_id == user.id)
        .options(lazyload(Proposal.author), defaultload(Proposal.process).lazyload(Process.phases))
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ))  # fmt: skip


def move(proposal: Proposal, actor, to_status: S | str, note: str) -> ProposalEvent:
    """Change the state, if this actor may make this step now; record who, when and why."""
    target = S(to_status)
    if target == S.SUBMITTED and missing_parts(proposal):
        raise InvalidTransition(_("Please complete the draft first: %(parts)s.",
                                  parts=", ".join(missing_parts(proposal))))  # fmt: skip
    if target == S.EVALUATED and proposal.result_recorded_at is None:
        raise InvalidTransition(_("Please record the measured result first; then the proposal "
                                  "can be marked as evaluated."))  # fmt: skip
    if not permissions.can_move(actor, proposal, target):
        raise InvalidTransition(
            _("A proposal that is “%(current)s” cannot become “%(target)s” by you.",
              current=proposal.status_label, target=target.label)
        )  # fmt: skip
    staff_step = target not in (S.SUBMITTED, S.WITHDRAWN)
    if staff_step and not note.strip():
        raise NoteNotValid(_("Please explain this step in a note; it is shown publicly."))
    if len(note.strip()) > NOTE_MAX:
        raise NoteNotValid(_("The note may be at most %(count)s characters long.",
                             count=format_number(NOTE_MAX)))  # fmt: skip
    event = ProposalEvent(proposal_id=proposal.id, actor_id=actor.id, from_status=proposal.status,
                          to_status=target.value, note=note.strip())  # fmt: skip
    db.session.add(event)
    proposal.status = target.value
    now = utcnow()
    if target == S.SUBMITTED:
        proposal.submitted_at = now
    if target in (S.ACCEPTED, S.REJECTED):
        proposal.official_response = note.strip()
        proposal.answered_at = now
    if staff_step:
        audit.record(f"proposal.{target.value}", actor=actor, target=proposal, reason=note.strip())
    db.session.flush()
    if target != S.SUBMITTED:
        from engage.notifications.services import notify_proposal_change

        notify_proposal_change(proposal, event, actor)
    return event


@functools.cache
def _support_statements(dialect: str) -> dict:
    """The support path's statements, built once per process (building costs more than
    running them): the INSERT that does nothing when the support exists already, the DELETE,
    and the counter moves."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    proposal_id, user_id, step = bindparam("proposal_id"), bindparam("user_id"), bindparam("step")
    counter = (
        update(Proposal).where(Proposal.id == proposal_id)
        .returning(Proposal.support_count, Proposal.qualified_at)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    qualifies = and_(Proposal.qualified_at.is_(None),
                     Proposal.support_count + step >= bindparam("threshold"))  # fmt: skip
    statements = {
        "insert": insert(Support).values(
            proposal_id=proposal_id, user_id=user_id,
            created_at=bindparam("now", type_=UTCDateTime()),
        ).on_conflict_do_nothing().returning(Support.id),
        "delete": delete(Support).where(Support.proposal_id == proposal_id,
                                        Support.user_id == user_id)
        .execution_options(synchronize_session=False),
        "count": counter.values(support_count=Proposal.support_count + step),
        "count and qualify": counter.values(
            support_count=Proposal.support_count + step,
            qualified_at=case((qualifies, bindparam("now", type_=UTCDateTime())),
                              else_=Proposal.qualified_at),
        ),
    }  # fmt: skip
    if dialect == "postgresql":
        # One statement for the whole support: the row, its ledger row with its log entry,
        # and the counter (which moves, and returns, only if the row was new).
        from engage.reports.ledger import new_supports_written, support_locks, supports_removed

        new = statements["insert"].returning(Support.user_id, Support.created_at,
                                             Support.proposal_id).cte("new_support")  # fmt: skip
        # (Run on psycopg's cursor, core/hot_sql.py: SQLAlchemy's execution cost more CPU.)
        statements["support"] = HotStatement(
            statements["count and qualify"].where(select(new.c.id).exists())
            .add_cte(new, new_supports_written(new))
        )  # fmt: skip
        # Withdrawing: the support's item lock (as every change of an existing ledger item
        # takes it), then one statement for the row, its ledger row and log, and the counter.
        mine = and_(Support.proposal_id == proposal_id, Support.user_id == user_id)
        statements["lock support"] = HotStatement(support_locks(mine))
        gone = delete(Support).where(mine).returning(Support.id).cte("gone_support")
        statements["withdraw"] = HotStatement(
            statements["count"].where(select(gone.c.id).exists())
            .add_cte(gone, supports_removed(gone))
        )  # fmt: skip
    return statements


def _statement(name: str):
    return _support_statements(db.session.get_bind().dialect.name)[name]


def _insert_support(proposal_id: int, user_id: int) -> bool:
    """One INSERT that does nothing when the support exists already (even a concurrent one)."""
    row = db.session.execute(_statement("insert"), {
        "proposal_id": proposal_id, "user_id": user_id, "now": utcnow()},
        execution_options=of_user(user_id)).first()  # fmt: skip
    return row is not None


def _count_support(proposal: Proposal, step: int, threshold: int | None = None) -> None:
    """Move the counter by the row just inserted or deleted, in the same transaction.

    The counter only moves when this transaction changed a row, and the row change and the
    counter change commit together: concurrent supports and withdrawals cannot drift apart.
    Reaching the process's threshold marks the proposal qualified in the same statement.
    """
    params = {"proposal_id": proposal.id, "step": step}
    if step > 0 and threshold:
        statement = _statement("count and qualify")
        params |= {"threshold": threshold, "now": utcnow()}
    else:
        statement = _statement("count")
    count, qualified_at = db.session.execute(statement, params).one()
    # The object shows the stored values without being marked as changed.
    set_committed_value(proposal, "support_count", count)
    set_committed_value(proposal, "qualified_at", qualified_at)


def add_support(proposal: Proposal, user) -> bool:
    """Support once; a second support (even a concurrent one) changes nothing. True if added."""
    one_statement = _support_statements(db.session.get_bind().dialect.name).get("support")
    if one_statement is not None:
        # Run on the session's connection, not through the ORM: there each run of the statement
        # was a new annotated copy whose cache key SQLAlchemy worked out afresh (a fifth of a
        # support's CPU), and on psycopg's cursor (core/hot_sql.py). The ORM's listeners then
        # do not see it, so the write is noted here.
        stored = hot_sql.run(db.session.connection(), one_statement, {
            "proposal_id": proposal.id, "user_id": user.id, "step": 1, "now": utcnow(),
            "threshold": proposal.process.support_threshold or None})  # fmt: skip
        if not stored:
            return False  # supported already: nothing written
        note_written(db.session, Support.__tablename__, user.id)
        [(support_count, qualified_at)] = stored
        set_committed_value(proposal, "support_count", support_count)
        set_committed_value(proposal, "qualified_at", qualified_at)
        return True
    if not _insert_support(proposal.id, user.id):
        return False
    _count_support(proposal, +1, proposal.process.support_threshold)
    return True


def withdraw_support(proposal: Proposal, user) -> bool:
    """Remove the user's support; the counter drops only if this call deleted the row."""
    statements = _support_statements(db.session.get_bind().dialect.name)
    if "withdraw" in statements:
        params = {"proposal_id": proposal.id, "user_id": user.id, "step": -1}
        connection = db.session.connection()  # (as Core, like add_support)
        if not hot_sql.run(connection, statements["lock support"], params):
            return False  # (no support to withdraw)
        stored = hot_sql.run(connection, statements["withdraw"], params)
        if not stored:
            return False  # withdrawn meanwhile (a second tab): nothing written
        note_written(db.session, Support.__tablename__, user.id)
        [(support_count, qualified_at)] = stored
        set_committed_value(proposal, "support_count", support_count)
        set_committed_value(proposal, "qualified_at", qualified_at)
        return True
    removed = db.session.execute(
        _statement("delete"),
        {"proposal_id": proposal.id, "user_id": user.id},
        execution_options=of_user(user.id),
    ).rowcount
    if removed:
        _count_support(proposal, -1)
    return bool(removed)


# Built once: constructing a statement costs more than running it. The row is locked (as the
# counter's UPDATE would lock it later): a concurrent change of the proposal (another district,
# hidden) commits first, and the support's report row, written from a snapshot taken after
# this, names the proposal as it is now. It also orders a withdrawal's support lock after the
# proposal's, as a district move takes them. Read as Core, its columns revived into the
# session (core/kept_rows.py): the ORM's loading cost twice the support's write. Only the
# columns that a support's permission check and answer read: the texts would be a third of
# the row's decoding, and load on access if anything asks (kept_rows.revive leaves them so).
_SUPPORT_COLUMNS = ("id", "process_id", "author_id", "status", "moderation_status",
                    "support_count", "qualified_at")  # fmt: skip


@functools.cache
def _for_support() -> HotStatement:
    return HotStatement(
        select(*(getattr(Proposal, name) for name in _SUPPORT_COLUMNS))
        .where(Proposal.id == bindparam("proposal_id"))
        .with_for_update(key_share=True)  # (FOR NO KEY UPDATE: new supports' keys refer to it)
    )  # fmt: skip


_PROCESS_WITH_PHASES = (joinedload(Process.phases), lazyload(Process.department),
                        lazyload(Process.district))  # fmt: skip


def proposal_for_support(proposal_id: int) -> Proposal | None:
    """The proposal, locked, with just what support's permission check reads: process and phases.

    The process with its phases comes from what this worker kept under the processes
    version (core/kept_rows.py): supports, which renew everything else, leave it alone."""
    rows = hot_sql.run(db.session.connection(), _for_support(), {"proposal_id": proposal_id})
    if not rows:
        return None
    [row] = rows
    proposal = kept_rows.revive((Proposal, dict(zip(_SUPPORT_COLUMNS, row, strict=True)), {}))
    process_id = proposal.process_id
    process = kept_rows.loaded(
        ("process", process_id),
        lambda: db.session.get(Process, process_id, options=_PROCESS_WITH_PHASES),
        {"phases": {}}, fragments.PROCESSES)  # fmt: skip
    set_committed_value(proposal, "process", process)
    return proposal


def toggle_support(proposal: Proposal, user) -> bool:
    """Support, or withdraw an existing support, without reading first. True if now supported."""
    if add_support(proposal, user):
        return True
    withdraw_support(proposal, user)
    return False


def has_supported(user, proposal) -> bool:
    if not user.is_authenticated:
        return False
    return bool(db.session.scalar(
        select(func.count()).select_from(Support)
        .where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ))  # fmt: skip


SORTS = {
    "supports": (Proposal.support_count.desc(), Proposal.id.desc()),
    "newest": (Proposal.submitted_at.desc(), Proposal.id.desc()),
    "discussed": (Proposal.comment_count.desc(), Proposal.id.desc()),
    "answered": (Proposal.answered_at.desc().nulls_last(), Proposal.id.desc()),
}


@dataclass
class ProposalFilter:
    process_id: int | None = None
    district_id: int | None = None
    status: str | None = None
    category: str | None = None
    sort: str = "supports"


def proposals_query(filters: ProposalFilter) -> Select:
    """Submitted (not draft) proposals the public sees, filtered and sorted."""
    query = select(Proposal).where(
        Proposal.status != S.DRAFT.value,
        Proposal.moderation_status == ContentStatus.VISIBLE.value,
    )
    return _filtered(query, filters)


def _filtered(query: Select, filters: ProposalFilter) -> Select:
    if filters.process_id:
        query = query.where(Proposal.process_id == filters.process_id)
    if filters.district_id:
        query = query.where(Proposal.district_id == filters.district_id)
    if filters.status in {s.value for s in S} and filters.status != S.DRAFT.value:
        query = query.where(Proposal.status == filters.status)
    if filters.category:
        query = query.where(Proposal.category == filters.category)
    return query.order_by(*SORTS.get(filters.sort, SORTS["supports"]))


def export_for(user) -> dict:
    proposals = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id))
    supports = db.session.scalars(select(Support.proposal_id).where(Support.user_id == user.id))
    ratings = db.session.scalars(select(Rating).where(Rating.user_id == user.id))
    return {
        "proposals": [{"id": p.id, "title": p.title, "status": p.status, "problem": p.problem,
                       "idea": p.idea, "intended_outcome": p.intended_outcome,
                       "indicator": p.indicator} for p in proposals],
        "supported_proposal_ids": list(supports),
        "ratings": [{"proposal_id": r.proposal_id, "stars": r.stars,
                     "created_at": r.created_at.isoformat()} for r in ratings],
    }  # fmt: skip


ACCEPTED_OR_LATER = (S.ACCEPTED.value, S.IN_IMPLEMENTATION.value, S.IMPLEMENTED.value,
                     S.EVALUATED.value)  # fmt: skip


def accepted_proposals() -> list[Proposal]:
    """Proposals the city took on: what a co-produced service can grow from."""
    return list(db.session.scalars(
        select(Proposal).where(Proposal.status.in_(ACCEPTED_OR_LATER),
                               Proposal.moderation_status == ContentStatus.VISIBLE.value)
        .order_by(Proposal.title)
    ))  # fmt: skip


def top_proposals(limit: int = 5, process=None) -> list[Proposal]:
    """The most supported open proposals (of a process, or in voting anywhere), for overviews."""
    query = proposals_query(ProposalFilter(process_id=process.id if process else None))
    if process is None:
        query = query.where(Proposal.status.in_([S.SUBMITTED.value, S.UNDER_REVIEW.value]))
    return list(db.session.scalars(query.limit(limit)))


@dataclass
class Inbox:
    """The department's three lists, each a page of them (flask_sqlalchemy Pagination):
    overdue first, the longest waiting first in each."""

    overdue: object
    qualified_unanswered: object
    new: object


INBOX_PER_PAGE = 50
# The inbox shows titles, processes, states and counts: no author, district or phases (a
# department of the benchmark city had 1,636 new proposals and 161 waiting for an answer, and
# the inbox listed them all with their authors: 275 ms of CPU for one view, 158 ms for an
# admin's view of every department with pages).
_INBOX_LOADING = (lazyload(Proposal.author), lazyload(Proposal.district),
                  joinedload(Proposal.process).lazyload(Process.phases))  # fmt: skip


def department_inbox(department_id: int | None, now=None, pages: dict | None = None) -> Inbox:
    """What the department has to do: qualified proposals past their process's answer
    deadline, qualified ones without answer, new ones; pages: {"overdue": 2, …} (else 1)."""
    from datetime import timedelta

    now, pages = now or utcnow(), pages or {}
    base = select(Proposal).join(Process, Process.id == Proposal.process_id)
    deadlines = select(Process.id, Process.answer_deadline_days)
    if department_id is not None:
        base = base.where(Process.department_id == department_id)
        deadlines = deadlines.where(Process.department_id == department_id)
    base = base.options(*_INBOX_LOADING)
    open_ = [S.SUBMITTED.value, S.UNDER_REVIEW.value]
    waiting = base.where(Proposal.qualified_at.is_not(None), Proposal.answered_at.is_(None),
                         Proposal.status.in_(open_))  # fmt: skip
    # Past the deadline of its own process: one condition per process (a city has dozens).
    overdue = or_(false(), *(and_(Proposal.process_id == process_id,
                                  Proposal.qualified_at < now - timedelta(days=days))
                             for process_id, days in db.session.execute(deadlines)))  # fmt: skip

    def page(name: str, query):
        return db.paginate(query, page=pages.get(name, 1), per_page=INBOX_PER_PAGE,
                           error_out=False)  # fmt: skip

    longest_waiting = (Proposal.qualified_at, Proposal.id)
    return Inbox(
        overdue=page("overdue", waiting.where(overdue).order_by(*longest_waiting)),
        qualified_unanswered=page("waiting", waiting.order_by(*longest_waiting)),
        new=page("new", base.where(Proposal.status == S.SUBMITTED.value)
                 .order_by(Proposal.submitted_at, Proposal.id)),
    )  # fmt: skip


def record_result(proposal: Proposal, actor, measured_value: str, evaluation: str) -> None:
    """Store the indicator's measured value and a short evaluation."""
    proposal.measured_value = measured_value.strip()
    proposal.evaluation = evaluation.strip()
    proposal.result_recorded_at = utcnow()
    audit.record("proposal.result", actor=actor, target=proposal, value=proposal.measured_value)


def rate(proposal: Proposal, user, stars: int) -> None:
    """Rate once (a later rating replaces the earlier one); the sums stay in step."""
    if not 1 <= stars <= 5:
        raise ProposalError(_("Please choose between 1 and 5 stars."))
    existing = db.session.scalar(
        select(Rating).where(Rating.proposal_id == proposal.id, Rating.user_id == user.id)
    )
    if existing is not None:
        proposal.rating_sum += stars - existing.stars
        existing.stars = stars
        return
    db.session.add(Rating(proposal_id=proposal.id, user_id=user.id, stars=stars))
    proposal.rating_sum += stars
    proposal.rating_count += 1


@dataclass(frozen=True)
class Viewer:
    """What one user did on a proposal's page: it decides the buttons they see."""

    supported: bool = False
    following: bool = False
    rating: int | None = None
    reported: bool = False  # the proposal itself
    touched_comments: bool = False  # wrote, marked helpful or reported a comment here


@functools.cache
def _viewer_query() -> HotStatement:
    from engage.boards.dialogue_models import Comment
    from engage.boards.dialogue_services import touches
    from engage.moderation.models import Flag
    from engage.notifications.models import Follow

    user_id, proposal_id = bindparam("user_id"), bindparam("proposal_id")
    return HotStatement(select(
        exists().where(Support.proposal_id == proposal_id, Support.user_id == user_id),
        exists().where(Follow.user_id == user_id, Follow.proposal_id == proposal_id),
        select(Rating.stars).where(Rating.proposal_id == proposal_id, Rating.user_id == user_id)
        .scalar_subquery(),
        exists().where(Flag.user_id == user_id, Flag.content_type == "proposal",
                       Flag.content_id == proposal_id),
        touches(user_id, Comment.proposal_id == proposal_id),
    ))  # fmt: skip


def viewer_of(user, proposal: Proposal) -> Viewer:
    """The user's own state on the proposal's page, in one query (none for visitors)."""
    if not user.is_authenticated:
        return Viewer()
    mine = personal.of(user)  # (kept per user until their rows change: no query)
    if mine is not None:
        return Viewer(proposal.id in mine.supported, proposal.id in mine.following_proposals,
                      mine.ratings.get(proposal.id), proposal.id in mine.reported_proposals,
                      proposal.id in mine.touched_proposals)  # fmt: skip
    # As Core, alone (core/transactions.read_alone): often the page's only query.
    [row] = read_alone(_viewer_query(), {"user_id": user.id, "proposal_id": proposal.id})
    supported, following, rating, reported, touched = row
    return Viewer(bool(supported), bool(following), rating, bool(reported), bool(touched))


def comment(proposal: Proposal, author, body: str, parent=None, official: bool = False):
    """Add a comment (an official one for the department) under a proposal."""
    from engage.boards.dialogue_models import Comment
    from engage.boards.dialogue_services import ReplyTargetGone, placement

    if parent is not None and (parent.proposal_id != proposal.id or parent.is_deleted
                               or not parent.is_visible):  # fmt: skip
        raise ReplyTargetGone(_("The post you replied to is no longer available."))
    from engage.moderation.services import initial_status

    parent_id, depth = placement(parent)
    new = Comment(
        proposal_id=proposal.id, parent_id=parent_id, depth=depth, author_id=author.id,
        body=body.strip(), is_official=official,
        department_id=author.department_id if official else None,
        moderation_status=initial_status(author, proposal.process),
    )  # fmt: skip
    db.session.add(new)
    db.session.flush()
    new.root_id = new.id if parent is None else parent.root_id
    if official and proposal.answered_at is None:
        proposal.answered_at = utcnow()  # the department has answered, in a comment
    from engage.boards import reply_counts

    if reply_counts.counts(new):  # (a pending comment counts once it is approved)
        reply_counts.add(new, 1)
    from engage.notifications.services import notify_proposal_comment

    if new.is_visible:
        notify_proposal_comment(proposal, new, author, replied_to=parent)
    return new
