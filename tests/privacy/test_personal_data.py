"""GDPR: every table that points at an account is exported and anonymised on deletion."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage.core import audit, privacy
from engage.core.types import local_today, utcnow
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, post_form

# Every column with a foreign key to user_account: the export section that holds its rows,
# or why the rows are not the personal data of the account they point at.
EXPORTED = {
    ("announcement", "author_id"): "announcements",
    ("thread", "author_id"): "dialogue.threads",
    ("comment", "author_id"): "dialogue.replies",
    ("reaction", "user_id"): "dialogue.helpful_marks",
    ("proposal", "author_id"): "proposals.proposals",
    ("support", "user_id"): "proposals.supported_proposal_ids",
    ("rating", "user_id"): "proposals.ratings",
    ("follow", "user_id"): "follows_and_notifications.follows",
    ("notification", "user_id"): "follows_and_notifications.notifications",
    ("flag", "user_id"): "moderation.reports",
    ("appeal", "author_id"): "moderation.appeals",
    ("moderation_decision", "author_id"): "moderation.decisions_about_your_posts",
    ("signup", "user_id"): "volunteering",
    ("user_session", "user_id"): "sessions",
}
NOT_PERSONAL = {
    ("process", "created_by_id"): "an official act of staff for the municipality",
    ("service_offer", "created_by_id"): "an official offer of a department, not of a person",
    ("proposal_event", "actor_id"): "an official step by staff; the author's view is the proposal",
    ("thread", "closed_by_id"): "a moderator's or staff member's official act",
    ("appeal", "decided_by_id"): "a moderator's official act; the appellant's view is exported",
    ("moderation_decision", "actor_id"): "a moderator's official act, kept for accountability",
    ("notification", "actor_id"): "the recipient's data; the actor's own post is exported",
    ("participation", "user_id"): "the report's derived index of posts, proposals, supports and "
    "sign-ups, which are exported in their own sections; rebuilt from them",
}
# Columns of user_account that are not in the account section, and why.
ACCOUNT_NOT_EXPORTED = {
    "password_hash": "a secret; exporting it would only weaken the account",
    "session_version": "a technical counter without meaning for the person",
    "deleted_at": "always empty while the account can still export",
    "department_id": "exported as the department's name",
    "district_id": "exported as the district's name",
}
ACCOUNT_EXPORT_KEYS = {
    "notify_frequency": "notifications.frequency",
    "notify_replies": "notifications.replies",
    "notify_official_answers": "notifications.official_answers",
    "milestones_public": "volunteer_milestones_public",
}


def _user_columns():
    return {
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "user_account" for fk in column.foreign_keys)
    }


def _at(data, path: str):
    for key in path.split("."):
        data = data[key]
    return data


def test_every_foreign_key_to_an_account_is_exported_or_justified(app, make_user):
    columns = _user_columns()
    uncovered = columns - set(EXPORTED) - set(NOT_PERSONAL)
    assert not uncovered, f"add these to the privacy export (or justify them): {sorted(uncovered)}"
    assert not (set(EXPORTED) | set(NOT_PERSONAL)) - columns, "stale entries in the lists"
    assert not set(EXPORTED) & set(NOT_PERSONAL)
    export = privacy.export_user_data(make_user())
    for path in EXPORTED.values():
        assert isinstance(_at(export, path), list | dict), path


def test_every_column_of_the_account_is_exported_or_justified(app, make_user):
    from engage.accounts.models import User

    account = privacy.export_user_data(make_user())["account"]
    for column in User.__table__.columns:
        if column.name in ACCOUNT_NOT_EXPORTED:
            continue
        path = ACCOUNT_EXPORT_KEYS.get(column.name, column.name)
        _at(account, path)  # KeyError: the export forgets a column of the account


NAME, EMAIL, NEW_EMAIL = "Zacharias Quellwasser", "zq-privat@example.org", "zq-neu@example.org"
FLAG_TEXT, APPEAL_TEXT = "Meldetext-Zq7", "Widerspruchstext-Zq7"


def _traces() -> list[tuple[str, str, str]]:
    """Every (table, column, string) where one of the user's identifying strings is stored."""
    secrets = [EMAIL, NEW_EMAIL, NAME, "Quellwasser", FLAG_TEXT, APPEAL_TEXT]
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                text = str(value).lower() if value is not None else ""
                found += [(table.name, column, s) for s in secrets if s.lower() in text]
    return found


@pytest.fixture
def life(town, make_user):
    """One citizen who has used every feature, and the ids of what they did."""
    from engage.boards import dialogue_services as dialogue
    from engage.core.mail import queue_mail
    from engage.moderation import services as moderation
    from engage.notifications import services as notifications
    from engage.processes import services as processes
    from engage.processes.models import PhaseKind
    from engage.proposals import services as proposals
    from engage.proposals.models import ProposalStatus
    from engage.volunteering import attendance
    from engage.volunteering import services as volunteering

    user = make_user("citizen", email=EMAIL, display_name=NAME)
    user.milestones_public = True
    user.pending_email = NEW_EMAIL
    neighbour, staff = town["neighbour"], town["staff"]
    moderator = make_user("moderator", email="mod@example.org", display_name="Mona")

    thread = dialogue.open_thread(user, "Bänke im Park", "Es fehlen Bänke.", town["dialogue"])
    others = dialogue.open_thread(neighbour, "Licht am Weg", "Zu dunkel.", town["dialogue"])
    reply = dialogue.reply(others, user, "Stimmt, abends sehr dunkel.")
    answer = dialogue.reply(thread, neighbour, "Gute Idee.")
    db.session.flush()
    dialogue.toggle_helpful(answer, user)
    notifications.follow(user, thread=others)
    notifications.notify_reply(answer, thread, neighbour)
    notifications.notify_reply(reply, others, user)  # the neighbour hears of the user by name

    today = local_today()
    codesign = processes.create_process(town["admin"], processes.ProcessData(
        title="Schulwege", summary="x", body="", department_id=staff.department_id,
        district_id=None, support_threshold=2, answer_deadline_days=14,
        phases=[processes.PhaseDates(PhaseKind.CODESIGN, today - timedelta(days=1),
                                     today + timedelta(days=20))]))  # fmt: skip
    processes.publish_process(codesign, town["admin"])
    data = proposals.ProposalData(
        title="Zebrastreifen", problem="Gefährlich.", idea="Streifen malen.",
        intended_outcome="Sicher queren.", indicator="Unfälle", baseline="3", target="0",
    )  # fmt: skip
    own = proposals.save_proposal(user, codesign, data, submit=True)
    other = proposals.save_proposal(neighbour, codesign, data, submit=True)
    db.session.flush()
    proposals.add_support(other, user)
    other.status = ProposalStatus.IMPLEMENTED.value
    proposals.rate(other, user, 4)
    remark = proposals.comment(other, user, "Endlich umgesetzt.")

    flag = moderation.flag(user, answer, "spam", text=FLAG_TEXT)
    decision = moderation.decide(moderator, reply, "hide", "off_topic", "Nicht zum Thema.")
    appeal = moderation.appeal(user, decision, APPEAL_TEXT)

    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Parkputz", description="Müll sammeln", department_id=staff.department_id,
    ))  # fmt: skip
    start = (utcnow() + timedelta(hours=48)).replace(second=0, microsecond=0)
    [shift] = volunteering.add_shifts(offer, start, start + timedelta(hours=2), 5)
    db.session.flush()
    signup = volunteering.sign_up(shift, user)
    db.session.flush()
    attendance.mark(signup, staff, True, now=start + timedelta(hours=3))
    queue_mail(EMAIL, "Hallo", "verify_email", user=user, link="https://x.example/v")
    db.session.commit()
    return {"user": user, "thread": thread, "reply": reply, "answer": answer, "others": others,
            "own": own, "other": other, "remark": remark, "flag": flag, "decision": decision,
            "appeal": appeal, "signup": signup}  # fmt: skip


def test_export_holds_every_feature_and_deletion_leaves_no_trace(client, auth, life):
    user_id = life["user"].id
    auth.login(EMAIL)
    response = client.get("/account/export")
    assert response.status_code == 200
    export = json.loads(response.get_data(as_text=True))

    assert export["account"]["email"] == EMAIL and export["account"]["display_name"] == NAME
    assert export["account"]["pending_email"] == NEW_EMAIL
    assert export["account"]["volunteer_milestones_public"] is True
    assert [t["id"] for t in export["dialogue"]["threads"]] == [life["thread"].id]
    replies = {c["id"] for c in export["dialogue"]["replies"]}
    assert replies == {life["reply"].id, life["remark"].id}
    assert [r["comment_id"] for r in export["dialogue"]["helpful_marks"]] == [life["answer"].id]
    assert [p["id"] for p in export["proposals"]["proposals"]] == [life["own"].id]
    assert export["proposals"]["supported_proposal_ids"] == [life["other"].id]
    assert export["proposals"]["ratings"][0]["stars"] == 4
    notes = export["follows_and_notifications"]
    assert {f["thread_id"] for f in notes["follows"]} >= {life["others"].id}
    assert notes["notifications"]
    assert export["moderation"]["reports"][0]["text"] == FLAG_TEXT
    assert export["moderation"]["appeals"][0]["text"] == APPEAL_TEXT
    assert [d["id"] for d in export["moderation"]["decisions_about_your_posts"]] == [
        life["decision"].id
    ]
    assert export["volunteering"][0]["hours"] == "2.00"

    before = {(table, column) for table, column, _ in _traces()}
    assert {("user_account", "email"), ("flag", "text"), ("appeal", "text")} <= before

    response = post_form(client, "/account/delete", password=TEST_PASSWORD)
    assert response.status_code == 302
    db.session.expire_all()

    # Posts stay (shown as from a deleted account); everything identifying goes.
    found = _traces()
    assert not found, f"personal data left after deletion: {found}"

    from engage.accounts.models import User

    stored = db.session.get(User, user_id)
    assert stored.is_deleted and not stored.password_hash
    assert auth.login(EMAIL).status_code == 422
    assert audit.verify_chain().ok


def test_the_public_profile_does_not_tell_where_someone_lives(client, town, make_user):
    person = make_user("citizen", display_name="Lea", district_id=town["nord"].id)
    page = client.get(f"/users/{person.id}").get_data(as_text=True)
    assert "Lea" in page and "Nordviertel" not in page
