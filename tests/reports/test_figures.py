"""Report figures against a hand-counted city, including the "<5" privacy rule."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest

from engage.extensions import db
from engage.reports import figures, tables
from engage.reports.scope import ReportScope


def _overview(scope) -> dict[str, str]:
    return {str(row[0].value): row[1].display() for row in tables.overview(scope).rows}


def test_whole_city(city):
    scope = ReportScope()
    assert figures.participants(scope) == 7
    assert figures.counts(scope) == {"threads": 3, "replies": 3, "proposals": 2, "supports": 5,
                                     "signups": 2}  # fmt: skip
    work = figures.volunteering(scope)
    assert (work.hours, work.value, work.volunteers) == (Decimal("3.50"), Decimal("52.50"), 2)
    answers = figures.thread_answers(scope)
    assert (answers.total, answers.answered) == (3, 1)
    assert dict(figures.funnel(figures.proposal_statuses(scope)))["submitted"] == 2
    # Each stage counts the proposals that got at least that far, up to the measured effect.
    stages = figures.funnel({"submitted": 4, "implemented": 2, "evaluated": 1, "rejected": 3})
    assert [(str(stage), n) for stage, n in stages] == [
        ("submitted", 10), ("under_review", 6), ("accepted", 3), ("in_implementation", 3),
        ("implemented", 3), ("evaluated", 1)]  # fmt: skip


def test_a_district_leaves_out_city_wide_contributions(city):
    nord = ReportScope(district_id=city["nord"].id)
    # c's thread is city-wide and left out, but c supported a Nordviertel proposal: still 7.
    assert figures.participants(nord) == 7
    assert figures.counts(nord)["threads"] == 2
    assert figures.participants(ReportScope(process_id=city["dialogue"].id)) == 5  # a b d e f
    assert figures.counts(nord)["signups"] == 0  # the offer is city-wide


def test_cells_counting_one_to_four_people_show_less_than_five(city):
    by_process = {row[0].display(): [c.display() for c in row[1:]]
                  for row in tables.processes(ReportScope()).rows}  # fmt: skip
    # Grün im Norden: a, b, d, e, f take part (5); without a process: c, a, b (3 → "<5").
    assert by_process["Grün im Norden"][0] == "5"
    assert by_process["Ohne Verfahren"][0] == "<5"
    assert by_process["Ohne Verfahren"][-1] == "<5"  # two sign-ups
    assert by_process["Abstimmung Radwege"][4] == "5"  # five supports
    nothing = ReportScope(department_id=city["other"].department_id)
    assert _overview(nothing)["Teilnehmende (verschiedene Personen)"] == "0"  # zero is shown


def test_period_filter_uses_local_days(city):
    today = city["bike"].submitted_at.date()
    assert figures.counts(ReportScope(since=today + timedelta(days=2)))["proposals"] == 0
    assert figures.counts(ReportScope(until=today + timedelta(days=1)))["proposals"] == 2


def test_exports_open_in_a_german_spreadsheet_and_keep_the_mask(client, auth, city):
    auth.login("admin@example.org")
    response = client.get("/reports/export.csv?table=districts")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Stadtteil"
    whole_city = next(row for row in rows if row[0] == "Ganze Stadt")
    assert whole_city[1] == "<5" and whole_city[-2] == "3,5" and whole_city[-1] == "52,5"
    assert client.get("/reports/export.csv?table=nonsense").status_code == 400
    data = json.loads(client.get("/reports/export.json").get_data())
    assert set(data["tables"]) == set(tables.BUILDERS)
    overview = dict(data["tables"]["overview"]["rows"])
    assert overview["Teilnehmende (verschiedene Personen)"] == 7
    assert overview["Unterstützungen"] == 5


def test_who_sees_reports(client, auth, city):
    assert client.get("/reports").status_code == 302  # to the log-in
    auth.login("buerger@example.org")
    assert client.get("/reports").status_code == 403
    auth.logout()
    auth.login("verkehr@example.org")  # staff of another department: only their figures
    page = client.get("/reports").get_data(as_text=True)
    assert "Ihres Fachbereichs" in page
    data = json.loads(client.get("/reports/export.json").get_data())
    assert dict(data["tables"]["overview"]["rows"])["Diskussionen"] == 0
    auth.logout()
    auth.login("admin@example.org")
    backwards = "since=2030-01-02&until=2030-01-01"
    page = client.get(f"/reports?{backwards}").get_data(as_text=True)
    assert "nicht vor seinem Beginn" in page
    # (no print or export links for figures whose filters are not what was asked for)
    assert "export.csv" not in page and "/reports/print" not in page
    assert "Korrigieren Sie die Filter" in page
    for export in ("export.csv?table=overview&", "export.json?", "print?"):
        refused = client.get(f"/reports/{export}{backwards}")
        assert refused.status_code == 400, export  # (was a 500: the lazy message joined)
        assert "Bis: Das Ende des Zeitraums darf nicht vor seinem Beginn liegen." in (
            refused.get_data(as_text=True)
        )
    forged = client.get("/reports?process_id=abc&district_id=99999")
    assert forged.status_code == 200
    html = forged.get_data(as_text=True)
    assert html.count("Bitte wählen Sie einen der angebotenen Einträge.") >= 2  # (+ summary)
    assert "Konnte nicht umwandeln" not in html and "Keine gültige Auswahl" not in html
    export = client.get("/reports/export.csv?table=overview&district_id=abc")
    assert export.status_code == 400
    assert "Stadtteil: Bitte wählen Sie einen der angebotenen Einträge." in export.get_data(
        as_text=True
    )
    assert client.get("/reports/print").status_code == 200


def test_answer_times_and_overdue_proposals(city):
    from engage.boards.dialogue_models import Thread
    from engage.core.types import utcnow
    from engage.proposals.models import Proposal

    now = utcnow()
    bike, other = db.session.scalars(db.select(Proposal).order_by(Proposal.id)).all()
    bike.qualified_at = now - timedelta(days=11)  # the voting process allows 10 days
    other.submitted_at, other.answered_at = now - timedelta(days=5), now - timedelta(days=2)
    answered = db.session.scalar(db.select(Thread).where(Thread.answered_at.is_not(None)))
    answered.answer_seconds = 3 * 86400
    db.session.commit()
    scope = ReportScope()
    assert figures.overdue_proposals(scope) == 1
    assert figures.proposal_answers(scope).median_days == pytest.approx(3.0)
    assert figures.proposal_answers(scope).share == 0.5
    assert figures.thread_answers(scope).median_days == pytest.approx(3.0)
    bike.qualified_at = now - timedelta(days=9)
    db.session.commit()
    assert figures.overdue_proposals(scope) == 0


def test_months_are_the_municipality_s_months_not_utc(town, make_user, runner):
    """Just after midnight on the 1st, Berlin time, is still the month before in UTC."""
    from datetime import UTC, datetime

    from engage.boards import dialogue_services as dialogue

    people = [make_user("citizen", display_name=f"P{n}") for n in range(4)]
    moments = [
        datetime(2026, 11, 30, 23, 30, tzinfo=UTC),  # 1 December, 00:30 in Berlin (winter)
        datetime(2026, 7, 31, 22, 30, tzinfo=UTC),  # 1 August, 00:30 (summer time)
        datetime(2026, 7, 31, 21, 30, tzinfo=UTC),  # 31 July, 23:30
        datetime(2026, 3, 31, 22, 15, tzinfo=UTC),  # 1 April, 00:15 (summer time since 29 March)
    ]
    for person, moment in zip(people, moments, strict=True):
        thread = dialogue.open_thread(person, f"Frage von {person.display_name}", "Text")
        db.session.flush()
        thread.created_at = moment
    db.session.commit()
    months = figures.over_time(ReportScope())
    assert {month: counts[0] for month, counts in months.items()} == {
        "2026-04": 1, "2026-07": 1, "2026-08": 1, "2026-12": 1}  # fmt: skip
    # The ledger agrees with its sources (check-consistency recomputes the months).
    assert runner.invoke(args=["check-consistency"]).exit_code == 0


def test_a_date_outside_any_plausible_period_is_a_form_error_not_a_crash(client, auth, city):
    auth.login("admin@example.org")
    for query in ("since=0001-01-01", "until=9999-12-31", "since=0001-01-01&until=0001-01-02"):
        page = client.get(f"/reports?{query}")
        assert page.status_code == 200, query
        assert "zwischen den Jahren 1900 und 2999" in page.get_data(as_text=True)
        # An export or the printed report refuses invalid filters (not the whole city's
        # figures under a filter's name), and says which.
        for export in ("/reports/export.csv?table=overview&", "/reports/export.json?",
                       "/reports/print?"):  # fmt: skip
            refused = client.get(f"{export}{query}")
            assert refused.status_code == 400, (export, query)
            assert "zwischen den Jahren 1900 und 2999" in refused.get_data(as_text=True)
    audit = client.get("/moderation/audit?since=0001-01-01&until=9999-12-31")
    assert audit.status_code == 200
    assert "zwischen den Jahren 1900 und 2999" in audit.get_data(as_text=True)


def test_months_read_as_words_on_the_page_and_stay_sortable_in_exports(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        june = tables.Cell("2026-06", "month")
        assert june.display() == "Juni 2026" and tables.short_month("2026-09") == "Sep 26"
        assert june.export() == "2026-06" and june.csv() == "2026-06"
        assert tables.Cell("kein-monat", "month").display() == "kein-monat"
