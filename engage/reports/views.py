"""Council dashboard, printable report and exports, all from the same tables."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from engage.core import fragments
from engage.core.policy import require
from engage.core.types import local_today
from engage.extensions import db
from engage.organisation.models import all_departments, all_districts
from engage.processes.models import Process, ProcessStatus
from engage.processes.services import slugify
from engage.reports import cache, charts, permissions, tables
from engage.reports.forms import ReportFilterForm
from engage.reports.scope import ReportScope

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.record_once
def _keep_the_ledger(state) -> None:
    """The participation ledger follows every write; `flask reports-rebuild` writes it anew."""
    from engage.reports.ledger import fold_command, listen, rebuild_command

    listen()
    state.app.cli.add_command(rebuild_command)
    state.app.cli.add_command(fold_command)


@bp.app_context_processor
def report_permissions() -> dict:
    return {"can_view_reports": permissions.can_view_reports}


def _choices() -> tuple[list, list, list]:
    """(id, name) of every published process, district and department: kept per worker until
    one of them changes (three queries on every report page otherwise)."""

    def pairs():
        processes = db.session.execute(select(Process.id, Process.title).where(
            Process.status == ProcessStatus.PUBLISHED.value).order_by(Process.title))  # fmt: skip
        return ([tuple(row) for row in processes], [(d.id, d.name) for d in all_districts()],
                [(d.id, d.name) for d in all_departments()])  # fmt: skip

    return fragments.remembered(("report choices",), pairs, fragments.PROCESSES)


def _filters():
    """The filter form from the query string, and the scope it gives for this user."""
    require(permissions.can_view_reports(current_user))
    form = ReportFilterForm(request.args)
    whole_city = permissions.sees_whole_city(current_user)
    processes, districts, departments = _choices()
    if not whole_city:
        departments = [d for d in departments if d[0] == current_user.department_id]
    form.set_choices(processes, districts, departments)
    form.validate()
    own = None if whole_city else (current_user.department_id or -1)
    return form, form.scope(department_id=own)


def _export_filters():
    """The scope of an export or the printed report: a filter that is not valid refuses it
    (400, naming the fields), instead of giving the whole city's figures under its name."""
    form, scope = _filters()
    if form.errors:
        # (the messages are lazy strings: str() them, or join() fails with a 500)
        problems = "; ".join(f"{form[name].label.text}: {' '.join(map(str, errors))}"
                             for name, errors in form.errors.items())  # fmt: skip
        abort(400, description=_("The filters are not valid: %(problems)s", problems=problems))
    return form, scope


def _charts(report: dict[str, tables.Table]) -> dict:
    funnel = [(row[0].display(), row[1].value, row[1].display())
              for row in report["funnel"].rows[:5]]  # fmt: skip
    recent = report["participation"].rows[-24:]
    months = [(tables.short_month(row[0].value), row[1].value, row[1].display()) for row in recent]
    hours = [(row[0].display(), row[-2].value, row[-2].display())
             for row in report["districts"].rows]  # fmt: skip
    spoken = [row[0].display() for row in recent]
    # Each chart twice: for a wide box, and for a phone (narrow: the months as rows of bars).
    return {"funnel": charts.horizontal(funnel), "funnel_narrow": charts.stacked(funnel),
            "months": charts.vertical(months, spoken=spoken),
            "months_narrow": charts.horizontal(months, width=charts.NARROW, bar=20, gap=8,
                                               label_width=64, spoken=spoken),
            "hours": charts.horizontal(hours), "hours_narrow": charts.stacked(hours)}  # fmt: skip


@bp.get("")
@login_required
def dashboard():
    form, scope = _filters()

    def sections(report: dict[str, tables.Table]) -> str:
        return render_template("reports/_sections.html", report=report, charts=_charts(report),
                               outcome_rows=cache.DASHBOARD_ROWS["outcomes"],
                               exportable=not form.errors)  # fmt: skip

    variant = urlencode(sorted((k, v) for k, v in request.args.items(multi=True)
                               if k != "refresh"))  # fmt: skip
    html, computed_at = cache.dashboard(scope, variant, sections,
                                        refresh=request.args.get("refresh") == "1")  # fmt: skip
    return render_template("reports/dashboard.html", form=form, scope=scope,
                           sections=Markup(html), computed_at=computed_at,  # noqa: S704 (our own rendered, escaped template)
                           exportable=not form.errors,
                           query=request.query_string.decode(),
                           filter_scope=(permissions.sees_whole_city(current_user),
                                         scope.department_id))  # fmt: skip


@bp.get("/print")
@login_required
def printable():
    """The same figures laid out for A4 paper (the council's session documents)."""
    form, scope = _export_filters()
    report, computed_at = cache.report(scope)
    return render_template("reports/print.html", form=form, report=report, scope=scope,
                           charts=_charts(report), today=local_today(),
                           computed_at=computed_at)  # fmt: skip


# The names of the downloads in the reader's language, ASCII only (umlauts written out), so
# that every browser and spreadsheet keeps them as they are.
FILE_NAMES = {
    "de": ("bericht", {"overview": "uebersicht", "funnel": "vorschlaege-nach-stufe",
                       "participation": "beteiligung-pro-monat", "districts": "stadtteile",
                       "processes": "beteiligungsverfahren", "outcomes": "wirkungen"}),
    "en": ("report", {"overview": "overview", "funnel": "proposals-by-stage",
                      "participation": "participation-per-month", "districts": "districts",
                      "processes": "participation-processes", "outcomes": "outcomes"}),
}  # fmt: skip


def file_name(table: str | None, extension: str, scope: ReportScope | None = None) -> str:
    """ "bericht-uebersicht.csv" for a German reader, "report-overview.csv" otherwise; with the
    filters in it ("bericht-uebersicht-suedstadt-ab-2026-01-01.csv"), so that a council member
    can tell one district's file from the whole city's."""
    locale = get_locale()
    german = locale is not None and locale.language == "de"
    stem, tables_named = FILE_NAMES["de" if german else "en"]
    words = [stem, *([tables_named[table]] if table else []), *_scope_words(scope, german)]
    return "-".join(words) + f".{extension}"


def _scope_words(scope: ReportScope | None, german: bool) -> list[str]:
    if scope is None:
        return []
    processes, districts, departments = _choices()
    words = [slugify(dict(pairs).get(chosen, str(chosen)))
             for chosen, pairs in ((scope.process_id, processes), (scope.district_id, districts),
                                   (scope.department_id, departments))
             if chosen is not None]  # fmt: skip
    if scope.since:
        words.append(("ab-" if german else "from-") + scope.since.isoformat())
    if scope.until:
        words.append(("bis-" if german else "to-") + scope.until.isoformat())
    return words


def _attachment(response: Response, name: str) -> Response:
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.get("/export.csv")
@login_required
def export_csv():
    """One table as CSV for a German spreadsheet: UTF-8 with BOM, semicolons, decimal comma."""
    _form, scope = _export_filters()
    name = request.args.get("table", "overview")
    if name not in tables.BUILDERS:
        abort(400, description=_("Unknown table. Choose one of: %(names)s.",
                                 names=", ".join(tables.BUILDERS)))  # fmt: skip
    table = tables.BUILDERS[name](scope)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(tables.csv_lines(table))
    return _attachment(Response("\ufeff" + buffer.getvalue(), mimetype="text/csv"),
                       file_name(name, "csv", scope))  # fmt: skip


@bp.get("/export.json")
@login_required
def export_json():
    """Every table, with the filters that produced them; for programs, so numbers stay plain
    numbers: a share is a fraction from 0 to 1 (the page and the CSV show it in percent)."""
    _form, scope = _export_filters()
    body = {
        "filters": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                    for k, v in vars(scope).items()},
        "tables": {
            name: {"title": str(t.title), "columns": [str(c) for c in t.columns],
                   "rows": [[cell.export() for cell in row] for row in t.rows]}
            for name, t in cache.report(scope)[0].items()
        },
    }  # fmt: skip
    response = Response(json.dumps(body, ensure_ascii=False, indent=1),
                        mimetype="application/json")  # fmt: skip
    return _attachment(response, file_name(None, "json", scope))
