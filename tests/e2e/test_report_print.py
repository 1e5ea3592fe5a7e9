"""A council member opens the report, filters it and prints it on A4 paper."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations


def test_council_member_prints_the_report_on_a4(app, page, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    from engage.demo import DEMO_PASSWORD

    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("rat@musterstadt.example")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Berichte").first.click()
    expect(page.get_by_role("heading", name="Beteiligungsbericht")).to_be_visible()
    page.get_by_label("Stadtteil", exact=True).select_option(label="Südstadt")
    page.get_by_role("button", name="Anzeigen").click()
    assert "district_id=" in page.url
    assert axe_violations(page) == []
    page.get_by_role("link", name="Bericht zum Drucken").click()
    expect(page.locator("header.certificate-head")).to_contain_text("Stadtteil: Südstadt")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.get_by_role("img", name="Vorschläge je Stufe").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    [box] = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)[:1]
    assert (round(float(box[0])), round(float(box[1]))) == (595, 842)  # A4 in points
    pages = int(re.search(rb"/Count (\d+)", pdf).group(1))
    assert 1 <= pages <= 4
