"""Backup and restore round trips: SQLite online backup, PostgreSQL pg_dump/pg_restore."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.engine import make_url

from engage import create_app
from engage.core import audit
from engage.extensions import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def snapshot(engine) -> dict[str, str]:
    """A fingerprint of every table's rows."""
    prints = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            prints[table.name] = (
                f"{len(rows)}:" + hashlib.sha256("\n".join(rows).encode()).hexdigest()
            )
    return prints


def damage() -> None:
    """Change and delete data, as a mistake or an attack would."""
    from engage.accounts.models import User
    from engage.proposals.models import Support

    db.session.execute(delete(Support))
    db.session.execute(update(User).values(display_name="weg"))
    db.session.commit()


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite round trip needs an SQLite database")
def test_sqlite_backup_and_restore_round_trip(app, runner, tmp_path):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = snapshot(db.engine)
    path = tmp_path / "engage.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code != 0 and "--force" in again.output

    damage()
    assert snapshot(db.engine) != before
    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0 and "--force" in refused.output
    result = runner.invoke(args=["restore", str(path), "--force"])
    assert result.exit_code == 0, result.output
    assert snapshot(db.engine) == before
    assert audit.verify_chain().ok


@pytest.mark.skipif(bool(PG_URL), reason="validates SQLite files")
def test_restore_refuses_files_that_are_not_engage_databases(app, runner, tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("kein Backup")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE something (id INTEGER)")
    for path, message in [(text_file, "not an SQLite database"),
                          (other, "not an Engage database"),
                          (tmp_path / "missing.db", "does not exist")]:  # fmt: skip
        result = runner.invoke(args=["restore", str(path), "--force"])
        assert result.exit_code != 0 and message in result.output, result.output


@pytest.mark.skipif(not PG_URL, reason="needs ENGAGE_TEST_DATABASE_URL (PostgreSQL)")
def test_postgresql_backup_and_restore_round_trip(app, runner, tmp_path):
    url = make_url(PG_URL)
    scratch = url.set(database=f"{url.database}_restore")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}"'))
        conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    other = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI":
                        scratch.render_as_string(hide_password=False)})  # fmt: skip
    try:
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        before = snapshot(db.engine)
        path = tmp_path / "engage.dump"
        result = runner.invoke(args=["backup", str(path)])
        assert result.exit_code == 0, result.output
        restorer = other.test_cli_runner()
        with other.app_context():  # the CLI runs in the active app context
            result = restorer.invoke(args=["restore", str(path)])
            assert result.exit_code == 0, result.output
            assert snapshot(db.engine) == before
            damage()
            refused = restorer.invoke(args=["restore", str(path)])
            assert refused.exit_code != 0 and "--force" in refused.output
            result = restorer.invoke(args=["restore", str(path), "--force"])
            assert result.exit_code == 0, result.output
            assert snapshot(db.engine) == before
            assert audit.verify_chain().ok
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.skipif(bool(PG_URL), reason="the SQLite online backup")
def test_sqlite_backup_while_the_app_writes_is_consistent(app, runner, tmp_path):
    import threading

    from engage.backup import validate
    from engage.organisation.models import Department

    stop, written = threading.Event(), []

    def writer():
        with app.app_context():
            while not stop.is_set():
                db.session.add(Department(name=f"Amt {len(written)}"))
                db.session.commit()
                written.append(1)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        paths = [tmp_path / f"b{n}.db" for n in range(3)]
        for path in paths:
            result = runner.invoke(args=["backup", str(path)])
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        thread.join()
    assert written
    for path in paths:
        validate(path, db.engine.url)  # passes PRAGMA quick_check, has Engage's tables
        with sqlite3.connect(path) as conn:
            names = [n for (n,) in conn.execute("SELECT name FROM department ORDER BY id")]
        assert names == [f"Amt {n}" for n in range(len(names))]  # a prefix: no torn writes
