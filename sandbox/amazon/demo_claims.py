"""The demo seller's planted cases beyond lost and damaged inventory.

Each case sits on its own FNSKU from the second catalog, and the seller's unit
cost of each of those products is listed in the manifest. Days count back from
the anchor day, so each case keeps its outcome for detection run on the anchor
day (UTC) or up to three days after it. Claimable cases are at least 5 days
inside their window on both ends, and look-alikes differ from a claimable case
by the one fact that makes them not claimable.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .demo_catalog import Product
from .demo_commerce import (
    OVERCHARGED_TIER,
    ClaimPlanter,
    admin_fee_limit,
    refund_grace_days,
    tier_fee,
)
from .demo_planter import WAREHOUSE_WINDOW_DAYS

DISPOSED = "disposed_without_order"
REFUND_NOT_RETURNED = "refund_not_returned"
RETURN_DAMAGED = "return_damaged_by_amazon"
INBOUND_SHORTAGE = "inbound_shortage"
REMOVAL_LOST = "removal_lost"
FEE_OVERCHARGE = "fee_overcharge"
REFUND_ADMIN_FEE = "refund_admin_fee"
UNDERPAID = "underpaid_reimbursement"
REVERSAL = "reversal_without_return"

SELLER_COST = "seller_unit_cost"
SALE_MINUS_FEES = "sale_price_minus_fees"
"""A unit lost after a customer order is worth its sale price minus the fees
withheld (Amazon's policy since 2025-03-31)."""
FEE_DIFFERENCE = "fee_difference"
COST_MINUS_PAID = "seller_unit_cost_minus_paid"
REVERSED_AMOUNT = "reversed_amount_per_unit"

INBOUND_OPENS_DAYS = 15
INBOUND_CLOSES_DAYS = 60
"""Inbound shortage window after the receipt (unverified policy, a setting)."""
FEE_WINDOW_DAYS = 90
ADMIN_FEE_WINDOW_DAYS = 90
RETURN_WINDOW_DAYS = 60
"""Length of a customer-return window once the refund's grace period ends."""
UNDERPAID_WINDOW_DAYS = 60
REVERSAL_WINDOW_DAYS = 60
"""NOTE: Amazon publishes no window for disputing a reversal. 60 days is a guess."""

_CENT = Decimal("0.01")


def _days(start: datetime, opens: int, closes: int) -> tuple[datetime, datetime]:
    """Return the window from `opens` to `closes` days after `start`.

    Days are 24 hours counted from the UTC time, as the detection rules count
    them, so a window that spans a daylight saving change keeps its length.
    """
    utc_start = start.astimezone(UTC)
    return utc_start + timedelta(days=opens), utc_start + timedelta(days=closes)


def _cost(p: ClaimPlanter, product: Product) -> Decimal:
    return p.seller_costs[product.fnsku]


def _disposed_no_order(p: ClaimPlanter, product: Product) -> None:
    row = p.base.adjustment(product, p.at(20, 11, 30), "D", -3)
    p.claim(
        "disposed_no_order",
        DISPOSED,
        product,
        3,
        "3 sellable units disposed of (D) with no disposal removal order.",
        reference_id=row.reference_id,
        event_at=row.occurred_at,
        window=_days(row.occurred_at, 0, WAREHOUSE_WINDOW_DAYS),
        unit_value=_cost(p, product),
        value_basis=SELLER_COST,
        ledger_rows=(row,),
    )


def _donated_no_order(p: ClaimPlanter, product: Product) -> None:
    row = p.base.adjustment(product, p.at(28, 15, 10), "G", -2)
    p.claim(
        "donated_no_order",
        DISPOSED,
        product,
        2,
        "2 units donated (G) with no disposal removal order.",
        reference_id=row.reference_id,
        event_at=row.occurred_at,
        window=_days(row.occurred_at, 0, WAREHOUSE_WINDOW_DAYS),
        unit_value=_cost(p, product),
        value_basis=SELLER_COST,
        ledger_rows=(row,),
    )


def _disposed_with_order(p: ClaimPlanter, product: Product) -> None:
    order = p.removal(product, "Disposal", 27, 25, "Completed", (2, 0, 2, 0, 0))
    row = p.base.adjustment(product, p.at(25, 12, 0), "D", -2)
    p.claim(
        "disposed_with_order",
        DISPOSED,
        product,
        0,
        "2 units disposed of (D) two days after the seller's Disposal removal "
        "order for them.",
        reference_id=row.reference_id,
        event_at=row.occurred_at,
        window=_days(row.occurred_at, 0, WAREHOUSE_WINDOW_DAYS),
        unit_value=_cost(p, product),
        value_basis=SELLER_COST,
        units_lost=2,
        order_id=order.order_id,
        ledger_rows=(row,),
    )


def _refund_window(p: ClaimPlanter, refunded: datetime) -> tuple[datetime, datetime]:
    grace = refund_grace_days(p.market)
    return _days(refunded, grace, grace + RETURN_WINDOW_DAYS)


def _refund_not_returned(p: ClaimPlanter, product: Product) -> None:
    sale = p.sale(product, 82)
    refunded = p.refund(sale, 75)
    p.claim(
        "refund_not_returned",
        REFUND_NOT_RETURNED,
        product,
        1,
        "Refunded 75 days ago. The unit never came back and Amazon paid nothing.",
        reference_id=sale.order_id,
        event_at=refunded,
        window=_refund_window(p, refunded),
        unit_value=sale.net_per_unit(),
        value_basis=SALE_MINUS_FEES,
        order_id=sale.order_id,
    )


def _refund_returned(p: ClaimPlanter, product: Product) -> None:
    sale = p.sale(product, 80)
    refunded = p.refund(sale, 74)
    p.customer_return(sale, 70, "SELLABLE")
    p.claim(
        "refund_returned",
        REFUND_NOT_RETURNED,
        product,
        0,
        "Refunded 74 days ago and returned sellable 4 days later.",
        reference_id=sale.order_id,
        event_at=refunded,
        window=_refund_window(p, refunded),
        unit_value=sale.net_per_unit(),
        value_basis=SALE_MINUS_FEES,
        units_lost=1,
        order_id=sale.order_id,
    )


def _refund_reimbursed(p: ClaimPlanter, product: Product) -> None:
    sale = p.sale(product, 84)
    refunded = p.refund(sale, 78)
    payout = p.base.reimburse(
        product,
        14,
        "CustomerReturn",
        1,
        order_id=sale.order_id,
        amount_per_unit=sale.net_per_unit(),
    )
    p.claim(
        "refund_reimbursed",
        REFUND_NOT_RETURNED,
        product,
        0,
        "Refunded 78 days ago, not returned, and paid by a CustomerReturn "
        "reimbursement for the order 14 days ago.",
        reference_id=sale.order_id,
        event_at=refunded,
        window=_refund_window(p, refunded),
        unit_value=sale.net_per_unit(),
        value_basis=SALE_MINUS_FEES,
        units_lost=1,
        order_id=sale.order_id,
        reimbursement_id=payout.reimbursement_id,
    )


def _refund_in_grace(p: ClaimPlanter, product: Product) -> None:
    sale = p.sale(product, 36)
    refunded = p.refund(sale, 30)
    p.claim(
        "refund_in_grace",
        REFUND_NOT_RETURNED,
        product,
        0,
        "Refunded 30 days ago and not returned yet: the customer still has "
        "time (60 days, EU 45).",
        reference_id=sale.order_id,
        event_at=refunded,
        window=_refund_window(p, refunded),
        unit_value=sale.net_per_unit(),
        value_basis=SALE_MINUS_FEES,
        units_lost=1,
        order_id=sale.order_id,
    )


def _damaged_return(
    disposition: str, claimable: bool, reimbursed: bool, days: int, why: str
) -> Callable[[ClaimPlanter, Product], None]:
    """Build a case: a sale, its refund 6 days later, the return 4 days after that."""

    def plant(p: ClaimPlanter, product: Product) -> None:
        sale = p.sale(product, days + 10)
        refunded = p.refund(sale, days + 4)
        p.customer_return(sale, days, disposition)
        reimbursement_id = None
        if reimbursed:
            payout = p.base.reimburse(
                product,
                20,
                "CustomerReturn",
                1,
                order_id=sale.order_id,
                amount_per_unit=sale.net_per_unit(),
            )
            reimbursement_id = payout.reimbursement_id
        p.claim(
            f"return_{disposition.lower()}" + ("_reimbursed" if reimbursed else ""),
            RETURN_DAMAGED,
            product,
            1 if claimable else 0,
            why,
            reference_id=sale.order_id,
            event_at=refunded,
            window=_refund_window(p, refunded),
            unit_value=sale.net_per_unit(),
            value_basis=SALE_MINUS_FEES,
            units_lost=1,
            order_id=sale.order_id,
            reimbursement_id=reimbursement_id,
        )

    return plant


def _inbound(
    name: str, status: str, shipped: int, received: int, lost_inbound: bool, why: str
) -> Callable[[ClaimPlanter, Product], None]:
    """Build an inbound case; a RECEIVING shipment is received 8 days ago, else 35."""

    def plant(p: ClaimPlanter, product: Product) -> None:
        days = 35 if status == "CLOSED" else 8
        shipment = p.inbound_shipment(product, days, status, shipped, received)
        reimbursement_id = None
        if lost_inbound:
            payout = p.base.reimburse(product, 12, "Lost_Inbound", shipped - received)
            reimbursement_id = payout.reimbursement_id
        received_at = p.at(days, 8, 0)
        p.claim(
            name,
            INBOUND_SHORTAGE,
            product,
            0 if lost_inbound or status != "CLOSED" else shipped - received,
            why,
            reference_id=shipment.shipment_id,
            event_at=received_at,
            window=_days(received_at, INBOUND_OPENS_DAYS, INBOUND_CLOSES_DAYS),
            unit_value=_cost(p, product),
            value_basis=SELLER_COST,
            units_lost=shipped - received,
            shipment_id=shipment.shipment_id,
            reimbursement_id=reimbursement_id,
        )

    return plant


def _removal(
    name: str,
    status: str,
    quantities: tuple[int, int, int, int, int],
    packages: tuple[int, ...],
    why: str,
) -> Callable[[ClaimPlanter, Product], None]:
    """Build a Return removal case requested 40 days ago and updated 30 days ago."""

    def plant(p: ClaimPlanter, product: Product) -> None:
        requested, cancelled, disposed, shipped, _ = quantities
        pending = status != "Completed"
        order = p.removal(
            product,
            "Return",
            5 if pending else 40,
            3 if pending else 30,
            status,
            quantities,
        )
        for index, units in enumerate(packages):
            p.removal_package(order, product, 33 - index, units)
        missing = requested - cancelled - disposed - shipped
        p.claim(
            name,
            REMOVAL_LOST,
            product,
            0 if pending else missing,
            why,
            reference_id=order.order_id,
            event_at=order.last_updated,
            window=_days(order.last_updated, 0, WAREHOUSE_WINDOW_DAYS),
            unit_value=_cost(p, product),
            value_basis=SELLER_COST,
            units_lost=max(missing, 0),
            order_id=order.order_id,
        )

    return plant


def _fee(overcharged: bool) -> Callable[[ClaimPlanter, Product], None]:
    """Build a fee case: 2 units sold 25 days ago, charged another tier's fee or not."""

    def plant(p: ClaimPlanter, product: Product) -> None:
        expected = p.fee_previews[product.fnsku].fulfillment_fee
        charged = tier_fee(OVERCHARGED_TIER) if overcharged else expected
        sale = p.sale(product, 25, quantity=2, fee_per_unit=charged)
        difference = charged - expected
        p.claim(
            "fee_overcharged" if overcharged else "fee_matches_preview",
            FEE_OVERCHARGE,
            product,
            2 if overcharged else 0,
            (
                f"FBAPerUnitFulfillmentFee of {charged} per unit on 2 units, but "
                f"the fee preview's expected fee is {expected}."
                if overcharged
                else f"FBAPerUnitFulfillmentFee of {charged} per unit, equal to "
                "the fee preview's expected fee."
            ),
            reference_id=sale.order_id,
            event_at=sale.settled_at,
            window=_days(sale.settled_at, 0, FEE_WINDOW_DAYS),
            unit_value=difference,
            value_basis=FEE_DIFFERENCE,
            units_lost=2,
            order_id=sale.order_id,
        )

    return plant


def _admin_fee(excessive: bool) -> Callable[[ClaimPlanter, Product], None]:
    """Build an admin fee case: sold 40 days ago, refunded 34, returned 30."""

    def plant(p: ClaimPlanter, product: Product) -> None:
        sale = p.sale(product, 40)
        limit = admin_fee_limit(sale.commission, sale.quantity)
        kept = Decimal("5.00") if excessive else limit
        refunded = p.refund(sale, 34, admin_fee=kept)
        p.customer_return(sale, 30, "SELLABLE")
        p.claim(
            "refund_admin_fee_excess" if excessive else "refund_admin_fee_within",
            REFUND_ADMIN_FEE,
            product,
            1 if excessive else 0,
            f"RefundCommission kept {kept} on a Commission of "
            f"{-sale.commission}; the limit is {limit}.",
            reference_id=sale.order_id,
            event_at=refunded,
            window=_days(refunded, 0, ADMIN_FEE_WINDOW_DAYS),
            unit_value=kept - limit,
            value_basis=FEE_DIFFERENCE,
            units_lost=1,
            order_id=sale.order_id,
        )

    return plant


def _underpaid(paid_share: Decimal) -> Callable[[ClaimPlanter, Product], None]:
    """Build a fully reimbursed loss paid at `paid_share` of the seller's cost."""

    def plant(p: ClaimPlanter, product: Product) -> None:
        cost = _cost(p, product)
        paid = (cost * paid_share).quantize(_CENT, ROUND_HALF_UP)
        loss = p.base.loss(product, p.at(30, 10, 40), "M", 2, unreconciled=0)
        payout = p.base.reimburse(
            product, 25, "Lost_Warehouse", 2, amount_per_unit=paid
        )
        underpaid = paid < cost
        p.claim(
            "reimbursement_underpaid" if underpaid else "reimbursement_paid_fully",
            UNDERPAID,
            product,
            2 if underpaid else 0,
            f"2 lost units paid by Lost_Warehouse at {paid} per unit; the "
            f"seller's unit cost is {cost}.",
            reference_id=payout.reimbursement_id,
            event_at=payout.approval_date,
            window=_days(payout.approval_date, 0, UNDERPAID_WINDOW_DAYS),
            unit_value=cost - paid,
            value_basis=COST_MINUS_PAID,
            units_lost=2,
            reimbursement_id=payout.reimbursement_id,
            ledger_rows=(loss,),
        )

    return plant


def _reversal(found_first: bool) -> Callable[[ClaimPlanter, Product], None]:
    """Build a payout for an old loss, reversed 20 days ago.

    The loss is 88 days old, so its own 60-day window has closed and only the
    reversal is open to a claim.
    """

    def plant(p: ClaimPlanter, product: Product) -> None:
        loss = p.base.loss(product, p.at(88, 9, 45), "M", 2, unreconciled=0)
        payout = p.base.reimburse(product, 83, "Lost_Warehouse", 2)
        rows = [loss]
        if found_first:
            rows.append(p.base.adjustment(product, p.at(24, 14, 30), "F", 2))
        reversal = p.base.reverse(payout, 20)
        p.claim(
            "reversal_after_found" if found_first else "reversal_not_found",
            REVERSAL,
            product,
            0 if found_first else 2,
            (
                "A Lost_Warehouse payout of 2 units reversed 20 days ago, after "
                "both units were found (F) 4 days before."
                if found_first
                else "A Lost_Warehouse payout of 2 units reversed 20 days ago, "
                "with no unit found (F, N) or returned since the payout."
            ),
            reference_id=reversal.reimbursement_id,
            event_at=reversal.approval_date,
            window=_days(reversal.approval_date, 0, REVERSAL_WINDOW_DAYS),
            unit_value=payout.amount_per_unit,
            value_basis=REVERSED_AMOUNT,
            units_lost=2,
            reimbursement_id=reversal.reimbursement_id,
            ledger_rows=tuple(rows),
        )

    return plant


CLAIM_CASES: tuple[Callable[[ClaimPlanter, Product], None], ...] = (
    _disposed_no_order,
    _donated_no_order,
    _disposed_with_order,
    _refund_not_returned,
    _refund_returned,
    _refund_reimbursed,
    _refund_in_grace,
    _damaged_return(
        "DAMAGED",
        claimable=True,
        reimbursed=False,
        days=68,
        why="Returned 68 days ago damaged by Amazon (DAMAGED), never reimbursed.",
    ),
    _damaged_return(
        "CARRIER_DAMAGED",
        claimable=True,
        reimbursed=False,
        days=66,
        why="Returned 66 days ago damaged by the carrier, never reimbursed.",
    ),
    _damaged_return(
        "CUSTOMER_DAMAGED",
        claimable=False,
        reimbursed=False,
        days=67,
        why="Returned damaged by the customer, which Amazon does not reimburse.",
    ),
    _damaged_return(
        "DEFECTIVE",
        claimable=False,
        reimbursed=False,
        days=65,
        why="Returned defective, which Amazon does not reimburse.",
    ),
    _damaged_return(
        "DAMAGED",
        claimable=False,
        reimbursed=True,
        days=69,
        why="Returned damaged by Amazon and paid by a CustomerReturn "
        "reimbursement 20 days ago.",
    ),
    _inbound(
        "inbound_short",
        "CLOSED",
        24,
        20,
        lost_inbound=False,
        why="Closed shipment: 24 units shipped, 20 received, nothing reimbursed.",
    ),
    _inbound(
        "inbound_short_reimbursed",
        "CLOSED",
        12,
        10,
        lost_inbound=True,
        why="Closed shipment 2 units short, paid by Lost_Inbound 12 days ago.",
    ),
    _inbound(
        "inbound_still_receiving",
        "RECEIVING",
        10,
        6,
        lost_inbound=False,
        why="6 of 10 units received so far, and the shipment is still RECEIVING.",
    ),
    _removal(
        "removal_short",
        "Completed",
        (5, 0, 0, 3, 0),
        (3,),
        "Completed Return order of 5 units with only 3 shipped.",
    ),
    _removal(
        "removal_fully_shipped",
        "Completed",
        (4, 0, 0, 4, 0),
        (2, 2),
        "Completed Return order of 4 units, all shipped in two packages.",
    ),
    _removal(
        "removal_partly_cancelled",
        "Completed",
        (6, 2, 0, 4, 0),
        (4,),
        "Completed Return order of 6 units: 2 cancelled by the seller, 4 shipped.",
    ),
    _removal(
        "removal_pending",
        "Pending",
        (3, 0, 0, 0, 3),
        (),
        "Return order requested 5 days ago, 3 units still in process.",
    ),
    _fee(overcharged=True),
    _fee(overcharged=False),
    _admin_fee(excessive=True),
    _admin_fee(excessive=False),
    _underpaid(Decimal("0.40")),
    _underpaid(Decimal("1")),
    _reversal(found_first=False),
    _reversal(found_first=True),
)
CLAIM_CASE_PRODUCTS = len(CLAIM_CASES)


def plant_claims(planter: ClaimPlanter, products: Sequence[Product]) -> None:
    """Plant every claim case on its own product and list its seller's unit cost."""
    if len(products) < CLAIM_CASE_PRODUCTS:
        raise ValueError(
            f"planting claims needs {CLAIM_CASE_PRODUCTS} products, got {len(products)}"
        )
    for plant, product in zip(CLAIM_CASES, products, strict=False):
        planter.seller_costs[product.fnsku] = product.unit_cost
        plant(planter, product)
