"""Two app instances sharing one database: sessions valid on both, writes consistent."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import func, select

from engage import create_app
from engage.core.types import utcnow
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, AuthActions, IsolatedClient


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
    assert page.status_code == 200 and "zwei@<wbr>example<wbr>.org" in page.get_data(as_text=True)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's signature)
        pass


def _serve(app):
    server = make_server("127.0.0.1", 0, app, _Server, _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, cookie: str, token: str) -> int:
    body = urllib.parse.urlencode({"csrf_token": token}).encode()
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie})  # noqa: S310
    try:
        return urllib.request.build_opener(_NoRedirect).open(request).status  # noqa: S310
    except urllib.error.HTTPError as error:
        return error.code


def _session(base: str, email: str, page: str) -> tuple[str, str]:
    """Log in over HTTP; return the cookie header and a CSRF token from page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/auth/login").read().decode()  # noqa: S310
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    opener.open(f"{base}/auth/login", urllib.parse.urlencode(  # noqa: S310
        {"email": email, "password": TEST_PASSWORD, "csrf_token": token}).encode())  # fmt: skip
    html = opener.open(f"{base}{page}").read().decode()  # noqa: S310
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def test_two_instances_keep_supports_and_sign_ups_consistent(app_config, town, make_user):
    """Twelve citizens, logged in on one instance, press support and sign up on both."""
    from engage.consistency import drift
    from engage.proposals import services as proposals
    from engage.proposals.models import Support
    from engage.volunteering import services as volunteering
    from engage.volunteering.models import Signup

    idea = proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
        title="Radbügel", problem="P", idea="I", intended_outcome="W", indicator="Z"),
        submit=True)  # fmt: skip
    offer = volunteering.create_offer(town["staff"], volunteering.OfferData(
        title="Parkputz", description="Helfen",
        department_id=town["staff"].department_id))  # fmt: skip
    start = utcnow() + timedelta(days=2)
    [shift] = volunteering.add_shifts(offer, start, start + timedelta(hours=2), capacity=5)
    people = [make_user("citizen") for _ in range(12)]
    db.session.commit()
    servers = [_serve(create_app(app_config)) for _ in range(2)]
    bases = [base for _server, base in servers]
    sessions = [_session(bases[0], p.email, f"/proposals/{idea.id}") for p in people]
    statuses: list[int] = []
    idea_id, shift_id = idea.id, shift.id

    def act(cookie, token):
        for base in bases:  # the same person on both instances at the same moment
            statuses.append(_post(f"{base}/proposals/{idea_id}/support", cookie, token))
            statuses.append(_post(f"{base}/volunteer/shifts/{shift_id}/signup", cookie, token))

    threads = [threading.Thread(target=act, args=s) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server, _base in servers:
        server.shutdown()
        server.server_close()
    db.session.expire_all()
    assert not [s for s in statuses if s >= 500], statuses
    # The button toggles: the second press (on the other instance) may withdraw the first.
    # Whatever the order, each person has at most one support and the counter equals the rows.
    rows = db.session.execute(select(Support.user_id, func.count()).where(
        Support.proposal_id == idea_id).group_by(Support.user_id)).all()  # fmt: skip
    assert all(n == 1 for _user, n in rows)
    assert db.session.get(type(idea), idea_id).support_count == len(rows)
    places = db.session.scalars(select(Signup.status).where(Signup.shift_id == shift_id)).all()
    assert sorted(places).count("confirmed") == 5 and len(places) == 12
    assert drift() == []
