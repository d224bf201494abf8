"""Order attribution and revenue stored on each order (kept current as registrations change), and import runs.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=True),
    sa.Column('file_id', sa.String(length=32), nullable=True),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_import_runs_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs')),
    sa.UniqueConstraint('workspace_id', 'file_id', name=op.f('uq_import_runs_workspace_id_file_id'))
    )
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_runs_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        # Server defaults only carry rows that already exist over the NOT NULL; the app always writes both.
        batch_op.add_column(sa.Column('revenue', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('counted', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('attribution', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('enrolment_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_orders_campaign_date', ['campaign_id', 'order_date'], unique=False)
        batch_op.create_index('ix_orders_enrolment', ['enrolment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_campaign_id_campaigns'), 'campaigns', ['campaign_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_orders_enrolment_id_enrolments'), 'enrolments', ['enrolment_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE orders SET revenue = CASE WHEN cancelled THEN 0 WHEN subtotal > refunded THEN subtotal - refunded ELSE 0 END")
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('revenue', server_default=None)
        batch_op.alter_column('counted', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_enrolment_id_enrolments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_orders_campaign_id_campaigns'), type_='foreignkey')
        batch_op.drop_index('ix_orders_enrolment')
        batch_op.drop_index('ix_orders_campaign_date')
        batch_op.drop_column('enrolment_id')
        batch_op.drop_column('campaign_id')
        batch_op.drop_column('attribution')
        batch_op.drop_column('counted')
        batch_op.drop_column('revenue')

    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_runs_workspace_id'))

    op.drop_table('import_runs')
