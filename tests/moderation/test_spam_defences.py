"""Pre-moderation switched on per process, and the link limit for new accounts, through HTTP."""

from __future__ import annotations

from datetime import timedelta

from engage.core.types import utcnow
from engage.extensions import db
from engage.processes.models import Process
from tests.conftest import post_form

THREE_LINKS = "Siehe https://a.example, https://b.example und www.c.example"


def test_staff_switch_on_premoderation_in_the_process_form(client, auth, town):
    process = town["dialogue"]
    auth.login("umwelt@example.org")
    page = client.get(f"/processes/{process.slug}/edit").get_data(as_text=True)
    assert "Vorabprüfung" in page
    data = {
        "title": process.title, "summary": process.summary, "body": "",
        "department_id": str(process.department_id), "district_id": "",
        "support_threshold": "5", "answer_deadline_days": "10", "premoderated": "y",
        "dialogue_start": process.phases[0].starts_on.isoformat(),
        "dialogue_end": process.phases[0].ends_on.isoformat(),
    }  # fmt: skip
    response = post_form(client, f"/processes/{process.slug}/edit", **data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Process, process.id).premoderated


def test_thread_in_a_premoderated_process_waits_and_says_so(client, auth, town):
    town["dialogue"].premoderated = True
    db.session.commit()
    auth.login("buerger@example.org")
    response = post_form(client, "/dialogue/new", title="Bänke im Park", body="Bitte mehr",
                         process_id=str(town["dialogue"].id))  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "wird geprüft" in page
    auth.logout()
    assert "Bänke im Park" not in client.get("/dialogue").get_data(as_text=True)
    process_page = client.get(f"/processes/{town['dialogue'].slug}").get_data(as_text=True)
    assert "vor der Veröffentlichung" in process_page
    assert client.get(response.headers["Location"]).status_code == 404


def test_new_accounts_may_post_two_links_but_not_three(client, auth, town):
    auth.login("buerger@example.org")
    response = post_form(client, "/dialogue/new", title="Viele Links hier", body=THREE_LINKS,
                         process_id="")  # fmt: skip
    assert response.status_code == 422
    assert "höchstens 2 Links" in response.get_data(as_text=True)
    response = post_form(
        client,
        "/dialogue/new",
        title="Zwei Links hier",
        body="https://a.example und https://b.example",
        process_id="",
    )
    assert response.status_code == 302


def test_established_accounts_and_staff_have_no_link_limit(client, auth, town):
    from engage.boards import dialogue_services

    citizen = town["citizen"]
    citizen.created_at = utcnow() - timedelta(days=30)
    for n in range(3):
        dialogue_services.open_thread(citizen, f"Beitrag {n}", "Text")
    db.session.commit()
    auth.login("buerger@example.org")
    response = post_form(client, "/dialogue/new", title="Viele Links hier", body=THREE_LINKS,
                         process_id="")  # fmt: skip
    assert response.status_code == 302
    auth.logout()
    auth.login("umwelt@example.org")
    response = post_form(client, "/dialogue/new", title="Links der Verwaltung", body=THREE_LINKS,
                         process_id="")  # fmt: skip
    assert response.status_code == 302
