"""The dashboard from the report cache (Redis): kept rendered, per filter, until recalculated."""

from __future__ import annotations

import re

import pytest

from engage.extensions import db
from tests.conftest import needs_redis, with_empty_redis

pytestmark = needs_redis


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


def _discussions(client, query: str = "") -> str:
    page = client.get(f"/reports{query}").get_data(as_text=True)
    return re.search(r'kpi-value">([^<]*)</span> <span class="kpi-label">Diskussionen<', page)[1]


def test_the_dashboard_is_kept_per_filter_until_recalculated(client, auth, town):
    from engage.boards import dialogue_services as dialogue

    auth.login("admin@example.org")
    nord = f"?district_id={town['nord'].id}"
    assert _discussions(client) == "0" and _discussions(client, nord) == "0"
    dialogue.open_thread(town["citizen"], "Neue Frage", "Text", town["dialogue"])
    db.session.commit()
    assert _discussions(client) == "0"  # as of its computation
    assert _discussions(client, "?refresh=1") == "1"
    assert _discussions(client) == "1"  # the recalculated report is kept for everyone
    assert _discussions(client, nord) == "0"  # another filter: its own report, as of its time
    assert _discussions(client, nord + "&refresh=1") == "1"
    page = client.get("/reports" + nord).get_data(as_text=True)
    assert f"export.csv?table=overview&amp;district_id={town['nord'].id}" in page  # its links
