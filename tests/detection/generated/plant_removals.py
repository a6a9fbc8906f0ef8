"""Planted removal and inbound cases: disposed_without_order, removal_lost and
inbound_shortage.

Claimable: disposals and donations without a removal order, a disposal only
partly covered by an order, an order requested after the disposal; removal
orders completed short, shipped without shipment rows, shipped without a tracking
number, partly reimbursed; closed inbound shipments short of units, partly
reimbursed, or known only from ledger Receipts. Look-alikes: disposals an order
covers, outside the window; removal orders fully shipped and tracked, reimbursed,
pending, too recent, outside the window; inbound shipments fully received, still
receiving, reimbursed, too recent, outside the window.

Every reimbursement pays the seller's unit cost, so the unit value is that cost
whichever of the cost and Amazon's estimate the policy of the event's date picks.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from tests.detection.generated.calendar import OCTOBER_2024, before, plus_days
from tests.detection.generated.seller import GeneratedSeller, Planted

TYPES = ("disposed_without_order", "removal_lost", "inbound_shortage")

_CENT = Decimal("0.01")


def plant(seller: GeneratedSeller) -> None:
    """Add the removal and inbound cases, each on its own SKU."""
    _disposal(seller, 10, "D", units=3, ordered=0, label="disposed_no_order")
    _disposal(seller, 20, "G", units=2, ordered=0, label="donated_no_order")
    _disposal(seller, 15, "D", units=5, ordered=2, label="disposal_partly_ordered")
    _disposal(seller, 12, "D", units=3, ordered=3, label="disposal_ordered")
    _disposal(
        seller, 14, "D", units=3, ordered=3, order_after=True, label="order_too_late"
    )
    _disposal(seller, 0, "D", units=3, ordered=0, closed=True, label="disposal_closed")

    _incomplete(seller, 12, requested=5, shipped=3, paid=0, label="removal_short")
    _incomplete(seller, 20, requested=6, shipped=2, paid=1, label="removal_part_paid")
    _incomplete(seller, 18, requested=4, shipped=2, paid=2, label="removal_paid")
    _incomplete(seller, 16, requested=3, shipped=3, paid=0, label="removal_complete")
    _incomplete(
        seller, 0, requested=5, shipped=3, paid=0, closed=True, label="removal_closed"
    )
    _pending_removal(seller)
    _transit(seller, 30, shipped=3, tracked=0, untracked=0, label="transit_no_rows")
    _transit(seller, 35, shipped=4, tracked=2, untracked=2, label="transit_untracked")
    _transit(seller, 25, shipped=3, tracked=3, untracked=0, label="transit_tracked")
    _transit(seller, 5, shipped=3, tracked=0, untracked=0, label="transit_recent")

    _inbound(seller, 30, shipped=10, received=7, paid=0, label="inbound_short")
    _inbound(seller, 40, shipped=12, received=8, paid=1, label="inbound_part_paid")
    _inbound(
        seller, 25, shipped=6, received=5, paid=0, ledger_only=True, label="ledger_only"
    )
    _inbound(seller, 30, shipped=10, received=10, paid=0, label="inbound_complete")
    _inbound(
        seller,
        30,
        shipped=10,
        received=6,
        paid=0,
        status="RECEIVING",
        label="inbound_receiving",
    )
    _inbound(seller, 35, shipped=9, received=7, paid=2, label="inbound_paid")
    _inbound(seller, 5, shipped=10, received=7, paid=0, label="inbound_recent")
    _inbound(seller, 61, shipped=10, received=7, paid=0, label="inbound_closed")


def _product(seller: GeneratedSeller, prefix: str) -> tuple[str, str, str, Decimal]:
    sku, fnsku, asin = seller.new_sku(prefix)
    cost = Decimal(seller.rng.randint(400, 4000)) / 100
    seller.unit_costs[sku] = cost
    return sku, fnsku, asin, cost


def _is_old(event: datetime) -> bool:
    """Events before 2024-10-23 keep the 18-month (548-day) claim windows."""
    return event.date() < OCTOBER_2024


def _closed_age(seller: GeneratedSeller) -> int:
    # One day past the window of the policy of that day.
    probe = before(seller.as_of, 61)
    return 549 if _is_old(probe) else 61


def _plant(
    seller: GeneratedSeller,
    kind: str,
    sku: str,
    label: str,
    *,
    units: int,
    cost: Decimal,
    opens: datetime,
    closes: datetime,
) -> None:
    claimable = units > 0 and opens <= seller.as_of <= closes
    seller.plant(
        Planted(
            type=kind,
            sku=sku,
            claimable=claimable,
            label=label,
            units=units,
            amount=(cost * units).quantize(_CENT, ROUND_HALF_UP) if claimable else None,
            window_opens=opens if claimable else None,
            window_closes=closes if claimable else None,
        )
    )


def _reimbursement(
    seller: GeneratedSeller,
    when: datetime,
    ids: tuple[str, str],
    reason: str,
    units: int,
    cost: Decimal,
) -> None:
    sku, fnsku = ids
    seller.add(
        "reimbursements",
        approval_date=when,
        reimbursement_id=str(seller.rng.randint(10**9, 10**10)),
        reason=reason,
        sku=sku,
        fnsku=fnsku,
        currency_unit=seller.market.currency,
        amount_per_unit=str(cost),
        quantity_reimbursed_total=units,
    )


def _removal_order(
    seller: GeneratedSeller,
    ids: tuple[str, str],
    *,
    order_id: str,
    order_type: str,
    status: str,
    requested_at: datetime,
    updated_at: datetime,
    requested: int,
    disposed: int = 0,
    shipped: int = 0,
) -> None:
    sku, fnsku = ids
    seller.add(
        "removal_orders",
        request_date=requested_at,
        order_id=order_id,
        order_type=order_type,
        order_status=status,
        last_updated_date=updated_at,
        sku=sku,
        fnsku=fnsku,
        disposition="Sellable",
        requested_quantity=requested,
        cancelled_quantity=0,
        disposed_quantity=disposed,
        shipped_quantity=shipped,
        in_process_quantity=0,
        removal_fee="0.97",
        currency=seller.market.currency,
    )


def _removal_shipment(
    seller: GeneratedSeller,
    ids: tuple[str, str],
    order_id: str,
    when: datetime,
    units: int,
    tracking: str,
) -> None:
    sku, fnsku = ids
    seller.add(
        "removal_shipments",
        request_date=before(when, 3),
        order_id=order_id,
        shipment_date=when,
        sku=sku,
        fnsku=fnsku,
        disposition="Sellable",
        shipped_quantity=units,
        carrier="UPS",
        tracking_number=tracking,
        removal_order_type="Return",
    )


def _order_id(seller: GeneratedSeller) -> str:
    return f"RMV{seller.rng.randint(10**7, 10**8)}"


def _disposal(
    seller: GeneratedSeller,
    age_days: int,
    code: str,
    *,
    units: int,
    ordered: int,
    label: str,
    order_after: bool = False,
    closed: bool = False,
) -> None:
    sku, fnsku, asin, cost = _product(seller, "DISP")
    if closed:
        age_days = _closed_age(seller)
    event = before(seller.as_of, age_days)
    seller.add(
        "ledger_detail",
        occurred_at=event,
        fnsku=fnsku,
        asin=asin,
        msku=sku,
        title=f"Product {sku}",
        event_type="Adjustments",
        reference_id=str(seller.rng.randint(10**9, 10**10)),
        quantity=-units,
        fulfillment_center="PHX7",
        reason=code,
    )
    covered = 0
    if ordered:
        requested_at = plus_days(event, 1) if order_after else before(event, 3)
        # The order itself is complete: everything requested was disposed of.
        _removal_order(
            seller,
            (sku, fnsku),
            order_id=_order_id(seller),
            order_type="Disposal",
            status="Completed",
            requested_at=requested_at,
            updated_at=plus_days(requested_at, 2),
            requested=ordered,
            disposed=ordered,
        )
        covered = 0 if order_after else ordered
    window = 548 if _is_old(event) else 60
    _plant(
        seller,
        "disposed_without_order",
        sku,
        label,
        units=units - covered,
        cost=cost,
        opens=event,
        closes=plus_days(event, window),
    )


def _incomplete(
    seller: GeneratedSeller,
    age_days: int,
    *,
    requested: int,
    shipped: int,
    paid: int,
    label: str,
    closed: bool = False,
) -> None:
    sku, fnsku, _asin, cost = _product(seller, "RMVS")
    ids = (sku, fnsku)
    if closed:
        age_days = _closed_age(seller)
    completed = before(seller.as_of, age_days)
    order_id = _order_id(seller)
    _removal_order(
        seller,
        ids,
        order_id=order_id,
        order_type="Return",
        status="Completed",
        requested_at=before(completed, 10),
        updated_at=completed,
        requested=requested,
        shipped=shipped,
    )
    _removal_shipment(
        seller,
        ids,
        order_id,
        before(completed, 2),
        shipped,
        f"1Z{seller.seed}{age_days}",
    )
    if paid:
        _reimbursement(
            seller, plus_days(completed, 4), ids, "RemovalOrderLost", paid, cost
        )
    window = 548 if _is_old(completed) else 60
    _plant(
        seller,
        "removal_lost",
        sku,
        label,
        units=requested - shipped - paid,
        cost=cost,
        opens=completed,
        closes=plus_days(completed, window),
    )


def _pending_removal(seller: GeneratedSeller) -> None:
    sku, fnsku, _asin, cost = _product(seller, "RMVP")
    updated = before(seller.as_of, 20)
    _removal_order(
        seller,
        (sku, fnsku),
        order_id=_order_id(seller),
        order_type="Return",
        status="Pending",
        requested_at=before(updated, 2),
        updated_at=updated,
        requested=5,
    )
    _plant(
        seller,
        "removal_lost",
        sku,
        "removal_pending",
        units=0,
        cost=cost,
        opens=updated,
        closes=updated,
    )


def _transit(
    seller: GeneratedSeller,
    age_days: int,
    *,
    shipped: int,
    tracked: int,
    untracked: int,
    label: str,
) -> None:
    sku, fnsku, _asin, cost = _product(seller, "RMVT")
    ids = (sku, fnsku)
    updated = before(seller.as_of, age_days)
    order_id = _order_id(seller)
    _removal_order(
        seller,
        ids,
        order_id=order_id,
        order_type="Return",
        status="Completed",
        requested_at=before(updated, 8),
        updated_at=updated,
        requested=shipped,
        shipped=shipped,
    )
    # The loss counts from the untracked shipment row, or from the order's
    # last update when the order has no shipment row.
    event = updated
    if tracked:
        _removal_shipment(
            seller, ids, order_id, before(updated, 4), tracked, f"1Z{seller.seed}TRK"
        )
    if untracked:
        event = before(updated, 2)
        _removal_shipment(seller, ids, order_id, event, untracked, "")
    opens, closes = (0, 548) if _is_old(event) else (15, 75)
    _plant(
        seller,
        "removal_lost",
        sku,
        label,
        units=shipped - tracked,
        cost=cost,
        opens=plus_days(event, opens),
        closes=plus_days(event, closes),
    )


def _inbound(
    seller: GeneratedSeller,
    age_days: int,
    *,
    shipped: int,
    received: int,
    paid: int,
    label: str,
    status: str = "CLOSED",
    ledger_only: bool = False,
) -> None:
    sku, fnsku, asin, cost = _product(seller, "INB")
    ids = (sku, fnsku)
    delivered = before(seller.as_of, age_days)
    shipment_id = f"FBA{seller.seed}{seller.rng.randint(10**6, 10**7)}"
    if not ledger_only:
        for observed, observed_status in (
            (before(delivered, 5), "SHIPPED"),
            (plus_days(delivered, 3), status),
        ):
            seller.add(
                "inbound_shipments",
                shipment_id=shipment_id,
                shipment_name=f"Restock {label}",
                shipment_status=observed_status,
                destination_fulfillment_center_id="PHX7",
                marketplace_id=seller.market.marketplace_id,
                observed_at=observed,
            )
    seller.add(
        "inbound_shipment_items",
        shipment_id=shipment_id,
        seller_sku=sku,
        fulfillment_network_sku=fnsku,
        quantity_shipped=shipped,
        quantity_received=None if ledger_only else received,
        observed_at=plus_days(delivered, 3),
    )
    # Receipts on the delivery day and the day after; the first one is delivery.
    first = received // 2
    for when, units in (
        (delivered, first),
        (plus_days(delivered, 1), received - first),
    ):
        seller.add(
            "ledger_detail",
            occurred_at=when,
            fnsku=fnsku,
            asin=asin,
            msku=sku,
            title=f"Product {sku}",
            event_type="Receipts",
            reference_id=shipment_id,
            quantity=units,
            fulfillment_center="PHX7",
            reason="",
        )
    if paid:
        _reimbursement(seller, plus_days(delivered, 8), ids, "Lost_Inbound", paid, cost)
    closed = status == "CLOSED"
    _plant(
        seller,
        "inbound_shortage",
        sku,
        label,
        units=shipped - received - paid if closed else 0,
        cost=cost,
        opens=plus_days(delivered, 15),
        closes=plus_days(delivered, 60),
    )
