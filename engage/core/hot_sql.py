"""The few statements of every support and logged-in page view, run on psycopg's cursor.

SQLAlchemy's execution path costs more CPU than the statement itself: for a support's locked
read of one row, 119 µs per execution against 42 µs on a psycopg cursor (a new cursor whose
`description` builds a column object per column, the execution context, the result object;
measured in-process on 2026-12-07). A support runs two such statements and a logged-in
proposal page one, on every request. So on PostgreSQL these statements are compiled once into
their SQL with the bind and result processors of their types, and run on the DBAPI connection
of the SQLAlchemy connection they are given, in its transaction. What the rest of the
application relies on stays: the engine's `before_cursor_execute` and `after_cursor_execute`
listeners see each statement with its Connection (the write detector of core/transactions.py,
the statement counters of the tests), and a driver error is raised as SQLAlchemy's DBAPIError.
On any other database they run through SQLAlchemy as usual.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection


class HotStatement:
    """A SQLAlchemy statement with its compiled SQL and processors, per dialect."""

    def __init__(self, statement) -> None:
        # Checked here, on every database: SQLAlchemy renders an expanding list (IN with a
        # Python list) anew at each execution, which a once compiled SQL cannot do.
        if statement.compile().post_compile_params:
            raise ValueError("a hot statement takes no expanding IN lists: write [literal(x), …]")
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def compiled(self, dialect) -> tuple:
        """(compiled, [(bind name, processor)], [result processor]) for the dialect, made once."""
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return found


def _compile(statement, dialect) -> tuple:
    compiled = statement.compile(dialect=dialect)
    if compiled.positional or compiled.post_compile_params or compiled.literal_execute_params:
        raise ValueError("a hot statement takes named parameters, none rendered at execution")
    # (compiled.binds also holds anonymous parameters under their unrendered keys.)
    types = {name: bind.type for bind, name in compiled.bind_names.items()}
    binds = [(name, type_.dialect_impl(dialect).bind_processor(dialect))
             for name, type_ in types.items()]  # fmt: skip
    results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
               for column in statement.exported_columns]  # fmt: skip
    return compiled, binds, results


def run(connection: Connection, hot: HotStatement, params: dict[str, Any]) -> list[tuple]:
    """The statement's rows (as tuples), run on the connection, in its transaction."""
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return [tuple(row) for row in connection.execute(hot.statement, params)]
    compiled, binds, results = hot.compiled(dialect)
    sql, given = compiled.string, compiled.construct_params(params)  # (with the literal values)
    values = {name: (process(given[name]) if process else given[name])
              for name, process in binds}  # fmt: skip
    dispatch = connection.dispatch
    with connection.connection.dbapi_connection.cursor() as cursor:
        dispatch.before_cursor_execute(connection, cursor, sql, values, None, False)
        try:
            cursor.execute(sql, values)
            rows = cursor.fetchall() if cursor.description is not None else []
        except dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                          dialect=dialect) from error  # fmt: skip
        dispatch.after_cursor_execute(connection, cursor, sql, values, None, False)
    if not any(results):
        return rows
    return [tuple(process(value) if process else value
                  for process, value in zip(results, row, strict=True))
            for row in rows]  # fmt: skip
