"""inbound_shortage: closed inbound shipments with fewer units received than shipped."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from detection import DetectionSettings
from tests.detection.builders import T0, days, ledger_row
from tests.detection.removal_builders import (
    SHIPMENT_ID,
    detect_all,
    inbound_item,
    inbound_shipment,
    of_type,
    order_reimbursement,
    resolved_of_type,
)

KIND = "inbound_shortage"
RIPE = T0 + days(20)


def _receipt(quantity: int = 8, at: datetime = T0) -> dict[str, object]:
    return ledger_row(
        at=at,
        quantity=quantity,
        reason="",
        event_type="Receipts",
        reference_id=SHIPMENT_ID,
    )


def _closed(at: datetime = T0 + days(5)) -> list[dict[str, object]]:
    return [
        inbound_shipment(status="SHIPPED", observed_at=T0 - days(4)),
        inbound_shipment(status="RECEIVING", observed_at=T0 + days(1)),
        inbound_shipment(status="CLOSED", observed_at=at),
    ]


def test_closed_shipment_shortage_flagged() -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item()],
        as_of=RIPE,
    )

    findings = of_type(result, KIND)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.sku == "MUG-12OZ"
    assert finding.shipment_id == SHIPMENT_ID
    assert finding.units_lost == 2
    assert finding.open_units == 2
    assert finding.amount == Decimal("19.00")
    assert finding.confidence == "high"
    assert finding.amazon_expected_to_pay is False
    assert finding.occurred_at == T0
    assert finding.claim_window_opens == T0 + days(15)
    assert finding.claim_window_closes == T0 + days(60)


def test_delivery_from_status_without_receipts() -> None:
    result = detect_all(
        inbound_shipments=_closed(), inbound_items=[inbound_item()], as_of=RIPE
    )

    finding = of_type(result, KIND)[0]
    assert finding.occurred_at == T0 + days(1)


@pytest.mark.parametrize(
    ("offset", "flagged", "resolved"),
    [(14.99, False, False), (15, True, False), (60, True, False), (60.01, False, True)],
    ids=["day_before", "first_day", "last_day", "day_after"],
)
def test_window_boundaries(offset: float, flagged: bool, resolved: bool) -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item()],
        as_of=T0 + days(offset),
    )

    assert bool(of_type(result, KIND)) is flagged
    assert bool(resolved_of_type(result, KIND)) is resolved


def test_window_override() -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item()],
        as_of=T0 + days(100),
        settings=DetectionSettings(window_overrides={"inbound_shortage": (0, 180)}),
    )

    assert of_type(result, KIND)[0].claim_window_closes == T0 + days(180)


@pytest.mark.parametrize("status", ["RECEIVING", "CHECKED_IN", "CANCELLED"])
def test_open_shipment_not_flagged(status: str) -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=[inbound_shipment(status=status)],
        inbound_items=[inbound_item()],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []


def test_fully_received_not_flagged() -> None:
    result = detect_all(
        inbound_shipments=_closed(),
        inbound_items=[inbound_item(shipped=10, received=10)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []
    assert resolved_of_type(result, KIND) == []


def test_latest_item_version_counts() -> None:
    early = inbound_item(received=6, observed_at=T0)
    late = inbound_item(received=10, observed_at=T0 + days(4))
    result = detect_all(
        inbound_shipments=_closed(), inbound_items=[early, late], as_of=RIPE
    )

    assert of_type(result, KIND) == []


def test_reimbursement_subtracted() -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item(received=6)],
        reimbursements=[
            order_reimbursement(order_id=None, reason="Lost_Inbound", at=T0 + days(9))
        ],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.units_lost == 4
    assert finding.credited_units == 1
    assert finding.open_units == 3


def test_reimbursed_same_day_resolves() -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item()],
        reimbursements=[
            order_reimbursement(
                order_id=None, reason="Damaged_Inbound", at=T0, quantity=2
            )
        ],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []
    assert [r.cause for r in resolved_of_type(result, KIND)] == ["reimbursed"]


def test_reversal_netted() -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item()],
        reimbursements=[
            order_reimbursement(
                order_id=None,
                reason="Lost_Inbound",
                reimbursement_id="R1",
                at=T0 + days(3),
                quantity=2,
            ),
            order_reimbursement(
                order_id=None,
                reason="Reimbursement_Reversal",
                reimbursement_id="R2",
                original_id="R1",
                at=T0 + days(8),
                quantity=-1,
            ),
        ],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.open_units == 1
    assert "reversed reimbursement R1" in finding.reason


def test_warehouse_reimbursement_not_subtracted() -> None:
    result = detect_all(
        ledger=[_receipt()],
        inbound_shipments=_closed(),
        inbound_items=[inbound_item()],
        reimbursements=[order_reimbursement(order_id=None, reason="Lost_Warehouse")],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 2


def test_ledger_fallback_when_shipments_unsynced() -> None:
    result = detect_all(
        ledger=[_receipt(quantity=5), _receipt(quantity=2, at=T0 + days(1))],
        inbound_items=[inbound_item(received=None)],
        as_of=RIPE,
        unsynced=["inbound_shipments"],
    )

    finding = of_type(result, KIND)[0]
    assert finding.open_units == 3
    assert finding.confidence == "low"
    assert finding.occurred_at == T0


def test_items_unsynced_not_checked() -> None:
    result = detect_all(
        ledger=[_receipt()], as_of=RIPE, unsynced=["inbound_shipment_items"]
    )

    coverage = next(entry for entry in result.coverage if entry.type == KIND)
    assert coverage.checked is False
    assert coverage.missing_tables == ["inbound_shipment_items"]


def test_value_before_march_2025_uses_estimate() -> None:
    event = datetime(2025, 3, 1, 12, tzinfo=UTC)
    result = detect_all(
        ledger=[_receipt(at=event)],
        inbound_shipments=[inbound_shipment(status="CLOSED", observed_at=event)],
        inbound_items=[inbound_item(observed_at=event)],
        reimbursements=[
            order_reimbursement(
                order_id=None, reason="CustomerReturn", at=event - days(100)
            )
        ],
        as_of=event + days(20),
    )

    finding = of_type(result, KIND)[0]
    assert finding.unit_value == Decimal("7.41")


def test_blank_fnsku_still_flagged_by_sku() -> None:
    result = detect_all(
        inbound_shipments=_closed(),
        inbound_items=[inbound_item(fnsku=None)],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.sku == "MUG-12OZ"
    assert finding.fnsku == ""


def test_key_stable_across_runs() -> None:
    rows = {
        "ledger": [_receipt()],
        "inbound_shipments": _closed(),
        "inbound_items": [inbound_item()],
    }
    first = of_type(detect_all(as_of=RIPE, **rows), KIND)[0]  # type: ignore[arg-type]
    second = of_type(detect_all(as_of=RIPE + days(3), **rows), KIND)[0]  # type: ignore[arg-type]

    assert first.key == second.key
