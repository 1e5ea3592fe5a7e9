"""In German, "Anmelden" means logging in only; a place in a shift is "eingetragen"."""

from __future__ import annotations

import re

from tests.conftest import post_form
from tests.volunteering.conftest import make_shift


def _buttons_and_links(html: str) -> list[str]:
    found = re.findall(r"<(?:button|a)\b[^>]*>(.*?)</(?:button|a)>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in found]


def test_a_visitor_is_asked_to_log_in_to_take_a_place(client, offer):
    make_shift(offer)
    words = _buttons_and_links(client.get(f"/volunteer/{offer.id}").get_data(as_text=True))
    assert "Zum Eintragen anmelden" in words
    assert words.count("Anmelden") == 1  # (the header's log-in, nothing else)
    assert not any("einloggen" in text for text in words)


def test_a_volunteer_enters_and_leaves_a_shift(client, auth, town, offer):
    shift = make_shift(offer)
    auth.login(town["citizen"].email)
    page = f"/volunteer/{offer.id}"
    assert "Eintragen" in _buttons_and_links(client.get(page).get_data(as_text=True))
    response = post_form(client, page, action=f"/volunteer/shifts/{shift.id}/signup")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sie sind für diesen Einsatz eingetragen" in html
    assert "Austragen" in _buttons_and_links(html) and "angemeldet" not in html.lower()
    response = post_form(client, page, action=f"/volunteer/shifts/{shift.id}/cancel")
    assert "Sie sind aus dem Einsatz ausgetragen." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
