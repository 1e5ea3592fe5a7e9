"""Flask-Login wiring: users are loaded by id and session version."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from engage.extensions import db


def configure_login(login_manager: LoginManager) -> None:
    from engage.accounts.models import User

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_key: str):
        user_id, _, version = user_key.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.is_deleted or user.session_version != int(version):
            return None
        return user
