"""Store behaviour on SQLite and PostgreSQL: migrations, users, tokens, recoveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.crypto import SecretBox
from store.models import AmazonConnection, Recovery, SyncRun
from store.recoveries import (
    ClosedFinding,
    FindingRow,
    get_recovery,
    list_recoveries,
    upsert_findings,
)
from store.users import (
    add_session,
    get_amazon_connection,
    revoke_session,
    save_amazon_connection,
    session_is_active,
    upsert_user_from_amazon,
)

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def finding(key: str, *, units: int = 2, amount: str = "14.82") -> FindingRow:
    at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    return FindingRow(
        key=key,
        type="lost_inventory",
        amount=Decimal(amount),
        currency="USD",
        unit_value=Decimal("7.41"),
        confidence="high",
        quantity=units,
        sku="MUG-12OZ",
        fnsku="X00ABCDE12",
        asin="B0ABCDE123",
        product_name="Café Mug",
        reference_id="2118",
        fulfillment_center="ACY1",
        occurred_at=at,
        claim_window_opens=at,
        claim_deadline=at + timedelta(days=60),
        amazon_expected_to_pay=False,
        reason="2 units misplaced",
        evidence=[
            {"report_type": "ledger_detail", "row_key": "k", "description": "loss row"}
        ],
    )


async def test_migration_creates_every_table(db: AsyncSession) -> None:
    version = await db.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == "0005"


async def test_user_upsert_keeps_one_row_per_amazon_account(db: AsyncSession) -> None:
    first = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.A", email="a@x", name="A"
    )
    again = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.A", email="b@x", name="B"
    )
    await db.commit()
    assert again.id == first.id
    assert again.email == "b@x"
    assert first.id.startswith("usr_")


async def test_revoked_session_is_inactive(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.S", email="s@x", name="S"
    )
    expires = datetime.now(UTC) + timedelta(hours=1)
    await add_session(
        db, session_id="ses_1", user_id=user.id, expires_at=expires, user_agent=None
    )
    await db.commit()
    assert await session_is_active(db, "ses_1", user.id)
    await revoke_session(db, "ses_1")
    await db.commit()
    assert not await session_is_active(db, "ses_1", user.id)


async def test_refresh_token_is_stored_sealed(db: AsyncSession) -> None:
    box = SecretBox("test-key")
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.T", email="t@x", name="T"
    )
    await save_amazon_connection(
        db,
        user_id=user.id,
        selling_partner_id="A1SELLER",
        region="NA",
        refresh_token_sealed=box.seal("Atzr|secret-refresh"),
        marketplaces=[],
    )
    await db.commit()
    raw = await db.scalar(select(AmazonConnection.refresh_token_sealed))
    assert raw is not None
    assert "Atzr|secret-refresh" not in raw
    connection = await get_amazon_connection(db, user.id)
    assert connection is not None
    assert box.open(connection.refresh_token_sealed) == "Atzr|secret-refresh"


async def test_timestamps_read_back_in_utc(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.U", email="u@x", name="U"
    )
    await db.commit()
    db.expire_all()
    loaded = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.U", email="u@x", name="U"
    )
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert user.id == loaded.id


async def test_findings_rerun_creates_no_duplicates(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.R", email="r@x", name="R"
    )
    first = await upsert_findings(
        db,
        user_id=user.id,
        detection_id="det_1",
        as_of=AS_OF,
        findings=[finding("k1"), finding("k2")],
        resolved=[],
    )
    second = await upsert_findings(
        db,
        user_id=user.id,
        detection_id="det_2",
        as_of=AS_OF,
        findings=[finding("k1", units=1, amount="7.41")],
        resolved=[],
    )
    await db.commit()
    rows = list(await db.scalars(select(Recovery).where(Recovery.user_id == user.id)))
    assert (first.created, second.created, second.updated) == (2, 0, 1)
    assert len(rows) == 2
    updated = next(r for r in rows if r.finding_key == "k1")
    assert updated.amount_minor == 741
    assert updated.quantity == 1


async def test_resolved_finding_is_cancelled(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.Q", email="q@x", name="Q"
    )
    await upsert_findings(
        db,
        user_id=user.id,
        detection_id="det_1",
        as_of=AS_OF,
        findings=[finding("k1")],
        resolved=[],
    )
    counts = await upsert_findings(
        db,
        user_id=user.id,
        detection_id="det_2",
        as_of=AS_OF,
        findings=[],
        resolved=[ClosedFinding("k1", "reimbursed", "Amazon reimbursed the units")],
    )
    await db.commit()
    recovery = await db.scalar(select(Recovery).where(Recovery.finding_key == "k1"))
    assert counts.resolved == 1
    assert recovery is not None
    assert recovery.status == "cancelled"
    assert recovery.timeline[-1]["description"] == "Amazon reimbursed the units"


async def test_recovery_reads_are_scoped_to_user(db: AsyncSession) -> None:
    owner = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.O", email="o@x", name="O"
    )
    other = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.P", email="p@x", name="P"
    )
    await upsert_findings(
        db,
        user_id=owner.id,
        detection_id="det_1",
        as_of=AS_OF,
        findings=[finding("k1")],
        resolved=[],
    )
    await db.commit()
    rows, total = await list_recoveries(
        db, owner.id, limit=10, offset=0, sort="-amount"
    )
    assert total == 1
    assert await get_recovery(db, other.id, rows[0].id) is None
    assert await get_recovery(db, owner.id, rows[0].id) is not None
    others, other_total = await list_recoveries(
        db, other.id, limit=10, offset=0, sort="-amount"
    )
    assert (others, other_total) == ([], 0)


async def test_resolving_many_keys_batches_queries(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.M", email="m@x", name="M"
    )
    await upsert_findings(
        db,
        user_id=user.id,
        detection_id="det_1",
        as_of=AS_OF,
        findings=[finding("k-1")],
        resolved=[],
    )
    resolved = [ClosedFinding(f"k-{n}", "reimbursed") for n in range(40_000)]
    counts = await upsert_findings(
        db,
        user_id=user.id,
        detection_id="det_2",
        as_of=AS_OF,
        findings=[],
        resolved=resolved,
    )
    assert counts.resolved == 1


async def test_second_active_sync_is_rejected(db: AsyncSession) -> None:
    user = await upsert_user_from_amazon(
        db, amazon_user_id="amzn1.account.Y", email="y@x", name="Y"
    )
    user_id = user.id
    db.add(SyncRun(id="syn_a", user_id=user_id, workflow_id="sync-a", status="running"))
    await db.commit()
    db.add(SyncRun(id="syn_b", user_id=user_id, workflow_id="sync-b", status="queued"))
    with pytest.raises(IntegrityError):
        await db.commit()
    await db.rollback()
    db.add(
        SyncRun(id="syn_c", user_id=user_id, workflow_id="sync-c", status="completed")
    )
    await db.commit()
    assert await db.get(SyncRun, "syn_c") is not None
