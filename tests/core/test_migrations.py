"""Migrations build the schema, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from engage.extensions import db


def test_migrations_and_models_agree(app):
    # The same filter as `flask db migrate`: the search index is kept outside the models.
    include_object = app.extensions["migrate"].configure_args["include_object"]
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "include_object": include_object},
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_build_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_db_upgrade_command_builds_a_fresh_database(tmp_path):
    from engage import create_app

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "user_account" in inspect(db.engine).get_table_names()
        db.engine.dispose()
