"""Mail outbox: messages are stored with the request's data and delivered after the response."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, render_template
from sqlalchemy import Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from engage.core.types import UTCDateTime, utcnow
from engage.extensions import db

log = logging.getLogger("engage.mail")


class OutboxMessage(db.Model):
    """One e-mail waiting for delivery, or delivered (kept for retries and auditing)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))


def queue_mail(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Store a message rendered from templates/mail/<template>.txt; it is sent after the request."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    if has_request_context():
        g.mail_queued = True
    return message


def _retry_delay(attempts: int) -> timedelta:
    """Back off exponentially: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _send_smtp(messages: list[OutboxMessage]) -> dict[int, str]:
    """Send over one SMTP connection; return the errors per message id."""
    cfg = current_app.config
    errors: dict[int, str] = {}
    try:
        # An explicit HELO name: smtplib would otherwise look up our own name in DNS, which can
        # stall for seconds where reverse lookups time out.
        helo = urlsplit(cfg["PUBLIC_URL"]).hostname or "localhost"
        with smtplib.SMTP(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], local_hostname=helo, timeout=10
        ) as smtp:
            if cfg["MAIL_USE_STARTTLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            for message in messages:
                email = EmailMessage()
                email["From"] = cfg["MAIL_SENDER"]
                email["To"] = message.recipient
                email["Subject"] = message.subject
                email["Message-ID"] = make_msgid(domain="engage.invalid")
                email.set_content(message.body)
                try:
                    smtp.send_message(email)
                except smtplib.SMTPException as exc:
                    errors[message.id] = str(exc)
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            errors.setdefault(message.id, str(exc))
    return errors


def deliver_pending(limit: int = 50, now: datetime | None = None) -> tuple[int, int]:
    """Deliver due messages; failures are retried later and never raise. Returns (sent, failed)."""
    now = now or utcnow()
    cfg = current_app.config
    due = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .where(OutboxMessage.attempts < cfg["MAIL_MAX_ATTEMPTS"])
        .where(or_(OutboxMessage.next_attempt_at <= now, OutboxMessage.next_attempt_at.is_(None)))
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0, 0
    for message in due:
        if cfg["MAIL_LOG"] or not cfg["MAIL_SERVER"]:
            log.info("mail to %s: %s\n%s", message.recipient, message.subject, message.body)
    errors = _send_smtp(due) if cfg["MAIL_SERVER"] else {}
    for message in due:
        message.attempts += 1
        if message.id in errors:
            message.last_error = errors[message.id][:500]
            message.next_attempt_at = now + _retry_delay(message.attempts)
            log.warning(
                "mail %s to %s failed: %s", message.id, message.recipient, message.last_error
            )
        else:
            message.sent_at = now
            message.last_error = None
    db.session.commit()
    log.info("mail outbox: %d sent, %d failed", len(due) - len(errors), len(errors))
    return len(due) - len(errors), len(errors)


def deliver_after_response(response):
    """after_request hook: when the request queued mail, deliver once the response is sent."""
    if g.pop("mail_queued", False):
        app = current_app._get_current_object()

        def deliver() -> None:
            with app.app_context():
                try:
                    deliver_pending()
                except Exception:  # a mail failure must never reach the user
                    log.exception("mail delivery failed")
                    db.session.rollback()

        response.call_on_close(deliver)
    return response
