"""The open-data API: public items in pages, private ones never, and no personal data."""

from __future__ import annotations

import pytest

from tests.api.conftest import SECRET

LISTS = ["processes", "announcements", "threads", "proposals", "offers", "shifts"]
PERSONAL = ["Ulla", "Bernd", "Nina", "@example.org", "author", "user_id", "display_name"]


def test_every_list_answers_a_page_with_the_public_items(client, open_data):
    totals = {}
    for name in LISTS:
        response = client.get(f"/api/v1/{name}")
        assert response.status_code == 200, name
        body = response.get_json()
        assert set(body) == {"items", "page", "per_page", "total", "next", "previous"}
        assert body["page"] == 1 and body["per_page"] == 20 and body["next"] is None
        totals[name] = body["total"]
    assert totals == {"processes": 2, "announcements": 1, "threads": 1, "proposals": 1,
                      "offers": 1, "shifts": 1}  # fmt: skip


def test_hidden_pending_draft_deleted_and_scheduled_items_never_appear(client, open_data):
    paths = [f"/api/v1/{name}?per_page=100" for name in LISTS]
    paths += [f"/api/v1/{name}/{n}" for name in LISTS for n in range(1, 8)]
    paths += [f"/api/v1/processes/{open_data['draft_process'].slug}"]
    for path in paths:
        text = client.get(path).get_data(as_text=True)
        assert SECRET not in text, path
    assert client.get(f"/api/v1/processes/{open_data['draft_process'].id}").status_code == 404


def test_no_personal_data_in_any_answer(client, open_data):
    paths = [f"/api/v1/{name}" for name in LISTS]
    paths += [f"/api/v1/threads/{open_data['thread'].id}",
              f"/api/v1/proposals/{open_data['proposal'].id}",
              f"/api/v1/offers/{open_data['offer'].id}"]  # fmt: skip
    for path in paths:
        text = client.get(path).get_data(as_text=True)
        for word in PERSONAL:
            assert word not in text, (path, word)


def test_proposal_shows_status_supports_answer_and_indicator(client, open_data):
    proposal = open_data["proposal"]
    body = client.get(f"/api/v1/proposals/{proposal.id}").get_json()
    assert body["status"] == "accepted"
    assert body["support_count"] == 0
    assert body["official_response"] == "Wir pflanzen zehn Bäume."
    assert (body["indicator"], body["baseline"], body["target"]) == (
        "Temperatur im Sommer", "35 Grad", "31 Grad")  # fmt: skip
    assert body["district"]["name"] == "Nordviertel"
    assert body["department"]["name"] == "Umwelt"
    assert body["process"]["slug"] == open_data["process"].slug


def test_offer_lists_its_shifts_in_utc_with_places_taken(client, open_data):
    body = client.get(f"/api/v1/offers/{open_data['offer'].id}").get_json()
    [shift] = body["shifts"]
    assert shift["starts_at"].endswith("Z")
    assert (shift["capacity"], shift["places_taken"]) == (3, 1)
    assert body["proposal_id"] == open_data["proposal"].id
    assert "contact" not in body


def test_thread_carries_its_reply_count_without_author(client, open_data):
    body = client.get(f"/api/v1/threads/{open_data['thread'].id}").get_json()
    assert body["reply_count"] == 1
    assert body["title"] == "Mehr Bänke am Markt"


def test_process_is_found_by_number_and_by_address(client, open_data):
    process = open_data["process"]
    by_slug = client.get(f"/api/v1/processes/{process.slug}").get_json()
    by_id = client.get(f"/api/v1/processes/{process.id}").get_json()
    assert by_slug == by_id
    assert by_slug["phases"][0]["kind"] == "dialogue"


def test_pages_link_to_the_next_and_previous_page(client, open_data):
    first = client.get("/api/v1/processes?per_page=1").get_json()
    assert first["total"] == 2 and len(first["items"]) == 1
    assert first["next"].endswith("/api/v1/processes?page=2&per_page=1")
    second = client.get("/api/v1/processes?page=2&per_page=1").get_json()
    assert second["next"] is None and second["previous"].endswith("page=1&per_page=1")
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert client.get("/api/v1/processes?page=50").get_json()["items"] == []


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=abc", "per_page=0",
                                   "page=-1", "page=1.5", "per_page=", "page=%00"])  # fmt: skip
def test_bad_query_parameters_are_answered_with_400_json(client, query):
    response = client.get(f"/api/v1/proposals?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert "page" in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/proposals/999",
        "/api/v1/processes/gibt-es-nicht",
        "/api/v1/threads/99999999999999999999",
        "/api/v1/nichts",
    ],
)
def test_unknown_items_are_answered_with_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_open_data_may_be_read_from_any_origin_and_cached(client):
    response = client.get("/api/v1/processes")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response.headers["Cache-Control"]
    assert client.get("/api/v1/nichts").headers["Access-Control-Allow-Origin"] == "*"


@pytest.fixture
def strict_limit(app_config):
    app_config["API_RATE_LIMIT"] = "2 per minute"


def test_too_many_requests_are_answered_with_429_json(strict_limit, client):
    assert client.get("/api/v1/threads").status_code == 200
    assert client.get("/api/v1/threads").status_code == 200
    response = client.get("/api/v1/threads")
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429


def test_openapi_document_describes_every_resource_and_the_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    for name in ["Process", "Announcement", "Thread", "Proposal", "Offer", "Shift", "Error"]:
        assert name in schemas
    for path in ["/processes", "/proposals/{id}", "/offers", "/shifts/{id}"]:
        assert path in document["paths"]
    responses = document["paths"]["/proposals"]["get"]["responses"]
    assert {"200", "400", "429"} <= set(responses)
    assert "404" in document["paths"]["/proposals/{id}"]["get"]["responses"]
    per_page = document["components"]["parameters"]["per_page"]["schema"]
    assert (per_page["minimum"], per_page["maximum"]) == (1, 100)


def test_the_help_page_links_to_the_open_data_page(client):
    assert 'href="/api"' in client.get("/hilfe").get_data(as_text=True)
    page = client.get("/api").get_data(as_text=True)
    assert "Offene Daten" in page and "/api/v1/openapi.json" in page


@pytest.fixture
def count_queries(app):
    """count_queries(path) → how many SQL statements one GET of the path runs."""
    from sqlalchemy import event

    from engage.extensions import db

    def count(client, path: str) -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    return count


def test_lists_run_as_many_queries_for_few_items_as_for_many(
    client, open_data, town, count_queries
):
    from tests.api.conftest import add_more

    add_more(town, open_data)
    before = {name: count_queries(client, f"/api/v1/{name}") for name in LISTS}
    add_more(town, open_data)
    for name in LISTS:
        assert client.get(f"/api/v1/{name}").get_json()["total"] >= 4, name
        assert count_queries(client, f"/api/v1/{name}") == before[name], name


def test_the_version_s_address_lists_its_resources(client):
    for path in ("/api/v1", "/api/v1/"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        index = answer.get_json()
        assert index["description"].endswith("/api/v1/openapi.json")
        assert index["resources"]["proposals"]["url"].endswith("/api/v1/proposals")
        assert set(index["resources"]) == {"processes", "announcements", "threads", "proposals",
                                           "offers", "shifts"}  # fmt: skip
        for resource in index["resources"].values():
            assert client.get(resource["url"]).status_code == 200
