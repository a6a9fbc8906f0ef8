"""Planted customer refunds, returns and payouts: refund_not_returned,
return_damaged_by_amazon, underpaid_reimbursement and reversal_without_return.

Claimable: a refund with no return, a two-unit refund with one unit back, a
return damaged by Amazon, a sellable return never restocked. Look-alikes: a
refund whose unit came back, one Amazon reimbursed, one too recent, one past its
window (claimable before the 2024-10-23 policy), a carrier-damaged return that
was paid, a customer-damaged return, a sellable return restocked under its order.
Payouts: a warehouse payout below the unit cost (claimable since 2025-03-31 only),
one within the tolerance, a customer-return payout below the sale value, and an
inbound payout reversed with and without units found again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.detection.generated.calendar import (
    MARCH_2025,
    OCTOBER_2024,
    before,
    plus_days,
)
from tests.detection.generated.seller import GeneratedSeller, Planted

TYPES = (
    "refund_not_returned",
    "return_damaged_by_amazon",
    "underpaid_reimbursement",
    "reversal_without_return",
)

_CENT = Decimal("0.01")


def plant(seller: GeneratedSeller) -> None:
    """Add the refund and return cases, each on its own SKU."""
    _refund(seller, 70, units=1, returned=0, label="refund_kept")
    _refund(seller, 80, units=2, returned=1, label="refund_partly_returned")
    _refund(seller, 70, units=1, returned=1, label="refund_returned")
    _refund(seller, 75, units=1, returned=0, paid=1, label="refund_reimbursed")
    _refund(seller, 20, units=1, returned=0, label="refund_too_recent")
    _refund(seller, 130, units=1, returned=0, label="refund_window_closed")
    _return(seller, 70, "DAMAGED", label="damaged_unpaid")
    _return(seller, 72, "CARRIER_DAMAGED", paid=True, label="carrier_damaged_paid")
    _return(seller, 70, "CUSTOMER_DAMAGED", label="customer_damaged")
    _return(seller, 75, "SELLABLE", label="sellable_not_restocked")
    _return(seller, 75, "SELLABLE", restocked=True, label="sellable_restocked")
    _underpaid_lost(seller, Decimal("0.6"), label="underpaid_lost")
    _underpaid_lost(seller, Decimal("0.97"), label="paid_within_tolerance")
    _underpaid_return(seller, label="underpaid_customer_return")
    _reversal(seller, found=0, label="reversal_unjustified")
    _reversal(seller, found=2, label="reversal_found_again")


def _window_days(seller: GeneratedSeller, refund: datetime) -> tuple[int, int]:
    if refund.date() < OCTOBER_2024:
        return 45, 548
    return (60, 120) if seller.market.region == "US" else (45, 105)


class _Sale:
    """One sold order item: ids, prices per unit and the net value per unit."""

    def __init__(self, seller: GeneratedSeller, prefix: str, units: int) -> None:
        self.sku, self.fnsku, self.asin = seller.new_sku(prefix)
        self.order_id = f"{seller.seed % 1000:03d}-{self.sku[-5:]:0>7}-0000001"
        self.units = units
        rng = seller.rng
        self.price = Decimal(rng.randint(1500, 6000)) / 100
        self.commission = (self.price * Decimal("0.15")).quantize(_CENT)
        self.fba_fee = Decimal(rng.randint(300, 700)) / 100
        self.net = self.price - self.commission - self.fba_fee


def _settlement(
    seller: GeneratedSeller,
    sale: _Sale,
    when: datetime,
    transaction: str,
    amount_type: str,
    description: str,
    amount: Decimal,
    quantity: int | None = None,
) -> None:
    seller.add(
        "settlements",
        settlement_id=f"{seller.seed}{when:%Y%m%d}",
        currency=seller.market.currency,
        transaction_type=transaction,
        order_id=sale.order_id,
        adjustment_id=f"ADJ-{sale.order_id}" if transaction == "Refund" else None,
        marketplace_name=seller.market.marketplace_name,
        amount_type=amount_type,
        amount_description=description,
        amount=str(amount),
        posted_date=when.replace(hour=0),
        posted_date_time=when,
        sku=sale.sku,
        quantity_purchased=quantity,
    )


def _sell_and_refund(seller: GeneratedSeller, sale: _Sale, refund: datetime) -> None:
    sold = before(refund, 10)
    units = sale.units
    _settlement(
        seller, sale, sold, "Order", "ItemPrice", "Principal", sale.price * units, units
    )
    _settlement(
        seller, sale, sold, "Order", "ItemFees", "Commission", -sale.commission * units
    )
    _settlement(
        seller,
        sale,
        sold,
        "Order",
        "ItemFees",
        "FBAPerUnitFulfillmentFee",
        -sale.fba_fee * units,
    )
    # The refund gives back the Principal and the Commission, less an
    # administration fee well under 20% of the Commission.
    _settlement(
        seller, sale, refund, "Refund", "ItemPrice", "Principal", -sale.price * units
    )
    _settlement(
        seller,
        sale,
        refund,
        "Refund",
        "ItemFees",
        "Commission",
        sale.commission * units,
    )
    _settlement(
        seller, sale, refund, "Refund", "ItemFees", "RefundCommission", Decimal("-0.10")
    )


def _customer_return(
    seller: GeneratedSeller, sale: _Sale, when: datetime, disposition: str
) -> None:
    seller.add(
        "customer_returns",
        return_date=when,
        order_id=sale.order_id,
        sku=sale.sku,
        asin=sale.asin,
        fnsku=sale.fnsku,
        product_name=f"Product {sale.sku}",
        quantity=1,
        fulfillment_center_id="PHX7",
        detailed_disposition=disposition,
        reason="UNWANTED_ITEM",
        status="Unit returned to inventory",
        license_plate_number=f"LPN{sale.order_id}{when:%H%M%S%f}",
    )


def _payout(seller: GeneratedSeller, sale: _Sale, when: datetime) -> None:
    seller.add(
        "reimbursements",
        approval_date=when,
        reimbursement_id=str(seller.rng.randint(10**9, 10**10)),
        reason="CustomerReturn",
        sku=sale.sku,
        fnsku=sale.fnsku,
        currency_unit=seller.market.currency,
        amount_per_unit=str(sale.net),
        quantity_reimbursed_total=1,
        quantity_reimbursed_cash=1,
        amazon_order_id=sale.order_id,
    )


def _planted(
    seller: GeneratedSeller,
    kind: str,
    sale: _Sale,
    label: str,
    open_units: int,
    refund: datetime,
) -> None:
    opens_after, closes_after = _window_days(seller, refund)
    opens = plus_days(refund, opens_after)
    closes = plus_days(refund, closes_after)
    claimable = open_units > 0 and opens <= seller.as_of <= closes
    seller.plant(
        Planted(
            type=kind,
            sku=sale.sku,
            claimable=claimable,
            label=label,
            units=open_units,
            amount=(sale.net * open_units).quantize(_CENT) if claimable else None,
            window_opens=opens if claimable else None,
            window_closes=closes if claimable else None,
        )
    )


def _refund(
    seller: GeneratedSeller,
    age_days: int,
    *,
    units: int,
    returned: int,
    label: str,
    paid: int = 0,
) -> None:
    sale = _Sale(seller, "RFND", units)
    refund = before(seller.as_of, age_days)
    _sell_and_refund(seller, sale, refund)
    for index in range(returned):
        # Sellable and restocked under the order, so no return finding either.
        back = plus_days(refund, 6 + index)
        _customer_return(seller, sale, back, "SELLABLE")
        _restock(seller, sale, plus_days(back, 1))
    for _ in range(paid):
        _payout(seller, sale, plus_days(refund, 50))
    open_units = units - returned - paid
    _planted(seller, "refund_not_returned", sale, label, open_units, refund)


def _restock(seller: GeneratedSeller, sale: _Sale, when: datetime) -> None:
    seller.add(
        "ledger_detail",
        occurred_at=when,
        fnsku=sale.fnsku,
        asin=sale.asin,
        msku=sale.sku,
        title=f"Product {sale.sku}",
        event_type="CustomerReturns",
        reference_id=sale.order_id,
        quantity=1,
        fulfillment_center="PHX7",
    )


def _return(
    seller: GeneratedSeller,
    age_days: int,
    disposition: str,
    *,
    label: str,
    paid: bool = False,
    restocked: bool = False,
) -> None:
    sale = _Sale(seller, "RTRN", 1)
    refund = before(seller.as_of, age_days)
    _sell_and_refund(seller, sale, refund)
    back = plus_days(refund, 7)
    _customer_return(seller, sale, back, disposition)
    if restocked:
        _restock(seller, sale, plus_days(back, 2))
    if paid:
        _payout(seller, sale, plus_days(back, 5))
    amazon_fault = disposition in ("DAMAGED", "CARRIER_DAMAGED")
    missing = disposition == "SELLABLE" and not restocked
    open_units = 1 if (amazon_fault or missing) and not paid else 0
    _planted(seller, "return_damaged_by_amazon", sale, label, open_units, refund)


def _reimbursement(
    seller: GeneratedSeller,
    sale: _Sale,
    when: datetime,
    reason: str,
    units: int,
    per_unit: Decimal,
    *,
    order_id: str | None = None,
    original: str | None = None,
) -> str:
    reimbursement_id = str(seller.rng.randint(10**9, 10**10))
    seller.add(
        "reimbursements",
        approval_date=when,
        reimbursement_id=reimbursement_id,
        reason=reason,
        sku=sale.sku,
        fnsku=sale.fnsku,
        currency_unit=seller.market.currency,
        amount_per_unit=str(per_unit),
        quantity_reimbursed_total=units,
        quantity_reimbursed_cash=units,
        amazon_order_id=order_id,
        original_reimbursement_id=original,
    )
    return reimbursement_id


def _plant_payout(
    seller: GeneratedSeller,
    kind: str,
    sku: str,
    label: str,
    claimable: bool,
    units: int,
    amount: Decimal,
    event: datetime,
) -> None:
    seller.plant(
        Planted(
            type=kind,
            sku=sku,
            claimable=claimable,
            label=label,
            units=units,
            amount=amount if claimable else None,
            window_opens=event if claimable else None,
            window_closes=plus_days(event, 60) if claimable else None,
        )
    )


def _underpaid_lost(seller: GeneratedSeller, share: Decimal, *, label: str) -> None:
    sale = _Sale(seller, "UNDR", 2)
    cost = Decimal(seller.rng.randint(800, 4000)) / 100
    seller.unit_costs[sale.sku] = cost
    paid = (cost * share).quantize(_CENT)
    approved = before(seller.as_of, 10)
    _reimbursement(seller, sale, approved, "Lost_Warehouse", 2, paid)
    # No sale of the SKU exists, so before 2025-03-31 nothing prices the payout.
    claimable = approved.date() >= MARCH_2025 and paid < cost * Decimal("0.95")
    amount = ((cost - paid) * 2).quantize(_CENT)
    _plant_payout(
        seller,
        "underpaid_reimbursement",
        sale.sku,
        label,
        claimable,
        2,
        amount,
        approved,
    )


def _underpaid_return(seller: GeneratedSeller, *, label: str) -> None:
    sale = _Sale(seller, "UNDR", 1)
    approved = before(seller.as_of, 10)
    sold = before(approved, 40)
    _settlement(seller, sale, sold, "Order", "ItemPrice", "Principal", sale.price, 1)
    _settlement(seller, sale, sold, "Order", "ItemFees", "Commission", -sale.commission)
    _settlement(
        seller,
        sale,
        sold,
        "Order",
        "ItemFees",
        "FBAPerUnitFulfillmentFee",
        -sale.fba_fee,
    )
    paid = (sale.net / 2).quantize(_CENT)
    _reimbursement(
        seller, sale, approved, "CustomerReturn", 1, paid, order_id=sale.order_id
    )
    amount = sale.net - paid
    _plant_payout(
        seller, "underpaid_reimbursement", sale.sku, label, True, 1, amount, approved
    )


def _reversal(seller: GeneratedSeller, *, found: int, label: str) -> None:
    sale = _Sale(seller, "RVRS", 2)
    paid_at = before(seller.as_of, 25)
    reversed_at = before(seller.as_of, 10)
    per_unit = Decimal(seller.rng.randint(500, 3000)) / 100
    original = _reimbursement(seller, sale, paid_at, "Lost_Inbound", 2, per_unit)
    _reimbursement(
        seller,
        sale,
        reversed_at,
        "Reimbursement_Reversal",
        -2,
        per_unit,
        original=original,
    )
    if found:
        seller.add(
            "ledger_detail",
            occurred_at=plus_days(paid_at, 4),
            fnsku=sale.fnsku,
            asin=sale.asin,
            msku=sale.sku,
            title=f"Product {sale.sku}",
            event_type="Adjustments",
            reference_id=str(seller.rng.randint(10**9, 10**10)),
            quantity=found,
            fulfillment_center="PHX7",
            reason="F",
        )
    open_units = 2 - found
    _plant_payout(
        seller,
        "reversal_without_return",
        sale.sku,
        label,
        open_units > 0,
        open_units,
        per_unit * open_units,
        reversed_at,
    )
