"""Moderation rules without HTTP: flags, auto-hide, decisions, bulk actions, appeals, blocking."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engage.core.audit import AuditEntry, verify_chain
from engage.core.settings import settings_for_update
from engage.extensions import db
from engage.moderation import services
from engage.moderation.models import Appeal, Flag, ModerationDecision
from engage.notifications.models import Notification


def _flag_by_all(board, item, reason="spam"):
    for reporter in board["reporters"]:
        services.flag(reporter, item, reason)
    db.session.commit()


def test_one_flag_per_user_and_item_is_enforced(board):
    services.flag(board["reporters"][0], board["reply"], "insult")
    with pytest.raises(services.AlreadyFlagged):
        services.flag(board["reporters"][0], board["reply"], "spam")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 1


def test_other_reason_needs_a_text(board):
    with pytest.raises(services.ModerationError):
        services.flag(board["reporters"][0], board["reply"], "other", "  ")
    with pytest.raises(services.ModerationError):
        services.flag(board["reporters"][0], board["reply"], "nonsense")


def test_reply_is_hidden_at_the_threshold_and_moderators_are_told(board):
    reply = board["reply"]
    services.flag(board["reporters"][0], reply, "spam")
    services.flag(board["reporters"][1], reply, "spam")
    assert reply.is_visible
    services.flag(board["reporters"][2], reply, "insult")
    db.session.commit()
    assert reply.is_hidden
    decision = db.session.scalar(select(ModerationDecision))
    assert (decision.action, decision.reason_code, decision.actor_id) == ("auto_hide", "spam", None)
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "auto_hidden")
    )
    assert set(told) == {board["moderator"].id, board["admin"].id}


def test_threshold_comes_from_the_settings(board):
    settings_for_update().flag_threshold = 1
    db.session.commit()
    services.flag(board["reporters"][0], board["thread"], "off_topic")
    assert board["thread"].is_hidden


def test_restore_notifies_the_author_and_needs_new_reports_to_hide_again(board, outbox):
    reply = board["reply"]
    _flag_by_all(board, reply)
    services.decide(board["moderator"], reply, "restore")
    db.session.commit()
    assert reply.is_visible
    note = db.session.scalar(select(Notification).where(Notification.user_id == reply.author_id))
    assert note.kind == "moderation_decision" and note.decision.action == "restore"
    assert note.decision.reason_code == "", "no reason was given (not 'other')"
    assert any(m.recipient == "nachbar@example.org" for m in outbox())
    assert services.open_flag_count(reply) == 0


def test_hide_needs_a_reason_and_tells_the_author_how_to_appeal(board, outbox):
    with pytest.raises(services.ModerationError):
        services.decide(board["moderator"], board["reply"], "hide", "")
    services.decide(board["moderator"], board["reply"], "hide", "insult", "Bitte sachlich.")
    db.session.commit()
    assert board["reply"].hidden_reason.endswith("Bitte sachlich.")
    [mail] = [m for m in outbox() if m.recipient == "nachbar@example.org"]
    assert "/moderation/decisions/" in mail.body and "Bitte sachlich." in mail.body


def test_actions_that_do_not_fit_the_state_are_refused(board):
    with pytest.raises(services.NotApplicable):
        services.decide(board["moderator"], board["reply"], "restore")
    with pytest.raises(services.NotApplicable):
        services.decide(board["moderator"], board["reply"], "approve")


def test_bulk_actions_apply_to_fitting_items_and_skip_the_rest(board):
    keys = [("comment", board["reply"].id), ("thread", board["thread"].id), ("thread", 999)]
    result = services.bulk(board["moderator"], keys, "hide", "spam")
    assert (result.done, result.skipped) == (2, 1)
    result = services.bulk(board["moderator"], keys[:1], "dismiss")
    assert (result.done, result.skipped) == (0, 1)
    result = services.bulk(board["moderator"], keys, "restore")
    db.session.commit()
    assert result.done == 2 and board["reply"].is_visible and board["thread"].is_visible


def test_dismissing_reports_keeps_the_content_and_resolves_the_flags(board):
    services.flag(board["reporters"][0], board["reply"], "spam")
    services.bulk(board["moderator"], [("comment", board["reply"].id)], "dismiss")
    db.session.commit()
    assert board["reply"].is_visible and services.open_flag_count(board["reply"]) == 0


def test_blocking_the_author_hides_all_their_content(board, outbox):
    from engage.boards import dialogue_services

    neighbour = board["neighbour"]
    second = dialogue_services.reply(board["thread"], neighbour, "Noch mehr Werbung")
    db.session.commit()
    result = services.bulk(board["moderator"], [("comment", board["reply"].id)], "block", "spam")
    db.session.commit()
    assert neighbour.is_blocked and neighbour.blocked_reason == "Spam oder Werbung"
    assert board["reply"].is_hidden and second.is_hidden
    assert result.blocked == [neighbour.display_name] and result.done == 2
    # One mail says both: the block and the two hidden posts, and where to appeal them.
    mails = [m for m in outbox() if m.recipient == neighbour.email]
    assert [m.subject for m in mails] == ["Ihr Konto ist gesperrt"]
    assert "2 Ihrer Beiträge wurden dabei ausgeblendet" in mails[0].body
    assert "/notifications" in mails[0].body
    # Each hidden post is a notification of its own, leading to its decision (to appeal).
    told = db.session.scalars(select(Notification).where(Notification.user_id == neighbour.id))
    decisions = {n.decision_id for n in told if n.decision_id is not None}
    hidden = select(ModerationDecision.id).where(ModerationDecision.author_id == neighbour.id,
                                                 ModerationDecision.action == "hide")  # fmt: skip
    assert decisions == set(db.session.scalars(hidden)) and len(decisions) == 2
    # Blocking them again says so (it only hides what is still visible).
    again = services.bulk(board["moderator"], [("comment", board["reply"].id)], "block", "spam")
    assert again.blocked == [] and again.blocked_before == [neighbour.display_name]


def test_staff_are_not_blocked_from_the_queue(board):
    from engage.boards import dialogue_services

    answer = dialogue_services.reply(board["thread"], board["staff"], "Antwort", official=True)
    result = services.bulk(board["moderator"], [("comment", answer.id)], "block", "spam")
    assert result.skipped == 1 and not board["staff"].is_blocked


def test_author_appeals_once_and_a_granted_appeal_restores_the_post(board):
    decision = services.decide(board["moderator"], board["reply"], "hide", "insult")
    appeal = services.appeal(board["neighbour"], decision, "Das war keine Beleidigung.")
    with pytest.raises(services.AlreadyAppealed):
        services.appeal(board["neighbour"], decision, "Noch einmal")
    services.decide_appeal(board["moderator"], appeal, grant=True, answer="Stimmt.")
    db.session.commit()
    assert board["reply"].is_visible and appeal.status == "granted"
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 1
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == board["neighbour"].id)
    ).all()
    assert "appeal_decided" in kinds
    with pytest.raises(services.NotApplicable):
        services.decide_appeal(board["moderator"], appeal, grant=False, answer="Doch nicht")


def test_rejected_appeal_keeps_the_post_hidden(board):
    decision = services.decide(board["moderator"], board["reply"], "hide", "spam")
    appeal = services.appeal(board["neighbour"], decision, "Bitte prüfen")
    services.decide_appeal(board["moderator"], appeal, grant=False, answer="Bleibt Werbung.")
    db.session.commit()
    assert board["reply"].is_hidden and appeal.status == "rejected"


def test_every_decision_lands_in_a_verifying_audit_chain(board):
    _flag_by_all(board, board["reply"])  # auto_hide
    services.decide(board["moderator"], board["reply"], "restore")
    decision = services.decide(board["moderator"], board["thread"], "hide", "off_topic")
    appeal = services.appeal(board["citizen"], decision, "Bitte")
    services.decide_appeal(board["moderator"], appeal, grant=False, answer="Nein")
    services.bulk(board["moderator"], [("comment", board["reply"].id)], "block", "spam")
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    moderation = [a for a in actions if a.startswith(("moderation.", "appeal.", "user.block"))]
    assert moderation == ["moderation.auto_hide", "moderation.restore", "moderation.hide",
                          "appeal.rejected", "user.block", "moderation.hide"]  # fmt: skip
    decisions = db.session.scalar(select(func.count()).select_from(ModerationDecision))
    assert decisions == 4
    report = verify_chain()
    assert report.ok, report.problems


def test_first_posts_of_new_users_wait_for_approval(board, make_user):
    from engage.boards import dialogue_services

    settings_for_update().premoderated_first_posts = 1
    db.session.commit()
    newcomer = make_user("citizen")
    thread = dialogue_services.open_thread(newcomer, "Neu hier", "Hallo")
    assert thread.moderation_status == "pending"
    services.decide(board["moderator"], thread, "approve")
    second = dialogue_services.open_thread(newcomer, "Zweiter Beitrag", "Hallo")
    assert second.is_visible
    staff_thread = dialogue_services.open_thread(board["staff"], "Verwaltung", "Info")
    assert staff_thread.is_visible


def test_posts_in_a_premoderated_process_wait_for_approval(board):
    from engage.boards import dialogue_services

    board["dialogue"].premoderated = True
    thread = dialogue_services.open_thread(board["citizen"], "Im Verfahren", "Text",
                                           board["dialogue"])  # fmt: skip
    assert thread.moderation_status == "pending"
    reply = dialogue_services.reply(board["thread"], board["citizen"], "Stadtweit")
    assert reply.is_visible


def test_new_accounts_may_post_only_two_links(board, make_user):
    newcomer = make_user("citizen")
    assert not services.too_many_links(newcomer, "see https://a.example and www.b.example")
    assert services.too_many_links(newcomer, "http://a.example http://b.example www.c.example")
    assert not services.too_many_links(board["staff"], "http://a http://b http://c")


def test_transparency_counts_hidden_items_per_month_and_reason(board):
    _flag_by_all(board, board["reply"])
    services.decide(board["moderator"], board["reply"], "restore")
    services.decide(board["moderator"], board["reply"], "hide", "spam")
    services.decide(board["moderator"], board["thread"], "hide", "off_topic")
    db.session.commit()
    from engage.moderation.queue import transparency

    [(month, counts, total)] = transparency()
    assert counts == {"spam": 1, "off_topic": 1} and total == 2


def test_approving_a_pending_reply_tells_the_followers_then(board):
    board["dialogue"].premoderated = True
    from engage.boards import dialogue_services

    thread = dialogue_services.open_thread(board["staff"], "Im Verfahren", "Text",
                                           board["dialogue"])  # fmt: skip
    reply = dialogue_services.reply(thread, board["citizen"], "Wartet")
    db.session.commit()
    told = select(Notification).where(Notification.comment_id == reply.id)
    assert db.session.scalars(told).all() == []
    services.decide(board["moderator"], reply, "approve")
    db.session.commit()
    assert [n.user_id for n in db.session.scalars(told)] == [board["staff"].id]


def test_blocking_an_already_blocked_author_still_hides_their_content(board, outbox):
    from engage.admin import services as admin

    admin.block_user(board["admin"], board["neighbour"], "Spam")
    db.session.commit()
    outbox.clear()
    result = services.bulk(board["moderator"], [("comment", board["reply"].id)], "block", "spam")
    db.session.commit()
    assert board["reply"].is_hidden and result.done == 1 and result.blocked == []
    mails = [m for m in outbox() if m.recipient == board["neighbour"].email]
    assert [m.subject for m in mails] == ["Einer Ihrer Beiträge wurde ausgeblendet"]
    assert "Spam oder Werbung" in mails[0].body and "/notifications" in mails[0].body


def test_reply_counters_count_only_the_replies_a_reader_can_read(board, runner):
    """Pending, hidden and deleted replies keep their place but not their count; every step
    leaves the counters equal to what check-consistency counts."""
    from engage.boards import dialogue_services
    from engage.boards.dialogue_models import Thread

    thread, reply = board["thread"], board["reply"]

    def replies() -> int:
        db.session.expire_all()
        assert runner.invoke(args=["check-consistency"]).exit_code == 0
        return db.session.get(Thread, thread.id).reply_count

    assert replies() == 1
    _flag_by_all(board, reply)  # hidden at the threshold
    assert replies() == 0
    services.decide(board["moderator"], reply, "restore")
    db.session.commit()
    assert replies() == 1
    services.decide(board["moderator"], reply, "hide", "spam")
    db.session.commit()
    assert replies() == 0
    services.decide(board["moderator"], reply, "restore")
    db.session.commit()
    assert replies() == 1
    settings_for_update().premoderated_first_posts = 5
    newcomer_reply = dialogue_services.reply(thread, board["reporters"][0], "Ich bin neu hier.")
    db.session.commit()
    assert newcomer_reply.moderation_status == "pending"
    assert replies() == 1
    services.decide(board["moderator"], newcomer_reply, "approve")
    db.session.commit()
    assert replies() == 2
    dialogue_services.delete_post(db.session.get(type(reply), reply.id))
    db.session.commit()
    assert replies() == 1
    dialogue_services.delete_post(db.session.get(type(reply), reply.id))  # (twice: no change)
    db.session.commit()
    assert replies() == 1
    # Hiding everything of a blocked author leaves the deleted reply's count alone.
    services.hide_all_content(board["moderator"], board["reporters"][0], "spam")
    db.session.commit()
    assert replies() == 0


def test_a_proposal_counts_its_comments_like_a_thread_its_replies(board, runner):
    from datetime import timedelta

    from engage.core.types import local_today
    from engage.processes import services as processes
    from engage.processes.models import PhaseKind
    from engage.proposals import services as proposals
    from engage.proposals.models import Proposal

    today = local_today()
    process = processes.create_process(board["admin"], processes.ProcessData(
        title="Schulwege", summary="x", body="", department_id=board["staff"].department_id,
        district_id=None, support_threshold=2, answer_deadline_days=14,
        phases=[processes.PhaseDates(PhaseKind.CODESIGN, today - timedelta(days=1),
                                     today + timedelta(days=20))]))  # fmt: skip
    processes.publish_process(process, board["admin"])
    data = proposals.ProposalData(title="Zebrastreifen", problem="p", idea="i",
                                  intended_outcome="o", indicator="n", baseline="1",
                                  target="0")  # fmt: skip
    proposal = proposals.save_proposal(board["citizen"], process, data, submit=True)
    comment = proposals.comment(proposal, board["neighbour"], "Gute Idee!")
    db.session.commit()

    def comments() -> int:
        db.session.expire_all()
        assert runner.invoke(args=["check-consistency"]).exit_code == 0
        return db.session.get(Proposal, proposal.id).comment_count

    assert comments() == 1
    services.decide(board["moderator"], comment, "hide", "spam")
    db.session.commit()
    assert comments() == 0
    services.decide(board["moderator"], comment, "restore")
    db.session.commit()
    assert comments() == 1


def test_the_audit_log_says_its_entries_in_words(app):
    from engage.moderation import audit_words

    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert audit_words.action_label("moderation.hide") == "Ausgeblendet"
        assert audit_words.action_label("proposal.accepted") == "Vorschlag: Angenommen"
        assert audit_words.action_label("something.new") == "something.new"  # (as stored)
        assert audit_words.target_label("comment", 17) == "Antwort oder Kommentar 17"
        assert audit_words.details_of('{"hours": "1.5", "status": "attended"}') == [
            ("Stunden", "1,5"), ("Stand", "gekommen")]  # fmt: skip
        assert audit_words.details_of('{"reason_code": "spam", "until": null}') == [
            ("Grund", "Spam oder Werbung"), ("Bis", "–")]  # fmt: skip
        # No reason given: nothing said; a stored moment (UTC) in local time.
        assert audit_words.details_of(
            '{"reason_code": "", "until": "2026-12-31T22:59:59.999999+00:00"}'
        ) == [("Bis", "31.12.2026, 23:59")]
        assert audit_words.details_of('{"role": ["staff", "citizen"]}') == [
            ("Rolle", "Mitarbeitende der Verwaltung → Bürgerin/Bürger")]  # fmt: skip
