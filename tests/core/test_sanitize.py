"""The one sanitising function for user text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from engage.core.sanitize import breakable_address, excerpt, plain_text, render_user_text


def _elements(html: str) -> list[tuple[str, dict]]:
    """Every element a browser would build from the HTML, with its attributes."""
    found: list[tuple[str, dict]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "<svg/onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_dangerous_markup_never_survives(payload):
    elements = _elements(str(render_user_text(payload)))
    assert {tag for tag, _ in elements} <= {"p", "a", "strong", "em", "code", "pre"}
    for _, attrs in elements:
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:"))


def test_markdown_is_rendered_and_links_are_marked_as_user_content():
    html = str(render_user_text("**wichtig** und https://example.org"))
    assert "<strong>wichtig</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_raw_html_is_shown_as_text_not_dropped():
    assert "&lt;b&gt;fett&lt;/b&gt;" in str(render_user_text("<b>fett</b>"))


def test_plain_text_strips_all_tags():
    assert plain_text("<b>Hallo</b> <i>Welt</i>") == "Hallo Welt"


def test_empty_text_renders_empty():
    assert str(render_user_text(None)) == "" and str(render_user_text("")) == ""


def test_markdown_headings_sit_below_the_page_headings():
    html = str(render_user_text("# Titel\n\n## Unterpunkt\n\n#### tief"))
    assert "<h3>Titel</h3>" in html and "<h4>Unterpunkt</h4>" in html and "<h4>tief</h4>" in html


def test_direction_overrides_cannot_disguise_user_text(client, town):
    """U+202E shows the rest of a line reversed ("gpj.exe" for "exe.jpg"); names, titles and
    texts lose such controls wherever a page shows them."""
    from engage.boards import dialogue_services
    from engage.core.sanitize import excerpt, plain_text, render_user_text
    from engage.extensions import db

    tricky = "Bild\u202egpj.exe\u202c ansehen \u2066isoliert\u2069"
    for shown in (render_user_text(tricky), plain_text(tricky), excerpt(tricky)):
        assert not any(
            ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        )
    assert "gpj.exe" in render_user_text(tricky)
    assert "\u200f" in render_user_text("Hebräisch \u200f marks stay")
    thread = dialogue_services.open_thread(town["citizen"], f"Titel {tricky}", tricky)
    town["citizen"].display_name = "Berta\u202eniM"
    db.session.commit()
    for path in (f"/dialogue/{thread.id}", "/dialogue"):
        page = client.get(path).get_data(as_text=True)
        assert "\u202e" not in page and "\u2066" not in page, path
        assert "gpj.exe" in page


def test_an_address_may_wrap_after_its_at_sign_or_before_a_dot_and_stays_escaped():
    shown = breakable_address("b.m\u202e<x>@musterstadt.example")
    assert shown == "b<wbr>.m&lt;x&gt;@<wbr>musterstadt<wbr>.example"
    assert isinstance(shown, Markup)


def test_the_account_page_shows_the_address_with_wrap_points(client, make_user, auth):
    make_user("citizen", email="lena.schmidt@musterstadt.example")
    auth.login("lena.schmidt@musterstadt.example")
    page = client.get("/account").get_data(as_text=True)
    assert "lena<wbr>.schmidt@<wbr>musterstadt<wbr>.example" in page


def test_an_excerpt_keeps_list_items_apart():
    source = "Wir sammeln Hinweise:\n\n- Hinweise im Dialog sammeln\n- Vorschläge entwickeln\n"
    assert excerpt(source) == (
        "Wir sammeln Hinweise: Hinweise im Dialog sammeln · Vorschläge entwickeln"
    )
    # The last item does not run into the paragraph after the list.
    assert excerpt("- Bäume\n- Pflanzen wünschen\n\nMehr unter Stadtgrün.") == (
        "Bäume · Pflanzen wünschen · Mehr unter Stadtgrün."
    )
