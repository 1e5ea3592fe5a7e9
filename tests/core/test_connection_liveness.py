"""A pooled PostgreSQL connection that the server ended is replaced before a request uses it."""

from __future__ import annotations

import time

import psycopg
import pytest

from engage.core import liveness
from engage.extensions import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (ENGAGE_TEST_DATABASE_URL)")


def _end_pooled_connections() -> None:
    """What a server restart or pg_terminate_backend does to every idle pooled connection."""
    dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for _ in range(100):  # the backends end shortly after they are told to
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if not left:
                return
            time.sleep(0.02)


def test_a_page_after_the_server_ended_the_pooled_connection_still_loads(app, client, town):
    assert client.get("/proposals").status_code == 200  # the pool now holds a connection
    _end_pooled_connections()
    assert client.get("/proposals").status_code == 200
    assert client.get("/processes").status_code == 200


def test_a_live_pooled_connection_is_used_without_a_ping_query(app, client, town, monkeypatch):
    assert client.get("/proposals").status_code == 200  # the pool now holds a connection
    pings: list[object] = []
    ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(conn) or ping(conn))
    assert client.get("/processes").status_code == 200
    assert client.get("/proposals").status_code == 200
    assert pings == []


def test_an_idle_connection_with_nothing_to_read_counts_as_alive(app):
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert liveness.was_ended(raw) is False
    _end_pooled_connections()
    assert liveness.was_ended(raw) is True
