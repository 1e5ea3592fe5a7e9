"""A new resident registers, confirms the mail from a real SMTP server, and logs in."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_register_verify_and_log_in(app, page, live_server, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)

    page.goto("/")
    page.get_by_role("link", name="Registrieren", exact=True).click()
    page.get_by_label("E-Mail-Adresse").fill("lena@example.org")
    page.get_by_label("Anzeigename").fill("Lena Lindner")
    page.get_by_label("Passwort").fill("Sonnenblumen im Stadtpark")
    page.get_by_label("Stadtteil (optional)").select_option(index=0)
    page.locator("#accept_privacy").check()
    page.get_by_role("button", name="Konto erstellen").click()
    expect(page.locator(".flash-success")).to_contain_text("lena@example.org")

    # The verification mail arrives over SMTP after the response was sent.
    for _ in range(150):  # up to 15 s
        if smtp_server.bodies_to("lena@example.org"):
            break
        page.wait_for_timeout(100)
    [body] = smtp_server.bodies_to("lena@example.org")
    link = re.search(r"http://127\.0\.0\.1:\d+/auth/verify/\S+", body).group(0)

    # Log out, open the link, and log in again with the new account.
    page.get_by_role("button", name="Abmelden").click()
    page.goto(link)
    expect(page.locator(".flash-success")).to_contain_text("bestätigt")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.get_by_label("E-Mail-Adresse").fill("lena@example.org")
    page.get_by_label("Passwort", exact=True).fill("Sonnenblumen im Stadtpark")
    page.get_by_role("button", name="Anmelden").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Musterstadt")
    expect(page.get_by_text("Willkommen, Lena Lindner.")).to_be_visible()
    expect(page.locator(".notice-bar")).to_have_count(0)
