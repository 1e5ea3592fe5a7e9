"""Process pages through HTTP: list, filters, detail, and management by the department."""

from __future__ import annotations

from engage.extensions import db
from engage.processes.models import Process
from tests.conftest import post_form


def _form_data(org, **overrides):
    data = {
        "title": "Neue Spielplätze",
        "summary": "Wo sollen neue Spielplätze entstehen?",
        "body": "Details **fett**",
        "department_id": str(org["umwelt"].id),
        "district_id": "",
        "support_threshold": "30",
        "answer_deadline_days": "21",
        "dialogue_start": "2026-12-01",
        "dialogue_end": "2026-12-31",
    }
    data.update(overrides)
    return data


def test_list_shows_published_processes_with_filters(client, make_process, org):
    make_process(title="Grün im Norden")
    make_process(title="Geheimer Entwurf", published=False)
    html = client.get("/processes").get_data(as_text=True)
    assert "Grün im Norden" in html and "Geheimer Entwurf" not in html
    html = client.get(f"/processes?district={org['sued'].id}").get_data(as_text=True)
    assert "Grün im Norden" not in html


def test_bad_filter_values_do_not_break_the_list(client, make_process):
    make_process()
    for query in ["district=abc", "department=-1", "phase=<script>", "page=0", "page=x"]:
        assert client.get(f"/processes?{query}").status_code == 200


def test_detail_shows_timeline_with_current_phase(client, make_process):
    process = make_process(phases={"information": (-20, -11), "dialogue": (-10, 5)})
    html = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert 'aria-current="step"' in html and "aktuelle Phase" in html
    assert "<strong>Mehr</strong> dazu." in html


def test_drafts_are_404_for_the_public_and_other_departments(client, auth, make_process,
                                                           make_user, org):  # fmt: skip
    process = make_process(published=False)
    assert client.get(f"/processes/{process.slug}").status_code == 404
    make_user("staff", email="verkehr@example.org", department_id=org["verkehr"].id)
    auth.login("verkehr@example.org")
    assert client.get(f"/processes/{process.slug}").status_code == 404


def test_staff_create_a_process_for_their_department_and_publish_it(client, auth, make_user,
                                                                   org):  # fmt: skip
    make_user("staff", email="umwelt@example.org", department_id=org["umwelt"].id)
    auth.login("umwelt@example.org")
    response = post_form(client, "/processes/new", **_form_data(org))
    assert response.status_code == 302
    process = db.session.scalar(db.select(Process).where(Process.title == "Neue Spielplätze"))
    assert process.slug == "neue-spielplaetze" and not process.is_published
    assert process.department_id == org["umwelt"].id
    post_form(client, f"/processes/{process.slug}", action=f"/processes/{process.slug}/publish")
    db.session.expire_all()
    assert db.session.get(Process, process.id).is_published
    assert "Neue Spielplätze" in client.get("/").get_data(as_text=True)


def test_staff_cannot_create_for_another_department(client, auth, make_user, org):
    make_user("staff", email="umwelt@example.org", department_id=org["umwelt"].id)
    auth.login("umwelt@example.org")
    response = post_form(client, "/processes/new",
                         **_form_data(org, department_id=str(org["verkehr"].id)))  # fmt: skip
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Process)) == 0


def test_staff_of_another_department_cannot_edit(client, auth, make_user, make_process, org):
    process = make_process()
    make_user("staff", email="verkehr@example.org", department_id=org["verkehr"].id)
    auth.login("verkehr@example.org")
    assert client.get(f"/processes/{process.slug}/edit").status_code == 403
    response = post_form(client, "/processes", action=f"/processes/{process.slug}/edit",
                         **_form_data(org))  # fmt: skip
    assert response.status_code == 403


def test_drafts_of_other_departments_are_404_on_edit_too(client, auth, make_user,
                                                        make_process, org):  # fmt: skip
    process = make_process(published=False)
    make_user("staff", email="verkehr@example.org", department_id=org["verkehr"].id)
    auth.login("verkehr@example.org")
    assert client.get(f"/processes/{process.slug}/edit").status_code == 404


def test_phase_order_error_is_shown_at_the_later_phase(client, auth, make_user, org):
    make_user("admin", email="admin@example.org")
    auth.login("admin@example.org")
    response = post_form(client, "/processes/new", **_form_data(
        org, voting_start="2026-12-10", voting_end="2026-12-20"))  # fmt: skip
    html = response.get_data(as_text=True)
    assert 'id="voting_start-error"' in html and 'id="dialogue_start-error"' not in html


def test_citizens_cannot_create_processes(client, auth, make_user):
    make_user("citizen", email="b@example.org")
    auth.login("b@example.org")
    assert client.get("/processes/new").status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/processes/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_invalid_process_input_gets_form_errors(client, auth, make_user, make_process, org):
    make_process(title="Neue Spielplätze")
    make_user("admin", email="admin@example.org")
    auth.login("admin@example.org")
    for overrides, message in [
        ({"title": ""}, "Bitte geben Sie einen Titel ein"),
        ({"dialogue_end": ""}, "Dialog – Ende: Bitte geben Sie Beginn und Ende der Phase"),
        ({"dialogue_end": "2026-11-01"}, "endet, bevor sie beginnt"),
        ({"dialogue_end": "2026-11-01"}, ">Dialog – Beginn: Die Phase"),  # (which phase)
        ({"slug": "Mit Leerzeichen"}, "Kleinbuchstaben"),
        ({"support_threshold": "-1"}, "Unterstützungs-Schwelle"),
        ({"dialogue_start": "kein-datum"}, "Beginn"),
        ({"slug": "neue-spielplaetze"}, "bereits von einem anderen Beteiligungsverfahren"),
        ({"slug": "new"}, "bereits von einem anderen Beteiligungsverfahren"),
        (
            {
                "dialogue_start": "2026-12-01",
                "voting_start": "2026-12-10",
                "voting_end": "2026-12-20",
            },
            "wenn „Dialog“ beendet ist",
        ),
    ]:
        response = post_form(client, "/processes/new", **_form_data(org, **overrides))
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), overrides


def test_drafts_can_be_deleted_but_published_processes_cannot(client, auth, make_user,
                                                             make_process):  # fmt: skip
    draft = make_process(title="Tippfehler", published=False)
    live = make_process(title="Läuft schon")
    make_user("admin", email="admin@example.org")
    auth.login("admin@example.org")
    post_form(client, f"/processes/{draft.slug}", action=f"/processes/{draft.slug}/delete")
    assert client.get(f"/processes/{draft.slug}").status_code == 404
    response = post_form(client, f"/processes/{live.slug}", action=f"/processes/{live.slug}/delete")
    assert response.status_code == 302
    assert client.get(f"/processes/{live.slug}").status_code == 200


def test_a_changed_web_address_leaves_the_old_one_leading_to_the_process(
    client, auth, make_user, make_process, org
):
    process = make_process(title="Parkanlagen")
    other = make_process(title="Spielplätze")
    make_user("staff", email="umwelt@example.org", department_id=org["umwelt"].id)
    auth.login("umwelt@example.org")
    edit = f"/processes/{process.slug}/edit"
    dates = {"dialogue_start": str(process.phases[0].starts_on),
             "dialogue_end": str(process.phases[0].ends_on)}  # fmt: skip
    response = post_form(client, edit, **_form_data(org, title="Parkanlagen",
                                                    slug="gruene-parks", **dates))  # fmt: skip
    assert response.status_code == 302
    old = client.get("/processes/parkanlagen")
    assert old.status_code == 301 and old.headers["Location"].endswith("/processes/gruene-parks")
    assert client.get("/processes/gruene-parks").status_code == 200
    # Nobody else takes the old address over: its links lead to the renamed process.
    response = post_form(client, f"/processes/{other.slug}/edit",
                         **_form_data(org, title="Spielplätze", slug="parkanlagen",
                                      dialogue_start=str(other.phases[0].starts_on),
                                      dialogue_end=str(other.phases[0].ends_on)))  # fmt: skip
    assert response.status_code == 422
    assert "bereits" in response.get_data(as_text=True)
    # The process may take its own old address back; the newer one then leads there.
    response = post_form(
        client,
        "/processes/gruene-parks/edit",
        **_form_data(org, title="Parkanlagen", slug="parkanlagen", **dates),
    )
    assert response.status_code == 302
    assert client.get("/processes/parkanlagen").status_code == 200
    moved = client.get("/processes/gruene-parks")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/processes/parkanlagen")
    assert client.get("/processes/nie-vergeben").status_code == 404
