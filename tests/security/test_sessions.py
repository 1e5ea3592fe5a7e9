"""Sessions end when they should, and their cookies are locked down in production (ASVS V3).

Already covered in tests/accounts/test_views.py: log-out in the same browser, "log out
everywhere", and a password change ending the other sessions but keeping this one.
"""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import AuthActions, csrf_from


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


# ASVS 3.3.1: log-out deletes the server-side session record, so a copy of the cookies taken
# before (a shared computer, a stolen cookie) stops working too.
def test_a_cookie_copied_before_log_out_no_longer_works_after_it(app, make_user):
    make_user(email="anna@example.org")
    browser, attacker = app.test_client(), app.test_client()
    AuthActions(browser).login("anna@example.org")
    copied = _cookie(browser, "session")
    AuthActions(browser).logout()
    attacker.set_cookie("session", copied)
    response = attacker.get("/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


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


def test_a_remember_cookie_logs_in_again_while_its_record_lives(app, make_user):
    make_user(email="anna@example.org")
    browser, later = app.test_client(), app.test_client()
    page = browser.get("/auth/login")
    browser.post("/auth/login", data={"email": "anna@example.org", "password": TEST_PASSWORD,
                                      "remember": "y", "csrf_token": csrf_from(page)})  # fmt: skip
    later.set_cookie("remember_token", _cookie(browser, "remember_token"))  # the browser restarted
    assert later.get("/account").status_code == 200


def _records(user_id: int):
    from sqlalchemy import select

    from engage.accounts.models import UserSession
    from engage.extensions import db

    db.session.expire_all()
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)).all()


def test_each_log_in_keeps_a_record_and_log_out_deletes_only_its_own(app, make_user):
    anna = make_user(email="anna@example.org")
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login("anna@example.org")
    phone.get("/auth/login", headers={"User-Agent": "Phone-Browser/1.0 " + "x" * 300})
    AuthActions(phone).login("anna@example.org")
    records = _records(anna.id)
    assert len(records) == 2
    assert len({r.id for r in records}) == 2 and all(len(r.id) >= 43 for r in records)
    AuthActions(phone).logout()
    assert len(_records(anna.id)) == 1
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_log_out_everywhere_deletes_every_record_and_the_calendar_link(app, make_user):
    from tests.conftest import post_form

    anna = make_user(email="anna@example.org")
    laptop, phone = app.test_client(), app.test_client()
    for browser in (laptop, phone):
        AuthActions(browser).login("anna@example.org")
    feed = _feed_path(laptop)
    assert laptop.get(feed).status_code == 200
    post_form(laptop, "/", action="/auth/logout", everywhere="1")
    assert _records(anna.id) == []
    assert phone.get("/account").status_code == 302
    assert app.test_client().get(feed).status_code == 404


def _feed_path(client) -> str:
    import re

    page = client.get("/volunteer/me").get_data(as_text=True)
    return re.search(r"(/volunteer/me\.ics\?token=[^\"&<\s]+)", page).group(1)


def test_a_forged_or_malformed_session_key_is_logged_out(app, make_user):
    from engage.accounts.session import load_user

    anna = make_user(email="anna@example.org")
    browser = app.test_client()
    AuthActions(browser).login("anna@example.org")
    [record] = _records(anna.id)
    assert load_user(f"{anna.id}:{record.id}").id == anna.id
    other = make_user(email="bert@example.org")
    for key in (f"{other.id}:{record.id}", f"{anna.id}:{'A' * 43}", f"{anna.id}:1",
                f"²:{record.id}", f"{anna.id}", "x:y", f"{10**12}:{record.id}", ":"):  # fmt: skip
        assert load_user(key) is None, key


def test_the_session_record_is_touched_at_most_once_an_hour(app, make_user):
    from datetime import timedelta

    from freezegun import freeze_time

    from engage.core.types import utcnow

    anna = make_user(email="anna@example.org")
    browser = app.test_client()
    start = utcnow()
    with freeze_time(start) as clock:
        AuthActions(browser).login("anna@example.org")
        [record] = _records(anna.id)
        first_seen = record.last_seen_at
        clock.tick(timedelta(minutes=50))
        assert browser.get("/account").status_code == 200
        assert _records(anna.id)[0].last_seen_at == first_seen
        clock.tick(timedelta(minutes=20))
        assert browser.get("/account").status_code == 200
        assert _records(anna.id)[0].last_seen_at > first_seen


def test_a_record_unused_longer_than_a_remember_cookie_lives_is_dead_and_cleared(app, make_user):
    from datetime import timedelta

    from freezegun import freeze_time

    from engage.core.types import utcnow

    anna = make_user(email="anna@example.org")
    old, new = app.test_client(), app.test_client()
    start = utcnow()
    with freeze_time(start) as clock:
        AuthActions(old).login("anna@example.org")
        clock.tick(timedelta(days=366))
        assert old.get("/account").status_code == 302
        AuthActions(new).login("anna@example.org")
        assert len(_records(anna.id)) == 1  # the dead record is gone


def test_deleting_the_account_deletes_its_session_records(client, auth, make_user):
    from tests.conftest import post_form

    anna = make_user(email="anna@example.org")
    auth.login("anna@example.org")
    assert len(_records(anna.id)) == 1
    post_form(client, "/account/delete", password=TEST_PASSWORD)
    assert _records(anna.id) == []


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


# Each worker keeps what it verified of a session cookie for a minute (core/cookie_sessions.py):
# a changed cookie is checked afresh, an old one still expires, and requests share nothing.
def test_a_kept_session_cookie_is_still_checked_and_expires(app, make_user, monkeypatch):
    import time as clock

    make_user(email="anna@example.org")
    browser = app.test_client()
    AuthActions(browser).login("anna@example.org")
    browser.get("/account")  # (its forms' token is a change: a new cookie)
    cookie = _cookie(browser, "session")
    assert browser.get("/account").status_code == 200  # verified once, now kept
    forged = app.test_client()
    forged.set_cookie("session", cookie[:-3] + ("aaa" if cookie[-3:] != "aaa" else "bbb"))
    assert forged.get("/account").status_code == 302  # another text: checked, refused
    app.permanent_session_lifetime = timedelta(minutes=2)  # (the record lives a year)
    later = clock.time() + 180
    monkeypatch.setattr(clock, "time", lambda: later)
    assert browser.get("/account").status_code == 302  # older than a session lives


def test_requests_with_the_same_kept_cookie_share_no_session_contents(app, make_user):
    make_user(email="anna@example.org")
    first = app.test_client()
    AuthActions(first).login("anna@example.org")
    token = csrf_from(first.get("/dialogue/new"))
    first.post("/notifications/read", data={"csrf_token": token})  # a message waits in the cookie
    headers = {"Cookie": f"session={_cookie(first, 'session')}"}
    second = app.test_client(use_cookies=False)
    for _ in range(2):  # the same old cookie each time, like a browser tab sent twice
        second.post("/notifications/read", data={"csrf_token": token}, headers=headers)
    page = second.get("/account", headers=headers).get_data(as_text=True)
    assert page.count("als gelesen markiert") == 1  # the cookie's one message, no more
