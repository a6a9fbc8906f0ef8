"""The decision the removal and inbound rules share: finding, resolution or wait.

A loss with no open unit needs no claim. Past its window it can no longer be
claimed, and before its window opens the rule reports nothing. A known amount below
the minimum claim value is dropped. What remains becomes a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Literal, NamedTuple, TypeAlias

from detection.models import Confidence, DetectionSettings
from detection.policy import ClaimWindow, claim_window
from detection.rules.base import RuleContext
from detection.rules.claim_credits import money
from detection.valuation import (
    AmazonEstimate,
    UnitValue,
    choose_unit_value,
    claim_amount,
)

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


class PricedLoss(NamedTuple):
    """A loss's unit value, claim window, amount and verdict."""

    unit_value: UnitValue
    window: ClaimWindow
    amount: Decimal
    verdict: Verdict


def price_and_decide(
    *,
    window_key: str,
    event_at: datetime,
    sku: str,
    fnsku: str,
    open_units: int,
    estimates: Mapping[str, AmazonEstimate],
    context: RuleContext,
) -> PricedLoss:
    """Value the open units by the policy of the event's date, find the claim
    window of `window_key` and decide what to report."""
    settings = context.settings
    unit_value = choose_unit_value(
        sku,
        fnsku,
        context.unit_costs,
        estimates,
        settings.marketplace_currency,
        event_at=event_at,
    )
    window = claim_window(
        window_key, event_at, settings.region, settings.window_overrides
    )
    amount = claim_amount(open_units, unit_value.amount)
    verdict = decide(
        open_units=open_units,
        opens=window.opens,
        closes=window.closes,
        unit_value=unit_value,
        amount=amount,
        as_of=context.as_of,
        settings=settings,
    )
    return PricedLoss(unit_value, window, amount, verdict)


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
