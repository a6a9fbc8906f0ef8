"""Netting of reimbursement reversals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from detection.queries import ReimbursementRecord
from detection.reversals import net_reversals

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _record(
    reimbursement_id: str,
    quantity: int,
    *,
    reason: str = "Lost_Warehouse",
    original_id: str | None = None,
    fnsku: str = "X00ABCDE12",
    day: int = 0,
) -> ReimbursementRecord:
    return ReimbursementRecord(
        row_key=f"{reimbursement_id}|{fnsku}|{day}",
        source_line=day + 2,
        approval_date=T0 + timedelta(days=day),
        reimbursement_id=reimbursement_id,
        case_id=None,
        reason=reason,
        reason_key=reason.replace("_", "").lower(),
        sku="MUG-12OZ",
        fnsku=fnsku,
        quantity=quantity,
        original_reimbursement_id=original_id,
    )


def _reversal(
    reimbursement_id: str, quantity: int, original_id: str, fnsku: str = "X00ABCDE12"
) -> ReimbursementRecord:
    return _record(
        reimbursement_id,
        quantity,
        reason="Reimbursement_Reversal",
        original_id=original_id,
        fnsku=fnsku,
        day=5,
    )


def test_reversal_subtracts_units() -> None:
    netted = net_reversals([_record("R1", 3), _reversal("R2", -2, "R1")])

    assert [item.units for item in netted] == [1]
    assert [row.reimbursement_id for row in netted[0].reversals] == ["R2"]


def test_reversal_never_below_zero() -> None:
    netted = net_reversals([_record("R1", 1), _reversal("R2", -3, "R1")])

    assert netted[0].units == 0


def test_orphan_reversal_dropped() -> None:
    netted = net_reversals([_record("R1", 2), _reversal("R2", -1, "R9")])

    assert [(item.original.reimbursement_id, item.units) for item in netted] == [
        ("R1", 2)
    ]


def test_reversal_of_other_fnsku_ignored() -> None:
    netted = net_reversals(
        [_record("R1", 2), _reversal("R2", -1, "R1", fnsku="X00OTHER01")]
    )

    assert netted[0].units == 2


def test_reversal_spread_over_rows_of_one_id() -> None:
    netted = net_reversals(
        [_record("R1", 1, day=0), _record("R1", 2, day=1), _reversal("R2", -2, "R1")]
    )

    assert [item.units for item in netted] == [0, 1]
