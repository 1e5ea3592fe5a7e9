"""Paginated lists: a page past the last one leads to the last one, with the filters kept."""

from __future__ import annotations

import pytest

from engage.boards import dialogue_services
from engage.extensions import db
from tests.conftest import path_of

# (who is logged in, list); each list of the town has a single page or none.
LISTS = [
    (None, "/processes"),
    (None, "/proposals"),
    (None, "/dialogue"),
    (None, "/info"),
    (None, "/volunteer"),
    (None, "/search?q=Norden"),
    ("citizen", "/notifications"),
    ("moderator", "/moderation"),
    ("moderator", "/moderation/audit"),
    ("admin", "/admin/users"),
]


@pytest.fixture
def login_as(town, make_user, auth):
    def login(who: str | None) -> None:
        if who == "moderator":
            auth.login(make_user("moderator", email="moderation@example.org").email)
        elif who:
            auth.login(town[who].email)

    return login


@pytest.mark.parametrize("who, url", LISTS, ids=[url for _, url in LISTS])
def test_a_page_past_the_last_leads_to_the_last_page(client, login_as, who, url):
    login_as(who)
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}page=999")
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == url
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", ""])
def test_a_page_that_is_no_page_number_shows_the_first_page(client, town, page):
    response = client.get("/processes", query_string={"page": page})
    assert response.status_code == 200
    assert "Grün im Norden" in response.get_data(as_text=True)


def test_a_page_number_too_large_for_the_database_leads_to_the_last_page(client, town):
    response = client.get("/processes", query_string={"page": "9" * 30})
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == "/processes"


def test_the_redirect_keeps_the_filters_and_names_the_last_page(client, town, monkeypatch):
    monkeypatch.setattr("engage.processes.views.PER_PAGE", 1)
    response = client.get(f"/processes?district={town['nord'].id}&page=999")
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == f"/processes?district={town['nord'].id}&page=2"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 Verfahren" in html and "Kein Beteiligungsverfahren" not in html
    assert ("Grün im Norden" in html) != ("Abstimmung Radwege" in html)


def test_the_last_page_itself_is_shown(client, town, monkeypatch):
    monkeypatch.setattr("engage.processes.views.PER_PAGE", 1)
    assert client.get("/processes?page=2").status_code == 200
    assert client.get("/processes?page=3").status_code == 302


def test_a_page_of_replies_past_the_last_leads_to_the_thread(client, town):
    thread = dialogue_services.open_thread(town["citizen"], "Wo parken Fahrräder?", "Frage",
                                           town["dialogue"])  # fmt: skip
    db.session.commit()
    response = client.get(f"/dialogue/{thread.id}?page=7")
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == f"/dialogue/{thread.id}"
