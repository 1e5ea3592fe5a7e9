"""Flask's signed-cookie sessions, with what each worker has verified kept for a minute.

Every logged-in request sends the same session cookie until the session changes. Checking its
signature and decoding its JSON cost about a tenth of a kept page, so each worker keeps the
decoded contents of the cookies it verified lately, by the cookie's exact text: the same text
has the same signature and contents. A cookie still expires when its signed timestamp is older
than the session lifetime, and each request gets its own copy of the contents.
"""

from __future__ import annotations

import copy
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

KEPT_SECONDS = 60
MAX_KEPT = 20_000


class KeptCookieSessionInterface(SecureCookieSessionInterface):
    """SecureCookieSessionInterface that verifies a cookie once a minute per worker."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}
        self._kept: dict[str, tuple[dict, float, float]] = {}

    def get_signing_serializer(self, app: Flask):
        # (Flask builds a new serializer twice a request; the keys are what it depends on.)
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        now = time.monotonic()
        kept = self._kept.get(value)
        if kept is not None:
            data, signed_at, verified_at = kept
            if now - verified_at < KEPT_SECONDS and time.time() - signed_at <= max_age:
                return self.session_class(_copied(data))
        try:
            data, signed_at = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(self._kept) >= MAX_KEPT:
            self._kept.clear()
        self._kept[value] = (_copied(data), signed_at.timestamp(), now)
        return self.session_class(data)


_ATOMS = (str, int, float, bool, type(None))


def _copied(data: dict) -> dict:
    """A copy the request may change without changing what is kept: a shallow one when every
    value is a string, number or None (a logged-in session's are), which deepcopy also copied
    value by value."""
    if all(type(value) in _ATOMS for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)
