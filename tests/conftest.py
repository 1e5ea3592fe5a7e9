"""Fixtures: a migrated template database, a fresh copy per test, clients, users, mail."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, select, text

from engage import create_app
from engage.extensions import db

PG_URL = os.environ.get("ENGAGE_TEST_DATABASE_URL")
if PG_URL and PG_URL.startswith("postgresql://"):
    PG_URL = "postgresql+psycopg://" + PG_URL.split("://", 1)[1]

TEST_PASSWORD = "correct horse battery"


def _migrate(url: str) -> None:
    """Build the schema with the Alembic migrations, as production does."""
    from flask_migrate import upgrade

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the catalogue, so that a run never tests stale translations."""
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(
        ["pybabel", "--quiet", "compile", "-d", str(ROOT / "engage/translations")]
    )


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> str:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


# Rows that migrations seed: reset instead of emptied, so each test starts as after upgrade.
SEEDED_TABLES = {
    "alembic_version": None,
    "audit_head": "UPDATE audit_head SET length = 0, last_hash = repeat('0', 64)",
}


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables if name not in SEEDED_TABLES)
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for reset in filter(None, SEEDED_TABLES.values()):
            conn.execute(text(reset))
    engine.dispose()


@pytest.fixture
def database_url(template_database, tmp_path) -> str:
    """A fresh database for each test: a copy of the template, or truncated tables."""
    if PG_URL:
        _truncate_all(PG_URL)
        return PG_URL
    target = tmp_path / "test.db"
    shutil.copyfile(template_database, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config(database_url) -> dict:
    """Settings of the app under test; tests may change them before `app` is built."""
    return {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": "localhost",
    }


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (fresh g and database session), as in production,
    and its response is closed after sending, as a WSGI server does.

    Without this, requests would reuse the test's app context and share g: the cached user of
    Flask-Login and the cached locale of Flask-Babel would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # A real server closes the response once it is sent; that runs call_on_close work.
        response.make_sequence()
        response.close()
        return response


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Factory: make_user(role="staff", verified=True, **fields) → a committed User."""
    from engage.accounts import services
    from engage.accounts.models import Role

    counter = {"n": 0}

    def factory(role: str = "citizen", verified: bool = True, email: str | None = None,
                password: str = TEST_PASSWORD, **fields):  # fmt: skip
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.org"
        user = services.create_user(
            email, password, Role(role), display_name=fields.pop("display_name", None),
            verified=verified,
        )  # fmt: skip
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return factory


class AuthActions:
    """Log in and out through the real forms (CSRF off only where a test says so)."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD, follow: bool = False):
        page = self.client.get("/auth/login")
        return self.client.post(
            "/auth/login",
            data={"email": email, "password": password, "csrf_token": csrf_from(page)},
            follow_redirects=follow,
        )

    def logout(self):
        page = self.client.get("/")
        return self.client.post("/auth/logout", data={"csrf_token": csrf_from(page)})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')  # fmt: skip


def csrf_from(response) -> str:
    """Read the CSRF token from a rendered page, as a browser would send it back."""
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def post_form(client, page_url: str, action: str | None = None, **data):
    """GET a page, then POST a form to it (or to action) with the page's CSRF token.

    Fields of prefixed forms are given as prefix__name (pw__password → "pw-password").
    """
    page = client.get(page_url)
    token = csrf_from(page)
    fields = {name.replace("__", "-"): value for name, value in data.items()}
    prefixes = {name.split("-")[0] for name in fields if "-" in name}
    tokens = {f"{prefix}-csrf_token": token for prefix in prefixes}
    return client.post(action or page_url, data={"csrf_token": token, **tokens, **fields})


@pytest.fixture
def outbox(app):
    """Read the mail outbox: outbox() → messages in order; outbox.clear() empties it."""
    from engage.core.mail import OutboxMessage

    class Outbox:
        def __call__(self):
            db.session.expire_all()
            return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()

        def clear(self):
            db.session.execute(delete(OutboxMessage))
            db.session.commit()

        def last_link(self, to: str | None = None) -> str:
            messages = [m for m in self() if to is None or m.recipient == to]
            assert messages, f"no mail to {to}"
            match = re.search(r"https?://\S+", messages[-1].body)
            assert match, "mail has no link"
            return match.group(0)

    return Outbox()


def path_of(url: str) -> str:
    """The path part of an absolute link from a mail, for the test client."""
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture(autouse=True)
def _no_leaked_env(monkeypatch):
    # Tests must not pick up a developer's ENGAGE_* settings (other than the test database).
    for name in list(os.environ):
        if name.startswith("ENGAGE_") and name not in {
            "ENGAGE_TEST_DATABASE_URL",
            "ENGAGE_REQUIRE_BROWSER",
            "ENGAGE_TEST_REDIS_URL",
        }:
            monkeypatch.delenv(name)


ROOT = Path(__file__).resolve().parent.parent


TEST_REDIS_URL = os.environ.get("ENGAGE_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(
    not TEST_REDIS_URL, reason="ENGAGE_TEST_REDIS_URL is not set (CI sets it)"
)


def with_empty_redis(app_config: dict) -> dict:
    """The app's settings with the test's own Redis database, emptied, and no kept fragments."""
    import redis

    from engage.core import fragments

    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    fragments.clear_all()
    return {**app_config, "REDIS_URL": TEST_REDIS_URL}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _SmtpCollector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        self.messages.append(envelope)
        return "250 OK"

    def bodies_to(self, address: str) -> list[str]:
        """The decoded text of every message to the address, as a mail client shows it."""
        return [
            email.message_from_bytes(m.content, policy=email.policy.default).get_content()
            for m in self.messages
            if address in m.rcpt_tos
        ]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; .messages holds what it received."""
    from aiosmtpd.controller import Controller

    handler = _SmtpCollector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def town(app, make_user):
    """A small city: two departments, a process in its dialogue phase, one voting, people."""
    from datetime import timedelta

    from engage.core.types import local_today
    from engage.organisation.models import Department, District
    from engage.processes import services as processes
    from engage.processes.models import PhaseKind

    umwelt, verkehr = Department(name="Umwelt"), Department(name="Verkehr")
    nord = District(name="Nordviertel")
    db.session.add_all([umwelt, verkehr, nord])
    db.session.commit()
    admin = make_user("admin", email="admin@example.org")
    today = local_today()

    def process(title, phase):
        p = processes.create_process(
            admin,
            processes.ProcessData(
                title=title, summary="x", body="", department_id=umwelt.id, district_id=nord.id,
                support_threshold=5, answer_deadline_days=10,
                phases=[processes.PhaseDates(phase, today - timedelta(days=1),
                                             today + timedelta(days=9))],
            ),
        )  # fmt: skip
        processes.publish_process(p, admin)
        return p

    dialogue = process("Grün im Norden", PhaseKind.DIALOGUE)
    voting = process("Abstimmung Radwege", PhaseKind.VOTING)
    db.session.commit()
    return {
        "admin": admin,
        "dialogue": dialogue,
        "voting": voting,
        "nord": nord,
        "staff": make_user("staff", email="umwelt@example.org", department_id=umwelt.id,
                           display_name="Ulla Umwelt"),
        "other": make_user("staff", email="verkehr@example.org", department_id=verkehr.id),
        "citizen": make_user("citizen", email="buerger@example.org", display_name="Bernd"),
        "neighbour": make_user("citizen", email="nachbar@example.org", display_name="Nina"),
        "unverified": make_user("citizen", email="neu@example.org", verified=False),
    }  # fmt: skip
