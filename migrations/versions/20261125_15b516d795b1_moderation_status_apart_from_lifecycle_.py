"""moderation_status apart from lifecycle status

Revision ID: 15b516d795b1
Revises: abb026d78fc7
Create Date: 2026-11-25 14:03:43.428663

"""
from alembic import op
import sqlalchemy as sa

import engage.core.types


# revision identifiers, used by Alembic.
revision = '15b516d795b1'
down_revision = 'abb026d78fc7'
branch_labels = None
depends_on = None


def upgrade():
    # Renamed, not dropped: existing threads and replies keep their moderation state.
    for table in ("thread", "comment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_status")
            batch_op.alter_column("status", new_column_name="moderation_status",
                                  existing_type=sa.String(length=10), existing_nullable=False)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_moderation_status", ["moderation_status"],
                                  unique=False)


def downgrade():
    for table in ("thread", "comment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_moderation_status")
            batch_op.alter_column("moderation_status", new_column_name="status",
                                  existing_type=sa.String(length=10), existing_nullable=False)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_status", ["status"], unique=False)
