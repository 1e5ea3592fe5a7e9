"""Follows and notifications: who is told, how, and never twice."""

from __future__ import annotations

from engage.boards import dialogue_services as dialogue
from engage.extensions import db
from engage.notifications import services
from engage.notifications.models import Follow, Notification
from tests.conftest import post_form


def _notes(user) -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)).all()


def _thread(town, author="citizen"):
    thread = dialogue.open_thread(town[author], "Wo parken Fahrräder?", "Frage", town["dialogue"])
    db.session.commit()
    return thread


def test_authors_follow_their_thread_and_following_twice_changes_nothing(town):
    thread = _thread(town)
    assert services.is_following(town["citizen"], thread=thread)
    services.follow(town["citizen"], thread=thread)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Follow)) == 1


def test_followers_are_told_about_replies_but_never_of_their_own(town, outbox):
    thread = _thread(town)
    services.follow(town["neighbour"], thread=thread)
    dialogue.reply(thread, town["neighbour"], "Meine Antwort")
    db.session.commit()
    assert [n.kind for n in _notes(town["citizen"])] == ["reply"]
    assert _notes(town["neighbour"]) == []
    assert [m.recipient for m in outbox()] == ["buerger@example.org"]
    assert "/auth" not in outbox()[0].body and "/account" in outbox()[0].body  # preferences link


def test_official_answers_reach_process_followers_once(town):
    thread = _thread(town)
    services.follow(town["neighbour"], process=town["dialogue"])
    services.follow(town["neighbour"], thread=thread)  # two routes, one notification
    dialogue.reply(thread, town["staff"], "Antwort der Verwaltung", official=True)
    db.session.commit()
    assert [n.kind for n in _notes(town["neighbour"])] == ["official_answer"]
    assert [n.kind for n in _notes(town["citizen"])] == ["official_answer"]


def test_replying_to_a_post_tells_its_author(town):
    thread = _thread(town)
    first = dialogue.reply(thread, town["neighbour"], "Erst")
    dialogue.reply(thread, town["citizen"], "Darauf", parent=first)
    db.session.commit()
    assert [n.kind for n in _notes(town["neighbour"])] == ["reply"]


def test_preferences_are_respected(town, outbox):
    town["citizen"].notify_replies = False
    db.session.commit()
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Hallo")
    db.session.commit()
    assert _notes(town["citizen"]) == []


def test_never_means_in_app_only(town, outbox):
    town["citizen"].notify_frequency = "never"
    db.session.commit()
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Hallo")
    db.session.commit()
    assert len(_notes(town["citizen"])) == 1 and outbox() == []


def test_daily_digest_groups_everything_once_and_is_never_empty(app, town, outbox):
    town["citizen"].notify_frequency = "daily"
    db.session.commit()
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Eins")
    dialogue.reply(thread, town["staff"], "Zwei", official=True)
    db.session.commit()
    assert outbox() == []
    runner = app.test_cli_runner()
    assert "1 digest" in runner.invoke(args=["send-digests"]).output
    [digest] = outbox()
    assert digest.recipient == "buerger@example.org"
    assert "„Wo parken Fahrräder?“: 1 neue Antwort, eine offizielle Antwort" in digest.body
    assert "http://localhost/dialogue/" in digest.body
    assert "0 digest" in runner.invoke(args=["send-digests"]).output
    assert len(outbox()) == 1


def test_header_shows_unread_count_and_reading_the_thread_clears_it(client, auth, town):
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Hallo")
    db.session.commit()
    auth.login("buerger@example.org")
    html = client.get("/").get_data(as_text=True)
    assert 'class="count-badge">1' in html
    assert "Neue Antwort in „Wo parken Fahrräder?“" in client.get("/notifications").get_data(
        as_text=True
    )
    client.get(f"/dialogue/{thread.id}")
    assert "count-badge" not in client.get("/").get_data(as_text=True)


def test_reading_a_proposal_clears_its_news_and_only_its_news(client, auth, town):
    from engage.proposals import services as proposals

    def proposal(title):
        return proposals.save_proposal(town["citizen"], town["voting"], proposals.ProposalData(
            title=title, problem="P", idea="I", intended_outcome="W", indicator="Z"),
            submit=True)  # fmt: skip

    bench, light = proposal("Bank am Teich"), proposal("Licht am Weg")
    db.session.commit()
    for item in (bench, light):  # (authors follow their proposals)
        proposals.comment(item, town["neighbour"], "Gute Idee")
    db.session.commit()
    auth.login("buerger@example.org")
    assert 'class="count-badge">2' in client.get("/").get_data(as_text=True)
    client.get(f"/proposals/{bench.id}")
    assert 'class="count-badge">1' in client.get("/").get_data(as_text=True)
    assert [n.proposal_id for n in _notes(town["citizen"]) if n.read_at is None] == [light.id]


def test_mark_all_read(client, auth, town):
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Hallo")
    db.session.commit()
    auth.login("buerger@example.org")
    post_form(client, "/notifications", action="/notifications/read")
    assert all(n.read_at for n in _notes(town["citizen"]))


def test_follow_and_unfollow_buttons(client, auth, town):
    thread = _thread(town)
    auth.login("nachbar@example.org")
    post_form(client, f"/dialogue/{thread.id}", action=f"/follow/thread/{thread.id}")
    assert services.is_following(town["neighbour"], thread=thread)
    post_form(client, f"/dialogue/{thread.id}", action=f"/follow/thread/{thread.id}")
    assert not services.is_following(town["neighbour"], thread=thread)
    slug = town["dialogue"].slug
    post_form(client, f"/processes/{slug}", action=f"/follow/process/{town['dialogue'].id}")
    assert services.is_following(town["neighbour"], process=town["dialogue"])
    assert post_form(client, "/", action="/follow/thread/9999").status_code == 404


def test_notifications_need_login(client):
    assert "/auth/login" in client.get("/notifications").headers["Location"]


def test_deleting_an_account_removes_follows_and_notifications(town):
    from engage.accounts.services import delete_account

    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Hallo")
    db.session.commit()
    delete_account(town["citizen"])
    db.session.commit()
    assert _notes(town["citizen"]) == []
    assert not services.is_following(town["citizen"], thread=thread)


def test_process_followers_hear_of_announcements_when_they_appear(town):
    from datetime import timedelta

    from engage.boards import services as boards
    from engage.core.types import utcnow

    services.follow(town["neighbour"], process=town["dialogue"])
    boards.publish_announcement(
        town["staff"], boards.AnnouncementData(title="Pflanztag", body="Am Samstag",
                                               process_id=town["dialogue"].id),
    )  # fmt: skip
    boards.publish_announcement(
        town["staff"], boards.AnnouncementData(title="Später", body="x",
                                               process_id=town["dialogue"].id,
                                               publish_at=utcnow() + timedelta(days=2)),
    )  # fmt: skip
    db.session.commit()
    [note] = _notes(town["neighbour"])
    assert note.kind == "new_announcement"
    assert services.describe(note) == "Neue Mitteilung: „Pflanztag“"


def test_digest_goes_out_over_smtp(app, town, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    town["citizen"].notify_frequency = "daily"
    db.session.commit()
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Eins")
    dialogue.reply(thread, town["neighbour"], "Zwei")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    [body] = smtp_server.bodies_to("buerger@example.org")
    assert "„Wo parken Fahrräder?“: 2 neue Antworten" in body


def test_opening_a_notification_marks_it_read(client, auth, town):
    thread = _thread(town)
    dialogue.reply(thread, town["neighbour"], "Hallo")
    db.session.commit()
    [note] = _notes(town["citizen"])
    auth.login("nachbar@example.org")
    assert client.get(f"/notifications/{note.id}").status_code == 404  # not hers
    auth.logout()
    auth.login("buerger@example.org")
    response = client.get(f"/notifications/{note.id}")
    # (the reply's lasting address, which leads to the page of the thread it is on)
    assert response.status_code == 302
    assert (
        client.get(response.headers["Location"])
        .headers["Location"]
        .startswith(f"/dialogue/{thread.id}#c")
    )
    assert _notes(town["citizen"])[0].read_at is not None
