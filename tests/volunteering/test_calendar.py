"""Shifts as iCalendar: a file per shift and a personal feed, read back with `icalendar`."""

from __future__ import annotations

from icalendar import Calendar

from engage.extensions import db
from engage.volunteering import calendar, services
from tests.volunteering.conftest import make_shift


def _events(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data()
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded as RFC 5545 asks
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_a_shift_downloads_as_a_valid_event(client, town, offer):
    offer.title = "Parkputz; Nord, mit Kaffee – und ein sehr langer Titel, der gefaltet werden muss"
    shift = make_shift(offer)
    shift.place = "Stadtpark, Eingang Süd"
    db.session.commit()
    [event] = _events(client.get(f"/volunteer/shifts/{shift.id}.ics"))
    assert str(event["SUMMARY"]) == offer.title
    assert str(event["LOCATION"]) == "Stadtpark, Eingang Süd"
    assert event.decoded("DTSTART") == shift.starts_at
    assert event.decoded("DTEND") == shift.ends_at
    assert str(event["UID"]).startswith(f"shift-{shift.id}@")
    assert f"/volunteer/{offer.id}" in str(event["URL"])


def test_the_personal_feed_needs_a_login_or_its_secret_link(client, auth, app, town, offer):
    mine, waiting, dropped = make_shift(offer), make_shift(offer, hours_from_now=80), make_shift(
        offer, hours_from_now=120)  # fmt: skip
    services.sign_up(mine, town["citizen"])
    services.sign_up(waiting, town["neighbour"])
    services.sign_up(waiting, town["citizen"])
    services.cancel(services.sign_up(dropped, town["citizen"]))
    db.session.commit()
    assert client.get("/volunteer/me.ics").status_code in (302, 401)
    auth.login("buerger@example.org")
    events = _events(client.get("/volunteer/me.ics"))
    assert {(e.decoded("DTSTART"), str(e["STATUS"])) for e in events} == {
        (mine.starts_at, "CONFIRMED"), (waiting.starts_at, "TENTATIVE")}  # fmt: skip
    with app.test_request_context():
        token = calendar.feed_token(town["citizen"])
    auth.logout()
    assert len(_events(client.get(f"/volunteer/me.ics?token={token}"))) == 2
    assert client.get(f"/volunteer/me.ics?token={token}x").status_code == 404
    town["citizen"].session_version += 1  # "log out on all devices"
    db.session.commit()
    assert client.get(f"/volunteer/me.ics?token={token}").status_code == 404


def test_my_shifts_page_offers_the_feed_and_a_download_per_shift(client, auth, town, offer):
    shift = make_shift(offer)
    services.sign_up(shift, town["citizen"])
    db.session.commit()
    auth.login("buerger@example.org")
    html = client.get("/volunteer/me").get_data(as_text=True)
    assert "/volunteer/me.ics?token=" in html
    assert f"/volunteer/shifts/{shift.id}.ics" in html


def test_the_feed_leaves_out_missed_shifts_and_marks_waiting_ones_tentative(
    client, auth, town, offer
):
    from datetime import timedelta

    from engage.volunteering import attendance

    came, missed, waited = (make_shift(offer, hours_from_now=h) for h in (48, 80, 120))
    ahead = make_shift(offer, hours_from_now=160)
    for shift in (came, missed, waited):
        services.sign_up(shift, town["neighbour"] if shift is waited else town["citizen"])
    waiting_past = services.sign_up(waited, town["citizen"])
    nina_ahead = services.sign_up(ahead, town["neighbour"])
    services.sign_up(ahead, town["citizen"])  # ahead has one place: Nina's
    for shift in (came, missed, waited):  # all three lie in the past now
        shift.starts_at -= timedelta(days=10)
        shift.ends_at -= timedelta(days=10)
    db.session.commit()
    for shift, came_along in ((came, True), (missed, False)):
        [signup] = [s for s in services.my_signups(town["citizen"]) if s.shift_id == shift.id]
        attendance.mark(signup, town["staff"], attended=came_along)
    db.session.commit()
    assert (waiting_past.status, nina_ahead.status) == ("waitlisted", "confirmed")
    auth.login("buerger@example.org")
    events = _events(client.get("/volunteer/me.ics"))
    assert {(e.decoded("DTSTART"), str(e["STATUS"])) for e in events} == {
        (came.starts_at, "CONFIRMED"), (ahead.starts_at, "TENTATIVE")}  # fmt: skip
    assert "Warteliste" in str(next(e for e in events if e["STATUS"] == "TENTATIVE")["SUMMARY"])


def test_my_shifts_page_offers_no_calendar_download_for_the_waiting_list(client, auth, town,
                                                                          offer):  # fmt: skip
    full = make_shift(offer, capacity=1)
    services.sign_up(full, town["neighbour"])
    services.sign_up(full, town["citizen"])
    db.session.commit()
    auth.login("buerger@example.org")
    html = client.get("/volunteer/me").get_data(as_text=True)
    assert "Warteliste: Nummer 1" in html
    assert f"/volunteer/shifts/{full.id}.ics" not in html
