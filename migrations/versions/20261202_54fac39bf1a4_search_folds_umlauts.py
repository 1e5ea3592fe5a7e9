"""search finds words typed without umlauts or ß: the index holds each text folded as well

Revision ID: 54fac39bf1a4
Revises: 3f9a6c2e7b14
Create Date: 2026-12-02 12:00:00

"Baeume", "gruen" and "strasse" found nothing, "Bäume" and "Straße" did. Each text is also
indexed with ä, ö, ü, ß written as ae, oe, ue, ss (engage.search.index.fold): SQLite gets two
more FTS5 columns, filled here from the rows already indexed; PostgreSQL's generated tsvector
also holds the folded text, computed anew for every row when the column is added again.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "54fac39bf1a4"
down_revision = "3f9a6c2e7b14"
branch_labels = None
depends_on = None

# As engage.search.index.FOLDED_LETTERS (copied: a migration must not change with the code).
FOLDED_LETTERS = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss",
                  "ẞ": "SS"}  # fmt: skip
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def _folded(column: str) -> str:
    for letter, written in FOLDED_LETTERS.items():
        column = f"replace({column}, '{letter}', '{written}')"
    return column


def _document(folded: bool) -> str:
    parts = ["setweight(to_tsvector('german', title), 'A')",
             "setweight(to_tsvector('german', body), 'B')"]  # fmt: skip
    if folded:
        parts += [f"setweight(to_tsvector('german', {_folded('title')}), 'A')",
                  f"setweight(to_tsvector('german', {_folded('body')}), 'B')"]  # fmt: skip
    return " || ".join(parts)


def _postgresql(folded: bool) -> None:
    op.execute("ALTER TABLE search_index DROP COLUMN document")  # (and its GIN index)
    op.execute("ALTER TABLE search_index ADD COLUMN document tsvector "
               f"GENERATED ALWAYS AS ({_document(folded)}) STORED")  # fmt: skip
    op.execute("CREATE INDEX ix_search_index_document ON search_index USING GIN (document)")


def _sqlite(folded: bool) -> None:
    # An FTS5 table takes no new column: a new table, filled from the rows already indexed.
    columns, values = "kind, item_id, title, body", "kind, item_id, title, body"
    if folded:
        columns += ", title_folded, body_folded"
        values += f", {_folded('title')}, {_folded('body')}"
    declared = columns.replace("kind, item_id", "kind UNINDEXED, item_id UNINDEXED")
    op.execute(f"CREATE VIRTUAL TABLE search_index_new USING fts5({declared}, {TOKENIZE})")
    op.execute(f"INSERT INTO search_index_new (rowid, {columns}) "
               f"SELECT rowid, {values} FROM search_index")  # fmt: skip
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(folded=True)
    else:
        _sqlite(folded=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(folded=False)
    else:
        _sqlite(folded=False)
