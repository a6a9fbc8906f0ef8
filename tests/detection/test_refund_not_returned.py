"""refund_not_returned: refunded units against returns and customer-return payouts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from detection import DetectionSettings
from tests.detection.returns_builders import (
    REFUND_AT,
    order_row,
    payout_row,
    refund_commission_row,
    refund_row,
    resolved_of_type,
    return_row,
    run,
    sale_rows,
)
from tests.detection.returns_builders import of_type as findings_of

TYPE = "refund_not_returned"
RIPE = REFUND_AT + timedelta(days=70)
SECOND = timedelta(seconds=1)


def test_refund_without_return_is_claimed() -> None:
    result = run(
        as_of=RIPE, settlements=[*sale_rows(), refund_row(), refund_commission_row()]
    )

    [finding] = findings_of(result, TYPE)
    assert finding.sku == "MUG-12OZ"
    assert finding.order_id == "111-0000001-0000001"
    assert finding.units_lost == 1
    assert finding.open_units == 1
    assert finding.unit_value == Decimal("12.00")
    assert finding.amount == Decimal("12.00")
    assert finding.unit_value_source == "sale_price"


def test_refund_window_us() -> None:
    result = run(as_of=RIPE, settlements=[*sale_rows(), refund_row()])

    [finding] = findings_of(result, TYPE)
    assert finding.occurred_at == REFUND_AT
    assert finding.claim_window_opens == REFUND_AT + timedelta(days=60)
    assert finding.claim_window_closes == REFUND_AT + timedelta(days=120)


def test_refund_window_eu() -> None:
    settings = DetectionSettings(region="EU", marketplace_currency="EUR")
    result = run(
        as_of=REFUND_AT + timedelta(days=45),
        settlements=[*sale_rows(), refund_row()],
        settings=settings,
    )

    [finding] = findings_of(result, TYPE)
    assert finding.claim_window_opens == REFUND_AT + timedelta(days=45)
    assert finding.claim_window_closes == REFUND_AT + timedelta(days=105)


@pytest.mark.parametrize(
    ("offset", "found"),
    [
        (timedelta(days=60) - SECOND, False),
        (timedelta(days=60), True),
        (timedelta(days=120), True),
    ],
    ids=["day_before_opening", "first_day", "last_day"],
)
def test_refund_window_boundaries(offset: timedelta, found: bool) -> None:
    result = run(as_of=REFUND_AT + offset, settlements=[*sale_rows(), refund_row()])

    assert len(findings_of(result, TYPE)) == int(found)
    assert resolved_of_type(result, TYPE) == []


def test_refund_after_window_resolved_closed() -> None:
    result = run(
        as_of=REFUND_AT + timedelta(days=120) + SECOND,
        settlements=[*sale_rows(), refund_row()],
    )

    assert findings_of(result, TYPE) == []
    [resolution] = resolved_of_type(result, TYPE)
    assert resolution.cause == "window_closed"


@pytest.mark.parametrize(
    ("refund_day", "opens", "closes"),
    [
        (datetime(2024, 10, 22, 12, tzinfo=UTC), 45, 548),
        (datetime(2024, 10, 23, 12, tzinfo=UTC), 60, 120),
    ],
    ids=["before_2024_10_23", "since_2024_10_23"],
)
def test_refund_window_by_policy_date(
    refund_day: datetime, opens: int, closes: int
) -> None:
    result = run(
        as_of=refund_day + timedelta(days=100),
        settlements=[
            *sale_rows(at=refund_day - timedelta(days=5)),
            refund_row(at=refund_day),
        ],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.claim_window_opens == refund_day + timedelta(days=opens)
    assert finding.claim_window_closes == refund_day + timedelta(days=closes)


@pytest.mark.parametrize(
    ("refund_day", "expected", "confidence"),
    [
        (datetime(2024, 10, 31, 12, tzinfo=UTC), False, "high"),
        (datetime(2024, 11, 1, 12, tzinfo=UTC), True, "medium"),
    ],
    ids=["before_proactive_payouts", "since_proactive_payouts"],
)
def test_refund_expected_to_pay(
    refund_day: datetime, expected: bool, confidence: str
) -> None:
    result = run(
        as_of=refund_day + timedelta(days=70),
        settlements=[
            *sale_rows(at=refund_day - timedelta(days=5)),
            refund_row(at=refund_day),
        ],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.amazon_expected_to_pay is expected
    assert finding.confidence == confidence


@pytest.mark.parametrize(
    "disposition",
    ["SELLABLE", "CUSTOMER_DAMAGED", "DEFECTIVE", "CARRIER_DAMAGED"],
    ids=["sellable", "customer_damaged", "defective", "carrier_damaged"],
)
def test_returned_unit_resolves_refund(disposition: str) -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[
            return_row(at=REFUND_AT + timedelta(days=65), disposition=disposition)
        ],
    )

    assert findings_of(result, TYPE) == []
    [resolution] = resolved_of_type(result, TYPE)
    assert resolution.cause == "units_found"


def test_return_in_same_run_before_opening_gives_nothing() -> None:
    result = run(
        as_of=REFUND_AT + timedelta(days=20),
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=REFUND_AT + timedelta(days=10))],
    )

    assert findings_of(result, TYPE) == []


def test_reimbursed_refund_resolved() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        reimbursements=[payout_row(at=REFUND_AT + timedelta(days=50))],
    )

    assert findings_of(result, TYPE) == []
    [resolution] = resolved_of_type(result, TYPE)
    assert resolution.cause == "reimbursed"


def test_customer_service_payout_counts() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        reimbursements=[
            payout_row(at=REFUND_AT + timedelta(days=5), reason="CustomerServiceIssue")
        ],
    )

    assert findings_of(result, TYPE) == []


def test_payout_of_other_order_ignored() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        reimbursements=[payout_row(at=REFUND_AT, order_id="111-9999999-9999999")],
    )

    assert len(findings_of(result, TYPE)) == 1


def test_reversed_payout_reopens_refund() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        reimbursements=[
            payout_row(at=REFUND_AT + timedelta(days=50), reimbursement_id="R1"),
            payout_row(
                at=REFUND_AT + timedelta(days=60),
                reimbursement_id="R2",
                reason="Reimbursement_Reversal",
                cash=-1,
                original_id="R1",
            ),
        ],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.open_units == 1
    assert {row.reference_id for row in finding.evidence} >= {"R1", "R2"}


def test_refund_units_from_quantity_purchased() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(principal="60.00", quantity=3), refund_row(quantity=2)],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.units_lost == 2


@pytest.mark.parametrize(
    ("refunded", "units"),
    [("-40.00", 2), ("-20.00", 1), ("-5.00", 1)],
    ids=["whole_order", "one_of_two", "partial_amount"],
)
def test_refund_units_from_amount(refunded: str, units: int) -> None:
    result = run(
        as_of=RIPE,
        settlements=[
            *sale_rows(principal="40.00", quantity=2),
            refund_row(principal=refunded),
        ],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.units_lost == units


def test_refund_units_capped_by_units_sold() -> None:
    result = run(
        as_of=RIPE,
        settlements=[
            *sale_rows(),
            refund_row(adjustment_id="ADJ-1"),
            refund_row(adjustment_id="ADJ-2", at=REFUND_AT + timedelta(hours=1)),
        ],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.units_lost == 1


def test_partial_return_leaves_rest_open() -> None:
    result = run(
        as_of=RIPE,
        settlements=[
            *sale_rows(principal="40.00", quantity=2),
            refund_row(principal="-40.00"),
        ],
        returns=[return_row(at=REFUND_AT + timedelta(days=9))],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.units_lost == 2
    assert finding.credited_units == 1
    assert finding.open_units == 1
    assert finding.amount == Decimal("16.00")


def test_duplicate_refund_row_counted_once() -> None:
    row = refund_row()
    row["row_key"] = "9000001|40"
    result = run(as_of=RIPE, settlements=[*sale_rows(), row, dict(row)])

    [finding] = findings_of(result, TYPE)
    assert finding.units_lost == 1


def test_orders_price_when_no_settled_sale() -> None:
    result = run(
        as_of=RIPE,
        settlements=[refund_row(principal="-30.00")],
        orders=[order_row(item_price="30.00")],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.unit_value == Decimal("30.00")
    assert finding.confidence == "medium"


def test_unknown_value_is_low_confidence() -> None:
    result = run(as_of=RIPE, settlements=[refund_row()])

    [finding] = findings_of(result, TYPE)
    assert finding.unit_value is None
    assert finding.amount == Decimal("0.00")
    assert finding.confidence == "low"


def test_seller_cost_when_sale_unknown() -> None:
    result = run(
        as_of=RIPE, settlements=[refund_row()], unit_costs={"MUG-12OZ": Decimal("6.50")}
    )

    [finding] = findings_of(result, TYPE)
    assert finding.unit_value == Decimal("6.50")
    assert finding.unit_value_source == "seller_cost"


def test_below_minimum_resolved() -> None:
    result = run(
        as_of=RIPE,
        settlements=[
            *sale_rows(principal="8.00", commission="-1.00", fba_fee="-6.50"),
            refund_row(principal="-8.00"),
        ],
    )

    assert findings_of(result, TYPE) == []
    [resolution] = resolved_of_type(result, TYPE)
    assert resolution.cause == "below_minimum"


@pytest.mark.parametrize(
    ("order_id", "sku"),
    [("", "MUG-12OZ"), ("111-0000001-0000001", None)],
    ids=["blank_order", "blank_sku"],
)
def test_blank_identifiers_ignored(order_id: str, sku: str | None) -> None:
    row = refund_row(order_id=order_id)
    row["sku"] = sku
    result = run(as_of=RIPE, settlements=[*sale_rows(), row])

    assert findings_of(result, TYPE) == []


def test_key_stable_across_runs() -> None:
    rows = [*sale_rows(), refund_row()]
    first = run(as_of=RIPE, settlements=rows)
    second = run(as_of=RIPE + timedelta(days=5), settlements=rows)

    assert findings_of(first, TYPE)[0].key == findings_of(second, TYPE)[0].key


def test_missing_settlements_not_checked() -> None:
    result = run(as_of=RIPE, unsynced=["settlements"])

    coverage = next(entry for entry in result.coverage if entry.type == TYPE)
    assert coverage.checked is False
    assert coverage.missing_tables == ["settlements"]
