"""Open data to serve: public items of every kind, and private ones that must never show."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.boards import dialogue_services as dialogue
from engage.boards import services as boards
from engage.core.moderation import ContentStatus
from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.processes import services as processes
from engage.processes.models import PhaseKind
from engage.proposals import services as proposals
from engage.volunteering import services as volunteering

SECRET = "GEHEIM"  # every private item carries this word; no API answer may contain it


def _proposal(town, title: str, submit: bool = True, **changes):
    data = proposals.ProposalData(
        title=title, problem="Zu wenig Schatten", idea="Bäume pflanzen",
        intended_outcome="Kühlere Straßen", indicator="Temperatur im Sommer",
        baseline="35 Grad", target="31 Grad", district_id=town["nord"].id,
    )  # fmt: skip
    proposal = proposals.save_proposal(town["citizen"], town["dialogue"], data, submit=submit)
    for name, value in changes.items():
        setattr(proposal, name, value)
    return proposal


@pytest.fixture
def open_data(town):
    """Public and private items of every kind; returns the public ones by name."""
    staff, citizen = town["staff"], town["citizen"]
    draft_process = processes.create_process(staff, processes.ProcessData(
        title=f"{SECRET} Entwurf", summary="x", body="", department_id=staff.department_id,
        district_id=None, support_threshold=5, answer_deadline_days=10))  # fmt: skip
    news = boards.publish_announcement(staff, boards.AnnouncementData(
        title="Baumpflanzung im Park", body="Am Samstag pflanzen wir **Bäume**."))  # fmt: skip
    boards.publish_announcement(staff, boards.AnnouncementData(
        title=f"{SECRET} geplant", body="später",
        publish_at=utcnow() + timedelta(days=3)))  # fmt: skip
    withdrawn = boards.publish_announcement(staff, boards.AnnouncementData(
        title=f"{SECRET} zurückgezogen", body="weg"))  # fmt: skip
    boards.set_published(withdrawn, staff, False)
    boards.publish_announcement(staff, boards.AnnouncementData(
        title=f"{SECRET} im Entwurf", body="x", process_id=draft_process.id))  # fmt: skip
    thread = dialogue.open_thread(citizen, "Mehr Bänke am Markt", "Bitte mehr Bänke.")
    dialogue.reply(thread, town["neighbour"], "Gute Idee")
    hidden = dialogue.open_thread(citizen, f"{SECRET} versteckt", "x")
    hidden.moderation_status = ContentStatus.HIDDEN.value
    pending = dialogue.open_thread(citizen, f"{SECRET} wartet", "x")
    pending.moderation_status = ContentStatus.PENDING.value
    gone = dialogue.open_thread(citizen, f"{SECRET} gelöscht", "x")
    dialogue.delete_post(gone)
    proposal = _proposal(town, "Schattenbäume am Marktplatz")
    proposals.move(proposal, staff, "under_review", note="Wir prüfen das.")
    proposals.move(proposal, staff, "accepted", note="Wir pflanzen zehn Bäume.")
    _proposal(town, f"{SECRET} Entwurf", submit=False)
    _proposal(town, f"{SECRET} versteckt", moderation_status=ContentStatus.HIDDEN.value)
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Parkputz Nordviertel", description="Müll sammeln im Park",
        department_id=staff.department_id, place="Stadtpark", contact="Ulla Umwelt",
        proposal_id=proposal.id))  # fmt: skip
    start = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    [shift] = volunteering.add_shifts(offer, start, start + timedelta(hours=2), capacity=3)
    volunteering.sign_up(shift, town["neighbour"])
    secret_offer = volunteering.create_offer(
        staff,
        volunteering.OfferData(
            title=f"{SECRET} Angebot", description="x", department_id=staff.department_id
        ),
    )
    secret_offer.moderation_status = ContentStatus.HIDDEN.value
    volunteering.add_shifts(secret_offer, start, start + timedelta(hours=1), capacity=1)
    db.session.commit()
    return {
        "announcement": news,
        "thread": thread,
        "proposal": proposal,
        "offer": offer,
        "shift": shift,
        "process": town["dialogue"],
        "draft_process": draft_process,
    }


def add_more(town, open_data) -> None:
    """Three more public items of every kind, for tests that page or count queries."""
    staff, citizen = town["staff"], town["citizen"]
    for n in range(3):
        processes.publish_process(processes.create_process(staff, processes.ProcessData(
            title=f"Verfahren {n}", summary="x", body="", department_id=staff.department_id,
            district_id=town["nord"].id, support_threshold=5, answer_deadline_days=10,
            phases=[processes.PhaseDates(PhaseKind.DIALOGUE, local_today(), local_today())],
        )), staff)  # fmt: skip
        boards.publish_announcement(staff, boards.AnnouncementData(
            title=f"Mitteilung {n}", body="x", process_id=town["voting"].id))  # fmt: skip
        thread = dialogue.open_thread(citizen, f"Frage {n}", "x", process=town["dialogue"])
        dialogue.reply(thread, town["neighbour"], "Antwort", official=False)
        _proposal(town, f"Vorschlag {n}")
        offer = volunteering.create_offer(staff, volunteering.OfferData(
            title=f"Angebot {n}", description="x", department_id=staff.department_id,
            district_id=town["nord"].id, process_id=town["dialogue"].id,
            proposal_id=open_data["proposal"].id))  # fmt: skip
        start = (utcnow() + timedelta(days=3 + n)).replace(second=0, microsecond=0)
        volunteering.add_shifts(offer, start, start + timedelta(hours=1), 2, weeks=2)
    db.session.commit()
