"""Co-production: sign-ups within capacity, the waiting list and promotion."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from engage.core.types import utcnow
from engage.extensions import db
from engage.volunteering import services
from engage.volunteering.models import Shift, Signup
from tests.conftest import post_form
from tests.volunteering.conftest import make_shift as _shift


def test_places_then_waiting_list_then_promotion_by_mail(town, offer, outbox):
    shift = _shift(offer, capacity=1)
    first = services.sign_up(shift, town["citizen"])
    second = services.sign_up(shift, town["neighbour"])
    db.session.commit()
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert services.waiting_position(second) == 1
    promoted = services.cancel(first)
    db.session.commit()
    assert promoted == second and second.status == "confirmed"
    [mail] = outbox()
    assert mail.recipient == "nachbar@example.org" and "Parkputz Nordviertel" in mail.body


def test_refusals(town, offer):
    shift = _shift(offer, capacity=5)
    services.sign_up(shift, town["citizen"])
    with pytest.raises(services.AlreadySignedUp):
        services.sign_up(shift, town["citizen"])
    overlapping = _shift(offer, hours_from_now=49)
    with pytest.raises(services.ShiftOverlaps):
        services.sign_up(overlapping, town["citizen"])
    past = _shift(offer, hours_from_now=-5)
    with pytest.raises(services.ShiftPast):
        services.sign_up(past, town["neighbour"])


def test_weekly_shifts_in_one_step(offer):
    start = utcnow() + timedelta(days=1)
    shifts = services.add_shifts(offer, start, start + timedelta(hours=2), 3, weeks=4)
    assert [s.starts_at - shifts[0].starts_at for s in shifts] == [
        timedelta(weeks=n) for n in range(4)
    ]


def test_concurrent_sign_ups_never_exceed_capacity(app, town, offer, make_user):
    shift = _shift(offer, capacity=10)
    users = [make_user("citizen") for _ in range(100)]
    shift_id, user_ids = shift.id, [u.id for u in users]
    errors = []

    def worker(user_id):
        from engage.accounts.models import User

        with app.app_context():
            try:
                services.sign_up(db.session.get(Shift, shift_id), db.session.get(User, user_id))
                db.session.commit()
            except Exception as error:  # every failure is reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    statuses = db.session.scalars(db.select(Signup.status)).all()
    assert errors == []
    assert statuses.count("confirmed") == 10 and statuses.count("waitlisted") == 90
    waiting = db.session.scalars(db.select(Signup).where(Signup.status == "waitlisted")).all()
    assert sorted(services.waiting_position(s) for s in waiting) == list(range(1, 91))


def test_pages_sign_up_and_cancel(client, auth, town, offer):
    shift = _shift(offer, capacity=1)
    assert "Parkputz Nordviertel" in client.get("/volunteer").get_data(as_text=True)
    auth.login("buerger@example.org")
    post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/shifts/{shift.id}/signup")
    html = client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    assert "1 von 1 Plätzen belegt" in html
    assert "Parkputz Nordviertel" in client.get("/volunteer/me").get_data(as_text=True)
    post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/shifts/{shift.id}/cancel")
    assert "0 von 1 Plätzen belegt" in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    # Cancelling again (a second tab) says so instead of nothing.
    post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/shifts/{shift.id}/cancel")
    html = client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    assert "Sie waren bereits ausgetragen." in html


def test_only_staff_create_offers_and_unverified_cannot_sign_up(client, auth, town, offer):
    shift = _shift(offer)
    auth.login("neu@example.org")
    assert client.get("/volunteer/new").status_code == 403
    page = client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in page
    response = post_form(client, f"/volunteer/{offer.id}",
                         action=f"/volunteer/shifts/{shift.id}/signup")  # fmt: skip
    assert response.status_code == 403


def test_home_page_lists_upcoming_shifts_and_export_has_sign_ups(client, town, offer):
    from engage.core.privacy import export_user_data

    shift = _shift(offer)
    services.sign_up(shift, town["citizen"])
    db.session.commit()
    assert "Parkputz Nordviertel" in client.get("/").get_data(as_text=True)
    assert export_user_data(town["citizen"])["volunteering"][0]["status"] == "confirmed"


def test_offers_linked_to_a_process_show_on_its_page(client, town):
    offer = services.create_offer(town["staff"], services.OfferData(
        title="Pflanzaktion", description="Bäume pflanzen",
        department_id=town["staff"].department_id, process_id=town["dialogue"].id))  # fmt: skip
    db.session.commit()
    html = client.get(f"/processes/{town['dialogue'].slug}").get_data(as_text=True)
    assert "Pflanzaktion" in html
    assert town["dialogue"].title in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)


def test_reminders_go_out_once_within_24_hours(app, town, offer, outbox):
    soon, later = _shift(offer, hours_from_now=20), _shift(offer, hours_from_now=60)
    services.sign_up(soon, town["citizen"])
    services.sign_up(later, town["neighbour"])
    db.session.commit()
    runner = app.test_cli_runner()
    assert "1 reminder" in runner.invoke(args=["send-reminders"]).output
    assert [m.recipient for m in outbox()] == ["buerger@example.org"]
    assert "0 reminder" in runner.invoke(args=["send-reminders"]).output
    assert len(outbox()) == 1


def test_a_shift_ending_before_it_starts_is_refused_at_its_field_with_the_input_kept(
    client, auth, town, offer
):
    auth.login("umwelt@example.org")
    response = post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/{offer.id}/shifts",
                         starts_at="2030-12-05T10:00", ends_at="2030-12-05T09:00", capacity="1",
                         weeks="1")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ein Einsatz muss nach seinem Beginn enden." in page
    assert 'value="2030-12-05T10:00"' in page and 'value="2030-12-05T09:00"' in page
    assert re.search(r'name="capacity"[^>]*value="1"', page)
    assert not offer.shifts
    response = post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/{offer.id}/shifts",
                         starts_at="2030-12-05T10:00", ends_at="2030-12-05T12:00", capacity="1",
                         weeks="2")  # fmt: skip
    assert response.status_code == 302
    assert "2 Einsätze hinzugefügt." in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)


def test_a_shift_added_in_the_past_is_kept_with_a_warning(client, auth, town, offer):
    from engage.core.types import LOCAL_TIMEZONE

    yesterday = (utcnow() - timedelta(days=1)).astimezone(LOCAL_TIMEZONE).replace(tzinfo=None)
    auth.login("umwelt@example.org")
    response = post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/{offer.id}/shifts",
                         starts_at=yesterday.strftime("%Y-%m-%dT%H:%M"),
                         ends_at=(yesterday + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                         capacity="4", weeks="3")  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    assert "3 Einsätze hinzugefügt." in page
    assert 'class="flash flash-warning">1 Einsatz liegt in der Vergangenheit' in page
    db.session.expire_all()
    assert len(offer.shifts) == 3  # kept: attendance can be recorded afterwards
    response = post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/{offer.id}/shifts",
                         starts_at="2030-12-05T10:00", ends_at="2030-12-05T12:00", capacity="1",
                         weeks="1")  # fmt: skip
    assert "Vergangenheit" not in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
