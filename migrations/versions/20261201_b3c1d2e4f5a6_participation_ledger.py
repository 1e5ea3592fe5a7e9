"""participation ledger and the whole city's figures for the council report

Revision ID: b3c1d2e4f5a6
Revises: 468bfbe389fe
Create Date: 2026-12-01 07:00:00

"""

import sqlalchemy as sa
from alembic import op

import engage.core.types

# revision identifiers, used by Alembic.
revision = "b3c1d2e4f5a6"
down_revision = "468bfbe389fe"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_participation_user_district", ["user_id", "district_id"]),
    ("ix_participation_district_user", ["district_id", "user_id"]),
    ("ix_participation_process_user", ["process_id", "user_id"]),
    ("ix_participation_department_user", ["department_id", "user_id"]),
    ("ix_participation_month_user", ["month", "user_id"]),
]


def upgrade():
    op.create_table(
        "participation",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("staff", sa.Boolean(), nullable=False),
        sa.Column("created", engage.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("process_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_participation_user_id_user_account")),
        sa.PrimaryKeyConstraint("kind", "item_id", name=op.f("pk_participation")),
    )  # fmt: skip
    with op.batch_alter_table("participation", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, postgresql_include=["staff"])
    op.create_table(
        "participation_tally",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("staff", sa.Boolean(), nullable=False),
        sa.Column("process_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("district_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month_key", sa.String(length=7), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "staff", "process_key", "district_key", "month_key",
                                name=op.f("pk_participation_tally")),
    )  # fmt: skip
    op.create_table(
        "participation_people",
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "key", name=op.f("pk_participation_people")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The planner's estimate of distinct (key, person) pairs decides between an ordered
        # pass over the index and a hash of a million pairs; these statistics make it right.
        for key in ("district_id", "process_id", "department_id", "month"):
            op.execute(f"CREATE STATISTICS participation_{key}_people (ndistinct) "
                       f"ON {key}, user_id FROM participation")  # fmt: skip
    # Filled by the next migration (c4d5e6f7a8b9), once the change log exists too.


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for key in ("district_id", "process_id", "department_id", "month"):
            op.execute(f"DROP STATISTICS IF EXISTS participation_{key}_people")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)
    op.drop_table("participation_people")
    op.drop_table("participation_tally")
    op.drop_table("participation")
