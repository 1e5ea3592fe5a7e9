"""Administration through HTTP: users, roles, blocking, invitations, organisation, settings."""

from __future__ import annotations

import pytest

from engage.accounts.models import User
from engage.core.audit import AuditEntry
from engage.core.settings import get_settings
from engage.extensions import db
from engage.organisation.models import Department, District
from tests.conftest import path_of, post_form


@pytest.fixture
def admin(client, auth, make_user):
    user = make_user("admin", email="admin@example.org", display_name="Ada Admin")
    auth.login("admin@example.org")
    return user


def _actions():
    db.session.expire_all()
    return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


@pytest.mark.parametrize("role", ["citizen", "staff", "moderator", "council"])
def test_only_admins_open_the_administration(client, auth, make_user, role):
    make_user(role, email="x@example.org")
    auth.login("x@example.org")
    for path in ["/admin", "/admin/users", "/admin/settings", "/admin/invite",
                 "/admin/departments", "/admin/districts"]:  # fmt: skip
        assert client.get(path).status_code == 403, path


def test_visitors_are_sent_to_log_in(client):
    assert "/auth/login" in client.get("/admin/users").headers["Location"]


def test_find_users_by_name_or_email_and_role(client, admin, make_user):
    make_user("citizen", email="bernd@example.org", display_name="Bernd Bürger")
    make_user("staff", email="sina@example.org", display_name="Sina Staff")
    html = client.get("/admin/users?q=bernd").get_data(as_text=True)
    assert "Bernd Bürger" in html and "Sina Staff" not in html
    html = client.get("/admin/users?role=staff").get_data(as_text=True)
    assert "Sina Staff" in html and "Bernd Bürger" not in html


def test_change_role_and_department_is_audited(client, admin, make_user):
    department = Department(name="Umwelt")
    db.session.add(department)
    db.session.commit()
    user = make_user("citizen")
    response = post_form(client, f"/admin/users/{user.id}", user__role="staff",
                         user__department_id=str(department.id), user__district_id="")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.role == "staff" and changed.department_id == department.id
    assert _actions()[-1] == "user.update"


def test_admin_cannot_demote_themselves(client, admin):
    response = post_form(client, f"/admin/users/{admin.id}", user__role="citizen",
                         user__department_id="", user__district_id="")  # fmt: skip
    assert response.status_code == 422
    assert db.session.get(User, admin.id).role == "admin"


def test_unknown_role_is_a_form_error(client, admin, make_user):
    user = make_user("citizen")
    response = post_form(client, f"/admin/users/{user.id}", user__role="king",
                         user__department_id="", user__district_id="")  # fmt: skip
    assert response.status_code == 422


def test_block_needs_a_reason_and_unblock_restores(client, admin, make_user):
    user = make_user("citizen")
    assert post_form(client, f"/admin/users/{user.id}", action=f"/admin/users/{user.id}/block",
                     block__reason="").status_code == 422  # fmt: skip
    post_form(client, f"/admin/users/{user.id}", action=f"/admin/users/{user.id}/block",
              block__reason="Beleidigungen", block__until="2099-01-01")  # fmt: skip
    db.session.expire_all()
    blocked = db.session.get(User, user.id)
    assert blocked.is_blocked and blocked.blocked_reason == "Beleidigungen"
    post_form(client, f"/admin/users/{user.id}", action=f"/admin/users/{user.id}/unblock",
              unblock__reason="Einspruch berechtigt")  # fmt: skip
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_blocked
    assert _actions()[-2:] == ["user.block", "user.unblock"]


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/users/99999").status_code == 404


def test_invitation_sets_the_password_once(app, client, auth, admin, outbox):
    department = Department(name="Umwelt")
    db.session.add(department)
    db.session.commit()
    response = post_form(client, "/admin/invite", email="Neu@Example.org", display_name="Nora Neu",
                         role="staff", department_id=str(department.id))  # fmt: skip
    assert response.status_code == 302
    invited = db.session.scalar(db.select(User).where(User.email == "neu@example.org"))
    assert invited.role == "staff" and invited.password_hash == ""
    link = path_of(outbox.last_link("neu@example.org"))
    auth.logout()
    page = client.get(link)
    assert "Nora Neu" in page.get_data(as_text=True)
    response = post_form(client, link, password="Wiesen und Wälder", confirm="Wiesen und Wälder")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, invited.id).is_verified
    assert client.get("/account").status_code == 200
    auth.logout()
    used = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "nicht (mehr) gültig" in used
    assert "user.invite" in _actions()


def test_invitation_to_a_registered_address_is_refused(client, admin, make_user):
    make_user("citizen", email="da@example.org")
    response = post_form(client, "/admin/invite", email="da@example.org", display_name="Da",
                         role="staff", department_id="")  # fmt: skip
    assert response.status_code == 422


def test_departments_and_districts_are_managed_and_names_unique(client, admin):
    assert post_form(client, "/admin/departments", name="Fachbereich Kultur",
                     short_name="Kultur").status_code == 302  # fmt: skip
    assert post_form(client, "/admin/districts", name="Altstadt").status_code == 302
    assert post_form(client, "/admin/districts", name="altstadt").status_code == 422
    district = db.session.scalar(db.select(District))
    post_form(client, f"/admin/districts/{district.id}", name="Historische Altstadt")
    db.session.expire_all()
    assert db.session.get(District, district.id).name == "Historische Altstadt"
    assert _actions() == ["department.create", "district.create", "district.update"]
    assert client.get("/admin/departments/999").status_code == 404
    assert client.get("/admin/nonsense").status_code == 404


def test_settings_are_stored_and_shown_on_the_legal_pages(client, admin):
    data = {
        "municipality_name": "Beispielstadt", "logo_path": "img/logo.svg",
        "contact_email": "info@beispielstadt.example", "contact_phone": "0123 4",
        "address": "Markt 1, 99999 Beispielstadt", "imprint_responsible": "Der Bürgermeister",
        "imprint_extra": "Aufsicht: **Land**", "privacy_officer": "Frau Datenschutz",
        "accessibility_email": "a11y@beispielstadt.example", "volunteer_hour_value": "18.50",
        "flag_threshold": "4", "premoderated_first_posts": "2",
    }  # fmt: skip
    assert post_form(client, "/admin/settings", **data).status_code == 302
    settings = get_settings()
    db.session.refresh(settings)
    assert settings.municipality_name == "Beispielstadt" and settings.flag_threshold == 4
    assert str(settings.volunteer_hour_value) == "18.50"
    assert "Beispielstadt" in client.get("/").get_data(as_text=True)
    imprint = client.get("/impressum").get_data(as_text=True)
    assert "Markt 1, 99999 Beispielstadt" in imprint and "<strong>Land</strong>" in imprint
    assert "Frau Datenschutz" in client.get("/datenschutz").get_data(as_text=True)
    assert "a11y@beispielstadt.example" in client.get("/barrierefreiheit").get_data(as_text=True)
    assert _actions()[-1] == "settings.update"


def test_bad_settings_are_refused_without_losing_the_stored_ones(client, admin):
    response = post_form(client, "/admin/settings", municipality_name="", logo_path="../etc",
                         contact_email="x", flag_threshold="0")  # fmt: skip
    assert response.status_code == 422
    assert get_settings().municipality_name == "Musterstadt"


def test_audit_log_page_for_moderators_shows_the_chain_state(client, auth, make_user, admin):
    post_form(client, "/admin/districts", name="Altstadt")
    make_user("moderator", email="mod@example.org")
    auth.logout()
    auth.login("mod@example.org")
    html = client.get("/moderation/audit").get_data(as_text=True)
    assert "Kette geprüft" in html
    # In words, not codes: the action, the target and the details.
    table = html.split("<table")[1]
    assert "<td>Stadtteil angelegt</td>" in table and "district.create" not in table
    assert "Stadtteil 1" in html and "Name: Altstadt" in html and '{"name"' not in html
    assert '<option value="district.create">Stadtteil angelegt</option>' in html
    assert (
        client.get("/moderation/audit?action=district.create&since=2020-01-01").status_code == 200
    )
    assert client.get("/moderation/audit?since=kein-datum&actor=x").status_code == 200


def test_citizens_cannot_read_the_audit_log(client, auth, make_user):
    make_user("citizen", email="c@example.org")
    auth.login("c@example.org")
    assert client.get("/moderation/audit").status_code == 403


SETTINGS = {
    "municipality_name": "Beispielstadt", "logo_path": "img/logo.svg",
    "contact_email": "info@beispielstadt.example", "contact_phone": "",
    "address": "Markt 1", "imprint_responsible": "Der Bürgermeister", "imprint_extra": "",
    "privacy_officer": "", "accessibility_email": "a11y@beispielstadt.example",
    "volunteer_hour_value": "15,50", "flag_threshold": "3", "premoderated_first_posts": "0",
}  # fmt: skip


def test_settings_accept_the_german_decimal_comma(client, admin):
    assert post_form(client, "/admin/settings", **SETTINGS).status_code == 302
    settings = get_settings()
    db.session.refresh(settings)
    assert str(settings.volunteer_hour_value) == "15.50"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("municipality_name", "   ", "Bitte füllen Sie dieses Feld aus"),
        ("logo_path", "img/gibt-es-nicht.svg", "Diese Datei gibt es in static/img/ nicht"),
        ("volunteer_hour_value", "viel", "Betrag"),
        ("volunteer_hour_value", "sNaN", "Betrag"),  # (Decimal takes it; comparing it fails)
        ("volunteer_hour_value", "1e3", "Betrag"),
    ],
)
def test_settings_refuse_blank_names_missing_logos_and_bad_amounts(client, admin, field, value,
                                                                   message):  # fmt: skip
    response = post_form(client, "/admin/settings", **{**SETTINGS, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_block_end_in_the_past_is_refused(client, admin, make_user):
    user = make_user("citizen")
    response = post_form(client, f"/admin/users/{user.id}", action=f"/admin/users/{user.id}/block",
                         block__reason="Spam", block__until="2020-01-01")  # fmt: skip
    assert response.status_code == 422
    assert "in der Zukunft" in response.get_data(as_text=True)
    assert not db.session.get(User, user.id).is_blocked


def test_blocked_user_is_told_by_mail(client, admin, make_user, outbox):
    user = make_user("citizen", email="laut@example.org")
    post_form(client, f"/admin/users/{user.id}", action=f"/admin/users/{user.id}/block",
              block__reason="Wiederholte Beleidigungen")  # fmt: skip
    [mail] = [m for m in outbox() if m.recipient == "laut@example.org"]
    assert mail.subject == "Ihr Konto ist gesperrt"
    assert "Wiederholte Beleidigungen" in mail.body


def test_staff_need_a_department_and_citizens_have_none(client, admin, make_user):
    user = make_user("citizen")
    response = post_form(client, f"/admin/users/{user.id}", user__role="staff",
                         user__department_id="", user__district_id="")  # fmt: skip
    assert response.status_code == 422
    assert "brauchen einen Fachbereich" in response.get_data(as_text=True)
    response = post_form(client, "/admin/invite", email="s@example.org", display_name="Sven",
                         role="staff", department_id="")  # fmt: skip
    assert response.status_code == 422


def test_staff_made_citizens_leave_their_department_with_the_role(client, admin, make_user):
    umwelt, verkehr = Department(name="Umwelt"), Department(name="Verkehr")
    db.session.add_all([umwelt, verkehr])
    db.session.commit()
    user = make_user("staff", department_id=umwelt.id)
    response = post_form(client, f"/admin/users/{user.id}", user__role="citizen",
                         user__department_id=str(umwelt.id), user__district_id="")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.role == "citizen" and changed.department_id is None
    # A department chosen anew for a citizen is still refused: that is a contradiction.
    response = post_form(client, f"/admin/users/{user.id}", user__role="citizen",
                         user__department_id=str(verkehr.id), user__district_id="")  # fmt: skip
    assert response.status_code == 422


def test_short_names_of_departments_are_unique(client, admin):
    post_form(client, "/admin/departments", name="Fachbereich Umwelt", short_name="Umwelt")
    response = post_form(client, "/admin/departments", name="Fachbereich Recht",
                         short_name="umwelt")  # fmt: skip
    assert response.status_code == 422


def test_user_search_treats_percent_and_underscore_literally(client, admin, make_user):
    make_user("citizen", email="bernd@example.org", display_name="Bernd")
    html = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "Bernd" not in html and "Kein Konto passt" in html
    html = client.get("/admin/users?q=_").get_data(as_text=True)
    assert "Bernd" not in html


def test_unused_districts_can_be_deleted_used_ones_not(client, admin, make_user):
    used, unused = District(name="Nordviertel"), District(name="Tippfehler")
    db.session.add_all([used, unused])
    db.session.commit()
    used_id, unused_id = used.id, unused.id
    make_user("citizen", district_id=used_id)
    post_form(client, "/admin/districts", action=f"/admin/districts/{unused_id}/delete")
    response = post_form(client, "/admin/districts", action=f"/admin/districts/{used_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(District, unused_id) is None
    assert db.session.get(District, used_id) is not None
    assert "district.delete" in _actions()


def test_invitation_can_be_sent_again_until_a_password_is_set(client, admin, outbox):
    department = Department(name="Umwelt")
    db.session.add(department)
    db.session.commit()
    post_form(client, "/admin/invite", email="neu@example.org", display_name="Nora",
              role="staff", department_id=str(department.id))  # fmt: skip
    invited = db.session.scalar(db.select(User).where(User.email == "neu@example.org"))
    post_form(client, f"/admin/users/{invited.id}", action=f"/admin/users/{invited.id}/reinvite")
    assert len([m for m in outbox() if m.recipient == "neu@example.org"]) == 2
