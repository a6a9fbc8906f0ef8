"""Unit value and claim amount of a finding.

Amazon reimburses units lost or damaged before a customer order at their
manufacturing cost: the seller's own figure when the seller gives one, else Amazon's
estimate. The estimate used here is the amount per unit of Amazon's latest
reimbursement for the FNSKU.

NOTE: the reimbursements report covers the whole region and rows are matched by
FNSKU alone, so an FNSKU sold in two marketplaces of one region may take its
estimate, and its credits, from the other marketplace's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CENT = Decimal("0.01")
ZERO_AMOUNT = Decimal("0.00")

ValueSource = Literal["seller_cost", "amazon_estimate", "unknown"]


@dataclass(frozen=True, slots=True)
class AmazonEstimate:
    """Amount per unit of the latest reimbursement row with units for one FNSKU."""

    amount_per_unit: Decimal
    currency: str
    approval_date: datetime
    reimbursement_id: str


@dataclass(frozen=True, slots=True)
class UnitValue:
    """Value of one unit, the currency it is in and where it came from."""

    amount: Decimal | None
    currency: str
    source: ValueSource


def choose_unit_value(
    sku: str,
    fnsku: str,
    unit_costs: Mapping[str, Decimal],
    estimates: Mapping[str, AmazonEstimate],
    marketplace_currency: str,
) -> UnitValue:
    """Pick the seller's cost for the SKU, else Amazon's estimate for the FNSKU.

    A seller cost is taken to be in the marketplace currency. An estimate keeps the
    currency of its reimbursement row, or the marketplace currency when that is
    blank. Without either, the amount is None.
    """
    cost = unit_costs.get(sku)
    if cost is not None:
        return UnitValue(cost, marketplace_currency, "seller_cost")

    estimate = estimates.get(fnsku)
    if estimate is not None:
        currency = estimate.currency or marketplace_currency
        return UnitValue(estimate.amount_per_unit, currency, "amazon_estimate")

    return UnitValue(None, marketplace_currency, "unknown")


def claim_amount(units: int, unit_value: Decimal | None) -> Decimal:
    """Return units x unit_value rounded half up to cents, or 0.00 when unknown."""
    if unit_value is None:
        return ZERO_AMOUNT
    return (unit_value * units).quantize(CENT, rounding=ROUND_HALF_UP)
