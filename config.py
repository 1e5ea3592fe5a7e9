"""Settings for Engage: class defaults, overridden by ENGAGE_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Secret keys that must never reach production: the development default and common placeholders.
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "development-only-secret-key", "secret"}

# ENGAGE_<name> → Flask setting, with the parser for its text.
_TRUE = {"1", "true", "yes", "on"}
ENV_SETTINGS: dict[str, tuple[str, Any]] = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "REDIS_URL": ("REDIS_URL", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_USE_STARTTLS": ("MAIL_USE_STARTTLS", lambda v: v.strip().lower() in _TRUE),
    "MAIL_SENDER": ("MAIL_SENDER", str),
    "PUBLIC_URL": ("PUBLIC_URL", str),
    "COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v.strip().lower() in _TRUE),
    "LOGIN_FAILURE_LIMIT": ("LOGIN_FAILURE_LIMIT", str),
    "LOGIN_FAILURE_LIMIT_PER_IP": ("LOGIN_FAILURE_LIMIT_PER_IP", str),
    "WRITE_LIMIT": ("WRITE_LIMIT", str),
    "PAGE_CACHE": ("PAGE_CACHE", lambda v: v.strip().lower() in _TRUE),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", lambda v: v.strip().lower() in _TRUE),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
}


def env_overrides(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read the ENGAGE_* variables that are set, at call time (not import time)."""
    environ = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    for name, (key, parse) in ENV_SETTINGS.items():
        value = environ.get(f"ENGAGE_{name}")
        if value not in (None, ""):
            found[key] = parse(value)
    if "SESSION_COOKIE_SECURE" in found:
        found["REMEMBER_COOKIE_SECURE"] = found["SESSION_COOKIE_SECURE"]
    return found


class Config:
    """Production defaults; the subclasses relax them for development and tests."""

    ENV_NAME = "production"
    SECRET_KEY = ""
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'engage.db'}"
    # No pool_pre_ping: engage/core/liveness.py checks a pooled connection without a query.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = None
    # Whole pages for visitors without a session, cached in Redis (only when REDIS_URL is set).
    PAGE_CACHE = True
    # How many reverse proxies in front of the app may set X-Forwarded-For/-Proto/-Host;
    # 0 trusts none, so a client cannot forge its address for the rate limits.
    TRUSTED_PROXIES = 0

    # Mail: every message goes through the outbox; without a server it is only logged.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_STARTTLS = False
    MAIL_SENDER = "Engage <noreply@engage.invalid>"
    MAIL_LOG = False
    MAIL_MAX_ATTEMPTS = 8

    # Public address used in links inside e-mails sent outside a request (CLI jobs).
    PUBLIC_URL = "http://127.0.0.1:5000"

    # Shown until an admin stores the municipality's own data in /admin/settings.
    SITE_NAME = "Musterstadt"
    CONTACT_EMAIL = "beteiligung@musterstadt.example"
    ACCESSIBILITY_EMAIL = "barrierefreiheit@musterstadt.example"
    IMPRINT_ADDRESS = "Rathausplatz 1, 12345 Musterstadt"
    IMPRINT_RESPONSIBLE = "Die Oberbürgermeisterin der Stadt Musterstadt"

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    HSTS = True
    WTF_CSRF_TIME_LIMIT = 4 * 3600

    PASSWORD_HASH_METHOD = "scrypt"
    VERIFY_TOKEN_MAX_AGE = 7 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Per account: guessing one password is slow. Per address: generous, because a town hall
    # or library shares one address among many people.
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"
    LOGIN_FAILURE_LIMIT_PER_IP = "50 per 15 minutes"
    WRITE_LIMIT = "30 per minute"
    MAX_CONTENT_LENGTH = 1024 * 1024


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = "development-only-secret-key"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS = False
    MAIL_LOG = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS = False
    MAIL_SERVER = None
    WRITE_LIMIT = "1000 per minute"
    # A cheap hash keeps the suite fast; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    PUBLIC_URL = "http://localhost"


CONFIGS: dict[str, type[Config]] = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    """Return the settings class for ENGAGE_ENV (production unless told otherwise)."""
    name = (env_name or os.environ.get("ENGAGE_ENV") or "production").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"ENGAGE_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
