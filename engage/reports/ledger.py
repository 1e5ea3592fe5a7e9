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

from collections import Counter
from collections.abc import Iterable

import click
from sqlalchemy import (
    String,
    and_,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import ORMExecuteState, Session

from engage.accounts.models import User
from engage.accounts.permissions import STAFF_ROLES
from engage.boards.dialogue_models import Comment, Thread
from engage.extensions import db
from engage.processes.models import Process
from engage.proposals.models import Proposal, Support
from engage.reports import sources
from engage.reports.models import Participation
from engage.reports.models import ParticipationPeople as People
from engage.reports.models import ParticipationTally as Tally
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


def refresh(connection, kind: str, ids, new_by: set[int] | None = None) -> None:
    """Write the rows of these items (a list or a select of ids) anew from the sources.

    new_by: the items were just made, by these people (no one to look up).
    """
    if isinstance(ids, list | tuple | set):
        ids = sorted(ids)
        if not ids:
            return
    source = _sources()[kind]
    mine = (P.kind == kind, P.item_id.in_(ids))
    if new_by is not None and len(new_by) <= TRACKED_PEOPLE:
        _add_new(connection, source, ids, new_by)
        return
    if new_by is not None:
        users = new_by
    else:
        users = set(connection.scalars(select(P.user_id).where(*mine).distinct()))
        authors = select(source.user).select_from(source.table).where(source.id.in_(ids))
        users |= set(connection.scalars(authors.distinct()))

    def rewrite():
        connection.execute(delete(P).where(*mine))  # (a new item too: ids may be reused)
        connection.execute(insert(P).from_select(COLUMNS, ledger_select(source).where(
            source.id.in_(ids))))  # fmt: skip

    _tracked(connection, users, rewrite)


def prune(connection, kinds: Iterable[str]) -> None:
    """Drop rows whose item is gone (the database deleted it with its parent)."""
    for kind in kinds:
        model = {"threads": Thread, "replies": Comment, "proposals": Proposal,
                 "supports": Support, "signups": Signup}[kind]  # fmt: skip
        orphan = (P.kind == kind, ~exists().where(model.id == P.item_id))
        users = set(connection.scalars(select(P.user_id).where(*orphan).distinct()))
        _tracked(connection, users, lambda orphan=orphan: connection.execute(
            delete(P).where(*orphan)))  # fmt: skip


def rebuild(session: Session) -> int:
    """Empty the ledger and fill it from every source; returns the number of rows."""
    connection = session.connection()
    connection.execute(delete(P))
    for source in sources.all_sources():
        connection.execute(insert(P).from_select(COLUMNS, ledger_select(source)))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE participation")
    recount(connection)
    return session.scalar(select(func.count()).select_from(P))


# --- the whole city's figures (ParticipationTally, ParticipationPeople) -------------------
# A change to the ledger touches some people's rows: their rows are read before and after it,
# and the differences are added to the kept figures. Beyond TRACKED_PEOPLE people at once (a
# process moved to another district), everything is counted anew instead.

TRACKED_PEOPLE = 2_000
LOCK_CLASS = 0x7265  # the first number of the advisory locks on a person's ledger rows
DIMENSIONS = {"district": P.district_id, "process": P.process_id, "month": P.month}


def _key(value) -> str:
    return "" if value is None else str(value)


def _tally_key(kind, staff, process, district, month) -> tuple:
    return (kind, bool(staff), process or 0, district or 0, month or "")


def _snapshot(connection, users: set[int]) -> tuple[Counter, set]:
    """The tally of these people's rows, and their (dimension, value, person) pairs."""
    tally: Counter = Counter()
    pairs: set = set()
    ordered = sorted(users)
    for start in range(0, len(ordered), 500):
        rows = connection.execute(select(
            P.kind, P.staff, P.process_id, P.district_id, P.month, P.user_id,
        ).where(P.user_id.in_(ordered[start:start + 500])))  # fmt: skip
        for kind, staff, process, district, month, user in rows:
            tally[_tally_key(kind, staff, process, district, month)] += 1
            if not staff:
                pairs |= {
                    ("all", "", user),
                    ("district", _key(district), user),
                    ("process", _key(process), user),
                    ("month", _key(month), user),
                }
    return tally, pairs


def _tracked(connection, users: set[int], change) -> None:
    """Run a change of these people's ledger rows and keep the whole city's figures with it."""
    if len(users) > TRACKED_PEOPLE:
        change()
        recount(connection)
        return
    _lock_people(connection, users)
    tally_before, pairs_before = _snapshot(connection, users)
    change()
    tally_after, pairs_after = _snapshot(connection, users)
    tally = Counter(tally_after)
    tally.subtract(tally_before)
    people: Counter = Counter()
    for dimension, key, _user in pairs_after - pairs_before:
        people[(dimension, key)] += 1
    for dimension, key, _user in pairs_before - pairs_after:
        people[(dimension, key)] -= 1
    _apply(connection, tally, people)


def _lock_people(connection, users: set[int]) -> None:
    if users and connection.dialect.name == "postgresql":
        # One person's changes one after another: two transactions that each added someone's
        # first contribution in a district would otherwise both count them as new there. An
        # advisory lock, not the account's row: foreign keys share-lock that row (deadlocks).
        # (SQLite has one writer at a time anyway.)
        connection.execute(select(func.pg_advisory_xact_lock(LOCK_CLASS, User.id)).where(
            User.id.in_(sorted(users))).order_by(User.id))  # fmt: skip


def _apply(connection, tally: Counter, people: Counter) -> None:
    """Add the differences to the kept figures."""
    # In key order, so that two transactions lock the rows they share in the same order.
    for (kind, staff, process, district, month), n in sorted(tally.items()):
        if n:
            keys = {"kind": kind, "staff": staff, "process_key": process,
                    "district_key": district, "month_key": month}  # fmt: skip
            _add(connection, Tally, keys, "n", n)
    for (dimension, key), n in sorted(people.items()):
        if n:
            _add(connection, People, {"dimension": dimension, "key": key}, "people", n)


def _add_new(connection, source: sources.Source, ids: list[int], users: set[int]) -> None:
    """Rows for items just made (a support, a reply): the kept figures move by those rows
    alone, without reading all of their people's rows before and after (the POST's hot path).
    """
    _lock_people(connection, users)
    mine = (P.kind == source.kind, P.item_id.in_(ids))
    connection.execute(delete(P).where(*mine))  # (ids may be reused)
    added = connection.execute(insert(P).from_select(COLUMNS, ledger_select(source).where(
        source.id.in_(ids))).returning(P.staff, P.process_id, P.district_id, P.month,
                                       P.user_id)).all()  # fmt: skip
    tally: Counter = Counter()
    pairs: set = set()  # (person, dimension, value); "all" has no value
    for staff, process, district, month, user in added:
        tally[_tally_key(source.kind, staff, process, district, month)] += 1
        if not staff:
            pairs |= {(user, "district", district), (user, "process", process),
                      (user, "month", month), (user, "all", None)}  # fmt: skip
    people: Counter = Counter()
    for user in sorted({user for user, _, _ in pairs}):
        # New in this district, process, month or at all: no other row of theirs there.
        theirs = sorted(((d, v) for u, d, v in pairs if u == user), key=repr)
        others = (P.user_id == user, ~P.staff, ~and_(*mine))
        checks = []
        for dimension, value in theirs:
            column = DIMENSIONS.get(dimension)
            where = (
                [] if column is None else [column.is_(None) if value is None else column == value]
            )
            checks.append(exists().where(*others, *where))
        seen = connection.execute(select(*checks)).one()
        for (dimension, value), there in zip(theirs, seen, strict=True):
            if not there:
                people[(dimension, _key(value))] += 1
    _apply(connection, tally, people)


def _add(connection, model, keys: dict, column: str, n: int) -> None:
    """column += n on the row with these keys (made if missing), in one statement."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(model).values(**keys, **{column: n})
    connection.execute(statement.on_conflict_do_update(
        index_elements=list(keys), set_={column: getattr(model, column) + n}))  # fmt: skip


def _fresh_tally():
    return select(P.kind, P.staff, func.coalesce(P.process_id, 0), func.coalesce(P.district_id, 0),
                  func.coalesce(P.month, ""), func.count()).group_by(
        P.kind, P.staff, P.process_id, P.district_id, P.month)  # fmt: skip


def _fresh_people():
    parts = [select(literal("all"), literal(""), func.count(func.distinct(P.user_id))).where(
        ~P.staff)]  # fmt: skip
    for dimension, column in DIMENSIONS.items():
        parts.append(select(literal(dimension), func.coalesce(cast(column, String), ""),
                            func.count(func.distinct(P.user_id))).where(~P.staff)
                     .group_by(column))  # fmt: skip
    everything = union_all(*parts).subquery()
    return select(*everything.c)  # a plain select: SQLite cannot nest a UNION in an EXCEPT


def recount(connection) -> None:
    """Count the whole city's figures anew from the ledger."""
    connection.execute(delete(Tally))
    connection.execute(delete(People))
    connection.execute(
        insert(Tally).from_select(
            ["kind", "staff", "process_key", "district_key", "month_key", "n"], _fresh_tally()
        )
    )
    connection.execute(insert(People).from_select(["dimension", "key", "people"],
                                                  _fresh_people()))  # fmt: skip


def drift(limit: int = 50) -> list[str]:
    """Ledger rows that differ from what the sources give (missing, extra or changed), and
    kept whole-city figures that differ from the ledger."""
    lines: list[str] = []
    for source in sources.all_sources():
        real = ledger_select(source)
        kept = select(*[getattr(P, c) for c in COLUMNS]).where(P.kind == source.kind)
        for label, rows in (("missing", real.except_(kept)), ("stale", kept.except_(real))):
            for row in db.session.execute(rows.limit(limit)):
                lines.append(f"participation {row[0]} {row[1]}: {label} in the ledger")
    kept_tally = select(Tally.kind, Tally.staff, Tally.process_key, Tally.district_key,
                        Tally.month_key, Tally.n).where(Tally.n != 0)  # fmt: skip
    kept_people = select(People.dimension, People.key, People.people).where(People.people != 0)
    for name, real, kept in (("participation_tally", _fresh_tally(), kept_tally),
                             ("participation_people", _fresh_people(), kept_people)):  # fmt: skip
        for row in db.session.execute(kept.except_(real).limit(limit)):
            lines.append(f"{name} {tuple(row[:-1])}: {row[-1]} kept, not the ledger's count")
        for row in db.session.execute(real.except_(kept).limit(limit)):
            lines.append(f"{name} {tuple(row[:-1])}: the ledger counts {row[-1]}")
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
OWN_USER = {Thread: "author_id", Comment: "author_id", Proposal: "author_id", Support: "user_id",
            Signup: "user_id"}  # fmt: skip


def _changed(item, columns: set[str]) -> bool:
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in columns)


def _role_changed(connection, user) -> None:
    _tracked(connection, {user.id}, lambda: connection.execute(update(P).where(
        P.user_id == user.id).values(staff=user.role in STAFF_ROLES)))  # fmt: skip


def _after_flush(session: Session, flush_context) -> None:
    plans: dict[str, list] = {}
    pruned: set[str] = set()
    made: dict[str, tuple[list, set]] = {}
    for item in session.new:
        model = type(item)
        if model in OWN:
            ids, users = made.setdefault(OWN[model], ([], set()))
            ids.append(item.id)
            users.add(getattr(item, OWN_USER[model]))
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
    if not (plans or pruned or made):
        return
    connection = session.connection()
    for kind, (ids, users) in made.items():
        refresh(connection, kind, ids, new_by=users)
    for kind, parts in plans.items():
        ids = [p for p in parts if isinstance(p, int)]
        refresh(connection, kind, ids)
        for query in (p for p in parts if not isinstance(p, int)):
            refresh(connection, kind, query)
    prune(connection, pruned)


def _column_names(statement) -> set[str]:
    values = getattr(statement, "_values", None) or {}
    return {getattr(key, "key", None) or getattr(key, "name", None) or str(key) for key in values}


# An INSERT statement through the session says which ids it made only when it returns them
# (the support path's INSERT … ON CONFLICT DO NOTHING RETURNING id): then just those items are
# written. Otherwise the newest items of its kind without a ledger row are (new ids lie above
# the kept ones; the margin covers transactions that took lower ids and commit later).
RECENT_IDS = 10_000


def _inserted(state: ORMExecuteState, model):
    """Run an ORM-executed INSERT and write the ledger rows of what it made; its result."""
    kind = OWN[model]
    result = state.invoke_statement()
    connection = state.session.connection()
    if _returns_ids(state.statement):
        frozen = result.freeze()  # read the returned ids, and still hand them to the caller
        ids = [row.id for row in frozen()]
        refresh(connection, kind, ids, new_by=_inserted_by(state.statement, model))
        return frozen()
    newest = connection.scalar(select(func.max(P.item_id)).where(P.kind == kind)) or 0
    missing = select(model.id).where(model.id > newest - RECENT_IDS, ~exists().where(
        P.kind == kind, P.item_id == model.id))  # fmt: skip
    refresh(connection, kind, list(connection.scalars(missing)))
    return result


def _returns_ids(statement) -> bool:
    """Whether the INSERT names RETURNING id itself. (SQLAlchemy's own RETURNING of an ORM
    insert on PostgreSQL gives the column but no rows to the caller: not to be trusted.)"""
    returning = getattr(statement, "_returning", ()) or ()
    return any(getattr(column, "key", None) == "id" for column in returning)


def _inserted_by(statement, model) -> set[int] | None:
    """The author an INSERT … VALUES names, so that refresh need not look them up."""
    for column, value in (getattr(statement, "_values", None) or {}).items():
        if getattr(column, "key", column) == OWN_USER[model]:
            value = getattr(value, "value", value)
            return {value} if isinstance(value, int) else None
    return None


def _do_orm_execute(state: ORMExecuteState):
    """DML through the session: the affected ids selected first, their rows refreshed after."""
    if state.bind_mapper is None or not (state.is_update or state.is_delete or state.is_insert):
        return None
    model = state.bind_mapper.class_
    if state.is_insert:
        if model not in OWN or isinstance(state.parameters, list):
            return None  # a bulk load (the benchmark city) rebuilds the ledger afterwards
        return _inserted(state, model)
    if model is User and state.is_update and "role" in _column_names(state.statement):
        connection = state.session.connection()
        users = set(connection.scalars(select(User.id).where(state.statement.whereclause)))
        result = state.invoke_statement()
        _tracked(connection, users, lambda: connection.execute(update(P).where(
            P.user_id.in_(users)).values(staff=select(User.role.in_(sorted(STAFF_ROLES))).where(
                User.id == P.user_id).scalar_subquery())))  # fmt: skip
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
