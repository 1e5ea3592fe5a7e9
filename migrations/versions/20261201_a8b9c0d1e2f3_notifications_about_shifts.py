"""notifications about a volunteer's shift: a place from the waiting list, a change, a call-off

Revision ID: a8b9c0d1e2f3
Revises: f7a8b9c0d1e2
Create Date: 2026-12-01 19:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8b9c0d1e2f3"
down_revision = "f7a8b9c0d1e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notification_shift_id"), ["shift_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notification_shift_id_shift"), "shift", ["shift_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notification_shift_id_shift"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notification_shift_id"))
        batch_op.drop_column("shift_id")
