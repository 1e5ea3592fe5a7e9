"""The mail outbox delivers over real SMTP after the request, and survives SMTP failures."""

from __future__ import annotations

from datetime import timedelta

from engage.core.mail import deliver_pending, queue_mail
from engage.core.types import utcnow
from engage.extensions import db
from tests.conftest import free_port as _free_port


def test_queued_mail_is_delivered_over_smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.test_request_context():
        message = queue_mail(
            "a@example.org", "Hallo", "verify_email",
            user=type("U", (), {"display_name": "Anna"})(), link="http://x/verify/abc",
        )  # fmt: skip
    db.session.commit()
    assert deliver_pending() == (1, 0)
    assert message.sent_at is not None
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["a@example.org"]
    assert "http://x/verify/abc" in envelope.content.decode()


def test_smtp_failure_is_retried_later_and_never_raises(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nobody listens
    with app.test_request_context():
        message = queue_mail(
            "b@example.org", "Hallo", "verify_email",
            user=type("U", (), {"display_name": "B"})(), link="http://x/1",
        )  # fmt: skip
    db.session.commit()
    assert deliver_pending() == (0, 1)
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert message.next_attempt_at > utcnow()
    # Not due yet: nothing is tried.
    assert deliver_pending() == (0, 0)
    # The server is back and the retry is due: the message goes out.
    app.config["MAIL_PORT"] = smtp_server.port
    assert deliver_pending(now=utcnow() + timedelta(minutes=5)) == (1, 0)
    assert len(smtp_server.messages) == 1


def test_registration_mail_is_sent_after_the_response_and_smtp_outage_is_no_500(
    app, client, smtp_server
):
    from tests.conftest import post_form

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    response = post_form(
        client, "/auth/register", email="c@example.org", display_name="Carla",
        password="ein langes passwort", accept_privacy="y",
    )  # fmt: skip
    assert response.status_code == 302
    app.config["MAIL_PORT"] = smtp_server.port
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "0 sent" in result.output  # the retry is not due yet: back-off is respected
    assert deliver_pending(now=utcnow() + timedelta(minutes=2)) == (1, 0)
    assert smtp_server.messages[0].rcpt_tos == ["c@example.org"]
