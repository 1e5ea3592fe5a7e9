"""Keeping the participation ledger equal to its sources.

The ledger's rows for a kind are, by definition, what `ledger_select` gives over the tables of
sources.py. Every change is handled by refreshing the affected items in SQL: delete their rows,
insert them anew from the sources. After an ORM flush the changed objects say what is affected
(only columns the report uses count: a new support's counter update changes nothing here); an
ORM-executed UPDATE or DELETE (moderation's conditional hide, withdrawing a support) is handled
the same way, with the affected ids selected before it runs, and an ORM-executed INSERT by the
newest items without a row. Inserts on a bare connection (the benchmark city) bypass all of
this: `rebuild` writes the whole ledger anew, and `check-consistency` finds any drift.
"""

from __future__ import annotations

from collections.abc import Iterable

import click
from sqlalchemy import delete, event, exists, func, insert, inspect, literal, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from engage.accounts.models import User
from engage.accounts.permissions import STAFF_ROLES
from engage.boards.dialogue_models import Comment, Thread
from engage.extensions import db
from engage.processes.models import Process
from engage.proposals.models import Proposal, Support
from engage.reports import sources
from engage.reports.models import Participation
from engage.reports.scope import month_of
from engage.volunteering.models import ServiceOffer, Shift, Signup

P = Participation
COLUMNS = ["kind", "item_id", "user_id", "staff", "created", "month", "process_id", "district_id",
           "department_id"]  # fmt: skip


def _sources() -> dict[str, sources.Source]:
    return {s.kind: s for s in sources.all_sources()}


def ledger_select(source: sources.Source):
    """The ledger rows of one kind of contribution, straight from its tables."""
    return (
        select(literal(source.kind), source.id, source.user, User.role.in_(sorted(STAFF_ROLES)),
               source.created, month_of(source.created), source.process, source.district,
               source.department)
        .select_from(source.table.join(User, User.id == source.user))
        .where(*source.conditions)
    )  # fmt: skip


def refresh(connection, kind: str, ids) -> None:
    """Write the rows of these items (a list or a select of ids) anew from the sources."""
    if isinstance(ids, list | tuple | set):
        ids = sorted(ids)
        if not ids:
            return
    source = _sources()[kind]
    connection.execute(delete(P).where(P.kind == kind, P.item_id.in_(ids)))
    connection.execute(insert(P).from_select(COLUMNS, ledger_select(source).where(
        source.id.in_(ids))))  # fmt: skip


def prune(connection, kinds: Iterable[str]) -> None:
    """Drop rows whose item is gone (the database deleted it with its parent)."""
    for kind in kinds:
        model = {"threads": Thread, "replies": Comment, "proposals": Proposal,
                 "supports": Support, "signups": Signup}[kind]  # fmt: skip
        connection.execute(delete(P).where(P.kind == kind, ~exists().where(
            model.id == P.item_id)))  # fmt: skip


def rebuild(session: Session) -> int:
    """Empty the ledger and fill it from every source; returns the number of rows."""
    connection = session.connection()
    connection.execute(delete(P))
    for source in sources.all_sources():
        connection.execute(insert(P).from_select(COLUMNS, ledger_select(source)))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE participation")
    return session.scalar(select(func.count()).select_from(P))


def drift(limit: int = 50) -> list[str]:
    """Ledger rows that differ from what the sources give (missing, extra or changed)."""
    lines: list[str] = []
    for source in sources.all_sources():
        real = ledger_select(source)
        kept = select(*[getattr(P, c) for c in COLUMNS]).where(P.kind == source.kind)
        for label, rows in (("missing", real.except_(kept)), ("stale", kept.except_(real))):
            for row in db.session.execute(rows.limit(limit)):
                lines.append(f"participation {row[0]} {row[1]}: {label} in the ledger")
    return lines[:limit]


# --- what a change affects -----------------------------------------------------------------
# For each model: the columns whose change matters, and for each kind of ledger row a function
# from the changed object's id to a select of the item ids to refresh.


def _replies_of_process(pid):
    return (select(Comment.id).outerjoin(Thread, Comment.thread_id == Thread.id)
            .outerjoin(Proposal, Comment.proposal_id == Proposal.id)
            .where(or_(Thread.process_id == pid, Proposal.process_id == pid)))  # fmt: skip


def _supports_of_process(pid):
    return select(Support.id).join(Proposal, Support.proposal_id == Proposal.id).where(
        Proposal.process_id == pid)  # fmt: skip


def _signups_of(condition):
    return (select(Signup.id).join(Shift, Signup.shift_id == Shift.id)
            .join(ServiceOffer, Shift.offer_id == ServiceOffer.id).where(condition))  # fmt: skip


def _ids(item_id):
    return [item_id]


WATCHED = {
    Thread: ({"author_id", "created_at", "process_id", "deleted_at", "moderation_status"},
             {"threads": _ids, "replies": lambda i: select(Comment.id).where(
                 Comment.thread_id == i)}),
    Comment: ({"author_id", "created_at", "deleted_at", "moderation_status", "is_official",
               "thread_id", "proposal_id"}, {"replies": _ids}),
    Proposal: ({"author_id", "submitted_at", "process_id", "district_id", "status",
                "moderation_status"},
               {"proposals": _ids,
                "supports": lambda i: select(Support.id).where(Support.proposal_id == i),
                "replies": lambda i: select(Comment.id).where(Comment.proposal_id == i)}),
    Support: ({"user_id", "created_at", "proposal_id"}, {"supports": _ids}),
    Signup: ({"user_id", "status", "shift_id"}, {"signups": _ids}),
    Shift: ({"starts_at", "offer_id"},
            {"signups": lambda i: select(Signup.id).where(Signup.shift_id == i)}),
    ServiceOffer: ({"process_id", "district_id", "department_id"},
                   {"signups": lambda i: _signups_of(ServiceOffer.id == i)}),
    Process: ({"district_id", "department_id"},
              {"threads": lambda i: select(Thread.id).where(Thread.process_id == i),
               "replies": _replies_of_process,
               "proposals": lambda i: select(Proposal.id).where(Proposal.process_id == i),
               "supports": _supports_of_process,
               "signups": lambda i: _signups_of(ServiceOffer.process_id == i)}),
}  # fmt: skip
# Kinds whose own rows live in a model (deleting it deletes them); the rest are its dependents.
OWN = {Thread: "threads", Comment: "replies", Proposal: "proposals", Support: "supports",
       Signup: "signups"}  # fmt: skip


def _changed(item, columns: set[str]) -> bool:
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _role_changed(connection, user) -> None:
    connection.execute(update(P).where(P.user_id == user.id).values(
        staff=user.role in STAFF_ROLES))  # fmt: skip


def _after_flush(session: Session, flush_context) -> None:
    plans: dict[str, list] = {}
    pruned: set[str] = set()
    for item in session.new:
        model = type(item)
        if model in OWN:
            plans.setdefault(OWN[model], []).append(item.id)
    for item in session.dirty:
        model = type(item)
        if model is User and _changed(item, {"role"}):
            _role_changed(session.connection(), item)
        if model in WATCHED and _changed(item, WATCHED[model][0]):
            for kind, affected in WATCHED[model][1].items():
                plans.setdefault(kind, []).append(affected(item.id))
    for item in session.deleted:
        model = type(item)
        if model in OWN:
            plans.setdefault(OWN[model], []).append(item.id)
        if model in WATCHED:
            pruned |= set(WATCHED[model][1]) - {OWN.get(model)}
    if not (plans or pruned):
        return
    connection = session.connection()
    for kind, parts in plans.items():
        ids = [p for p in parts if isinstance(p, int)]
        refresh(connection, kind, ids)
        for query in (p for p in parts if not isinstance(p, int)):
            refresh(connection, kind, query)
    prune(connection, pruned)


def _column_names(statement) -> set[str]:
    values = getattr(statement, "_values", None) or {}
    return {getattr(key, "key", None) or getattr(key, "name", None) or str(key) for key in values}


# An INSERT statement through the session does not say which ids it made: afterwards, the
# newest items of its kind without a ledger row are written (new ids lie above the kept ones;
# the margin covers transactions that took lower ids and commit later).
RECENT_IDS = 10_000


def _inserted(state: ORMExecuteState, model) -> None:
    kind = OWN[model]
    connection = state.session.connection()
    newest = connection.scalar(select(func.max(P.item_id)).where(P.kind == kind)) or 0
    missing = select(model.id).where(model.id > newest - RECENT_IDS, ~exists().where(
        P.kind == kind, P.item_id == model.id))  # fmt: skip
    refresh(connection, kind, list(connection.scalars(missing)))


def _do_orm_execute(state: ORMExecuteState):
    """DML through the session: the affected ids selected first, their rows refreshed after."""
    if state.bind_mapper is None or not (state.is_update or state.is_delete or state.is_insert):
        return None
    model = state.bind_mapper.class_
    if state.is_insert:
        if model not in OWN or isinstance(state.parameters, list):
            return None  # a bulk load (the benchmark city) rebuilds the ledger afterwards
        result = state.invoke_statement()
        _inserted(state, model)
        return result
    if model is User and state.is_update and "role" in _column_names(state.statement):
        result = state.invoke_statement()
        connection = state.session.connection()
        connection.execute(update(P).where(
            P.user_id.in_(select(User.id).where(state.statement.whereclause))
        ).values(staff=select(User.role.in_(sorted(STAFF_ROLES))).where(
            User.id == P.user_id).scalar_subquery()))  # fmt: skip
        return result
    if model not in WATCHED:
        return None
    if state.is_update and not (_column_names(state.statement) & WATCHED[model][0]):
        return None
    where = state.statement.whereclause
    ids = list(state.session.execute(select(model.id).where(
        *([where] if where is not None else []))).scalars())  # fmt: skip
    result = state.invoke_statement()
    if ids:
        connection = state.session.connection()
        for kind, affected in WATCHED[model][1].items():
            if kind == OWN.get(model):
                refresh(connection, kind, ids)
            elif state.is_delete:
                prune(connection, [kind])
            else:
                for item_id in ids:
                    refresh(connection, kind, affected(item_id))
    return result


def listen() -> None:
    """Keep the ledger current from every ORM session (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _do_orm_execute)


@click.command("reports-rebuild")
def rebuild_command() -> None:
    """Write the report's participation ledger anew from every contribution."""
    count = rebuild(db.session)
    db.session.commit()
    click.echo(f"Participation ledger rebuilt: {count} rows.")
