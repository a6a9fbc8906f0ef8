"""return_damaged_by_amazon: damaged returns not paid and sellable ones never
restocked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.detection.returns_builders import (
    REFUND_AT,
    payout_row,
    refund_row,
    resolved_of_type,
    restock_row,
    return_row,
    run,
    sale_rows,
)
from tests.detection.returns_builders import of_type as findings_of

TYPE = "return_damaged_by_amazon"
RETURNED_AT = REFUND_AT + timedelta(days=8)
RIPE = REFUND_AT + timedelta(days=70)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    "disposition",
    ["DAMAGED", "CARRIER_DAMAGED", "carrier damaged", " Damaged "],
    ids=["damaged", "carrier_damaged", "lower_case_spaces", "padded"],
)
def test_damaged_return_claimed(disposition: str) -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT, disposition=disposition)],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.open_units == 1
    assert finding.amount == Decimal("12.00")
    assert finding.occurred_at == REFUND_AT
    assert finding.claim_window_opens == REFUND_AT + timedelta(days=60)
    assert finding.claim_window_closes == REFUND_AT + timedelta(days=120)
    assert findings_of(result, "refund_not_returned") == []


@pytest.mark.parametrize(
    "disposition",
    ["CUSTOMER_DAMAGED", "DEFECTIVE", "EXPIRED", "DISTRIBUTOR_DAMAGED", ""],
    ids=["customer_damaged", "defective", "expired", "distributor", "blank"],
)
def test_seller_fault_returns_not_claimed(disposition: str) -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT, disposition=disposition)],
    )

    assert findings_of(result, TYPE) == []


def test_damaged_return_reimbursed_resolved() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT, disposition="DAMAGED")],
        reimbursements=[payout_row(at=RETURNED_AT + timedelta(days=3))],
    )

    assert findings_of(result, TYPE) == []
    [resolution] = resolved_of_type(result, TYPE)
    assert resolution.cause == "reimbursed"


def test_reversed_payout_reopens_damaged() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT, disposition="DAMAGED")],
        reimbursements=[
            payout_row(at=RETURNED_AT, reimbursement_id="R1"),
            payout_row(
                at=RETURNED_AT + timedelta(days=4),
                reimbursement_id="R2",
                reason="Reimbursement_Reversal",
                cash=-1,
                original_id="R1",
            ),
        ],
    )

    assert len(findings_of(result, TYPE)) == 1


def test_damaged_without_refund_counts_from_return() -> None:
    result = run(
        as_of=RETURNED_AT + timedelta(days=61),
        settlements=sale_rows(),
        returns=[return_row(at=RETURNED_AT, disposition="DAMAGED")],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.occurred_at == RETURNED_AT
    assert finding.claim_window_opens == RETURNED_AT + timedelta(days=60)


@pytest.mark.parametrize(
    ("offset", "found"),
    [
        (timedelta(days=60) - SECOND, False),
        (timedelta(days=60), True),
        (timedelta(days=120), True),
        (timedelta(days=120) + SECOND, False),
    ],
    ids=["day_before", "first_day", "last_day", "day_after"],
)
def test_damaged_window_boundaries(offset: timedelta, found: bool) -> None:
    result = run(
        as_of=REFUND_AT + offset,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT, disposition="DAMAGED")],
    )

    assert len(findings_of(result, TYPE)) == int(found)


def test_sellable_not_restocked_claimed() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT)],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.open_units == 1
    assert finding.amount == Decimal("12.00")


@pytest.mark.parametrize(
    ("reference", "offset"),
    [("111-0000001-0000001", 2), ("", 5), ("111-0000001-0000001", 30)],
    ids=["by_order", "unreferenced", "last_restock_day"],
)
def test_sellable_restocked_not_claimed(reference: str, offset: int) -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT)],
        ledger=[
            restock_row(at=RETURNED_AT + timedelta(days=offset), reference_id=reference)
        ],
    )

    assert findings_of(result, TYPE) == []
    assert resolved_of_type(result, TYPE) == []


def test_restock_of_other_fnsku_ignored() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT)],
        ledger=[restock_row(at=RETURNED_AT, fnsku="X00OTHER99", reference_id="")],
    )

    assert len(findings_of(result, TYPE)) == 1


def test_late_restock_resolves_units_found() -> None:
    result = run(
        as_of=RIPE,
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=RETURNED_AT)],
        ledger=[restock_row(at=RETURNED_AT + timedelta(days=40), reference_id="")],
    )

    assert findings_of(result, TYPE) == []
    [resolution] = resolved_of_type(result, TYPE)
    assert resolution.cause == "units_found"


def test_one_restock_covers_one_of_two_returns() -> None:
    other = "111-0000002-0000002"
    result = run(
        as_of=RIPE,
        settlements=[
            *sale_rows(),
            *sale_rows(order_id=other),
            refund_row(),
            refund_row(order_id=other),
        ],
        returns=[
            return_row(at=RETURNED_AT),
            return_row(at=RETURNED_AT, order_id=other),
        ],
        ledger=[restock_row(at=RETURNED_AT + timedelta(days=1), reference_id="")],
    )

    [finding] = findings_of(result, TYPE)
    assert finding.order_id == other


def test_sellable_opens_after_restock_period() -> None:
    late_return = REFUND_AT + timedelta(days=50)
    result = run(
        as_of=REFUND_AT + timedelta(days=70),
        settlements=[*sale_rows(), refund_row()],
        returns=[return_row(at=late_return)],
    )

    assert findings_of(result, TYPE) == []


def test_missing_ledger_not_checked() -> None:
    result = run(as_of=RIPE, unsynced=["ledger_detail"])

    coverage = next(entry for entry in result.coverage if entry.type == TYPE)
    assert coverage.checked is False
