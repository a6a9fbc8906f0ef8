"""Unit value and claim amount of a finding.

Since 2025-03-31 Amazon reimburses units lost or damaged before a customer order
at their manufacturing cost: the seller's own figure when the seller gives one,
else Amazon's estimate, else the sale price minus fees. Before that date it paid a
replacement value, which Amazon's own estimate reflects best, so the estimate comes
first for older events. Units lost after an order are worth their sale price minus
fees. The estimate used here is the amount per unit of Amazon's latest
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

from detection.policy import valuation_basis

CENT = Decimal("0.01")
ZERO_AMOUNT = Decimal("0.00")

ValueSource = Literal[
    "seller_cost", "amazon_estimate", "sale_price", "fee_schedule", "unknown"
]


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
    *,
    event_at: datetime | None = None,
    after_order: bool = False,
    sale_value: Decimal | None = None,
) -> UnitValue:
    """Value one unit by the policy of the event's date (see the module docstring).

    Before an order, since 2025-03-31 (and when `event_at` is None): the seller's
    cost for the SKU, else Amazon's estimate for the FNSKU, else `sale_value` (the
    sale price minus fees). Before 2025-03-31 the estimate comes first. After an
    order (`after_order`): `sale_value`, else the estimate, else the seller's cost.
    A seller cost and a sale value are in the marketplace currency. An estimate
    keeps its row's currency, or takes the marketplace currency when that is blank.
    Without any of them the amount is None.
    """
    candidates: dict[ValueSource, UnitValue | None] = {
        "seller_cost": _value(unit_costs.get(sku), marketplace_currency, "seller_cost"),
        "amazon_estimate": _estimate_value(estimates.get(fnsku), marketplace_currency),
        "sale_price": _value(sale_value, marketplace_currency, "sale_price"),
    }
    order: tuple[ValueSource, ...]
    if after_order:
        order = ("sale_price", "amazon_estimate", "seller_cost")
    elif event_at is not None and valuation_basis(event_at) == "replacement_value":
        order = ("amazon_estimate", "seller_cost", "sale_price")
    else:
        order = ("seller_cost", "amazon_estimate", "sale_price")
    for source in order:
        chosen = candidates[source]
        if chosen is not None:
            return chosen
    return UnitValue(None, marketplace_currency, "unknown")


def _value(
    amount: Decimal | None, currency: str, source: ValueSource
) -> UnitValue | None:
    return None if amount is None else UnitValue(amount, currency, source)


def _estimate_value(
    estimate: AmazonEstimate | None, marketplace_currency: str
) -> UnitValue | None:
    if estimate is None:
        return None
    currency = estimate.currency or marketplace_currency
    return UnitValue(estimate.amount_per_unit, currency, "amazon_estimate")


def claim_amount(units: int, unit_value: Decimal | None) -> Decimal:
    """Return units x unit_value rounded half up to cents, or 0.00 when unknown."""
    if unit_value is None:
        return ZERO_AMOUNT
    return (unit_value * units).quantize(CENT, rounding=ROUND_HALF_UP)
