"""server-side session records

Log-out deletes the record, so a copied session cookie stops working (ASVS 3.3.1). Cookies
issued before this revision carry no record key: their users log in once more.

Revision ID: 468bfbe389fe
Revises: f7f5ae174a5c
Create Date: 2026-12-01 06:23:03.253249

"""
from alembic import op
import sqlalchemy as sa

import engage.core.types


# revision identifiers, used by Alembic.
revision = '468bfbe389fe'
down_revision = 'f7f5ae174a5c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', engage.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', engage.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
