"""axe-core finds no violation on the public and account pages, also with form errors shown."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations

PUBLIC_PAGES = [
    "/",
    "/processes",
    "/info",
    "/dialogue",
    "/proposals",
    "/volunteer",
    "/auth/login",
    "/auth/register",
    "/auth/reset",
    "/impressum",
    "/datenschutz",
    "/barrierefreiheit",
    "/leichte-sprache",
    "/hilfe",
    "/api",
    "/search",
    "/search?q=Zeppelin",
    "/moderation/transparency",
    "/seite-gibt-es-nicht",
]


@pytest.mark.parametrize("width", [1280, 360])
def test_public_pages_have_no_axe_violations(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in PUBLIC_PAGES:
        page.goto(path)
        assert axe_violations(page) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{path} scrolls sideways at {width}px"


def test_forms_with_errors_have_no_axe_violations(page):
    page.goto("/auth/register")
    page.get_by_role("button", name="Konto erstellen").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
    page.goto("/auth/login")
    page.get_by_role("button", name="Anmelden").click()
    assert axe_violations(page) == []


def test_account_pages_have_no_axe_violations(page, make_user):
    make_user(email="anna@example.org", display_name="Anna")
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("anna@example.org")
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ["/", "/account", "/account/delete"]:
            page.goto(path)
            assert axe_violations(page) == [], (path, width)
    # After a failed form on the account page, errors are shown accessibly too.
    page.goto("/account")
    page.locator("#pw-current_password").fill("falsch")
    page.get_by_role("button", name="Passwort ändern").click()
    assert page.locator(".error-summary").first.is_visible()
    assert axe_violations(page) == []


def test_skip_link_is_the_first_focus_and_visible(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_phone_menu_opens_with_the_keyboard(page):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/")
    toggle = page.get_by_role("button", name="Menü")
    assert toggle.is_visible()
    login_link = page.locator("#menu-panel").get_by_role("link", name="Anmelden")
    assert not login_link.is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert login_link.is_visible()


ADMIN_PAGES = [
    "/admin",
    "/admin/users",
    "/admin/invite",
    "/admin/departments",
    "/admin/districts",
    "/admin/settings",
    "/moderation",
    "/moderation?status=hidden",
    "/moderation/appeals",
    "/moderation/blocked",
    "/moderation/audit",
    "/moderation/decisions/2",
    "/moderation/transparency",
    "/processes/new",
    "/info",
    "/info/new",
    "/info/1",
    "/info/1/edit",
    "/dialogue",
    "/dialogue/new",
    "/dialogue/1",
    "/notifications",
    "/proposals",
    "/proposals/new",
    "/proposals/new?process=2",
    "/proposals/1",
    "/proposals/manage",
    "/volunteer",
    "/volunteer/new",
    "/volunteer/1",
    "/volunteer/me",
    "/volunteer/me/certificate",
    "/volunteer/manage",
    "/volunteer/1/edit",
    "/volunteer/2",
    "/volunteer/shifts/1",
    "/volunteer/shifts/8",  # a past shift: the attendance form
    "/reports",
    "/reports?since=2030-01-02&until=2030-01-01",  # with a form error
    "/reports/print",
    "/search?q=Kinder",
    "/search?q=Zebrastreifen",
]


def test_demo_city_pages_have_no_axe_violations(app, page, runner):
    """The demo city, as an admin sees it, at desktop and phone width."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    from engage.accounts.models import User
    from engage.demo import DEMO_PASSWORD
    from engage.extensions import db
    from engage.processes.models import Process

    slug = db.session.scalars(db.select(Process.slug)).first()
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("admin@musterstadt.example")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    user_id = 1
    volunteer_id = db.session.scalar(db.select(User.id).where(User.milestones_public))
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ["/", "/processes", f"/processes/{slug}", f"/processes/{slug}/edit",
                     f"/admin/users/{user_id}", f"/users/{volunteer_id}",
                     *ADMIN_PAGES]:  # fmt: skip
            page.goto(path)
            assert axe_violations(page) == [], (path, width)
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{path} scrolls sideways at {width}px"
    # Form errors on the process form are accessible too.
    page.goto("/processes/new")
    page.get_by_role("button", name="Speichern").click()
    assert page.locator(".error-summary").is_visible()
    assert axe_violations(page) == []
