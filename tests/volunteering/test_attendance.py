"""Attendance and hours, no-shows, at-risk shifts, costs saved, milestones and the certificate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from engage.extensions import db
from engage.organisation.models import Department
from engage.volunteering import attendance, services
from engage.volunteering.models import Signup
from tests.conftest import post_form
from tests.volunteering.conftest import make_shift


def _past_shift_with(offer, people, length=2):
    """A shift that began an hour ago, with everyone given a place beforehand."""
    shift = make_shift(offer, capacity=len(people), hours_from_now=48, length=length)
    for person in people:
        services.sign_up(shift, person)
    shift.starts_at -= timedelta(hours=49)
    shift.ends_at -= timedelta(hours=49)
    db.session.commit()
    return shift


def _signup(shift, user):
    return db.session.scalar(db.select(Signup).where(
        Signup.shift_id == shift.id, Signup.user_id == user.id))  # fmt: skip


def test_hours_default_to_the_shift_length_and_no_shows_get_none(town, offer):
    shift = _past_shift_with(offer, [town["citizen"], town["neighbour"]], length=3)
    came, absent = _signup(shift, town["citizen"]), _signup(shift, town["neighbour"])
    attendance.mark(came, town["staff"], attended=True)
    attendance.mark(absent, town["staff"], attended=False)
    assert (came.status, came.hours) == ("attended", Decimal("3.00"))
    assert (absent.status, absent.hours) == ("no_show", None)
    attendance.mark(came, town["staff"], attended=True, hours=Decimal("2.5"))
    assert came.hours == Decimal("2.5")


def test_attendance_is_refused_before_the_shift_and_for_people_without_a_place(town, offer):
    future = make_shift(offer, capacity=1)
    waiting_shift = _past_shift_with(offer, [town["citizen"]])
    mine = services.sign_up(future, town["citizen"])
    with pytest.raises(services.VolunteeringError, match="begonnen"):
        attendance.mark(mine, town["staff"], attended=True)
    cancelled = _signup(waiting_shift, town["citizen"])
    cancelled.status = "cancelled"
    with pytest.raises(services.VolunteeringError):
        attendance.mark(cancelled, town["staff"], attended=True)
    with pytest.raises(services.VolunteeringError):
        attendance.mark(mine, town["staff"], attended=True, hours=Decimal("30"))


def test_costs_saved_and_no_show_rate_per_offer_department_and_district(town, offer, make_user):
    """Hand-counted: Umwelt 3 h + 2 h at 15 €, Verkehr 4 h at 20 €; one no-show in Umwelt."""
    verkehr = db.session.scalar(db.select(Department).where(Department.name == "Verkehr"))
    other = services.create_offer(town["other"], services.OfferData(
        title="Schulweghelfer", description="Kinder begleiten", department_id=verkehr.id,
        district_id=town["nord"].id, hour_value=Decimal("20")))  # fmt: skip
    extra = make_user("citizen")
    first = _past_shift_with(offer, [town["citizen"], town["neighbour"], extra], length=3)
    second = _past_shift_with(offer, [town["citizen"]], length=2)
    third = _past_shift_with(other, [town["neighbour"]], length=4)
    attendance.mark(_signup(first, town["citizen"]), town["staff"], True)
    attendance.mark(_signup(first, town["neighbour"]), town["staff"], False)
    attendance.mark(_signup(second, town["citizen"]), town["staff"], True)
    attendance.mark(_signup(third, town["neighbour"]), town["other"], True)
    db.session.commit()  # the extra volunteer stays unmarked and counts nowhere

    total = attendance.delivered_total()
    assert (total.hours, total.value, total.attended, total.no_shows) == (
        Decimal("9.00"),
        Decimal("155.00"),
        3,
        1,
    )
    assert total.no_show_rate == pytest.approx(0.25)
    by_offer = {row.label: (row.hours, row.value) for row in attendance.delivered_by("offer")}
    assert by_offer == {"Parkputz Nordviertel": (Decimal("5.00"), Decimal("75.00")),
                        "Schulweghelfer": (Decimal("4.00"), Decimal("80.00"))}  # fmt: skip
    by_department = {r.label: r.value for r in attendance.delivered_by("department")}
    assert by_department == {"Umwelt": Decimal("75.00"), "Verkehr": Decimal("80.00")}
    by_district = {r.label: r.hours for r in attendance.delivered_by("district")}
    assert by_district == {"Ganze Stadt": Decimal("5.00"), "Nordviertel": Decimal("4.00")}
    umwelt = attendance.delivered_total(department_id=town["staff"].department_id)
    assert (umwelt.hours, umwelt.no_show_rate) == (Decimal("5.00"), pytest.approx(1 / 3))


def test_at_risk_shifts_are_the_under_filled_ones_of_the_next_seven_days(town, offer, make_user):
    risky = make_shift(offer, capacity=4, hours_from_now=72)
    services.sign_up(risky, town["citizen"])
    half_full = make_shift(offer, capacity=2, hours_from_now=100)
    services.sign_up(half_full, town["neighbour"])
    make_shift(offer, capacity=4, hours_from_now=24 * 9)  # beyond the week
    called_off = make_shift(offer, capacity=4, hours_from_now=30)
    services.cancel_shift(called_off, town["staff"], "Regen")
    db.session.commit()
    assert [(s.id, taken) for s, taken in attendance.at_risk_shifts()] == [(risky.id, 1)]
    other_department = town["other"].department_id
    assert attendance.at_risk_shifts(department_id=other_department) == []


def test_milestones_show_on_the_public_profile_only_with_consent(client, auth, town, offer):
    shift = _past_shift_with(offer, [town["citizen"]], length=10)
    attendance.mark(_signup(shift, town["citizen"]), town["staff"], True)
    db.session.commit()
    assert attendance.milestones(attendance.hours_of(town["citizen"])) == ([10], 50)
    profile = f"/users/{town['citizen'].id}"
    assert "10 Stunden" not in client.get(profile).get_data(as_text=True)
    auth.login("buerger@example.org")
    assert "10 Stunden" in client.get("/volunteer/me").get_data(as_text=True)
    post_form(client, "/account", action="/account/preferences", prefs__locale="",
              prefs__notify_frequency="immediately", prefs__milestones_public="y")  # fmt: skip
    auth.logout()
    assert "10 Stunden" in client.get(profile).get_data(as_text=True)


@pytest.mark.parametrize("not_hours", ["zwei", "sNaN", "NaN", "Infinity", "1e3"])
def test_staff_record_attendance_in_one_form_with_a_german_comma(client, auth, town, offer,
                                                                 not_hours):  # fmt: skip
    shift = _past_shift_with(offer, [town["citizen"], town["neighbour"]])
    came, absent = _signup(shift, town["citizen"]), _signup(shift, town["neighbour"])
    url = f"/volunteer/shifts/{shift.id}"
    auth.login("umwelt@example.org")
    response = post_form(client, url, action=f"{url}/attendance",
                         **{f"attendance-{came.id}": "attended", f"hours-{came.id}": not_hours,
                            f"attendance-{absent.id}": "no_show"})  # fmt: skip
    assert response.status_code == 422
    assert "zum Beispiel 2,5" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (came.status, absent.status) == ("confirmed", "confirmed")  # nothing half-saved
    response = post_form(client, url, action=f"{url}/attendance",
                         **{f"attendance-{came.id}": "attended", f"hours-{came.id}": "1,5",
                            f"attendance-{absent.id}": "no_show"})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert (came.status, came.hours, absent.status) == ("attended", Decimal("1.5"), "no_show")
    dashboard = client.get("/volunteer/manage").get_data(as_text=True)
    assert "Parkputz Nordviertel" in dashboard and "50 %" in dashboard
    auth.logout()
    auth.login("buerger@example.org")
    assert client.get("/volunteer/manage").status_code == 403
    certificate = client.get("/volunteer/me/certificate").get_data(as_text=True)
    assert "Engagementnachweis" in certificate and "Parkputz Nordviertel" in certificate
    assert "1,5" in certificate


def test_places_stay_taken_once_attendance_is_recorded(client, auth, town, offer):
    shift = _past_shift_with(offer, [town["citizen"], town["neighbour"]])
    shift.capacity = 3
    db.session.commit()
    attendance.mark(_signup(shift, town["citizen"]), town["staff"], attended=True)
    attendance.mark(_signup(shift, town["neighbour"]), town["staff"], attended=False)
    db.session.commit()
    assert services.places_taken(shift) == 2
    auth.login("umwelt@example.org")
    page = client.get(f"/volunteer/shifts/{shift.id}").get_data(as_text=True)
    assert "2 von 3 Plätzen belegt" in page


def test_hours_have_at_most_two_decimals_and_stay_near_the_shifts_length(town, offer):
    shift = _past_shift_with(offer, [town["citizen"]], length=2)
    came = _signup(shift, town["citizen"])
    for wrong, says in (("0.001", "zwei Nachkommastellen"), ("4.01", "höchstens 4,0 Stunden"),
                        ("NaN", "zwischen 0 und 24"), ("-1", "zwischen 0 und 24")):  # fmt: skip
        with pytest.raises(services.VolunteeringError, match=says):
            attendance.mark(came, town["staff"], attended=True, hours=Decimal(wrong))
    attendance.mark(came, town["staff"], attended=True, hours=Decimal("4.00"))  # with the way
    attendance.mark(came, town["staff"], attended=True, hours=Decimal("0.25"))
    assert came.hours == Decimal("0.25")


def test_a_two_minute_shift_refuses_two_and_a_half_hours_and_the_form_shows_its_length(
    client, auth, town, offer
):
    shift = _past_shift_with(offer, [town["citizen"]])
    shift.ends_at = shift.starts_at + timedelta(minutes=2)
    db.session.commit()
    came = _signup(shift, town["citizen"])
    url = f"/volunteer/shifts/{shift.id}"
    auth.login("umwelt@example.org")
    assert "(Einsatz: 0,03 Std.)" in client.get(url).get_data(as_text=True)
    for typed in ("2,5", "nan", "0,001"):
        response = post_form(
            client,
            url,
            action=f"{url}/attendance",
            **{f"attendance-{came.id}": "attended", f"hours-{came.id}": typed},
        )
        assert response.status_code == 422, typed
        assert f'value="{typed}"' in response.get_data(as_text=True)  # what was typed stays
    db.session.expire_all()
    assert (came.status, came.hours) == ("confirmed", None)
    post_form(
        client,
        url,
        action=f"{url}/attendance",
        **{f"attendance-{came.id}": "attended", f"hours-{came.id}": "1,25"},
    )
    db.session.expire_all()
    assert came.hours == Decimal("1.25")
    assert 'value="1,25"' in client.get(url).get_data(as_text=True)  # not rounded to 1,2


def _ended_shift_with(offer, people):
    """A shift that ended yesterday, with everyone given a place beforehand."""
    shift = _past_shift_with(offer, people)
    shift.starts_at -= timedelta(days=1)
    shift.ends_at -= timedelta(days=1)
    db.session.commit()
    return shift


def test_staff_see_the_past_shifts_of_their_department_still_awaiting_attendance(
    client, auth, town, offer, make_user
):
    verkehr = db.session.scalar(db.select(Department).where(Department.name == "Verkehr"))
    other = services.create_offer(town["other"], services.OfferData(
        title="Schulweghelfer", description="Kinder", department_id=verkehr.id))  # fmt: skip
    extra = make_user("citizen")
    open_shift = _ended_shift_with(offer, [town["citizen"], town["neighbour"], extra])
    attendance.mark(_signup(open_shift, extra), town["staff"], attended=True)
    done = _ended_shift_with(offer, [town["citizen"]])
    attendance.mark(_signup(done, town["citizen"]), town["staff"], attended=False)
    make_shift(offer, hours_from_now=-30)  # nobody signed up: nothing to record
    called_off = _ended_shift_with(offer, [town["neighbour"]])
    called_off.cancelled_at = called_off.starts_at - timedelta(days=1)
    elsewhere = _ended_shift_with(other, [town["citizen"]])
    services.sign_up(make_shift(offer, capacity=2, hours_from_now=30), town["citizen"])
    db.session.commit()

    rows, total = attendance.awaiting_attendance(town["staff"].department_id)
    assert [(shift.id, unmarked) for shift, unmarked in rows] == [(open_shift.id, 2)]
    assert total == 1
    rows, total = attendance.awaiting_attendance()  # admins: every department
    assert {shift.id for shift, _ in rows} == {open_shift.id, elsewhere.id} and total == 2
    assert attendance.awaiting_attendance(limit=1)[1] == 2

    auth.login("umwelt@example.org")
    html = client.get("/volunteer/manage").get_data(as_text=True)
    assert "Anwesenheit noch nicht erfasst" in html
    assert f'href="/volunteer/shifts/{open_shift.id}#roster-title"' in html
    assert "2 Personen noch nicht erfasst" in html
    assert f"/volunteer/shifts/{done.id}#" not in html and "Schulweghelfer" not in html
