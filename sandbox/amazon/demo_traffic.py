"""Background FBA traffic of the demo seller: receipts, orders, returns, transfers.

Nothing here is a loss or a credit for lost or damaged inventory: the only
Adjustments rows are the planted ones. Background reimbursements go only to the
products that carry no planted loss.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .demo_catalog import IdSource, Product, other_center
from .demo_planter import CasePlanter
from .report_files import LedgerRow, ReturnRow

_RETURN_REASONS = (
    "UNWANTED_ITEM",
    "NOT_AS_DESCRIBED",
    "DEFECTIVE",
    "ORDERED_WRONG_ITEM",
    "MISSED_ESTIMATED_DELIVERY",
)
# Background returns are never Amazon's fault: a CARRIER_DAMAGED or DAMAGED
# return without a payout would be a return_damaged_by_amazon case. The tuple
# keeps three entries, so a seed draws the same random numbers as before.
_UNSELLABLE = ("CUSTOMER_DAMAGED", "DEFECTIVE", "CUSTOMER_DAMAGED")
_COMMENTS = (
    "",
    "",
    "",
    "Arrived too late",
    "Colour differs from the photo — returning",
)


@dataclass
class _Pending:
    receipt_day: int | None = None
    receipt_units: int = 0
    returns: dict[int, list[str]] = field(default_factory=dict)


class TrafficGenerator:
    """Generates a product's daily ledger events over a span of days."""

    def __init__(
        self,
        rng: random.Random,
        ids: IdSource,
        anchor: date,
        zone: ZoneInfo,
        country: str = "US",
    ) -> None:
        self._rng = rng
        self._ids = ids
        self._anchor = anchor
        self._zone = zone
        self._country = country
        self.ledger: list[LedgerRow] = []
        self.returns: list[ReturnRow] = []

    def _midnight(self, days_before: int) -> datetime:
        day = self._anchor - timedelta(days=days_before)
        return datetime.combine(day, time(), tzinfo=self._zone)

    def _row(
        self,
        product: Product,
        days_before: int,
        event_type: str,
        reference_id: str,
        quantity: int,
        center: str | None = None,
        disposition: str = "SELLABLE",
    ) -> None:
        self.ledger.append(
            LedgerRow(
                occurred_at=self._midnight(days_before),
                fnsku=product.fnsku,
                asin=product.asin,
                msku=product.msku,
                title=product.title,
                event_type=event_type,
                reference_id=reference_id,
                quantity=quantity,
                fulfillment_center=center or product.home_center,
                disposition=disposition,
                country=self._country,
            )
        )

    def run(self, product: Product, first_day: int) -> None:
        """Generate events from `first_day` days before the anchor to the day before."""
        pending = _Pending(
            receipt_day=first_day, receipt_units=self._rng.randint(60, 120)
        )
        on_hand = 0
        for day in range(first_day, 0, -1):
            if pending.receipt_day == day:
                self._row(
                    product,
                    day,
                    "Receipts",
                    self._ids.shipment_id(),
                    pending.receipt_units,
                )
                on_hand += pending.receipt_units
                pending.receipt_day = None
            on_hand += self._returns_due(product, day, pending)
            on_hand -= self._ship(product, day, on_hand, pending)
            self._maybe_transfer(product, day, on_hand)
            if on_hand < 20 and pending.receipt_day is None and day > 4:
                pending.receipt_day = day - self._rng.randint(3, 8)
                pending.receipt_units = self._rng.randint(60, 120)

    def _ship(self, product: Product, day: int, on_hand: int, pending: _Pending) -> int:
        shipped = 0
        for _ in range(3):
            if self._rng.random() >= product.daily_sales / 3:
                continue
            units = 2 if self._rng.random() < 0.1 else 1
            if units > on_hand - shipped:
                break
            order_id = self._ids.order_id()
            self._row(product, day, "Shipments", self._ids.outbound_id(), -units)
            shipped += units
            if self._rng.random() < 0.05:
                due = day - self._rng.randint(5, 25)
                if due >= 1:
                    pending.returns.setdefault(due, []).append(order_id)
        return shipped

    def _returns_due(self, product: Product, day: int, pending: _Pending) -> int:
        restocked = 0
        for order_id in pending.returns.pop(day, []):
            sellable = self._rng.random() < 0.75
            disposition = "SELLABLE" if sellable else self._rng.choice(_UNSELLABLE)
            self._row(
                product, day, "CustomerReturns", order_id, 1, disposition=disposition
            )
            self.returns.append(self._return_row(product, day, order_id, disposition))
            restocked += 1 if sellable else 0
        return restocked

    def _return_row(
        self, product: Product, day: int, order_id: str, disposition: str
    ) -> ReturnRow:
        moment = self._midnight(day) + timedelta(
            hours=self._rng.randint(6, 21),
            minutes=self._rng.randint(0, 59),
            seconds=self._rng.randint(0, 59),
        )
        sellable = disposition == "SELLABLE"
        return ReturnRow(
            return_date=moment,
            order_id=order_id,
            sku=product.msku,
            asin=product.asin,
            fnsku=product.fnsku,
            product_name=product.title,
            fulfillment_center=product.home_center,
            detailed_disposition=disposition,
            reason=self._rng.choice(_RETURN_REASONS),
            status="Unit returned to inventory" if sellable else "Unsellable",
            license_plate_number=self._ids.license_plate(),
            customer_comments=self._rng.choice(_COMMENTS),
        )

    def _maybe_transfer(self, product: Product, day: int, on_hand: int) -> None:
        """Move a few units to another center: a -n and a +n row, net zero."""
        if self._rng.random() >= 0.03 or on_hand < 8:
            return
        units = self._rng.randint(1, 4)
        transfer_id = self._ids.transfer_id()
        self._row(product, day, "WhseTransfers", transfer_id, -units)
        target = other_center(self._rng, product.home_center)
        self._row(product, day, "WhseTransfers", transfer_id, units, center=target)


def background_reimbursements(
    planter: CasePlanter, rng: random.Random, products: Sequence[Product]
) -> None:
    """Add ordinary payouts (customer returns, service issues) to loss-free products."""
    for product in products:
        planter.reimburse(
            product, rng.randint(60, 140), "CustomerReturn", 1, with_order=True
        )
        if rng.random() < 0.5:
            planter.reimburse(
                product,
                rng.randint(10, 59),
                "CustomerServiceIssue",
                1,
                with_order=True,
                with_case=True,
            )
        if rng.random() < 0.5:
            planter.reimburse(
                product, rng.randint(10, 140), "CustomerReturn", 0, 1, with_order=True
            )
