"""Planted fee cases: fee_overcharge and refund_admin_fee.

fee_overcharge, claimable: a fulfillment fee above the fee preview's expected fee,
with the quantity on the Principal row, with no quantity at all (one unit), and with
a listed size tier larger than the measurements imply. Look-alikes: a fee within the
tolerance, a fee Amazon refunded in an adjustment, a charge older than the 90-day
window, an overcharge below the minimum claim value and an order of another
marketplace.

refund_admin_fee, claimable: a refund that kept more than 20% of the referral fee,
and one that kept more than the cap per unit. Look-alikes: the usual 20% fee, the
cap over two units, a partial refund judged on its share, and a refund whose sale
is not in the settlements. Refunds are at most 30 days old, so they stay clear of
the customer-return categories, which wait 45 days or more after a refund.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from tests.detection.generated.calendar import before, plus_days
from tests.detection.generated.seller import GeneratedSeller, Planted

TYPES = ("fee_overcharge", "refund_admin_fee")

_CENT = Decimal("0.01")
_OTHER_MARKETPLACE = {"US": "Amazon.ca", "EU": "Amazon.fr"}


def plant(seller: GeneratedSeller) -> None:
    """Add the fee cases, each on its own SKU."""
    _fee(seller, "fee_over_expected", age=20, expected="4.00", charged="6.40", units=2)
    _fee(
        seller,
        "fee_no_quantity",
        age=40,
        expected="3.10",
        charged="5.25",
        units=None,
    )
    _fee(
        seller,
        "fee_listed_tier_too_large",
        age=60,
        expected="7.00",
        charged="8.60",
        units=3,
        listed_large=True,
    )
    _fee(seller, "fee_within_tolerance", age=15, expected="4.00", charged="4.03")
    _fee(
        seller,
        "fee_refunded",
        age=30,
        expected="4.00",
        charged="6.40",
        refunded="2.40",
    )
    _fee(seller, "fee_window_closed", age=95, expected="4.00", charged="6.40")
    _fee(seller, "fee_below_minimum", age=10, expected="4.00", charged="4.50")
    _fee(
        seller,
        "fee_other_marketplace",
        age=12,
        expected="4.00",
        charged="6.40",
        other_marketplace=True,
    )

    _refund(
        seller,
        "admin_over_share",
        principal="100.00",
        referral="15.00",
        commission_back="12.00",
        admin_fee="3.00",
    )
    _refund(
        seller,
        "admin_over_cap",
        principal="333.00",
        referral="50.00",
        commission_back="50.00",
        admin_fee="10.00",
    )
    _refund(
        seller,
        "admin_usual_share",
        principal="100.00",
        referral="15.00",
        commission_back="15.00",
        admin_fee="3.00",
    )
    _refund(
        seller,
        "admin_cap_two_units",
        principal="333.00",
        referral="50.00",
        commission_back="50.00",
        admin_fee="10.00",
        units=2,
    )
    _refund(
        seller,
        "admin_partial_refund",
        principal="40.00",
        referral="6.00",
        commission_back="3.00",
        admin_fee="0.60",
        units=2,
        refunded_principal="20.00",
    )
    _refund(
        seller,
        "admin_sale_not_settled",
        principal="100.00",
        referral="15.00",
        commission_back="0.00",
        admin_fee="3.00",
        sale_settled=False,
    )


def _settlement(
    seller: GeneratedSeller,
    when: datetime,
    *,
    transaction: str,
    amount_type: str,
    description: str,
    amount: Decimal,
    order_id: str,
    item: str,
    sku: str,
    quantity: int | None = None,
    adjustment_id: str | None = None,
    marketplace: str | None = None,
) -> None:
    seller.add(
        "settlements",
        settlement_id=str(10**10 + seller.seed),
        currency=seller.market.currency,
        transaction_type=transaction,
        order_id=order_id,
        adjustment_id=adjustment_id,
        marketplace_name=marketplace or seller.market.marketplace_name,
        amount_type=amount_type,
        amount_description=description,
        amount=str(amount),
        posted_date_time=when,
        order_item_code=item,
        sku=sku,
        quantity_purchased=quantity,
    )


def _order_ids(seller: GeneratedSeller) -> tuple[str, str]:
    rng = seller.rng
    order = f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7 - 1)}-" + str(
        rng.randint(10**6, 10**7 - 1)
    )
    return order, str(rng.randint(10**13, 10**14 - 1))


def _preview(
    seller: GeneratedSeller,
    sku: str,
    fnsku: str,
    asin: str,
    expected: Decimal,
    *,
    listed_large: bool,
) -> None:
    # A unit that fits the second tier of its region's table: large standard-size
    # in the US (10 x 8 x 2 in, 0.9 lb), small parcel in the EU (30 x 20 x 10 cm,
    # 800 g). With listed_large the preview names a larger tier.
    if seller.market.region == "US":
        sides, length_unit, weight, weight_unit = (
            ("10", "8", "2"),
            "inches",
            "0.9",
            "pounds",
        )
        tier = "Large bulky" if listed_large else "Large standard-size"
    else:
        sides, length_unit, weight, weight_unit = (
            ("30", "20", "10"),
            "centimeters",
            "800",
            "grams",
        )
        tier = "Standard parcel" if listed_large else "Small parcel"
    seller.add(
        "fee_preview",
        row_key=f"{sku}|{fnsku}|{asin}",
        sku=sku,
        fnsku=fnsku,
        asin=asin,
        product_name=f"Product {sku}",
        currency=seller.market.currency,
        longest_side=sides[0],
        median_side=sides[1],
        shortest_side=sides[2],
        unit_of_dimension=length_unit,
        item_package_weight=weight,
        unit_of_weight=weight_unit,
        product_size_tier=tier,
        expected_fulfillment_fee_per_unit=str(expected),
    )


def _fee(
    seller: GeneratedSeller,
    label: str,
    *,
    age: int,
    expected: str,
    charged: str,
    units: int | None = 1,
    refunded: str | None = None,
    listed_large: bool = False,
    other_marketplace: bool = False,
) -> None:
    sku, fnsku, asin = seller.new_sku("FEE")
    order, item = _order_ids(seller)
    when = before(seller.as_of, age)
    expected_fee = Decimal(expected)
    per_unit = Decimal(charged)
    count = units or 1
    marketplace = (
        _OTHER_MARKETPLACE[seller.market.region] if other_marketplace else None
    )
    _preview(seller, sku, fnsku, asin, expected_fee, listed_large=listed_large)
    _settlement(
        seller,
        when,
        transaction="Order",
        amount_type="ItemPrice",
        description="Principal",
        amount=Decimal("19.99") * count,
        order_id=order,
        item=item,
        sku=sku,
        quantity=units,
        marketplace=marketplace,
    )
    _settlement(
        seller,
        when,
        transaction="Order",
        amount_type="ItemFees",
        description="FBAPerUnitFulfillmentFee",
        amount=-per_unit * count,
        order_id=order,
        item=item,
        sku=sku,
        marketplace=marketplace,
    )
    refund = Decimal(refunded) if refunded else Decimal(0)
    if refunded:
        _settlement(
            seller,
            plus_days(when, 5),
            transaction="Adjustment",
            amount_type="ItemFees",
            description="FBAPerUnitFulfillmentFee",
            amount=refund,
            order_id=order,
            item=item,
            sku=sku,
        )

    excess_per_unit = per_unit - refund / count - expected_fee
    amount = (excess_per_unit * count).quantize(_CENT, ROUND_HALF_UP)
    closes = plus_days(when, 90)
    claimable = (
        excess_per_unit > Decimal("0.05")
        and amount >= Decimal("1.00")
        and seller.as_of <= closes
        and not other_marketplace
    )
    seller.plant(
        Planted(
            type="fee_overcharge",
            sku=sku,
            claimable=claimable,
            label=label,
            units=count,
            amount=amount if claimable else None,
            window_opens=when if claimable else None,
            window_closes=closes if claimable else None,
        )
    )


def _refund(
    seller: GeneratedSeller,
    label: str,
    *,
    principal: str,
    referral: str,
    commission_back: str,
    admin_fee: str,
    units: int = 1,
    refunded_principal: str | None = None,
    sale_settled: bool = True,
) -> None:
    sku, _fnsku, _asin = seller.new_sku("ADM")
    order, item = _order_ids(seller)
    sold_at = before(seller.as_of, 28)
    refunded_at = plus_days(sold_at, 8)
    sale_principal = Decimal(principal)
    referral_fee = Decimal(referral)
    back = Decimal(commission_back)
    kept_fee = Decimal(admin_fee)
    refund_principal = Decimal(refunded_principal or principal)
    if sale_settled:
        _settlement(
            seller,
            sold_at,
            transaction="Order",
            amount_type="ItemPrice",
            description="Principal",
            amount=sale_principal,
            quantity=units,
            order_id=order,
            item=item,
            sku=sku,
        )
        _settlement(
            seller,
            sold_at,
            transaction="Order",
            amount_type="ItemFees",
            description="Commission",
            amount=-referral_fee,
            order_id=order,
            item=item,
            sku=sku,
        )
    adjustment = f"amzn1.adj.{seller.seed}.{sku}"
    for amount_type, description, amount in (
        ("ItemPrice", "Principal", -refund_principal),
        ("ItemFees", "Commission", back),
        ("ItemFees", "RefundCommission", -kept_fee),
    ):
        _settlement(
            seller,
            refunded_at,
            transaction="Refund",
            amount_type=amount_type,
            description=description,
            amount=amount,
            adjustment_id=adjustment,
            order_id=order,
            item=item,
            sku=sku,
        )

    # The referral fee of the refunded part, what Amazon kept of it, and the most
    # it may keep: the lower of 5.00 per unit and 20% of that part.
    part = referral_fee * refund_principal / sale_principal
    kept = part - (back - kept_fee)
    allowed = min(Decimal("5.00") * units, Decimal("0.20") * part)
    amount = (kept - allowed).quantize(_CENT, ROUND_HALF_UP)
    claimable = sale_settled and kept - allowed > Decimal("0.05") and amount >= 1
    seller.plant(
        Planted(
            type="refund_admin_fee",
            sku=sku,
            claimable=claimable,
            label=label,
            units=units,
            amount=amount if claimable else None,
            window_opens=refunded_at if claimable else None,
            window_closes=plus_days(refunded_at, 90) if claimable else None,
        )
    )
