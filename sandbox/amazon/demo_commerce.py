"""Sales, refunds, returns, removals and inbound shipments behind planted claims.

ClaimPlanter adds, on top of a CasePlanter's ledger rows and reimbursements,
the rows of the orders, settlement, customer returns, removal and inbound data
that the planted cases of demo_claims need. Every sale is settled with the fee
preview's fulfillment fee and a refund admin fee at its limit, unless a case
requests otherwise, so only planted cases break a rule.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .demo_catalog import Product
from .demo_planter import CasePlanter, PlantedCase
from .marketplaces import Marketplace
from .report_files import LedgerRow, ReturnRow
from .report_formats import (
    FeePreviewRow,
    OrderRow,
    RemovalOrderRow,
    RemovalShipmentRow,
    SettlementLine,
)
from .sellers import InboundItem, InboundShipment

REFERRAL_RATE = Decimal("0.15")
ADMIN_FEE_RATE = Decimal("0.20")
ADMIN_FEE_CAP_PER_UNIT = Decimal("5.00")
_CENT = Decimal("0.01")

# (US size tier, EU size band, fulfillment fee, longest, median, shortest side
# in inches, weight in pounds). The EU file writes the same sizes in cm and g.
_FEE_TIERS = (
    ("Small standard", "Small envelope", Decimal("3.22"),
     "9.5", "6.1", "0.7", "0.4"),
    ("Large standard", "Standard parcel", Decimal("4.75"),
     "13.8", "9.0", "4.3", "1.2"),
    ("Large standard", "Standard parcel", Decimal("5.40"),
     "15.2", "11.4", "5.9", "2.1"),
    ("Large standard", "Large parcel", Decimal("6.10"),
     "17.5", "13.0", "7.6", "2.9"),
)  # fmt: skip
OVERCHARGED_TIER = 3
"""The tier whose fee the overcharged sale pays instead of its own."""


def sale_price(product: Product) -> Decimal:
    """Return the product's item price: 2.5 times its unit value, ending in .99."""
    whole = (product.unit_cost * Decimal("2.5")).quantize(Decimal("1"), ROUND_HALF_UP)
    return whole - _CENT


def refund_grace_days(market: Marketplace) -> int:
    """Days after a refund before an unreturned unit is claimable: 60, EU 45."""
    return 45 if market.region == "eu" and market.country_code != "IN" else 60


def admin_fee_limit(commission: Decimal, units: int) -> Decimal:
    """Return the admin fee Amazon may keep: the lower of $5 per unit and 20% of
    the commission."""
    share = (abs(commission) * ADMIN_FEE_RATE).quantize(_CENT, ROUND_DOWN)
    return min(ADMIN_FEE_CAP_PER_UNIT * units, share)


def fee_preview_row(product: Product, tier: int, market: Marketplace) -> FeePreviewRow:
    """Return the product's fee preview row in the marketplace's units."""
    us_tier, eu_band, fee, longest, median, shortest, pounds = _FEE_TIERS[tier]
    price = sale_price(product)
    metric = market.region == "eu"
    sides = [Decimal(side) for side in (longest, median, shortest)]
    weight = Decimal(pounds)
    if metric:
        sides = [(side * Decimal("2.54")).quantize(_CENT) for side in sides]
        weight = (weight * Decimal("453.59")).quantize(Decimal("1"))
    return FeePreviewRow(
        sku=product.msku,
        fnsku=product.fnsku,
        asin=product.asin,
        product_name=product.title,
        product_group="Kitchen",
        brand="Clario Demo",
        currency=market.currency,
        price=price,
        longest_side=sides[0],
        median_side=sides[1],
        shortest_side=sides[2],
        unit_of_dimension="centimeters" if metric else "inches",
        weight=weight,
        unit_of_weight="grams" if metric else "pounds",
        size_tier=eu_band if metric else us_tier,
        referral_fee=(price * REFERRAL_RATE).quantize(_CENT, ROUND_HALF_UP),
        fulfillment_fee=fee,
        store=market.country_code,
    )


def tier_fee(tier: int) -> Decimal:
    """Return the fulfillment fee per unit of a size tier."""
    return _FEE_TIERS[tier][2]


TIER_COUNT = len(_FEE_TIERS)


@dataclass(frozen=True)
class Sale:
    """A shipped order of one product, as the settlement and orders report show it."""

    order_id: str
    product: Product
    quantity: int
    price: Decimal
    commission: Decimal
    shipped_at: datetime
    outbound_id: str
    order_item_code: str
    fulfillment_fee: Decimal
    """The FBAPerUnitFulfillmentFee charged per unit."""

    @property
    def settled_at(self) -> datetime:
        """When the settlement posted the sale and charged its fees."""
        return self.shipped_at + timedelta(hours=3)

    def net_per_unit(self) -> Decimal:
        """Return the price of one unit minus its share of the fees withheld.

        The fees are the Commission and the fulfillment fee, which is what
        Amazon pays for a unit lost after the order.
        """
        fees = -self.commission + self.fulfillment_fee * self.quantity
        return (self.price - fees / self.quantity).quantize(_CENT, ROUND_HALF_UP)


@dataclass
class ClaimPlanter:
    """Collects the commerce rows of planted claims around a CasePlanter."""

    base: CasePlanter
    market: Marketplace
    fee_previews: dict[str, FeePreviewRow]
    orders: list[OrderRow] = field(default_factory=list)
    settlement_lines: list[SettlementLine] = field(default_factory=list)
    returns: list[ReturnRow] = field(default_factory=list)
    removal_orders: list[RemovalOrderRow] = field(default_factory=list)
    removal_shipments: list[RemovalShipmentRow] = field(default_factory=list)
    inbound: list[InboundShipment] = field(default_factory=list)
    seller_costs: dict[str, Decimal] = field(default_factory=dict)

    def at(self, days_before: int, hour: int, minute: int = 0) -> datetime:
        """Local time on the day `days_before` the anchor."""
        return self.base.at(days_before, hour, minute)

    def _ledger(
        self,
        product: Product,
        when: datetime,
        event_type: str,
        reference_id: str,
        quantity: int,
        disposition: str = "SELLABLE",
    ) -> LedgerRow:
        row = LedgerRow(
            occurred_at=when,
            fnsku=product.fnsku,
            asin=product.asin,
            msku=product.msku,
            title=product.title,
            event_type=event_type,
            reference_id=reference_id,
            quantity=quantity,
            fulfillment_center=product.home_center,
            disposition=disposition,
            country=self.base.country,
        )
        self.base.ledger.append(row)
        return row

    def sale(
        self,
        product: Product,
        days_before: int,
        quantity: int = 1,
        fee_per_unit: Decimal | None = None,
    ) -> Sale:
        """Ship an order at 10:00 local time and settle it.

        The settlement gets the Principal, the Commission and the
        FBAPerUnitFulfillmentFee, which is the fee preview's unless given.
        """
        ids = self.base.ids
        shipped_at = self.at(days_before, 10, 20)
        price = sale_price(product)
        principal = price * quantity
        commission = -(principal * REFERRAL_RATE).quantize(_CENT, ROUND_HALF_UP)
        if fee_per_unit is None:
            fee_per_unit = self.fee_previews[product.fnsku].fulfillment_fee
        sale = Sale(
            order_id=ids.order_id(),
            product=product,
            quantity=quantity,
            price=price,
            commission=commission,
            shipped_at=shipped_at,
            outbound_id=ids.outbound_id(),
            order_item_code=ids.order_item_code(),
            fulfillment_fee=fee_per_unit,
        )
        self._ledger(product, shipped_at, "Shipments", sale.outbound_id, -quantity)
        us = self.market.country_code == "US"
        self.orders.append(
            OrderRow(
                amazon_order_id=sale.order_id,
                purchase_date=shipped_at - timedelta(hours=20),
                last_updated=shipped_at + timedelta(hours=6),
                order_status="Shipped",
                sales_channel=self.market.name,
                product_name=product.title,
                sku=product.msku,
                asin=product.asin,
                item_status="Shipped",
                quantity=quantity,
                currency=self.market.currency,
                item_price=principal,
                item_tax=(principal * Decimal("0.08")).quantize(_CENT, ROUND_HALF_UP),
                ship_city="Portland" if us else "Köln",
                ship_state="OR" if us else "NRW",
                ship_postal_code="97209" if us else "50667",
                ship_country=self.market.country_code,
            )
        )
        for amount_type, description, amount in (
            ("ItemPrice", "Principal", principal),
            ("ItemFees", "Commission", commission),
            ("ItemFees", "FBAPerUnitFulfillmentFee", -fee_per_unit * quantity),
        ):
            self.settlement_lines.append(
                SettlementLine(
                    transaction_type="Order",
                    order_id=sale.order_id,
                    adjustment_id="",
                    shipment_id=sale.outbound_id,
                    amount_type=amount_type,
                    amount_description=description,
                    amount=amount,
                    posted=sale.settled_at,
                    order_item_code=sale.order_item_code,
                    merchant_adjustment_item_id="",
                    sku=product.msku,
                    quantity=quantity,
                )
            )
        return sale

    def refund(
        self, sale: Sale, days_before: int, admin_fee: Decimal | None = None
    ) -> datetime:
        """Refund a whole sale at 14:05 local time and return when it posted.

        The admin fee (RefundCommission) is its limit unless given.
        """
        posted = self.at(days_before, 14, 5)
        if admin_fee is None:
            admin_fee = admin_fee_limit(sale.commission, sale.quantity)
        adjustment_id = self.base.ids.adjustment_id()
        for amount_type, description, amount in (
            ("ItemPrice", "Principal", -sale.price * sale.quantity),
            ("ItemFees", "Commission", -sale.commission),
            ("ItemFees", "RefundCommission", -admin_fee),
        ):
            self.settlement_lines.append(
                SettlementLine(
                    transaction_type="Refund",
                    order_id=sale.order_id,
                    adjustment_id=adjustment_id,
                    shipment_id="",
                    amount_type=amount_type,
                    amount_description=description,
                    amount=amount,
                    posted=posted,
                    order_item_code=sale.order_item_code,
                    merchant_adjustment_item_id=adjustment_id[-10:],
                    sku=sale.product.msku,
                    quantity=None,
                )
            )
        return posted

    def customer_return(
        self, sale: Sale, days_before: int, disposition: str
    ) -> ReturnRow:
        """Return one unit of a sale with a detailed disposition, with its ledger row.

        A DAMAGED return shows in the ledger as WAREHOUSE_DAMAGED.
        """
        when = self.at(days_before, 16, 42)
        sellable = disposition == "SELLABLE"
        row = ReturnRow(
            return_date=when,
            order_id=sale.order_id,
            sku=sale.product.msku,
            asin=sale.product.asin,
            fnsku=sale.product.fnsku,
            product_name=sale.product.title,
            fulfillment_center=sale.product.home_center,
            detailed_disposition=disposition,
            reason="UNWANTED_ITEM" if sellable else "DEFECTIVE",
            status="Unit returned to inventory" if sellable else "Unsellable",
            license_plate_number=self.base.ids.license_plate(),
        )
        self.returns.append(row)
        ledger_disposition = (
            "WAREHOUSE_DAMAGED" if disposition == "DAMAGED" else (disposition)
        )
        self._ledger(
            sale.product,
            when,
            "CustomerReturns",
            sale.order_id,
            1,
            ledger_disposition,
        )
        return row

    def removal(
        self,
        product: Product,
        order_type: str,
        requested_days_before: int,
        updated_days_before: int,
        status: str,
        quantities: tuple[int, int, int, int, int],
        disposition: str = "Sellable",
    ) -> RemovalOrderRow:
        """Add a removal order line.

        `quantities` is (requested, cancelled, disposed, shipped, in process).
        """
        requested, cancelled, disposed, shipped, in_process = quantities
        rate = Decimal("0.97") if self.market.region == "na" else Decimal("0.50")
        row = RemovalOrderRow(
            request_date=self.at(requested_days_before, 9, 15),
            order_id=self.base.ids.removal_order_id(),
            order_type=order_type,
            order_status=status,
            last_updated=self.at(updated_days_before, 18, 30),
            sku=product.msku,
            fnsku=product.fnsku,
            disposition=disposition,
            requested=requested,
            cancelled=cancelled,
            disposed=disposed,
            shipped=shipped,
            in_process=in_process,
            removal_fee=rate * (requested - cancelled),
            currency=self.market.currency,
        )
        self.removal_orders.append(row)
        return row

    def removal_package(
        self, order: RemovalOrderRow, product: Product, days_before: int, units: int
    ) -> RemovalShipmentRow:
        """Ship a package of a Return removal order, with its VendorReturns row."""
        when = self.at(days_before, 13, 10)
        row = RemovalShipmentRow(
            request_date=order.request_date,
            order_id=order.order_id,
            shipment_date=when,
            sku=product.msku,
            fnsku=product.fnsku,
            disposition=order.disposition,
            shipped=units,
            carrier="UPS",
            tracking_number=self.base.ids.tracking_number(),
            order_type=order.order_type,
        )
        self.removal_shipments.append(row)
        self._ledger(product, when, "VendorReturns", order.order_id, -units)
        return row

    def inbound_shipment(
        self,
        product: Product,
        received_days_before: int,
        status: str,
        shipped: int,
        received: int,
    ) -> InboundShipment:
        """Add an inbound shipment of one SKU, with the Receipts row of what arrived.

        A CLOSED shipment was last updated 5 days after the receipt, others at it.
        """
        shipment_id = self.base.ids.shipment_id()
        received_at = self.at(received_days_before, 8, 0)
        self._ledger(product, received_at, "Receipts", shipment_id, received)
        updated = received_at
        if status == "CLOSED":
            updated = received_at + timedelta(days=5)
        created = received_at - timedelta(days=10)
        shipment = InboundShipment(
            shipment_id=shipment_id,
            shipment_name=f"FBA ({created:%m/%d/%y}, {created:%I:%M %p}) - 1",
            status=status,
            destination_center=product.home_center,
            last_updated=updated,
            items=(InboundItem(product.msku, product.fnsku, shipped, received),),
        )
        self.inbound.append(shipment)
        return shipment

    def claim(
        self,
        case: str,
        case_type: str,
        product: Product,
        claimable_units: int,
        why: str,
        *,
        reference_id: str,
        event_at: datetime,
        window: tuple[datetime, datetime],
        unit_value: Decimal,
        value_basis: str,
        units_lost: int | None = None,
        order_id: str | None = None,
        shipment_id: str | None = None,
        reimbursement_id: str | None = None,
        ledger_rows: tuple[LedgerRow, ...] = (),
    ) -> None:
        """Record a planted case that states its own unit value."""
        self.base.cases.append(
            PlantedCase(
                case=case,
                type=case_type,
                claimable=claimable_units > 0,
                product=product,
                loss_row=None,
                units_lost=claimable_units if units_lost is None else units_lost,
                claimable_units=claimable_units,
                why=why,
                reference_id=reference_id,
                event_at=event_at,
                window_opens=window[0],
                window_closes=window[1],
                order_id=order_id,
                shipment_id=shipment_id,
                reimbursement_id=reimbursement_id,
                unit_value=unit_value,
                value_basis=value_basis,
                ledger_reference_ids=tuple(row.reference_id for row in ledger_rows),
            )
        )
