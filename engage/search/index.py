"""The search index: one row of plain text per searchable item, kept current on every flush.

The index lives outside the SQLAlchemy metadata (an FTS5 virtual table on SQLite, a table with a
generated German tsvector on PostgreSQL; see the migrations), so it is written with plain SQL.
Each text is also indexed folded (fold(): "Bäume" as "Baeume", "Straße" as "Strasse"), so that
words typed without umlauts or ß find it: in two more FTS5 columns on SQLite, in the same
tsvector on PostgreSQL (folded in SQL there, by the same table of letters).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engage.boards.dialogue_models import Comment, Thread
from engage.boards.models import Announcement
from engage.core.sanitize import readable_text
from engage.processes.models import Process
from engage.proposals.models import Proposal
from engage.volunteering.models import ServiceOffer

# Private-use characters that mark matches in snippets; stripped from every indexed text.
START, STOP = "\ue000", "\ue001"
# kind → model, the code that makes a unique FTS5 rowid, and the columns whose text is indexed.
KINDS: dict[str, tuple[type, int, tuple[str, ...]]] = {
    "announcement": (Announcement, 1, ("title", "body")),
    "thread": (Thread, 2, ("title", "body", "deleted_at")),
    "reply": (Comment, 3, ("body", "deleted_at")),
    "proposal": (Proposal, 4, ("title", "problem", "idea", "intended_outcome", "indicator",
                               "official_response")),
    "offer": (ServiceOffer, 5, ("title", "description", "requirements", "place")),
    "process": (Process, 6, ("title", "summary", "body")),
}  # fmt: skip
KIND_OF = {model: kind for kind, (model, _code, _fields) in KINDS.items()}
# How German is written without umlauts and ß (old keyboards, phones, web addresses). The
# migration 54fac39bf1a4 folds the same letters in SQL: change both together, and reindex.
FOLDED_LETTERS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss",
                  "ẞ": "SS"}  # fmt: skip
_FOLD = str.maketrans(FOLDED_LETTERS)


def fold(value: str) -> str:
    """The text with ä, ö, ü and ß written as ae, oe, ue and ss."""
    return value.translate(_FOLD)


def clean(value: str | None) -> str:
    """Text as shown on a page (titles are plain text): single spaces, no match markers."""
    return " ".join((value or "").replace(START, "").replace(STOP, "").split())


def plain(*sources: str | None) -> str:
    """The readable text of user Markdown (sanitize.readable_text), for the index."""
    return clean(" ".join(readable_text(source) for source in sources))


def document(item) -> tuple[str, str] | None:
    """(title, body) to index for an item, or None when it has no text (deleted)."""
    if getattr(item, "deleted_at", None) is not None:
        return None
    if isinstance(item, Proposal):
        body = plain(item.problem, item.idea, item.intended_outcome, item.indicator,
                     item.official_response)  # fmt: skip
    elif isinstance(item, ServiceOffer):
        body = plain(item.description, item.requirements, item.place)
    elif isinstance(item, Process):
        body = plain(item.summary, item.body)
    else:
        body = plain(item.body)
    title = "" if isinstance(item, Comment) else clean(item.title)
    return title, body


def _rowid(kind: str, item_id: int) -> int:
    return item_id * 8 + KINDS[kind][1]


def remove(connection: Connection, kind: str, item_id: int) -> None:
    connection.execute(
        text("DELETE FROM search_index WHERE kind = :kind AND item_id = :item_id")
        if connection.dialect.name == "postgresql"
        else text("DELETE FROM search_index WHERE rowid = :rowid"),
        {"kind": kind, "item_id": item_id, "rowid": _rowid(kind, item_id)},
    )


def reindex(connection: Connection, item) -> bool:
    """Write one item's current text into the index (or take it out when it has none)."""
    kind = KIND_OF[type(item)]
    remove(connection, kind, item.id)
    found = document(item)
    if found is None:
        return False
    title, body = found
    values = {"kind": kind, "item_id": item.id, "title": title, "body": body}
    if connection.dialect.name == "postgresql":
        statement = "INSERT INTO search_index (kind, item_id, title, body) "
        statement += "VALUES (:kind, :item_id, :title, :body)"
    else:  # (PostgreSQL folds in the generated column)
        statement = "INSERT INTO search_index (rowid, kind, item_id, title, body, title_folded, "
        statement += "body_folded) VALUES (:rowid, :kind, :item_id, :title, :body, :title_folded, "
        statement += ":body_folded)"
        values.update(rowid=_rowid(kind, item.id), title_folded=fold(title), body_folded=fold(body))
    connection.execute(text(statement), values)
    return True


def _text_changed(item) -> bool:
    fields = KINDS[KIND_OF[type(item)]][2]
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _after_flush(session: Session, flush_context) -> None:
    """Index what this flush created or changed, and drop what it deleted."""
    changed = [item for item in session.new if type(item) in KIND_OF]
    changed += [item for item in session.dirty if type(item) in KIND_OF and _text_changed(item)]
    deleted = [item for item in session.deleted if type(item) in KIND_OF]
    if not (changed or deleted):
        return
    connection = session.connection()
    for item in changed:
        reindex(connection, item)
    for item in deleted:
        remove(connection, KIND_OF[type(item)], item.id)


def listen() -> None:
    """Keep the index current from every ORM session (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def rebuild(session: Session) -> int:
    """Empty the index and write every item anew; returns how many items were indexed."""
    connection = session.connection()
    connection.execute(text("DELETE FROM search_index"))
    count = 0
    for model, _code, _fields in KINDS.values():
        for item in _all(session, model):
            count += reindex(connection, item)
    return count


def _all(session: Session, model) -> Iterable:
    return session.scalars(select(model).order_by(model.id).execution_options(yield_per=500))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Keep the index (and FTS5's shadow tables) out of Alembic's model comparison."""
    return not (type_ == "table" and name and name.startswith("search_index"))
