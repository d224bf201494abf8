"""Live stores (SPEC §8): store connections, the webhook delivery inbox, and the store's identity of an order.

- store_connections: a Shopify or WooCommerce store of a workspace, with what verifies its webhooks, and how far
  the sync has pulled its orders.
- store_deliveries: every verified webhook, kept until processed (retried on failure, on the next start too).
- orders.store_order_id, orders.store_updated_at: the store's own order id (refunds and deletions name it) and the
  `updated_at` of the version stored, so a version delivered late never overwrites a newer one.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'store_connections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('shop', sa.String(length=255), nullable=False),
        sa.Column('webhook_secret', sa.String(length=255), nullable=True),
        sa.Column('api_key', sa.String(length=255), nullable=True),
        sa.Column('api_secret', sa.String(length=255), nullable=True),
        sa.Column('access_token', sa.String(length=255), nullable=True),
        sa.Column('api_url', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('uninstalled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_delivery_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('synced_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sync_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sync_cursor', sa.String(length=512), nullable=True),
        sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                                name=op.f('fk_store_connections_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_store_connections')),
        sa.UniqueConstraint('kind', 'shop', name=op.f('uq_store_connections_kind_shop')),
    )
    op.create_index(op.f('ix_store_connections_workspace_id'), 'store_connections', ['workspace_id'])
    op.create_table(
        'store_deliveries',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('delivery_key', sa.String(length=128), nullable=False),
        sa.Column('topic', sa.String(length=64), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('store_order_id', sa.String(length=32), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('owner', sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(['connection_id'], ['store_connections.id'],
                                name=op.f('fk_store_deliveries_connection_id_store_connections'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_store_deliveries')),
        sa.UniqueConstraint('connection_id', 'delivery_key',
                            name=op.f('uq_store_deliveries_connection_id_delivery_key')),
    )
    op.create_index('ix_store_deliveries_pending', 'store_deliveries', ['processed_at', 'next_attempt_at'])
    op.add_column('orders', sa.Column('store_order_id', sa.String(length=32), nullable=True))
    op.add_column('orders', sa.Column('store_updated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_orders_store_order', 'orders', ['workspace_id', 'source', 'store_order_id'])


def downgrade() -> None:
    op.drop_index('ix_orders_store_order', table_name='orders')
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('store_updated_at')
        batch.drop_column('store_order_id')
    op.drop_table('store_deliveries')
    op.drop_table('store_connections')
