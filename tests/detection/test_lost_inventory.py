"""lost_inventory: ledger M/5 losses against finds, corrections and reimbursements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.detection.builders import T0, days, detect, ledger_row, reimbursement_row

RIPE = T0 + days(8)
"""An as_of past the 5 business days of T0 and inside the claim window."""


def test_plain_lost_open_units() -> None:
    result = detect([ledger_row(quantity=-2)], as_of=RIPE)

    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.type == "lost_inventory"
    assert finding.units_lost == 2
    assert finding.credited_units == 0
    assert finding.open_units == 2


def test_plain_lost_amount() -> None:
    result = detect(
        [ledger_row(quantity=-2)],
        [reimbursement_row(at=T0 - days(90), reason="CustomerReturn")],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.unit_value == Decimal("7.41")
    assert finding.amount == Decimal("14.82")
    assert finding.currency == "USD"


def test_plain_lost_claim_window() -> None:
    result = detect([ledger_row(quantity=-2)], as_of=RIPE)

    finding = result.findings[0]
    assert finding.claim_window_opens == datetime(2026, 3, 11, 15, 30, tzinfo=UTC)
    assert finding.claim_window_closes == T0 + days(60)


@pytest.mark.parametrize("code", ["F", "N"], ids=["found", "found_or_inventory"])
def test_found_again_reduces_open(code: str) -> None:
    result = detect(
        [
            ledger_row(quantity=-3),
            ledger_row(at=T0 + days(2), quantity=1, reason=code),
        ],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.credited_units == 1
    assert finding.open_units == 2


def test_partial_reimbursement_reduces_open() -> None:
    result = detect(
        [ledger_row(quantity=-3)],
        [reimbursement_row(at=T0 + days(5), quantity=1)],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.credited_units == 1
    assert finding.open_units == 2


def test_inventory_reimbursement_counts() -> None:
    result = detect(
        [ledger_row(quantity=-3)],
        [reimbursement_row(at=T0 + days(5), quantity=0, inventory=2)],
        as_of=RIPE,
    )

    assert result.findings[0].open_units == 1


def test_reversal_reopens_reimbursed_loss() -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        [
            reimbursement_row(at=T0 + days(5), reimbursement_id="R1", quantity=1),
            reimbursement_row(
                at=T0 + days(20),
                reimbursement_id="R2",
                reason="Reimbursement_Reversal",
                quantity=-1,
                original_id="R1",
            ),
        ],
        as_of=T0 + days(25),
    )

    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.open_units == 1
    assert finding.credited_units == 0
    assert [row.reference_id for row in finding.evidence[1:]] == ["R1", "R2"]


def test_partial_reversal_leaves_rest_credited() -> None:
    result = detect(
        [ledger_row(quantity=-3)],
        [
            reimbursement_row(at=T0 + days(5), reimbursement_id="R1", quantity=2),
            reimbursement_row(
                at=T0 + days(6),
                reimbursement_id="R2",
                reason="Reimbursement_Reversal",
                quantity=-1,
                original_id="R1",
            ),
        ],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.credited_units == 1
    assert finding.open_units == 2


def test_reversal_without_original_ignored() -> None:
    result = detect(
        [ledger_row(quantity=-2)],
        [
            reimbursement_row(
                at=T0 + days(5),
                reimbursement_id="R2",
                reason="Reimbursement_Reversal",
                quantity=-1,
                original_id="R-UNKNOWN",
            )
        ],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.open_units == 2
    assert len(finding.evidence) == 1


@pytest.mark.parametrize(
    ("offset", "credited"),
    [
        (timedelta(days=-10), 0),
        (timedelta(days=-3, seconds=-1), 0),
        (timedelta(days=-3), 1),
        (timedelta(days=-1), 1),
    ],
    ids=["10_days_before", "just_over_3_days_before", "3_days_before", "1_day_before"],
)
def test_reimbursement_before_loss(offset: timedelta, credited: int) -> None:
    result = detect(
        [ledger_row(quantity=-2)],
        [reimbursement_row(at=T0 + offset, quantity=1)],
        as_of=RIPE,
    )

    assert result.findings[0].credited_units == credited


def test_found_long_before_loss_ignored() -> None:
    result = detect(
        [
            ledger_row(at=T0 - days(10), quantity=1, reason="F"),
            ledger_row(quantity=-2),
        ],
        as_of=RIPE,
    )

    assert result.findings[0].open_units == 2


@pytest.mark.parametrize("quantity", [1, -1], ids=["positive", "negative"])
def test_correction_offsets_loss(quantity: int) -> None:
    result = detect(
        [
            ledger_row(quantity=-3),
            ledger_row(at=T0 + days(1), quantity=quantity, reason="O"),
        ],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.credited_units == 1
    assert finding.open_units == 2


def test_unreconciled_caps_open_units() -> None:
    result = detect([ledger_row(quantity=-5, unreconciled=2)], as_of=RIPE)

    finding = result.findings[0]
    assert finding.units_lost == 5
    assert finding.open_units == 2


def test_unreconciled_not_reduced_twice() -> None:
    result = detect(
        [ledger_row(quantity=-5, reconciled=3, unreconciled=2)],
        [reimbursement_row(at=T0 + days(4), quantity=3)],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.credited_units == 3
    assert finding.open_units == 2


def test_unreconciled_above_open_ignored() -> None:
    result = detect(
        [ledger_row(quantity=-5, unreconciled=5)],
        [reimbursement_row(at=T0 + days(4), quantity=4)],
        as_of=RIPE,
    )

    assert result.findings[0].open_units == 1


def test_unreconciled_zero_resolves() -> None:
    result = detect([ledger_row(quantity=-2, unreconciled=0)], as_of=RIPE)

    assert result.findings == []
    assert [item.cause for item in result.resolved] == ["offset"]


# Friday 10:00 UTC, whose 5 business days end on the next Friday at 10:00.
FRIDAY = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("as_of", "flagged"),
    [
        (datetime(2026, 3, 9, 10, 0, tzinfo=UTC), False),
        (datetime(2026, 3, 12, 23, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 13, 9, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 13, 10, 0, tzinfo=UTC), True),
    ],
    ids=["monday", "thursday_night", "friday_before_time", "friday_at_time"],
)
def test_lost_waits_five_business_days(as_of: datetime, flagged: bool) -> None:
    result = detect([ledger_row(at=FRIDAY, quantity=-1)], as_of=as_of)

    assert (len(result.findings) == 1) is flagged


def test_lost_waiting_not_resolved() -> None:
    result = detect([ledger_row(quantity=-1)], as_of=T0 + days(2))

    assert result.findings == []
    assert result.resolved == []


def test_lost_window_last_moment_flagged() -> None:
    result = detect([ledger_row(quantity=-1)], as_of=T0 + days(60))

    assert len(result.findings) == 1


def test_lost_window_closed_resolved() -> None:
    result = detect(
        [ledger_row(quantity=-1)], as_of=T0 + days(60) + timedelta(seconds=1)
    )

    assert result.findings == []
    assert [item.cause for item in result.resolved] == ["window_closed"]


def test_fifo_over_two_losses() -> None:
    result = detect(
        [
            ledger_row(quantity=-2, reference_id="A"),
            ledger_row(at=T0 + days(10), quantity=-3, reference_id="B"),
        ],
        [reimbursement_row(at=T0 + days(15), quantity=3)],
        as_of=T0 + days(20),
    )

    assert [item.cause for item in result.resolved] == ["reimbursed"]
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.reference_id == "B"
    assert finding.credited_units == 1
    assert finding.open_units == 2


def test_leftover_credit_dropped() -> None:
    result = detect(
        [
            ledger_row(quantity=-1, reference_id="A"),
            ledger_row(at=T0 + days(1), quantity=2, reason="F"),
            ledger_row(at=T0 + days(10), quantity=-2, reference_id="B"),
        ],
        as_of=T0 + days(20),
    )

    assert [finding.reference_id for finding in result.findings] == ["B"]
    assert result.findings[0].open_units == 2


def test_credit_of_other_fnsku_ignored() -> None:
    result = detect(
        [
            ledger_row(quantity=-2),
            ledger_row(at=T0 + days(1), quantity=2, reason="F", fnsku="X00OTHER01"),
        ],
        [reimbursement_row(at=T0 + days(1), fnsku="X00OTHER01")],
        as_of=RIPE,
    )

    assert result.findings[0].open_units == 2


@pytest.mark.parametrize("code", ["M", "5", "m", " M ", "5 "], ids=repr)
def test_lost_reason_codes(code: str) -> None:
    result = detect([ledger_row(quantity=-1, reason=code)], as_of=RIPE)

    assert [finding.type for finding in result.findings] == ["lost_inventory"]


@pytest.mark.parametrize(
    "event_type",
    ["Adjustments", "adjustments", "ADJUSTMENTS", " Adjustments", "Adjust_ments"],
    ids=repr,
)
def test_event_type_spellings(event_type: str) -> None:
    result = detect(
        [ledger_row(quantity=-1, event_type=event_type)],
        as_of=RIPE,
    )

    assert len(result.findings) == 1


@pytest.mark.parametrize(
    "event_type", ["Shipments", "CustomerReturns", "WhseTransfers"], ids=str
)
def test_other_event_types_ignored(event_type: str) -> None:
    result = detect([ledger_row(quantity=-1, event_type=event_type)], as_of=RIPE)

    assert result.findings == []


@pytest.mark.parametrize("code", ["Z", "", "MM", "X1"], ids=repr)
def test_unknown_reason_ignored(code: str) -> None:
    result = detect(
        [ledger_row(quantity=-1, reason=code), ledger_row(quantity=-1)],
        as_of=RIPE,
    )

    assert len(result.findings) == 1


def test_positive_lost_code_ignored() -> None:
    result = detect([ledger_row(quantity=1, reason="M")], as_of=RIPE)

    assert result.findings == []
    assert result.resolved == []
