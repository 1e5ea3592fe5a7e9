"""Every route × every kind of user → the status code the app must answer (OWASP ASVS V4).

A new route fails `test_the_table_covers_every_route` until its row is added here.
"""

from __future__ import annotations

import pytest

from tests.conftest import csrf_from
from tests.security.conftest import ROLES
from tests.security.routes import rules, url_of

# Columns, in ROLES order:
#   visitor  unverified  citizen  blocked  staff of another department  staff of the owning
#   department (Umwelt: owns the process, offer and announcement)  moderator  council  admin
# GET: the status of a GET; "L" is a redirect to the log-in page.
# POST: the status of a POST (valid CSRF token, empty form) by a user who may not do it;
#   "ok" marks users who may (not sent: it would change the data; the feature tests cover it).
# Items: the thread and proposal are the citizen's, the reply and comment the neighbour's, the
# notification is the citizen's; the proposal is in the voting process; the thread's reply was
# flagged by the citizen, a second reply was hidden by the moderator and its author appealed.
# /auth/* tokens are invalid ones.
EXPECTED = {
    "account.change_email": {"POST": "L ok ok ok ok ok ok ok ok"},
    "account.change_password": {"POST": "L ok ok ok ok ok ok ok ok"},
    # Every logged-in user may end their own other devices (the handle names none here).
    "account.end_device": {"POST": "L ok ok ok ok ok ok ok ok"},
    "account.end_other_devices": {"POST": "L ok ok ok ok ok ok ok ok"},
    "account.delete": {
        "GET": "L 200 200 200 200 200 200 200 200",
        "POST": "L ok ok ok ok ok ok ok ok",
    },
    "account.export": {"GET": "L 200 200 200 200 200 200 200 200"},
    "account.overview": {"GET": "L 200 200 200 200 200 200 200 200"},
    "account.preferences": {"POST": "L ok ok ok ok ok ok ok ok"},
    "account.profile": {"POST": "L ok ok ok ok ok ok ok ok"},
    "accounts.accept_invitation": {"GET": "L L L L L L L L L", "POST": "L L L L L L L L L"},
    "accounts.login": {
        "GET": "200 302 302 302 302 302 302 302 302",
        "POST": "ok ok ok ok ok ok ok ok ok",
    },
    "accounts.logout": {"POST": "ok ok ok ok ok ok ok ok ok"},
    "accounts.register": {
        "GET": "200 302 302 302 302 302 302 302 302",
        "POST": "ok ok ok ok ok ok ok ok ok",
    },
    "accounts.resend_verification": {"POST": "L ok ok ok ok ok ok ok ok"},
    "accounts.reset_request": {
        "GET": "200 200 200 200 200 200 200 200 200",
        "POST": "ok ok ok ok ok ok ok ok ok",
    },
    "accounts.reset_with_token": {
        "GET": "302 302 302 302 302 302 302 302 302",
        "POST": "ok ok ok ok ok ok ok ok ok",
    },
    "accounts.verify": {"GET": "400 400 400 400 400 400 400 400 400"},
    "admin.invite": {
        "GET": "L 403 403 403 403 403 403 403 200",
        "POST": "L 403 403 403 403 403 403 403 ok",
    },
    "admin.organisation": {
        "GET": "L 403 403 403 403 403 403 403 200",
        "POST": "L 403 403 403 403 403 403 403 ok",
    },
    "admin.organisation_delete": {"POST": "L 403 403 403 403 403 403 403 ok"},
    "admin.organisation_edit": {
        "GET": "L 403 403 403 403 403 403 403 200",
        "POST": "L 403 403 403 403 403 403 403 ok",
    },
    "admin.overview": {"GET": "L 403 403 403 403 403 403 403 200"},
    "admin.settings": {
        "GET": "L 403 403 403 403 403 403 403 200",
        "POST": "L 403 403 403 403 403 403 403 ok",
    },
    "admin.user_block": {"POST": "L 403 403 403 403 403 403 403 ok"},
    "admin.user_detail": {"GET": "L 403 403 403 403 403 403 403 200"},
    "admin.user_reinvite": {"POST": "L 403 403 403 403 403 403 403 ok"},
    "admin.user_unblock": {"POST": "L 403 403 403 403 403 403 403 ok"},
    "admin.user_update": {"POST": "L 403 403 403 403 403 403 403 ok"},
    "admin.users": {"GET": "L 403 403 403 403 403 403 403 200"},
    "api.announcement": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.announcements": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.offer": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.offers": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.openapi_document": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.v1_index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.process": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.processes": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.proposal": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.proposals": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.shift": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.shifts": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.thread": {"GET": "200 200 200 200 200 200 200 200 200"},
    "api.threads": {"GET": "200 200 200 200 200 200 200 200 200"},
    "dialogue.close": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "dialogue.create": {
        "GET": "L 403 200 403 200 200 200 200 200",
        "POST": "L 403 ok 403 ok ok ok ok ok",
    },
    "dialogue.delete_reply": {"POST": "L 403 403 403 403 403 403 403 403"},
    "dialogue.delete_thread": {"POST": "L 403 ok 403 403 403 403 403 403"},
    "dialogue.detail": {"GET": "200 200 200 200 200 200 200 200 200"},
    "dialogue.edit_reply": {
        "GET": "L 403 403 403 403 403 403 403 403",
        "POST": "L 403 403 403 403 403 403 403 403",
    },
    "dialogue.edit_thread": {
        "GET": "L 403 200 403 403 403 403 403 403",
        "POST": "L 403 ok 403 403 403 403 403 403",
    },
    "dialogue.helpful": {"POST": "L 403 ok 403 ok ok ok ok ok"},
    "dialogue.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "dialogue.reply_at": {"GET": "302 302 302 302 302 302 302 302 302"},
    "dialogue.reply": {
        "GET": "L 403 200 403 200 200 200 200 200",
        "POST": "L 403 ok 403 ok ok ok ok ok",
    },
    "info.create": {
        "GET": "L 403 403 403 200 200 200 403 200",
        "POST": "L 403 403 403 ok ok ok 403 ok",
    },
    "info.detail": {"GET": "200 200 200 200 200 200 200 200 200"},
    "info.edit": {
        "GET": "L 403 403 403 403 200 403 403 200",
        "POST": "L 403 403 403 403 ok 403 403 ok",
    },
    "info.feed": {"GET": "200 200 200 200 200 200 200 200 200"},
    "info.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "info.toggle_published": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "language_link": {"GET": "302 302 302 302 302 302 302 302 302"},
    "main.alive": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.barrierefreiheit": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.datenschutz": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.favicon": {"GET": "301 301 301 301 301 301 301 301 301"},
    "main.healthz": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.hilfe": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.home": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.impressum": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.leichte_sprache": {"GET": "200 200 200 200 200 200 200 200 200"},
    "main.profile": {"GET": "200 200 200 200 200 200 200 200 200"},
    "moderation.appeals": {"GET": "L 403 403 403 403 403 200 403 200"},
    "moderation.audit_log": {"GET": "L 403 403 403 403 403 200 403 200"},
    "moderation.blocked": {"GET": "L 403 403 403 403 403 200 403 200"},
    "moderation.bulk": {"POST": "L 403 403 403 403 403 ok 403 ok"},
    "moderation.decide_appeal": {"POST": "L 403 403 403 403 403 ok 403 ok"},
    "moderation.decision": {
        "GET": "L 404 404 404 404 404 200 404 200",
        "POST": "L 404 404 404 404 404 403 404 403",
    },
    "moderation.flag": {
        "GET": "L 403 200 403 200 200 200 200 200",
        "POST": "L 403 ok 403 ok ok ok ok ok",
    },
    "moderation.hide_all": {"POST": "L 403 403 403 403 403 ok 403 ok"},
    "moderation.queue": {"GET": "L 403 403 403 403 403 200 403 200"},
    "moderation.transparency": {"GET": "200 200 200 200 200 200 200 200 200"},
    "moderation.unblock": {"POST": "L 403 403 403 403 403 ok 403 ok"},
    "notifications.index": {"GET": "L 200 200 200 200 200 200 200 200"},
    "notifications.mark_all_read": {"POST": "L ok ok ok ok ok ok ok ok"},
    "notifications.open_notification": {"GET": "L 404 302 404 404 404 404 404 404"},
    "notifications.toggle_follow": {"POST": "L ok ok ok ok ok ok ok ok"},
    "process_admin.create": {
        "GET": "L 403 403 403 200 200 403 403 200",
        "POST": "L 403 403 403 ok ok 403 403 ok",
    },
    "process_admin.delete": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "process_admin.edit": {
        "GET": "L 403 403 403 403 200 403 403 200",
        "POST": "L 403 403 403 403 ok 403 403 ok",
    },
    "process_admin.publish": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "processes.detail": {"GET": "200 200 200 200 200 200 200 200 200"},
    "processes.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "proposals.add_comment": {
        "GET": "L 403 200 403 200 200 200 200 200",
        "POST": "L 403 ok 403 ok ok ok ok ok",
    },
    "proposals.create": {
        "GET": "L 403 200 403 200 200 200 200 200",
        "POST": "L ok ok ok ok ok ok ok ok",
    },
    "proposals.detail": {"GET": "200 200 200 200 200 200 200 200 200"},
    "proposals.edit": {
        "GET": "L 403 200 403 403 403 403 403 403",
        "POST": "L 403 ok 403 403 403 403 403 403",
    },
    "proposals.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "proposals.manage": {"GET": "L 403 403 403 200 200 200 403 200"},
    "proposals.mine": {"GET": "L 200 200 200 200 200 200 200 200"},
    "proposals.move": {"POST": "L 409 409 409 409 ok 409 409 ok"},
    "proposals.rate": {"POST": "L 403 403 403 403 403 403 403 403"},
    "proposals.record_result": {"POST": "L 403 403 403 403 403 403 403 403"},
    "proposals.support": {"POST": "L 403 403 403 ok ok ok ok ok"},
    "reports.dashboard": {"GET": "L 403 403 403 200 200 200 200 200"},
    "reports.export_csv": {"GET": "L 403 403 403 200 200 200 200 200"},
    "reports.export_json": {"GET": "L 403 403 403 200 200 200 200 200"},
    "reports.printable": {"GET": "L 403 403 403 200 200 200 200 200"},
    "search.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "set_language": {"POST": "ok ok ok ok ok ok ok ok ok"},
    "static": {"GET": "200 200 200 200 200 200 200 200 200"},
    "volunteer.add_shifts": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "volunteer.cancel": {"POST": "L 404 404 404 404 404 404 404 404"},
    "volunteer.cancel_shift": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "volunteer.certificate": {"GET": "L 200 200 200 200 200 200 200 200"},
    "volunteer.create": {
        "GET": "L 403 403 403 200 200 403 403 200",
        "POST": "L 403 403 403 ok ok 403 403 ok",
    },
    "volunteer.detail": {"GET": "200 200 200 200 200 200 200 200 200"},
    "volunteer.edit": {
        "GET": "L 403 403 403 403 200 403 403 200",
        "POST": "L 403 403 403 403 ok 403 403 ok",
    },
    "volunteer.edit_shift": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "volunteer.index": {"GET": "200 200 200 200 200 200 200 200 200"},
    "volunteer.manage": {"GET": "L 403 403 403 200 200 403 403 200"},
    "volunteer.me": {"GET": "L 200 200 200 200 200 200 200 200"},
    "volunteer.my_calendar": {"GET": "L 200 200 200 200 200 200 200 200"},
    "volunteer.record_attendance": {"POST": "L 403 403 403 403 ok 403 403 ok"},
    "volunteer.shift": {"GET": "L 403 403 403 403 200 403 403 200"},
    "volunteer.shift_ics": {"GET": "200 200 200 200 200 200 200 200 200"},
    "volunteer.signup": {"POST": "L 403 ok 403 ok ok ok ok ok"},
}

# Query strings and form data that make a request reach its permission check.
QUERY = {"proposals.create": "process={voting}", "dialogue.reply": "to={reply}",
         "proposals.add_comment": "to={proposal_comment}"}  # fmt: skip
POST_DATA = {"proposals.move": {"to_status": "under_review", "note": "Wird umgesetzt."}}
REFUSALS = {"L", "400", "403", "404", "405", "409"}


def _code(response) -> str:
    if response.status_code == 302 and "/auth/login" in response.headers.get("Location", ""):
        return "L"
    return str(response.status_code)


def url_with_query(app, rule, world) -> str:
    """The rule's URL with the query string that makes a request reach its check."""
    url = url_of(app, rule, world)
    query = QUERY.get(rule.endpoint)
    if not query:
        return url
    ids = {key: world[key].id for key in ("voting", "reply", "proposal_comment")}
    return f"{url}?{query.format(**ids)}"


def test_the_table_covers_every_route(app):
    missing = []
    for rule in rules(app):
        row = EXPECTED.get(rule.endpoint, {})
        missing += [f"{rule.endpoint} {method}" for method in ("GET", "POST")
                    if method in rule.methods and method not in row]  # fmt: skip
    assert not missing, "add these routes to EXPECTED: " + ", ".join(missing)
    assert set(EXPECTED) <= {rule.endpoint for rule in rules(app)}, "rows of removed routes"


def test_rows_refuse_with_a_refusal_and_have_a_column_per_kind_of_user():
    for endpoint, row in EXPECTED.items():
        for method, codes in row.items():
            assert len(codes.split()) == len(ROLES), (endpoint, method)
            if method == "POST":
                assert set(codes.split()) <= REFUSALS | {"ok"}, endpoint


@pytest.fixture
def answers(app, world, clients):
    """Send every request of the table once; return {(endpoint, method): "codes"}."""
    found = {}
    tokens = {role: csrf_from(clients[role].get("/auth/login" if role == "visitor" else "/account"))
              for role in ROLES}  # fmt: skip
    for rule in rules(app):
        url, row = url_with_query(app, rule, world), EXPECTED.get(rule.endpoint, {})
        if "GET" in rule.methods:
            found[rule.endpoint, "GET"] = " ".join(_code(clients[r].get(url)) for r in ROLES)
        else:
            found[rule.endpoint, "GET"] = " ".join(_code(clients[r].get(url)) for r in ROLES[:3])
    for rule in rules(app):
        url, row = url_with_query(app, rule, world), EXPECTED.get(rule.endpoint, {})
        if "POST" not in row:
            continue
        codes = []
        for role, expected in zip(ROLES, row["POST"].split(), strict=True):
            if expected == "ok":
                codes.append("ok")
                continue
            data = {"csrf_token": tokens[role], **POST_DATA.get(rule.endpoint, {})}
            codes.append(_code(clients[role].post(url, data=data)))
        found[rule.endpoint, "POST"] = " ".join(codes)
    return found


def _get_reaches_another_route(app, rule, world) -> bool:
    """/auth/verify/resend is also /auth/verify/<token>; /admin/users/1 is also the user page."""
    from werkzeug.exceptions import MethodNotAllowed

    try:
        endpoint, _ = app.url_map.bind("localhost").match(url_of(app, rule, world), method="GET")
    except MethodNotAllowed:
        return False
    return endpoint != rule.endpoint


def test_every_route_answers_every_kind_of_user_as_the_table_says(app, world, answers):
    wrong = []
    for rule in rules(app):
        for method in ("GET", "POST"):
            expected = EXPECTED.get(rule.endpoint, {}).get(method)
            if method == "GET" and "GET" not in rule.methods:
                if _get_reaches_another_route(app, rule, world):
                    continue
                expected = "303 303 303"  # POST-only routes: a GET goes to their page
            if expected and answers[rule.endpoint, method] != expected:
                got = answers[rule.endpoint, method]
                wrong.append(f'"{rule.endpoint}" {method}: expected "{expected}", got "{got}"')
    assert not wrong, "\n".join(wrong)
