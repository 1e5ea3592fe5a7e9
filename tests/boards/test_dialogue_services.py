"""Dialogue rules without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engage.boards import dialogue_services as services
from engage.boards import permissions
from engage.boards.dialogue_models import Comment, Thread
from engage.core.types import utcnow
from engage.extensions import db


def _thread(town, author="citizen", process="dialogue") -> Thread:
    thread = services.open_thread(town[author], "Wo parken Fahrräder?", "Frage **hier**",
                                  town[process] if process else None)  # fmt: skip
    db.session.commit()
    return thread


def test_threads_open_city_wide_or_in_the_dialogue_phase_only(town):
    assert permissions.can_open_thread(town["citizen"])
    assert permissions.can_open_thread(town["citizen"], town["dialogue"])
    assert not permissions.can_open_thread(town["citizen"], town["voting"])
    assert not permissions.can_open_thread(town["unverified"])


def test_replies_nest_three_levels_and_deeper_ones_stay_at_the_third(town):
    thread = _thread(town)
    first = services.reply(thread, town["neighbour"], "Ebene 1")
    second = services.reply(thread, town["citizen"], "Ebene 2", parent=first)
    third = services.reply(thread, town["neighbour"], "Ebene 3", parent=second)
    fourth = services.reply(thread, town["citizen"], "Noch tiefer", parent=third)
    db.session.commit()
    assert [c.depth for c in (first, second, third, fourth)] == [0, 1, 2, 2]
    assert fourth.parent_id == second.id
    assert {c.root_id for c in (first, second, third, fourth)} == {first.id}
    assert thread.reply_count == 4


def test_official_answer_records_department_and_response_time(town):
    thread = _thread(town)
    thread.created_at = utcnow() - timedelta(hours=5)
    services.reply(thread, town["staff"], "Antwort", official=True)
    services.reply(thread, town["staff"], "Zweite", official=True)
    db.session.commit()
    assert thread.answered_by_department_id == town["staff"].department_id
    assert 5 * 3600 - 5 <= thread.answer_seconds <= 5 * 3600 + 60
    assert services.official_answer(thread).body == "Antwort"


def test_who_may_answer_officially(town):
    in_process, city_wide = _thread(town), _thread(town, process=None)
    assert permissions.can_answer_officially(town["staff"], in_process)
    assert not permissions.can_answer_officially(town["other"], in_process)
    assert permissions.can_answer_officially(town["other"], city_wide)
    assert not permissions.can_answer_officially(town["citizen"], city_wide)


def test_closed_threads_refuse_replies(town):
    thread = _thread(town)
    services.close_thread(thread, town["staff"], "Frage beantwortet")
    with pytest.raises(services.ThreadClosed):
        services.reply(thread, town["neighbour"], "Noch was")
    services.reopen_thread(thread, town["staff"])
    services.reply(thread, town["neighbour"], "Noch was")


def test_replies_to_deleted_posts_are_refused_and_deleted_posts_keep_their_replies(town):
    thread = _thread(town)
    first = services.reply(thread, town["neighbour"], "Erst")
    child = services.reply(thread, town["citizen"], "Antwort", parent=first)
    services.delete_post(first)
    db.session.commit()
    with pytest.raises(services.ReplyTargetGone):
        services.reply(thread, town["citizen"], "Noch eine", parent=first)
    children = services.replies_below([first])
    assert children[first.id] == [child] and first.body == ""


def test_edit_window_is_fifteen_minutes(town):
    thread = _thread(town)
    comment = services.reply(thread, town["neighbour"], "Text")
    db.session.commit()
    assert permissions.can_edit_post(town["neighbour"], comment)
    assert not permissions.can_edit_post(town["citizen"], comment)
    later = comment.created_at + timedelta(minutes=16)
    assert not permissions.can_edit_post(town["neighbour"], comment, now=later)


def test_helpful_is_one_per_user_and_can_be_withdrawn(town):
    thread = _thread(town)
    comment = services.reply(thread, town["neighbour"], "Gute Idee")
    db.session.commit()
    assert services.toggle_helpful(comment, town["citizen"]) is True
    assert comment.helpful_count == 1
    assert services.toggle_helpful(comment, town["citizen"]) is False
    assert comment.helpful_count == 0
    assert not permissions.can_mark_helpful(town["neighbour"], comment)  # not one's own


def test_thread_filters(town):
    answered, open_, closed = _thread(town), _thread(town), _thread(town, process=None)
    services.reply(answered, town["staff"], "Antwort", official=True)
    services.close_thread(closed, town["staff"], "Doppelt")
    db.session.commit()

    def ids(**kw):
        return {
            t.id for t in db.session.scalars(services.threads_query(services.ThreadFilter(**kw)))
        }

    assert ids(state="answered") == {answered.id}
    assert ids(state="unanswered") == {open_.id}
    assert ids(state="closed") == {closed.id}
    assert ids(process_id=town["dialogue"].id) == {answered.id, open_.id}
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 1


def test_deleting_the_only_official_answer_unmarks_the_thread(town):
    thread = _thread(town)
    answer = services.reply(thread, town["staff"], "Antwort", official=True)
    db.session.commit()
    services.delete_post(answer)
    db.session.commit()
    assert thread.answered_at is None and thread.answered_by_department_id is None


def test_a_reply_beyond_the_deepest_level_notifies_the_author_replied_to(town):
    from engage.notifications.models import Notification

    thread = _thread(town)
    first = services.reply(thread, town["neighbour"], "1")
    second = services.reply(thread, town["citizen"], "2", parent=first)
    third = services.reply(thread, town["neighbour"], "3", parent=second)
    services.reply(thread, town["staff"], "4", parent=third)
    db.session.commit()
    told = db.session.scalars(
        db.select(Notification.comment_id).where(Notification.user_id == town["neighbour"].id)
    ).all()
    assert len(told) == 2  # replies to "1" and to "3"
