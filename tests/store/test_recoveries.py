"""Reconciling recoveries with detection reruns, and the filtered, sorted list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Recovery
from store.recoveries import (
    ClosedFinding,
    FindingRow,
    list_recoveries,
    upsert_findings,
)
from store.users import upsert_user_from_amazon

LOSS_AT = datetime(2026, 11, 1, 12, tzinfo=UTC)
FIRST_RUN = datetime(2026, 11, 10, tzinfo=UTC)
SECOND_RUN = datetime(2026, 11, 20, tzinfo=UTC)


def finding(
    key: str,
    *,
    type_: str = "lost_inventory",
    amount: str = "14.82",
    deadline: datetime | None = None,
) -> FindingRow:
    return FindingRow(
        key=key,
        type=type_,
        amount=Decimal(amount),
        currency="USD",
        unit_value=Decimal("7.41"),
        confidence="high",
        quantity=2,
        sku="MUG-12OZ",
        fnsku="X00ABCDE12",
        asin="B0ABCDE123",
        product_name="Mug",
        reference_id="2118",
        fulfillment_center="ACY1",
        occurred_at=LOSS_AT,
        claim_window_opens=LOSS_AT,
        claim_deadline=deadline or LOSS_AT + timedelta(days=60),
        amazon_expected_to_pay=False,
        reason="2 units misplaced",
        evidence=[],
        order_id="111-2223334-5556667",
        shipment_id="FBA15XYZ",
        marketplace_id="ATVPDKIKX0DER",
        unit_value_source="seller_cost",
        confidence_reason="No payout is pending.",
    )


async def seller(db: AsyncSession, name: str = "R") -> str:
    user = await upsert_user_from_amazon(
        db, amazon_user_id=f"amzn1.account.{name}", email=f"{name}@x", name=name
    )
    return user.id


async def stored(db: AsyncSession, user_id: str, key: str) -> Recovery:
    recovery = await db.scalar(
        select(Recovery).where(Recovery.user_id == user_id, Recovery.finding_key == key)
    )
    assert recovery is not None
    return recovery


async def test_finding_stores_engine_fields(db: AsyncSession) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1")],
        resolved=[],
        as_of=FIRST_RUN,
    )
    await db.commit()
    db.expire_all()
    recovery = await stored(db, user_id, "k1")
    assert recovery.order_id == "111-2223334-5556667"
    assert recovery.shipment_id == "FBA15XYZ"
    assert recovery.marketplace_id == "ATVPDKIKX0DER"
    assert recovery.unit_value_source == "seller_cost"
    assert recovery.confidence_reason == "No payout is pending."
    assert recovery.closed_reason is None
    assert [entry["status"] for entry in recovery.timeline] == ["detected"]


async def test_rerun_updates_in_place(db: AsyncSession) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1")],
        resolved=[],
        as_of=FIRST_RUN,
    )
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[finding("k1", amount="7.41")],
        resolved=[],
        as_of=SECOND_RUN,
    )
    await db.commit()
    rows = list(await db.scalars(select(Recovery).where(Recovery.user_id == user_id)))
    assert (counts.created, counts.updated) == (0, 1)
    assert len(rows) == 1
    assert rows[0].amount_minor == 741
    assert rows[0].detection_run_id == "det_2"
    assert len(rows[0].timeline) == 1


@pytest.mark.parametrize(
    "cause", ["units_found", "reimbursed", "offset", "below_minimum"]
)
async def test_resolved_finding_is_cancelled_with_cause(
    db: AsyncSession, cause: str
) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1")],
        resolved=[],
        as_of=FIRST_RUN,
    )
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[],
        resolved=[ClosedFinding("k1", cause, "Two units were accounted for.")],
        as_of=SECOND_RUN,
    )
    await db.commit()
    recovery = await stored(db, user_id, "k1")
    assert (counts.resolved, counts.expired) == (1, 0)
    assert recovery.status == "cancelled"
    assert recovery.closed_reason == cause
    assert recovery.timeline[-1] == {
        "status": "cancelled",
        "at": SECOND_RUN.isoformat(),
        "description": "Two units were accounted for.",
    }


async def test_window_closed_cause_expires(db: AsyncSession) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1")],
        resolved=[],
        as_of=FIRST_RUN,
    )
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[],
        resolved=[ClosedFinding("k1", "window_closed")],
        as_of=SECOND_RUN,
    )
    await db.commit()
    recovery = await stored(db, user_id, "k1")
    assert (counts.resolved, counts.expired) == (0, 1)
    assert recovery.status == "expired"
    assert recovery.closed_reason == "window_closed"
    assert recovery.timeline[-1]["status"] == "expired"
    assert recovery.timeline[-1]["at"] == SECOND_RUN.isoformat()
    assert "claim window closed" in recovery.timeline[-1]["description"]


async def test_past_deadline_expires_when_unreported(db: AsyncSession) -> None:
    user_id = await seller(db)
    deadline = FIRST_RUN + timedelta(days=3)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1", deadline=deadline), finding("k2")],
        resolved=[],
        as_of=FIRST_RUN,
    )
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[],
        resolved=[],
        as_of=SECOND_RUN,
    )
    await db.commit()
    expired = await stored(db, user_id, "k1")
    still_open = await stored(db, user_id, "k2")
    assert counts.expired == 1
    assert expired.status == "expired"
    assert expired.closed_reason == "window_closed"
    assert expired.timeline[-1]["status"] == "expired"
    assert deadline.date().isoformat() in expired.timeline[-1]["description"]
    assert still_open.status == "detected"
    assert still_open.closed_reason is None


async def test_claimed_recovery_is_left_alone(db: AsyncSession) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1", deadline=FIRST_RUN + timedelta(days=1))],
        resolved=[],
        as_of=FIRST_RUN,
    )
    recovery = await stored(db, user_id, "k1")
    recovery.status = "submitted"
    await db.flush()
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[finding("k1", amount="1.00")],
        resolved=[ClosedFinding("k1", "reimbursed")],
        as_of=SECOND_RUN,
    )
    await db.commit()
    recovery = await stored(db, user_id, "k1")
    assert (counts.updated, counts.resolved, counts.expired) == (0, 0, 0)
    assert recovery.status == "submitted"
    assert recovery.amount_minor == 1482
    assert recovery.closed_reason is None


async def test_cancelled_finding_reopens_when_reported(db: AsyncSession) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1")],
        resolved=[],
        as_of=FIRST_RUN,
    )
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[],
        resolved=[ClosedFinding("k1", "reimbursed")],
        as_of=FIRST_RUN + timedelta(days=1),
    )
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_3",
        findings=[finding("k1")],
        resolved=[],
        as_of=SECOND_RUN,
    )
    await db.commit()
    recovery = await stored(db, user_id, "k1")
    assert counts.reopened == 1
    assert recovery.status == "detected"
    assert recovery.closed_reason is None
    statuses = [entry["status"] for entry in recovery.timeline]
    assert statuses == ["detected", "cancelled", "detected"]


async def test_expired_finding_stays_expired(db: AsyncSession) -> None:
    user_id = await seller(db)
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=[finding("k1")],
        resolved=[ClosedFinding("k1", "window_closed")],
        as_of=FIRST_RUN,
    )
    counts = await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_2",
        findings=[finding("k1")],
        resolved=[],
        as_of=SECOND_RUN,
    )
    await db.commit()
    recovery = await stored(db, user_id, "k1")
    assert (counts.reopened, counts.updated) == (0, 0)
    assert recovery.status == "expired"


async def _listing(db: AsyncSession) -> str:
    user_id = await seller(db)
    rows = [
        finding("a", amount="5.00", type_="lost_inventory"),
        finding("b", amount="9.00", type_="damaged_inventory"),
        finding("c", amount="5.00", type_="fee_overcharge"),
        finding("d", amount="1.00", type_="lost_inventory"),
    ]
    await upsert_findings(
        db,
        user_id=user_id,
        detection_id="det_1",
        findings=rows,
        resolved=[ClosedFinding("d", "offset")],
        as_of=FIRST_RUN,
    )
    await db.commit()
    return user_id


async def test_list_filters_several_values(db: AsyncSession) -> None:
    user_id = await _listing(db)
    rows, total = await list_recoveries(
        db,
        user_id,
        types={"lost_inventory", "fee_overcharge"},
        statuses={"detected"},
        limit=10,
        offset=0,
        sort="amount",
    )
    assert total == 2
    assert {row.finding_key for row in rows} == {"a", "c"}
    cancelled, cancelled_total = await list_recoveries(
        db,
        user_id,
        statuses={"cancelled", "expired"},
        limit=10,
        offset=0,
        sort="amount",
    )
    assert cancelled_total == 1
    assert cancelled[0].finding_key == "d"


@pytest.mark.parametrize(
    ("sort", "descending"), [("amount", False), ("-amount", True)], ids=["asc", "desc"]
)
async def test_list_sorts_with_id_tie_break(
    db: AsyncSession, sort: str, descending: bool
) -> None:
    user_id = await _listing(db)
    rows, _ = await list_recoveries(db, user_id, limit=10, offset=0, sort=sort)
    expected = sorted(rows, key=lambda row: (row.amount_minor, row.id))
    if descending:
        expected.reverse()
    assert [row.id for row in rows] == [row.id for row in expected]
    amounts = [row.amount_minor for row in rows]
    assert amounts == sorted(amounts, reverse=descending)


async def test_list_puts_missing_deadline_last(db: AsyncSession) -> None:
    user_id = await _listing(db)
    first = await db.scalar(select(Recovery).where(Recovery.finding_key == "b"))
    assert first is not None
    first.claim_deadline = None
    await db.commit()
    for sort in ("claim_deadline", "-claim_deadline"):
        rows, _ = await list_recoveries(db, user_id, limit=10, offset=0, sort=sort)
        assert rows[-1].finding_key == "b", sort
