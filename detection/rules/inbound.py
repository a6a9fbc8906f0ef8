"""Rule inbound_shortage: units shipped to Amazon that a closed shipment never received.

Each inbound shipment item (latest version per shipment and seller SKU, by
observed_at) gives the units shipped and received. The shipment counts as closed
when its latest inbound_shipments version has status CLOSED. A shipment without
an inbound_shipments row (that API table unsynced or behind) counts as closed when
ledger Receipts carry its id as Reference ID, and its findings have low confidence
because the status is unknown. When an item's quantity_received is blank,
the ledger Receipts of the shipment and FNSKU give the units received.

Delivery, the event the claim window counts from, is the first ledger Receipts
row of the shipment, else the first observation of the shipment with status
DELIVERED, CHECKED_IN, RECEIVING or CLOSED. Lost_Inbound and Damaged_Inbound
reimbursements of the FNSKU, reversals netted, are subtracted: a row whose
amazon_order_id is the shipment id goes to that shipment, others first in first
out. The window follows the unverified policy row (15 to 60 days after delivery
unless overridden).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from detection.models import EvidenceRow, Finding, Resolution, ResolutionCause
from detection.policy import amazon_pays_proactively
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.rules.claim_credits import (
    LEDGER_REPORT,
    OrderLoss,
    allocate_order_credits,
    count_units,
    credit_evidence,
    day,
    fetch_estimates,
    fetch_order_credits,
    from_epoch_us,
    optional_time,
    reversed_ids,
)
from detection.rules.claim_verdicts import (
    below_minimum_reason,
    price_and_decide,
    value_confidence,
    value_sentence,
)
from detection.tables import (
    INBOUND_SHIPMENT_ITEMS,
    INBOUND_SHIPMENTS,
    LEDGER_DETAIL,
    REIMBURSEMENTS,
    TABLE_SOURCES,
)
from detection.valuation import AmazonEstimate

logger = logging.getLogger(__name__)

INBOUND_SHORTAGE = "inbound_shortage"
_CREDIT_REASONS = frozenset({"lostinbound", "damagedinbound"})

_CANDIDATES_SQL = """
CREATE OR REPLACE TEMP TABLE inbound_candidates AS
WITH items AS (
    SELECT
        row_key, trim(shipment_id) AS shipment_id,
        coalesce(trim(seller_sku), '') AS sku,
        coalesce(trim(fulfillment_network_sku), '') AS fnsku,
        coalesce(quantity_shipped, 0) AS shipped, quantity_received,
        epoch_us(observed_at) AS observed_us
    FROM inbound_shipment_items
    WHERE nullif(trim(shipment_id), '') IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY trim(shipment_id), coalesce(trim(seller_sku), '')
        ORDER BY observed_at DESC NULLS LAST, row_key DESC
    ) = 1
),
statuses AS (
    SELECT
        row_key, trim(shipment_id) AS shipment_id,
        upper(trim(shipment_status)) AS status, observed_at,
        coalesce(destination_fulfillment_center_id, '') AS center
    FROM inbound_shipments
    WHERE nullif(trim(shipment_id), '') IS NOT NULL
),
latest AS (
    SELECT * FROM statuses
    QUALIFY row_number() OVER (
        PARTITION BY shipment_id ORDER BY observed_at DESC NULLS LAST, row_key DESC
    ) = 1
),
arrived AS (
    SELECT shipment_id, min(observed_at) AS arrived_at
    FROM statuses
    WHERE status IN ('DELIVERED', 'CHECKED_IN', 'RECEIVING', 'CLOSED')
    GROUP BY shipment_id
),
receipts AS (
    SELECT
        row_key, source_line, occurred_at, trim(reference_id) AS shipment_id,
        trim(fnsku) AS fnsku, quantity, coalesce(asin, '') AS asin,
        coalesce(title, '') AS title
    FROM ledger_detail
    WHERE lower(replace(replace(event_type, ' ', ''), '_', '')) = 'receipts'
      AND occurred_at IS NOT NULL
      AND trim(reference_id) IN (SELECT shipment_id FROM items)
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
),
first_receipt AS (
    SELECT
        shipment_id, min(occurred_at) AS first_at,
        arg_min(row_key, (occurred_at, source_line)) AS receipt_row_key,
        arg_min(source_line, (occurred_at, source_line)) AS receipt_line,
        arg_min(quantity, (occurred_at, source_line)) AS receipt_quantity
    FROM receipts
    GROUP BY shipment_id
),
received_by_fnsku AS (
    SELECT shipment_id, fnsku, sum(quantity) AS received,
           max(asin) AS asin, max(title) AS title
    FROM receipts
    GROUP BY shipment_id, fnsku
)
SELECT
    i.row_key, i.shipment_id, i.sku, i.fnsku, i.shipped, i.quantity_received,
    i.observed_us, l.status, l.row_key AS status_row_key,
    epoch_us(l.observed_at) AS status_observed_us, coalesce(l.center, '') AS center,
    epoch_us(coalesce(f.first_at, a.arrived_at)) AS delivered_us,
    f.receipt_row_key, f.receipt_line, epoch_us(f.first_at) AS receipt_us,
    f.receipt_quantity, r.received AS ledger_received,
    coalesce(r.asin, '') AS asin, coalesce(r.title, '') AS title
FROM items AS i
LEFT JOIN latest AS l USING (shipment_id)
LEFT JOIN arrived AS a USING (shipment_id)
LEFT JOIN first_receipt AS f USING (shipment_id)
LEFT JOIN received_by_fnsku AS r
    ON r.shipment_id = i.shipment_id AND r.fnsku = i.fnsku AND i.fnsku <> ''
WHERE (l.status = 'CLOSED' OR (l.shipment_id IS NULL AND f.shipment_id IS NOT NULL))
  AND coalesce(f.first_at, a.arrived_at) IS NOT NULL
  AND i.shipped - coalesce(i.quantity_received, r.received, 0) > 0
"""

_ROWS_SQL = """
SELECT * FROM inbound_candidates ORDER BY fnsku, delivered_us, shipment_id, sku
"""

_FNSKUS_SQL = """
CREATE OR REPLACE TEMP TABLE inbound_fnskus AS
SELECT DISTINCT fnsku FROM inbound_candidates WHERE fnsku <> ''
"""


@dataclass(frozen=True, slots=True)
class ShipmentItem:
    """A shipment item of a closed shipment with fewer units received than shipped."""

    row_key: str
    shipment_id: str
    sku: str
    fnsku: str
    shipped: int
    received: int
    received_from_ledger: bool
    observed_at: datetime | None
    status: str | None
    """The latest API status, or None when only ledger Receipts show the shipment."""
    status_row_key: str | None
    status_observed_at: datetime | None
    fulfillment_center: str
    delivered_at: datetime
    receipt_row_key: str | None
    receipt_line: int | None
    receipt_at: datetime | None
    receipt_quantity: int | None
    asin: str
    title: str

    @property
    def key(self) -> str:
        """The finding key: shipment id and seller SKU name the item."""
        return finding_key(INBOUND_SHORTAGE, self.shipment_id, self.sku, self.fnsku)


class InboundRule:
    """Finds units a closed inbound shipment never received and Amazon never paid."""

    name = "inbound"
    finding_types = (INBOUND_SHORTAGE,)
    requirements: ClassVar[Mapping[str, tuple[tuple[str, ...], ...]]] = {
        # The items give the units shipped, so they are needed; the status comes
        # from the shipments or, when those are missing, from ledger Receipts.
        INBOUND_SHORTAGE: (
            (INBOUND_SHIPMENT_ITEMS,),
            (INBOUND_SHIPMENTS, LEDGER_DETAIL),
            (REIMBURSEMENTS,),
        ),
    }

    def run(self, context: RuleContext) -> RuleOutcome:
        """Judge every short item of a closed shipment."""
        outcome = RuleOutcome()
        if not context.row_counts.get(INBOUND_SHIPMENT_ITEMS, 1):
            return outcome
        connection = context.connection
        connection.execute(_CANDIDATES_SQL)
        try:
            items = [_item(row) for row in connection.execute(_ROWS_SQL).fetchall()]
            connection.execute(_FNSKUS_SQL)
            credits = fetch_order_credits(
                connection, "inbound_fnskus", reasons=_CREDIT_REASONS
            )
            estimates = fetch_estimates(connection, "inbound_fnskus")
        finally:
            connection.execute("DROP TABLE IF EXISTS inbound_candidates")
            connection.execute("DROP TABLE IF EXISTS inbound_fnskus")

        lookback = timedelta(days=context.settings.credit_lookback_days)
        by_fnsku: dict[str, list[OrderLoss[ShipmentItem]]] = defaultdict(list)
        for item in items:
            by_fnsku[item.fnsku or f"sku:{item.sku}"].append(
                OrderLoss(
                    item=item,
                    order_id=item.shipment_id,
                    occurred_at=item.delivered_at,
                    sort_key=(item.shipment_id, item.sku),
                    units=item.shipped - item.received,
                )
            )
        for group, losses in sorted(by_fnsku.items()):
            for loss in allocate_order_credits(
                losses, credits.get(group, []), lookback
            ):
                _judge(loss, estimates, context, outcome)
        logger.debug(
            "inbound rule: %d short items, %d findings, %d resolved",
            len(items),
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


def _item(row: tuple[Any, ...]) -> ShipmentItem:
    received_api = row[5]
    from_ledger = received_api is None
    received = int(row[16] or 0) if from_ledger else int(received_api)
    return ShipmentItem(
        row_key=row[0],
        shipment_id=row[1],
        sku=row[2],
        fnsku=row[3],
        shipped=int(row[4]),
        received=received,
        received_from_ledger=from_ledger,
        observed_at=optional_time(row[6]),
        status=row[7],
        status_row_key=row[8],
        status_observed_at=optional_time(row[9]),
        fulfillment_center=row[10],
        delivered_at=from_epoch_us(row[11]),
        receipt_row_key=row[12],
        receipt_line=row[13],
        receipt_at=optional_time(row[14]),
        receipt_quantity=row[15],
        asin=row[17],
        title=row[18],
    )


def _judge(
    loss: OrderLoss[ShipmentItem],
    estimates: Mapping[str, AmazonEstimate],
    context: RuleContext,
    outcome: RuleOutcome,
) -> None:
    item = loss.item
    settings = context.settings
    open_units = loss.open_units
    unit_value, window, amount, verdict = price_and_decide(
        window_key=INBOUND_SHORTAGE,
        event_at=item.delivered_at,
        sku=item.sku,
        fnsku=item.fnsku,
        open_units=open_units,
        estimates=estimates,
        context=context,
    )
    if verdict == "wait":
        return
    if verdict == "closed":
        outcome.resolved.append(
            _resolution(
                item,
                "reimbursed",
                f"Amazon reimbursed all {count_units(loss.units)} missing from "
                f"shipment {item.shipment_id}.",
            )
        )
        return
    if verdict == "window_closed":
        days = (window.closes - item.delivered_at).days
        outcome.resolved.append(
            _resolution(
                item,
                "window_closed",
                f"The {days}-day claim window for {count_units(open_units)} missing "
                f"from shipment {item.shipment_id} closed on {day(window.closes)}.",
            )
        )
        return
    if verdict == "below_minimum":
        outcome.resolved.append(
            _resolution(
                item,
                "below_minimum",
                below_minimum_reason(open_units, amount, unit_value.currency, settings),
            )
        )
        return

    if item.status is None:
        confidence, confidence_reason = value_confidence(
            unit_value,
            "low",
            "The shipment's status is unknown, so the ledger Receipts may still grow "
            "while Amazon receives it.",
        )
    else:
        confidence, confidence_reason = value_confidence(
            unit_value,
            "high",
            "The shipment is closed with fewer units received than shipped, and no "
            "payout covers the rest.",
        )
    outcome.findings.append(
        Finding(
            key=item.key,
            type=INBOUND_SHORTAGE,
            fnsku=item.fnsku,
            sku=item.sku,
            asin=item.asin,
            product_name=item.title,
            fulfillment_center=item.fulfillment_center,
            reference_id=item.shipment_id,
            occurred_at=item.delivered_at,
            units_lost=loss.units,
            credited_units=loss.credited_units,
            open_units=open_units,
            unit_value=unit_value.amount,
            amount=amount,
            currency=unit_value.currency,
            confidence=confidence,
            confidence_reason=confidence_reason,
            amazon_expected_to_pay=amazon_pays_proactively(
                INBOUND_SHORTAGE, item.delivered_at
            ),
            claim_window_opens=window.opens,
            claim_window_closes=window.closes,
            reason=_reason(loss, window.opens, window.closes)
            + " "
            + value_sentence(unit_value, amount, item.sku or item.fnsku),
            evidence=_evidence(loss),
            unit_value_source=unit_value.source,
            shipment_id=item.shipment_id,
            marketplace_id=settings.marketplace_id,
        )
    )


def _reason(loss: OrderLoss[ShipmentItem], opens: datetime, closes: datetime) -> str:
    item = loss.item
    status = "closed" if item.status else "received (status unknown)"
    source = "ledger Receipts" if item.received_from_ledger else "the shipment items"
    sentences = [
        f"Shipment {item.shipment_id}, delivered on {day(item.delivered_at)} and "
        f"{status}, carried {count_units(item.shipped)} of SKU {item.sku or 'unknown'} "
        f"(FNSKU {item.fnsku or 'unknown'}), and {source} show "
        f"{count_units(item.received)} received."
    ]
    if loss.credited_units:
        sentences.append(
            f"Amazon has reimbursed {count_units(loss.credited_units)} of the shortage."
        )
    else:
        sentences.append("Amazon has not reimbursed any unit of the shortage.")
    for reimbursement_id in reversed_ids(loss.allocations):
        sentences.append(
            f"Amazon reversed reimbursement {reimbursement_id}, so its reversed units "
            "count as unpaid."
        )
    sentences.append(
        f"{count_units(loss.open_units)} can be claimed from {day(opens)} until "
        f"{day(closes)}; Amazon's window for shortages is not confirmed, so check it "
        "in Seller Central."
    )
    return " ".join(sentences)


def _evidence(loss: OrderLoss[ShipmentItem]) -> list[EvidenceRow]:
    item = loss.item
    rows = [
        EvidenceRow(
            report_type=TABLE_SOURCES[INBOUND_SHIPMENT_ITEMS],
            row_key=item.row_key,
            source_line=0,
            occurred_at=item.observed_at or item.delivered_at,
            quantity=item.shipped,
            reference_id=item.shipment_id,
            description=(
                f"Shipment {item.shipment_id} item {item.sku or item.fnsku}: "
                f"{count_units(item.shipped)} shipped, received "
                f"{'blank' if item.received_from_ledger else item.received}."
            ),
        )
    ]
    if item.status_row_key is not None:
        rows.append(
            EvidenceRow(
                report_type=TABLE_SOURCES[INBOUND_SHIPMENTS],
                row_key=item.status_row_key,
                source_line=0,
                occurred_at=item.status_observed_at or item.delivered_at,
                quantity=0,
                reference_id=item.shipment_id,
                description=f"Shipment {item.shipment_id} status {item.status}.",
            )
        )
    if item.receipt_row_key is not None and item.receipt_at is not None:
        rows.append(
            EvidenceRow(
                report_type=LEDGER_REPORT,
                row_key=item.receipt_row_key,
                source_line=int(item.receipt_line or 0),
                occurred_at=item.receipt_at,
                quantity=int(item.receipt_quantity or 0),
                reference_id=item.shipment_id,
                description=(
                    f"First ledger Receipts row of shipment {item.shipment_id}, "
                    "the delivery date."
                ),
            )
        )
    rows.extend(credit_evidence(loss.allocations))
    return rows


def _resolution(item: ShipmentItem, cause: ResolutionCause, reason: str) -> Resolution:
    return Resolution(
        key=item.key,
        type=INBOUND_SHORTAGE,
        fnsku=item.fnsku,
        occurred_at=item.delivered_at,
        cause=cause,
        reason=reason,
    )
