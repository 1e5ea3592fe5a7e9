"""Settings of the municipality, stored in the database and edited at /admin/settings."""

from __future__ import annotations

from decimal import Decimal

from flask import current_app, g, has_app_context
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


def get_settings() -> SiteSettings:
    """The stored settings, read once per request; defaults until an admin saves them."""
    if has_app_context() and "site_settings" in g:
        return g.site_settings
    settings = db.session.get(SiteSettings, SETTINGS_ID) or _defaults()
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
