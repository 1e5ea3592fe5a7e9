"""Command-line tasks: demo data, users, mail delivery."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from engage.extensions import db


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(send_mail_command)


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
        logins = [user.email for user in seed_demo()]
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
@click.password_option("--password", prompt_required=False, help="Prompted for when not given.")
def create_user_command(email: str, role: str, name: str | None, password: str | None) -> None:
    """Create a verified account with the given role."""
    from engage.accounts import services
    from engage.accounts.models import Role

    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        services.check_password_strength(password, email, name or "")
        user = services.create_user(email, password, Role(role), display_name=name)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
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
