"""underpaid_reimbursement and reversal_without_return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.detection.returns_builders import (
    ledger_adjustment,
    payout_row,
    resolved_of_type,
    return_row,
    run,
    sale_rows,
)
from tests.detection.returns_builders import of_type as findings_of

UNDERPAID = "underpaid_reimbursement"
REVERSAL = "reversal_without_return"
PAID_AT = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
RIPE = PAID_AT + timedelta(days=10)
COSTS = {"MUG-12OZ": Decimal("10.00")}


def _lost(amount: str, *, at: datetime = PAID_AT, cash: int = 2) -> dict[str, object]:
    return payout_row(
        at=at, reason="Lost_Warehouse", order_id=None, cash=cash, amount_per_unit=amount
    )


def test_underpaid_below_unit_cost() -> None:
    result = run(as_of=RIPE, reimbursements=[_lost("7.00")], unit_costs=COSTS)

    [finding] = findings_of(result, UNDERPAID)
    assert finding.open_units == 2
    assert finding.unit_value == Decimal("3.00")
    assert finding.amount == Decimal("6.00")
    assert finding.claim_window_closes == PAID_AT + timedelta(days=60)


@pytest.mark.parametrize(
    "amount", ["9.50", "10.00", "12.00"], ids=["at_tolerance", "exact", "above"]
)
def test_paid_within_tolerance_not_flagged(amount: str) -> None:
    result = run(as_of=RIPE, reimbursements=[_lost(amount)], unit_costs=COSTS)

    assert findings_of(result, UNDERPAID) == []


def test_no_unit_cost_skips_pre_order_row() -> None:
    result = run(as_of=RIPE, reimbursements=[_lost("1.00")])

    assert findings_of(result, UNDERPAID) == []


def test_inventory_reimbursement_not_underpaid() -> None:
    row = _lost("1.00", cash=0)
    row["quantity_reimbursed_total"] = 2
    result = run(as_of=RIPE, reimbursements=[row], unit_costs=COSTS)

    assert findings_of(result, UNDERPAID) == []


def test_before_march_2025_uses_sale_value() -> None:
    paid = datetime(2025, 3, 30, 12, tzinfo=UTC)
    result = run(
        as_of=paid + timedelta(days=5),
        settlements=sale_rows(at=paid - timedelta(days=20)),
        reimbursements=[_lost("6.00", at=paid)],
        unit_costs=COSTS,
    )

    [finding] = findings_of(result, UNDERPAID)
    assert finding.unit_value == Decimal("6.00")
    assert finding.unit_value_source == "sale_price"


def test_before_march_2025_without_sale_skipped() -> None:
    paid = datetime(2025, 3, 30, 12, tzinfo=UTC)
    result = run(
        as_of=paid + timedelta(days=5),
        reimbursements=[_lost("1.00", at=paid)],
        unit_costs=COSTS,
    )

    assert findings_of(result, UNDERPAID) == []


def test_customer_return_below_sale_value() -> None:
    result = run(
        as_of=RIPE,
        settlements=sale_rows(at=PAID_AT - timedelta(days=30)),
        reimbursements=[payout_row(at=PAID_AT, amount_per_unit="9.00")],
    )

    [finding] = findings_of(result, UNDERPAID)
    assert finding.amount == Decimal("3.00")


def test_underpaid_reversed_units_not_counted() -> None:
    result = run(
        as_of=RIPE,
        reimbursements=[
            payout_row(
                at=PAID_AT,
                reason="Lost_Warehouse",
                reimbursement_id="R1",
                order_id=None,
                cash=2,
                amount_per_unit="7.00",
            ),
            payout_row(
                at=PAID_AT + timedelta(days=2),
                reason="Reimbursement_Reversal",
                reimbursement_id="R2",
                order_id=None,
                cash=-1,
                original_id="R1",
            ),
        ],
        unit_costs=COSTS,
    )

    [underpaid] = findings_of(result, UNDERPAID)
    assert underpaid.open_units == 1


def test_underpaid_window_closed_resolved() -> None:
    result = run(
        as_of=PAID_AT + timedelta(days=60, seconds=1),
        reimbursements=[_lost("7.00")],
        unit_costs=COSTS,
    )

    assert findings_of(result, UNDERPAID) == []
    assert [entry.cause for entry in resolved_of_type(result, UNDERPAID)] == [
        "window_closed"
    ]


def _reversed(
    original_reason: str = "Lost_Warehouse", order: str | None = None
) -> list[dict[str, object]]:
    return [
        payout_row(
            at=PAID_AT,
            reason=original_reason,
            reimbursement_id="R1",
            order_id=order,
            cash=2,
            amount_per_unit="10.00",
        ),
        payout_row(
            at=PAID_AT + timedelta(days=5),
            reason="Reimbursement_Reversal",
            reimbursement_id="R2",
            order_id=order,
            cash=-2,
            original_id="R1",
            amount_per_unit="10.00",
        ),
    ]


def test_reversal_without_cause_claimed() -> None:
    result = run(as_of=RIPE, reimbursements=_reversed(), unit_costs=COSTS)

    [finding] = findings_of(result, REVERSAL)
    assert finding.open_units == 2
    assert finding.amount == Decimal("20.00")
    assert finding.occurred_at == PAID_AT + timedelta(days=5)
    assert finding.claim_window_closes == PAID_AT + timedelta(days=65)


def test_reversal_justified_by_found_unit() -> None:
    result = run(
        as_of=RIPE,
        reimbursements=_reversed(),
        ledger=[
            ledger_adjustment(at=PAID_AT + timedelta(days=3), reason="F", quantity=1)
        ],
    )

    [finding] = findings_of(result, REVERSAL)
    assert finding.open_units == 1
    assert finding.credited_units == 1


def test_found_before_payout_does_not_justify() -> None:
    result = run(
        as_of=RIPE,
        reimbursements=_reversed(),
        ledger=[
            ledger_adjustment(at=PAID_AT - timedelta(days=20), reason="F", quantity=2)
        ],
    )

    assert findings_of(result, REVERSAL)[0].open_units == 2


def test_reversal_justified_by_return() -> None:
    order = "111-0000001-0000001"
    result = run(
        as_of=RIPE,
        reimbursements=_reversed("CustomerServiceIssue", order),
        returns=[
            return_row(at=PAID_AT + timedelta(days=2), plate="LPN1"),
            return_row(at=PAID_AT + timedelta(days=3), plate="LPN2"),
        ],
    )

    assert findings_of(result, REVERSAL) == []
    assert [entry.cause for entry in resolved_of_type(result, REVERSAL)] == ["offset"]


def test_reversal_left_to_open_warehouse_loss() -> None:
    result = run(
        as_of=RIPE,
        reimbursements=_reversed(),
        ledger=[
            ledger_adjustment(at=PAID_AT - timedelta(days=4), reason="M", quantity=-2)
        ],
    )

    assert findings_of(result, REVERSAL) == []
    assert len(findings_of(result, "lost_inventory")) == 1


def test_reversal_without_original_ignored() -> None:
    rows = _reversed()[1:]
    result = run(as_of=RIPE, reimbursements=rows)

    assert findings_of(result, REVERSAL) == []


def test_missing_returns_table_not_checked() -> None:
    result = run(as_of=RIPE, unsynced=["customer_returns"])

    coverage = next(entry for entry in result.coverage if entry.type == REVERSAL)
    assert coverage.checked is False
