"""Command-line tasks: demo data, users, mail delivery."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import delete, func, select

from engage.core.mail import OutboxMessage
from engage.extensions import db


def public_request_context():
    """A request context on the public address, so that links in mails are absolute."""
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"])


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(verify_audit_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(send_reminders_command)
    from engage.ops_cli import check_consistency_command, seed_bench_command

    app.cli.add_command(seed_bench_command)
    app.cli.add_command(check_consistency_command)
    from engage.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no users yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Build the demo city "Musterstadt" and print its log-ins."""
    from engage.accounts.models import User
    from engage.demo import DEMO_PASSWORD, seed_demo

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already holds data; no demo data added.")
        logins = db.session.scalars(
            select(User.email).where(User.email.like("%@musterstadt.example")).order_by(User.id)
        ).all()
    else:
        with public_request_context():
            logins = [user.email for user in seed_demo()]
            # The demo's notifications would only mail example addresses.
            db.session.execute(delete(OutboxMessage))
        db.session.commit()
    if logins:
        click.echo(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for email in logins:
            click.echo(f"  {email}")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["citizen", "staff", "moderator", "council", "admin"]),
    default="citizen",
    show_default=True,
)
@click.option("--name", default=None, help="Display name (default: the e-mail's local part).")
@click.option("--department", default=None, help="Name or short name of the department.")
@click.password_option("--password", prompt_required=False, help="Prompted for when not given.")
def create_user_command(
    email: str, role: str, name: str | None, department: str | None, password: str | None
) -> None:
    """Create a verified account with the given role."""
    from engage.accounts import services
    from engage.accounts.models import Role

    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    from engage.organisation.models import Department

    found = None
    if department:
        found = db.session.scalar(
            select(Department).where(
                (Department.name == department) | (Department.short_name == department)
            )
        )
        if found is None:
            raise click.ClickException(f"No department named {department!r}.")
    try:
        services.check_password_strength(password, email, name or "")
        user = services.create_user(email, password, Role(role), display_name=name)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    user.department = found
    db.session.commit()
    click.echo(f"Created {user.email} with role {user.role}.")


@click.command("send-mail")
def send_mail_command() -> None:
    """Deliver the due messages of the mail outbox (retries failed ones)."""
    from engage.core.mail import deliver_pending

    total_sent = total_failed = 0
    while True:
        sent, failed = deliver_pending()
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed == 0 or sent == 0:
            break
    click.echo(f"{total_sent} sent, {total_failed} failed (will be retried).")


@click.command("verify-audit")
def verify_audit_command() -> None:
    """Check the audit log's hash chain; exit non-zero on any changed or deleted entry."""
    from engage.core.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"Audit log intact: {report.checked} entries verified.")
        return
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    raise SystemExit(1)


@click.command("send-digests")
def send_digests_command() -> None:
    """Mail the daily digest of notifications (run once a day, e.g. from cron)."""
    from engage.core.mail import deliver_pending
    from engage.notifications.services import send_digests

    with public_request_context():
        count = send_digests()
        db.session.commit()
    deliver_pending(limit=max(count, 1) * 2 + 50)
    click.echo(f"{count} digest(s) queued and delivered.")


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Remind volunteers of their shift 24 hours ahead (run hourly; never twice per shift)."""
    from engage.core.mail import deliver_pending
    from engage.volunteering.services import send_reminders

    with public_request_context():
        count = send_reminders()
        db.session.commit()
    deliver_pending(limit=count + 50)
    click.echo(f"{count} reminder(s) queued and delivered.")
