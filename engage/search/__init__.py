"""Full-text search across announcements, discussions, replies, proposals and offers."""

from __future__ import annotations

import click
from flask import Flask

from engage.extensions import db


@click.command("search-reindex")
def reindex_command() -> None:
    """Rebuild the search index from every announcement, thread, reply, proposal and offer."""
    from engage.search.index import rebuild

    count = rebuild(db.session)
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} items.")


def init_app(app: Flask) -> None:
    from engage.search.index import listen

    listen()
    app.cli.add_command(reindex_command)
