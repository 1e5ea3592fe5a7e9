"""The application factory, settings, health check, headers and error pages."""

from __future__ import annotations

import pytest

from engage import create_app
from engage.extensions import db
from engage.security import CONTENT_SECURITY_POLICY


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.delenv("ENGAGE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="ENGAGE_SECRET_KEY"):
        create_app()
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "change-me")
    with pytest.raises(RuntimeError):
        create_app()


def test_production_starts_with_a_secret_key_and_reads_engage_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "a" * 40)
    monkeypatch.setenv("ENGAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("ENGAGE_MAIL_SERVER", "mail.example.org")
    monkeypatch.setenv("ENGAGE_MAIL_PORT", "2525")
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAIL_SERVER"] == "mail.example.org"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "b" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_healthz_says_degraded_when_redis_is_unreachable(app_config):
    app = create_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert (response.json["status"], response.json["redis"]) == ("degraded", "unavailable")
    assert app.test_client().get("/healthz/live").get_data(as_text=True) == "ok"


def test_proxy_headers_count_only_from_trusted_proxies(app_config):
    forged = {"X-Forwarded-For": "203.0.113.9"}
    plain = create_app(app_config)
    assert _remote_address(plain, forged) == "127.0.0.1"  # nobody trusted: the header is ignored
    behind_one = create_app({**app_config, "TRUSTED_PROXIES": 1})
    assert _remote_address(behind_one, forged) == "203.0.113.9"


def _remote_address(app, headers) -> str:
    """The client address the app (and so the rate limiter) sees for a request."""
    from flask import request

    app.add_url_rule("/_address", "address", lambda: request.remote_addr)
    response = app.test_client().get("/_address", headers=headers,
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})  # fmt: skip
    return response.get_data(as_text=True)


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x@127.0.0.1:1/x"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_security_headers_are_set(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # (tests run on plain http)
    assert len(response.headers.getlist("X-Frame-Options")) == 1


def test_production_asks_browsers_for_https_and_a_view_keeps_its_own_headers(
    monkeypatch, database_url
):
    from engage import create_app

    monkeypatch.setenv("ENGAGE_ENV", "production")
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "a" * 64)
    monkeypatch.setenv("ENGAGE_DATABASE_URL", database_url)
    app = create_app()

    @app.get("/test-own-policy")
    def own_policy():
        return "x", 200, {"Referrer-Policy": "no-referrer", "x-frame-options": "SAMEORIGIN"}

    client = app.test_client()
    response = client.get("https://localhost/healthz/live")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    own = client.get("https://localhost/test-own-policy")
    assert own.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]  # (names: any case)
    assert own.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_pages_have_no_inline_script(client):
    for path in ["/", "/auth/login", "/auth/register", "/impressum"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html


def test_german_is_the_default_language(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Zum Inhalt springen" in html


def test_accept_language_selects_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Skip to content" in html


def test_visitors_switch_the_language_with_a_link(client):
    page = client.get("/hilfe").get_data(as_text=True)
    assert 'href="/language/en?next=/hilfe"' in page
    assert "csrf_token" not in page  # no form: the page can be cached for every visitor
    response = client.get("/language/en?next=/hilfe")
    assert response.status_code == 302 and response.headers["Location"].endswith("/hilfe")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert client.get("/language/fr").status_code == 404


def test_account_holders_switch_with_a_form_that_saves_the_choice(client, auth, make_user):
    from tests.conftest import csrf_from

    user = make_user("citizen", email="sprache@example.org")
    auth.login("sprache@example.org")
    page = client.get("/")
    response = client.post(
        "/language", data={"locale": "en", "next": "/hilfe", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/hilfe")
    db.session.refresh(user)
    assert user.locale == "en"


def test_language_switcher_never_redirects_to_another_host(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"] in ("/", "http://localhost/")


@pytest.mark.parametrize(
    ("lang", "expected"), [("de", "Seite nicht gefunden"), ("en", "Page not found")]
)
def test_unknown_url_gets_a_404_page_in_the_users_language(client, lang, expected):
    response = client.get("/gibt-es-nicht", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert expected in response.get_data(as_text=True)


def test_missing_csrf_token_gets_a_clear_400(client):
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Formular ist abgelaufen" in response.get_data(as_text=True)


def test_unexpected_error_gets_a_500_page_and_json_for_api(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.get_data(as_text=True)
    response = client.get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500 and response.json["error"]["status"] == 500


@pytest.mark.parametrize("code", [400, 403, 404, 409, 429, 500])
def test_every_error_page_is_translated(app, client, code):
    from flask import abort

    app.add_url_rule(f"/fail-{code}", f"fail_{code}", lambda: abort(code))
    response = client.get(f"/fail-{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert f"Fehler {code}" in html and '<html lang="de">' in html


def test_legal_and_help_pages_exist_and_are_linked_from_the_footer(client):
    home = client.get("/").get_data(as_text=True)
    for path in ["/impressum", "/datenschutz", "/barrierefreiheit", "/leichte-sprache", "/hilfe"]:
        assert client.get(path).status_code == 200
        assert f'href="{path}"' in home


def test_static_assets_are_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html.split("<body")[0]
    assert client.get("/static/css/engage.css").status_code == 200
    assert client.get("/static/js/engage.js").status_code == 200


def test_language_switch_after_a_failed_form_returns_to_a_readable_page(client):
    response = client.get("/language/en?next=/account/profile")
    assert response.headers["Location"] == "/account"


def test_a_form_address_opened_as_a_page_leads_to_its_page(client, auth, town):
    """The address bar shows a form's POST-only address after its errors were shown there;
    reloading or opening it again goes to the page the form belongs to, not to a 405."""
    from engage.proposals import services as proposals

    proposal = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        title="Bank am Teich", problem="Keine Bank.", idea="Eine Bank.",
        intended_outcome="Ausruhen.", indicator="Bänke"), submit=True)  # fmt: skip
    db.session.commit()
    auth.login("umwelt@example.org")
    opened = client.get(f"/proposals/{proposal.id}/move")
    assert opened.status_code == 303 and opened.headers["Location"] == f"/proposals/{proposal.id}"
    assert client.get("/moderation/bulk").headers["Location"] == "/moderation"
    # (a program asking for JSON is told the method is wrong)
    asked = client.get(f"/proposals/{proposal.id}/move", headers={"Accept": "application/json"})
    assert asked.status_code == 405 and asked.get_json()["error"]["status"] == 405


def test_the_favicon_browsers_ask_for_is_the_logo(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/static/img/logo.svg")
    logo = client.get(response.headers["Location"])
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"


@pytest.mark.parametrize(("header", "chosen"), [
    ("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de"),
    ("en-GB,en;q=0.9", "en"),
    ("de;q=0.1,en;q=0.9", "en"),  # (the browser's weights count, not the order)
    ("fr-FR,fr;q=0.9", None),  # (the caller falls back to German)
    (";;q=,", None),
    ("", None),
])  # fmt: skip
def test_the_browser_language_is_the_best_of_ours_by_its_weights(app, header, chosen):
    from engage.i18n import browser_language

    for _ in range(2):  # (the second answer comes from the memo: the same)
        with app.test_request_context(headers={"Accept-Language": header}):
            assert browser_language() == chosen


@pytest.mark.parametrize("path", [
    "/proposals/2147483648", "/dialogue/9223372036854775808", "/volunteer/2147483648",
    "/info/100000000000000000000", "/api/v1/proposals/2147483648",
])  # fmt: skip
def test_an_id_beyond_what_the_database_holds_is_a_404_not_a_500(client, path):
    response = client.get(path, headers={"Accept-Language": "de"})
    assert response.status_code == 404


def test_a_form_sent_to_an_id_beyond_the_database_is_a_404(client, auth, town):
    from tests.conftest import post_form

    auth.login("nachbar@example.org")
    response = post_form(client, "/proposals", action="/proposals/2147483648/support")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)
    # The largest id is still an id: no such proposal, the same 404 (it was a 500 above it).
    assert (
        post_form(client, "/proposals", action="/proposals/2147483647/support").status_code == 404
    )
