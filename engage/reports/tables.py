"""The report as named tables: one source for the dashboard, the print view and the exports.

Privacy: a cell that counts people shows "<5" when it counts one to four of them, everywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import (
    format_currency,
    format_date,
    format_decimal,
    format_number,
    format_percent,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from engage.extensions import db
from engage.organisation.models import District
from engage.processes.models import Process
from engage.proposals.models import ProposalStatus
from engage.reports import figures
from engage.reports.scope import ReportScope

MIN_PEOPLE = 5
MASK = "<5"


def _month_name(month: str, pattern: str = "LLLL yyyy") -> str:
    """ "2026-06" as people say it ("Juni 2026"); exports keep the sortable form."""
    year, _dash, number = month.partition("-")
    if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
        return month
    return format_date(date(int(year), int(number), 1), pattern)


def short_month(month: str) -> str:
    """ "2026-06" for a chart's narrow column: "Juni 26", "Sept. 26"."""
    return _month_name(month, "LLL yy")


@dataclass(frozen=True)
class Cell:
    """A value and what it measures (count, people, hours, euro, share, days, rating, text)."""

    value: Any
    kind: str = "count"
    shown: str | None = field(default=None, compare=False)  # display() kept by the cache

    @property
    def masked(self) -> bool:
        return self.kind == "people" and self.value is not None and 0 < self.value < MIN_PEOPLE

    def display(self) -> str:
        if self.shown is not None:
            return self.shown
        if self.masked:
            return MASK
        if self.value is None:
            return "–"
        formats = {
            "count": lambda v: format_number(v), "people": lambda v: format_number(v),
            "hours": lambda v: format_decimal(v, "#,##0.0"),
            "euro": lambda v: format_currency(v, "EUR"),
            "share": lambda v: format_percent(v, "#,##0 %"),
            "days": lambda v: format_decimal(v, "#,##0.0"),
            "rating": lambda v: format_decimal(v, "0.0"),
            "month": _month_name,
        }  # fmt: skip
        return formats.get(self.kind, str)(self.value)

    def export(self) -> Any:
        """For JSON: numbers stay numbers, masked cells become "<5"."""
        if self.masked:
            return MASK
        if isinstance(self.value, Decimal):
            return float(self.value)
        if self.kind == "share" and self.value is not None:
            return round(self.value, 4)
        if isinstance(self.value, float):
            return round(self.value, 2)
        return None if self.value is None else (self.value if self.kind not in ("text", "month")
                                                else str(self.value))  # fmt: skip

    def csv(self) -> str:
        """For a German spreadsheet: decimal comma, no thousands separator; a share in percent,
        as the page shows it (its column or row says "(%)", see csv_lines)."""
        value = self.export()
        if value is None:
            return ""
        if self.kind == "share" and isinstance(value, int | float):
            value = round(float(value) * 100, 2)
        if isinstance(value, float):
            return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
        return str(value)


@dataclass
class Table:
    name: str
    title: Any
    columns: list[Any]
    rows: list[list[Cell]] = field(default_factory=list)
    total: int | None = None  # rows of the whole table, where only the first ones are kept

    @property
    def row_count(self) -> int:
        return self.total if self.total is not None else len(self.rows)


PERCENT = " (%)"


def csv_lines(table: Table) -> list[list[str]]:
    """The table's header and rows as CSV cells. Shares are written in percent, so a column
    of shares says "(%)" in its header and, in a table of figures (one per row), so does the
    label of a share's row."""
    width = len(table.columns)
    shares = {i for i in range(1, width) if table.rows
              and all(row[i].kind == "share" for row in table.rows)}  # fmt: skip
    header = [str(c) + (PERCENT if i in shares else "") for i, c in enumerate(table.columns)]
    lines = [header]
    for row in table.rows:
        cells = [cell.csv() for cell in row]
        if width > 1 and not shares and all(cell.kind == "share" for cell in row[1:]):
            cells[0] += PERCENT
        lines.append(cells)
    return lines


def _names(model, ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    title = model.title if model is Process else model.name
    return dict(db.session.execute(select(model.id, title).where(model.id.in_(ids))).all())


def overview(scope: ReportScope) -> Table:
    counts = figures.counts(scope)
    threads, proposals = figures.thread_answers(scope), figures.proposal_answers(scope)
    work = figures.volunteering(scope)
    rows = [
        (_l("Participants (distinct people)"), Cell(figures.participants(scope), "people")),
        (_l("New registrations"), Cell(figures.registrations(scope), "people")),
        (_l("Discussions"), Cell(counts["threads"])),
        (_l("Replies and comments"), Cell(counts["replies"])),
        (_l("Proposals"), Cell(counts["proposals"])),
        (_l("Supports"), Cell(counts["supports"], "people")),
        (_l("Discussions with an official answer"), Cell(threads.share, "share")),
        (_l("Median days to the official answer (discussions)"),
         Cell(threads.median_days, "days")),
        (_l("Proposals with an official answer"), Cell(proposals.share, "share")),
        (_l("Median days to the answer (proposals)"), Cell(proposals.median_days, "days")),
        (_l("Qualified proposals overdue for an answer"), Cell(figures.overdue_proposals(scope))),
        (_l("Volunteer sign-ups"), Cell(work.signups, "people")),
        (_l("Volunteer hours"), Cell(work.hours, "hours")),
        (_l("No-show rate"), Cell(work.no_show_rate, "share")),
        (_l("Estimated costs saved by co-production"), Cell(work.value, "euro")),
    ]  # fmt: skip
    return Table("overview", _l("Overview"), [_l("Figure"), _l("Value")],
                 [[Cell(label, "text"), cell] for label, cell in rows])  # fmt: skip


def funnel(scope: ReportScope) -> Table:
    statuses = figures.proposal_statuses(scope)
    rows = [[Cell(stage.label, "text"), Cell(n)] for stage, n in figures.funnel(statuses)]
    for ended in (ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN):
        rows.append([Cell(ended.label, "text"), Cell(statuses.get(ended.value, 0))])
    return Table("funnel", _l("Proposals: how far they got"), [_l("Stage"), _l("Proposals")],
                 rows)  # fmt: skip


def over_time(scope: ReportScope) -> Table:
    rows = [[Cell(month, "month"), Cell(contributions), Cell(people, "people")]
            for month, (contributions, people) in figures.over_time(scope).items()]  # fmt: skip
    return Table("participation", _l("Participation per month"),
                 [_l("Month"), _l("Contributions"), _l("Participants")], rows)  # fmt: skip


BREAKDOWN_COLUMNS = [
    ("participants", "people"), ("threads", "count"), ("replies", "count"),
    ("proposals", "count"), ("supports", "people"), ("signups", "people"),
]  # fmt: skip


def _breakdown_header(first) -> list:
    return [first, _l("Participants"), _l("Discussions"), _l("Replies and comments"),
            _l("Proposals"), _l("Supports"), _l("Volunteer sign-ups")]  # fmt: skip


def districts(scope: ReportScope) -> Table:
    data = figures.breakdown(scope, "district")
    work = dict(figures.volunteering_by_district(scope))
    names = _names(District, list(data) + list(work))
    table = Table("districts", _l("Per district"), _breakdown_header(_l("District"))
                  + [_l("Volunteer hours"), _l("Estimated costs saved")])  # fmt: skip
    keys = sorted(set(data) | set(work), key=lambda k: (k is None, names.get(k, "")))
    for key in keys:
        figures_of = data.get(key, {})
        hours = work.get(key)
        table.rows.append(
            [Cell(names.get(key, _l("Whole city")), "text")]
            + [Cell(figures_of.get(name, 0), kind) for name, kind in BREAKDOWN_COLUMNS]
            + [Cell(hours.hours if hours else Decimal(0), "hours"),
               Cell(hours.value if hours else Decimal(0), "euro")]
        )  # fmt: skip
    return table


def processes(scope: ReportScope) -> Table:
    data = figures.breakdown(scope, "process")
    names = _names(Process, list(data))
    table = Table("processes", _l("Per participation process"),
                  _breakdown_header(_l("Participation process")))  # fmt: skip
    for key in sorted(data, key=lambda k: (k is None, names.get(k, ""))):
        cells = [Cell(data[key].get(n, 0), kind) for n, kind in BREAKDOWN_COLUMNS]
        table.rows.append([Cell(names.get(key, _l("Without a process")), "text"), *cells])
    return table


def outcomes(scope: ReportScope) -> Table:
    table = Table("outcomes", _l("Outcomes of implemented proposals"),
                  [_l("Proposal"), _l("Indicator"), _l("Baseline"), _l("Target value"),
                   _l("Measured"), _l("Citizens' rating (1–5)"), _l("Ratings")])  # fmt: skip
    for p in figures.outcomes(scope):
        table.rows.append([Cell(p.title, "text"), Cell(p.indicator, "text"),
                           Cell(p.baseline or None, "text"), Cell(p.target or None, "text"),
                           Cell(p.measured_value, "text"), Cell(p.average_rating, "rating"),
                           Cell(p.rating_count, "people")])  # fmt: skip
    return table


BUILDERS = {"overview": overview, "funnel": funnel, "participation": over_time,
            "districts": districts, "processes": processes, "outcomes": outcomes}  # fmt: skip


def all_tables(scope: ReportScope) -> dict[str, Table]:
    with figures.memo():
        return {name: build(scope) for name, build in BUILDERS.items()}


def to_json(report: dict[str, Table], limits: dict[str, int] | None = None,
            shown: bool = False) -> str:  # fmt: skip
    """The tables as JSON text (for the cache): texts resolved, decimals kept exact.

    With limits, only the first rows of those tables are kept (and their number); with shown,
    every cell's display text too, so that a page from the cache formats no numbers.
    """
    limits = limits or {}

    def value(v):
        if isinstance(v, Decimal):
            return {"decimal": str(v)}
        return v if isinstance(v, int | float | type(None)) else str(v)

    def cell(c: Cell) -> list:
        return [value(c.value), c.kind, c.display()] if shown else [value(c.value), c.kind]

    return json.dumps({name: {"title": str(t.title), "columns": [str(c) for c in t.columns],
                              "total": t.row_count,
                              "rows": [[cell(c) for c in row] for row in t.rows[:limits.get(name)]]}
                       for name, t in report.items()})  # fmt: skip


def from_json(text: str) -> dict[str, Table]:
    def value(v):
        return Decimal(v["decimal"]) if isinstance(v, dict) else v

    return {name: Table(name, t["title"], t["columns"],
                        [[Cell(value(c[0]), *c[1:]) for c in row] for row in t["rows"]],
                        t.get("total") if t.get("total") != len(t["rows"]) else None)
            for name, t in json.loads(text).items()}  # fmt: skip
