"""Create the initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 14:01:15.702098
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('amazon_user_id', sa.String(length=128), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('stripe_customer_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('amazon_user_id', name=op.f('uq_users_amazon_user_id'))
    )
    op.create_table('amazon_connections',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('selling_partner_id', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=8), nullable=False),
    sa.Column('marketplaces', sa.JSON(), nullable=False),
    sa.Column('refresh_token_sealed', sa.Text(), nullable=False),
    sa.Column('access_token_sealed', sa.Text(), nullable=True),
    sa.Column('access_token_expires_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('connected_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('needs_reauth', sa.Boolean(), nullable=False),
    sa.Column('reauth_reason', sa.String(length=300), nullable=True),
    sa.Column('last_sync_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_amazon_connections_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amazon_connections')),
    sa.UniqueConstraint('user_id', 'region', name=op.f('uq_amazon_connections_user_id_region'))
    )
    with op.batch_alter_table('amazon_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amazon_connections_user_id'), ['user_id'], unique=False)

    op.create_table('detection_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('sync_run_id', sa.String(length=32), nullable=True),
    sa.Column('workflow_id', sa.String(length=160), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('new_findings', sa.Integer(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.Column('totals', sa.JSON(), nullable=False),
    sa.Column('by_type', sa.JSON(), nullable=False),
    sa.Column('by_confidence', sa.JSON(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_detection_runs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detection_runs'))
    )
    with op.batch_alter_table('detection_runs', schema=None) as batch_op:
        batch_op.create_index('ix_detection_runs_user_started', ['user_id', 'started_at'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('route', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_records')),
    sa.UniqueConstraint('user_id', 'route', 'key', name=op.f('uq_idempotency_records_user_id_route_key'))
    )
    op.create_table('recoveries',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('finding_key', sa.String(length=64), nullable=False),
    sa.Column('detection_run_id', sa.String(length=32), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('recovered_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('unit_value', sa.String(length=24), nullable=True),
    sa.Column('confidence', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=80), nullable=True),
    sa.Column('fnsku', sa.String(length=20), nullable=True),
    sa.Column('asin', sa.String(length=20), nullable=True),
    sa.Column('product_name', sa.String(length=500), nullable=True),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('shipment_id', sa.String(length=40), nullable=True),
    sa.Column('reference_id', sa.String(length=80), nullable=True),
    sa.Column('fulfillment_center', sa.String(length=16), nullable=True),
    sa.Column('occurred_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_window_opens', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_deadline', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('amazon_case_id', sa.String(length=40), nullable=True),
    sa.Column('expected_payout_date', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('amazon_expected_to_pay', sa.Boolean(), nullable=False),
    sa.Column('auto_submit_ready', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('timeline', sa.JSON(), nullable=False),
    sa.Column('detected_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recoveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recoveries')),
    sa.UniqueConstraint('user_id', 'finding_key', name=op.f('uq_recoveries_user_id_finding_key'))
    )
    with op.batch_alter_table('recoveries', schema=None) as batch_op:
        batch_op.create_index('ix_recoveries_user_status', ['user_id', 'status'], unique=False)

    op.create_table('report_documents',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('sync_run_id', sa.String(length=32), nullable=True),
    sa.Column('report_type', sa.String(length=80), nullable=False),
    sa.Column('marketplace_id', sa.String(length=32), nullable=False),
    sa.Column('amazon_report_id', sa.String(length=64), nullable=False),
    sa.Column('amazon_document_id', sa.String(length=200), nullable=True),
    sa.Column('processing_status', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('storage_key', sa.String(length=200), nullable=True),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('was_gzip', sa.Boolean(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('rows_added', sa.Integer(), nullable=False),
    sa.Column('data_start', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('data_end', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_documents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_documents')),
    sa.UniqueConstraint('user_id', 'amazon_report_id', name=op.f('uq_report_documents_user_id_amazon_report_id'))
    )
    with op.batch_alter_table('report_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_documents_sync_run_id'), ['sync_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_documents_user_id'), ['user_id'], unique=False)

    op.create_table('sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('sync_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('workflow_id', sa.String(length=128), nullable=False),
    sa.Column('workflow_run_id', sa.String(length=64), nullable=True),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('requested_reports', sa.JSON(), nullable=False),
    sa.Column('since', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reports', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('started_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sync_runs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index('ix_sync_runs_user_started', ['user_id', 'started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_runs_user_started')

    op.drop_table('sync_runs')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_user_id'))

    op.drop_table('sessions')
    with op.batch_alter_table('report_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_documents_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_documents_sync_run_id'))

    op.drop_table('report_documents')
    with op.batch_alter_table('recoveries', schema=None) as batch_op:
        batch_op.drop_index('ix_recoveries_user_status')

    op.drop_table('recoveries')
    op.drop_table('idempotency_records')
    with op.batch_alter_table('detection_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_detection_runs_user_started')

    op.drop_table('detection_runs')
    with op.batch_alter_table('amazon_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amazon_connections_user_id'))

    op.drop_table('amazon_connections')
    op.drop_table('users')
