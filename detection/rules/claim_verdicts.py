"""The decision the removal and inbound rules share: finding, resolution or wait.

A loss with no open unit needs no claim. Past its window it can no longer be
claimed, and before its window opens the rule reports nothing. A known amount below
the minimum claim value is dropped. What remains becomes a finding.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal, TypeAlias

from detection.models import Confidence, DetectionSettings
from detection.rules.claim_credits import money
from detection.valuation import UnitValue

Verdict: TypeAlias = Literal[
    "finding", "wait", "closed", "window_closed", "below_minimum"
]


def decide(
    *,
    open_units: int,
    opens: datetime,
    closes: datetime,
    unit_value: UnitValue,
    amount: Decimal,
    as_of: datetime,
    settings: DetectionSettings,
) -> Verdict:
    """Return what to report for a loss: "closed" means no unit is open any more."""
    if open_units <= 0:
        return "closed"
    if as_of > closes:
        return "window_closed"
    if as_of < opens:
        return "wait"
    if unit_value.amount is not None and amount < settings.min_claim_value:
        return "below_minimum"
    return "finding"


def value_confidence(
    unit_value: UnitValue, proven: Confidence, proven_reason: str
) -> tuple[Confidence, str]:
    """Lower the confidence to low when no unit value is known."""
    if unit_value.amount is None:
        return "low", "The loss is shown by the data, but no unit value is known."
    return proven, proven_reason


def value_sentence(unit_value: UnitValue, amount: Decimal, sku: str) -> str:
    """Tell the seller how the claim was priced, or what is needed to price it."""
    if unit_value.amount is None:
        return (
            f"The unit value is unknown, so add the unit cost of SKU {sku} to price it."
        )
    sources = {
        "seller_cost": "your unit cost",
        "amazon_estimate": "Amazon's latest reimbursement for this FNSKU",
        "sale_price": "the sale price minus fees",
    }
    source = sources.get(unit_value.source, unit_value.source)
    return (
        f"At {money(unit_value.amount)} {unit_value.currency} per unit from {source}, "
        f"the claim is worth {money(amount)} {unit_value.currency}."
    )


def below_minimum_reason(
    open_units: int, amount: Decimal, currency: str, settings: DetectionSettings
) -> str:
    """Explain that the open units are worth less than the minimum claim value."""
    verb = "is" if open_units == 1 else "are"
    units = "1 open unit" if open_units == 1 else f"{open_units} open units"
    return (
        f"The {units} {verb} worth {money(amount)} {currency}, below the minimum "
        f"claim value of {money(settings.min_claim_value)} {currency}."
    )
