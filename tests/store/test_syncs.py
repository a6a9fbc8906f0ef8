"""Report types that count as synced for the detection coverage."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from store.models import SyncRun
from store.syncs import ingested_report_types
from store.users import upsert_user_from_amazon

SETTLEMENTS = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


async def test_empty_listed_report_counts_as_synced(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.S", email="s@x", name="S"
    )
    reports = [
        {"report_type": SETTLEMENTS, "marketplace_id": "M", "status": "empty"},
        {"report_type": ORDERS, "marketplace_id": "M", "status": "failed"},
    ]
    db.add(
        SyncRun(
            id="syn_s1",
            user_id=user.id,
            workflow_id="sync-s",
            status="completed",
            reports=reports,
        )
    )
    await db.flush()
    assert await ingested_report_types(db, user.id) == {SETTLEMENTS}
