"""The user account."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db
from engage.organisation.models import Department, District


class Role(enum.StrEnum):
    """What a user may do; the rights per role are described in DESIGN.md."""

    CITIZEN = "citizen"
    STAFF = "staff"
    MODERATOR = "moderator"
    COUNCIL = "council"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.CITIZEN: _l("Citizen"),
    Role.STAFF: _l("Staff"),
    Role.MODERATOR: _l("Moderator"),
    Role.COUNCIL: _l("Council member"),
    Role.ADMIN: _l("Administrator"),
}


class NotifyFrequency(enum.StrEnum):
    """How a user wants to hear about activity by e-mail."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"


class User(UserMixin, db.Model):
    """A person with an account; deleted accounts are anonymised, their content stays."""

    # "user" is reserved in PostgreSQL; a plain name keeps raw SQL and reports simple.
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('citizen', 'staff', 'moderator', 'council', 'admin')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case (see services.normalise_email), so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.CITIZEN.value)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    locale: Mapped[str | None] = mapped_column(String(5))
    notify_frequency: Mapped[str] = mapped_column(
        String(20), default=NotifyFrequency.IMMEDIATELY.value
    )
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_official_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    # Volunteer milestones appear on the public profile only with the volunteer's consent.
    milestones_public: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_email: Mapped[str | None] = mapped_column(String(254))
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    department: Mapped[Department | None] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")

    # The server-side session this user object was loaded for or logged in with (not a column).
    session_key = None

    def get_id(self) -> str:
        # Flask-Login stores this in the signed session and remember cookies: the record's key
        # makes log-out (deleting the record) end every copy of those cookies.
        return f"{self.id}:{self.session_key}"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_authenticated(self) -> bool:
        # Flask-Login's (UserMixin: is_active), without the second property call: every
        # permission predicate asks it, thirty times on a logged-in proposal page.
        return self.deleted_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_blocked(self) -> bool:
        if self.blocked_at is None:
            return False
        return self.blocked_until is None or self.blocked_until > utcnow()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def public_name(self) -> str:
        """The name shown next to the user's content."""
        from flask_babel import gettext

        return gettext("deleted account") if self.is_deleted else self.display_name

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One logged-in browser: its key travels in the signed cookies; deleting the row logs
    that browser out, wherever its cookies were copied to."""

    __tablename__ = "user_session"

    # A random key (secrets.token_urlsafe(32)), never derived from the user.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Refreshed at most once per hour (see session.SEEN_EVERY), not on every page view.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A short hint for the person ("Firefox on Linux"-like: the start of the User-Agent).
    user_agent: Mapped[str | None] = mapped_column(String(120))
