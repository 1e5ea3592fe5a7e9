"""The participation ledger: one narrow row per contribution, with who, when and where resolved.

Derived from the sources in sources.py (threads, replies, proposals, supports, sign-ups) and kept
current on every flush (see ledger.py), so that the report counts distinct people over one
table without joins. `flask reports-rebuild` writes it anew; `flask check-consistency` compares.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.core.types import UTCDateTime
from engage.extensions import db


class Participation(db.Model):
    """One contribution as the report counts it (staff rows kept for the plain counts)."""

    __tablename__ = "participation"
    __table_args__ = (
        # Distinct people per grouping: an index in (key, person) order lets the database count
        # them in one ordered pass over the index instead of hashing a million pairs; one in
        # (person, district) order also counts everybody once. A filter on a district, process
        # or department starts the scan at its key.
        Index("ix_participation_user_district", "user_id", "district_id",
              postgresql_include=["staff"]),
        Index("ix_participation_district_user", "district_id", "user_id",
              postgresql_include=["staff"]),
        Index("ix_participation_process_user", "process_id", "user_id",
              postgresql_include=["staff"]),
        Index("ix_participation_department_user", "department_id", "user_id",
              postgresql_include=["staff"]),
        Index("ix_participation_month_user", "month", "user_id", postgresql_include=["staff"]),
    )  # fmt: skip

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    staff: Mapped[bool] = mapped_column(Boolean)
    created: Mapped[datetime | None] = mapped_column(UTCDateTime())
    month: Mapped[str | None] = mapped_column(String(7))  # "YYYY-MM" of created, in Europe/Berlin
    process_id: Mapped[int | None] = mapped_column(Integer)
    district_id: Mapped[int | None] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(Integer)


# The whole city's figures, kept as the ledger changes (engage/reports/ledger.py): the report
# without filters reads these few rows instead of counting a million. No value is NULL here
# (the primary key would not match it): 0 stands for "no process/district", "" for no month.


class ParticipationTally(db.Model):
    """Contributions per kind, staff or not, process, district and month (Europe/Berlin)."""

    __tablename__ = "participation_tally"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    staff: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    process_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    district_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month_key: Mapped[str] = mapped_column(String(7), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class ParticipationPeople(db.Model):
    """Distinct participants (staff left out) in all, and per district, process or month."""

    __tablename__ = "participation_people"

    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    people: Mapped[int] = mapped_column(Integer)


class ParticipationChange(db.Model):
    """A ledger row added (+1) or removed (-1) that the kept figures above do not count yet.

    Writes only log here, so that a support costs no lookups of the person's other rows and
    no waits on the few figure rows everybody shares; the next whole-city report folds the log
    in (ledger.fold). Keys as in the figures: 0 for no process or district, "" for no month.
    """

    __tablename__ = "participation_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)  # no foreign key: a log entry
    kind: Mapped[str] = mapped_column(String(10))
    staff: Mapped[bool] = mapped_column(Boolean)
    process_key: Mapped[int] = mapped_column(Integer)
    district_key: Mapped[int] = mapped_column(Integer)
    month_key: Mapped[str] = mapped_column(String(7))
    step: Mapped[int] = mapped_column(Integer)
