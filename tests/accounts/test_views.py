"""Account pages through real HTTP: register, verify, log in and out, reset, profile, privacy."""

from __future__ import annotations

import json
import re

import pytest

from engage.accounts.models import User
from engage.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_from, path_of, post_form

GOOD_PASSWORD = "lange genug und gut"


def _register(client, **overrides):
    data = {
        "email": "neu@example.org",
        "display_name": "Nina Neu",
        "password": GOOD_PASSWORD,
        "accept_privacy": "y",
        **overrides,
    }
    return post_form(client, "/auth/register", **data)


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def test_registration_logs_in_unverified_and_the_mail_link_verifies(client, outbox):
    response = _register(client)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in home
    assert not _user("neu@example.org").is_verified
    assert _user("neu@example.org").last_login_at is not None  # (logged in by registering)
    link = outbox.last_link("neu@example.org")
    response = client.get(path_of(link))
    assert response.status_code == 302
    assert _user("neu@example.org").is_verified
    assert "Bitte bestätigen" not in client.get("/").get_data(as_text=True)


def test_registration_sends_the_mail_in_the_browsers_language(client, outbox):
    page = client.get("/auth/register", headers={"Accept-Language": "en"})
    client.post(
        "/auth/register",
        data={"email": "en@example.org", "display_name": "Emma", "password": GOOD_PASSWORD,
              "accept_privacy": "y", "csrf_token": csrf_from(page)},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    [mail] = outbox()
    assert mail.subject == "Please confirm your e-mail address"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"password": "kurz"}, "zwischen 10 und 200 Zeichen"),
        ({"accept_privacy": ""}, "Datenschutzerklärung"),
        ({"display_name": "x" * 81}, "zwischen 2 und 80 Zeichen"),
        ({"email": "a" * 250 + "@example.org"}, "zu lang"),
    ],
)
def test_bad_registration_input_gets_a_german_form_error(client, overrides, message):
    response = _register(client, **overrides)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html
    assert _user("neu@example.org") is None


def test_duplicate_email_is_refused_with_a_message(client, make_user):
    make_user(email="neu@example.org")
    response = _register(client, email="NEU@example.org")
    assert response.status_code == 422
    assert "Es gibt bereits ein Konto" in response.get_data(as_text=True)


def test_honeypot_field_turns_bots_away_silently(client):
    response = _register(client, website="http://spam.example")
    assert response.status_code == 302
    assert _user("neu@example.org") is None


def test_reused_or_broken_verification_link_gets_a_clear_400(client):
    response = client.get("/auth/verify/nicht-gueltig")
    assert response.status_code == 400
    assert "nicht (mehr) gültig" in response.get_data(as_text=True)


def test_resend_verification(client, outbox):
    _register(client)
    outbox.clear()
    response = post_form(client, "/account", action="/auth/verify/resend")
    assert response.status_code == 302
    assert len(outbox()) == 1


def test_login_with_correct_and_wrong_password(client, auth, make_user):
    make_user(email="anna@example.org")
    response = auth.login("anna@example.org", "falsches passwort")
    assert response.status_code == 422
    assert "E-Mail-Adresse oder Passwort ist nicht richtig" in response.get_data(as_text=True)
    assert auth.login("Anna@Example.org").status_code == 302
    assert client.get("/account").status_code == 200


def test_login_does_not_reveal_whether_an_address_is_registered(client, auth, make_user):
    make_user(email="anna@example.org")
    known = auth.login("anna@example.org", "falsches passwort").get_data(as_text=True)
    unknown = auth.login("nobody@example.org", "falsches passwort").get_data(as_text=True)
    message = "E-Mail-Adresse oder Passwort ist nicht richtig"
    assert message in known and message in unknown


def test_failed_logins_are_rate_limited_with_a_clear_message(client, auth, make_user):
    make_user(email="anna@example.org")
    for _ in range(5):
        assert auth.login("anna@example.org", "falsch falsch").status_code == 422
    response = auth.login("anna@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)


def test_successful_logins_do_not_count_against_the_limit(client, auth, make_user):
    make_user(email="anna@example.org")
    for _ in range(7):
        assert auth.login("anna@example.org").status_code == 302
        auth.logout()


def test_login_redirect_only_to_local_paths(client, auth, make_user):
    make_user(email="anna@example.org")
    page = client.get("/auth/login?next=https://evil.example/")
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": "anna@example.org", "password": TEST_PASSWORD,
              "csrf_token": csrf_from(page)},
    )  # fmt: skip
    assert "evil.example" not in response.headers["Location"]


def test_account_page_needs_login(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_logout(client, auth, make_user):
    make_user(email="anna@example.org")
    auth.login("anna@example.org")
    auth.logout()
    assert client.get("/account").status_code == 302


def test_log_out_everywhere_ends_other_sessions(app, make_user):
    make_user(email="anna@example.org")
    laptop, phone = app.test_client(), app.test_client()
    from tests.conftest import AuthActions

    AuthActions(laptop).login("anna@example.org")
    AuthActions(phone).login("anna@example.org")
    post_form(laptop, "/account", action="/auth/logout", everywhere="1")
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    from tests.conftest import AuthActions

    make_user(email="anna@example.org")
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login("anna@example.org")
    AuthActions(phone).login("anna@example.org")
    response = post_form(
        laptop, "/account", action="/account/password",
        pw__current_password=TEST_PASSWORD, pw__password=GOOD_PASSWORD,
        pw__confirm=GOOD_PASSWORD,
    )  # fmt: skip
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_password_change_with_wrong_current_password(client, auth, make_user):
    make_user(email="anna@example.org")
    auth.login("anna@example.org")
    response = post_form(
        client, "/account", action="/account/password",
        pw__current_password="falsch falsch", pw__password=GOOD_PASSWORD,
        pw__confirm=GOOD_PASSWORD,
    )  # fmt: skip
    assert response.status_code == 422
    assert "aktuelle Passwort ist nicht richtig" in response.get_data(as_text=True)


def test_password_reset_flow_is_single_use(client, auth, make_user, outbox):
    make_user(email="anna@example.org")
    response = post_form(client, "/auth/reset", email="anna@example.org")
    assert response.status_code == 302
    link = path_of(outbox.last_link("anna@example.org"))
    response = post_form(client, link, password=GOOD_PASSWORD, confirm=GOOD_PASSWORD)
    assert response.status_code == 302
    assert auth.login("anna@example.org", GOOD_PASSWORD).status_code == 302
    auth.logout()
    reused = client.get(link, follow_redirects=True)
    assert "nicht (mehr) gültig" in reused.get_data(as_text=True)


def test_password_reset_answers_the_same_for_unknown_addresses(client, make_user, outbox):
    make_user(email="anna@example.org")
    known = post_form(client, "/auth/reset", email="anna@example.org")
    unknown = post_form(client, "/auth/reset", email="nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert [m.recipient for m in outbox()] == ["anna@example.org"]


def test_profile_and_preferences_are_saved(client, auth, make_user):
    user = make_user(email="anna@example.org")
    auth.login("anna@example.org")
    post_form(client, "/account", action="/account/profile", profile__display_name="Anna B.",
              profile__district_id="")  # fmt: skip
    post_form(client, "/account", action="/account/preferences", prefs__locale="en",
              prefs__notify_frequency="daily", prefs__notify_replies="y")  # fmt: skip
    stored = _user("anna@example.org")
    assert stored.id == user.id and stored.display_name == "Anna B."
    assert stored.locale == "en" and stored.notify_frequency == "daily"
    assert stored.notify_replies and not stored.notify_official_answers
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)


SAVED_DE = "Ihre Einstellungen sind gespeichert."


def test_the_preferences_form_shows_the_saved_milestones_choice(client, auth, make_user):
    """(It always showed the box unticked: saving any other preference turned it off.)"""
    make_user(email="anna@example.org", milestones_public=True)
    auth.login("anna@example.org")
    page = client.get("/account").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="prefs-milestones_public"[^>]*>', page)
    assert box and "checked" in box.group(0)


def test_choosing_the_browsers_language_ends_the_switch_used_before(client, auth, make_user):
    make_user(email="anna@example.org")
    auth.login("anna@example.org")
    page = client.get("/proposals")
    client.post("/language", data={"csrf_token": csrf_from(page), "locale": "en"})
    assert '<html lang="en">' in client.get("/proposals").get_data(as_text=True)
    post_form(client, "/account", action="/account/preferences", prefs__locale="",
              prefs__notify_frequency="daily")  # fmt: skip
    assert _user("anna@example.org").locale is None
    page = client.get("/account").get_data(as_text=True)  # (a browser without a wish: German)
    assert '<html lang="de">' in page and SAVED_DE in page


def test_logging_out_or_deleting_says_so_in_the_language_the_account_chose(client, auth, make_user):
    make_user(email="anna@example.org", locale="en")
    make_user(email="bert@example.org", locale="en")
    auth.login("anna@example.org")
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/account"))})
    assert "You are logged out." in client.get("/").get_data(as_text=True)
    auth.login("bert@example.org")
    post_form(client, "/account/delete", password=TEST_PASSWORD)
    assert "Your account is deleted." in client.get("/").get_data(as_text=True)


def test_invalid_preferences_get_a_form_error_not_a_500(client, auth, make_user):
    make_user(email="anna@example.org")
    auth.login("anna@example.org")
    response = post_form(client, "/account", action="/account/preferences", prefs__locale="xx",
                         prefs__notify_frequency="hourly")  # fmt: skip
    assert response.status_code == 422


def test_email_change_needs_confirmation_of_the_new_address(client, auth, make_user, outbox):
    make_user(email="alt@example.org")
    auth.login("alt@example.org")
    post_form(client, "/account", action="/account/email", mail__new_email="neu@example.org",
              mail__password=TEST_PASSWORD)  # fmt: skip
    assert _user("alt@example.org") is not None
    client.get(path_of(outbox.last_link("neu@example.org")))
    assert _user("neu@example.org") is not None and _user("alt@example.org") is None


def test_export_returns_all_personal_data_as_json(client, auth, make_user):
    make_user(email="anna@example.org", display_name="Anna")
    auth.login("anna@example.org")
    response = client.get("/account/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "anna@example.org"
    assert data["account"]["display_name"] == "Anna"


def test_delete_needs_the_password_and_anonymises(client, auth, make_user):
    user = make_user(email="anna@example.org")
    auth.login("anna@example.org")
    wrong = post_form(client, "/account/delete", password="falsch falsch")
    assert wrong.status_code == 422 and not _user("anna@example.org").is_deleted
    response = post_form(client, "/account/delete", password=TEST_PASSWORD)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.is_deleted and stored.email != "anna@example.org"
    assert client.get("/account").status_code == 302
    assert auth.login("anna@example.org").status_code == 422


def test_blocked_user_can_log_in_and_read(client, auth, make_user):
    from engage.core.types import utcnow

    make_user(email="gesperrt@example.org", blocked_at=utcnow(), blocked_reason="Spam")
    assert auth.login("gesperrt@example.org").status_code == 302
    html = client.get("/account").get_data(as_text=True)
    assert "Ihr Konto ist gesperrt" in html and "Spam" in html


def test_account_page_has_unique_element_ids(client, auth, make_user):
    import re
    from collections import Counter

    make_user(email="anna@example.org", verified=False)
    auth.login("anna@example.org")
    html = client.get("/account").get_data(as_text=True)
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []


def test_password_change_notifies_the_account_address(client, auth, make_user, outbox):
    make_user(email="anna@example.org")
    auth.login("anna@example.org")
    post_form(
        client, "/account", action="/account/password",
        pw__current_password=TEST_PASSWORD, pw__password=GOOD_PASSWORD,
        pw__confirm=GOOD_PASSWORD,
    )  # fmt: skip
    [notice] = outbox()
    assert notice.recipient == "anna@example.org"
    assert notice.subject == "Ihr Passwort wurde geändert"
    assert "/auth/reset" in notice.body


def test_login_limit_page_offers_the_password_reset(client, auth, make_user):
    make_user(email="anna@example.org")
    for _ in range(5):
        auth.login("anna@example.org", "falsch falsch")
    html = auth.login("anna@example.org", "falsch falsch").get_data(as_text=True)
    assert 'href="/auth/reset"' in html and "15 Minuten" in html


def test_failed_logins_on_one_account_do_not_lock_out_others_on_the_same_network(
    client, auth, make_user
):
    make_user(email="anna@example.org")
    make_user(email="bernd@example.org")
    for _ in range(6):
        auth.login("anna@example.org", "falsch falsch")
    assert auth.login("bernd@example.org").status_code == 302


def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_logging_in(
    client, auth, make_user
):
    from urllib.parse import parse_qs, urlsplit

    from engage.boards import dialogue_services

    author = make_user("citizen", email="clara@example.org")
    thread = dialogue_services.open_thread(author, "Licht am Weg", "Zu dunkel.")
    db.session.commit()
    auth.login("clara@example.org")
    page = client.get(f"/dialogue/{thread.id}")
    token = csrf_from(page)
    auth.logout()  # (as if from another tab)

    def next_of(response):
        assert response.status_code == 302
        target = urlsplit(response.headers["Location"])
        assert target.path == "/auth/login"
        return parse_qs(target.query)["next"][0]

    on_page = {"Referer": f"http://localhost/dialogue/{thread.id}?page=2"}
    sent = client.post(f"/dialogue/{thread.id}/reply", data={"csrf_token": token, "body": "Ja."},
                       headers=on_page)  # fmt: skip
    assert next_of(sent) == f"/dialogue/{thread.id}?page=2"
    # Without a referrer (or another site's): the form's address, or the page above it.
    for referrer in ({}, {"Referer": "https://evil.example/dialogue/1"}):
        sent = client.post(f"/dialogue/{thread.id}/reply", data={"csrf_token": token},
                           headers=referrer)  # fmt: skip
        assert next_of(sent) == f"/dialogue/{thread.id}/reply"  # (its GET leads to the thread)
    # A page that needs a log-in is itself the way back.
    assert next_of(client.get("/account?tab=1")) == "/account?tab=1"
    logged_in = post_form(client, "/auth/login?next=%2Faccount%3Ftab%3D1",
                          email="clara@example.org", password=TEST_PASSWORD)  # fmt: skip
    assert logged_in.headers["Location"] == "/account?tab=1"
