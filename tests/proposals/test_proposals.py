"""Proposals: the lifecycle matrix, supports, and the pages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_login import AnonymousUserMixin

from engage.core.types import local_today, utcnow
from engage.extensions import db
from engage.processes import services as processes
from engage.processes.models import PhaseKind
from engage.proposals import permissions, services
from engage.proposals.models import Proposal, Support
from engage.proposals.models import ProposalStatus as S
from tests.conftest import post_form

DATA = services.ProposalData(
    title="Tempo 30 vor der Schule", problem="Autos fahren zu schnell.",
    idea="Tempo 30 und eine Ampel.", intended_outcome="Kinder queren sicher.",
    indicator="Anteil Autos über 30 km/h", baseline="40 %", target="10 %",
)  # fmt: skip


@pytest.fixture
def codesign(town):
    """A process of the Umwelt department in its co-design phase, threshold 2."""
    today = local_today()
    process = processes.create_process(
        town["admin"],
        processes.ProcessData(
            title="Sichere Schulwege", summary="x", body="",
            department_id=town["staff"].department_id,
            district_id=None, support_threshold=2, answer_deadline_days=14,
            phases=[processes.PhaseDates(PhaseKind.CODESIGN, today - timedelta(days=1),
                                         today + timedelta(days=20))],
        ),
    )  # fmt: skip
    processes.publish_process(process, town["admin"])
    db.session.commit()
    return process


def _proposal(town, codesign, status=S.SUBMITTED) -> Proposal:
    proposal = services.save_proposal(town["citizen"], codesign, DATA, submit=False)
    proposal.status = status.value
    db.session.commit()
    return proposal


ROLES = ["visitor", "author", "neighbour", "staff", "other", "admin"]


def _who(town, role):
    return AnonymousUserMixin() if role == "visitor" else town.get(role, town["citizen"])


def _expected(role: str, current: S, target: S) -> bool:
    if target == S.SUBMITTED:
        return role == "author" and current == S.DRAFT
    if target == S.WITHDRAWN:
        return role == "author" and current in permissions.WITHDRAWABLE
    return role in {"staff", "admin"} and target in permissions.STAFF_TRANSITIONS.get(current, ())


@pytest.mark.parametrize("current", list(S))
def test_transition_matrix_every_role_state_and_target(town, codesign, current):
    proposal = _proposal(town, codesign, current)
    proposal.result_recorded_at = utcnow()  # (evaluated needs a measured result: below)
    for role in ROLES:
        user = town["citizen"] if role == "author" else _who(town, role)
        for target in S:
            assert permissions.can_move(user, proposal, target) == _expected(
                role, current, target
            ), (role, current, target)


def test_a_proposal_is_evaluated_only_once_its_measured_result_is_recorded(
    client, auth, town, codesign
):
    proposal = _proposal(town, codesign, S.IMPLEMENTED)
    db.session.commit()
    assert not permissions.can_move(town["staff"], proposal, S.EVALUATED)
    assert permissions.staff_moves(town["staff"], proposal) == []
    auth.login("umwelt@example.org")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Ergebnis speichern" in page and "Nächster Schritt" not in page
    assert "danach können Sie den Vorschlag als ausgewertet markieren" in page
    refused = post_form(client, f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/move",
                        to_status="evaluated", note="")  # fmt: skip
    assert refused.status_code == 409
    assert "Bitte erfassen Sie zuerst das gemessene Ergebnis" in refused.get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).status == S.IMPLEMENTED
    post_form(client, f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/result",
              measured_value="2 Unfälle", evaluation="Weniger als vorher.")  # fmt: skip
    moved = post_form(client, f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/move",
                      to_status="evaluated", note="Ziel fast erreicht.")  # fmt: skip
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == S.EVALUATED


def test_a_too_long_step_note_is_refused_at_its_field(client, auth, town, codesign):
    proposal = _proposal(town, codesign, S.SUBMITTED)
    db.session.commit()
    auth.login("umwelt@example.org")
    long_note = "Wir prüfen das. " * 320  # (5,120 characters)
    refused = post_form(client, f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/move",
                        to_status="under_review", note=long_note)  # fmt: skip
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Die Notiz darf höchstens 5.000 Zeichen lang sein." in page
    assert long_note.strip()[:200] in page  # (the typed note is kept)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == S.SUBMITTED


def test_lifecycle_records_history_and_official_response(town, codesign):
    proposal = _proposal(town, codesign, S.DRAFT)
    services.move(proposal, town["citizen"], S.SUBMITTED, "")
    services.move(proposal, town["staff"], S.UNDER_REVIEW, "Wir prüfen.")
    with pytest.raises(services.NoteNotValid):
        services.move(proposal, town["staff"], S.ACCEPTED, "  ")
    with pytest.raises(services.NoteNotValid, match="höchstens 5.000 Zeichen"):
        services.move(proposal, town["staff"], S.ACCEPTED, "x" * 5001)
    services.move(proposal, town["staff"], S.ACCEPTED, "Wird 2027 umgesetzt.")
    with pytest.raises(services.InvalidTransition):
        services.move(proposal, town["citizen"], S.WITHDRAWN, "")
    db.session.commit()
    assert [e.to_status for e in proposal.events] == ["submitted", "under_review", "accepted"]
    assert proposal.official_response == "Wird 2027 umgesetzt." and proposal.answered_at


def test_one_support_per_user_and_qualification_at_the_threshold(town, codesign):
    proposal = _proposal(town, codesign)
    assert services.add_support(proposal, town["neighbour"]) is True
    assert services.add_support(proposal, town["neighbour"]) is False
    assert proposal.support_count == 1 and not proposal.is_qualified
    services.add_support(proposal, town["staff"])
    db.session.commit()
    assert proposal.support_count == 2 and proposal.is_qualified
    assert services.withdraw_support(proposal, town["staff"]) is True
    db.session.commit()
    rows = db.session.scalar(db.select(db.func.count()).select_from(Support))
    assert proposal.support_count == rows == 1


def test_supports_only_while_open_and_in_the_phase(town, codesign):
    proposal = _proposal(town, codesign)
    assert permissions.can_support(town["neighbour"], proposal)
    assert not permissions.can_support(town["citizen"], proposal)  # the author
    assert not permissions.can_support(town["unverified"], proposal)
    later = local_today() + timedelta(days=30)
    assert not permissions.can_support(town["neighbour"], proposal, today=later)
    proposal.status = S.ACCEPTED.value
    assert not permissions.can_support(town["neighbour"], proposal)


def test_concurrent_supports_by_one_user_leave_one(app, town, codesign):
    import threading

    proposal = _proposal(town, codesign)
    user_id, proposal_id = town["neighbour"].id, proposal.id

    def worker():
        with app.app_context():
            from engage.accounts.models import User

            try:
                services.add_support(db.session.get(Proposal, proposal_id),
                                     db.session.get(User, user_id))  # fmt: skip
                db.session.commit()
            except Exception:  # a lost race on SQLite's write lock is not a second support
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    rows = db.session.scalar(db.select(db.func.count()).select_from(Support))
    assert rows == 1 and db.session.get(Proposal, proposal_id).support_count == 1


def test_draft_preview_submit_and_list(client, auth, town, codesign):
    auth.login("buerger@example.org")
    fields = {"title": "Mehr Bänke", "problem": "Zu wenig Sitzplätze", "idea": "Bänke",
              "intended_outcome": "Ältere rasten", "indicator": "Zahl der Bänke",
              "district_id": "", "category": "social", "process": str(codesign.id)}  # fmt: skip
    page = f"/proposals/new?process={codesign.id}"
    preview = post_form(client, page, action="/proposals/new", preview="1", **fields)
    assert preview.status_code == 200 and "Vorschau" in preview.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Proposal)) == 0
    post_form(client, page, action="/proposals/new", draft="1", **fields)
    draft = db.session.scalar(db.select(Proposal))
    assert draft.status == "draft"
    assert "Mehr Bänke" not in client.get("/proposals").get_data(as_text=True)
    post_form(client, f"/proposals/{draft.id}", action=f"/proposals/{draft.id}/move",
              to_status="submitted")  # fmt: skip
    auth.logout()
    assert "Mehr Bänke" in client.get("/proposals?sort=newest&category=social").get_data(
        as_text=True
    )


def test_invalid_step_is_409_and_support_button_works(client, auth, town, codesign):
    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/support")
    assert proposal.support_count == 0 or db.session.get(Proposal, proposal.id)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).support_count == 1
    response = post_form(client, f"/proposals/{proposal.id}",
                         action=f"/proposals/{proposal.id}/move", to_status="accepted",
                         note="Ich darf das nicht")  # fmt: skip
    assert response.status_code == 409


def test_the_support_button_does_what_it_says_when_pressed_twice(client, auth, town, codesign):
    """Two tabs opened before supporting: "Support" pressed in both keeps one support, and
    "Withdraw support" pressed in both leaves none (the button carries its intent)."""
    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    page = f"/proposals/{proposal.id}"
    action = f"/proposals/{proposal.id}/support"

    def supports() -> int:
        db.session.expire_all()
        return db.session.get(Proposal, proposal.id).support_count

    assert 'name="intent" value="support"' in client.get(page).get_data(as_text=True)
    for _ in range(2):
        post_form(client, page, action=action, intent="support")
    assert supports() == 1
    assert 'name="intent" value="withdraw"' in client.get(page).get_data(as_text=True)
    for _ in range(2):
        post_form(client, page, action=action, intent="withdraw")
    assert supports() == 0


def test_a_press_on_a_page_opened_before_the_proposal_moved_on_says_why(
    client, auth, town, codesign
):
    """The department accepted the proposal while a supporter's page was open: pressing
    "Withdraw support" there leads back to the page as it is now, with why (not a bare 403);
    the page's script gets a 409 and then sends the form the usual way."""
    from tests.conftest import csrf_from

    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    page = f"/proposals/{proposal.id}"
    action = f"/proposals/{proposal.id}/support"
    post_form(client, page, action=action, intent="support")
    token = csrf_from(client.get(page))
    db.session.get(Proposal, proposal.id).status = S.ACCEPTED.value
    db.session.commit()
    script = client.post(action, data={"csrf_token": token, "intent": "withdraw"},
                         headers={"Accept": "application/json"})  # fmt: skip
    assert script.status_code == 409
    form = client.post(action, data={"csrf_token": token, "intent": "withdraw"})
    assert form.status_code == 302 and form.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "nicht mehr zur Unterstützung offen" in html
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).support_count == 1  # (nothing changed)
    # The author and a user who may not write still get the plain refusal.
    auth.logout()
    auth.login("buerger@example.org")
    token = csrf_from(client.get(page))
    assert client.post(action, data={"csrf_token": token, "intent": "support"}).status_code == 403


def test_the_page_script_gets_the_support_as_json_without_a_message_for_later(
    client, auth, town, codesign
):
    """The page's script asks for JSON: the answer names the new state, count and button; no
    message waits in the session for the next page, and the session cookie is not rewritten."""
    from tests.conftest import csrf_from

    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    page = f"/proposals/{proposal.id}"
    token = csrf_from(client.get(page))
    action = f"/proposals/{proposal.id}/support"
    json_headers = {"Accept": "application/json"}
    response = client.post(action, data={"csrf_token": token, "intent": "support"},
                           headers=json_headers)  # fmt: skip
    assert response.status_code == 200
    assert response.json == {"supported": True, "support_count": 1, "intent": "withdraw",
                             "label": "Unterstützung zurückziehen",
                             "message": "Danke für Ihre Unterstützung."}  # fmt: skip
    assert "Set-Cookie" not in response.headers
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).support_count == 1
    html = client.get(page).get_data(as_text=True)
    assert "Danke für Ihre Unterstützung" not in html  # (no flash left for the next page)
    assert 'name="intent" value="withdraw"' in html
    again = client.post(action, data={"csrf_token": token, "intent": "support"},
                        headers=json_headers)  # fmt: skip
    assert again.json["support_count"] == 1 and again.json["supported"] is True
    withdrawn = client.post(action, data={"csrf_token": token, "intent": "withdraw"},
                            headers=json_headers)  # fmt: skip
    assert withdrawn.json["supported"] is False and withdrawn.json["support_count"] == 0
    assert withdrawn.json["label"] == "Unterstützen"
    forged = client.post(action, data={"csrf_token": "forged", "intent": "support"},
                         headers=json_headers)  # fmt: skip
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).support_count == 0


def test_bad_input_gets_form_errors_and_bad_ids_404(client, auth, town, codesign):
    auth.login("buerger@example.org")
    response = post_form(client, f"/proposals/new?process={codesign.id}",
                         action="/proposals/new", process=str(codesign.id), title="x",
                         category="other", district_id="")  # fmt: skip
    assert response.status_code == 422
    assert client.get("/proposals/99999").status_code == 404
    assert client.get("/proposals/new?process=99999").status_code == 404
    assert client.get("/proposals?sort=<x>&status=nope&district=a").status_code == 200


def test_staff_inbox_shows_new_qualified_and_overdue(client, auth, town, codesign):
    from engage.core.types import utcnow

    fresh = _proposal(town, codesign)
    fresh.submitted_at = utcnow()
    late = _proposal(town, codesign, S.UNDER_REVIEW)
    late.qualified_at = utcnow() - timedelta(days=30)  # the deadline is 14 days
    db.session.commit()
    inbox = services.department_inbox(town["staff"].department_id)
    assert inbox.new.items == [fresh] and inbox.overdue.items == [late]
    assert inbox.qualified_unanswered.items == [late]
    assert services.department_inbox(town["other"].department_id).new.items == []
    auth.login("umwelt@example.org")
    html = client.get("/proposals/manage").get_data(as_text=True)
    assert "Überfällig" in html and late.title in html
    auth.logout()
    auth.login("buerger@example.org")
    assert client.get("/proposals/manage").status_code == 403


def test_process_and_home_pages_list_proposals(client, town, codesign):
    proposal = _proposal(town, codesign)
    assert proposal.title in client.get(f"/processes/{codesign.slug}").get_data(as_text=True)
    assert proposal.title in client.get("/").get_data(as_text=True)


def test_export_contains_proposals_and_supports(town, codesign):
    from engage.core.privacy import export_user_data

    proposal = _proposal(town, codesign)
    services.add_support(proposal, town["neighbour"])
    assert export_user_data(town["citizen"])["proposals"]["proposals"][0]["title"] == DATA.title
    assert export_user_data(town["neighbour"])["proposals"]["supported_proposal_ids"] == [
        proposal.id
    ]


def test_author_and_supporters_are_told_of_each_step(town, codesign, outbox):
    from engage.notifications.models import Notification
    from engage.notifications.services import describe

    proposal = _proposal(town, codesign)
    services.add_support(proposal, town["neighbour"])
    services.move(proposal, town["staff"], S.UNDER_REVIEW, "Wir prüfen.")
    db.session.commit()
    told = db.session.scalars(db.select(Notification).order_by(Notification.user_id)).all()
    assert {n.user_id for n in told} == {town["citizen"].id, town["neighbour"].id}
    assert describe(told[0]) == "„Tempo 30 vor der Schule“ ist jetzt „In Prüfung“"
    assert {m.recipient for m in outbox()} == {"buerger@example.org", "nachbar@example.org"}
    # Each notification keeps naming its own step after the proposal moved on.
    services.move(proposal, town["staff"], S.ACCEPTED, "Wir machen das.")
    db.session.commit()
    mine = db.session.scalars(db.select(Notification).where(
        Notification.user_id == town["neighbour"].id).order_by(Notification.id)).all()  # fmt: skip
    assert [describe(n) for n in mine] == [
        "„Tempo 30 vor der Schule“ ist jetzt „In Prüfung“",
        "„Tempo 30 vor der Schule“ ist jetzt „Angenommen“",
    ]


def test_result_is_recorded_by_the_department_and_supporters_rate(client, auth, town, codesign):
    proposal = _proposal(town, codesign)
    services.add_support(proposal, town["neighbour"])
    proposal.status = S.IMPLEMENTED.value
    db.session.commit()
    assert not permissions.can_record_result(town["other"], proposal)
    auth.login("umwelt@example.org")
    bad = post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/result",
                    measured_value="", evaluation="")  # fmt: skip
    assert bad.status_code == 422
    post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/result",
              measured_value="12 %", evaluation="Deutlich weniger Raser.")  # fmt: skip
    auth.logout()
    auth.login("nachbar@example.org")
    post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/rate",
              stars="4")  # fmt: skip
    post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/rate",
              stars="5")  # fmt: skip
    db.session.expire_all()
    stored = db.session.get(Proposal, proposal.id)
    assert stored.measured_value == "12 %" and stored.rating_count == 1
    assert stored.average_rating == 5.0
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "12 %" in html and "Deutlich weniger Raser." in html
    history = html.split('id="history-title"')[1]
    assert re.search(r"<strong>Gemessenes Ergebnis erfasst</strong> · [\d.]+, [\d:]+ · "
                     r"Gemessen: 12 %", history)  # fmt: skip
    auth.logout()
    auth.login("buerger@example.org")  # the author did not support it: no rating
    response = post_form(client, f"/proposals/{proposal.id}",
                         action=f"/proposals/{proposal.id}/rate", stars="1")  # fmt: skip
    assert response.status_code == 403


def test_comments_on_proposals_with_official_answers_and_replies(client, auth, town, codesign):
    from engage.boards.dialogue_models import Comment

    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/comments",
              body="Gute Idee, aber wer zahlt?")  # fmt: skip
    first = db.session.scalar(db.select(Comment))
    assert first.proposal_id == proposal.id and first.thread_id is None
    response = post_form(client, f"/proposals/{proposal.id}",
                         action=f"/proposals/{proposal.id}/comments", body="Offiziell?",
                         official="y")  # fmt: skip
    assert response.status_code == 403  # citizens do not answer officially
    auth.logout()
    auth.login("umwelt@example.org")
    post_form(client, f"/proposals/{proposal.id}", action=f"/proposals/{proposal.id}/comments",
              body="Die Kosten trägt der Haushalt.", official="y",
              parent_id=str(first.id))  # fmt: skip
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Gute Idee, aber wer zahlt?" in html and "Offizielle Antwort" in html
    assert "2 Kommentare" in html
    form_url = f"/proposals/{proposal.id}/comments?to={first.id}"  # its "Reply" link
    assert f'href="{form_url}"' in html
    page = client.get(form_url).get_data(as_text=True)
    assert "wer zahlt?" in page and "Als offizielle Antwort" in page  # staff may answer so
    empty = post_form(client, form_url, action=f"/proposals/{proposal.id}/comments", body="",
                      parent_id=str(first.id))  # fmt: skip
    assert empty.status_code == 422 and "wer zahlt?" in empty.get_data(as_text=True)
    auth.logout()
    auth.login("nachbar@example.org")
    response = post_form(client, f"/proposals/{proposal.id}",
                         action=f"/dialogue/replies/{first.id}/delete")  # fmt: skip
    assert f"/proposals/{proposal.id}" in response.headers["Location"]


def test_a_comment_or_proposal_sent_twice_is_stored_once(client, auth, town, codesign):
    from engage.boards.dialogue_models import Comment

    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    page = f"/proposals/{proposal.id}"
    for _ in range(2):
        post_form(client, page, action=f"{page}/comments", body="Wer zahlt das?")
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 1
    assert "schon gesendet" in client.get(page).get_data(as_text=True)
    fields = {"title": "Mehr Bänke am See", "problem": "Zu wenig Sitzplätze", "idea": "Bänke",
              "intended_outcome": "Ältere rasten", "indicator": "Zahl der Bänke",
              "district_id": "", "category": "social", "process": str(codesign.id)}  # fmt: skip
    new = f"/proposals/new?process={codesign.id}"
    sent = [post_form(client, new, action="/proposals/new", submit="1", **fields)
            for _ in range(2)]  # fmt: skip
    mine = db.session.scalars(db.select(Proposal).where(Proposal.title == fields["title"])).all()
    assert len(mine) == 1
    assert sent[1].headers["Location"] == sent[0].headers["Location"] == f"/proposals/{mine[0].id}"


def test_a_cost_is_typed_with_a_comma_in_a_text_field(client, auth, town, codesign):
    """Not <input type=number>: a browser whose language is not German reads "15,50" typed
    there as 1550. A word or a negative amount gets one plain message."""
    auth.login("buerger@example.org")
    fields = {"title": "Mehr Bänke am Teich", "problem": "Zu wenig Sitzplätze", "idea": "Bänke",
              "intended_outcome": "Ältere rasten", "indicator": "Zahl der Bänke",
              "district_id": "", "category": "social", "process": str(codesign.id)}  # fmt: skip
    new = f"/proposals/new?process={codesign.id}"
    form = client.get(new).get_data(as_text=True)
    cost_input = re.search(r'<input[^>]*name="cost_estimate"[^>]*>', form).group(0)
    assert 'type="text"' in cost_input and 'inputmode="decimal"' in cost_input
    for typed, message in (
        ("abc", "Bitte geben Sie einen Betrag ein, z. B. 15,50."),
        ("-3", "Bitte geben Sie einen Betrag von 0 bis 100 Millionen Euro"),
    ):
        page = post_form(client, new, action="/proposals/new", submit="1", cost_estimate=typed,
                         **fields).get_data(as_text=True)  # fmt: skip
        assert message in page and "Zahl muss zwischen" not in page, typed
    post_form(client, new, action="/proposals/new", submit="1", cost_estimate="2.500,50",
              **fields)  # fmt: skip
    proposal = db.session.scalar(db.select(Proposal).where(Proposal.title == fields["title"]))
    assert proposal.cost_estimate == Decimal("2500.50")  # (a thousands point, not 2,50)
    edit = client.get(f"/proposals/{proposal.id}/edit").get_data(as_text=True)
    assert 'value="2500,50"' in edit  # (read back as it would be typed)


def test_comment_errors_are_clear(client, auth, town, codesign):
    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    empty = post_form(client, f"/proposals/{proposal.id}",
                      action=f"/proposals/{proposal.id}/comments", body="  ")  # fmt: skip
    assert empty.status_code == 422
    forged = post_form(client, f"/proposals/{proposal.id}",
                       action=f"/proposals/{proposal.id}/comments", body="x",
                       parent_id="99999")  # fmt: skip
    assert forged.status_code == 404
    proposal.status = S.WITHDRAWN.value
    db.session.commit()
    closed = post_form(client, f"/proposals/{proposal.id}",
                       action=f"/proposals/{proposal.id}/comments", body="x")  # fmt: skip
    assert closed.status_code == 403


def test_authors_follow_their_proposal_and_followers_hear_of_comments(client, auth, town,
                                                                     codesign):  # fmt: skip
    from engage.notifications import services as notifications
    from engage.notifications.models import Notification

    proposal = services.save_proposal(town["citizen"], codesign, DATA, submit=True)
    db.session.commit()
    assert notifications.is_following(town["citizen"], proposal=proposal)
    auth.login("nachbar@example.org")
    post_form(client, f"/proposals/{proposal.id}", action=f"/follow/proposal/{proposal.id}")
    assert notifications.is_following(town["neighbour"], proposal=proposal)
    auth.logout()
    services.comment(proposal, town["staff"], "Wir melden uns.", official=True)
    db.session.commit()
    told = set(db.session.scalars(
        db.select(Notification.user_id).where(Notification.kind == "proposal_comment")
    ))  # fmt: skip
    assert told == {town["citizen"].id, town["neighbour"].id}


def test_numbers_follow_german_conventions_and_long_texts_are_refused(client, auth, town,
                                                                     codesign):  # fmt: skip
    proposal = _proposal(town, codesign, S.IMPLEMENTED)
    proposal.cost_estimate = 1500
    services.add_support(proposal, town["neighbour"])
    services.rate(proposal, town["neighbour"], 4)
    services.record_result(proposal, town["staff"], "12", "Wirkt.")
    db.session.commit()
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "1.500,00\xa0€" in html and "4,0 von 5 (1 Bewertung)" in html
    auth.login("buerger@example.org")
    response = post_form(client, f"/proposals/new?process={codesign.id}",
                         action="/proposals/new", process=str(codesign.id), draft="1",
                         title="Lang genug", problem="x" * 6000, idea="i",
                         intended_outcome="o", indicator="n", category="other",
                         district_id="")  # fmt: skip
    assert response.status_code == 422
    assert "maxlength" not in response.get_data(as_text=True).split('id="problem"')[1][:200]


def test_an_official_comment_counts_as_answered_for_sorting(town, codesign):
    answered = _proposal(town, codesign)
    later = _proposal(town, codesign)
    services.comment(answered, town["staff"], "Antwort", official=True)
    db.session.commit()
    first = db.session.scalars(services.proposals_query(services.ProposalFilter(sort="answered")))
    assert next(iter(first)).id == answered.id != later.id


def test_a_step_without_its_required_note_shows_the_error_at_the_note_field(client, auth, town,
                                                                             codesign):  # fmt: skip
    proposal = _proposal(town, codesign, S.UNDER_REVIEW)
    auth.login("umwelt@example.org")
    url = f"/proposals/{proposal.id}"
    response = post_form(client, url, action=f"{url}/move", to_status="accepted", note=" ")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#note"' in html
    assert 'aria-invalid="true"' in html and '<option selected value="accepted">' in html
    db.session.refresh(proposal)
    assert proposal.status == S.UNDER_REVIEW.value  # nothing changed


def test_a_refused_step_leads_back_to_the_proposal_page(client, auth, town, codesign):
    """A 409 (say, a step from an outdated tab) offers the page the form was on."""
    from tests.conftest import csrf_from

    proposal = _proposal(town, codesign)
    auth.login("nachbar@example.org")
    page = f"http://localhost/proposals/{proposal.id}"
    token = csrf_from(client.get(page))
    step = {"csrf_token": token, "to_status": "accepted", "note": "x"}
    refused = client.post(f"/proposals/{proposal.id}/move", headers={"Referer": page}, data=step)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert f'href="/proposals/{proposal.id}" data-history-back>Zurück zur vorigen Seite' in html
    elsewhere = client.get("/proposals/99999", headers={"Referer": "https://evil.example/x"})
    assert "data-history-back" not in elsewhere.get_data(as_text=True)
    assert "data-history-back" not in client.get("/proposals/99999").get_data(as_text=True)


def test_a_refused_new_proposal_or_discussion_page_says_why(client, auth, town, codesign,
                                                            make_user):  # fmt: skip
    from engage.core.types import utcnow

    def refusal(path):
        page = client.get(path)
        assert page.status_code == 403
        return page.get_data(as_text=True)

    auth.login("neu@example.org")  # (not verified yet)
    for path in (f"/proposals/new?process={codesign.id}", "/dialogue/new"):
        assert "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse" in refusal(path)
    auth.logout()
    make_user("citizen", email="gesperrt@example.org", blocked_at=utcnow())
    auth.login("gesperrt@example.org")
    assert "Ihr Konto ist gesperrt" in refusal("/dialogue/new")
    auth.logout()
    auth.login("buerger@example.org")
    page = refusal(f"/proposals/new?process={town['dialogue'].id}")  # (in its dialogue phase)
    assert "nimmt gerade keine Vorschläge an" in page
    assert client.get(f"/proposals/new?process={codesign.id}").status_code == 200


def test_a_draft_may_be_unfinished_is_found_again_and_submitted_once_complete(
    client, auth, town, codesign
):
    auth.login("buerger@example.org")
    saved = post_form(client, f"/proposals/new?process={codesign.id}", title="Bänke am Spielplatz",
                      problem="", idea="", intended_outcome="", indicator="", category="other",
                      district_id="", draft="1")  # fmt: skip
    assert saved.status_code == 302
    draft = db.session.scalar(db.select(Proposal).where(Proposal.title == "Bänke am Spielplatz"))
    assert draft.status == S.DRAFT
    assert client.get(f"/proposals/{draft.id}").status_code == 200  # (its empty parts too)
    mine = client.get("/proposals/mine").get_data(as_text=True)
    assert "Bänke am Spielplatz" in mine and "nur für Sie sichtbar" in mine
    assert f"/proposals/{draft.id}/edit" in mine
    assert "/proposals/mine" in client.get("/proposals").get_data(as_text=True)
    # A draft needs its title; submitting it needs the rest.
    untitled = post_form(client, f"/proposals/new?process={codesign.id}", title="", problem="",
                         idea="", intended_outcome="", indicator="", category="other",
                         district_id="", draft="1")  # fmt: skip
    assert untitled.status_code == 422
    refused = post_form(client, f"/proposals/{draft.id}", f"/proposals/{draft.id}/move",
                        to_status="submitted", note="")  # fmt: skip
    assert refused.headers["Location"] == f"/proposals/{draft.id}/edit"  # (to finish it)
    edit_page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert (
        "Bitte ergänzen Sie zuerst den Entwurf" in edit_page and "Was ist das Problem?" in edit_page
    )
    assert db.session.get(Proposal, draft.id).status == S.DRAFT
    incomplete = post_form(client, f"/proposals/{draft.id}/edit", f"/proposals/{draft.id}/edit",
                           title="Bänke am Spielplatz", problem="Keine Bank.", idea="",
                           intended_outcome="", indicator="", category="other", district_id="",
                           submit="1")  # fmt: skip
    assert incomplete.status_code == 422
    done = post_form(client, f"/proposals/{draft.id}/edit", f"/proposals/{draft.id}/edit",
                     title="Bänke am Spielplatz", problem="Keine Bank.", idea="Zwei Bänke.",
                     intended_outcome="Eltern sitzen.", indicator="Bänke", category="other",
                     district_id="", submit="1")  # fmt: skip
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).status == S.SUBMITTED
    auth.logout()
    assert "/auth/login" in client.get("/proposals/mine").headers["Location"]


def test_a_proposal_is_filed_under_a_category_its_author_chose(client, auth, town, codesign):
    auth.login("buerger@example.org")
    page = f"/proposals/new?process={codesign.id}"
    form = client.get(page).get_data(as_text=True)
    select = form[form.index('id="category"') :]
    select = select[: select.index("</select>")]
    assert '<option value="">Bitte wählen Sie eine Kategorie</option>' in select
    assert "selected" not in select  # (nothing chosen in advance)
    parts = dict(title="Busse am Abend", problem="Kein Bus nach 20 Uhr.", idea="Ein Nachtbus.",
                 intended_outcome="Wege nach Hause.", process=str(codesign.id),
                 indicator="Fahrgäste", district_id="")  # fmt: skip
    unchosen = post_form(client, page, action="/proposals/new", submit="1", category="", **parts)
    assert unchosen.status_code == 422
    assert "Bitte wählen Sie eine Kategorie." in unchosen.get_data(as_text=True)
    assert db.session.scalar(db.select(Proposal).where(Proposal.title == "Busse am Abend")) is None
    # A draft may leave it open; it is then filed under "other" until chosen.
    saved = post_form(client, page, action="/proposals/new", draft="1", category="", **parts)
    assert saved.status_code == 302
    draft = db.session.scalar(db.select(Proposal).where(Proposal.title == "Busse am Abend"))
    assert draft.category == "other"
    chosen = post_form(client, page, action="/proposals/new", submit="1", category="mobility",
                       **{**parts, "title": "Busse am Sonntag"})  # fmt: skip
    assert chosen.status_code == 302
    sent = db.session.scalar(db.select(Proposal).where(Proposal.title == "Busse am Sonntag"))
    assert sent.category == "mobility"


def test_the_staff_inbox_shows_each_list_a_page_at_a_time_the_longest_waiting_first(
    client, auth, town, codesign, monkeypatch
):
    from engage.core.types import utcnow

    monkeypatch.setattr(services, "INBOX_PER_PAGE", 2)
    made = []
    for days in (3, 2, 1):
        proposal = _proposal(town, codesign)
        proposal.submitted_at = utcnow() - timedelta(days=days)
        made.append(proposal)
    db.session.commit()
    first = services.department_inbox(town["staff"].department_id)
    assert first.new.items == made[:2] and first.new.total == 3
    second = services.department_inbox(town["staff"].department_id, pages={"new": 2})
    assert second.new.items == made[2:]
    auth.login("umwelt@example.org")
    html = client.get("/proposals/manage?new_page=2").get_data(as_text=True)
    assert f'href="/proposals/{made[2].id}"' in html
    assert f'href="/proposals/{made[0].id}"' not in html
    assert "Neu, noch nicht in Prüfung (3)" in html
    assert "Die am längsten wartenden zuerst, 2 pro Seite." in html
    assert 'href="/proposals/manage?new_page=1"' in html  # (the first page of this list)
    answer = client.get("/proposals/manage?new_page=9&overdue_page=x")
    assert answer.status_code == 302 and answer.location.endswith("new_page=2")
