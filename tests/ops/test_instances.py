"""Two app instances sharing one database: a session made on one is valid on the other."""

from __future__ import annotations

from engage import create_app
from tests.conftest import AuthActions, IsolatedClient


def test_a_session_from_one_instance_is_valid_on_another(app_config, make_user):
    make_user("citizen", email="zwei@example.org")
    first, second = create_app(app_config), create_app(app_config)
    for instance in (first, second):
        instance.test_client_class = IsolatedClient
    on_first = first.test_client()
    AuthActions(on_first).login("zwei@example.org")
    cookie = on_first.get_cookie("session")
    on_second = second.test_client()
    on_second.set_cookie("session", cookie.value)
    page = on_second.get("/account")
    assert page.status_code == 200 and "zwei@example.org" in page.get_data(as_text=True)
