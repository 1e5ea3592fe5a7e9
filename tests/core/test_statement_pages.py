"""The accessibility statement, the Leichte Sprache page and the help page describe today's
features and are linked from every page's footer."""

from __future__ import annotations

import re

import pytest

FOOTER_LINKS = ['href="/barrierefreiheit"', 'href="/leichte-sprache"', 'href="/hilfe"']
FEATURES = ["Dialog", "Vorschl", "Einsatz|Einsätze", "Nachweis|Bescheinigung", "Melden", "Bericht",
            "such", "offene Daten"]  # fmt: skip


def _footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dialogue",
        "/proposals",
        "/volunteer",
        "/search?q=Park",
        "/auth/login",
        "/barrierefreiheit",
        "/api",
        "/gibt-es-nicht",
    ],  # fmt: skip
)
def test_every_page_links_the_statement_the_easy_language_and_the_help_page(client, path):
    footer = _footer(client.get(path).get_data(as_text=True))
    for link in FOOTER_LINKS:
        assert link in footer, (path, link)


def test_signed_in_pages_link_them_too(client, town, auth):
    auth.login("umwelt@example.org")
    for path in ["/account", "/notifications", "/proposals/manage", "/volunteer/me"]:
        footer = _footer(client.get(path).get_data(as_text=True))
        assert all(link in footer for link in FOOTER_LINKS), path


def test_the_accessibility_statement_is_complete(client):
    html = client.get("/barrierefreiheit").get_data(as_text=True)
    for needed in ["BITV 2.0", "WCAG 2.1", "Stand der Vereinbarkeit", "Nicht barrierefreie Inhalte",
                   "Feedback und Kontakt", "mailto:", "Schlichtungsverfahren", "§ 16",
                   "Behindertengleichstellungsgesetz", "schlichtungsstelle-bgg.de",
                   "Letzte Überprüfung: 25.11.2026", *FEATURES]:  # fmt: skip
        assert re.search(needed, html, re.IGNORECASE), needed


@pytest.mark.parametrize("path", ["/leichte-sprache", "/hilfe"])
def test_the_easy_language_and_help_pages_describe_every_feature(client, path):
    html = client.get(path).get_data(as_text=True)
    for needed in [*FEATURES, "mailto:"]:
        assert re.search(needed, html, re.IGNORECASE), (path, needed)
