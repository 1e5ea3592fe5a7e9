"""Settings of the municipality, stored in the database and edited at /admin/settings."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import CheckConstraint, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engage.extensions import db

SETTINGS_ID = 1


class SiteSettings(db.Model):
    """The one row of municipality-wide settings (id is always 1)."""

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("flag_threshold >= 1", name="flag_threshold_positive"),
        CheckConstraint("premoderated_first_posts >= 0", name="premoderation_not_negative"),
        CheckConstraint("volunteer_hour_value >= 0", name="hour_value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=SETTINGS_ID)
    municipality_name: Mapped[str] = mapped_column(String(120), default="Musterstadt")
    logo_path: Mapped[str] = mapped_column(String(200), default="img/logo.svg")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    imprint_responsible: Mapped[str] = mapped_column(String(300), default="")
    imprint_extra: Mapped[str] = mapped_column(Text, default="")
    privacy_officer: Mapped[str] = mapped_column(String(300), default="")
    accessibility_email: Mapped[str] = mapped_column(String(254), default="")
    volunteer_hour_value: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("15.00"))
    flag_threshold: Mapped[int] = mapped_column(Integer, default=3)
    premoderated_first_posts: Mapped[int] = mapped_column(Integer, default=0)


def _defaults() -> SiteSettings:
    cfg = current_app.config
    return SiteSettings(
        id=SETTINGS_ID,
        municipality_name=cfg["SITE_NAME"],
        logo_path="img/logo.svg",
        contact_email=cfg["CONTACT_EMAIL"],
        contact_phone="",
        address=cfg["IMPRINT_ADDRESS"],
        imprint_responsible=cfg["IMPRINT_RESPONSIBLE"],
        imprint_extra="",
        privacy_officer="",
        accessibility_email=cfg["ACCESSIBILITY_EMAIL"],
        volunteer_hour_value=Decimal("15.00"),
        flag_threshold=3,
        premoderated_first_posts=0,
    )


# (content version, a detached copy): the row is read again once any data has changed.
_worker_copy: tuple[str, SiteSettings] | None = None


def _copy(row: SiteSettings) -> SiteSettings:
    """A transient copy, outside every session: safe to keep between requests."""
    return SiteSettings(**{c.key: getattr(row, c.key) for c in SiteSettings.__table__.columns})


def get_settings() -> SiteSettings:
    """The stored settings, read once per request; defaults until an admin saves them.

    With the page cache's content version (Redis), each worker keeps a copy until the version
    changes, so most pages need no query for them.
    """
    global _worker_copy
    if has_app_context() and "site_settings" in g:
        return g.site_settings
    from engage.core.fragments import keepable
    from engage.core.pagecache import worker_version

    version = worker_version() if has_request_context() else None
    if version is not None and _worker_copy is not None and _worker_copy[0] == version:
        settings = _worker_copy[1]
    else:
        row = db.session.get(SiteSettings, SETTINGS_ID)
        settings = row or _defaults()
        if version is not None and keepable():
            _worker_copy = (version, _copy(row) if row is not None else settings)
    if has_app_context():
        g.site_settings = settings
    return settings


def settings_for_update() -> SiteSettings:
    """The stored row, created from the defaults on first save."""
    settings = db.session.get(SiteSettings, SETTINGS_ID)
    if settings is None:
        settings = _defaults()
        db.session.add(settings)
    g.pop("site_settings", None)
    return settings
