"""Staff create an offer with a shift of capacity 1; two citizens sign up; the first cancels;
the second is promoted and receives the mail."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from engage.core.types import LOCAL_TIMEZONE, utcnow
from engage.extensions import db
from engage.organisation.models import Department
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import axe_violations


def _session(browser, live_server, email):
    page = browser.new_context(locale="de-DE", base_url=live_server.url).new_page()
    page.goto("/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    return page


def test_waiting_list_promotion_with_mail(app, browser, live_server, smtp_server, make_user):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    gruen = Department(name="Fachbereich Grün", short_name="Grün")
    db.session.add(gruen)
    db.session.commit()
    make_user("staff", email="gerd@example.org", display_name="Gerd", department_id=gruen.id)
    make_user("citizen", email="anna@example.org", display_name="Anna")
    make_user("citizen", email="ben@example.org", display_name="Ben")

    staff = _session(browser, live_server, "gerd@example.org")
    staff.goto("/volunteer")
    staff.get_by_role("link", name="Neues Mitmach-Angebot").click()
    staff.get_by_label("Titel").fill("Baumpatenschaft Lindenweg")
    staff.get_by_label("Was tun die Freiwilligen?").fill("Junge Bäume gießen.")
    staff.get_by_role("button", name="Speichern").click()
    start = (
        (utcnow() + timedelta(days=3)).astimezone(LOCAL_TIMEZONE).replace(second=0, microsecond=0)
    )
    staff.get_by_label("Beginn").fill(start.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("Ende").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("Plätze").fill("1")
    staff.get_by_role("button", name="Einsätze hinzufügen").click()
    expect(staff.locator(".flash-success")).to_contain_text("hinzugefügt")
    offer_url = staff.url
    assert axe_violations(staff) == []

    anna = _session(browser, live_server, "anna@example.org")
    anna.goto(offer_url)
    anna.get_by_role("button", name="Eintragen", exact=True).click()
    expect(anna.locator(".flash-success")).to_contain_text("eingetragen")
    ben = _session(browser, live_server, "ben@example.org")
    ben.goto(offer_url)
    ben.get_by_role("button", name="Auf die Warteliste").click()
    expect(ben.locator(".flash-success")).to_contain_text("Nummer 1")

    anna.once("dialog", lambda dialog: dialog.accept())
    anna.get_by_role("button", name="Austragen").click()
    expect(anna.locator(".flash-success")).to_contain_text("ausgetragen")

    ben.goto(offer_url)
    expect(ben.get_by_text("Sie sind für diesen Einsatz eingetragen")).to_be_visible()
    for _ in range(150):  # up to 15 s
        if smtp_server.bodies_to("ben@example.org"):
            break
        ben.wait_for_timeout(100)
    [body] = smtp_server.bodies_to("ben@example.org")
    assert "Baumpatenschaft Lindenweg" in body and "gehört jetzt Ihnen" in body
    for page in (staff, anna, ben):
        page.context.close()


def _attended_weekly_shifts(town, title: str, description: str, weeks: int) -> None:
    """An offer of the staff's department with weekly 2-hour shifts from three weeks ago, each
    attended by the town's citizen."""
    from engage.volunteering import attendance, services
    from engage.volunteering.models import Signup

    offer = services.create_offer(town["staff"], services.OfferData(
        title=title, description=description,
        department_id=town["staff"].department_id))  # fmt: skip
    start = utcnow().replace(second=0, microsecond=0) - timedelta(weeks=3)
    for shift in services.add_shifts(offer, start, start + timedelta(hours=2), 3, weeks=weeks):
        signup = Signup(shift_id=shift.id, user_id=town["citizen"].id, status="confirmed")
        db.session.add(signup)
        db.session.flush()
        attendance.mark(signup, town["staff"], attended=True)
    db.session.commit()


def test_certificate_prints_on_one_a4_page_without_the_site_navigation(browser, live_server, town):
    _attended_weekly_shifts(town, "Lesepatenschaft", "Vorlesen in der Bücherei", weeks=3)

    page = _session(browser, live_server, "buerger@example.org")
    page.goto("/volunteer/me/certificate")
    expect(page.locator("tfoot")).to_contain_text("6,0")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("link", name="Zurück zu meinen Einsätzen").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)  # the stylesheet's @page decides the size
    assert pdf.startswith(b"%PDF") and b"/Count 1" in pdf  # one page
    [box] = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert (round(float(box[0])), round(float(box[1]))) == (595, 842)  # A4 in points
    page.context.close()


_OUTSIDE_JS = """() => [...document.querySelectorAll('.certificate-table :is(td, th)')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                  || getComputedStyle(el).display === 'none')
  .map((el) => el.textContent.trim())"""


def test_certificate_reads_on_a_phone_without_sideways_scrolling(browser, live_server, town):
    _attended_weekly_shifts(town, "Lesepatenschaft in der Stadtteilbücherei", "Vorlesen", weeks=2)

    page = _session(browser, live_server, "buerger@example.org")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/volunteer/me/certificate")
    # Every cell, department and hours included, lies within the screen, labelled.
    assert page.evaluate(_OUTSIDE_JS) == []
    wrap = page.locator(".certificate .table-wrap")
    assert wrap.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    expect(page.locator("tbody tr").first).to_contain_text("Fachbereich: Umwelt")
    expect(page.locator("tbody tr").first).to_contain_text("Stunden: 2,0")
    expect(page.locator("tfoot")).to_contain_text("Summe: 4,0 Stunden")
    assert axe_violations(page) == []
    # Printed (also from a phone) it is the usual table with its column headings.
    page.emulate_media(media="print")
    expect(page.locator(".certificate-table thead")).to_be_visible()
    assert not page.locator(".certificate-table .cell-label").first.is_visible()
    page.context.close()
