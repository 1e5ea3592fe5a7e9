"""Take the README's screenshots from a running demo city (`make run`), in German.

    .venv/bin/python docs/screenshots/take.py [http://127.0.0.1:5000]

Drives Debian's Chromium with Playwright, as the browser tests do; writes the PNGs beside this
file at desktop (1280 × 900) and phone (390 × 844) width.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
PASSWORD = "musterstadt-demo"  # the demo city's log-ins (engage/demo.py)
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def log_in(page, base: str, who: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", f"{who}@musterstadt.example")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def first_link(page, base: str, listing: str) -> str:
    """The address of the first item on a list page."""
    page.goto(base + listing)
    return page.locator("main .card a, main article a, main li a").first.get_attribute("href")


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        shots = [  # (file, who, path or callable, viewports, full page)
            ("home", "buerger", "/", (DESKTOP, PHONE), False),
            ("processes", None, "/processes", (DESKTOP,), False),
            ("proposal", "buerger", lambda p: first_link(p, base, "/proposals"), (DESKTOP, PHONE),
             False),
            ("volunteer-offer", "buerger", lambda p: first_link(p, base, "/volunteer"),
             (DESKTOP, PHONE), False),
            ("moderation-queue", "moderation", "/moderation", (DESKTOP, PHONE), False),
            ("reports", "rat", "/reports", (DESKTOP,), True),
        ]  # fmt: skip
        for name, who, path, viewports, full in shots:
            for viewport in viewports:
                context = browser.new_context(viewport=viewport, locale="de-DE")
                page = context.new_page()
                if who:
                    log_in(page, base, who)
                target = path(page) if callable(path) else path
                page.goto(base + target if target.startswith("/") else target)
                suffix = "-phone" if viewport is PHONE else ""
                clip = {"x": 0, "y": 0, "width": viewport["width"], "height": 1500} if full else None
                page.screenshot(path=str(HERE / f"{name}{suffix}.png"), clip=clip,
                                full_page=bool(full))  # fmt: skip
                print(name + suffix, target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
