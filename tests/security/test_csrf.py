"""Every POST route refuses a request without a valid CSRF token and changes nothing (ASVS 4.2)."""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, select

from engage.extensions import db
from tests.security.conftest import ROLES
from tests.security.routes import rules
from tests.security.test_authorization_matrix import EXPECTED, POST_DATA, url_with_query

# POST routes without CSRF protection, and why. The JSON API is exempt, but it is GET-only.
EXEMPT: dict[str, str] = {}
GERMAN_ERROR = "Das Formular ist abgelaufen oder wurde nicht von dieser Website gesendet"
# Plausible form data, so that only the missing token stops the request.
DATA = {
    "title": "Neuer Titel", "body": "Neuer Text", "summary": "Kurz", "name": "Neu",
    "email": "neu2@example.org", "password": "ein langes neues Passwort",
    "confirm": "ein langes neues Passwort", "display_name": "Neu", "reason": "Grund",
    "text": "Text", "locale": "en", "everywhere": "1", "to_status": "under_review",
    "note": "Notiz", "stars": "5", "capacity": "3",
}  # fmt: skip


def _fingerprint() -> str:
    """A hash of every row of every table: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    db.session.expire_all()
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _allowed_role(endpoint: str) -> str:
    """A kind of user who may send this form, so that only the token is missing."""
    codes = EXPECTED[endpoint]["POST"].split()
    allowed = [role for role, code in zip(ROLES, codes, strict=True) if code == "ok"]
    return allowed[-1] if allowed else "admin"


def test_exemptions_are_explained_and_the_json_api_takes_no_posts(app):
    assert all(reason.strip() for reason in EXEMPT.values())
    api_posts = [r.rule for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("api.") and "POST" in r.methods]  # fmt: skip
    assert not api_posts, "the API is CSRF-exempt; a POST there needs another defence"


def test_every_post_route_refuses_a_request_without_a_valid_token(app, world, clients):
    app.config["WTF_CSRF_ENABLED"] = True
    before = _fingerprint()
    wrong = []
    for rule in rules(app):
        if "POST" not in rule.methods or rule.endpoint in EXEMPT:
            continue
        url = url_with_query(app, rule, world)
        client = clients[_allowed_role(rule.endpoint)]
        data = {**DATA, **POST_DATA.get(rule.endpoint, {})}
        for token in (None, "forged-token"):
            sent = data if token is None else {**data, "csrf_token": token}
            response = client.post(url, data=sent, headers={"Accept-Language": "de"})
            text = response.get_data(as_text=True)
            if response.status_code != 400 or GERMAN_ERROR not in text:
                wrong.append(f"{rule.endpoint} ({token}): {response.status_code}")
    assert not wrong, "accepted without a valid CSRF token: " + ", ".join(wrong)
    assert _fingerprint() == before, "a refused request changed data"


def test_a_session_token_is_signed_once_a_minute_and_still_checked(client, auth, town,
                                                                   monkeypatch):  # fmt: skip
    from flask_wtf import csrf as flask_wtf_csrf

    from engage.core import fragments
    from tests.conftest import csrf_from

    client.application.config["WTF_CSRF_ENABLED"] = True
    signed = []
    dumps = flask_wtf_csrf.URLSafeTimedSerializer.dumps
    monkeypatch.setattr(flask_wtf_csrf.URLSafeTimedSerializer, "dumps",
                        lambda self, value: (isinstance(value, str) and signed.append(value))
                        or dumps(self, value))  # fmt: skip
    auth.login("buerger@example.org")
    first = csrf_from(client.get("/dialogue/new"))
    before = len(signed)
    assert csrf_from(client.get("/account")) == first and len(signed) == before
    now = fragments.time.monotonic()
    monkeypatch.setattr(fragments.time, "monotonic", lambda: now + 61)
    client.get("/dialogue/new")
    assert len(signed) == before + 1  # signed afresh after a minute
    response = client.post("/dialogue/new", data={"csrf_token": first, "title": "", "body": ""})
    assert response.status_code == 422  # the reused token passes; the form says what is missing
    # (a signature character changed: the last ones may be "xx" already or carry unused bits)
    forged_token = first[:-6] + ("A" if first[-6] != "A" else "B") + first[-5:]
    forged = client.post("/dialogue/new", data={"csrf_token": forged_token, "title": "x"})
    assert forged.status_code == 400
