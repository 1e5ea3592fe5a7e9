"""Keyboard helpers for browser tests: move focus with Tab only and check it is always visible."""

from __future__ import annotations

import re

# The focused element: its accessible name (roughly as a screen reader computes it), whether it
# is on screen, and whether its focused style differs visibly from its unfocused style.
_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const byIds = (ids) => ids.split(/\\s+/).map((id) => document.getElementById(id))
    .filter(Boolean).map((node) => node.textContent).join(' ');
  let name = el.getAttribute('aria-label')
    || (el.getAttribute('aria-labelledby') && byIds(el.getAttribute('aria-labelledby')))
    || (el.labels && el.labels.length ? Array.from(el.labels).map((l) => l.textContent).join(' ')
        : '')
    || (el.tagName === 'SELECT' ? '' : el.innerText || el.textContent)
    || el.value || el.title || '';
  name = name.replace(/\\s+/g, ' ').trim();
  const rect = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const look = (s) => [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
                       s.backgroundColor, s.borderColor, s.textDecorationLine].join('|');
  const focused = look(style);
  const indicator = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || style.boxShadow !== 'none';
  // The same element unfocused, for comparison; then focus it again (keyboard modality stays).
  // Not for date and time inputs: focusing them again would restart at their first part.
  let unfocused = '';
  const dateLike = /^(date|datetime-local|time|month|week)$/.test(el.type || '');
  if (!dateLike) {
    el.blur();
    unfocused = look(getComputedStyle(el));
    el.focus({preventScroll: true});
  }
  const all = document.getElementsByTagName('*');
  return {
    tag: el.tagName.toLowerCase(), name: name, type: el.type || '',
    order: Array.prototype.indexOf.call(all, el),
    visible: rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden'
      && rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth,
    // The parts of a date input have the focus inside it: the input itself is only :focus;
    // on its calendar button (not :focus) the browser draws its own focus ring.
    focusVisible: el.matches(':focus-visible') || dateLike,
    indicator: dateLike ? indicator || !el.matches(':focus') : indicator && focused !== unfocused,
  };
}"""


def focused(page) -> dict | None:
    """Describe the focused element, or None when the focus is on the page itself."""
    return page.evaluate(_FOCUS_JS)


def assert_focus_visible(page) -> dict:
    """The focused element is on screen and has a visible focus indicator (WCAG 2.4.7)."""
    info = focused(page)
    assert info is not None, "nothing has the focus"
    where = f"{info['tag']} „{info['name']}“ on {page.url}"
    assert info["visible"], f"the focused {where} is not on screen"
    assert info["focusVisible"] and info["indicator"], f"the focused {where} shows no focus: {info}"
    return info


def tab_to(page, name: str | re.Pattern, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab until the focused element's accessible name matches; check every step."""
    pattern = name if isinstance(name, re.Pattern) else re.compile(rf"^{re.escape(name)}$")
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        if info is None:
            seen.append("<page>")
            continue
        seen.append(info["name"][:40])
        assert_focus_visible(page)
        if pattern.search(info["name"]):
            return info
    raise AssertionError(
        f"Tab never reached {pattern.pattern!r} on {page.url}; passed: {seen[:60]}"
    )


def tab_through(page, limit: int = 250) -> int:
    """Tab from the top through the whole page: every stop shows focus, focus moves forward in
    document order, and it leaves the page within the limit (no keyboard trap)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    first = last = None
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None or (first is not None and info["order"] == first):
            return presses  # left the page or wrapped around to its start
        seen.append(info["name"][:30])
        assert_focus_visible(page)
        # (>=: date and time inputs take one Tab stop per part.)
        assert last is None or info["order"] >= last, f"Tab went backwards to „{info['name']}“"
        first = info["order"] if first is None else first
        last = info["order"]
    raise AssertionError(
        f"focus did not leave {page.url} after {limit} presses (trap?): {seen[-40:]}"
    )


def type_into(page, name: str | re.Pattern, text: str, limit: int = 80) -> None:
    """Tab to a field, then type (replacing what is there)."""
    tab_to(page, name, limit)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
