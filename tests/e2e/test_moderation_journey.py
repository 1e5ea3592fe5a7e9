"""Three citizens report a reply; it disappears; a moderator restores it from the queue; the
author is told in the app and by mail."""

from __future__ import annotations

from playwright.sync_api import expect

from engage.boards import dialogue_services
from engage.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations


def _session(browser, live_server, email):
    page = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    return page


def test_reported_reply_is_hidden_then_restored_and_the_author_told(
    app, browser, live_server, smtp_server, make_user
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    opener = make_user("citizen", email="olga@example.org", display_name="Olga")
    author = make_user("citizen", email="nina@example.org", display_name="Nina")
    make_user("moderator", email="mona@example.org", display_name="Mona")
    reporters = [make_user("citizen", email=f"melder{n}@example.org") for n in range(3)]
    with app.test_request_context(base_url=live_server.url):  # mails to followers build links
        thread = dialogue_services.open_thread(opener, "Bänke am Marktplatz", "Es fehlen Bänke.")
        reply = dialogue_services.reply(thread, author, "Die Bänke sind alle kaputt, typisch.")
        db.session.commit()
    thread_url, reply_text = f"/dialogue/{thread.id}", "Die Bänke sind alle kaputt"

    for number, reporter in enumerate(reporters):
        page = _session(browser, live_server, reporter.email)
        page.goto(thread_url)
        page.locator(f"#c{reply.id}").get_by_role("link", name="Melden").click()
        expect(page.get_by_text(reply_text)).to_be_visible()  # the report page quotes it
        page.get_by_label("Beleidigung oder Anfeindung").check()
        if number == 0:
            assert axe_violations(page) == []  # the report form
        page.get_by_role("button", name="Meldung senden").click()
        expect(page.locator(".flash-success")).to_contain_text("Vielen Dank")
        page.goto(thread_url)
        if number < 2:
            expect(page.get_by_text(reply_text)).to_be_visible()
        else:
            expect(page.get_by_text(reply_text)).to_have_count(0)
        page.context.close()

    moderator = _session(browser, live_server, "mona@example.org")
    moderator.get_by_role("link", name="Moderation").first.click()
    item = moderator.locator(".queue-item", has_text=reply_text)
    expect(item).to_contain_text("3 Meldungen")
    assert axe_violations(moderator) == []
    item.get_by_role("checkbox").check()
    moderator.get_by_label("Aktion für die ausgewählten Einträge").select_option("restore")
    moderator.get_by_role("button", name="Ausführen").click()
    expect(moderator.locator(".flash-success")).to_contain_text("1 Eintrag erledigt")
    moderator.goto(thread_url)
    expect(moderator.get_by_text(reply_text)).to_be_visible()

    for _ in range(150):  # up to 15 s
        if smtp_server.bodies_to("nina@example.org"):
            break
        moderator.wait_for_timeout(100)
    [body] = smtp_server.bodies_to("nina@example.org")
    assert "wieder sichtbar" in body and reply_text in body
    nina = _session(browser, live_server, "nina@example.org")
    nina.goto("/notifications")
    expect(nina.get_by_text("Ihr Beitrag ist wieder sichtbar")).to_be_visible()
    for page in (moderator, nina):
        page.context.close()
