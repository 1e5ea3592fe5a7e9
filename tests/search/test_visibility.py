"""Hidden, pending, deleted, draft, scheduled and withdrawn content is never found."""

from __future__ import annotations

from datetime import timedelta

from engage.boards import dialogue_services as dialogue
from engage.boards import services as boards
from engage.core.moderation import ContentStatus
from engage.core.types import utcnow
from engage.extensions import db
from engage.processes import services as processes
from engage.proposals import services as proposals
from engage.volunteering import services as volunteering
from tests.search.conftest import proposal_data

WORD = "Geheimwort"
HIDDEN, PENDING = ContentStatus.HIDDEN.value, ContentStatus.PENDING.value


def test_private_content_of_every_kind_is_never_found(town, find):
    staff, citizen = town["staff"], town["citizen"]
    draft = processes.create_process(staff, processes.ProcessData(
        title="Entwurf", summary="x", body="", department_id=staff.department_id,
        district_id=None, support_threshold=5, answer_deadline_days=10))  # fmt: skip
    boards.publish_announcement(
        staff,
        boards.AnnouncementData(
            title=f"{WORD} geplant", body="x", publish_at=utcnow() + timedelta(days=2)
        ),
    )
    withdrawn = boards.publish_announcement(
        staff, boards.AnnouncementData(title=f"{WORD} zurückgezogen", body="x")
    )
    boards.set_published(withdrawn, staff, False)
    boards.publish_announcement(
        staff, boards.AnnouncementData(title=f"{WORD} im Entwurf", body="x", process_id=draft.id)
    )
    dialogue.open_thread(citizen, f"{WORD} versteckt", "x").moderation_status = HIDDEN
    dialogue.open_thread(citizen, f"{WORD} wartet", "x").moderation_status = PENDING
    dialogue.delete_post(dialogue.open_thread(citizen, f"{WORD} gelöscht", WORD))
    dialogue.open_thread(citizen, f"{WORD} im Entwurf", "x", process=draft)
    public = dialogue.open_thread(citizen, "Öffentlich", "x")
    dialogue.reply(public, citizen, f"{WORD} Antwort").moderation_status = HIDDEN
    dialogue.delete_post(dialogue.reply(public, citizen, f"{WORD} gelöscht"))
    secret = dialogue.open_thread(citizen, "Noch offen", "x")
    dialogue.reply(secret, citizen, f"{WORD} in versteckter Diskussion")
    secret.moderation_status = HIDDEN
    proposals.save_proposal(citizen, town["dialogue"], proposal_data(f"{WORD} Entwurf"), False)
    hidden = proposals.save_proposal(citizen, town["dialogue"], proposal_data(WORD), True)
    hidden.moderation_status = HIDDEN
    proposals.comment(hidden, citizen, f"{WORD} Kommentar")
    offer = volunteering.create_offer(
        staff,
        volunteering.OfferData(
            title=f"{WORD} Angebot", description="x", department_id=staff.department_id
        ),
    )
    offer.moderation_status = HIDDEN
    db.session.commit()
    assert find(WORD) == []


def test_content_hidden_later_disappears_and_comes_back_when_restored(town, find):
    thread = dialogue.open_thread(town["citizen"], "Zaunkönig im Park", "Ein Vogel")
    reply = dialogue.reply(thread, town["neighbour"], "Auch ein Zaunkönig")
    db.session.commit()
    assert len(find("Zaunkönig")) == 2
    reply.moderation_status = HIDDEN
    db.session.commit()
    assert find("Zaunkönig") == ["Zaunkönig im Park"]
    thread.moderation_status = HIDDEN
    db.session.commit()
    assert find("Zaunkönig") == []
    thread.moderation_status = reply.moderation_status = ContentStatus.VISIBLE.value
    db.session.commit()
    assert len(find("Zaunkönig")) == 2


def test_deleted_posts_leave_the_index(town, find):
    thread = dialogue.open_thread(town["citizen"], "Igel im Garten", "Igel brauchen Laub")
    db.session.commit()
    dialogue.delete_post(thread)
    db.session.commit()
    assert find("Laub") == [] and find("Igel") == []


def test_scheduled_announcement_is_found_once_it_appears(town, find):
    news = boards.publish_announcement(
        town["staff"],
        boards.AnnouncementData(
            title="Kürbisfest", body="x", publish_at=utcnow() + timedelta(days=1)
        ),
    )
    db.session.commit()
    assert find("Kürbisfest") == []
    news.publish_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert find("Kürbisfest") == ["Kürbisfest"]


def test_replies_below_a_hidden_reply_are_not_found(town, find):
    thread = dialogue.open_thread(town["citizen"], "Brunnen", "x")
    parent = dialogue.reply(thread, town["neighbour"], "Erste Antwort")
    dialogue.reply(thread, town["citizen"], "Wasserspiel bitte", parent=parent)
    db.session.commit()
    assert len(find("Wasserspiel")) == 1
    parent.moderation_status = PENDING
    db.session.commit()
    assert find("Wasserspiel") == []
