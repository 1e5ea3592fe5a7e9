"""The exports say what the page says: shares in percent in the CSV, file names in the
reader's language; the JSON stays plain numbers for programs."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from engage.reports import tables, views


def _csv(client, query: str, **headers) -> tuple[list[list[str]], str]:
    response = client.get(f"/reports/export.csv?{query}", headers=headers)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))  # fmt: skip
    return rows, response.headers["Content-Disposition"]


def test_shares_in_the_csv_are_percent_as_on_the_page(client, auth, city):
    auth.login("admin@example.org")
    page = client.get("/reports").get_data(as_text=True)
    # One of three discussions has an official answer: the page says 33 %.
    assert re.search(r'kpi-value">33\s%</span> <span class="kpi-label">Diskussionen mit '
                     r"offizieller Antwort", page)  # fmt: skip
    rows, _disposition = _csv(client, "table=overview")
    assert rows[0] == ["Kennzahl", "Wert"]
    figures = dict(rows[1:])
    assert figures["Diskussionen mit offizieller Antwort (%)"] == "33,33"
    assert figures["Vorschläge mit offizieller Antwort (%)"] == "0"
    assert figures["Quote „nicht gekommen“ (%)"] == "0"
    assert figures["Teilnehmende (verschiedene Personen)"] == "7"  # counts keep their label
    assert figures["Engagementstunden"] == "3,5"
    # The JSON export is for programs: a share stays a fraction from 0 to 1.
    data = json.loads(client.get("/reports/export.json").get_data())
    overview = dict(data["tables"]["overview"]["rows"])
    assert overview["Diskussionen mit offizieller Antwort"] == pytest.approx(0.3333)


def test_a_column_of_shares_says_percent_in_its_header(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        table = tables.Table("t", "T", ["Stadtteil", "Anteil", "Anzahl"], [
            [tables.Cell("Nord", "text"), tables.Cell(1, "share"), tables.Cell(3)],
            [tables.Cell("Süd", "text"), tables.Cell(0.125, "share"), tables.Cell(None)],
        ])  # fmt: skip
        assert tables.csv_lines(table) == [
            ["Stadtteil", "Anteil (%)", "Anzahl"],
            ["Nord", "100", "3"],
            ["Süd", "12,5", ""],
        ]
        assert tables.Cell(None, "share").csv() == ""


def test_csv_file_names_follow_the_reader_s_language(client, auth, city):
    auth.login("admin@example.org")
    _rows, german = _csv(client, "table=overview")
    assert german == "attachment; filename=bericht-uebersicht.csv"
    rows, english = _csv(client, "table=overview", **{"Accept-Language": "en"})
    assert english == "attachment; filename=report-overview.csv"
    assert rows[0] == ["Figure", "Value"]
    assert dict(rows[1:])["Discussions with an official answer (%)"] == "33,33"
    _rows, districts = _csv(client, "table=districts")
    assert districts.endswith("filename=bericht-stadtteile.csv")
    # A filtered export says so in its name (a district's file is not the whole city's).
    nord = city["nord"].id
    _rows, filtered = _csv(client, f"table=overview&district_id={nord}&since=2026-01-01")
    assert filtered.endswith("filename=bericht-uebersicht-nordviertel-ab-2026-01-01.csv")
    _rows, english = _csv(client, f"table=districts&district_id={nord}&until=2026-06-30",
                          **{"Accept-Language": "en"})  # fmt: skip
    assert english.endswith("filename=report-districts-nordviertel-to-2026-06-30.csv")
    json_name = client.get("/reports/export.json", headers={"Accept-Language": "en"})
    assert json_name.headers["Content-Disposition"] == "attachment; filename=report.json"


def test_every_export_file_name_is_plain_ascii(app):
    for _stem, names in views.FILE_NAMES.values():
        assert set(names) == set(tables.BUILDERS)
        for name in names.values():
            assert re.fullmatch(r"[a-z0-9-]+", name), name
    assert set(app.config["LANGUAGES"]) == set(views.FILE_NAMES)
