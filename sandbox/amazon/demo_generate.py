"""Generation of the demo seller's rows from a seed, an anchor day and a marketplace.

The lost and damaged inventory cases and their background traffic come from
the seed's first random generator. The other cases, their products and the fee
preview come from a second one, so they leave the first data unchanged.
"""

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from .demo_cases import BACKGROUND_EVENT_PRODUCTS, CASE_PRODUCTS, plant_cases
from .demo_catalog import MAX_PRODUCTS, IdSource, Product, make_catalog
from .demo_claims import CLAIM_CASE_PRODUCTS, plant_claims
from .demo_commerce import OVERCHARGED_TIER, TIER_COUNT, ClaimPlanter, fee_preview_row
from .demo_planter import CasePlanter, PlantedCase
from .demo_traffic import TrafficGenerator, background_reimbursements
from .marketplaces import Marketplace
from .report_files import LedgerRow, ReimbursementRow, ReturnRow
from .report_formats import (
    FeePreviewRow,
    OrderRow,
    RemovalOrderRow,
    RemovalShipmentRow,
    Settlement,
    SettlementLine,
)
from .sellers import InboundItem, InboundShipment

LEDGER_DAYS = 150
"""Days of ledger history before the anchor day."""
SETTLEMENT_PERIOD_DAYS = 14
SETTLEMENT_PERIODS = 7
"""Settlement periods listed: the newest ends 3 days before the anchor day, and
the oldest report is created 88 days before it, inside getReports' 90 days."""


@dataclass(frozen=True)
class Generated:
    """The immutable rows of one demo dataset."""

    marketplace: Marketplace
    products: tuple[Product, ...]
    ledger: tuple[LedgerRow, ...]
    reimbursements: tuple[ReimbursementRow, ...]
    returns: tuple[ReturnRow, ...]
    cases: tuple[PlantedCase, ...]
    orders: tuple[OrderRow, ...]
    settlements: tuple[Settlement, ...]
    removal_orders: tuple[RemovalOrderRow, ...]
    removal_shipments: tuple[RemovalShipmentRow, ...]
    fee_preview: tuple[FeePreviewRow, ...]
    inbound: tuple[InboundShipment, ...]
    seller_costs: tuple[tuple[str, Decimal], ...]


@functools.lru_cache(maxsize=8)
def generated_rows(today: date, seed: int, market: Marketplace) -> Generated:
    """Generate the immutable rows once per anchor, seed and marketplace."""
    rng = random.Random(seed)
    ids = IdSource(rng)
    products = make_catalog(rng, ids, MAX_PRODUCTS)
    planter = CasePlanter(today, market.zone, ids, market.currency, market.country_code)
    plant_cases(planter, products)
    background_reimbursements(planter, rng, products[CASE_PRODUCTS:])
    traffic = TrafficGenerator(rng, ids, today, market.zone, market.country_code)
    for product in products:
        traffic.run(product, LEDGER_DAYS)
    traffic_rows = len(traffic.ledger)
    planted_rows = len(planter.ledger)

    # Everything below draws from the second generator only.
    claims_rng = random.Random(f"{seed}:claims")
    claim_ids = ids.with_generator(claims_rng)
    planter.ids = claim_ids
    claim_products = make_catalog(
        claims_rng, claim_ids, CLAIM_CASE_PRODUCTS, claims=True
    )
    every_product = [*products, *claim_products]
    # No product's own tier is OVERCHARGED_TIER, so charging that tier's fee
    # is always an overcharge.
    tiers = [t for t in range(TIER_COUNT) if t != OVERCHARGED_TIER]
    previews = [
        fee_preview_row(product, claims_rng.choice(tiers), market)
        for product in every_product
    ]
    claims = ClaimPlanter(planter, market, {row.fnsku: row for row in previews})
    disposed = products[CASE_PRODUCTS + BACKGROUND_EVENT_PRODUCTS - 1]
    # The planted D disposal of the lost-inventory cases had a disposal order.
    claims.removal(disposed, "Disposal", 23, 21, "Completed", (2, 0, 2, 0, 0),
                   disposition="Unsellable")  # fmt: skip
    plant_claims(claims, claim_products)
    claim_traffic = TrafficGenerator(
        claims_rng, claim_ids, today, market.zone, market.country_code
    )
    for product in claim_products:
        claim_traffic.run(product, LEDGER_DAYS)

    # Old rows first and in their old order, so the stable sort keeps it.
    ledger = sorted(
        [
            *traffic.ledger[:traffic_rows],
            *planter.ledger[:planted_rows],
            *claim_traffic.ledger,
            *planter.ledger[planted_rows:],
        ],
        key=lambda r: r.occurred_at,
    )
    returns = [*traffic.returns, *claim_traffic.returns, *claims.returns]
    receipts = [
        *traffic.ledger[:traffic_rows],
        *claim_traffic.ledger,
    ]
    inbound = [*_background_shipments(receipts, today, market), *claims.inbound]
    return Generated(
        marketplace=market,
        products=tuple(every_product),
        ledger=tuple(ledger),
        reimbursements=tuple(
            sorted(planter.reimbursements, key=lambda r: r.approval_date)
        ),
        returns=tuple(sorted(returns, key=lambda r: r.return_date)),
        cases=tuple(planter.cases),
        orders=tuple(sorted(claims.orders, key=lambda r: r.purchase_date)),
        settlements=tuple(
            _settlements(claims.settlement_lines, today, market, claim_ids)
        ),
        removal_orders=tuple(
            sorted(claims.removal_orders, key=lambda r: r.request_date)
        ),
        removal_shipments=tuple(
            sorted(claims.removal_shipments, key=lambda r: r.shipment_date)
        ),
        fee_preview=tuple(previews),
        inbound=tuple(sorted(inbound, key=lambda s: (s.last_updated, s.shipment_id))),
        seller_costs=tuple(claims.seller_costs.items()),
    )


def _background_shipments(
    rows: Sequence[LedgerRow], today: date, market: Marketplace
) -> list[InboundShipment]:
    """Turn each background Receipts row into an inbound shipment received in full.

    A shipment received in the last 3 days is still RECEIVING. Older ones are
    CLOSED 2 days after the receipt.
    """
    recent = datetime.combine(today - timedelta(days=3), time(), tzinfo=market.zone)
    shipments = []
    for row in rows:
        if row.event_type != "Receipts":
            continue
        closed = row.occurred_at < recent
        created = row.occurred_at - timedelta(days=9, hours=-10)
        shipments.append(
            InboundShipment(
                shipment_id=row.reference_id,
                shipment_name=f"FBA ({created:%m/%d/%y}, {created:%I:%M %p}) - 1",
                status="CLOSED" if closed else "RECEIVING",
                destination_center=row.fulfillment_center,
                last_updated=row.occurred_at + timedelta(days=2 if closed else 0),
                items=(InboundItem(row.msku, row.fnsku, row.quantity, row.quantity),),
            )
        )
    return shipments


def _settlements(
    lines: Sequence[SettlementLine],
    today: date,
    market: Marketplace,
    ids: IdSource,
) -> list[Settlement]:
    """Group settlement lines into 14-day periods, oldest first.

    Period k ends at local midnight 3 + 14k days before `today`. Lines posted
    outside every period (the open period of the last 3 days) are left out.
    """
    newest_end = datetime.combine(today - timedelta(days=3), time(), tzinfo=market.zone)
    settlements = []
    for period in reversed(range(SETTLEMENT_PERIODS)):
        end = newest_end - timedelta(days=SETTLEMENT_PERIOD_DAYS * period)
        start = end - timedelta(days=SETTLEMENT_PERIOD_DAYS)
        posted = sorted(
            (line for line in lines if start <= line.posted < end),
            key=lambda line: line.posted,
        )
        settlements.append(
            Settlement(
                settlement_id=ids.settlement_id(),
                start=start,
                end=end,
                deposit=end + timedelta(days=1, hours=6),
                currency=market.currency,
                lines=tuple(posted),
            )
        )
    return settlements
