"""Backup and restore: SQLite with its online backup API, PostgreSQL with pg_dump/pg_restore."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from engage.extensions import db

# Tables every Engage database has; a file without them is not an Engage backup.
REQUIRED_TABLES = {"alembic_version", "user_account", "audit_entry"}


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes in the environment."""
    args = ["--dbname", url.database or ""]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args += [option, str(value)]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> str:
    try:
        # A fixed program with arguments as a list, no shell: nothing to inject into.
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools).") from error
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
    return done.stdout


def _sqlite_tables(path: Path) -> set[str]:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (PRAGMA quick_check failed).")
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {name for (name,) in rows}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not an SQLite database: {error}") from error


def validate(path: Path, url: URL) -> None:
    """Refuse a file that is not an Engage backup of the configured database's kind."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    if url.get_backend_name() == "sqlite":
        tables = _sqlite_tables(path)
    else:
        listing = _run(["pg_restore", "--list", str(path)], dict(os.environ))
        tables = {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}
    missing = REQUIRED_TABLES - tables
    if missing:
        raise BackupError(f"{path} is not an Engage database (no {', '.join(sorted(missing))}).")


def backup(path: Path, force: bool = False) -> None:
    """Write a consistent copy of the database to path, also while the app is running."""
    url = db.engine.url
    if path.exists() and not force:
        raise BackupError(f"{path} exists; use --force to overwrite it.")
    partial = path.with_name(path.name + ".partial")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), *args], env)
    partial.replace(path)


def restore(path: Path, force: bool = False) -> None:
    """Replace the database's contents with the backup at path (needs force if it holds data)."""
    url = db.engine.url
    validate(path, url)
    if inspect(db.engine).get_table_names() and not force:
        raise BackupError("The database already holds tables; use --force to replace them.")
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", *args, str(path)], env)  # fmt: skip


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Back up the database to PATH (SQLite online backup, or pg_dump -Fc for PostgreSQL)."""
    backup(path, force)
    click.echo(f"Backup written to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore the database from a backup made by `backup` (stop the app first)."""
    restore(path, force)
    click.echo(f"Database restored from {path}; run `flask db upgrade` if the code is newer.")
