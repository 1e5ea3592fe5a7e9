"""Moderation through HTTP: reporting, the queue and its bulk form, appeals, transparency."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from engage.extensions import db
from engage.moderation import services
from engage.moderation.models import Appeal, Flag
from engage.notifications.models import Notification
from tests.conftest import post_form


def _report(client, auth, email, board, reason="spam", text=""):
    auth.login(email)
    thread_url = f"/dialogue/{board['thread'].id}"
    response = post_form(client, thread_url, f"/moderation/flag/comment/{board['reply'].id}",
                         reason=reason, text=text)  # fmt: skip
    auth.logout()
    return response


def test_thread_page_offers_the_report_form_to_verified_users_only(client, auth, board):
    url = f"/dialogue/{board['thread'].id}"
    assert "flag-comment-" not in client.get(url).get_data(as_text=True)
    auth.login("buerger@example.org")
    html = client.get(url).get_data(as_text=True)
    assert f'href="/moderation/flag/comment/{board["reply"].id}"' in html
    assert f"flag-thread-{board['thread'].id}" not in html  # not one's own thread
    auth.logout()
    auth.login("neu@example.org")
    assert "flag-comment-" not in client.get(url).get_data(as_text=True)


def test_the_report_page_shows_the_post_and_keeps_what_was_typed(client, auth, board):
    auth.login("buerger@example.org")
    url = f"/moderation/flag/comment/{board['reply'].id}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Beitrag melden" in html and "Kauft alle" in html
    assert 'value="spam"' in html and 'value="other"' in html
    response = post_form(client, url, reason="other", text="")  # "other" needs an explanation
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Bitte beschreiben Sie das Problem" in html
    response = post_form(client, url, text="Werbung für einen Laden")  # no reason chosen
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Werbung für einen Laden" in html
    assert db.session.scalar(select(db.func.count()).select_from(Flag)) == 0


def test_the_report_page_tells_a_reporter_who_reported_already(client, auth, board):
    services.flag(board["reporters"][0], board["reply"], "spam")
    db.session.commit()
    auth.login(board["reporters"][0].email)
    html = client.get(f"/moderation/flag/comment/{board['reply'].id}").get_data(as_text=True)
    assert "Sie haben diesen Beitrag schon gemeldet" in html and 'name="reason"' not in html


def test_the_report_page_is_for_those_who_may_report(client, auth, board):
    url = f"/moderation/flag/comment/{board['reply'].id}"
    assert "/auth/login" in client.get(url).headers["Location"]  # visitors log in first
    auth.login("neu@example.org")  # not verified yet
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login("buerger@example.org")
    assert client.get("/moderation/flag/comment/99999").status_code == 404
    assert client.get(f"/moderation/flag/thread/{board['thread'].id}").status_code == 403


def test_three_reports_hide_a_reply_from_the_thread(client, auth, board):
    for reporter in board["reporters"]:
        response = _report(client, auth, reporter.email, board)
        assert response.status_code == 302
    html = client.get(f"/dialogue/{board['thread'].id}").get_data(as_text=True)
    assert "Kauft alle" not in html
    assert db.session.scalar(select(db.func.count()).select_from(Flag)) == 3


def test_a_second_report_by_the_same_user_is_refused_politely(client, auth, board):
    _report(client, auth, board["reporters"][0].email, board)
    response = _report(client, auth, board["reporters"][0].email, board)
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Flag)) == 1


def test_report_without_csrf_or_with_a_bad_kind_is_refused(client, auth, board):
    auth.login("buerger@example.org")
    reply_id = board["reply"].id
    response = client.post(f"/moderation/flag/comment/{reply_id}", data={"reason": "spam"})
    assert response.status_code in (302, 400)
    assert db.session.scalar(select(db.func.count()).select_from(Flag)) == 0
    assert client.post(f"/moderation/flag/user/{reply_id}").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("visitor", 302), ("unverified", 403), ("citizen", 403), ("blocked", 403), ("staff", 403),
     ("council", 403), ("moderator", 200), ("admin", 200)],
)  # fmt: skip
def test_queue_and_appeals_are_for_moderators_and_admins(client, auth, board, make_user, who,
                                                         status):  # fmt: skip
    from engage.core.types import utcnow

    emails = {"unverified": "neu@example.org", "citizen": "buerger@example.org",
              "staff": "umwelt@example.org", "moderator": "mod@example.org",
              "admin": "admin@example.org"}  # fmt: skip
    if who == "blocked":
        emails[who] = make_user(email="gesperrt@example.org", blocked_at=utcnow()).email
    if who == "council":
        emails[who] = make_user("council").email
    if who != "visitor":
        auth.login(emails[who])
    for path in ("/moderation", "/moderation/appeals", "/moderation/audit", "/moderation/blocked"):
        assert client.get(path).status_code == status, path
    assert client.get("/moderation/transparency").status_code == 200


def test_moderator_restores_a_hidden_reply_from_the_queue(client, auth, board, outbox):
    for reporter in board["reporters"]:
        _report(client, auth, reporter.email, board)
    auth.login("mod@example.org")
    queue = client.get("/moderation").get_data(as_text=True)
    assert "Kauft alle" in queue and "3 Meldungen" in queue
    # Hidden, it is not on its thread's page; the conversation around it is.
    assert f'<a href="/dialogue/replies/{board["reply"].id}">Gespräch öffnen' in queue
    conversation = client.get(f"/dialogue/replies/{board['reply'].id}").headers["Location"]
    assert conversation.startswith(f"/dialogue/{board['thread'].id}")
    response = post_form(client, "/moderation", "/moderation/bulk",
                         items=f"comment:{board['reply'].id}", operation="restore",
                         reason_code="", text="")  # fmt: skip
    assert response.status_code == 302
    assert "Kauft alle" in client.get(f"/dialogue/{board['thread'].id}").get_data(as_text=True)
    note = db.session.scalar(select(Notification).where(Notification.kind == "moderation_decision"))
    assert note.user_id == board["neighbour"].id
    assert any(m.recipient == "nachbar@example.org" for m in outbox())


def test_bulk_form_errors_are_shown_not_raised(client, auth, board):
    auth.login("mod@example.org")
    response = post_form(client, "/moderation", "/moderation/bulk", operation="hide",
                         reason_code="", text="")  # fmt: skip
    assert response.status_code == 422
    response = post_form(
        client,
        "/moderation",
        "/moderation/bulk",
        items=f"comment:{board['reply'].id}",
        operation="hide",
        reason_code="",
    )
    assert response.status_code == 422 and "Grund" in response.get_data(as_text=True)
    response = post_form(client, "/moderation", "/moderation/bulk", items="comment:abc",
                         operation="hide", reason_code="spam")  # fmt: skip
    assert response.status_code == 400


def test_a_bulk_form_corrected_after_an_error_returns_to_the_filtered_queue(client, auth, board):
    """Refused once (no reason), the form is shown with the queue's filters; sent again, it
    returns to that queue (before, it went to /moderation/bulk: a 405)."""
    for reporter in board["reporters"]:
        _report(client, auth, reporter.email, board)
    auth.login("mod@example.org")
    item = f"comment:{board['reply'].id}"
    refused = post_form(client, "/moderation?status=hidden", "/moderation/bulk?status=hidden",
                        items=item, operation="block", reason_code="")  # fmt: skip
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'action="/moderation/bulk?status=hidden"' in page
    assert "/moderation/bulk?status=hidden" in page and 'name="back"' not in page
    done = post_form(client, "/moderation?status=hidden", "/moderation/bulk?status=hidden",
                     items=item, operation="restore", reason_code="")  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"] == "/moderation?status=hidden"
    assert client.get(done.headers["Location"]).status_code == 200


def test_a_block_ending_in_the_past_is_refused_at_its_own_field(client, auth, board):
    _report(client, auth, board["reporters"][0].email, board)
    auth.login("mod@example.org")
    refused = post_form(client, "/moderation", "/moderation/bulk",
                        items=f"comment:{board['reply'].id}", operation="block",
                        reason_code="spam", until="2020-01-01")  # fmt: skip
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="until-error">Das Ende der Sperre muss in der Zukunft liegen.' in page
    assert 'id="reason_code-error"' not in page


def test_queue_loads_in_a_fixed_number_of_queries(app, client, auth, board, make_user):
    from engage.boards import dialogue_services

    def count() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/moderation").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    auth.login("mod@example.org")
    services.flag(board["reporters"][0], board["reply"], "spam")
    db.session.commit()
    few = count()
    for n in range(5):
        author = make_user("citizen")
        extra = dialogue_services.reply(board["thread"], author, f"Werbung {n}")
        services.flag(board["reporters"][0], extra, "spam")
    db.session.commit()
    assert count() == few


def test_author_appeals_once_and_the_moderator_grants_it(client, auth, board):
    decision = services.decide(board["moderator"], board["reply"], "hide", "insult")
    db.session.commit()
    url = f"/moderation/decisions/{decision.id}"
    auth.login("buerger@example.org")
    assert client.get(url).status_code == 404  # someone else's decision
    auth.logout()
    auth.login("nachbar@example.org")
    assert "Widerspruch" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, text="").status_code == 422
    assert post_form(client, url, text="Das war sachlich.").status_code == 302
    assert post_form(client, url, text="Noch einmal").status_code == 403
    auth.logout()
    auth.login("mod@example.org")
    appeal = db.session.scalar(select(Appeal))
    page = client.get("/moderation/appeals").get_data(as_text=True)
    assert "Das war sachlich." in page
    response = post_form(client, "/moderation/appeals", f"/moderation/appeals/{appeal.id}",
                         **{f"a{appeal.id}-outcome": "grant",
                            f"a{appeal.id}-answer": "Sie haben recht."})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert board["reply"].is_visible
    again = post_form(
        client,
        "/moderation/appeals",
        f"/moderation/appeals/{appeal.id}",
        **{f"a{appeal.id}-outcome": "reject", f"a{appeal.id}-answer": "x"},
    )
    assert again.status_code == 409


def test_a_hiding_undone_by_a_restore_can_no_longer_be_appealed(client, auth, board):
    decision = services.decide(board["moderator"], board["reply"], "hide", "insult")
    services.decide(board["moderator"], board["reply"], "restore")
    db.session.commit()
    url = f"/moderation/decisions/{decision.id}"
    auth.login("nachbar@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "Widerspruch senden" not in page and 'name="text"' not in page
    assert "Gegen diese Entscheidung ist kein Widerspruch nötig." in page
    assert post_form(client, url, text="Trotzdem.").status_code == 403
    assert db.session.scalar(select(Appeal)) is None


def test_notifications_describe_decisions_and_link_to_the_appeal(client, auth, board):
    services.decide(board["moderator"], board["reply"], "hide", "spam")
    db.session.commit()
    auth.login("nachbar@example.org")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Moderation hat Ihren Beitrag ausgeblendet" in html


def test_transparency_page_shows_counts_only(client, board):
    services.decide(board["moderator"], board["reply"], "hide", "spam", "Werbung für example")
    db.session.commit()
    html = client.get("/moderation/transparency").get_data(as_text=True)
    assert "Spam oder Werbung" in html and "Werbung für example" not in html
    assert "Kauft alle" not in html and "Nina" not in html


def test_pending_reply_is_shown_to_its_author_as_under_review(client, auth, board):
    board["dialogue"].premoderated = True
    from engage.boards import dialogue_services

    thread = dialogue_services.open_thread(board["staff"], "Im Verfahren", "Text",
                                           board["dialogue"])  # fmt: skip
    db.session.commit()
    auth.login("buerger@example.org")
    response = post_form(client, f"/dialogue/{thread.id}", f"/dialogue/{thread.id}/reply",
                         body="Mein erster Beitrag")  # fmt: skip
    assert response.status_code == 302
    html = client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    assert "Mein erster Beitrag" in html and "wird geprüft" in html
    auth.logout()
    assert "Mein erster Beitrag" not in client.get(f"/dialogue/{thread.id}").get_data(as_text=True)
    auth.login("mod@example.org")
    assert "Mein erster Beitrag" in client.get("/moderation?status=pending").get_data(as_text=True)


def test_reported_offer_is_hidden_from_the_list_and_its_page(client, auth, board):
    from engage.volunteering import services as volunteering

    staff = board["staff"]
    offer = volunteering.create_offer(staff, volunteering.OfferData(
        title="Baumpflege im Park", description="Gießen", department_id=staff.department_id,
    ))  # fmt: skip
    db.session.commit()
    auth.login("buerger@example.org")
    assert f"flag-offer-{offer.id}" in client.get(f"/volunteer/{offer.id}").get_data(as_text=True)
    auth.logout()
    for reporter in board["reporters"]:
        auth.login(reporter.email)
        post_form(client, f"/volunteer/{offer.id}", f"/moderation/flag/offer/{offer.id}",
                  reason="other", text="Falsche Telefonnummer")  # fmt: skip
        auth.logout()
    assert "Baumpflege" not in client.get("/volunteer").get_data(as_text=True)
    assert client.get(f"/volunteer/{offer.id}").status_code == 404
    auth.login("umwelt@example.org")  # the department still sees its offer
    assert client.get(f"/volunteer/{offer.id}").status_code == 200


def test_export_contains_own_reports_and_appeals(board):
    from engage.core.privacy import export_user_data

    services.flag(board["reporters"][0], board["reply"], "other", "Stimmt nicht")
    decision = services.decide(board["moderator"], board["reply"], "hide", "spam")
    services.appeal(board["neighbour"], decision, "Bitte prüfen")
    db.session.commit()
    assert export_user_data(board["reporters"][0])["moderation"]["reports"][0]["text"] == (
        "Stimmt nicht"
    )
    assert export_user_data(board["neighbour"])["moderation"]["appeals"][0]["text"] == (
        "Bitte prüfen"
    )


def test_admin_hides_all_posts_of_a_blocked_user_in_one_action(client, auth, board):
    from engage.admin import services as admin

    user_page = f"/admin/users/{board['neighbour'].id}"
    auth.login("admin@example.org")
    action = f"/moderation/users/{board['neighbour'].id}/hide-all"
    assert post_form(client, user_page, action, reason_code="spam").status_code == 409
    admin.block_user(board["admin"], board["neighbour"], "Werbung")
    db.session.commit()
    assert "Alle Beiträge ausblenden" in client.get(user_page).get_data(as_text=True)
    response = post_form(client, user_page, action, reason_code="spam", text="")
    assert response.status_code == 302
    db.session.expire_all()
    assert board["reply"].is_hidden


def test_moderators_see_blocked_users_and_lift_a_block(client, auth, board, outbox):
    from engage.admin import services as admin

    admin.block_user(board["admin"], board["neighbour"], "Werbung")
    db.session.commit()
    auth.login("mod@example.org")
    page = client.get("/moderation/blocked").get_data(as_text=True)
    assert "Nina" in page and "Werbung" in page
    action = f"/moderation/blocked/{board['neighbour'].id}/unblock"
    assert post_form(client, "/moderation/blocked", action, reason="Einsicht").status_code == 302
    db.session.expire_all()
    assert not board["neighbour"].is_blocked
    client.get("/moderation/blocked")  # shows the flash message once
    assert "Nina" not in client.get("/moderation/blocked").get_data(as_text=True)


def test_queue_survives_bad_filters_and_counts_waiting_items_in_the_navigation(client, auth, board):
    services.flag(board["reporters"][0], board["reply"], "spam")
    db.session.commit()
    auth.login("mod@example.org")
    response = client.get("/moderation?status=bogus&kind=user&reason=x&page=abc")
    assert response.status_code == 200
    assert ('<span aria-hidden="true">1</span><span class="visually-hidden">1 zu entscheiden: '
            "1 Eintrag in der Warteschlange und 0 offene Widersprüche</span>"
            in response.get_data(as_text=True))  # fmt: skip


def _badges(html: str) -> dict[str, str]:
    """The navigation's and the moderation tabs' counts: {"Moderation": "2: label", …}."""
    found = {}
    for name, number, label in re.findall(
        r'>(Moderation|Warteschlange|Widersprüche) <span class="count-badge"[^>]*>'
        r'(?:<span aria-hidden="true">)?(\d+)(?:</span>)?<span class="visually-hidden">([^<]*)<',
        html,
    ):
        found[name] = f"{number}:{label.strip()}"
    return found


def test_the_badge_counts_the_queue_and_the_appeals_and_the_queue_says_so(client, auth, board):
    services.flag(board["reporters"][0], board["thread"], "spam")  # one reported item
    decision = services.decide(board["moderator"], board["reply"], "hide", "spam")
    appeal = services.appeal(board["neighbour"], decision, "Bitte prüfen")  # one open appeal
    db.session.commit()
    auth.login("mod@example.org")
    html = client.get("/moderation").get_data(as_text=True)
    both = "1 Eintrag in der Warteschlange und 1 offener Widerspruch"
    assert _badges(html) == {
        "Moderation": f"2:2 zu entscheiden: {both}",
        "Warteschlange": "1:zu entscheiden",
        "Widersprüche": "1:zu entscheiden",
    }
    assert f"Zu entscheiden: {both}. Die Zahl an „Moderation“ in der Navigation zählt" in html
    assert ">1 Eintrag</p>" in html  # the queue itself: the reported thread
    # Decided, the appeal leaves both counts; nothing waits, no badge is shown.
    services.decide_appeal(board["moderator"], appeal, grant=False, answer="Bleibt")
    services.decide(board["moderator"], board["thread"], "dismiss")
    db.session.commit()
    html = client.get("/moderation").get_data(as_text=True)
    assert _badges(html) == {} and "Zu entscheiden:" not in html


def test_the_hidden_filter_says_that_nothing_there_waits(client, auth, board):
    auth.login("mod@example.org")
    html = client.get("/moderation").get_data(as_text=True)
    assert '<option value="hidden">Bereits ausgeblendet</option>' in html
    assert "Gemeldete Beiträge und Beiträge, die auf Freigabe warten" in html
    html = client.get("/moderation?status=hidden").get_data(as_text=True)
    assert "Sie warten auf keine Entscheidung" in html and "Keine ausgeblendeten Beiträge." in html
    services.decide(board["moderator"], board["reply"], "hide", "spam")
    db.session.commit()
    html = client.get("/moderation?status=hidden").get_data(as_text=True)
    # Among hidden items, the action offered first is to restore them.
    assert '<option selected value="restore">' in html


def test_a_link_naming_one_queue_filter_filters_by_it(client, auth, board):
    """?status=hidden alone (a bookmark) lists the hidden items, not the default list."""
    services.flag(board["reporters"][0], board["thread"], "spam")  # open: reported
    services.decide(board["moderator"], board["reply"], "hide", "spam")
    db.session.commit()
    auth.login("mod@example.org")

    def listed(query: str) -> tuple[bool, bool]:
        page = client.get(f"/moderation{query}").get_data(as_text=True)
        return "Kauft alle bei example!" in page, "Eine Bank fehlt." in page

    assert listed("") == (False, True)  # the reported thread waits; the hidden reply does not
    assert listed("?status=hidden") == (True, False)
    assert listed("?kind=comment") == (False, False)  # no reported reply is open
    assert listed("?reason=spam") == (False, True)
    assert listed("?status=hidden&kind=thread") == (False, False)


def test_a_hidden_reply_with_an_answer_keeps_its_place_and_the_answer_stays(client, board):
    """Blocking a spammer must not hide the official answer given to them."""
    from engage.boards import dialogue_services

    answer = dialogue_services.reply(board["thread"], board["staff"], "Wir kümmern uns darum.",
                                     parent=board["reply"], official=True)  # fmt: skip
    lonely = dialogue_services.reply(board["thread"], board["neighbour"], "Noch mehr Werbung")
    db.session.commit()
    services.decide(board["moderator"], board["reply"], "hide", "spam")
    services.decide(board["moderator"], lonely, "hide", "spam")
    db.session.commit()
    page = client.get(f"/dialogue/{board['thread'].id}").get_data(as_text=True)
    assert "Wir kümmern uns darum." in page
    assert page.count("Dieser Beitrag wurde von der Moderation ausgeblendet.") == 1
    assert "Kauft alle bei example!" not in page and "Noch mehr Werbung" not in page
    assert answer.is_visible


def test_the_author_s_notifications_name_each_hidden_post(client, auth, board):
    from engage.boards import dialogue_services

    dialogue_services.reply(board["thread"], board["neighbour"], "Noch mehr Werbung")
    db.session.commit()
    services.bulk(board["moderator"], [("comment", board["reply"].id)], "block", "spam")
    db.session.commit()
    auth.login("nachbar@example.org")
    page = client.get("/notifications").get_data(as_text=True)
    assert "Ihr Konto ist gesperrt" in page
    for title in ("Kauft alle bei example!", "Noch mehr Werbung"):
        assert (
            f"Die Moderation hat Ihren Beitrag ausgeblendet (Antwort oder Kommentar): „{title}“"
            in page
        )
