"""report months in Europe/Berlin time, not UTC: the ledger's months and the kept figures anew

Revision ID: e6f7a8b9c0d1
Revises: d5e6f7a8b9c0
Create Date: 2026-12-01 17:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e6f7a8b9c0d1"
down_revision = "d5e6f7a8b9c0"
branch_labels = None
depends_on = None

# As engage/reports/scope.py month_of (written out: a migration must not follow later code).
_LOCAL_MONTH = {
    "postgresql": "to_char(timezone('Europe/Berlin', created), 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', created, CASE WHEN CAST(strftime('%m', created) AS INTEGER)"
    " BETWEEN 3 AND 9 THEN '+2 hours' ELSE '+1 hours' END)",
}
_UTC_MONTH = {
    "postgresql": "to_char(timezone('UTC', created), 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', created)",
}


def _months(expression: dict) -> None:
    dialect = op.get_bind().dialect.name
    # Only the rows whose month changes (those of the month's last hour or two): rewriting
    # every row of a city's ledger would double its table and indexes for nothing.
    month = expression[dialect]
    differs = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"  # (null-safe)
    op.execute(
        f"UPDATE participation SET month = {month}"
        f" WHERE created IS NOT NULL AND month {differs} {month}"
    )
    # The whole city's kept figures, counted anew from the ledger (as ledger.recount does);
    # changes not folded in yet are in the ledger already.
    op.execute("DELETE FROM participation_change")
    op.execute("DELETE FROM participation_tally")
    op.execute("DELETE FROM participation_people")
    op.execute(
        "INSERT INTO participation_tally (kind, staff, process_key, district_key, month_key, n)"
        " SELECT kind, staff, coalesce(process_id, 0), coalesce(district_id, 0),"
        " coalesce(month, ''), count(*) FROM participation"
        " GROUP BY kind, staff, process_id, district_id, month"
    )
    text = "VARCHAR" if dialect == "postgresql" else "TEXT"
    op.execute(
        "INSERT INTO participation_people (dimension, key, people)"
        " SELECT 'all', '', count(DISTINCT user_id) FROM participation WHERE NOT staff"
        " UNION ALL SELECT 'district', coalesce(CAST(district_id AS " + text + "), ''),"
        " count(DISTINCT user_id) FROM participation WHERE NOT staff GROUP BY district_id"
        " UNION ALL SELECT 'process', coalesce(CAST(process_id AS " + text + "), ''),"
        " count(DISTINCT user_id) FROM participation WHERE NOT staff GROUP BY process_id"
        " UNION ALL SELECT 'month', coalesce(month, ''),"
        " count(DISTINCT user_id) FROM participation WHERE NOT staff GROUP BY month"
    )


def upgrade():
    _months(_LOCAL_MONTH)


def downgrade():
    _months(_UTC_MONTH)
