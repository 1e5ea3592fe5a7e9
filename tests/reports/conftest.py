"""The hand-counted city of the report tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from engage.boards import dialogue_services as dialogue
from engage.extensions import db
from engage.proposals import services as proposals
from engage.volunteering import attendance
from engage.volunteering import services as volunteering
from engage.volunteering.models import Signup


def _proposal(author, process, title):
    return proposals.save_proposal(author, process, proposals.ProposalData(
        title=title, problem="Problem", idea="Idee", intended_outcome="Wirkung",
        indicator="Zählung"), submit=True)  # fmt: skip


@pytest.fixture
def city(town, make_user):
    """Hand-counted participation.

    People a–g (citizens). Grün im Norden (dialogue, Nordviertel): threads by a and b, replies
    by d, e, f and an official answer by staff. City-wide: a thread by c. Abstimmung Radwege
    (voting, Nordviertel): proposals by a and g, the first supported by b, c, d, e, f.
    An Umwelt offer without process or district: a (2 h) and b (1.5 h) attended, 15 €/h.
    """
    people = {name: make_user("citizen", display_name=name) for name in "abcdefg"}
    first = dialogue.open_thread(people["a"], "Bäume am Markt", "Mehr Schatten", town["dialogue"])
    dialogue.open_thread(people["b"], "Bänke im Park", "Mehr Sitzplätze", town["dialogue"])
    dialogue.open_thread(people["c"], "Allgemeine Frage", "Wie geht das?")
    for name in "def":
        dialogue.reply(first, people[name], f"Antwort von {name}")
    dialogue.reply(first, town["staff"], "Wir prüfen das.", official=True)
    bike = _proposal(people["a"], town["voting"], "Radbügel am Bahnhof")
    _proposal(people["g"], town["voting"], "Radweg Lindenallee")
    for name in "bcdef":
        proposals.add_support(bike, people[name])
    offer = volunteering.create_offer(town["staff"], volunteering.OfferData(
        title="Parkputz", description="Müll sammeln", department_id=town["staff"].department_id,
        hour_value=Decimal("15")))  # fmt: skip
    start = bike.submitted_at.replace(microsecond=0) - timedelta(days=1)
    [shift] = volunteering.add_shifts(offer, start, start + timedelta(hours=2), capacity=5)
    for name, hours in (("a", None), ("b", Decimal("1.5"))):
        signup = Signup(shift_id=shift.id, user_id=people[name].id, status="confirmed")
        db.session.add(signup)
        db.session.flush()
        attendance.mark(signup, town["staff"], True, hours)
    db.session.commit()
    return {"people": people, "bike": bike, **town}
