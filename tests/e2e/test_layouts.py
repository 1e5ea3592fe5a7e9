"""Representative pages reflow at phone, tablet and desktop width and at 200 % text size
(WCAG 1.4.4, 1.4.10): nothing scrolls sideways, no text is cut off."""

from __future__ import annotations

from engage.demo import DEMO_PASSWORD

PAGES = [
    "/",
    "/processes",
    "/dialogue",
    "/dialogue/1",
    "/dialogue/new",
    "/proposals",
    "/proposals/1",
    "/proposals/new?process=2",
    "/proposals/manage",
    "/volunteer",
    "/volunteer/1",
    "/volunteer/new",
    "/volunteer/me",
    "/volunteer/me/certificate",
    "/volunteer/shifts/8",
    "/reports",
    "/reports/print",
    "/moderation",
    "/search?q=Kinder",
    "/barrierefreiheit",
    "/hilfe",
]

# Text cut off: an element that hides its overflow but whose text is wider than its box
# (visually hidden helpers, 1 px wide on purpose, and fields, which scroll their text, do not
# count).
_CLIPPED_JS = """() => Array.from(document.querySelectorAll('body *')).filter((el) => {
  const s = getComputedStyle(el);
  if (!/(hidden|clip)/.test(s.overflowX) || el.clientWidth <= 1) return false;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return false;
  return el.scrollWidth > el.clientWidth + 1;
}).map((el) => el.tagName.toLowerCase() + '.' + el.className).slice(0, 5)"""


def test_pages_reflow_at_every_width_and_at_double_text_size(app, page, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("admin@musterstadt.example")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    for path in PAGES:
        page.goto(path)
        for width, text_size in ((360, "100%"), (768, "100%"), (1280, "100%"), (1280, "200%")):
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(f"document.documentElement.style.fontSize = '{text_size}'")
            where = f"{path} at {width}px, text {text_size}"
            body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert body_px >= (34 if text_size == "200%" else 17), where  # 1.0625rem
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{where} scrolls sideways by {wide}px"
            assert page.evaluate(_CLIPPED_JS) == [], f"{where} cuts text off"


_ROWS_JS = """() => {
  // The highest and lowest vertical middle of a row's items (items of one line share it).
  const middles = (selector) => [...document.querySelectorAll(selector)].map((el) => {
    const r = el.getBoundingClientRect(); return r.top + r.height / 2; });
  const span = (selector) => [Math.min(...middles(selector)), Math.max(...middles(selector))];
  return {nav: span('.nav-list > li'), user: span('.user-nav > *'),
          height: document.querySelector('.site-header').getBoundingClientRect().height};
}"""


def test_the_header_has_two_tidy_rows_at_1280_px_in_german(app, browser, live_server, runner):
    """Brand, search and the user's links in one row; the main navigation, with all of the
    admin's links, on one line below (it used to wrap "Hilfe" onto a line of its own)."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for email in (None, "buerger@musterstadt.example", "moderation@musterstadt.example",
                  "admin@musterstadt.example"):  # fmt: skip
        context = browser.new_context(locale="de-DE", base_url=live_server.url,
                                      viewport={"width": 1280, "height": 900})  # fmt: skip
        page = context.new_page()
        if email:
            page.goto("/auth/login")
            page.get_by_label("E-Mail-Adresse").fill(email)
            page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Anmelden").click()
        page.goto("/moderation/transparency")
        rows = page.evaluate(_ROWS_JS)
        (nav_top, nav_bottom), (user_top, user_bottom) = rows["nav"], rows["user"]
        assert nav_bottom - nav_top < 4 and user_bottom - user_top < 4, (email, rows)  # one line
        assert user_bottom < nav_top, (email, rows)  # the user's links above the navigation
        assert rows["height"] < 110, (email, rows)
        context.close()
