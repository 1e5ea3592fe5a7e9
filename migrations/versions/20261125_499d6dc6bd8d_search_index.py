"""search index: FTS5 on SQLite, a German tsvector with a GIN index on PostgreSQL

Revision ID: 499d6dc6bd8d
Revises: 544e5655e462
Create Date: 2026-11-25 16:00:00.000000

The index is kept out of the SQLAlchemy metadata (engage.search.index.include_object), so it is
written by hand for each database. Existing content is indexed from its stored text here;
`flask --app engage search-reindex` rewrites it as plain text (without Markdown marks).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '499d6dc6bd8d'
down_revision = '544e5655e462'
branch_labels = None
depends_on = None

# kind, rowid code (SQLite), source table, title, body, which rows
SOURCES = [
    ("announcement", 1, "announcement", "title", "body", "1 = 1"),
    ("thread", 2, "thread", "title", "body", "deleted_at IS NULL"),
    ("reply", 3, "comment", "''", "body", "deleted_at IS NULL"),
    ("proposal", 4, "proposal", "title",
     "problem || ' ' || idea || ' ' || intended_outcome || ' ' || indicator || ' ' || "
     "coalesce(official_response, '')", "1 = 1"),
    ("offer", 5, "service_offer", "title",
     "description || ' ' || requirements || ' ' || place", "1 = 1"),
]


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            "CREATE TABLE search_index ("
            " kind VARCHAR(20) NOT NULL,"
            " item_id INTEGER NOT NULL,"
            " title TEXT NOT NULL DEFAULT '',"
            " body TEXT NOT NULL DEFAULT '',"
            " document tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('german', title), 'A') ||"
            "  setweight(to_tsvector('german', body), 'B')) STORED,"
            " CONSTRAINT pk_search_index PRIMARY KEY (kind, item_id))"
        )
        op.execute("CREATE INDEX ix_search_index_document ON search_index USING GIN (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "kind UNINDEXED, item_id UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    for kind, code, source, title, body, where in SOURCES:
        if postgresql:
            op.execute(
                f"INSERT INTO search_index (kind, item_id, title, body) "
                f"SELECT '{kind}', id, {title}, {body} FROM {source} WHERE {where}"
            )
        else:
            op.execute(
                f"INSERT INTO search_index (rowid, kind, item_id, title, body) "
                f"SELECT id * 8 + {code}, '{kind}', id, {title}, {body} FROM {source} WHERE {where}"
            )


def downgrade():
    op.execute("DROP TABLE search_index")
