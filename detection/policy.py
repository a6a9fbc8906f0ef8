"""Amazon's reimbursement policy as dated data: claim windows and valuation rules.

Amazon changes its policy on fixed dates, and a change applies to the events dated
on or after it. Each rule below is one row with the date it took effect, so an
event is judged by the policy of its own date: a loss from September 2024 keeps the
18-month window, one from November 2024 gets 60 days. Rules change by adding rows,
never by editing constants in a rule.

Facts DOMAIN.md marks unverified are rows with ``verified=False``; their numbers can
be replaced through ``DetectionSettings.window_overrides`` without a code change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeAlias

PolicyRegion: TypeAlias = Literal["US", "EU"]
ValuationBasis: TypeAlias = Literal["manufacturing_cost", "replacement_value"]

# The SP-API region of a marketplace decides which regional policy applies. The
# Far East follows the US rows until Amazon publishes its own.
_POLICY_REGION_BY_SPAPI_REGION: Mapping[str, PolicyRegion] = {
    "NA": "US",
    "EU": "EU",
    "FE": "US",
}

OCTOBER_2024_WINDOWS = date(2024, 10, 23)
"""Manual claim windows shortened to 60 days (and 60 to 120 for customer returns)."""
NOVEMBER_2024_PROACTIVE = date(2024, 11, 1)
"""Amazon reimburses most warehouse and customer-return cases without a claim."""
MARCH_2025_VALUATION = date(2025, 3, 31)
"""Units lost before an order are valued at manufacturing cost."""

_BEFORE_ALL = date(2000, 1, 1)
_EIGHTEEN_MONTHS = 548


@dataclass(frozen=True, slots=True)
class WindowRule:
    """When a manual claim of one category may be filed, for events since a date.

    The window opens ``opens_after_days`` after the event it is anchored to and
    closes ``closes_after_days`` after it. ``region`` None applies everywhere.
    """

    category: str
    effective_from: date
    opens_after_days: int
    closes_after_days: int
    anchor: str
    """The event the days count from, in words, for the finding's reason."""
    region: PolicyRegion | None = None
    verified: bool = True


@dataclass(frozen=True, slots=True)
class ClaimWindow:
    """The window of one event, with the rule that produced it."""

    opens: datetime
    closes: datetime
    rule: WindowRule

    def contains(self, moment: datetime) -> bool:
        """Return True when `moment` lies inside the window, both ends included."""
        return self.opens <= moment <= self.closes


# Rows per category, oldest first. Before 2024-10-23 Amazon accepted claims for 18
# months after the event for every category it reimbursed.
WINDOW_RULES: tuple[WindowRule, ...] = (
    WindowRule("lost_inventory", _BEFORE_ALL, 0, _EIGHTEEN_MONTHS, "the adjustment"),
    WindowRule("lost_inventory", OCTOBER_2024_WINDOWS, 0, 60, "the adjustment"),
    WindowRule("damaged_inventory", _BEFORE_ALL, 0, _EIGHTEEN_MONTHS, "the damage"),
    WindowRule("damaged_inventory", OCTOBER_2024_WINDOWS, 0, 60, "the damage"),
    WindowRule(
        "disposed_without_order", _BEFORE_ALL, 0, _EIGHTEEN_MONTHS, "the disposal"
    ),
    WindowRule("disposed_without_order", OCTOBER_2024_WINDOWS, 0, 60, "the disposal"),
    WindowRule("refund_not_returned", _BEFORE_ALL, 45, _EIGHTEEN_MONTHS, "the refund"),
    WindowRule(
        "refund_not_returned", OCTOBER_2024_WINDOWS, 60, 120, "the refund", region="US"
    ),
    WindowRule(
        "refund_not_returned", OCTOBER_2024_WINDOWS, 45, 105, "the refund", region="EU"
    ),
    WindowRule(
        "return_damaged_by_amazon", _BEFORE_ALL, 45, _EIGHTEEN_MONTHS, "the refund"
    ),
    WindowRule(
        "return_damaged_by_amazon",
        OCTOBER_2024_WINDOWS,
        60,
        120,
        "the refund",
        region="US",
    ),
    WindowRule(
        "return_damaged_by_amazon",
        OCTOBER_2024_WINDOWS,
        45,
        105,
        "the refund",
        region="EU",
    ),
    # Inbound shortages: 15 to 60 days after delivery in 2024-25 notices; older EU
    # and UK help pages give 6 months. Unverified, so kept overridable.
    WindowRule(
        "inbound_shortage",
        _BEFORE_ALL,
        15,
        60,
        "the shipment's delivery",
        verified=False,
    ),
    WindowRule(
        "removal_lost", _BEFORE_ALL, 0, _EIGHTEEN_MONTHS, "the removal shipment"
    ),
    WindowRule(
        "removal_lost", OCTOBER_2024_WINDOWS, 15, 75, "the removal shipment's creation"
    ),
    WindowRule("removal_incomplete", _BEFORE_ALL, 0, _EIGHTEEN_MONTHS, "completion"),
    WindowRule(
        "removal_incomplete", OCTOBER_2024_WINDOWS, 0, 60, "the order's completion"
    ),
    WindowRule("fee_overcharge", _BEFORE_ALL, 0, 90, "the fee charge"),
    WindowRule("refund_admin_fee", _BEFORE_ALL, 0, 90, "the refund", verified=False),
    WindowRule(
        "underpaid_reimbursement",
        _BEFORE_ALL,
        0,
        60,
        "the reimbursement's approval",
        verified=False,
    ),
    WindowRule(
        "reversal_without_return",
        _BEFORE_ALL,
        0,
        60,
        "the reversal",
        verified=False,
    ),
)


@dataclass(frozen=True, slots=True)
class ValuationRule:
    """The valuation basis of units lost before a customer order, since a date."""

    effective_from: date
    basis: ValuationBasis


VALUATION_RULES: tuple[ValuationRule, ...] = (
    ValuationRule(_BEFORE_ALL, "replacement_value"),
    ValuationRule(MARCH_2025_VALUATION, "manufacturing_cost"),
)


@dataclass(frozen=True, slots=True)
class ProactiveRule:
    """The proactive-payout state of one category, for events since a date."""

    category: str
    effective_from: date
    proactive: bool


PROACTIVE_RULES: tuple[ProactiveRule, ...] = (
    ProactiveRule("lost_inventory", _BEFORE_ALL, False),
    ProactiveRule("lost_inventory", NOVEMBER_2024_PROACTIVE, True),
    ProactiveRule("damaged_inventory", _BEFORE_ALL, False),
    ProactiveRule("damaged_inventory", NOVEMBER_2024_PROACTIVE, True),
    ProactiveRule("refund_not_returned", _BEFORE_ALL, False),
    ProactiveRule("refund_not_returned", NOVEMBER_2024_PROACTIVE, True),
    ProactiveRule("return_damaged_by_amazon", _BEFORE_ALL, False),
    ProactiveRule("return_damaged_by_amazon", NOVEMBER_2024_PROACTIVE, True),
)


def policy_region(spapi_region: str) -> PolicyRegion:
    """Return the regional policy ("US" or "EU") for an SP-API region (NA, EU, FE).

    Raises ValueError for an unknown region.
    """
    try:
        return _POLICY_REGION_BY_SPAPI_REGION[spapi_region.upper()]
    except KeyError:
        known = sorted(_POLICY_REGION_BY_SPAPI_REGION)
        raise ValueError(
            f"unknown SP-API region {spapi_region!r}; known: {known}"
        ) from None


def window_rule(
    category: str,
    event_at: datetime,
    region: PolicyRegion,
    rules: Sequence[WindowRule] = WINDOW_RULES,
) -> WindowRule:
    """Return the window rule in force on the event's UTC date for the region.

    A rule for the region wins over a rule for every region of the same date.
    Raises LookupError when no rule covers the category on that date.
    """
    day = event_at.astimezone(UTC).date()
    chosen: WindowRule | None = None
    for rule in rules:
        if rule.category != category or rule.effective_from > day:
            continue
        if rule.region is not None and rule.region != region:
            continue
        if (
            chosen is None
            or rule.effective_from > chosen.effective_from
            or (rule.effective_from == chosen.effective_from and rule.region)
        ):
            chosen = rule
    if chosen is None:
        raise LookupError(f"no claim window rule for {category!r} on {day}")
    return chosen


def claim_window(
    category: str,
    event_at: datetime,
    region: PolicyRegion,
    overrides: Mapping[str, tuple[int, int]] | None = None,
) -> ClaimWindow:
    """Return the claim window of an event, by the policy of the event's date.

    `overrides` maps a category to (opens_after_days, closes_after_days) and
    replaces the table's numbers for that category, for unverified rules.
    """
    rule = window_rule(category, event_at, region)
    if overrides and category in overrides:
        opens_after, closes_after = overrides[category]
        rule = WindowRule(
            rule.category,
            rule.effective_from,
            opens_after,
            closes_after,
            rule.anchor,
            rule.region,
            rule.verified,
        )
    return ClaimWindow(
        opens=event_at + timedelta(days=rule.opens_after_days),
        closes=event_at + timedelta(days=rule.closes_after_days),
        rule=rule,
    )


def valuation_basis(event_at: datetime) -> ValuationBasis:
    """Return how units lost before an order on the event's UTC date are valued."""
    day = event_at.astimezone(UTC).date()
    basis: ValuationBasis = VALUATION_RULES[0].basis
    for rule in VALUATION_RULES:
        if rule.effective_from <= day:
            basis = rule.basis
    return basis


def amazon_pays_proactively(category: str, event_at: datetime) -> bool:
    """Return True when Amazon reimburses the category on its own on that date."""
    day = event_at.astimezone(UTC).date()
    proactive = False
    for rule in PROACTIVE_RULES:
        if rule.category == category and rule.effective_from <= day:
            proactive = rule.proactive
    return proactive
