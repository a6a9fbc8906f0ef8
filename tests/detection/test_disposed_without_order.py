"""disposed_without_order: ledger D and G rows against the seller's removal orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from detection import DetectionSettings
from tests.detection.builders import FNSKU, T0, days, ledger_row
from tests.detection.removal_builders import (
    detect_all,
    of_type,
    order_reimbursement,
    removal_order,
    resolved_of_type,
)

KIND = "disposed_without_order"
RIPE = T0 + days(10)


def _disposal(
    quantity: int = -3, reason: str = "D", at: datetime = T0
) -> dict[str, object]:
    return ledger_row(at=at, quantity=quantity, reason=reason)


def _disposal_order(**values: object) -> dict[str, object]:
    defaults: dict[str, object] = {
        "order_type": "Disposal",
        "requested": 3,
        "disposed": 3,
        "requested_at": T0 - days(2),
        "updated_at": T0,
    }
    defaults.update(values)
    return removal_order(**defaults)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["D", "G", "d", " g"])
def test_disposal_without_order_flagged(code: str) -> None:
    result = detect_all(ledger=[_disposal(reason=code)], as_of=RIPE)

    findings = of_type(result, KIND)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.sku == "MUG-12OZ"
    assert finding.fnsku == FNSKU
    assert finding.units_lost == 3
    assert finding.open_units == 3
    assert finding.unit_value == Decimal("9.50")
    assert finding.amount == Decimal("28.50")
    assert finding.unit_value_source == "seller_cost"
    assert finding.confidence == "high"
    assert finding.amazon_expected_to_pay is False


def test_disposal_claim_window() -> None:
    finding = of_type(detect_all(ledger=[_disposal()], as_of=RIPE), KIND)[0]

    assert finding.claim_window_opens == T0
    assert finding.claim_window_closes == T0 + days(60)
    assert "2026-05-03" in finding.reason
    assert finding.evidence[0].quantity == -3


@pytest.mark.parametrize(
    ("offset", "flagged"),
    [(0, True), (60, True), (60.0001, False)],
    ids=["first_day", "last_moment", "after_close"],
)
def test_disposal_window_boundaries(offset: float, flagged: bool) -> None:
    result = detect_all(ledger=[_disposal()], as_of=T0 + days(offset))

    assert bool(of_type(result, KIND)) is flagged
    if not flagged:
        assert [r.cause for r in resolved_of_type(result, KIND)] == ["window_closed"]


def test_day_before_disposal_says_nothing() -> None:
    result = detect_all(ledger=[_disposal(at=T0)], as_of=T0 - days(1))

    assert of_type(result, KIND) == []
    assert resolved_of_type(result, KIND) == []


def test_disposal_before_october_2024_has_18_months() -> None:
    event = datetime(2024, 9, 1, 12, tzinfo=UTC)
    result = detect_all(ledger=[_disposal(at=event)], as_of=event + days(400))

    finding = of_type(result, KIND)[0]
    assert finding.claim_window_closes == event + days(548)


def test_disposal_after_october_2024_has_60_days() -> None:
    event = datetime(2024, 10, 23, 0, tzinfo=UTC)
    result = detect_all(ledger=[_disposal(at=event)], as_of=event + days(61))

    assert of_type(result, KIND) == []
    assert [r.cause for r in resolved_of_type(result, KIND)] == ["window_closed"]


def test_disposal_order_covers_units() -> None:
    result = detect_all(
        ledger=[_disposal()], removal_orders=[_disposal_order()], as_of=RIPE
    )

    assert of_type(result, KIND) == []
    resolutions = resolved_of_type(result, KIND)
    assert [r.cause for r in resolutions] == ["offset"]
    assert "RMV-0001" in resolutions[0].reason


def test_order_covers_part_of_disposal() -> None:
    result = detect_all(
        ledger=[_disposal(quantity=-5)],
        removal_orders=[_disposal_order(requested=2, disposed=2)],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.units_lost == 5
    assert finding.credited_units == 2
    assert finding.open_units == 3
    assert [row.reference_id for row in finding.evidence] == ["21188081", "RMV-0001"]


def test_order_requested_after_disposal_does_not_cover() -> None:
    result = detect_all(
        ledger=[_disposal()],
        removal_orders=[_disposal_order(requested_at=T0 + days(1))],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 3


def test_order_requested_same_moment_covers() -> None:
    result = detect_all(
        ledger=[_disposal()],
        removal_orders=[_disposal_order(requested_at=T0)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []


def test_order_of_other_fnsku_does_not_cover() -> None:
    result = detect_all(
        ledger=[_disposal()],
        removal_orders=[_disposal_order(fnsku="X00OTHER99")],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 3


def test_return_order_does_not_cover_disposal() -> None:
    result = detect_all(
        ledger=[_disposal()],
        removal_orders=[_disposal_order(order_type="Return", disposed=0, shipped=3)],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 3


def test_liquidation_covers_donation_only() -> None:
    liquidation = _disposal_order(order_type="Liquidations")
    donated = detect_all(
        ledger=[_disposal(reason="G")], removal_orders=[liquidation], as_of=RIPE
    )
    disposed = detect_all(
        ledger=[_disposal(reason="D")], removal_orders=[liquidation], as_of=RIPE
    )

    assert of_type(donated, KIND) == []
    assert of_type(disposed, KIND)[0].open_units == 3


def test_one_order_covers_disposals_first_in_first_out() -> None:
    result = detect_all(
        ledger=[_disposal(quantity=-2), _disposal(quantity=-2, at=T0 + days(1))],
        removal_orders=[_disposal_order(requested=3, disposed=3)],
        as_of=RIPE,
    )

    findings = of_type(result, KIND)
    assert len(findings) == 1
    assert findings[0].occurred_at == T0 + days(1)
    assert findings[0].open_units == 1


def test_pending_order_covers_requested_units() -> None:
    # The removal report may lag the ledger: a pending order still covers what it
    # asked for.
    result = detect_all(
        ledger=[_disposal()],
        removal_orders=[_disposal_order(status="Pending", disposed=0)],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []


def test_cancelled_order_covers_only_disposed_units() -> None:
    result = detect_all(
        ledger=[_disposal()],
        removal_orders=[_disposal_order(status="Cancelled", cancelled=3, disposed=0)],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 3


def test_latest_order_version_counts() -> None:
    early = _disposal_order(status="Pending", disposed=0, updated_at=T0 - days(1))
    late = _disposal_order(status="Completed", requested=3, disposed=1, cancelled=2)
    result = detect_all(ledger=[_disposal()], removal_orders=[early, late], as_of=RIPE)

    assert of_type(result, KIND)[0].open_units == 2


def test_automatic_disposal_setting_resolves() -> None:
    result = detect_all(
        ledger=[_disposal()],
        as_of=RIPE,
        settings=DetectionSettings(automatic_disposal=True),
    )

    assert of_type(result, KIND) == []
    resolutions = resolved_of_type(result, KIND)
    assert [r.cause for r in resolutions] == ["offset"]
    assert "Automatic disposal" in resolutions[0].reason


def test_disposal_reimbursement_subtracted() -> None:
    result = detect_all(
        ledger=[_disposal()],
        reimbursements=[
            order_reimbursement(
                order_id=None, reason="Disposed", at=T0 + days(3), quantity=1
            )
        ],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.credited_units == 1
    assert finding.open_units == 2


def test_reimbursed_same_day_resolves() -> None:
    result = detect_all(
        ledger=[_disposal()],
        reimbursements=[
            order_reimbursement(order_id=None, reason="Disposed", at=T0, quantity=3)
        ],
        as_of=RIPE,
    )

    assert of_type(result, KIND) == []
    assert [r.cause for r in resolved_of_type(result, KIND)] == ["reimbursed"]


def test_reversed_reimbursement_reopens() -> None:
    result = detect_all(
        ledger=[_disposal()],
        reimbursements=[
            order_reimbursement(
                order_id=None,
                reason="Disposed",
                reimbursement_id="R1",
                at=T0 + days(1),
                quantity=3,
            ),
            order_reimbursement(
                order_id=None,
                reason="Reimbursement_Reversal",
                reimbursement_id="R2",
                original_id="R1",
                at=T0 + days(4),
                quantity=-2,
            ),
        ],
        as_of=RIPE,
    )

    finding = of_type(result, KIND)[0]
    assert finding.open_units == 2
    assert "reversed reimbursement R1" in finding.reason


def test_warehouse_payout_does_not_offset_disposal() -> None:
    result = detect_all(
        ledger=[_disposal()],
        reimbursements=[order_reimbursement(order_id=None, reason="Lost_Warehouse")],
        as_of=RIPE,
    )

    assert of_type(result, KIND)[0].open_units == 3


@pytest.mark.parametrize(
    ("quantity", "event_type"),
    [(3, "Adjustments"), (-3, "Shipments"), (0, "Adjustments")],
    ids=["positive", "not_adjustment", "zero"],
)
def test_disposal_look_alikes_ignored(quantity: int, event_type: str) -> None:
    row = ledger_row(quantity=quantity, reason="D", event_type=event_type)
    result = detect_all(ledger=[row], as_of=RIPE)

    assert of_type(result, KIND) == []
    assert resolved_of_type(result, KIND) == []


def test_duplicate_ledger_row_read_once() -> None:
    row = _disposal()
    result = detect_all(ledger=[row, dict(row, source_line=2)], as_of=RIPE)

    assert len(of_type(result, KIND)) == 1


def test_blank_fnsku_skipped() -> None:
    result = detect_all(
        ledger=[ledger_row(quantity=-3, reason="D", fnsku="")], as_of=RIPE
    )

    assert of_type(result, KIND) == []


def test_below_minimum_resolves() -> None:
    result = detect_all(
        ledger=[_disposal(quantity=-1)],
        as_of=RIPE,
        unit_costs={"MUG-12OZ": Decimal("0.40")},
    )

    assert of_type(result, KIND) == []
    assert [r.cause for r in resolved_of_type(result, KIND)] == ["below_minimum"]


def test_unknown_value_is_low_confidence() -> None:
    result = detect_all(ledger=[_disposal()], as_of=RIPE, unit_costs={})

    finding = of_type(result, KIND)[0]
    assert finding.unit_value is None
    assert finding.amount == Decimal("0.00")
    assert finding.confidence == "low"


def test_estimate_values_disposal_before_march_2025() -> None:
    event = datetime(2025, 3, 1, 12, tzinfo=UTC)
    result = detect_all(
        ledger=[_disposal(at=event)],
        reimbursements=[
            order_reimbursement(
                order_id=None, reason="CustomerReturn", at=event - days(100)
            )
        ],
        as_of=event + days(5),
    )

    finding = of_type(result, KIND)[0]
    assert finding.unit_value == Decimal("7.41")
    assert finding.unit_value_source == "amazon_estimate"


def test_key_stable_across_runs() -> None:
    first = of_type(detect_all(ledger=[_disposal()], as_of=RIPE), KIND)[0]
    second = of_type(detect_all(ledger=[_disposal()], as_of=RIPE + days(5)), KIND)[0]

    assert first.key == second.key


def test_unsynced_removal_orders_not_checked() -> None:
    result = detect_all(ledger=[_disposal()], as_of=RIPE, unsynced=["removal_orders"])

    coverage = next(entry for entry in result.coverage if entry.type == KIND)
    assert coverage.checked is False
    assert coverage.missing_tables == ["removal_orders"]
    assert of_type(result, KIND) == []
