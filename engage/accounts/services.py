"""Account rules: registration, verification, log-in, passwords, e-mail changes, deletion."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from engage.accounts import tokens
from engage.accounts.models import NotifyFrequency, Role, User, UserSession
from engage.core.mail import queue_mail
from engage.core.types import utcnow
from engage.extensions import db

MIN_PASSWORD_LENGTH = 10
# The most used passwords of ten characters or more in German leak lists.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "passwort123", "password123", "qwertzuiop",
        "qwertyuiop", "hallo12345", "passwort1234", "password1234", "1q2w3e4r5t", "asdfghjkl1",
    }
)  # fmt: skip
# A valid hash of a random password: comparing against it costs as much as a real check, so
# the time a log-in takes does not reveal whether the address is registered.
_DUMMY_HASH_CACHE: dict[str, str] = {}


class AccountError(Exception):
    """A rule of the account domain was broken; the message is shown to the user."""


class EmailTaken(AccountError):
    pass


class WeakPassword(AccountError):
    pass


class WrongPassword(AccountError):
    pass


def normalise_email(email: str) -> str:
    """E-mail addresses are compared and stored lower-case and trimmed."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str, email: str = "", name: str = "") -> None:
    """Raise WeakPassword unless the password is long enough and not trivially guessable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
        )
    lowered = password.lower()
    local_part = normalise_email(email).split("@")[0]
    if (len(local_part) >= 4 and local_part in lowered) or (name and lowered == name.lower()):
        raise WeakPassword(_("The password must not contain your name or e-mail address."))
    if len(set(lowered)) < 4 or lowered in COMMON_PASSWORDS:
        raise WeakPassword(
            _("This password is one of the most used ones and easy to guess. "
              "Please choose another.")
        )  # fmt: skip


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def email_in_use(email: str, except_user: User | None = None) -> bool:
    query = select(func.count()).select_from(User).where(User.email == normalise_email(email))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return bool(db.session.scalar(query))


@dataclass
class Registration:
    email: str
    display_name: str
    password: str
    district_id: int | None = None
    locale: str | None = None


def register(data: Registration) -> User:
    """Create an unverified citizen account and send the verification mail."""
    email = normalise_email(data.email)
    if email_in_use(email):
        raise EmailTaken(_("An account with this e-mail address already exists."))
    check_password_strength(data.password, email, data.display_name)
    user = User(
        email=email,
        display_name=data.display_name.strip(),
        password_hash=hash_password(data.password),
        role=Role.CITIZEN.value,
        district_id=data.district_id,
        locale=data.locale,
        privacy_accepted_at=utcnow(),
        notify_frequency=NotifyFrequency.IMMEDIATELY.value,
    )
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    return user


def create_user(
    email: str, password: str, role: Role, display_name: str | None = None, verified: bool = True
) -> User:
    """Create an account directly (CLI, demo data): no mail, verified unless told otherwise."""
    email = normalise_email(email)
    if email_in_use(email):
        raise EmailTaken(_("An account with this e-mail address already exists."))
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password),
        role=Role(role).value,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def mail_locale(user: User) -> str:
    """The user's chosen language, else the one of the current request, else German."""
    if user.locale:
        return user.locale
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def send_security_notice(user: User, event: str) -> None:
    """Tell the account's address that its password or e-mail address was changed."""
    with force_locale(mail_locale(user)):
        subjects = {
            "password": _("Your password was changed"),
            "email": _("A change of your e-mail address was requested"),
        }
        queue_mail(
            user.email,
            subjects[event],
            "security_notice",
            user=user,
            event=event,
            reset_link=_external_url("accounts.reset_request"),
        )


def _external_url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def send_verification(user: User, email: str | None = None) -> None:
    """Mail a verification link for the account's address (or for a new address to confirm)."""
    address = email or user.email
    token = tokens.make_verify_token(user.id, address)
    with force_locale(mail_locale(user)):
        queue_mail(
            address,
            _("Please confirm your e-mail address"),
            "verify_email",
            user=user,
            link=_external_url("accounts.verify", token=token),
        )


def verify_email(token: str) -> User:
    """Confirm an address from a verification link; raises tokens.TokenExpired/TokenInvalid."""
    user_id, email = tokens.read_verify_token(token)
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        raise tokens.TokenInvalid()
    if email == user.email:
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        return user
    if email != user.pending_email:
        raise tokens.TokenInvalid("superseded")
    if email_in_use(email, except_user=user):
        raise EmailTaken(_("An account with this e-mail address already exists."))
    user.email = email
    user.pending_email = None
    user.email_verified_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user for correct credentials, else None (same cost either way)."""
    user = find_by_email(email)
    if user is None or user.is_deleted or not user.password_hash:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH_CACHE.setdefault(method, hash_password("not-a-real-password"))
        check_password_hash(dummy, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an account; say nothing either way."""
    user = find_by_email(email)
    if user is None or user.is_deleted:
        return
    token = tokens.make_reset_token(user.id, user.password_hash)
    with force_locale(mail_locale(user)):
        queue_mail(
            user.email,
            _("Reset your password"),
            "reset_password",
            user=user,
            link=_external_url("accounts.reset_with_token", token=token),
        )


def _current_password_hash(user_id: int) -> str | None:
    user = db.session.get(User, user_id)
    return None if user is None or user.is_deleted else user.password_hash


def user_for_reset_token(token: str) -> User:
    """Return the user a reset token belongs to; raises tokens.TokenExpired/TokenInvalid."""
    return db.session.get(User, tokens.read_reset_token(token, _current_password_hash))


def user_for_invite_token(token: str) -> User:
    """The invited user of a token; raises tokens.TokenExpired/TokenInvalid."""
    return db.session.get(User, tokens.read_invite_token(token, _current_password_hash))


def accept_invitation(user: User, new_password: str) -> None:
    """Set the invited user's first password; the link proved the address."""
    check_password_strength(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    user.email_verified_at = user.email_verified_at or utcnow()


def set_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of the user."""
    check_password_strength(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    if has_request_context():
        send_security_notice(user, "password")


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise WrongPassword(_("The current password is not correct."))
    set_password(user, new_password)


def end_all_sessions(user: User) -> None:
    """Delete every session record of the user (every browser is logged out) and raise the
    session version, which revokes the personal calendar link too."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_version = (user.session_version or 1) + 1


def export_sessions(user: User) -> list[dict]:
    """The account's logged-in browsers, for /account/export."""
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.created_at)
    )
    return [{"created_at": row.created_at.isoformat(), "last_seen_at": row.last_seen_at.isoformat(),
             "user_agent": row.user_agent} for row in rows]  # fmt: skip


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Remember the new address and mail it a confirmation link; the old one stays until then."""
    if not check_password_hash(user.password_hash, password):
        raise WrongPassword(_("The current password is not correct."))
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError(_("This is already your e-mail address."))
    if email_in_use(new_email, except_user=user):
        raise EmailTaken(_("An account with this e-mail address already exists."))
    user.pending_email = new_email
    send_verification(user, email=new_email)
    send_security_notice(user, "email")


def update_profile(user: User, display_name: str, district_id: int | None) -> None:
    user.display_name = display_name.strip()
    user.district_id = district_id


def update_preferences(user: User, locale: str | None, frequency: str, replies: bool,
                       official_answers: bool,
                       milestones_public: bool = False) -> None:  # fmt: skip
    user.locale = locale or None
    user.milestones_public = milestones_public
    user.notify_frequency = NotifyFrequency(frequency).value
    user.notify_replies = replies
    user.notify_official_answers = official_answers


def anonymise_account(user: User) -> None:
    """Remove the account's personal data; the row stays so that content shows 'deleted'."""
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.pending_email = None
    user.display_name = ""
    user.password_hash = ""
    user.district_id = None
    user.department_id = None
    user.locale = None
    user.notify_frequency = NotifyFrequency.NEVER.value
    user.deleted_at = utcnow()
    end_all_sessions(user)


def export_account(user: User) -> dict:
    """The account's own personal data, for /account/export."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": user.id,
        "email": user.email,
        "pending_email": user.pending_email,
        "display_name": user.display_name,
        "role": user.role,
        "district": user.district.name if user.district else None,
        "department": user.department.name if user.department else None,
        "locale": user.locale,
        "notifications": {
            "frequency": user.notify_frequency,
            "replies": user.notify_replies,
            "official_answers": user.notify_official_answers,
        },
        "created_at": iso(user.created_at),
        "privacy_accepted_at": iso(user.privacy_accepted_at),
        "email_verified_at": iso(user.email_verified_at),
        "last_login_at": iso(user.last_login_at),
        "blocked_at": iso(user.blocked_at),
        "blocked_until": iso(user.blocked_until),
        "blocked_reason": user.blocked_reason,
        "volunteer_milestones_public": user.milestones_public,
    }


def delete_account(user: User) -> None:
    """Anonymise every feature's personal data of the user, then the account itself."""
    from engage.core import privacy

    privacy.anonymise_user_data(user)
    anonymise_account(user)


def forget_queued_mail(user: User) -> None:
    """Drop undelivered and delivered mail to the account's addresses (they hold links, names)."""
    from sqlalchemy import delete

    from engage.core.mail import OutboxMessage

    addresses = [a for a in (user.email, user.pending_email) if a]
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_(addresses)))
