"""Changing and cancelling shifts: volunteers are told, places and the waiting list follow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.core.audit import AuditEntry, verify_chain
from engage.core.types import utcnow
from engage.extensions import db
from engage.volunteering import services
from tests.conftest import post_form
from tests.volunteering.conftest import make_shift


def _both_signed_up(town, offer, capacity=1):
    shift = make_shift(offer, capacity=capacity)
    first = services.sign_up(shift, town["citizen"])
    second = services.sign_up(shift, town["neighbour"])
    db.session.commit()
    return shift, first, second


def test_moving_a_shift_tells_everyone_on_it_and_resets_the_reminder(town, offer, outbox):
    shift, first, second = _both_signed_up(town, offer)
    first.reminded_at = shift.starts_at - timedelta(hours=20)
    new_start = shift.starts_at + timedelta(days=1)
    told = services.edit_shift(shift, town["staff"], new_start, new_start + timedelta(hours=3),
                               1, "Stadtpark, Eingang Süd")  # fmt: skip
    db.session.commit()
    assert told == 2
    mails = outbox()
    assert sorted(m.recipient for m in mails) == ["buerger@example.org", "nachbar@example.org"]
    assert all("Stadtpark, Eingang Süd" in m.body for m in mails)
    assert first.reminded_at is None
    assert db.session.scalars(select(AuditEntry.action)).all()[-1] == "shift.update"
    assert verify_chain().ok


def test_more_places_go_to_the_waiting_list_in_order(town, offer, outbox, make_user):
    shift, first, second = _both_signed_up(town, offer)
    third = services.sign_up(shift, make_user("citizen"))
    db.session.commit()
    told = services.edit_shift(shift, town["staff"], shift.starts_at, shift.ends_at, 2,
                               shift.place)  # fmt: skip
    db.session.commit()
    assert (first.status, second.status, third.status) == ("confirmed", "confirmed", "waitlisted")
    assert told == 1
    [mail] = outbox()
    assert mail.recipient == "nachbar@example.org" and "Platz" in mail.subject


def test_places_cannot_drop_below_the_volunteers_who_have_one(town, offer):
    shift, _first, _second = _both_signed_up(town, offer, capacity=2)
    with pytest.raises(services.VolunteeringError, match="2"):
        services.edit_shift(shift, town["staff"], shift.starts_at, shift.ends_at, 1, "")


def test_cancelling_a_shift_ends_every_sign_up_and_gives_the_reason(town, offer, outbox):
    shift, first, second = _both_signed_up(town, offer)
    assert services.cancel_shift(shift, town["staff"], "Sturmwarnung") == 2
    db.session.commit()
    assert (first.status, second.status) == ("cancelled", "cancelled")
    assert all("Sturmwarnung" in m.body for m in outbox()) and len(outbox()) == 2
    with pytest.raises(services.ShiftPast):
        services.sign_up(shift, town["admin"])
    with pytest.raises(services.VolunteeringError):
        services.cancel_shift(shift, town["staff"], "noch mal")
    # The cancelled shift no longer blocks the same time for its volunteers.
    replacement = make_shift(offer, hours_from_now=48)
    assert services.sign_up(replacement, town["citizen"]).status == "confirmed"


def test_staff_of_the_department_manage_shifts_through_the_pages(client, auth, town, offer,
                                                                  outbox):  # fmt: skip
    shift, _first, _second = _both_signed_up(town, offer)
    auth.login("verkehr@example.org")
    assert client.get(f"/volunteer/shifts/{shift.id}").status_code == 403
    auth.logout()
    auth.login("umwelt@example.org")
    page = client.get(f"/volunteer/shifts/{shift.id}").get_data(as_text=True)
    assert "Bernd" in page and "Nina" in page and "Warteliste: Nummer 1" in page
    url = f"/volunteer/shifts/{shift.id}"
    response = post_form(client, url, action=f"{url}/edit", starts_at="2030-05-04T10:00",
                         ends_at="2030-05-04T09:00", capacity="1")  # fmt: skip
    assert response.status_code == 422  # (at the field, with what was typed)
    assert "nach seinem Beginn" in response.get_data(as_text=True)
    response = post_form(client, url, action=f"{url}/edit", starts_at="2030-05-04T10:00",
                         ends_at="2030-05-04T12:30", capacity="1")  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(shift)
    assert shift.starts_at.isoformat() == "2030-05-04T08:00:00+00:00"  # 10:00 in Berlin (CEST)
    response = post_form(client, url, action=f"{url}/cancel-shift", reason="")
    assert response.status_code == 422
    assert "Bitte geben Sie eine Begründung an" in response.get_data(as_text=True)
    post_form(client, url, action=f"{url}/cancel-shift", reason="Sturmwarnung")
    assert "Sturmwarnung" in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)


def test_staff_edit_their_offer_and_link_the_proposal_it_grew_from(client, auth, town, offer):
    from engage.proposals.models import Proposal

    proposal = Proposal(process_id=town["voting"].id, author_id=town["citizen"].id,
                        title="Mehr Sauberkeit im Stadtpark", problem="Müll", idea="Aufräumen",
                        intended_outcome="Sauberer Park", indicator="Müllsäcke",
                        status="accepted")  # fmt: skip
    db.session.add(proposal)
    db.session.commit()
    auth.login("umwelt@example.org")
    response = post_form(client, f"/volunteer/{offer.id}/edit", title="Parkputz Nord",
                         description="Müll sammeln", department_id=str(offer.department_id),
                         district_id="", process_id="", proposal_id=str(proposal.id))  # fmt: skip
    assert response.status_code == 302
    assert "Mehr Sauberkeit im Stadtpark" in client.get(f"/volunteer/{offer.id}").get_data(
        as_text=True
    )
    assert "Parkputz Nord" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    auth.logout()
    auth.login("verkehr@example.org")
    assert client.get(f"/volunteer/{offer.id}/edit").status_code == 403


def test_a_place_a_change_and_a_call_off_are_notifications_too(client, auth, town, offer,
                                                               outbox):  # fmt: skip
    """Someone who reads only the site (mail set to "never") learns of them there as well."""
    from engage.notifications.models import Notification

    shift, first, second = _both_signed_up(town, offer)  # (Nina waits)
    services.cancel(first)  # Bernd cancels: Nina has his place
    db.session.commit()
    new_start = shift.starts_at + timedelta(days=1)
    services.edit_shift(shift, town["staff"], new_start, new_start + timedelta(hours=2), 1, "")
    db.session.commit()
    services.cancel_shift(shift, town["staff"], "Sturmwarnung")
    db.session.commit()
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == town["neighbour"].id).order_by(Notification.id)).all()  # fmt: skip
    assert kinds == ["shift_place", "shift_changed", "shift_cancelled"]
    mailed = len(outbox())
    auth.login("nachbar@example.org")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Sie haben einen Platz von der Warteliste: „Parkputz Nordviertel“" in page
    assert "Ihr Einsatz wurde geändert" in page and "Ihr Einsatz wurde abgesagt" in page
    # (When, as everywhere: with the full year; the shift may end after midnight, Berlin time.)
    moment = r"\d\d\.\d\d\.20\d\d, \d\d:\d\d"
    until = rf"(–\d\d:\d\d| – {moment})"
    assert re.search(f"Warteliste: „Parkputz Nordviertel“, {moment}{until}", page)
    note = db.session.scalar(select(Notification).where(Notification.kind == "shift_place"))
    assert client.get(f"/notifications/{note.id}").headers["Location"] == "/volunteer/me"
    assert len(outbox()) == mailed  # (the mails went out already; no digest repeats them)
    assert all(n.mailed_at is not None for n in db.session.scalars(select(Notification)))


def test_an_upcoming_shift_with_volunteers_cannot_be_moved_into_the_past(town, offer):
    shift, _first, _second = _both_signed_up(town, offer)
    past = shift.starts_at - timedelta(days=5)
    with pytest.raises(services.VolunteeringError, match="verlegt werden, die vorbei ist"):
        services.edit_shift(shift, town["staff"], past, past + timedelta(hours=2), 1, "")
    # A shift that took place already may still be corrected (the hours follow it).
    empty = make_shift(offer, hours_from_now=48)
    services.edit_shift(empty, town["staff"], past, past + timedelta(hours=2), 1, "")


def _running(shift) -> None:
    """Move a shift so that it began half an hour ago (its sign-ups were made before)."""
    length = shift.ends_at - shift.starts_at
    shift.starts_at = (utcnow() - timedelta(minutes=30)).replace(second=0, microsecond=0)
    shift.ends_at = shift.starts_at + length
    db.session.commit()


def test_a_running_shift_cannot_be_cancelled_and_nobody_moves_up_into_it(town, offer, outbox):
    shift, first, second = _both_signed_up(town, offer)
    _running(shift)
    outbox.clear()
    with pytest.raises(services.ShiftStarted, match="begonnen"):
        services.cancel(first)
    db.session.rollback()
    # More places for a running shift (or a shift moved within its run) promote nobody.
    services.edit_shift(shift, town["staff"], shift.starts_at, shift.ends_at, 3, shift.place)
    db.session.commit()
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert outbox() == []


def test_cancelling_on_the_page_after_the_start_is_refused_with_a_message(
    client, auth, town, offer, outbox
):
    shift, first, second = _both_signed_up(town, offer)
    _running(shift)
    auth.login("buerger@example.org")
    response = post_form(client, "/volunteer/me", action=f"/volunteer/shifts/{shift.id}/cancel")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "hat schon begonnen" in html
    db.session.expire_all()
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert outbox() == []
