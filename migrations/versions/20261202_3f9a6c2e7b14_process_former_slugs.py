"""a process's former web addresses lead to it after its address was changed

Revision ID: 3f9a6c2e7b14
Revises: b9c0d1e2f3a4
Create Date: 2026-12-02 03:30:00

"""

import sqlalchemy as sa
from alembic import op

from engage.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = "3f9a6c2e7b14"
down_revision = "b9c0d1e2f3a4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "process_former_slug",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["process_id"], ["process.id"],
                                name=op.f("fk_process_former_slug_process_id_process"),
                                ondelete="CASCADE"),  # fmt: skip
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_process_former_slug")),
    )
    op.create_index(op.f("ix_process_former_slug_process_id"), "process_former_slug",
                    ["process_id"])  # fmt: skip


def downgrade():
    op.drop_index(op.f("ix_process_former_slug_process_id"), table_name="process_former_slug")
    op.drop_table("process_former_slug")
