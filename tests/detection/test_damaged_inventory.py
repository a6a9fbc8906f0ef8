"""damaged_inventory: ledger E/6/7/H/K/U damages against Damaged_Warehouse payouts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.detection.builders import T0, days, detect, ledger_row, reimbursement_row

RIPE = T0 + days(12)
"""An as_of past the 10-day wait of T0 and inside the claim window."""


@pytest.mark.parametrize("code", ["E", "6", "7", "H", "K", "U", "e", "h"], ids=str)
def test_damaged_codes_flagged(code: str) -> None:
    result = detect([ledger_row(quantity=-1, reason=code)], as_of=RIPE)

    assert [finding.type for finding in result.findings] == ["damaged_inventory"]


@pytest.mark.parametrize(
    ("code", "quantity"),
    [("P", 1), ("P", -1), ("Q", -1), ("3", -1), ("4", 1), ("D", -1), ("G", -1)],
    ids=["P_plus", "P_minus", "Q", "3", "4", "D", "G"],
)
def test_non_damage_codes_ignored(code: str, quantity: int) -> None:
    result = detect([ledger_row(quantity=quantity, reason=code)], as_of=RIPE)

    # D and G are disposals, which the removal rules judge; the warehouse rules
    # must leave them alone.
    warehouse = {"lost_inventory", "damaged_inventory"}
    assert [f for f in result.findings if f.type in warehouse] == []
    assert [r for r in result.resolved if r.type in warehouse] == []


def test_disposition_pair_not_credit() -> None:
    result = detect(
        [
            ledger_row(quantity=-1, reason="E"),
            ledger_row(quantity=1, reason="P"),
        ],
        as_of=RIPE,
    )

    assert result.findings[0].open_units == 1


@pytest.mark.parametrize(
    ("offset", "flagged"),
    [(days(10) - timedelta(seconds=1), False), (days(10), True)],
    ids=["just_before_10_days", "at_10_days"],
)
def test_damaged_waits_ten_days(offset: timedelta, flagged: bool) -> None:
    result = detect([ledger_row(quantity=-1, reason="E")], as_of=T0 + offset)

    assert (len(result.findings) == 1) is flagged


def test_damaged_window_closed() -> None:
    result = detect(
        [ledger_row(quantity=-1, reason="E")],
        as_of=T0 + days(60) + timedelta(seconds=1),
    )

    assert result.findings == []
    assert [item.cause for item in result.resolved] == ["window_closed"]


def test_damaged_warehouse_pays_damaged() -> None:
    result = detect(
        [ledger_row(quantity=-1, reason="E")],
        [reimbursement_row(at=T0 + days(3), reason="Damaged_Warehouse")],
        as_of=RIPE,
    )

    assert result.findings == []
    assert [item.type for item in result.resolved] == ["damaged_inventory"]


def test_damaged_warehouse_not_lost_payout() -> None:
    result = detect(
        [ledger_row(quantity=-1, reason="M")],
        [reimbursement_row(at=T0 + days(3), reason="Damaged_Warehouse")],
        as_of=RIPE,
    )

    assert [finding.open_units for finding in result.findings] == [1]


def test_lost_warehouse_not_damaged_payout() -> None:
    result = detect(
        [ledger_row(quantity=-1, reason="E")],
        [reimbursement_row(at=T0 + days(3), reason="Lost_Warehouse")],
        as_of=RIPE,
    )

    assert [finding.open_units for finding in result.findings] == [1]


def test_found_not_damaged_credit() -> None:
    result = detect(
        [
            ledger_row(quantity=-1, reason="E"),
            ledger_row(at=T0 + days(1), quantity=1, reason="F"),
        ],
        as_of=RIPE,
    )

    assert [finding.open_units for finding in result.findings] == [1]


def test_correction_offsets_damaged() -> None:
    result = detect(
        [
            ledger_row(quantity=-2, reason="E"),
            ledger_row(at=T0 + days(1), quantity=-1, reason="O"),
        ],
        as_of=RIPE,
    )

    assert [finding.open_units for finding in result.findings] == [1]


def test_damaged_payout_skips_lost_loss() -> None:
    result = detect(
        [
            ledger_row(quantity=-1, reason="M", reference_id="LOST"),
            ledger_row(at=T0 + days(1), quantity=-1, reason="E", reference_id="DMG"),
        ],
        [reimbursement_row(at=T0 + days(3), reason="Damaged_Warehouse")],
        as_of=RIPE,
    )

    assert [finding.reference_id for finding in result.findings] == ["LOST"]
