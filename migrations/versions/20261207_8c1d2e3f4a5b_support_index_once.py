"""support is indexed by proposal once: the unique constraint's index serves both

Revision ID: 8c1d2e3f4a5b
Revises: 54fac39bf1a4
Create Date: 2026-12-07 01:20:00

ix_support_proposal_id duplicated the leading column of uq_support_proposal_user (proposal_id,
user_id), which answers every lookup by proposal as well. In the benchmark city (a million
supports) it was 8 MB, and every support wrote an entry into it.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8c1d2e3f4a5b"
down_revision = "54fac39bf1a4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("support") as batch_op:
        batch_op.drop_index("ix_support_proposal_id")


def downgrade():
    with op.batch_alter_table("support") as batch_op:
        batch_op.create_index("ix_support_proposal_id", ["proposal_id"])
