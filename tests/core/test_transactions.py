"""Requests that only read end with COMMIT (psycopg keeps its prepared statements); anything
that wrote without committing is still rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import Engine

from engage.extensions import db
from engage.organisation.models import District


@pytest.fixture
def endings():
    """The ways transactions ended, in order ("commit" or "rollback")."""
    seen: list[str] = []

    def on_commit(conn):
        seen.append("commit")

    def on_rollback(conn):
        seen.append("rollback")

    event.listen(Engine, "commit", on_commit)
    event.listen(Engine, "rollback", on_rollback)
    yield seen
    event.remove(Engine, "commit", on_commit)
    event.remove(Engine, "rollback", on_rollback)


def _districts() -> int:
    return db.session.scalar(select(func.count()).select_from(District))


def test_a_page_that_only_reads_commits(client, town, endings):
    assert client.get("/proposals").status_code == 200
    assert endings == ["commit"]


def test_a_flushed_change_that_was_not_committed_is_rolled_back(app, town, endings):
    before = _districts()
    with app.app_context():  # a request's own context
        db.session.add(District(name="Neustadt"))
        db.session.flush()
    assert endings == ["rollback"]
    assert _districts() == before


def test_a_statement_that_wrote_outside_the_orm_is_rolled_back(app, town, endings):
    before = _districts()
    with app.app_context():
        db.session.connection().execute(insert(District).values(name="Altstadt"))
    assert endings == ["rollback"]
    assert _districts() == before


def test_an_error_ends_with_rollback(app, town, endings):
    with pytest.raises(RuntimeError), app.app_context():
        db.session.execute(select(1))
        raise RuntimeError("the view failed")
    assert endings == ["rollback"]


def _isolation_of_each_statement(engine) -> list[str | None]:
    seen: list[str | None] = []

    def note(conn, cursor, statement, *args):
        seen.append(conn.get_execution_options().get("isolation_level"))

    event.listen(engine, "before_cursor_execute", note)
    return seen


def test_a_read_alone_runs_in_autocommit_while_the_request_has_no_transaction(app, town):
    from engage.core.hot_sql import HotStatement
    from engage.core.transactions import read_alone

    db.session.commit()
    db.session.close()
    seen = _isolation_of_each_statement(db.engine)
    districts = HotStatement(select(func.count()).select_from(District))
    [(count,)] = read_alone(districts, {})
    assert count == _districts() - 0
    assert seen[0] == "AUTOCOMMIT"
    # Once the request holds a transaction, the read runs in it and sees its own writes.
    db.session.add(District(name="Neustadt"))
    db.session.flush()
    [(with_new,)] = read_alone(districts, {})
    assert with_new == count + 1
    assert seen[-1] is None  # (the session's connection, not the autocommit one)
    db.session.rollback()
