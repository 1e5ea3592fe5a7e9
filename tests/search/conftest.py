"""Content of every searchable kind, and a helper that searches like a visitor."""

from __future__ import annotations

import re

import pytest

from engage.boards import dialogue_services as dialogue
from engage.boards import services as boards
from engage.extensions import db
from engage.proposals import services as proposals
from engage.volunteering import services as volunteering


def proposal_data(title: str, idea: str = "Mehr Grün") -> proposals.ProposalData:
    return proposals.ProposalData(title=title, problem="Es ist heiß", idea=idea,
                                  intended_outcome="Kühlere Luft", indicator="Grad")  # fmt: skip


@pytest.fixture
def find(client):
    """find(words) → the titles of the results shown for a search, in their order."""

    def search(query: str, page: int = 1) -> list[str]:
        response = client.get("/search", query_string={"q": query, "page": page})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return [
            re.sub(r"<[^>]+>", "", title)
            for title in re.findall(r'<h2 class="card-title"><a href="[^"]*">(.*?)</a>', html)
        ]

    return search


@pytest.fixture
def content(town):
    """One public item of every kind; each carries the word "Fahrradständer" somewhere."""
    staff, citizen = town["staff"], town["citizen"]
    news = boards.publish_announcement(
        staff,
        boards.AnnouncementData(
            title="Neue Fahrradständer am Rathaus", body="Ab Montag stehen sie bereit."
        ),
    )
    thread = dialogue.open_thread(
        citizen, "Parken am Bahnhof", "Wo sind die Fahrradständer geblieben?"
    )
    reply = dialogue.reply(thread, town["neighbour"], "Die Fahrradständer stehen jetzt hinten.")
    proposal = proposals.save_proposal(
        citizen, town["dialogue"], proposal_data("Überdachte Fahrradständer"), submit=True
    )
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Fahrradwerkstatt", description="Wir reparieren Fahrradständer und Räder.",
        department_id=staff.department_id))  # fmt: skip
    db.session.commit()
    return {"announcement": news, "thread": thread, "reply": reply, "proposal": proposal,
            "offer": offer}  # fmt: skip
