"""Unit value, amount, minimum claim value and confidence of findings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from detection import DetectionSettings
from tests.detection.builders import (
    SKU,
    T0,
    days,
    detect,
    ledger_row,
    reimbursement_row,
)

RIPE = T0 + days(8)
OLD = T0 + days(35)
"""An as_of past the 30 days in which Amazon may still pay on its own."""


def test_unit_value_from_seller_cost() -> None:
    result = detect(
        [ledger_row(quantity=-2)],
        [reimbursement_row(at=T0 - days(30), reason="CustomerReturn")],
        as_of=RIPE,
        unit_costs={SKU: Decimal("5.00")},
    )

    finding = result.findings[0]
    assert finding.unit_value == Decimal("5.00")
    assert finding.amount == Decimal("10.00")
    assert finding.currency == "USD"


def test_seller_cost_of_other_sku_unused() -> None:
    result = detect(
        [ledger_row(quantity=-2)],
        as_of=RIPE,
        unit_costs={"OTHER-SKU": Decimal("5.00")},
    )

    assert result.findings[0].unit_value is None


def test_unit_value_from_latest_estimate() -> None:
    result = detect(
        [ledger_row(quantity=-2)],
        [
            reimbursement_row(
                at=T0 - days(90),
                reimbursement_id="R1",
                reason="CustomerReturn",
                amount_per_unit="6.00",
            ),
            reimbursement_row(
                at=T0 - days(30),
                reimbursement_id="R2",
                reason="CustomerReturn",
                amount_per_unit="7.41",
            ),
            reimbursement_row(
                at=T0 - days(60),
                reimbursement_id="R3",
                reason="CustomerReturn",
                amount_per_unit="6.50",
            ),
        ],
        as_of=RIPE,
    )

    finding = result.findings[0]
    assert finding.unit_value == Decimal("7.41")
    assert finding.amount == Decimal("14.82")


def test_estimate_skips_negative_rows() -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        [
            reimbursement_row(
                at=T0 - days(90),
                reimbursement_id="R1",
                reason="CustomerReturn",
                amount_per_unit="6.00",
            ),
            reimbursement_row(
                at=T0 - days(30),
                reimbursement_id="R2",
                reason="Reimbursement_Reversal",
                quantity=-1,
                amount_per_unit="9.99",
                original_id="R1",
            ),
        ],
        as_of=RIPE,
    )

    assert result.findings[0].unit_value == Decimal("6.00")


def test_estimate_currency_used() -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        [
            reimbursement_row(
                at=T0 - days(30),
                reason="CustomerReturn",
                amount_per_unit="9.80",
                currency="CAD",
            )
        ],
        as_of=RIPE,
    )

    assert result.findings[0].currency == "CAD"


def test_unknown_value_kept_low() -> None:
    result = detect([ledger_row(quantity=-3)], as_of=OLD)

    finding = result.findings[0]
    assert finding.unit_value is None
    assert finding.amount == Decimal("0.00")
    assert finding.confidence == "low"
    assert finding.currency == "USD"


def test_unknown_value_uses_marketplace_currency() -> None:
    result = detect(
        [ledger_row(quantity=-3)],
        as_of=OLD,
        settings=DetectionSettings(marketplace_currency="EUR"),
    )

    assert result.findings[0].currency == "EUR"


def test_amount_rounds_half_up() -> None:
    result = detect(
        [ledger_row(quantity=-3)],
        as_of=RIPE,
        unit_costs={SKU: Decimal("3.335")},
    )

    assert result.findings[0].amount == Decimal("10.01")


def test_below_minimum_dropped() -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        as_of=RIPE,
        unit_costs={SKU: Decimal("0.99")},
    )

    assert result.findings == []
    assert [item.cause for item in result.resolved] == ["below_minimum"]


def test_at_minimum_kept() -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        as_of=RIPE,
        unit_costs={SKU: Decimal("1.00")},
    )

    assert len(result.findings) == 1


def test_minimum_setting_applies() -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        as_of=RIPE,
        unit_costs={SKU: Decimal("4.00")},
        settings=DetectionSettings(min_claim_value=Decimal("5.00")),
    )

    assert result.findings == []


@pytest.mark.parametrize(
    ("as_of", "confidence", "expected_to_pay"),
    [(RIPE, "medium", True), (T0 + days(29), "medium", True), (OLD, "high", False)],
    ids=["8_days", "29_days", "35_days"],
)
def test_confidence_by_age(
    as_of: datetime, confidence: str, expected_to_pay: bool
) -> None:
    result = detect(
        [ledger_row(quantity=-1)],
        as_of=as_of,
        unit_costs={SKU: Decimal("5.00")},
    )

    finding = result.findings[0]
    assert finding.confidence == confidence
    assert finding.amazon_expected_to_pay is expected_to_pay


def test_unknown_value_young_expected_to_pay() -> None:
    result = detect([ledger_row(quantity=-1)], as_of=RIPE)

    finding = result.findings[0]
    assert finding.confidence == "low"
    assert finding.amazon_expected_to_pay is True
