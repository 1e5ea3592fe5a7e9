"""axe-core finds no WCAG 2.1 A/AA violation on any HTML page of the URL map, for every kind of
user that may see it, in a full city and in an empty one.

The pages and who may see them come from the authorization matrix
(tests/security/test_authorization_matrix.py): a (page, role) pair is scanned where the matrix
expects a 200, and each error page (400, 403, 404) once per role. A new GET route fails
`test_the_scan_covers_every_html_get_route` until the matrix has its row (or NOT_HTML says why
it renders no page).
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import pytest

from engage.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.security.conftest import ROLES, world  # noqa: F401 (the world fixture)
from tests.security.routes import rules, url_of
from tests.security.test_authorization_matrix import EXPECTED, url_with_query

# GET routes that render no HTML page of their own, and why.
NOT_HTML = {
    "static": "files (CSS, JavaScript, images)",
    "main.alive": "health check (plain text)",
    "main.healthz": "health check (JSON)",
    "main.favicon": "redirect to the logo (an image)",
    "info.feed": "Atom feed",
    "reports.export_csv": "CSV download",
    "reports.export_json": "JSON download",
    "volunteer.my_calendar": "iCalendar feed",
    "volunteer.shift_ics": "iCalendar file",
    "account.export": "JSON download of one's data",
    "notifications.open_notification": "redirects to the notified item",
    "dialogue.reply_at": "redirects to the reply on the page it is on",
    "language_link": "redirects after switching the language",
    **dict.fromkeys(
        ["api.announcement", "api.announcements", "api.offer", "api.offers",
         "api.openapi_document", "api.process", "api.processes", "api.proposal",
         "api.proposals", "api.shift", "api.shifts", "api.thread", "api.threads",
         "api.v1_index"],
        "JSON of the open-data API",
    ),
}  # fmt: skip
# Pages the matrix reaches only with bad tokens or another person's item: (role, URL, status).
SPECIAL = {
    "accounts.accept_invitation": lambda w: [("visitor", f"/auth/invite/{w['invite_token']}",
                                              "200")],
    "accounts.reset_with_token": lambda w: [("visitor", f"/auth/reset/{w['reset_token']}", "200")],
    "dialogue.edit_reply": lambda w: [("citizen", f"/dialogue/replies/{w['own_reply'].id}/edit",
                                       "200")],
    # A good link confirms the address and redirects; a bad one shows the 400 page.
    "accounts.verify": lambda w: [(role, "/auth/verify/not-a-valid-token", "400")
                                  for role in ("visitor", "citizen")],
}  # fmt: skip
# More states of a page: filters, results, a form error (scanned for each role that sees it).
VARIANTS = {
    "search.index": ["q=Schule", "q=Zebrastreifen"],
    "moderation.queue": ["status=hidden"],
    "reports.dashboard": ["since=2030-01-02&until=2030-01-01"],
    "volunteer.index": ["district=1"],
}
ERROR_CODES = ("400", "403", "404")
EMAILS = {
    "unverified": "neu@example.org", "citizen": "buerger@example.org",
    "blocked": "gesperrt@example.org", "other_staff": "verkehr@example.org",
    "staff": "umwelt@example.org", "moderator": "mod@example.org",
    "council": "rat@example.org", "admin": "admin@example.org",
}  # fmt: skip
# WCAG 2.1 A and AA, and axe's best practices (landmarks, headings), as the curated scans check.
AXE_OPTIONS = {
    "runOnly": {"type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}  # fmt: skip
# The empty city: the roles of the issue, and the pages whose content depends on the city.
EMPTY_ROLES = ("visitor", "citizen", "staff", "moderator", "council", "admin")
FIXED_TEXT = {"main.impressum", "main.datenschutz", "main.barrierefreiheit", "main.leichte_sprache",
              "main.hilfe", "api.index", "accounts.login", "accounts.register",
              "accounts.reset_request", "account.delete"}  # fmt: skip


def _axe_script() -> str:
    from axe_playwright_python import sync_playwright

    return str(Path(sync_playwright.__file__).with_name("axe.min.js"))


def scan_plan(app, items, empty=False):
    """The (role, URL, expected status) triples to scan, and the HTML GET routes left unfilled.

    empty: the list pages of an empty city, for EMPTY_ROLES, without variants or error pages.
    """
    roles = EMPTY_ROLES if empty else ROLES
    pairs, unfilled, error_pages = [], [], set()
    for rule in rules(app):
        if "GET" not in rule.methods or rule.endpoint in NOT_HTML:
            continue
        if empty and (rule.arguments or rule.endpoint in FIXED_TEXT):
            continue
        if rule.endpoint in SPECIAL:
            pairs += SPECIAL[rule.endpoint](items)
            continue
        codes = EXPECTED.get(rule.endpoint, {}).get("GET", "").split()
        if "200" not in codes:
            unfilled.append(rule.endpoint)
            continue
        url = url_of(app, rule, items) if empty else url_with_query(app, rule, items)
        for role, code in zip(ROLES, codes, strict=True):
            if role not in roles or (empty and code != "200"):
                continue
            if code == "200":
                pairs.append((role, url, code))
                joint, variants = "&" if "?" in url else "?", VARIANTS.get(rule.endpoint, [])
                pairs += [(role, url + joint + query, code) for query in variants if not empty]
            elif code in ERROR_CODES and (role, code) not in error_pages:
                error_pages.add((role, code))
                pairs.append((role, url, code))
    return pairs, unfilled


@pytest.fixture
def app_config(app_config):
    # The world is built outside a request, and its mails need a host for their links; the
    # cities below drop the name again, so that the live server answers on 127.0.0.1.
    return {**app_config, "SERVER_NAME": "localhost"}


@pytest.fixture
def full_city(app, world):  # noqa: F811 (the imported fixture)
    """The security tests' world (an item of each kind, a user of each role) in the demo city,
    plus the tokens and the citizen's own reply that some pages need."""
    from engage.accounts import tokens
    from engage.admin import services as admin
    from engage.boards import dialogue_services
    from engage.demo import seed_demo

    world["nord"].name = "Nordviertel (Test)"  # the demo city has its own Nordviertel
    db.session.flush()
    seed_demo()
    invited = admin.invite(
        world["admin"], admin.Invitation("neue@example.org", "Nele Neu", "staff",
                                         world["staff"].department_id),
    )  # fmt: skip
    own_reply = dialogue_services.reply(world["thread"], world["citizen"], "Finde ich auch.")
    db.session.commit()
    app.config["SERVER_NAME"] = None
    citizen = world["citizen"]
    return {
        **world,
        "own_reply": own_reply,
        "invite_token": tokens.make_invite_token(invited.id, invited.password_hash),
        "reset_token": tokens.make_reset_token(citizen.id, citizen.password_hash),
    }


def test_the_scan_covers_every_html_get_route(app, full_city):
    _, unfilled = scan_plan(app, full_city)
    assert not unfilled, (
        "no (page, role) pair to scan for these HTML GET routes: add their row to EXPECTED in "
        "tests/security/test_authorization_matrix.py, a SPECIAL entry, or (no HTML) NOT_HTML: "
        + ", ".join(unfilled)
    )
    endpoints = {rule.endpoint for rule in rules(app)}
    assert set(NOT_HTML) | set(SPECIAL) | set(VARIANTS) <= endpoints, "entries of removed routes"


def test_routes_said_to_render_no_page_render_none(app, full_city, client):
    """NOT_HTML stays honest: its routes answer with a redirect, an error or no HTML."""
    html = []
    for rule in rules(app):
        if "GET" in rule.methods and rule.endpoint in NOT_HTML:
            response = client.get(url_with_query(app, rule, full_city))
            if response.status_code == 200 and response.mimetype == "text/html":
                html.append(rule.endpoint)
    assert not html, f"these routes render HTML, so scan them: {html}"


def _log_in(tab, email):
    tab.goto("/auth/login")
    tab.get_by_label("E-Mail-Adresse").fill(email)
    tab.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Anmelden").click()


def scan(browser, base_url, pairs) -> list[str]:
    """Visit every (role, URL) with one logged-in context per role; return what went wrong."""
    by_role = defaultdict(list)
    for role, url, code in pairs:
        by_role[role].append((url, code))
    problems = []
    for role, urls in by_role.items():
        context = browser.new_context(locale="de-DE", base_url=base_url)
        context.add_init_script(path=_axe_script())
        tab = context.new_page()
        if role != "visitor":
            _log_in(tab, EMAILS[role])
        for url, code in urls:
            response = tab.goto(url)
            if str(response.status) != code:
                problems.append(f"{role} {url}: status {response.status}, expected {code}")
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                problems.append(f"{role} {url}: no HTML page (add its route to NOT_HTML)")
                continue
            result = tab.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
            for violation in result["violations"]:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                problems.append(f"{role} {url}: {violation['id']} {targets}")
        context.close()
    return problems


def test_every_page_of_the_full_city_has_no_axe_violations_for_every_role(
    app, browser, live_server, full_city
):
    pairs, _ = scan_plan(app, full_city)
    started = time.monotonic()
    problems = scan(browser, live_server.url, pairs)
    print(f"axe scan of the full city: {len(pairs)} pairs in {time.monotonic() - started:.0f} s")
    assert not problems, "\n".join(problems)


@pytest.fixture
def empty_city(app, make_user):
    """A user of each role and two departments, but no process, thread, proposal or offer."""
    from engage.core.types import utcnow
    from engage.organisation.models import Department

    umwelt, verkehr = Department(name="Umwelt"), Department(name="Verkehr")
    db.session.add_all([umwelt, verkehr])
    db.session.commit()
    departments = {"staff": umwelt.id, "other_staff": verkehr.id}
    roles = {"other_staff": "staff", "unverified": "citizen", "blocked": "citizen"}
    for role, email in EMAILS.items():
        user = make_user(roles.get(role, role), email=email, verified=role != "unverified",
                         department_id=departments.get(role))  # fmt: skip
        if role == "blocked":
            user.blocked_at, user.blocked_reason = utcnow(), "Beleidigungen"
    db.session.commit()
    app.config["SERVER_NAME"] = None


def test_the_list_pages_of_an_empty_city_have_no_axe_violations(
    app, browser, live_server, empty_city
):
    pairs, _ = scan_plan(app, {}, empty=True)
    started = time.monotonic()
    problems = scan(browser, live_server.url, pairs)
    print(f"axe scan of the empty city: {len(pairs)} pairs in {time.monotonic() - started:.0f} s")
    assert not problems, "\n".join(problems)
