"""Sessions end when they should, and their cookies are locked down in production (ASVS V3).

Already covered in tests/accounts/test_views.py: log-out in the same browser, "log out
everywhere", and a password change ending the other sessions but keeping this one.
"""

from __future__ import annotations

import pytest

from tests.conftest import AuthActions, csrf_from


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


# Known gap (ASVS 3.3.1): the session lives in a signed cookie, and log-out only clears the
# browser's copy; a copy taken before (a shared computer, a stolen cookie) stays valid until the
# user logs out everywhere or changes the password. Closing it needs server-side state per
# session (or log-out ending every session); see the report of issue #10.
LOGOUT_GAP = pytest.mark.xfail(strict=True, reason="log-out does not revoke a copied cookie")


@LOGOUT_GAP
def test_a_cookie_copied_before_log_out_no_longer_works_after_it(app, make_user):
    make_user(email="anna@example.org")
    browser, attacker = app.test_client(), app.test_client()
    AuthActions(browser).login("anna@example.org")
    copied = _cookie(browser, "session")
    AuthActions(browser).logout()
    attacker.set_cookie("session", copied)
    response = attacker.get("/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@LOGOUT_GAP
def test_a_remember_cookie_copied_before_log_out_no_longer_works_after_it(app, make_user):
    make_user(email="anna@example.org")
    browser, attacker = app.test_client(), app.test_client()
    page = browser.get("/auth/login")
    browser.post("/auth/login", data={"email": "anna@example.org", "password": TEST_PASSWORD,
                                      "remember": "y", "csrf_token": csrf_from(page)})  # fmt: skip
    copied = _cookie(browser, "remember_token")
    AuthActions(browser).logout()
    attacker.set_cookie("remember_token", copied)
    assert attacker.get("/account").status_code == 302


def test_a_password_change_ends_a_session_copied_elsewhere(app, make_user):
    from tests.accounts.test_views import GOOD_PASSWORD
    from tests.conftest import post_form

    make_user(email="anna@example.org")
    laptop, thief = app.test_client(), app.test_client()
    AuthActions(laptop).login("anna@example.org")
    thief.set_cookie("session", _cookie(laptop, "session"))
    assert thief.get("/account").status_code == 200
    post_form(laptop, "/account", action="/account/password", pw__current_password=TEST_PASSWORD,
              pw__password=GOOD_PASSWORD, pw__confirm=GOOD_PASSWORD)  # fmt: skip
    assert laptop.get("/account").status_code == 200
    assert thief.get("/account").status_code == 302


def test_production_cookies_are_secure_httponly_and_samesite_lax(monkeypatch, database_url):
    from engage import create_app
    from engage.accounts import services
    from engage.accounts.models import Role
    from engage.extensions import db

    monkeypatch.setenv("ENGAGE_ENV", "production")
    monkeypatch.setenv("ENGAGE_SECRET_KEY", "a" * 64)
    monkeypatch.setenv("ENGAGE_DATABASE_URL", database_url)
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    with app.app_context():
        services.create_user("anna@example.org", TEST_PASSWORD, Role.CITIZEN, verified=True)
        db.session.commit()
        client = app.test_client()
        base = "https://localhost"
        page = client.get(f"{base}/auth/login")
        response = client.post(f"{base}/auth/login", data={
            "email": "anna@example.org", "password": TEST_PASSWORD, "remember": "y",
            "csrf_token": csrf_from(page)}, headers={"Referer": f"{base}/auth/login"})  # fmt: skip
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        flags = {part.strip().lower() for part in cookies[name].split(";")}
        assert {"secure", "httponly", "samesite=lax"} <= flags, cookies[name]


TEST_PASSWORD = "correct horse battery"
