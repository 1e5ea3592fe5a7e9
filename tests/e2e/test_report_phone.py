"""A council member reads the report on a phone: tables as blocks, charts with readable labels,
nothing scrolls sideways; on paper the same report keeps its tables and wide charts."""

from __future__ import annotations

from engage.demo import DEMO_PASSWORD
from tests.e2e.conftest import axe_violations

# The smallest rendered size of a visible chart label or value, in CSS pixels.
_CHART_TEXT_PX = """() => Math.min(...[...document.querySelectorAll('.chart text')]
  .filter((t) => t.getBoundingClientRect().width > 0)
  .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""

# Each report table's region: its width, the width of what it holds, and for a table shown as
# blocks, whether every value stands beside its column's name.
_TABLES = """() => [...document.querySelectorAll('.report-wrap')].map((wrap) => ({
  title: wrap.getAttribute('aria-label'), overflow: wrap.scrollWidth - wrap.clientWidth,
  stacked: getComputedStyle(wrap.querySelector('tbody tr')).display === 'block',
  named: [...wrap.querySelectorAll('td:not(.empty)')].every((td) => {
    const label = td.querySelector('.cell-label');
    return !label || (label.getBoundingClientRect().width > 0
                      && label.getAttribute('aria-hidden') === 'true');
  }),
}))"""


def _log_in(page) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("rat@musterstadt.example")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_the_report_reads_on_a_phone_and_prints_as_before(app, page, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    _log_in(page)
    for path in ("/reports", "/reports/print"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.evaluate(_CHART_TEXT_PX) >= 12, path
        # Each chart is met once: the phone's drawing, the wide one hidden.
        assert page.locator(".chart-narrow").first.is_visible()
        assert not page.locator(".chart-wide").first.is_visible()
        assert page.get_by_role("img", name="Vorschläge je Stufe").count() == 1
        found = {t["title"]: t for t in page.evaluate(_TABLES)}
        for title in ("Je Stadtteil", "Je Beteiligungsverfahren", "Wirkung umgesetzter Vorschläge"):
            assert found[title]["stacked"] and found[title]["named"], (path, found[title])
        assert all(t["overflow"] <= 1 for t in found.values()), (path, found)
        assert not found["Beteiligung pro Monat"]["stacked"]  # three columns fit as a table
        # The screen reader still meets a table with its headers.
        districts = page.get_by_role("table", name="Je Stadtteil")
        assert districts.get_by_role("columnheader").count() == 9
        assert districts.get_by_role("rowheader", name="Südstadt").count() == 1
        assert axe_violations(page) == [], path
        # At desktop width the same page shows the wide drawings and plain tables.
        page.set_viewport_size({"width": 1280, "height": 900})
        assert page.evaluate(_CHART_TEXT_PX) >= 12, path
        assert page.locator(".chart-wide").first.is_visible()
        assert not any(t["stacked"] for t in page.evaluate(_TABLES)), path
    # On paper (printed from a phone, too): wide charts, tables with their header rows.
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(media="print")
    assert page.locator(".chart-wide").first.is_visible()
    assert not page.locator(".chart-narrow").first.is_visible()
    assert page.locator(".report-table-stack thead").first.is_visible()
    assert not any(t["stacked"] for t in page.evaluate(_TABLES))
