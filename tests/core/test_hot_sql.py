"""Hot statements run on psycopg's cursor give what SQLAlchemy gives, and stay visible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Integer, String, bindparam, cast, event, exc, func, insert, literal, select

from engage.core import hot_sql
from engage.core.hot_sql import HotStatement
from engage.core.types import UTCDateTime
from engage.extensions import db
from engage.organisation.models import District
from engage.proposals.models import Support


@pytest.fixture
def seen(app):
    """(Connection, cursor, SQL) of each statement the engine's listeners are shown."""
    statements: list[tuple] = []

    def note(*args):
        statements.append(args[:3])

    event.listen(db.engine, "before_cursor_execute", note)
    yield statements
    event.remove(db.engine, "before_cursor_execute", note)


def test_a_hot_statement_returns_what_sqlalchemy_returns(app, town, seen):
    db.session.add(District(name="Südstadt"))
    db.session.flush()
    statement = select(District.name, func.count(), bindparam("when", type_=UTCDateTime())).where(
        District.name != "nirgendwo", District.name.like(bindparam("start") + "%")
    ).group_by(District.name).order_by(District.name)  # fmt: skip
    # A moment in another zone goes in as UTC and comes back in UTC (the type's processors).
    moment = datetime(2026, 12, 7, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    params = {"start": "S", "when": moment}
    expected = [tuple(row) for row in db.session.connection().execute(statement, params)]
    seen.clear()
    rows = hot_sql.run(db.session.connection(), HotStatement(statement), params)
    assert rows == expected and ("Südstadt", 1, moment) in rows
    assert all(row[2].tzinfo == UTC for row in rows)
    # The engine's listeners saw it, with its Connection.
    [(connection, _cursor, sql)] = seen
    assert connection is db.session.connection() and "district" in sql


def test_a_driver_error_is_raised_as_sqlalchemys(app, town, make_user):
    user = make_user()
    again = HotStatement(insert(Support).values(proposal_id=bindparam("p"), user_id=user.id))
    with pytest.raises(exc.IntegrityError):  # (no proposal 999999: the foreign key refuses)
        hot_sql.run(db.session.connection(), again, {"p": 999_999})
    db.session.rollback()


def test_an_expanding_list_is_refused_on_every_database(app):
    with pytest.raises(ValueError, match="expanding"):
        HotStatement(select(District.id).where(District.name.in_(["a", "b"])))
    listed = HotStatement(select(District.id).where(District.name.in_([literal("a")])))
    assert hot_sql.run(db.session.connection(), listed, {}) == []
    db.session.rollback()


def test_a_read_alone_that_fails_leaves_the_pool_usable(app, town):
    from engage.core.transactions import read_alone

    db.session.commit()
    db.session.close()
    impossible = HotStatement(select(cast(bindparam("text", type_=String), Integer)))
    if db.engine.dialect.name == "postgresql":  # (SQLite casts anything to a number)
        with pytest.raises(exc.DataError):  # (not a number: the driver's error as SQLAlchemy's)
            read_alone(impossible, {"text": "zwölf"})
    districts = HotStatement(select(func.count(District.id)))
    [(count,)] = read_alone(districts, {})
    # The pool's next user gets a connection out of autocommit: its write is rolled back.
    db.session.add(District(name="Vorübergehend"))
    db.session.flush()
    db.session.rollback()
    assert read_alone(districts, {}) == [(count,)]
