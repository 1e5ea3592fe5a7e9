"""Arbitrary input into every form and every list filter answers without a server error.

The default profile is small (CI); `ENGAGE_FUZZ_PROFILE=large` or `make fuzz` tries many more.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import csrf_from
from tests.security.forms import forms_of

_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
# CI: the same examples on every run (derandomized), so that a red build is reproducible and
# not the luck of the draw; `make fuzz` explores new inputs each time.
settings.register_profile("ci", max_examples=15, derandomize=True, **_COMMON)
settings.register_profile("large", max_examples=400, **_COMMON)
PROFILE = os.environ.get("ENGAGE_FUZZ_PROFILE", "ci")

NASTY = st.sampled_from([
    "", " ", "-1", "0", "-99999999999999999999", "99999999999999999999", "1e308", "NaN", "sNaN",
    "inf",
    "2026-02-30", "9999-12-31", "0000-00-00", "-2026-01-01", "1.5", "0x10", "١٢", "Ⅻ", "\x00",
    "a\x00b", "\ud7ff", "' OR '1'='1", "<script>alert(1)</script>", "%s%n", "../../etc/passwd",
    "ü" * 5000, "🙂" * 300, "\u202e", "\r\n", "null", "true", "[]", "{}",
])  # fmt: skip
VALUE = st.one_of(NASTY, st.text(max_size=200), st.integers(-(10**30), 10**30).map(str))

# (who, page with the form, the form's action or None for the page itself)
FORMS = [
    ("visitor", "/auth/register", None),
    ("visitor", "/auth/login", None),
    ("visitor", "/auth/reset", None),
    ("citizen", "/account", "/account/profile"),
    ("citizen", "/account", "/account/preferences"),
    ("citizen", "/account", "/account/email"),
    ("citizen", "/account", "/account/password"),
    ("citizen", "/dialogue/new", None),
    ("neighbour", "/dialogue/{thread}", "/dialogue/{thread}/reply"),
    ("citizen", "/dialogue/{thread}/edit", None),
    ("citizen", "/proposals/new?process={voting}", None),
    ("citizen", "/proposals/{proposal}/edit", None),
    ("neighbour", "/proposals/{proposal}", "/proposals/{proposal}/comments"),
    ("staff", "/volunteer/new", None),
    ("staff", "/volunteer/{offer}/edit", None),
    ("staff", "/volunteer/{offer}", "/volunteer/{offer}/shifts"),
    ("staff", "/info/new", None),
    ("admin", "/processes/new", None),
    ("admin", "/admin/settings", None),
    ("admin", "/admin/invite", None),
    ("neighbour", "/moderation/flag/thread/{thread}", None),
]
# (who, list page): the query parameters are those of its filter form, plus page and sort.
LISTS = [
    ("visitor", "/dialogue"), ("visitor", "/proposals"), ("visitor", "/volunteer"),
    ("visitor", "/info"), ("visitor", "/processes"), ("visitor", "/search"),
    ("visitor", "/moderation/transparency"), ("visitor", "/api/v1/proposals"),
    ("visitor", "/api/v1/shifts"), ("citizen", "/notifications"), ("staff", "/proposals/manage"),
    ("staff", "/volunteer/manage"), ("moderator", "/moderation"),
    ("moderator", "/moderation/audit"),
    ("admin", "/reports"), ("admin", "/admin/users"),
]  # fmt: skip
EXTRA_PARAMS = ["page", "sort", "q", "status", "district_id", "process_id", "from", "to"]


@pytest.fixture
def fuzz_clients(clients, world, make_user, app):
    clients = dict(clients)
    from tests.conftest import AuthActions

    clients["neighbour"] = app.test_client()
    AuthActions(clients["neighbour"]).login("nachbar@example.org")
    return clients


def _fill(url: str, world: dict) -> str:
    ids = {key: world[key].id for key in ("thread", "proposal", "offer", "voting")}
    return url.format(**ids)


def _no_server_error(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


@pytest.mark.parametrize("who, page, action", FORMS, ids=[f"{p}->{a or ''}" for _, p, a in FORMS])
@settings(settings.get_profile(PROFILE))
@given(data=st.data())
def test_arbitrary_input_into_a_form_is_never_a_server_error(app, world, fuzz_clients, who, page,
                                                             action, data):  # fmt: skip
    client, page, action = fuzz_clients[who], _fill(page, world), _fill(action or page, world)
    response = client.get(page)
    assert response.status_code == 200, page
    path = action.split("?")[0]
    found = [f for f in forms_of(response.get_data(as_text=True), page)
             if f.method == "post" and f.action.split("?")[0] == path]  # fmt: skip
    assert found, f"no form posting to {action} on {page}"
    token = csrf_from(response)
    fields = {name: data.draw(VALUE, label=name) for name in found[0].fields}
    prefixes = {name.split("-")[0] for name in fields if "-" in name}
    tokens = {f"{prefix}-csrf_token": token for prefix in prefixes}
    _no_server_error(client.post(action, data={"csrf_token": token, **tokens, **fields}), action)


@pytest.mark.parametrize("who, page", LISTS, ids=[p for _, p in LISTS])
@settings(settings.get_profile(PROFILE))
@given(data=st.data())
def test_arbitrary_filters_and_pages_of_a_list_are_never_a_server_error(
    app, world, fuzz_clients, who, page, data
):
    client = fuzz_clients[who]
    html = client.get(page).get_data(as_text=True)
    names = {name for f in forms_of(html, page) if f.method == "get" for name in f.fields}
    names = sorted(names | set(EXTRA_PARAMS))
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique=True))
    params = {name: data.draw(VALUE, label=name) for name in chosen}
    _no_server_error(client.get(page, query_string=params), f"{page} {params}")


def test_a_nul_character_in_the_user_search_is_not_a_server_error(client, auth, town):
    auth.login("admin@example.org")
    assert client.get("/admin/users", query_string={"q": "a\x00b"}).status_code == 200
