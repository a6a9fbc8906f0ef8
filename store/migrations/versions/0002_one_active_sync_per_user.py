"""Allow one active sync per user

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_SYNC = "status IN ('queued', 'running')"


def upgrade() -> None:
    # Close duplicates left by earlier versions so the index can be built.
    op.execute(
        """
        UPDATE sync_runs SET status = 'failed', stage = 'failed',
            message = 'Closed by migration 0002: another sync was active.'
        WHERE status IN ('queued', 'running') AND id NOT IN (
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (
                    PARTITION BY user_id ORDER BY started_at DESC, id DESC
                ) AS position
                FROM sync_runs WHERE status IN ('queued', 'running')
            ) AS ranked WHERE position = 1
        )
        """
    )
    op.create_index(
        "uq_sync_runs_one_active_per_user",
        "sync_runs",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_SYNC),
        postgresql_where=sa.text(ACTIVE_SYNC),
    )


def downgrade() -> None:
    op.drop_index("uq_sync_runs_one_active_per_user", table_name="sync_runs")
