"""The audit log page: each target links to where the reader can see it; the actor filter finds
people by name or e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engage.boards import dialogue_services
from engage.core import audit
from engage.core.types import utcnow
from engage.extensions import db
from engage.moderation import services
from engage.moderation.models import ModerationDecision
from engage.proposals import services as proposals
from engage.volunteering import services as volunteering


def _targets(html: str) -> dict[str, str | None]:
    """{"Diskussion 1": "/dialogue/1", "Eintragung 3": None, …} from the log's target column."""
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], re.S):
        cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[4]
        link = re.match(r'\s*<a href="([^"]+)">([^<]+)</a>', cell)
        label = link.group(2) if link else cell.split("<br>")[0].strip()
        found[label] = link.group(1).replace("&amp;", "&") if link else None
    return found


@pytest.fixture
def logged(board, make_user):
    """One entry on each kind of target, by the staff member or the moderator."""
    thread, reply, staff, mod = board["thread"], board["reply"], board["staff"], board["moderator"]
    hidden = dialogue_services.reply(thread, board["citizen"], "Werbung, gleich ausgeblendet")
    gone = dialogue_services.reply(thread, board["citizen"], "Später gelöscht")
    proposal = proposals.save_proposal(board["citizen"], board["voting"], proposals.ProposalData(
        title="Mehr Bänke", problem="P", idea="I", intended_outcome="W", indicator="Z"),
        submit=True)  # fmt: skip
    comment = proposals.comment(proposal, board["neighbour"], "Gute Idee")
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Parkputz", description="Helfen", department_id=staff.department_id))  # fmt: skip
    start = utcnow() + timedelta(days=2)
    shift = volunteering.add_shifts(offer, start, start + timedelta(hours=2), 3)[0]
    signup = volunteering.sign_up(shift, board["citizen"])
    for target in (thread, reply, gone, proposal, comment, shift, signup, board["nord"],
                   board["neighbour"]):  # fmt: skip
        audit.record("thread.close", actor=staff, target=target)
    services.decide(mod, hidden, "hide", "spam")
    dialogue_services.delete_post(gone)
    db.session.commit()
    return {**board, "hidden": hidden, "gone": gone, "proposal": proposal, "comment": comment,
            "offer": offer, "shift": shift, "signup": signup}  # fmt: skip


def test_targets_link_to_where_a_moderator_sees_them(client, auth, logged):
    auth.login("mod@example.org")
    targets = _targets(client.get("/moderation/audit").get_data(as_text=True))
    thread, proposal = logged["thread"].id, logged["proposal"].id
    decision = db.session.scalar(db.select(db.func.max(ModerationDecision.id)))
    assert targets[f"Diskussion {thread}"] == f"/dialogue/{thread}"
    # Replies by their lasting address (it leads to the page of the thread they are on).
    assert targets[f"Antwort oder Kommentar {logged['reply'].id}"] == (
        f"/dialogue/replies/{logged['reply'].id}")  # fmt: skip
    assert targets[f"Antwort oder Kommentar {logged['comment'].id}"] == (
        f"/dialogue/replies/{logged['comment'].id}")  # fmt: skip
    # Hidden, a reply is not on its thread's page: its decision shows it to moderators.
    hidden = logged["hidden"].id
    assert targets[f"Antwort oder Kommentar {hidden}"] == f"/moderation/decisions/{decision}"
    assert targets[f"Vorschlag {proposal}"] == f"/proposals/{proposal}"
    # Not their department's: the shift on its offer's page, the sign-up not at all.
    assert targets[f"Einsatz {logged['shift'].id}"] == f"/volunteer/{logged['offer'].id}"
    assert targets[f"Eintragung {logged['signup'].id}"] is None
    assert targets[f"Person {logged['neighbour'].id}"] == f"/users/{logged['neighbour'].id}"
    assert targets[f"Stadtteil {logged['nord'].id}"] is None  # (districts: administration)
    assert targets[f"Antwort oder Kommentar {logged['gone'].id}"] is None  # deleted


def test_admins_reach_the_pages_only_they_may_open(client, auth, logged):
    auth.login("admin@example.org")
    targets = _targets(client.get("/moderation/audit").get_data(as_text=True))
    shift, nord = logged["shift"].id, logged["nord"].id
    assert targets[f"Einsatz {shift}"] == f"/volunteer/shifts/{shift}"
    assert targets[f"Eintragung {logged['signup'].id}"] == f"/volunteer/shifts/{shift}"
    assert targets[f"Person {logged['neighbour'].id}"] == f"/admin/users/{logged['neighbour'].id}"
    assert targets[f"Stadtteil {nord}"] == f"/admin/districts/{nord}"


def test_a_target_that_no_longer_exists_is_plain_text(client, auth, board):
    thread = dialogue_services.open_thread(board["citizen"], "Bald weg", "Text")
    audit.record("thread.close", actor=board["staff"], target=thread)
    thread_id = thread.id
    db.session.delete(thread)
    db.session.commit()
    auth.login("mod@example.org")
    targets = _targets(client.get("/moderation/audit").get_data(as_text=True))
    assert targets[f"Diskussion {thread_id}"] is None
    assert targets[f"Beteiligungsverfahren {board['dialogue'].id}"] == "/processes/gruen-im-norden"


def test_the_target_is_named_beside_its_link(client, auth, logged):
    auth.login("mod@example.org")
    html = client.get("/moderation/audit").get_data(as_text=True)
    assert '<br><span class="small muted">Mehr Bänke</span>' in html
    assert '<br><span class="small muted">Nina</span>' in html


def _actors_shown(client, query: str) -> tuple[set[str], str]:
    html = client.get(f"/moderation/audit?{query}").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1], re.S)
    return {re.findall(r"<td>(.*?)</td>", row, re.S)[2] for row in rows}, html


def test_the_actor_filter_finds_people_by_name_or_e_mail(client, auth, logged):
    auth.login("mod@example.org")
    staff, mona = "Ulla Umwelt", "Mona"
    everyone, _ = _actors_shown(client, "")
    assert {f"{staff} ({logged['staff'].id})", f"{mona} ({logged['moderator'].id})"} <= everyone
    for query in ("actor=ulla", "actor=UMWELT@example", f"actor={logged['staff'].id}",
                  "actor=+Ulla+"):  # fmt: skip
        shown, html = _actors_shown(client, query)
        assert shown == {f"{staff} ({logged['staff'].id})"}, query
        assert "Einträge von: Ulla Umwelt" in html
    shown, _ = _actors_shown(client, "actor=mod%40example.org")
    assert shown == {f"{mona} ({logged['moderator'].id})"}


def test_an_actor_filter_that_matches_no_one_says_so_and_lists_nothing(client, auth, logged):
    auth.login("mod@example.org")
    for query in ("actor=Niemand", "actor=Nina", "actor=50%25"):  # (Nina never acted)
        response = client.get(f"/moderation/audit?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Niemand im Protokoll hat „" in html and "Keine Einträge." in html, query
        assert 'aria-invalid="true"' in html
