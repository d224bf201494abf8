"""When each campaign's digest schedule was set, so start-up never "catches up" a period from before it.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_since', sa.DateTime(timezone=True), nullable=True))
    # Campaigns registered before this revision: their schedule has stood since they were created.
    op.execute(sa.text("UPDATE campaigns SET digest_since = created_at"))


def downgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('digest_since')
