"""Keeping the participation ledger equal to its sources.

The ledger's rows for a kind are, by definition, what `ledger_select` gives over the tables of
sources.py. Every change is handled by refreshing the affected items in SQL: delete their rows,
insert them anew from the sources. After an ORM flush the changed objects say what is affected
(only columns the report uses count: a new support's counter update changes nothing here); an
ORM-executed UPDATE or DELETE (moderation's conditional hide, withdrawing a support) is handled
the same way, with the affected ids selected before it runs, and an ORM-executed INSERT by the
newest items without a row. Inserts on a bare connection (the benchmark city) bypass all of
this: `rebuild` writes the whole ledger anew, and `check-consistency` finds any drift.

Every row removed or added is also logged in `participation_change` (-1 / +1), in the same
statement on PostgreSQL. The whole city's kept figures are not touched by a write: `fold` adds
the log to them when a whole-city report is computed. The support path writes its ledger row
and log entry inside its own single statement (`new_supports_written`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

import click
from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    bindparam,
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
from engage.reports.models import ParticipationChange as Change
from engage.reports.models import ParticipationPeople as People
from engage.reports.models import ParticipationTally as Tally
from engage.reports.scope import month_of
from engage.volunteering.models import ServiceOffer, Shift, Signup

P = Participation
COLUMNS = ["kind", "item_id", "user_id", "staff", "created", "month", "process_id", "district_id",
           "department_id"]  # fmt: skip


@functools.cache
def _sources() -> dict[str, sources.Source]:
    """Built once per process: the constructs are immutable, and building them costs more than
    a support's whole SQL."""
    return {s.kind: s for s in sources.all_sources()}


def ledger_select(source: sources.Source):
    """The ledger rows of one kind of contribution, straight from its tables."""
    # (The roles as one parameter each, not an expanding list: the support statement is
    # compiled once into its SQL, core/hot_sql.py.)
    staff = User.role.in_([literal(role) for role in sorted(STAFF_ROLES)])
    return (
        select(literal(source.kind), source.id, source.user, staff, source.created,
               month_of(source.created), source.process, source.district, source.department)
        .select_from(source.table.join(User, User.id == source.user))
        .where(*source.conditions)
    )  # fmt: skip


def refresh(connection, kind: str, ids, *, new: bool = False, gone: bool = False) -> None:
    """Write the rows of these items (a list or a select of ids) anew from the sources.

    new: the items were just made (no other transaction can refresh them yet); gone: they were
    just deleted (nothing to write). Every row removed or added is logged for fold().
    """
    if isinstance(ids, list | tuple | set):
        ids = sorted(ids)
        if not ids:
            return
    postgres = connection.dialect.name == "postgresql"
    if new and postgres and isinstance(ids, list):
        # The hot path (a support, a reply): ids from a sequence are never handed out twice,
        # and no other transaction sees these items yet. One statement, built once.
        connection.execute(_add_new_statement(kind), {"ids": ids})
        return
    source = _sources()[kind]
    mine = (P.kind == kind, P.item_id.in_(ids))
    if not new:
        _lock_items(connection, kind, ids)
    _remove(connection, mine)  # (also for new items on SQLite: it may reuse a deleted row's id)
    if not gone:
        _add(connection, insert(P).from_select(COLUMNS, ledger_select(source).where(
            source.id.in_(ids))), mine)  # fmt: skip


def new_supports_written(rows):
    """PostgreSQL: a data-modifying CTE that writes (and logs) the ledger rows of supports
    inserted by another CTE of the same statement (rows: its RETURNING id, user_id,
    created_at, proposal_id). Lets a support be one statement; see proposals.services."""
    source = sources.supports(rows)
    added = _returned(insert(P).from_select(COLUMNS, ledger_select(source))).cte("added")
    return insert(Change).from_select(CHANGE_COLUMNS, _logged(added, +1)).add_cte(
        added).cte("logged")  # fmt: skip


def supports_removed(rows):
    """PostgreSQL: a data-modifying CTE that deletes (and logs) the ledger rows of supports
    deleted by another CTE of the same statement (rows: its RETURNING id). The statement must
    hold support_locks() on them, like every refresh of an existing item (_lock_items)."""
    mine = (P.kind == OWN[Support], P.item_id.in_(select(rows.c.id)))
    gone = _returned(delete(P).where(*mine)).cte("ledger_gone")
    return insert(Change).from_select(CHANGE_COLUMNS, _logged(gone, -1)).add_cte(gone).cte(
        "unlogged")  # fmt: skip


def support_locks(where):
    """PostgreSQL: a select that takes the item locks of the supports matching where."""
    lock = func.pg_advisory_xact_lock(_lock_number(OWN[Support]), Support.id)
    return select(lock).where(where).order_by(Support.id)


@functools.cache
def _add_new_statement(kind: str):
    """PostgreSQL: write the ledger rows of the items in :ids and log them, in one statement."""
    source = _sources()[kind]
    rows = ledger_select(source).where(source.id.in_(bindparam("ids", expanding=True)))
    added = _returned(insert(P).from_select(COLUMNS, rows)).cte("added")
    return insert(Change).from_select(CHANGE_COLUMNS, _logged(added, +1)).add_cte(added)


def prune(connection, kinds: Iterable[str]) -> None:
    """Drop rows whose item is gone (the database deleted it with its parent)."""
    for kind in kinds:
        model = {"threads": Thread, "replies": Comment, "proposals": Proposal,
                 "supports": Support, "signups": Signup}[kind]  # fmt: skip
        _remove(connection, (P.kind == kind, ~exists().where(model.id == P.item_id)))


def rebuild(session: Session) -> int:
    """Empty the ledger and fill it from every source; returns the number of rows."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Writes wait (reads go on) until the new ledger and its figures are committed.
        connection.exec_driver_sql(
            "LOCK TABLE participation, participation_change IN EXCLUSIVE MODE"
        )
        _lock_fold(connection)
    connection.execute(delete(P))
    connection.execute(delete(Change))
    for source in sources.all_sources():
        connection.execute(insert(P).from_select(COLUMNS, ledger_select(source)))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE participation")
    recount(connection)
    return session.scalar(select(func.count()).select_from(P))


# --- logging each change of the ledger ------------------------------------------------------
# A removed row is logged with step -1, an added one with +1, in the statement that removes or
# adds it (PostgreSQL: a data-modifying WITH) or right beside it (SQLite: one writer at a time).

CHANGE_COLUMNS = ["user_id", "kind", "staff", "process_key", "district_key", "month_key", "step"]
LOCK_CLASS = 0x7265  # advisory locks: (LOCK_CLASS + kind's number, item id); the fold's own
FOLD_LOCK = (0x7270, 0)


def _logged(rows, step: int):
    """A select of change-log values from ledger rows (a table or a RETURNING clause)."""
    return select(rows.c.user_id, rows.c.kind, rows.c.staff,
                  func.coalesce(rows.c.process_id, 0), func.coalesce(rows.c.district_id, 0),
                  func.coalesce(rows.c.month, ""), literal(step))  # fmt: skip


def _returned(statement):
    return statement.returning(P.user_id, P.kind, P.staff, P.process_id, P.district_id, P.month)


def _remove(connection, where: tuple) -> None:
    """Delete the ledger rows matching where, logging each."""
    if connection.dialect.name == "postgresql":
        gone = _returned(delete(P).where(*where)).cte("gone")
        connection.execute(insert(Change).from_select(CHANGE_COLUMNS, _logged(gone, -1))
                           .add_cte(gone))  # fmt: skip
        return
    connection.execute(insert(Change).from_select(CHANGE_COLUMNS, _logged(
        P.__table__, -1).where(*where)))  # fmt: skip
    connection.execute(delete(P).where(*where))


def _add(connection, statement, where: tuple) -> None:
    """Run an INSERT into the ledger whose new rows match where, logging each."""
    if connection.dialect.name == "postgresql":
        added = _returned(statement).cte("added")
        connection.execute(insert(Change).from_select(CHANGE_COLUMNS, _logged(added, +1))
                           .add_cte(added))  # fmt: skip
        return
    connection.execute(statement)
    connection.execute(insert(Change).from_select(CHANGE_COLUMNS, _logged(
        P.__table__, +1).where(*where)))  # fmt: skip


def _restaff(connection, users) -> None:
    """After a role change: the staff flag of these people's rows anew (each change logged)."""
    staff_now = select(User.role.in_(sorted(STAFF_ROLES))).where(
        User.id == P.user_id).scalar_subquery()  # fmt: skip
    rows = connection.execute(_returned(update(P).where(
        P.user_id.in_(users), P.staff != staff_now).values(staff=staff_now))).all()  # fmt: skip
    if rows:
        connection.execute(insert(Change), [
            dict(zip(CHANGE_COLUMNS, (user, kind, staff_before, process or 0, district or 0,
                                      month or "", step), strict=True))
            for user, kind, staff, process, district, month in rows
            for staff_before, step in ((not staff, -1), (staff, +1))])  # fmt: skip


def _lock_items(connection, kind: str, ids) -> None:
    """On PostgreSQL, one refresh of an item after another: a second one waiting on the first's
    deleted rows would miss the rows it added and then fail to add its own. (SQLite has one
    writer at a time anyway.)"""
    if connection.dialect.name != "postgresql":
        return
    number = _lock_number(kind)
    if isinstance(ids, list | tuple):
        item = func.unnest(literal(list(ids), ARRAY(Integer))).column_valued("item")
    else:
        item = list(ids.subquery().c)[0]
    connection.execute(select(func.pg_advisory_xact_lock(number, item)).order_by(item))


def _lock_number(kind: str) -> int:
    """The first key of the advisory locks on items of this kind (the second: the item's id)."""
    return LOCK_CLASS + sorted(_sources()).index(kind)


def _lock_fold(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(*FOLD_LOCK)))


# --- the whole city's figures (ParticipationTally, ParticipationPeople) -------------------
# fold() takes the logged changes out and adds them to the kept figures. A person counts in a
# district (process, month, in all) while they have a row there that is not staff: whether
# they did before the changes and do after them is read from the ledger and what is still
# logged, in one statement, so that changes committed meanwhile cancel out.

DIMENSIONS = ("district", "process", "month")


def _key(value) -> str:
    return "" if value in (None, 0, "") else str(value)


def _places(process, district, month) -> tuple:
    """The (dimension, value) pairs a person counts in with a row of theirs."""
    return (("all", ""), ("district", _key(district)), ("process", _key(process)),
            ("month", _key(month)))  # fmt: skip


TAKEN = ("user_id", "kind", "staff", "process_key", "district_key", "month_key", "step")


FOLD_BATCH = 20_000  # changes taken out at once (a long-unread log is folded bit by bit)


def fold(connection) -> int:
    """Fold the logged changes into the kept figures (in the caller's transaction); returns
    how many there were."""
    _lock_fold(connection)
    folded = 0
    while True:
        oldest = select(Change.id).order_by(Change.id).limit(FOLD_BATCH).scalar_subquery()
        taken = connection.execute(delete(Change).where(Change.id.in_(oldest)).returning(
            *[getattr(Change, name) for name in TAKEN])).all()  # fmt: skip
        if taken:
            _fold_taken(connection, taken)
        folded += len(taken)
        if len(taken) < FOLD_BATCH:
            return folded


def _fold_taken(connection, taken) -> None:
    tally: Counter = Counter()
    steps: dict[int, Counter] = {}  # person -> (dimension, value) -> net rows added there
    for user, kind, staff, process, district, month, step in taken:
        tally[(kind, bool(staff), process, district, month)] += step
        if not staff:
            theirs = steps.setdefault(user, Counter())
            for place in _places(process, district, month):
                theirs[place] += step
    people: Counter = Counter()
    users = sorted(steps)
    for start in range(0, len(users), 500):
        now = _rows_now(connection, users[start : start + 500])
        for user in users[start : start + 500]:
            for place, step in steps[user].items():
                after = now[(user, place)]
                people[place] += (after > 0) - (after - step > 0)
    _apply(connection, tally, people)


def _rows_now(connection, users: list[int]) -> Counter:
    """(person, place) -> their non-staff rows, as far as the folded changes go: the ledger's
    rows minus the changes still logged (committed after fold took its own), in one statement."""
    ledger = select(P.user_id, func.coalesce(P.process_id, 0), func.coalesce(P.district_id, 0),
                    func.coalesce(P.month, ""), literal(1)).where(
        P.user_id.in_(users), ~P.staff)  # fmt: skip
    logged = select(Change.user_id, Change.process_key, Change.district_key, Change.month_key,
                    -Change.step).where(Change.user_id.in_(users), ~Change.staff)  # fmt: skip
    counts: Counter = Counter()
    for user, process, district, month, n in connection.execute(union_all(ledger, logged)):
        for place in _places(process, district, month):
            counts[(user, place)] += n
    return counts


def _apply(connection, tally: Counter, people: Counter) -> None:
    """Add the differences to the kept figures: one statement for each table."""
    keys = ("kind", "staff", "process_key", "district_key", "month_key")
    _add_to(connection, Tally, "n", [dict(zip(keys, key, strict=True), n=n)
                                     for key, n in sorted(tally.items()) if n])  # fmt: skip
    _add_to(connection, People, "people", [
        {"dimension": dimension, "key": key, "people": n}
        for (dimension, key), n in sorted(people.items()) if n])  # fmt: skip


def _add_to(connection, model, column: str, rows: list[dict]) -> None:
    """column += the row's value on each row with these keys (made if missing)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(model).values(rows)
    keys = [name for name in rows[0] if name != column]
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_={
        column: getattr(model, column) + getattr(statement.excluded, column)}))  # fmt: skip


def _fresh_tally():
    return select(P.kind, P.staff, func.coalesce(P.process_id, 0), func.coalesce(P.district_id, 0),
                  func.coalesce(P.month, ""), func.count()).group_by(
        P.kind, P.staff, P.process_id, P.district_id, P.month)  # fmt: skip


def _fresh_people():
    columns = {"district": P.district_id, "process": P.process_id, "month": P.month}
    parts = [select(literal("all"), literal(""), func.count(func.distinct(P.user_id))).where(
        ~P.staff)]  # fmt: skip
    for dimension in DIMENSIONS:
        column = columns[dimension]
        parts.append(select(literal(dimension), func.coalesce(cast(column, String), ""),
                            func.count(func.distinct(P.user_id))).where(~P.staff)
                     .group_by(column))  # fmt: skip
    everything = union_all(*parts).subquery()
    return select(*everything.c)  # a plain select: SQLite cannot nest a UNION in an EXCEPT


def recount(connection) -> None:
    """Count the whole city's figures anew from the ledger (rebuild: nothing is logged)."""
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
    fold(db.session.connection())
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


def _after_flush(session: Session, flush_context) -> None:
    plans: dict[str, list] = {}
    pruned: set[str] = set()
    made: dict[str, list] = {}
    for item in session.new:
        model = type(item)
        if model in OWN:
            made.setdefault(OWN[model], []).append(item.id)
    for item in session.dirty:
        model = type(item)
        if model is User and _changed(item, {"role"}):
            _restaff(session.connection(), [item.id])
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
    for kind, ids in made.items():
        refresh(connection, kind, ids, new=True)
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
        refresh(connection, kind, ids, new=True)
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
        users = sorted(
            connection.scalars(
                select(User.id).where(state.statement.whereclause), state.parameters or {}
            )
        )
        result = state.invoke_statement()
        _restaff(connection, users)
        return result
    if model not in WATCHED:
        return None
    if state.is_update and not (_column_names(state.statement) & WATCHED[model][0]):
        return None
    where = state.statement.whereclause
    ids = list(state.session.execute(select(model.id).where(
        *([where] if where is not None else [])), state.parameters or {}).scalars())  # fmt: skip
    result = state.invoke_statement()
    if ids:
        connection = state.session.connection()
        for kind, affected in WATCHED[model][1].items():
            if kind == OWN.get(model):
                refresh(connection, kind, ids, gone=state.is_delete)
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


@click.command("reports-fold")
def fold_command() -> None:
    """Fold the logged changes into the whole city's kept figures (cron, every minute).

    The next whole-city report folds whatever is logged before it answers: after a busy day
    with no report read (140,000 supports), that one request took 6.3 s. Folded every minute
    the log stays short, and the report fast.
    """
    count = fold(db.session.connection())
    db.session.commit()
    click.echo(f"Folded {count} logged change(s) into the whole city's figures.")
