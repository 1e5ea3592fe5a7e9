"""Visitors' pages come from Redis until a write changes the content; sessions bypass it."""

from __future__ import annotations

import pytest

from engage.core import pagecache
from engage.extensions import db
from tests.conftest import AuthActions, needs_redis, with_empty_redis

pytestmark = needs_redis


@pytest.fixture
def app_config(app_config):
    return with_empty_redis(app_config)


def test_visitor_pages_are_cached_until_content_changes(client, town):
    from engage.boards import dialogue_services as dialogue

    first = client.get("/dialogue")
    assert first.headers["X-Engage-Cache"] == "miss"
    second = client.get("/dialogue")
    assert second.headers["X-Engage-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    assert "Content-Security-Policy" in second.headers  # the security headers still apply
    dialogue.open_thread(town["citizen"], "Neue Frage zum Park", "Text")
    db.session.commit()  # any commit that changed data invalidates every cached page
    third = client.get("/dialogue")
    assert third.headers["X-Engage-Cache"] == "miss"
    assert "Neue Frage zum Park" in third.get_data(as_text=True)


def test_languages_are_cached_apart(client):
    german = client.get("/hilfe", headers={"Accept-Language": "de"}).get_data(as_text=True)
    english = client.get("/hilfe", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="de"' in german and 'lang="en"' in english
    cached = client.get("/hilfe", headers={"Accept-Language": "en"})
    assert cached.headers["X-Engage-Cache"] == "hit" and 'lang="en"' in cached.get_data(
        as_text=True)  # fmt: skip
    assert "Accept-Language" in cached.headers["Vary"]  # (for caches between us and the reader)


def test_sessions_and_forms_bypass_the_cache(client, auth, town):
    login_page = client.get("/auth/login")  # a form: its token belongs to this visitor
    assert "X-Engage-Cache" not in login_page.headers
    AuthActions(client).login("buerger@example.org")
    client.get("/dialogue")
    response = client.get("/dialogue")
    assert "X-Engage-Cache" not in response.headers
    assert "Abmelden" in response.get_data(as_text=True)  # the account holder's own page


def test_the_site_keeps_serving_when_redis_is_gone(app_config, make_user):
    from engage import create_app

    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/hilfe")
    assert response.status_code == 200 and "X-Engage-Cache" not in response.headers
    assert pagecache.VERSION_KEY


def test_reports_are_kept_five_minutes_and_can_be_recalculated(client, auth, town):
    from engage.boards import dialogue_services as dialogue

    auth.login("admin@example.org")

    def discussions() -> int:
        data = client.get("/reports/export.json").get_json(force=True)
        return dict(data["tables"]["overview"]["rows"])["Diskussionen"]

    assert discussions() == 0
    dialogue.open_thread(town["citizen"], "Neue Frage", "Text", town["dialogue"])
    db.session.commit()
    assert discussions() == 0  # the report computed a moment ago, as of its time
    assert "Stand:" in client.get("/reports?refresh=1").get_data(as_text=True)
    assert discussions() == 1


def _versions() -> tuple[int, int]:
    import redis

    from tests.conftest import TEST_REDIS_URL

    content, accounts = redis.Redis.from_url(TEST_REDIS_URL).mget(
        pagecache.VERSION_KEY, pagecache.ACCOUNTS_KEY
    )
    return int(content or 0), int(accounts or 0)


def test_each_write_raises_the_versions_of_what_it_changed(client, town):
    from sqlalchemy import delete

    from engage.accounts.models import UserSession
    from engage.boards import dialogue_services as dialogue

    content, accounts = _versions()
    dialogue.open_thread(town["citizen"], "Neue Frage zum Park", "Text")
    db.session.commit()  # content: the accounts' kept users stay
    assert _versions() == (content + 1, accounts)
    db.session.execute(delete(UserSession).where(UserSession.user_id == town["citizen"].id))
    db.session.commit()  # a log-out: the visitors' pages stay
    assert _versions() == (content + 1, accounts + 1)
    names = _names_version()
    town["citizen"].display_name = "Bea Neu"
    db.session.commit()  # pages show names: both (and the names of kept replies)
    assert _versions() == (content + 2, accounts + 2)
    assert _names_version() == names + 1


def test_a_log_in_leaves_the_pages_and_the_names(client, town):
    """Logging in writes the session record and the account's last log-in, which no page
    shows: the kept users are renewed, the visitors' pages and the kept replies are not."""
    assert client.get("/dialogue").headers["X-Engage-Cache"] == "miss"
    content, accounts = _versions()
    names = _names_version()
    AuthActions(client.application.test_client()).login("buerger@example.org")
    assert _versions()[0] == content and _versions()[1] > accounts
    assert _names_version() == names
    assert client.get("/dialogue").headers["X-Engage-Cache"] == "hit"
    town["citizen"].password_hash = "changed"
    db.session.commit()  # (a new password: not shown either)
    assert _versions()[0] == content
    town["citizen"].locale = "en"
    db.session.commit()  # any other column counts as shown
    assert _versions()[0] == content + 1 and _names_version() == names + 1


def _names_version() -> int:
    import redis

    from tests.conftest import TEST_REDIS_URL

    return int(redis.Redis.from_url(TEST_REDIS_URL).get(pagecache.NAMES_KEY) or 0)


def test_the_report_filters_kept_by_a_worker_list_a_process_published_meanwhile(client, auth,
                                                                                town):  # fmt: skip
    from engage.processes import services as processes
    from engage.processes.models import PhaseKind

    auth.login("admin@example.org")
    assert "Spielplätze im Süden" not in client.get("/reports").get_data(as_text=True)
    today = town["dialogue"].phases[0].starts_on
    new = processes.create_process(town["admin"], processes.ProcessData(
        title="Spielplätze im Süden", summary="x", body="",
        department_id=town["dialogue"].department_id,
        district_id=None, support_threshold=5, answer_deadline_days=10,
        phases=[processes.PhaseDates(PhaseKind.DIALOGUE, today, today)]))  # fmt: skip
    processes.publish_process(new, town["admin"])
    db.session.commit()
    html = client.get("/reports").get_data(as_text=True)
    assert f'<option value="{new.id}">Spielplätze im Süden</option>' in html


def test_a_support_sees_a_phase_ending_at_once(client, auth, town):
    """The process a support's check reads is kept per worker, under the processes version."""
    from datetime import timedelta

    from engage.proposals import services as proposals
    from engage.proposals.models import Support
    from tests.conftest import post_form

    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        "Mehr Bänke", "Zu wenig Sitzplätze", "Bänke aufstellen", "Mehr Aufenthalt",
        "Zahl der Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    auth.login("nachbar@example.org")
    url = f"/proposals/{proposal.id}"
    assert post_form(client, url, f"{url}/support", intent="support").status_code == 302
    assert post_form(client, url, f"{url}/support", intent="withdraw").status_code == 302
    phase = town["voting"].phases[0]
    phase.ends_on = phase.starts_on = phase.starts_on - timedelta(days=5)
    db.session.commit()  # the voting phase is over
    # Refused at once: back to the page, which says the proposal is no longer open for support.
    refused = post_form(client, url, f"{url}/support", intent="support")
    assert refused.status_code == 302
    assert "nicht mehr zur Unterstützung offen" in client.get(url).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Support)) == 0


def test_a_support_renews_the_kept_pages_that_count_it(app, client, auth, town):
    from engage.proposals import services as proposals
    from tests.conftest import post_form

    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        "Mehr Bänke", "Zu wenig Sitzplätze", "Bänke aufstellen", "Mehr Aufenthalt",
        "Zahl der Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    url, visitor = f"/proposals/{proposal.id}", app.test_client()
    visitor.get(url)
    assert visitor.get(url).headers["X-Engage-Cache"] == "hit"
    auth.login("nachbar@example.org")
    client.get(url)  # the supporter's own page is kept too
    assert post_form(client, url, f"{url}/support", intent="support").status_code == 302
    assert "<strong>1</strong>" in client.get(url).get_data(as_text=True)
    page = visitor.get(url)
    assert page.headers["X-Engage-Cache"] == "miss" and "<strong>1</strong>" in page.get_data(
        as_text=True)  # fmt: skip
