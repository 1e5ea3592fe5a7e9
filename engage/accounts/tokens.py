"""Signed, expiring tokens for e-mail verification and password reset."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_SALT = "engage.verify-email"
RESET_SALT = "engage.reset-password"
INVITE_SALT = "engage.invitation"
INVITE_MAX_AGE = 14 * 24 * 3600


class TokenExpired(Exception):
    """The token was genuine but is too old."""


class TokenInvalid(Exception):
    """The token was tampered with, malformed or already used."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    # A short digest binds a token to state that changes once the token is used.
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_verify_token(user_id: int, email: str) -> str:
    """Token confirming that the user controls this address."""
    return _serializer(VERIFY_SALT).dumps({"u": user_id, "e": email})


def read_verify_token(token: str) -> tuple[int, str]:
    """Return (user id, e-mail) or raise TokenExpired / TokenInvalid."""
    data = _load(VERIFY_SALT, token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    return int(data["u"]), str(data["e"])


def make_reset_token(user_id: int, password_hash: str) -> str:
    """Token for a password reset, valid until the password changes (single use)."""
    return _serializer(RESET_SALT).dumps({"u": user_id, "p": _fingerprint(password_hash)})


def read_reset_token(token: str, password_hash_of) -> int:
    """Return the user id; password_hash_of(user_id) gives the current hash to check single use."""
    return _read_single_use(RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE"],
                            password_hash_of)  # fmt: skip


def make_invite_token(user_id: int, password_hash: str) -> str:
    """Token with which an invited person sets the first password (valid until then)."""
    return _serializer(INVITE_SALT).dumps({"u": user_id, "p": _fingerprint(password_hash)})


def read_invite_token(token: str, password_hash_of) -> int:
    return _read_single_use(INVITE_SALT, token, INVITE_MAX_AGE, password_hash_of)


def _read_single_use(salt: str, token: str, max_age: int, password_hash_of) -> int:
    """A token bound to the password hash: setting a password uses it up."""
    data = _load(salt, token, max_age)
    user_id = int(data["u"])
    current_hash = password_hash_of(user_id)
    if current_hash is None or _fingerprint(current_hash) != data.get("p"):
        raise TokenInvalid("already used")
    return user_id


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(data, dict) or "u" not in data:
        raise TokenInvalid()
    return data
