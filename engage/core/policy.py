"""The enforcers of permission predicates; the predicates live in each feature's permissions.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user


def require(allowed: bool, why: str | None = None) -> None:
    """Abort with 401 (handled as a log-in redirect) or 403 unless a predicate allowed it.

    why: what the 403 page tells the user instead of its general "not allowed"."""
    if allowed:
        return
    if not current_user.is_authenticated:
        abort(401)
    if why:
        abort(403, description=why)
    abort(403)


def role_required(*roles) -> Callable:
    """Decorate a view so that only users with one of the roles may open it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(current_user.is_authenticated and current_user.has_role(*roles))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def predicate_required(predicate: Callable[..., bool]) -> Callable:
    """Decorate a view so that predicate(current_user) must hold."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(predicate(current_user))
            return view(*args, **kwargs)

        return wrapped

    return decorator
