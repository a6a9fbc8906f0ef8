"""Planted warehouse losses: lost_inventory and damaged_inventory.

Claimable: misplaced units nothing offsets, partly found, partly reimbursed, a
reimbursement that was reversed, damaged units not paid. Look-alikes: units found
again, reimbursed in cash or with inventory (also on the same day as the loss),
corrected by an O adjustment, too recent, outside the claim window, and a payout
long before the loss that belongs to an earlier one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tests.detection.generated.calendar import (
    MARCH_2025,
    OCTOBER_2024,
    before,
    plus_business_days,
    plus_days,
)
from tests.detection.generated.seller import GeneratedSeller, Planted

TYPES = ("lost_inventory", "damaged_inventory")

_CENT = Decimal("0.01")


def plant(seller: GeneratedSeller) -> None:
    """Add the warehouse cases, each on its own SKU."""
    for age in (12, 40):
        _lost(seller, age, found=0, reimbursed=0, label=f"lost_open_{age}d")
    _lost(seller, 25, found=1, reimbursed=0, label="lost_partly_found")
    _lost(seller, 30, found=0, reimbursed=2, label="lost_partly_reimbursed")
    _lost(seller, 22, found=0, reimbursed=3, reversed_units=3, label="lost_reversed")
    _lost(seller, 20, found=3, reimbursed=0, label="found_again")
    _lost(seller, 28, found=0, reimbursed=3, label="reimbursed_cash")
    _lost(seller, 28, found=0, reimbursed=3, inventory=True, label="reimbursed_stock")
    _lost(seller, 18, found=0, reimbursed=3, same_day=True, label="paid_same_day")
    _lost(seller, 24, found=0, reimbursed=0, corrected=3, label="corrected")
    _lost(seller, 2, found=0, reimbursed=0, label="too_recent")
    _lost(seller, 0, found=0, reimbursed=0, label="window_closed", closed=True)
    _lost(seller, 26, found=0, reimbursed=0, early_payout=True, label="early_payout")
    # Losses on each side of the 2024-10-23 change, evaluated long after it: the
    # day before keeps the 18-month window, the day of the change gets 60 days.
    for event_day in (date(2024, 10, 22), date(2024, 10, 23)):
        if seller.as_of.date() > event_day + timedelta(days=10):
            age = (seller.as_of.date() - event_day).days
            _lost(seller, age, found=0, reimbursed=0, label=f"lost_on_{event_day}")
    _damaged(seller, 15, reimbursed=0, label="damaged_open")
    _damaged(seller, 20, reimbursed=2, label="damaged_reimbursed")
    _damaged(seller, 5, reimbursed=0, label="damaged_too_recent")


def _window_days(event: datetime) -> int:
    return 60 if event.date() >= OCTOBER_2024 else 548


def _unit_value(seller: GeneratedSeller, event: datetime, cost: Decimal) -> Decimal:
    # Amazon's estimate is the latest reimbursement's amount per unit; every case
    # below writes one at 0.8 x cost, so the policy date decides which one counts.
    estimate = (cost * Decimal("0.8")).quantize(_CENT)
    return cost if event.date() >= MARCH_2025 else estimate


def _product(seller: GeneratedSeller, prefix: str) -> tuple[str, str, str, Decimal]:
    sku, fnsku, asin = seller.new_sku(prefix)
    cost = Decimal(seller.rng.randint(400, 4000)) / 100
    seller.unit_costs[sku] = cost
    return sku, fnsku, asin, cost


def _ledger(
    seller: GeneratedSeller,
    when: datetime,
    ids: tuple[str, str, str],
    code: str,
    quantity: int,
    unreconciled: int | None = None,
) -> None:
    sku, fnsku, asin = ids
    seller.add(
        "ledger_detail",
        occurred_at=when,
        fnsku=fnsku,
        asin=asin,
        msku=sku,
        title=f"Product {sku}",
        event_type="Adjustments",
        reference_id=str(seller.rng.randint(10**9, 10**10)),
        quantity=quantity,
        fulfillment_center="PHX7",
        reason=code,
        unreconciled_quantity=unreconciled,
    )


def _reimbursement(
    seller: GeneratedSeller,
    when: datetime,
    ids: tuple[str, str, str],
    reason: str,
    units: int,
    per_unit: Decimal,
    *,
    original: str | None = None,
) -> str:
    sku, fnsku, _asin = ids
    reimbursement_id = str(seller.rng.randint(10**9, 10**10))
    seller.add(
        "reimbursements",
        approval_date=when,
        reimbursement_id=reimbursement_id,
        reason=reason,
        sku=sku,
        fnsku=fnsku,
        currency_unit=seller.market.currency,
        amount_per_unit=str(per_unit),
        quantity_reimbursed_total=units,
        original_reimbursement_id=original,
    )
    return reimbursement_id


def _estimate_row(
    seller: GeneratedSeller, ids: tuple[str, str, str], event: datetime, cost: Decimal
) -> None:
    # A customer-return payout 130 days before the loss: it only gives the estimate,
    # because no warehouse loss takes credits that old.
    estimate = (cost * Decimal("0.8")).quantize(_CENT)
    _reimbursement(seller, before(event, 130), ids, "CustomerReturn", 1, estimate)


def _lost(
    seller: GeneratedSeller,
    age_days: int,
    *,
    found: int,
    reimbursed: int,
    label: str,
    reversed_units: int = 0,
    inventory: bool = False,
    same_day: bool = False,
    corrected: int = 0,
    closed: bool = False,
    early_payout: bool = False,
) -> None:
    sku, fnsku, asin, cost = _product(seller, "LOST")
    ids = (sku, fnsku, asin)
    lost_units = 3
    if closed:
        # One day past the window of the policy of that day.
        probe = before(seller.as_of, 61)
        age_days = _window_days(probe) + 1
    event = before(seller.as_of, age_days)
    _estimate_row(seller, ids, event, cost)
    _ledger(seller, event, ids, "M", -lost_units, unreconciled=None)
    per_unit = (cost * Decimal("0.8")).quantize(_CENT)
    if found:
        _ledger(seller, plus_days(event, 1), ids, "F", found)
    if corrected:
        _ledger(seller, plus_days(event, 1), ids, "O", corrected)
    if reimbursed:
        paid_at = event if same_day else plus_days(event, 2)
        if inventory:
            _ledger(seller, paid_at, ids, "N", reimbursed)
        else:
            first = _reimbursement(
                seller, paid_at, ids, "Lost_Warehouse", reimbursed, per_unit
            )
            if reversed_units:
                _reimbursement(
                    seller,
                    plus_days(event, 5),
                    ids,
                    "Reimbursement_Reversal",
                    -reversed_units,
                    per_unit,
                    original=first,
                )
    if early_payout:
        _reimbursement(seller, before(event, 40), ids, "Lost_Warehouse", 3, per_unit)

    open_units = lost_units - found - corrected - reimbursed + reversed_units
    opens = plus_business_days(event, 5)
    closes = plus_days(event, _window_days(event))
    claimable = open_units > 0 and opens <= seller.as_of <= closes
    value = _unit_value(seller, event, cost)
    if early_payout:
        # The early payout is the latest reimbursement row, so it sets the estimate.
        value = cost if event.date() >= MARCH_2025 else per_unit
    seller.plant(
        Planted(
            type="lost_inventory",
            sku=sku,
            claimable=claimable,
            label=label,
            units=open_units,
            amount=(value * open_units).quantize(_CENT, ROUND_HALF_UP)
            if claimable
            else None,
            window_opens=opens if claimable else None,
            window_closes=closes if claimable else None,
        )
    )


def _damaged(
    seller: GeneratedSeller, age_days: int, *, reimbursed: int, label: str
) -> None:
    sku, fnsku, asin, cost = _product(seller, "DMG")
    ids = (sku, fnsku, asin)
    damaged_units = 2
    event = before(seller.as_of, age_days)
    _estimate_row(seller, ids, event, cost)
    _ledger(seller, event, ids, "E", -damaged_units, unreconciled=damaged_units)
    _ledger(seller, event, ids, "P", damaged_units)
    per_unit = (cost * Decimal("0.8")).quantize(_CENT)
    if reimbursed:
        _reimbursement(
            seller, plus_days(event, 3), ids, "Damaged_Warehouse", reimbursed, per_unit
        )
    open_units = damaged_units - reimbursed
    opens = plus_days(event, 10)
    closes = plus_days(event, _window_days(event))
    claimable = open_units > 0 and opens <= seller.as_of <= closes
    value = _unit_value(seller, event, cost)
    seller.plant(
        Planted(
            type="damaged_inventory",
            sku=sku,
            claimable=claimable,
            label=label,
            units=open_units,
            amount=(value * open_units).quantize(_CENT, ROUND_HALF_UP)
            if claimable
            else None,
            window_opens=opens if claimable else None,
            window_closes=closes if claimable else None,
        )
    )
