"""Add seller unit costs, detection coverage and recovery closing details

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_MANUAL_DETECTION = "status IN ('queued', 'running') AND sync_run_id IS NULL"


def upgrade() -> None:
    op.create_table(
        "unit_costs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=80), nullable=False),
        sa.Column("unit_cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column(
            "created_at", store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_unit_costs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_costs")),
        sa.UniqueConstraint(
            "user_id", "sku", name=op.f("uq_unit_costs_user_id_sku")
        ),
    )

    with op.batch_alter_table("detection_runs") as batch:
        batch.add_column(
            sa.Column("workflow_run_id", sa.String(length=64), nullable=True)
        )
        batch.add_column(
            sa.Column("coverage", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("detection_runs") as batch:
        batch.alter_column("coverage", server_default=None)
    # Rows from before this migration never ran without a sync; close any duplicate
    # anyway, so the index can be built.
    op.execute(
        f"""
        UPDATE detection_runs SET status = 'failed',
            error = 'Closed by migration 0004: another detection was active.'
        WHERE {ACTIVE_MANUAL_DETECTION} AND id NOT IN (
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (
                    PARTITION BY user_id ORDER BY started_at DESC, id DESC
                ) AS position
                FROM detection_runs WHERE {ACTIVE_MANUAL_DETECTION}
            ) AS ranked WHERE position = 1
        )
        """  # noqa: S608
    )
    op.create_index(
        "uq_detection_runs_one_active_manual_per_user",
        "detection_runs",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_MANUAL_DETECTION),
        postgresql_where=sa.text(ACTIVE_MANUAL_DETECTION),
    )

    with op.batch_alter_table("recoveries") as batch:
        batch.add_column(
            sa.Column("unit_value_source", sa.String(length=32), nullable=True)
        )
        batch.add_column(sa.Column("confidence_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("marketplace_id", sa.String(length=32), nullable=True)
        )
        batch.add_column(
            sa.Column("closed_reason", sa.String(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("recoveries") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("marketplace_id")
        batch.drop_column("confidence_reason")
        batch.drop_column("unit_value_source")
    op.drop_index(
        "uq_detection_runs_one_active_manual_per_user", table_name="detection_runs"
    )
    with op.batch_alter_table("detection_runs") as batch:
        batch.drop_column("coverage")
        batch.drop_column("workflow_run_id")
    op.drop_table("unit_costs")
