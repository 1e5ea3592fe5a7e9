"""The information board: publishing, scheduling, editing, filters, permissions and the feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from engage.boards import permissions, services
from engage.boards.models import Announcement
from engage.core.types import utcnow
from engage.extensions import db
from engage.organisation.models import Department, District
from engage.processes import services as processes
from engage.processes.models import PhaseKind
from tests.conftest import post_form

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def city(app, make_user):
    umwelt, verkehr = Department(name="Umwelt"), Department(name="Verkehr")
    nord = District(name="Nordviertel")
    db.session.add_all([umwelt, verkehr, nord])
    db.session.commit()
    admin = make_user("admin", email="admin@example.org")
    today = utcnow().date()
    process = processes.create_process(
        admin,
        processes.ProcessData(
            title="Grün im Norden", summary="x", body="", department_id=umwelt.id,
            district_id=nord.id, support_threshold=5, answer_deadline_days=10,
            phases=[processes.PhaseDates(PhaseKind.DIALOGUE, today, today + timedelta(days=9))],
        ),
    )  # fmt: skip
    processes.publish_process(process, admin)
    db.session.commit()
    return {
        "admin": admin,
        "process": process,
        "nord": nord,
        "staff": make_user("staff", email="umwelt@example.org", department_id=umwelt.id),
        "other": make_user("staff", email="verkehr@example.org", department_id=verkehr.id),
        "citizen": make_user("citizen", email="buerger@example.org"),
    }


def _publish(author, title="Neuigkeit", **kw) -> Announcement:
    announcement = services.publish_announcement(
        author, services.AnnouncementData(title=title, body=kw.pop("body", "Text **fett**"), **kw)
    )
    db.session.commit()
    return announcement


def _titles(html: str, *titles: str) -> list[str]:
    return [t for t in titles if t in html]


def test_pinned_first_then_newest(client, city):
    _publish(city["staff"], "Alt")
    _publish(city["staff"], "Angeheftet", pinned=True)
    _publish(city["staff"], "Neu")
    html = client.get("/info").get_data(as_text=True)
    assert html.index("Angeheftet") < html.index("Neu") < html.index("Alt")


def test_scheduled_announcements_stay_hidden_until_their_time(client, city):
    later = _publish(city["staff"], "Später", publish_at=utcnow() + timedelta(days=1))
    assert "Später" not in client.get("/info").get_data(as_text=True)
    assert client.get(f"/info/{later.id}").status_code == 404
    assert later.is_visible(utcnow() + timedelta(days=2))


def test_staff_publish_and_see_their_scheduled_items(client, auth, city):
    auth.login("umwelt@example.org")
    response = post_form(client, "/info/new", title="Baumpflanzung", body="Am **Samstag**.",
                         process_id=str(city["process"].id), district_id="",
                         publish_at="2099-05-01T10:00")  # fmt: skip
    assert response.status_code == 302
    announcement = db.session.scalar(db.select(Announcement))
    assert announcement.process_id == city["process"].id and announcement.is_scheduled
    assert announcement.publish_at.hour == 8  # 10:00 in Berlin summer time is 08:00 UTC
    assert "Baumpflanzung" in client.get("/info").get_data(as_text=True)  # own scheduled list


def test_an_announcement_written_from_a_process_starts_with_its_district(client, auth, city):
    auth.login("umwelt@example.org")
    page = client.get(f"/info/new?process={city['process'].id}").get_data(as_text=True)
    assert f'<option selected value="{city["process"].id}">Grün im Norden' in page
    assert f'<option selected value="{city["nord"].id}">Nordviertel' in page


def test_staff_of_another_department_cannot_post_in_the_process(client, auth, city):
    auth.login("verkehr@example.org")
    response = post_form(client, "/info/new", title="Fremd", body="x",
                         process_id=str(city["process"].id), district_id="")  # fmt: skip
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 0


def test_citizens_cannot_publish(client, auth, city):
    auth.login("buerger@example.org")
    assert client.get("/info/new").status_code == 403
    assert post_form(client, "/info", action="/info/new", title="x", body="y").status_code == 403


def test_empty_or_oversized_posts_get_form_errors(client, auth, city):
    auth.login("umwelt@example.org")
    for data in [{"title": "  ", "body": "x"}, {"title": "Titel", "body": ""},
                 {"title": "T" * 161, "body": "x"}, {"title": "Gut", "body": "x" * 20001},
                 {"title": "Gut", "body": "x", "publish_at": "morgen"}]:  # fmt: skip
        response = post_form(client, "/info/new", process_id="", district_id="", **data)
        assert response.status_code == 422, data


def test_edits_after_publication_are_marked(client, auth, city):
    announcement = _publish(city["staff"], "Termin")
    auth.login("umwelt@example.org")
    response = post_form(client, f"/info/{announcement.id}/edit", title="Termin verschoben",
                         body="Neuer Termin", process_id="", district_id="")  # fmt: skip
    assert response.status_code == 302
    html = client.get(f"/info/{announcement.id}").get_data(as_text=True)
    assert "Termin verschoben" in html and "bearbeitet" in html


def test_unpublish_and_publish_again(client, auth, city):
    announcement = _publish(city["staff"], "Zurückgezogen")
    auth.login("umwelt@example.org")
    post_form(client, f"/info/{announcement.id}", action=f"/info/{announcement.id}/publish")
    auth.logout()
    assert client.get(f"/info/{announcement.id}").status_code == 404
    auth.login("umwelt@example.org")
    post_form(client, f"/info/{announcement.id}", action=f"/info/{announcement.id}/publish")
    auth.logout()
    assert client.get(f"/info/{announcement.id}").status_code == 200


def test_other_departments_cannot_edit(client, auth, city):
    announcement = _publish(city["staff"], "Umwelt-Info", process_id=city["process"].id)
    auth.login("verkehr@example.org")
    assert client.get(f"/info/{announcement.id}/edit").status_code == 403


def test_filters_by_process_and_district(client, city):
    _publish(city["staff"], "Im Verfahren", process_id=city["process"].id)
    _publish(city["staff"], "Stadtweit")
    _publish(city["other"], "Anderswo", district_id=None)
    html = client.get(f"/info?process_id={city['process'].id}").get_data(as_text=True)
    assert _titles(html, "Im Verfahren", "Stadtweit") == ["Im Verfahren"]
    html = client.get(f"/info?district={city['nord'].id}").get_data(as_text=True)
    assert "Im Verfahren" in html and "Stadtweit" in html
    assert client.get("/info?district=x&process_id=<b>&page=-3").status_code == 200


def test_process_page_and_home_page_show_announcements(client, city):
    _publish(city["staff"], "Zum Verfahren", process_id=city["process"].id)
    assert "Zum Verfahren" in client.get(f"/processes/{city['process'].slug}").get_data(
        as_text=True
    )
    assert "Zum Verfahren" in client.get("/").get_data(as_text=True)


def test_user_text_is_sanitised(client, city):
    announcement = _publish(
        city["staff"], "XSS", body="<script>alert(1)</script> [x](javascript:alert(1))"
    )
    html = client.get(f"/info/{announcement.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and 'href="javascript' not in html


def test_atom_feed_is_valid_xml_with_the_visible_entries(client, city):
    _publish(city["staff"], "Öffentlich & wichtig", body="Text mit <b>HTML</b> und **Markdown**")
    _publish(city["staff"], "Geplant", publish_at=utcnow() + timedelta(days=3))
    response = client.get("/info/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.data)  # noqa: S314 (our own feed, parsed in a test)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Öffentlich & wichtig"]
    content = entries[0].findtext(f"{ATOM}content")
    assert "<strong>Markdown</strong>" in content and "&lt;b&gt;" in content
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/info/{1}")
    # Relative links in a text ("[Hilfe](/hilfe)") resolve against the site in a feed reader.
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") == "http://localhost/"


def test_permission_matrix(city):
    process = city["process"]
    announcement = _publish(city["staff"], "Info", process_id=process.id)
    assert permissions.can_publish_announcement(city["staff"], process)
    assert not permissions.can_publish_announcement(city["other"], process)
    assert permissions.can_publish_announcement(city["other"])  # city-wide: any staff
    assert not permissions.can_publish_announcement(city["citizen"])
    assert permissions.can_edit_announcement(city["admin"], announcement)
    assert not permissions.can_edit_announcement(city["other"], announcement)


def test_export_contains_own_announcements(city):
    from engage.core.privacy import export_user_data

    _publish(city["staff"], "Meins")
    assert export_user_data(city["staff"])["announcements"][0]["title"] == "Meins"


def test_clearing_the_date_of_a_scheduled_announcement_publishes_it_now(client, auth, city):
    later = _publish(city["staff"], "Geplant", publish_at=utcnow() + timedelta(days=1))
    auth.login("umwelt@example.org")
    post_form(client, f"/info/{later.id}/edit", title="Geplant", body="Jetzt doch",
              process_id="", district_id="", publish_at="")  # fmt: skip
    auth.logout()
    assert client.get(f"/info/{later.id}").status_code == 200
