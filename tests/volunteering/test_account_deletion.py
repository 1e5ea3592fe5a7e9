"""Deleting an account ends its sign-ups for coming shifts; attendance stays, anonymously."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from engage.accounts import services as accounts
from engage.extensions import db
from engage.volunteering import attendance, services
from engage.volunteering.models import Signup
from tests.conftest import TEST_PASSWORD, post_form
from tests.volunteering.conftest import make_shift


def _status(signup: Signup) -> str:
    db.session.refresh(signup)
    return signup.status


def _attended_shift(offer, user, staff, hours: str):
    """A shift of last week that the user came to."""
    shift = make_shift(offer, capacity=3, hours_from_now=200)
    signup = services.sign_up(shift, user)
    shift.starts_at -= timedelta(days=9)
    shift.ends_at -= timedelta(days=9)
    attendance.mark(signup, staff, attended=True, hours=Decimal(hours))
    db.session.commit()
    return signup


def test_deleting_an_account_frees_its_places_and_promotes_the_waiting_in_order(
    town, offer, make_user, outbox
):
    citizen, neighbour = town["citizen"], town["neighbour"]
    third, fourth = make_user("citizen"), make_user("citizen")
    full = make_shift(offer, capacity=1, hours_from_now=48)
    mine = services.sign_up(full, citizen)
    first_waiting = services.sign_up(full, neighbour)
    second_waiting = services.sign_up(full, third)
    other = make_shift(offer, capacity=1, hours_from_now=72)
    holder = services.sign_up(other, fourth)
    my_waiting = services.sign_up(other, citizen)
    came = _attended_shift(offer, citizen, town["staff"], "2.5")
    db.session.commit()
    outbox.clear()

    accounts.delete_account(citizen)
    db.session.commit()

    assert (_status(mine), _status(my_waiting)) == ("cancelled", "cancelled")
    assert (_status(first_waiting), _status(second_waiting)) == ("confirmed", "waitlisted")
    assert services.waiting_position(second_waiting) == 1
    assert services.places_taken(full) == 1 and services.places_taken(other) == 1
    assert [m.recipient for m in outbox()] == ["nachbar@example.org"]
    # The attendance record stays, without a name, and still counts for the city's reports.
    assert (_status(came), came.hours) == ("attended", Decimal("2.50"))
    assert attendance.delivered_total(offer_id=offer.id).hours == Decimal("2.50")
    # A place freeing later never goes to the deleted account.
    outbox.clear()
    assert services.cancel(holder) is None
    db.session.commit()
    assert _status(my_waiting) == "cancelled" and outbox() == []


def test_a_deleted_account_left_on_a_waiting_list_is_never_promoted_nor_mailed(town, offer, outbox):
    """Accounts deleted before sign-ups ended with them may still wait: they are skipped."""
    shift = make_shift(offer, capacity=1)
    holder = services.sign_up(shift, town["staff"])
    stale = services.sign_up(shift, town["citizen"])
    waiting = services.sign_up(shift, town["neighbour"])
    accounts.anonymise_account(town["citizen"])  # the account alone, as older code did
    db.session.commit()
    outbox.clear()
    assert services.cancel(holder) == waiting
    db.session.commit()
    assert _status(stale) == "waitlisted"
    assert [m.recipient for m in outbox()] == ["nachbar@example.org"]


def test_deleting_the_account_on_its_page_frees_the_place_on_the_offer(client, auth, town, offer):
    shift = make_shift(offer, capacity=8)
    services.sign_up(shift, town["neighbour"])
    db.session.commit()
    auth.login("buerger@example.org")
    post_form(client, f"/volunteer/{offer.id}", action=f"/volunteer/shifts/{shift.id}/signup")
    assert "2 von 8 Plätzen belegt" in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    post_form(client, "/account/delete", password=TEST_PASSWORD)
    assert "1 von 8 Plätzen belegt" in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    auth.login("umwelt@example.org")
    roster = client.get(f"/volunteer/shifts/{shift.id}").get_data(as_text=True)
    assert "1 von 8 Plätzen belegt" in roster and "gelöschtes Konto" in roster
