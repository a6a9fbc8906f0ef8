"""removal_lost: completed removal orders short of units, and untracked shipments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from detection import DetectionSettings
from tests.detection.builders import T0, days
from tests.detection.removal_builders import (
    ORDER_ID,
    detect_all,
    of_type,
    order_reimbursement,
    removal_order,
    removal_shipment,
    resolved_of_type,
)

KIND = "removal_lost"
RIPE = T0 + days(20)


def _short_order(**values: object) -> dict[str, object]:
    defaults: dict[str, object] = {"requested": 5, "shipped": 3, "cancelled": 0}
    defaults.update(values)
    return removal_order(**defaults)  # type: ignore[arg-type]


def test_completed_order_missing_units_flagged() -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        as_of=RIPE,
    )

    findings = of_type(result, KIND)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.sku == "MUG-12OZ"
    assert finding.order_id == ORDER_ID
    assert finding.units_lost == 2
    assert finding.open_units == 2
    assert finding.amount == Decimal("19.00")
    assert finding.confidence == "high"
    assert finding.amazon_expected_to_pay is False
    assert finding.claim_window_opens == T0
    assert finding.claim_window_closes == T0 + days(60)


@pytest.mark.parametrize(
    ("offset", "flagged"),
    [(0, True), (60, True), (60.0001, False)],
    ids=["completion", "last_moment", "after_close"],
)
def test_incomplete_window_boundaries(offset: float, flagged: bool) -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        as_of=T0 + days(offset),
    )

    assert bool(of_type(result, KIND)) is flagged


@pytest.mark.parametrize(
    "values",
    [
        {"shipped": 5},
        {"cancelled": 2},
        {"in_process": 2},
        {"disposed": 2},
        {"status": "Pending"},
    ],
    ids=["all_shipped", "cancelled", "in_process", "disposed", "pending"],
)
def test_accounted_orders_not_flagged(values: dict[str, object]) -> None:
    shipped = int(values.get("shipped", 3))  # type: ignore[call-overload]
    result = detect_all(
        removal_orders=[_short_order(**values)],
        removal_shipments=[removal_shipment(shipped=shipped)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []


def test_later_version_accounting_for_units_resolves() -> None:
    early = _short_order(updated_at=T0)
    late = _short_order(shipped=5, updated_at=T0 + days(3))
    result = detect_all(
        removal_orders=[early, late],
        removal_shipments=[removal_shipment(shipped=5)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []
    assert [r.cause for r in resolved_of_type(result, KIND)] == ["units_found"]


def test_reimbursement_by_order_id_subtracted() -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        reimbursements=[order_reimbursement(at=T0 + days(5), quantity=1)],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.credited_units == 1
    assert finding.open_units == 1
    assert finding.evidence[-1].reference_id == "3000000001"


def test_reimbursement_for_other_order_not_subtracted() -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        reimbursements=[
            order_reimbursement(order_id="RMV-9999", at=T0 + days(5), quantity=2)
        ],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 2


def test_reimbursement_without_order_id_matched_by_fnsku() -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        reimbursements=[order_reimbursement(order_id=None, at=T0, quantity=2)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []
    assert [r.cause for r in resolved_of_type(result, KIND)] == ["reimbursed"]


def test_old_reimbursement_without_order_id_belongs_elsewhere() -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        reimbursements=[
            order_reimbursement(order_id=None, at=T0 - days(40), quantity=2)
        ],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 2


@pytest.mark.parametrize("reason", ["RemovalOrderLost", "Removal Order Damaged"])
def test_removal_reasons_normalized(reason: str) -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        reimbursements=[order_reimbursement(reason=reason, quantity=2)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []


def test_reversal_netted() -> None:
    result = detect_all(
        removal_orders=[_short_order()],
        removal_shipments=[removal_shipment(shipped=3)],
        reimbursements=[
            order_reimbursement(reimbursement_id="R1", at=T0 + days(2), quantity=2),
            order_reimbursement(
                reason="Reimbursement_Reversal",
                reimbursement_id="R2",
                original_id="R1",
                at=T0 + days(6),
                quantity=-2,
            ),
        ],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.open_units == 2
    assert "reversed reimbursement R1" in finding.reason


def test_shipped_without_shipment_rows_lost_in_transit() -> None:
    order = removal_order(requested=3, shipped=3, updated_at=T0)
    result = detect_all(removal_orders=[order], as_of=T0 + days(20))

    finding = of_type(result, KIND)[0]
    assert finding.open_units == 3
    assert finding.confidence == "medium"
    assert finding.occurred_at == T0
    assert finding.claim_window_opens == T0 + days(15)
    assert finding.claim_window_closes == T0 + days(75)


@pytest.mark.parametrize(
    ("offset", "flagged", "resolved"),
    [(14.99, False, False), (15, True, False), (75, True, False), (75.01, False, True)],
    ids=["day_before", "first_day", "last_day", "day_after"],
)
def test_transit_window_boundaries(
    offset: float, flagged: bool, resolved: bool
) -> None:
    order = removal_order(requested=3, shipped=3, updated_at=T0)
    result = detect_all(removal_orders=[order], as_of=T0 + days(offset))

    assert bool(of_type(result, KIND)) is flagged
    assert bool(resolved_of_type(result, KIND)) is resolved


def test_blank_tracking_counts_as_lost_from_shipment_date() -> None:
    order = removal_order(requested=3, shipped=3, updated_at=T0 + days(2))
    shipments = [
        removal_shipment(shipped=2, shipped_at=T0),
        removal_shipment(shipped=1, shipped_at=T0 + days(1), tracking=" "),
    ]
    result = detect_all(
        removal_orders=[order], removal_shipments=shipments, as_of=T0 + days(30)
    )

    finding = of_type(result, KIND)[0]
    assert finding.open_units == 1
    assert finding.occurred_at == T0 + days(1)
    assert len(finding.evidence) == 3


def test_tracked_shipment_not_flagged() -> None:
    order = removal_order(requested=3, shipped=3)
    result = detect_all(
        removal_orders=[order],
        removal_shipments=[removal_shipment(shipped=3)],
        as_of=T0 + days(30),
    )

    assert of_type(result, KIND) == []
    assert resolved_of_type(result, KIND) == []


def test_transit_before_october_2024_has_18_months() -> None:
    event = datetime(2024, 9, 1, 12, tzinfo=UTC)
    order = removal_order(requested=3, shipped=3, requested_at=event, updated_at=event)
    result = detect_all(removal_orders=[order], as_of=event + days(5))

    finding = of_type(result, KIND)[0]
    assert finding.claim_window_opens == event
    assert finding.claim_window_closes == event + days(548)


def test_window_override_applies() -> None:
    order = removal_order(requested=3, shipped=3, updated_at=T0)
    result = detect_all(
        removal_orders=[order],
        as_of=T0 + days(5),
        settings=DetectionSettings(window_overrides={"removal_lost": (0, 30)}),
    )

    assert of_type(result, KIND)[0].claim_window_closes == T0 + days(30)


def test_duplicate_order_rows_read_once() -> None:
    order = _short_order()
    result = detect_all(
        removal_orders=[order | {"row_key": "same"}, order | {"row_key": "same"}],
        removal_shipments=[removal_shipment(shipped=3)],
        as_of=RIPE,
    )

    assert [f.open_units for f in of_type(result, KIND)] == [2]


def test_blank_fields_do_not_fail() -> None:
    order = removal_order(order_type="", status="Completed") | {
        "requested_quantity": None,
        "shipped_quantity": None,
        "last_updated_date": None,
    }
    shipment = removal_shipment() | {"shipped_quantity": None, "tracking_number": None}
    result = detect_all(
        removal_orders=[order, removal_order(order_id=" ", shipped=2)],
        removal_shipments=[shipment],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []


def test_unsynced_shipments_not_checked() -> None:
    result = detect_all(
        removal_orders=[_short_order()], as_of=RIPE, unsynced=["removal_shipments"]
    )

    coverage = next(entry for entry in result.coverage if entry.type == KIND)
    assert coverage.checked is False
    assert of_type(result, KIND) == []
