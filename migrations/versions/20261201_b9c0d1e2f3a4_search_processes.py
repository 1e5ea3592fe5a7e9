"""search finds participation processes too (their title, summary and description)

Revision ID: b9c0d1e2f3a4
Revises: a8b9c0d1e2f3
Create Date: 2026-12-01 21:05:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b9c0d1e2f3a4"
down_revision = "a8b9c0d1e2f3"
branch_labels = None
depends_on = None

# As the first search migration did for the other kinds: the stored text (Markdown marks and
# all) until a process is next saved, or `flask --app engage search-reindex` renders it.
_BODY = "summary || ' ' || body"


def upgrade():
    op.execute("DELETE FROM search_index WHERE kind = 'process'")  # (a reindex may have run)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("INSERT INTO search_index (kind, item_id, title, body) "
                   f"SELECT 'process', id, title, {_BODY} FROM process")  # fmt: skip
    else:
        op.execute("INSERT INTO search_index (rowid, kind, item_id, title, body) "
                   f"SELECT id * 8 + 6, 'process', id, title, {_BODY} FROM process")  # fmt: skip


def downgrade():
    op.execute("DELETE FROM search_index WHERE kind = 'process'")
