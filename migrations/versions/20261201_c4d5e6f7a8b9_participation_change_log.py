"""participation change log: ledger changes the whole city's figures fold in later

Revision ID: c4d5e6f7a8b9
Revises: b3c1d2e4f5a6
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d5e6f7a8b9"
down_revision = "b3c1d2e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "participation_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("staff", sa.Boolean(), nullable=False),
        sa.Column("process_key", sa.Integer(), nullable=False),
        sa.Column("district_key", sa.Integer(), nullable=False),
        sa.Column("month_key", sa.String(length=7), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_change")),
    )
    with op.batch_alter_table("participation_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participation_change_user_id"), ["user_id"])
    _fill()


def _fill():
    """Existing databases: the ledger from every source (the same SQL as `reports-rebuild`).

    This uses the app's code, which writes every ledger table: a later migration of these
    tables moves this call to itself."""
    from sqlalchemy.orm import Session

    from engage.reports.ledger import rebuild

    rebuild(Session(bind=op.get_bind()))


def downgrade():
    with op.batch_alter_table("participation_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_change_user_id"))
    op.drop_table("participation_change")
