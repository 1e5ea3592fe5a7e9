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


def upgrade():
    # The counters counted pending, hidden and deleted replies too (engage/boards/reply_counts.py).
    op.execute(
        "UPDATE thread SET reply_count = (SELECT count(*) FROM comment"
        f" WHERE comment.thread_id = thread.id AND {_COUNTED})"
    )
    op.execute(
        "UPDATE proposal SET comment_count = (SELECT count(*) FROM comment"
        f" WHERE comment.proposal_id = proposal.id AND {_COUNTED})"
    )


def downgrade():
    op.execute(
        "UPDATE thread SET reply_count ="
        " (SELECT count(*) FROM comment WHERE comment.thread_id = thread.id)"
    )
    op.execute(
        "UPDATE proposal SET comment_count ="
        " (SELECT count(*) FROM comment WHERE comment.proposal_id = proposal.id)"
    )
