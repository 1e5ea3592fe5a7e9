"""Fixtures of security tests: one item of each kind, and a logged-in client per kind of user."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.extensions import db
from tests.conftest import AuthActions

ROLES = ("visitor", "unverified", "citizen", "blocked", "other_staff", "staff", "moderator",
         "council", "admin")  # fmt: skip


@pytest.fixture
def world(town, make_user):
    """The town plus an announcement, a thread with replies, a proposal with a comment, an offer
    with a shift, a hidden reply with an appeal, a flag and a notification."""
    from engage.boards import dialogue_services
    from engage.boards import services as boards
    from engage.core.types import utcnow
    from engage.moderation import services as moderation
    from engage.notifications.models import Notification
    from engage.proposals import services as proposals
    from engage.volunteering import services as volunteering

    staff, citizen, neighbour = town["staff"], town["citizen"], town["neighbour"]
    moderator = make_user("moderator", email="mod@example.org", display_name="Mona")
    council = make_user("council", email="rat@example.org", display_name="Rita Rat")
    blocked = make_user("citizen", email="gesperrt@example.org", display_name="Gerd")
    blocked.blocked_at, blocked.blocked_reason = utcnow(), "Beleidigungen"
    dialogue = town["dialogue"]
    announcement = boards.publish_announcement(
        staff, boards.AnnouncementData("Baustelle", "Die Straße ist gesperrt.", dialogue.id)
    )
    thread = dialogue_services.open_thread(citizen, "Parkbank", "Eine Bank fehlt.", dialogue)
    reply = dialogue_services.reply(thread, neighbour, "Gute Idee!")
    hidden = dialogue_services.reply(thread, neighbour, "Werbung")
    proposal = proposals.save_proposal(
        citizen, town["voting"],
        proposals.ProposalData("Mehr Bänke", "Zu wenig Sitzplätze", "Bänke aufstellen",
                               "Mehr Aufenthalt", "Zahl der Bänke"),
        submit=True,
    )  # fmt: skip
    proposal_comment = proposals.comment(proposal, neighbour, "Unterstütze ich.")
    offer = volunteering.create_offer(
        staff, volunteering.OfferData("Bäume gießen", "Im Sommer", staff.department_id)
    )
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    shift = volunteering.add_shifts(offer, start, start + timedelta(hours=2), 5, "Park")[0]
    flag = moderation.flag(citizen, reply, "spam", "Ist das Werbung?")
    decision = moderation.decide(moderator, hidden, "hide", "spam")
    appeal = moderation.appeal(neighbour, decision, "Das war keine Werbung.")
    db.session.commit()
    notification = db.session.scalars(
        db.select(Notification).where(Notification.user_id == citizen.id)
    ).first()
    assert notification is not None, "the reply should have told the thread's author"
    return {
        **town, "moderator": moderator, "council": council, "blocked": blocked,
        "announcement": announcement, "thread": thread, "reply": reply, "hidden": hidden,
        "proposal": proposal, "proposal_comment": proposal_comment, "offer": offer,
        "shift": shift, "flag": flag, "decision": decision, "appeal": appeal,
        "notification": notification,
    }  # fmt: skip


@pytest.fixture
def clients(app, world):
    """One client per kind of user, each logged in once (the visitor not at all)."""
    emails = {
        "unverified": "neu@example.org", "citizen": "buerger@example.org",
        "blocked": "gesperrt@example.org", "other_staff": "verkehr@example.org",
        "staff": "umwelt@example.org", "moderator": "mod@example.org",
        "council": "rat@example.org", "admin": "admin@example.org",
    }  # fmt: skip
    found = {"visitor": app.test_client()}
    for role, email in emails.items():
        found[role] = app.test_client()
        response = AuthActions(found[role]).login(email)
        assert response.status_code == 302, (role, response.status_code)
    return found
