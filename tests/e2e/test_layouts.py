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
