"""Account rules, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from engage.accounts import services, tokens
from engage.accounts.models import User
from engage.core import privacy
from engage.extensions import db
from tests.conftest import TEST_PASSWORD


def _register(email="neu@example.org", name="Nina Neu", password="ein sicheres passwort"):
    return services.register(services.Registration(email=email, display_name=name,
                                                   password=password))  # fmt: skip


def test_registration_creates_an_unverified_citizen_and_queues_a_verification_mail(app, outbox):
    with app.test_request_context():
        user = _register(email="  Neu@Example.ORG ")
        db.session.commit()
    assert user.email == "neu@example.org"
    assert user.role == "citizen" and not user.is_verified
    assert user.privacy_accepted_at is not None
    assert user.password_hash != "ein sicheres passwort"
    [mail] = outbox()
    assert mail.recipient == "neu@example.org" and "/auth/verify/" in mail.body


def test_email_is_unique_regardless_of_case(app, make_user):
    make_user(email="anna@example.org")
    with app.test_request_context(), pytest.raises(services.EmailTaken):
        _register(email="ANNA@example.org")


@pytest.mark.parametrize("password", ["kurz", "123456789", "aaaaaaaaaaaa", "Passwort123"])
def test_weak_passwords_are_refused(app, password):
    with app.test_request_context(), pytest.raises(services.WeakPassword):
        _register(password=password)


def test_password_containing_the_email_name_is_refused(app):
    with app.test_request_context(), pytest.raises(services.WeakPassword):
        _register(email="nina.neu@example.org", password="Nina.Neu-2026")


def test_verification_token_confirms_the_address_once(app):
    with app.test_request_context():
        user = _register()
        token = tokens.make_verify_token(user.id, user.email)
        assert services.verify_email(token).is_verified
        first = user.email_verified_at
        services.verify_email(token)  # a second click changes nothing
        assert user.email_verified_at == first


def test_tampered_verification_token_is_invalid(app):
    with app.test_request_context():
        user = _register()
        token = tokens.make_verify_token(user.id, user.email)
        # A character of the signature changed (not its last ones: in base64 the last one may
        # carry unused bits, and "xx" may have been there already).
        changed = "A" if token[-6] != "A" else "B"
        with pytest.raises(tokens.TokenInvalid):
            services.verify_email(token[:-6] + changed + token[-5:])


def test_reset_token_expires_after_one_hour(app, make_user):
    user = make_user()
    with freeze_time("2026-11-25 10:00:00"):
        token = tokens.make_reset_token(user.id, user.password_hash)
    with freeze_time("2026-11-25 10:59:00"):
        assert services.user_for_reset_token(token) == user
    with freeze_time("2026-11-25 11:01:00"), pytest.raises(tokens.TokenExpired):
        services.user_for_reset_token(token)


def test_reset_token_works_only_once(app, make_user):
    user = make_user()
    token = tokens.make_reset_token(user.id, user.password_hash)
    services.set_password(services.user_for_reset_token(token), "ganz neues passwort")
    db.session.commit()
    with pytest.raises(tokens.TokenInvalid):
        services.user_for_reset_token(token)


def test_password_reset_request_for_unknown_address_sends_nothing(app, outbox):
    with app.test_request_context():
        services.request_password_reset("niemand@example.org")
    assert outbox() == []


def test_authenticate_checks_the_password_and_ignores_deleted_accounts(app, make_user):
    user = make_user(email="x@example.org")
    assert services.authenticate("X@example.org", TEST_PASSWORD) == user
    assert services.authenticate("x@example.org", "falsch falsch falsch") is None
    assert services.authenticate("unknown@example.org", TEST_PASSWORD) is None
    services.delete_account(user)
    assert services.authenticate("x@example.org", TEST_PASSWORD) is None


def test_password_change_raises_the_session_version(app, make_user):
    user = make_user()
    version = user.session_version
    services.change_password(user, TEST_PASSWORD, "ein anderes passwort")
    assert user.session_version == version + 1
    with pytest.raises(services.WrongPassword):
        services.change_password(user, "falsches passwort", "noch ein passwort")


def test_email_change_takes_effect_only_after_confirmation(app, make_user):
    user = make_user(email="alt@example.org")
    with app.test_request_context():
        services.request_email_change(user, "Neu@Example.org", TEST_PASSWORD)
        assert user.email == "alt@example.org" and user.pending_email == "neu@example.org"
        token = tokens.make_verify_token(user.id, "neu@example.org")
        services.verify_email(token)
    assert user.email == "neu@example.org" and user.pending_email is None


def test_email_change_to_an_address_in_use_is_refused(app, make_user):
    make_user(email="besetzt@example.org")
    user = make_user()
    with app.test_request_context(), pytest.raises(services.EmailTaken):
        services.request_email_change(user, "besetzt@example.org", TEST_PASSWORD)


def test_deletion_anonymises_the_account_and_keeps_the_row(app, make_user, outbox):
    user = make_user(email="weg@example.org", display_name="Wilma")
    with app.test_request_context():
        services.request_password_reset("weg@example.org")
    db.session.commit()
    services.delete_account(user)
    db.session.commit()
    stored = db.session.get(User, user.id)
    assert stored.is_deleted and stored.public_name == "gelöschtes Konto"
    assert "weg@example.org" not in stored.email and stored.display_name == ""
    assert stored.password_hash == ""
    assert outbox() == []  # mail to the old address held personal data


def test_export_contains_the_account_section(app, make_user):
    user = make_user(email="daten@example.org")
    data = privacy.export_user_data(user)
    assert data["account"]["email"] == "daten@example.org"
    assert "account" in privacy.registered_sections()


def test_blocked_user_is_blocked_until_the_end_date(app, make_user):
    from engage.core.types import utcnow

    user = make_user(blocked_at=utcnow(), blocked_until=utcnow() + timedelta(days=1))
    assert user.is_blocked
    user.blocked_until = utcnow() - timedelta(seconds=1)
    assert not user.is_blocked
