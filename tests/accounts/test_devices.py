"""The account page lists the browsers one is logged in with; each other one can be logged out."""

from __future__ import annotations

import re

import pytest

from engage.accounts import devices
from tests.conftest import AuthActions, needs_redis, post_form, with_empty_redis

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")  # fmt: skip


def _browser(app, email: str, agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    AuthActions(client).login(email)
    return client


def _devices(page: str) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong>( <span class=\"badge\">dieses Gerät)?", page)


def test_the_account_page_names_each_browser_and_marks_this_one(app, make_user):
    make_user(email="anna@example.org")
    laptop = _browser(app, "anna@example.org", FIREFOX)
    _browser(app, "anna@example.org", IPHONE)
    page = laptop.get("/account").get_data(as_text=True)
    assert _devices(page) == [("Firefox unter Windows", ' <span class="badge">dieses Gerät'),
                              ("Safari unter iOS", "")]  # fmt: skip
    assert page.count('action="/account/devices/') == 2  # one other device, and "all others"
    assert 'Abmelden<span class="visually-hidden">: Safari unter iOS' in page


def test_each_device_shows_the_day_and_time_it_was_last_active_in_berlin(app, make_user):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from engage.accounts.models import UserSession
    from engage.core.types import utcnow
    from engage.extensions import db

    make_user(email="anna@example.org")
    laptop = _browser(app, "anna@example.org", FIREFOX)
    seen = (utcnow() - timedelta(minutes=40)).replace(second=0, microsecond=0)
    db.session.execute(db.update(UserSession).values(created_at=seen, last_seen_at=seen))
    db.session.commit()
    shown = seen.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y, %H:%M")
    page = laptop.get("/account").get_data(as_text=True)
    assert f"angemeldet am {shown} · zuletzt aktiv am {shown}</p>" in page


def _handle_of_other(page: str) -> str:
    return re.search(r'action="/account/devices/([0-9a-f]+)/end"', page).group(1)


def _ends_a_device(app, make_user):
    make_user(email="anna@example.org")
    laptop = _browser(app, "anna@example.org", FIREFOX)
    phone = _browser(app, "anna@example.org", IPHONE)
    assert phone.get("/account").status_code == 200
    handle = _handle_of_other(laptop.get("/account").get_data(as_text=True))
    response = post_form(laptop, "/account", action=f"/account/devices/{handle}/end")
    assert response.status_code == 302
    assert phone.get("/account").status_code == 302  # logged out: to the log-in page
    page = laptop.get("/account").get_data(as_text=True)
    assert "Das Gerät ist abgemeldet." in page and _devices(page) == [
        ("Firefox unter Windows", ' <span class="badge">dieses Gerät')]  # fmt: skip
    assert 'action="/account/devices/end-others"' not in page  # nothing else to log out
    # The same handle again (a second tab) or a forged one: nothing to end, and it says so.
    for again in (handle, "abc"):
        response = post_form(laptop, "/account", action=f"/account/devices/{again}/end")
        assert response.status_code == 302
        page = laptop.get("/account").get_data(as_text=True)
        assert "Dieses Gerät ist nicht mehr angemeldet." in page


def test_logging_out_another_device_ends_its_session(app, make_user):
    _ends_a_device(app, make_user)


def test_this_browser_cannot_end_itself_by_its_handle(app, make_user):
    make_user(email="anna@example.org")
    laptop = _browser(app, "anna@example.org", FIREFOX)
    from engage.accounts.models import UserSession
    from engage.extensions import db

    [key] = db.session.scalars(db.select(UserSession.id)).all()
    response = post_form(
        laptop, "/account", action=f"/account/devices/{devices.handle_of(key)}/end"
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # still logged in


def test_log_out_all_other_devices_keeps_this_one(app, make_user):
    make_user(email="anna@example.org")
    make_user(email="bert@example.org")
    laptop = _browser(app, "anna@example.org", FIREFOX)
    phones = [_browser(app, "anna@example.org", IPHONE) for _ in range(2)]
    bert = _browser(app, "bert@example.org", IPHONE)
    page = post_form(laptop, "/account", action="/account/devices/end-others")
    assert page.status_code == 302
    assert "2 andere Geräte sind abgemeldet." in laptop.get("/account").get_data(as_text=True)
    assert [phone.get("/account").status_code for phone in phones] == [302, 302]
    assert laptop.get("/account").status_code == 200
    assert bert.get("/account").status_code == 200  # someone else's sessions stay


def test_sending_the_forms_needs_the_csrf_token(app, make_user):
    make_user(email="anna@example.org")
    laptop = _browser(app, "anna@example.org", FIREFOX)
    assert laptop.post("/account/devices/end-others").status_code == 400


@pytest.mark.parametrize(
    ("agent", "named"),
    [(FIREFOX, "Firefox unter Windows"), (IPHONE, "Safari unter iOS"),
     ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36", "Chrome unter Linux"),
     ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome unter Android"),
     ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge unter Windows"),
     ("curl/8.5.0", "Unbekannter Browser"), (None, "Unbekannter Browser")],
)  # fmt: skip
def test_a_browser_is_named_in_plain_words(app, agent, named):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("de"):
        assert devices.describe(agent) == named


@needs_redis
class TestWithKeptUsers:
    @pytest.fixture
    def app_config(self, app_config):
        return with_empty_redis(app_config)

    def test_a_kept_user_of_the_ended_device_is_logged_out_at_once(self, app, make_user):
        _ends_a_device(app, make_user)
