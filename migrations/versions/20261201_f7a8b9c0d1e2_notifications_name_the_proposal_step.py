"""a proposal's change notification names the step it was about, not the state when read

Revision ID: f7a8b9c0d1e2
Revises: e6f7a8b9c0d1
Create Date: 2026-12-01 18:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f7a8b9c0d1e2"
down_revision = "e6f7a8b9c0d1"
branch_labels = None
depends_on = None

# "proposal-event:ID" becomes "proposal-event:ID:STATE" (engage/notifications/services.py).
_EVENT = "proposal_event.id = CAST(substr(notification.event_key, 16) AS INTEGER)"


def upgrade():
    op.execute(
        "UPDATE notification SET event_key = event_key || ':' ||"
        f" (SELECT to_status FROM proposal_event WHERE {_EVENT})"
        " WHERE kind = 'proposal_changed' AND event_key LIKE 'proposal-event:%'"
        " AND event_key NOT LIKE 'proposal-event:%:%'"
        f" AND EXISTS (SELECT 1 FROM proposal_event WHERE {_EVENT})"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        event_id = "split_part(event_key, ':', 2)"
    else:
        event_id = "substr(event_key, 16, instr(substr(event_key, 16), ':') - 1)"
    op.execute(
        f"UPDATE notification SET event_key = 'proposal-event:' || {event_id}"
        " WHERE kind = 'proposal_changed' AND event_key LIKE 'proposal-event:%:%'"
    )
