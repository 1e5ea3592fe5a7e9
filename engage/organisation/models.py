"""Districts and departments of the municipality."""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from engage.extensions import db


class District(db.Model):
    """A district (Stadtteil); processes, proposals and offers can be scoped to one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    def __str__(self) -> str:
        return self.name


class Department(db.Model):
    """A department (Fachbereich) of the administration that owns processes and answers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")

    def __str__(self) -> str:
        return self.name


def districts_in_order():
    """Select all districts by name, for choice lists and filters."""
    return select(District).order_by(District.name)


def all_districts() -> list[District]:
    return list(db.session.scalars(districts_in_order()))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))
