"""Engage: a citizen-engagement platform for German municipalities."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import INSECURE_SECRET_KEYS, config_for, env_overrides
from engage.core.types import MAX_ID

ROOT = Path(__file__).resolve().parent.parent


class _DatabaseInteger(IntegerConverter):
    """<int:…> up to the largest id the database holds (2³¹ − 1): a larger number in an
    address matches no route (404) instead of reaching a query that PostgreSQL refuses (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def create_app(config: dict[str, Any] | str | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error pages and commands.

    ``config`` is a dict of settings (which may name ENV_NAME) or the name of an environment.
    """
    overrides = config if isinstance(config, dict) else {}
    env_name = config if isinstance(config, str) else overrides.get("ENV_NAME")
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Before any route is added: every <int:…> in a path is a row id or a page number.
    app.url_map.converters["int"] = _DatabaseInteger
    app.config.from_object(config_for(env_name))
    app.config.update(env_overrides())
    app.config.update(overrides)
    _check_settings(app)
    _prepare_database_settings(app)

    from engage import errors, hooks, i18n, security
    from engage.cli import register_cli
    from engage.core import cookie_sessions, fragments, liveness, pagecache, transactions
    from engage.extensions import babel, csrf, db, limiter, login_manager, migrate
    from engage.search.index import include_object

    app.session_interface = cookie_sessions.KeptCookieSessionInterface()
    db.init_app(app)
    transactions.init_app(app)  # after db: its teardown runs before the session's removal
    liveness.init_app()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     include_object=include_object)  # fmt: skip
    csrf.init_app(app)
    app.before_request(fragments.reuse_signed_token)  # (a session's token signed once a minute)
    app.after_request(fragments.keep_signed_token)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    _configure_limiter(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from engage.accounts import account_views, auth_views, register_privacy
    from engage.accounts.session import configure_login
    from engage.admin import views as admin_views
    from engage.api import init_app as init_api
    from engage.api import views as api_views
    from engage.boards import dialogue_views
    from engage.boards import register_privacy as register_board_privacy
    from engage.boards import views as board_views
    from engage.main import views as main_views
    from engage.moderation import views as moderation_views
    from engage.notifications import register_privacy as register_notification_privacy
    from engage.notifications import views as notification_views
    from engage.processes import manage_views as process_manage_views
    from engage.processes import views as process_views
    from engage.proposals import register_privacy as register_proposal_privacy
    from engage.proposals import views as proposal_views
    from engage.reports import views as report_views
    from engage.search import init_app as init_search
    from engage.search import views as search_views
    from engage.volunteering import manage_views  # noqa: F401 (adds the staff routes)
    from engage.volunteering import register_privacy as register_volunteering_privacy
    from engage.volunteering import views as volunteering_views

    configure_login(login_manager)
    register_privacy()
    register_board_privacy()
    register_notification_privacy()
    register_proposal_privacy()
    register_volunteering_privacy()
    for blueprint in (
        main_views.bp,
        auth_views.bp,
        account_views.bp,
        process_views.bp,
        process_manage_views.bp,
        board_views.bp,
        dialogue_views.bp,
        notification_views.bp,
        proposal_views.bp,
        volunteering_views.bp,
        admin_views.bp,
        moderation_views.bp,
        report_views.bp,
        api_views.bp,
        search_views.bp,
    ):
        app.register_blueprint(blueprint)

    i18n.init_app(app)
    security.init_app(app)
    pagecache.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    hooks.init_app(app)
    errors.init_app(app)
    init_api(app)
    init_search(app)
    register_cli(app)
    if app.config["ENV_NAME"] == "development":
        logging.basicConfig(level=logging.INFO)
    return app


def _check_settings(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and (
        app.config["SECRET_KEY"] in INSECURE_SECRET_KEYS or len(app.config["SECRET_KEY"]) < 16
    ):
        raise RuntimeError(
            "ENGAGE_SECRET_KEY must be set to a long random value in production "
            '(for example: python -c "import secrets; print(secrets.token_hex(32))").'
        )


def _prepare_database_settings(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
        uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
        app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_limiter(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_DEFAULT", app.config["WRITE_LIMIT"])
    app.config.setdefault("RATELIMIT_DEFAULTS_PER_METHOD", True)
    # A Redis outage must not turn every write into a 500: fall back to per-process memory.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
