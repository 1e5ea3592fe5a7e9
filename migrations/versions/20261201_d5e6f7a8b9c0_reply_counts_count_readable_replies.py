"""reply counts count only the replies a reader can read (public, not deleted)

Revision ID: d5e6f7a8b9c0
Revises: c4d5e6f7a8b9
Create Date: 2026-12-01 16:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d5e6f7a8b9c0"
down_revision = "c4d5e6f7a8b9"
branch_labels = None
depends_on = None

_COUNTED = "comment.moderation_status = 'visible' AND comment.deleted_at IS NULL"


def _recount(counted: str) -> None:
    # Only the rows whose counter changes: rewriting every row would bloat the tables.
    for table, counter, key in (("thread", "reply_count", "thread_id"),
                                ("proposal", "comment_count", "proposal_id")):  # fmt: skip
        real = f"(SELECT count(*) FROM comment WHERE comment.{key} = {table}.id{counted})"
        op.execute(f"UPDATE {table} SET {counter} = {real} WHERE {counter} <> {real}")


def upgrade():
    # The counters counted pending, hidden and deleted replies too (engage/boards/reply_counts.py).
    _recount(f" AND {_COUNTED}")


def downgrade():
    _recount("")
