"""Stored XSS: OWASP-style payloads in every text field never run, even with the CSP bypassed."""

from __future__ import annotations

from itertools import cycle

import pytest

from engage.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.security.conftest import world  # noqa: F401 (a fixture, used by getfixturevalue)

MARK = "window.__xss=1"
PAYLOADS = [
    "<script>alert(1)</script>",
    f"<script>{MARK}</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=data:text/javascript,alert(1)></script>",
    "<img src=x onerror=alert(1)>",
    f"<img src=x onerror='{MARK}'>",
    "<img src=x onerror=&#97;lert(1)>",
    '<img src="x" onerror="alert`1`">',
    "<svg onload=alert(1)>",
    f"<svg/onload={MARK}>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<iframe srcdoc='<script>parent.alert(1)</script>'>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>klick</a>",
    "<a href=JaVaScRiPt:alert(1)>klick</a>",
    "<a href=&#106;avascript:alert(1)>klick</a>",
    '<a href="jav&#x09;ascript:alert(1)">klick</a>',
    "[klick](javascript:alert(1))",
    "[klick](JAVASCRIPT:alert(1))",
    "[klick](javascript&#58;alert(1))",
    '![x](x" onerror="alert(1))',
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' autofocus onfocus='alert(1)",
    "<img src=x onerror=alert(1)",
    "<scr<script>ipt>alert(1)</script>",
    '<div style="width:expression(alert(1))">css</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<form><button formaction=javascript:alert(1)>x",
    "<isindex action=javascript:alert(1) type=image>",
    "{{7*7}}<img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
SHORT = [p for p in PAYLOADS if len(p) <= 70]


@pytest.fixture
def poisoned(app, request):
    """Every text field a user fills holds payloads (long fields four, short ones one)."""
    with app.test_request_context("/"):  # the world's mails need a host for their links
        return _poison(request.getfixturevalue("world"))


def _poison(w):
    from datetime import timedelta

    from engage.boards import dialogue_services
    from engage.boards import services as boards
    from engage.core.types import utcnow
    from engage.moderation import services as moderation
    from engage.proposals import services as proposals
    from engage.volunteering import services as volunteering

    chunks, short = cycle(range(0, len(PAYLOADS), 4)), cycle(SHORT)

    def text() -> str:
        start = next(chunks)
        return "\n\n".join(PAYLOADS[start : start + 4])

    staff, citizen, neighbour = w["staff"], w["citizen"], w["neighbour"]
    citizen.display_name = next(short)[:80]
    neighbour.display_name = next(short)[:80]
    process = w["dialogue"]
    process.title, process.summary, process.body = next(short), next(short), text()
    announcement = boards.publish_announcement(
        staff, boards.AnnouncementData(next(short), text(), process.id)
    )
    thread = dialogue_services.open_thread(citizen, next(short), text(), process)
    reply = dialogue_services.reply(thread, neighbour, text())
    proposal = proposals.save_proposal(
        citizen, w["voting"],
        proposals.ProposalData(next(short), text(), text(), text(), text(), next(short),
                               next(short)),
        submit=True,
    )  # fmt: skip
    proposals.comment(proposal, neighbour, text())
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        next(short), text(), staff.department_id, requirements=text(), place=next(short),
        contact=next(short)))  # fmt: skip
    start = (utcnow() + timedelta(days=4)).replace(microsecond=0)
    volunteering.add_shifts(offer, start, start + timedelta(hours=1), 3, next(short))
    moderation.flag(citizen, reply, "spam", text())
    # Decisions about the citizen's posts, with the moderator's words, the appeal and its answer.
    moderator = w["moderator"]
    hidden_reply = dialogue_services.reply(thread, citizen, text())
    hidden_comment = proposals.comment(proposal, citizen, text())
    db.session.flush()
    open_decision = moderation.decide(moderator, hidden_reply, "hide", "other", next(short))
    moderation.appeal(citizen, open_decision, text())
    answered = moderation.decide(moderator, hidden_comment, "hide", "insult", next(short))
    moderation.decide_appeal(moderator, moderation.appeal(citizen, answered, text()), False,
                             text())  # fmt: skip
    db.session.commit()
    return {**w, "xss_thread": thread, "xss_proposal": proposal, "xss_offer": offer,
            "xss_announcement": announcement,
            "xss_decisions": [open_decision, answered]}  # fmt: skip


def _login(context, base_url: str, email: str):
    tab = context.new_page()
    tab.goto(f"{base_url}/auth/login")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", TEST_PASSWORD)
    tab.click("main form.form button[type=submit]")
    tab.wait_for_load_state()
    tab.close()


def test_no_payload_runs_on_any_page_even_without_csp(browser, live_server, poisoned):
    w = poisoned
    decisions = [f"/moderation/decisions/{d.id}" for d in w["xss_decisions"]]
    shown = {*decisions, "/moderation/appeals", f"/info/{w['xss_announcement'].id}"}
    pages = {
        "citizen@example": [
            f"/dialogue/{w['xss_thread'].id}", "/dialogue", f"/proposals/{w['xss_proposal'].id}",
            "/proposals", "/info", f"/volunteer/{w['xss_offer'].id}", "/volunteer",
            "/search?q=alert", "/search?q=script", f"/users/{w['citizen'].id}",
            f"/processes/{w['dialogue'].slug}", "/processes", "/notifications", "/",
            f"/info/{w['xss_announcement'].id}", *decisions,
        ],
        "admin@example.org": [
            f"/admin/users/{w['citizen'].id}", "/admin/users", "/moderation", "/reports",
            "/reports/print", f"/volunteer/{w['xss_offer'].id}/edit", "/moderation/appeals",
            *decisions,
        ],
    }  # fmt: skip
    pages["buerger@example.org"] = pages.pop("citizen@example")
    ran = []
    for email, paths in pages.items():
        context = browser.new_context(bypass_csp=True, locale="de-DE")
        _login(context, live_server.url, email)
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (ran.append(f"dialog: {dialog.message}"),
                                         dialog.dismiss()))  # fmt: skip
        for path in paths:
            response = tab.goto(live_server.url + path)
            assert response.status < 400 and "/auth/login" not in tab.url, path
            tab.wait_for_timeout(50)  # let onerror/onload handlers fire
            if tab.evaluate("typeof window.__xss") != "undefined":
                ran.append(f"window.__xss on {path}")
            if ran and not ran[-1].endswith(path):
                ran[-1] += f" on {path}"
            if path in shown:  # the payloads reach these pages, as text
                assert "alert(1)" in tab.inner_text("main"), path
        tab.goto(f"{live_server.url}/dialogue/{w['xss_thread'].id}")
        assert "onerror=alert(1)" in tab.inner_text("main"), "the payloads are shown as text"
        context.close()
    assert not ran, ran


def test_the_csp_forbids_inline_script_and_the_browser_blocks_it(page, live_server):
    response = page.goto(live_server.url + "/")
    policy = response.headers["content-security-policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.appendChild(s);
    }""")
    assert page.evaluate("typeof window.__inline") == "undefined"
