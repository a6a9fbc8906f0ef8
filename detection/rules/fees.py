"""Rules fee_overcharge and refund_admin_fee: settlement fees above Amazon's own.

fee_overcharge compares the FBA fulfillment fee charged on each order item
(settlement Order rows, ItemFees FBAPerUnitFulfillmentFee) with the fee Amazon's fee
preview expects for the SKU. The preview describes the current state, so it judges
only charges of the last 90 days. Fee refunds on the same order item (positive
FBAPerUnitFulfillmentFee rows of any transaction type) are subtracted first. The
preview's listed size tier is also checked against the tier its own measurements
imply (`detection.size_tiers`). A listed tier larger than the implied one is named
in the finding's reason and lowers the confidence. No fee is computed for the
other tier, and a larger tier alone gives no finding, because that fee is not in
the data.

NOTE: a fee change or a surcharge (such as a holiday peak fee) in the last 90 days
that the preview does not show makes charges differ from it; such charges are
flagged as overcharges until the preview and the charges agree.

refund_admin_fee checks what Amazon kept of the referral fee when it refunded an
order item. Amazon may keep at most min(cap per unit, share x referral fee) of the
referral fee of the refunded part. The referral fee is the Commission of the sale's
Order rows; what was refunded is the refund's Commission minus its RefundCommission
(the administration fee). When the Order rows of the order item are not in the data
(the sale was settled before the oldest stored settlement), the referral fee is
unknown and no finding is made: guessing it would turn every such refund into a
claim of unknown worth.

Amazon does not refund either kind of fee on its own, so no payout is pending.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

import duckdb

from detection.models import (
    Confidence,
    DetectionSettings,
    EvidenceRow,
    Finding,
    Resolution,
    ResolutionCause,
)
from detection.policy import claim_window
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.size_tiers import SizeTier, SizeTierTable, measurements, tier_table
from detection.tables import FEE_PREVIEW, SETTLEMENTS

logger = logging.getLogger(__name__)

FEE_OVERCHARGE = "fee_overcharge"
REFUND_ADMIN_FEE = "refund_admin_fee"

SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FEE_PREVIEW_REPORT = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"

PREVIEW_VALID_DAYS = 90
"""Days the current fee preview is taken to be valid for, counted back from now."""

_FEE_DESCRIPTION = "fbaperunitfulfillmentfee"
_CENT = Decimal("0.01")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECONDS_PER_DAY = 86_400_000_000

# The settlement's marketplace-name of each marketplace id. Rows of another
# marketplace (cross-border orders, multi-channel orders as "Non-Amazon") pay fees
# that the seller's fee preview does not describe.
MARKETPLACE_NAMES: Mapping[str, str] = {
    "ATVPDKIKX0DER": "amazon.com",
    "A2EUQ1WTGCTBG2": "amazon.ca",
    "A1AM78C64UM0Y8": "amazon.com.mx",
    "A2Q3Y263D00KWC": "amazon.com.br",
    "A1F83G8C2ARO7P": "amazon.co.uk",
    "A1PA6795UKMFR9": "amazon.de",
    "A13V1IB3VIYZZH": "amazon.fr",
    "APJ6JRA9NG5V4": "amazon.it",
    "A1RKKUPIHCS9HS": "amazon.es",
    "A1805IZSGTT6HS": "amazon.nl",
    "A2NODRKZP88ZB9": "amazon.se",
    "A1C3SOZRARQ6R3": "amazon.pl",
    "AMEN7PMS3EDWL": "amazon.com.be",
    "A33AVAJ2PDY3EV": "amazon.com.tr",
    "A1VC38T7YXB528": "amazon.co.jp",
    "A39IBJ37TRP1C6": "amazon.com.au",
}

# Settlement rows in normalized form: transaction type, amount type and amount
# description lose spaces and underscores and are lower-cased. An order item is its
# order item code, or its SKU when the code is blank. A row_key seen twice (the same
# settlement stored twice) is read once.
_SETTLEMENT_ROWS_SQL = """
CREATE OR REPLACE TEMP TABLE fee_settlement_rows AS
WITH normalized AS (
    SELECT
        row_key, source_line, coalesce(settlement_id, '') AS settlement_id,
        coalesce(trim(currency), '') AS currency,
        lower(replace(replace(coalesce(transaction_type, ''), ' ', ''), '_', ''))
            AS transaction_key,
        lower(replace(replace(coalesce(amount_type, ''), ' ', ''), '_', ''))
            AS amount_type_key,
        lower(replace(replace(coalesce(amount_description, ''), ' ', ''), '_', ''))
            AS description_key,
        coalesce(amount_description, '') AS amount_description,
        trim(order_id) AS order_id,
        coalesce(trim(order_item_code), '') AS order_item_code,
        coalesce(trim(adjustment_id), '') AS adjustment_id,
        coalesce(trim(sku), '') AS sku, quantity_purchased,
        TRY_CAST(trim(amount) AS DECIMAL(38, 10)) AS amount_value,
        trim(amount) AS amount_text,
        epoch_us(coalesce(posted_date_time, posted_date)) AS posted_us,
        lower(trim(coalesce(marketplace_name, ''))) AS marketplace_key
    FROM settlements
    WHERE order_id IS NOT NULL AND trim(order_id) <> ''
      AND coalesce(posted_date_time, posted_date) IS NOT NULL
      AND TRY_CAST(trim(amount) AS DECIMAL(38, 10)) IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY source_line) = 1
)
SELECT *,
    CASE WHEN order_item_code <> '' THEN order_item_code ELSE 'sku:' || sku END
        AS item_key
FROM normalized
WHERE transaction_key IN ('order', 'refund')
   OR description_key = 'fbaperunitfulfillmentfee'
"""

# The rows of the order items that become findings, for their evidence.
_EVIDENCE_SQL = """
SELECT
    s.order_id, s.item_key, s.row_key, s.source_line, s.posted_us,
    s.transaction_key, s.amount_type_key, s.description_key, s.amount_description,
    s.amount_text, s.quantity_purchased, s.settlement_id, s.adjustment_id
FROM fee_settlement_rows s
JOIN (SELECT unnest($orders) AS order_id, unnest($items) AS item_key) wanted
    ON wanted.order_id = s.order_id AND wanted.item_key = s.item_key
WHERE s.description_key IN (
    'principal', 'commission', 'refundcommission', 'fbaperunitfulfillmentfee'
)
ORDER BY s.posted_us, s.source_line, s.row_key
"""

# Fee charges of the order items charged since $since, with the Principal rows and
# fee refunds of the same items, joined to the preview by SKU. Only items whose
# gross charge exceeds the expected fee by more than the tolerance are returned.
_FEE_CANDIDATES_SQL = """
WITH charges AS (
    SELECT order_id, item_key, min(posted_us) AS posted_us,
        -sum(amount_value) AS charged, max(nullif(sku, '')) AS sku,
        max(quantity_purchased) FILTER (WHERE quantity_purchased > 0) AS quantity,
        max(nullif(currency, '')) AS currency,
        max(nullif(order_item_code, '')) AS order_item_code
    FROM fee_settlement_rows
    WHERE transaction_key = 'order' AND amount_type_key = 'itemfees'
      AND description_key = 'fbaperunitfulfillmentfee' AND amount_value < 0
      AND posted_us BETWEEN $since AND $until
      AND ($marketplace = '' OR marketplace_key = '' OR marketplace_key = $marketplace)
    GROUP BY order_id, item_key
),
principals AS (
    SELECT order_id, item_key, max(nullif(sku, '')) AS sku,
        max(quantity_purchased) FILTER (WHERE quantity_purchased > 0) AS quantity
    FROM fee_settlement_rows
    WHERE transaction_key = 'order' AND amount_type_key = 'itemprice'
      AND description_key = 'principal'
      AND (order_id, item_key) IN (SELECT (order_id, item_key) FROM charges)
    GROUP BY order_id, item_key
),
refunds AS (
    SELECT order_id, item_key, sum(amount_value) AS refunded
    FROM fee_settlement_rows
    WHERE description_key = 'fbaperunitfulfillmentfee' AND amount_value > 0
      AND (order_id, item_key) IN (SELECT (order_id, item_key) FROM charges)
    GROUP BY order_id, item_key
),
preview AS (
    SELECT trim(sku) AS sku, row_key, source_line, coalesce(fnsku, '') AS fnsku,
        coalesce(asin, '') AS asin, coalesce(product_name, '') AS product_name,
        coalesce(trim(currency), '') AS currency,
        TRY_CAST(trim(expected_fulfillment_fee_per_unit) AS DECIMAL(38, 10))
            AS expected,
        TRY_CAST(trim(longest_side) AS DECIMAL(38, 10)) AS longest_side,
        TRY_CAST(trim(median_side) AS DECIMAL(38, 10)) AS median_side,
        TRY_CAST(trim(shortest_side) AS DECIMAL(38, 10)) AS shortest_side,
        coalesce(unit_of_dimension, '') AS unit_of_dimension,
        TRY_CAST(trim(item_package_weight) AS DECIMAL(38, 10)) AS weight,
        coalesce(unit_of_weight, '') AS unit_of_weight,
        coalesce(product_size_tier, '') AS product_size_tier
    FROM fee_preview
    WHERE sku IS NOT NULL AND trim(sku) <> ''
      AND TRY_CAST(trim(expected_fulfillment_fee_per_unit) AS DECIMAL(38, 10)) >= 0
    QUALIFY row_number() OVER (
        PARTITION BY trim(sku) ORDER BY expected DESC, row_key
    ) = 1
)
SELECT
    c.order_id, c.item_key, coalesce(c.order_item_code, '') AS order_item_code,
    c.posted_us,
    c.charged, coalesce(c.quantity, p.quantity) AS quantity,
    coalesce(c.currency, '') AS currency, coalesce(r.refunded, 0) AS refunded,
    v.sku, v.row_key AS preview_row_key, v.source_line AS preview_source_line,
    v.fnsku, v.asin, v.product_name, v.currency AS preview_currency, v.expected,
    v.longest_side, v.median_side, v.shortest_side, v.unit_of_dimension, v.weight,
    v.unit_of_weight, v.product_size_tier
FROM charges c
LEFT JOIN principals p ON p.order_id = c.order_id AND p.item_key = c.item_key
LEFT JOIN refunds r ON r.order_id = c.order_id AND r.item_key = c.item_key
JOIN preview v ON v.sku = coalesce(c.sku, p.sku)
WHERE (v.currency = '' OR c.currency IS NULL OR v.currency = c.currency)
  AND c.charged - v.expected * coalesce(c.quantity, p.quantity, 1)
      > $tolerance * coalesce(c.quantity, p.quantity, 1)
ORDER BY c.posted_us, c.order_id, c.item_key
"""

# Refunds since $since with at least one Commission or RefundCommission row, by
# order item and refund (adjustment id, else posting time), joined to the Commission
# and Principal of the sale's Order rows. A refund whose order has no Order rows in
# the data is left out. The final filter is loose (floating point shares, a margin
# of a cent); the exact test is done in Python with Decimals.
_REFUND_CANDIDATES_SQL = """
WITH refunds AS (
    SELECT order_id, item_key,
        CASE WHEN adjustment_id <> '' THEN adjustment_id
             ELSE CAST(posted_us AS VARCHAR) END AS refund_id,
        min(posted_us) AS posted_us, max(nullif(sku, '')) AS sku,
        max(nullif(order_item_code, '')) AS order_item_code,
        max(nullif(currency, '')) AS currency,
        coalesce(sum(amount_value) FILTER (
            WHERE amount_type_key = 'itemfees' AND description_key = 'commission'
        ), 0) AS commission_refunded,
        coalesce(sum(amount_value) FILTER (
            WHERE description_key = 'refundcommission'
        ), 0) AS admin_fee,
        sum(amount_value) FILTER (
            WHERE amount_type_key = 'itemprice' AND description_key = 'principal'
        ) AS principal_refunded,
        max(quantity_purchased) FILTER (WHERE quantity_purchased > 0) AS quantity,
        count(*) FILTER (
            WHERE description_key IN ('commission', 'refundcommission')
        ) AS commission_rows
    FROM fee_settlement_rows
    WHERE transaction_key = 'refund' AND posted_us BETWEEN $since AND $until
    GROUP BY order_id, item_key, refund_id
),
sales AS (
    SELECT order_id, item_key, max(nullif(sku, '')) AS sku,
        -sum(amount_value) FILTER (
            WHERE amount_type_key = 'itemfees' AND description_key = 'commission'
        ) AS referral_fee,
        sum(amount_value) FILTER (
            WHERE amount_type_key = 'itemprice' AND description_key = 'principal'
        ) AS principal,
        max(quantity_purchased) FILTER (WHERE quantity_purchased > 0) AS quantity
    FROM fee_settlement_rows
    WHERE transaction_key = 'order'
      AND (order_id, item_key) IN (SELECT (order_id, item_key) FROM refunds)
    GROUP BY order_id, item_key
),
joined AS (
    SELECT r.*, s.referral_fee, s.principal AS sale_principal,
        s.quantity AS sale_quantity,
        coalesce(r.sku, s.sku, '') AS item_sku,
        CASE WHEN r.principal_refunded IS NOT NULL AND s.principal > 0
             THEN least(1.0, abs(r.principal_refunded) / s.principal)
             ELSE 1.0 END AS share
    FROM refunds r
    JOIN sales s ON s.order_id = r.order_id AND s.item_key = r.item_key
    WHERE r.commission_rows > 0 AND s.referral_fee > 0
)
SELECT order_id, item_key, coalesce(order_item_code, '') AS order_item_code,
    refund_id, posted_us, item_sku, coalesce(currency, '') AS currency,
    commission_refunded, admin_fee, principal_refunded, quantity, referral_fee,
    sale_principal, sale_quantity
FROM joined
WHERE referral_fee * share - (commission_refunded + admin_fee)
      - least(
          $cap * coalesce(quantity, sale_quantity, 1), $share * referral_fee * share
      )
      > $tolerance - 0.01
ORDER BY posted_us, order_id, item_key, refund_id
"""


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """One settlement row used as evidence, with its normalized keys."""

    row_key: str
    source_line: int
    posted_at: datetime
    transaction_key: str
    amount_type_key: str
    description_key: str
    amount_description: str
    amount: Decimal
    quantity: int | None
    settlement_id: str
    adjustment_id: str

    @property
    def refund_id(self) -> str:
        """The refund the row belongs to, as the refund query names it."""
        return self.adjustment_id or str(_epoch_us(self.posted_at))


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """The fee preview row of a SKU, with the numbers the fee rule reads."""

    row_key: str
    source_line: int
    sku: str
    fnsku: str
    asin: str
    product_name: str
    currency: str
    expected_fee: Decimal
    sides: tuple[Decimal | None, Decimal | None, Decimal | None]
    unit_of_dimension: str
    weight: Decimal | None
    unit_of_weight: str
    size_tier: str


@dataclass(frozen=True, slots=True)
class TierCheck:
    """The listed and the implied size tier, when the listed one is larger."""

    listed: SizeTier
    implied: SizeTier
    table: SizeTierTable


@dataclass(frozen=True, slots=True)
class FeeCharge:
    """The fulfillment fee of one order item and what it should have been."""

    order_id: str
    order_item_code: str
    charged_at: datetime
    units: int
    units_known: bool
    """False when no row gave a quantity and one unit was assumed."""
    charged: Decimal
    """The sum of the fee rows, as a positive number."""
    refunded: Decimal
    """Fee refunds on the same order item."""
    currency: str
    preview: PreviewRow
    item_key: str
    """The order item code, or "sku:" and the SKU when the code is blank."""
    charge_rows: tuple[SettlementRow, ...] = ()
    principal_rows: tuple[SettlementRow, ...] = ()
    refund_rows: tuple[SettlementRow, ...] = ()

    @property
    def net_per_unit(self) -> Decimal:
        """What one unit paid after fee refunds."""
        return (self.charged - self.refunded) / self.units

    @property
    def overcharge_per_unit(self) -> Decimal:
        return self.net_per_unit - self.preview.expected_fee

    @property
    def gross_overcharge_per_unit(self) -> Decimal:
        return self.charged / self.units - self.preview.expected_fee

    @property
    def amount(self) -> Decimal:
        return _cents(self.overcharge_per_unit * self.units)

    @property
    def key(self) -> str:
        return finding_key(
            FEE_OVERCHARGE, self.order_id, self.order_item_code, self.preview.sku
        )


@dataclass(frozen=True, slots=True)
class AdminFeeRefund:
    """One refund of an order item and the referral fee Amazon kept on it."""

    order_id: str
    order_item_code: str
    refund_id: str
    refunded_at: datetime
    sku: str
    currency: str
    referral_fee: Decimal
    """The Commission charged on the sale, as a positive number."""
    referral_base: Decimal
    """The part of the referral fee that belongs to the refunded principal."""
    share_known: bool
    """False when a Principal is missing and the whole referral fee was taken."""
    commission_refunded: Decimal
    admin_fee: Decimal
    """RefundCommission, as a positive number."""
    units: int
    units_known: bool
    allowed: Decimal
    item_key: str
    refund_rows: tuple[SettlementRow, ...] = ()
    sale_rows: tuple[SettlementRow, ...] = ()

    @property
    def retained(self) -> Decimal:
        """The referral fee of the refunded part that Amazon did not give back."""
        return self.referral_base - (self.commission_refunded - self.admin_fee)

    @property
    def excess(self) -> Decimal:
        return self.retained - self.allowed

    @property
    def amount(self) -> Decimal:
        return _cents(self.excess)

    @property
    def key(self) -> str:
        item = self.order_item_code or f"sku:{self.sku}"
        return finding_key(REFUND_ADMIN_FEE, self.order_id, item, self.refund_id)


class FeeRule:
    """Fulfillment fees above the fee preview and referral fees kept on refunds."""

    name = "fees"
    finding_types = (FEE_OVERCHARGE, REFUND_ADMIN_FEE)
    requirements: ClassVar[Mapping[str, tuple[tuple[str, ...], ...]]] = {
        FEE_OVERCHARGE: ((SETTLEMENTS,), (FEE_PREVIEW,)),
        REFUND_ADMIN_FEE: ((SETTLEMENTS,),),
    }

    def run(self, context: RuleContext) -> RuleOutcome:
        """Judge each candidate fee charge and refund.

        Each yields a finding, a resolution (refunded, window closed, below the
        minimum claim value) or nothing when it is inside every limit.
        """
        outcome = RuleOutcome()
        if context.row_counts.get(SETTLEMENTS, 1) == 0:
            return outcome
        connection = context.connection
        connection.execute(_SETTLEMENT_ROWS_SQL)
        try:
            charges = _fetch_charges(connection, context)
            overcharged = [
                claimable_charge
                for charge in charges
                if (claimable_charge := _judge_charge(charge, context, outcome))
                is not None
            ]
            refunds = _fetch_refunds(connection, context)
            kept_too_much = [
                claimable_refund
                for refund in refunds
                if (claimable_refund := _judge_refund(refund, context, outcome))
                is not None
            ]
            evidence = _fetch_evidence(
                connection,
                [(item.order_id, item.item_key) for item in overcharged]
                + [(item.order_id, item.item_key) for item in kept_too_much],
            )
        finally:
            connection.execute("DROP TABLE IF EXISTS fee_settlement_rows")

        settings = context.settings
        for charge in overcharged:
            rows = evidence.get((charge.order_id, charge.item_key), [])
            outcome.findings.append(
                _fee_finding(_with_charge_rows(charge, rows), settings)
            )
        for refund in kept_too_much:
            rows = evidence.get((refund.order_id, refund.item_key), [])
            outcome.findings.append(
                _refund_finding(_with_refund_rows(refund, rows), settings)
            )
        logger.debug(
            "fee rule: %d fee candidates, %d refund candidates, %d findings, "
            "%d resolved",
            len(charges),
            len(refunds),
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


# Candidate selection


def _lookback(category: str, context: RuleContext) -> tuple[int, int]:
    """Return the epoch microseconds of the oldest and newest event worth reading.

    Events stay of interest for two window lengths: in the first the finding is
    open, in the second a window_closed resolution still closes an earlier finding.
    """
    settings = context.settings
    window = claim_window(
        category, context.as_of, settings.region, settings.window_overrides
    )
    days = max((window.closes - context.as_of).days, PREVIEW_VALID_DAYS)
    until = _epoch_us(context.as_of)
    return until - 2 * days * _MICROSECONDS_PER_DAY, until


def _fetch_charges(
    connection: duckdb.DuckDBPyConnection, context: RuleContext
) -> list[FeeCharge]:
    if context.row_counts.get(FEE_PREVIEW, 1) == 0:
        return []
    since, until = _lookback(FEE_OVERCHARGE, context)
    marketplace = MARKETPLACE_NAMES.get(context.settings.marketplace_id, "")
    cursor = connection.execute(
        _FEE_CANDIDATES_SQL,
        {
            "since": since,
            "until": until,
            "marketplace": marketplace,
            "tolerance": context.settings.fee_tolerance,
        },
    )
    columns = [column[0] for column in cursor.description or ()]
    return [_charge(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]


def _charge(row: Mapping[str, Any]) -> FeeCharge:
    quantity = row["quantity"]
    preview = PreviewRow(
        row_key=row["preview_row_key"],
        source_line=row["preview_source_line"],
        sku=row["sku"],
        fnsku=row["fnsku"],
        asin=row["asin"],
        product_name=row["product_name"],
        currency=row["preview_currency"],
        expected_fee=row["expected"],
        sides=(row["longest_side"], row["median_side"], row["shortest_side"]),
        unit_of_dimension=row["unit_of_dimension"],
        weight=row["weight"],
        unit_of_weight=row["unit_of_weight"],
        size_tier=row["product_size_tier"],
    )
    return FeeCharge(
        order_id=row["order_id"],
        order_item_code=row["order_item_code"],
        charged_at=_from_epoch_us(row["posted_us"]),
        units=quantity or 1,
        units_known=quantity is not None,
        charged=row["charged"],
        refunded=row["refunded"],
        currency=row["currency"] or preview.currency,
        preview=preview,
        item_key=row["item_key"],
    )


def _fetch_refunds(
    connection: duckdb.DuckDBPyConnection, context: RuleContext
) -> list[AdminFeeRefund]:
    settings = context.settings
    since, until = _lookback(REFUND_ADMIN_FEE, context)
    cursor = connection.execute(
        _REFUND_CANDIDATES_SQL,
        {
            "since": since,
            "until": until,
            "cap": settings.refund_admin_fee_cap,
            "share": settings.refund_admin_fee_share,
            "tolerance": settings.fee_tolerance,
        },
    )
    columns = [column[0] for column in cursor.description or ()]
    return [
        _refund(dict(zip(columns, row, strict=True)), settings)
        for row in cursor.fetchall()
    ]


def _refund(row: Mapping[str, Any], settings: DetectionSettings) -> AdminFeeRefund:
    referral_fee: Decimal = row["referral_fee"]
    principal_refunded: Decimal | None = row["principal_refunded"]
    sale_principal: Decimal | None = row["sale_principal"]
    share_known = (
        principal_refunded is not None
        and sale_principal is not None
        and sale_principal > 0
    )
    base = referral_fee
    if share_known and principal_refunded is not None and sale_principal is not None:
        refunded_share = abs(principal_refunded) / sale_principal
        base = min(referral_fee, referral_fee * refunded_share)
    quantity = row["quantity"] or row["sale_quantity"]
    units = quantity or 1
    allowed = min(
        settings.refund_admin_fee_cap * units,
        settings.refund_admin_fee_share * base,
    )
    return AdminFeeRefund(
        order_id=row["order_id"],
        order_item_code=row["order_item_code"],
        refund_id=row["refund_id"],
        refunded_at=_from_epoch_us(row["posted_us"]),
        sku=row["item_sku"],
        currency=row["currency"] or settings.marketplace_currency,
        referral_fee=referral_fee,
        referral_base=base,
        share_known=share_known,
        commission_refunded=row["commission_refunded"],
        admin_fee=-row["admin_fee"],
        units=units,
        units_known=quantity is not None,
        allowed=allowed,
        item_key=row["item_key"],
    )


def _fetch_evidence(
    connection: duckdb.DuckDBPyConnection, items: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[SettlementRow]]:
    """Read the settlement rows of the given (order id, item key) pairs."""
    rows: dict[tuple[str, str], list[SettlementRow]] = defaultdict(list)
    if not items:
        return rows
    cursor = connection.execute(
        _EVIDENCE_SQL,
        {"orders": [order for order, _ in items], "items": [item for _, item in items]},
    )
    for (
        order_id,
        item_key,
        row_key,
        source_line,
        posted_us,
        transaction_key,
        amount_type_key,
        description_key,
        amount_description,
        amount_text,
        quantity,
        settlement_id,
        adjustment_id,
    ) in cursor.fetchall():
        rows[(order_id, item_key)].append(
            SettlementRow(
                row_key=row_key,
                source_line=source_line,
                posted_at=_from_epoch_us(posted_us),
                transaction_key=transaction_key,
                amount_type_key=amount_type_key,
                description_key=description_key,
                amount_description=amount_description,
                amount=Decimal(amount_text),
                quantity=quantity,
                settlement_id=settlement_id,
                adjustment_id=adjustment_id,
            )
        )
    return rows


def _with_charge_rows(charge: FeeCharge, rows: Sequence[SettlementRow]) -> FeeCharge:
    fee_rows = [row for row in rows if row.description_key == _FEE_DESCRIPTION]
    return replace(
        charge,
        charge_rows=tuple(
            row for row in fee_rows if row.transaction_key == "order" and row.amount < 0
        ),
        principal_rows=tuple(
            row
            for row in rows
            if row.transaction_key == "order"
            and row.amount_type_key == "itemprice"
            and row.description_key == "principal"
        ),
        refund_rows=tuple(row for row in fee_rows if row.amount > 0),
    )


def _with_refund_rows(
    refund: AdminFeeRefund, rows: Sequence[SettlementRow]
) -> AdminFeeRefund:
    return replace(
        refund,
        sale_rows=tuple(
            row
            for row in rows
            if row.transaction_key == "order"
            and row.description_key in ("principal", "commission")
        ),
        refund_rows=tuple(
            row
            for row in rows
            if row.transaction_key == "refund" and row.refund_id == refund.refund_id
        ),
    )


# Judgement


def _judge_charge(
    charge: FeeCharge, context: RuleContext, outcome: RuleOutcome
) -> FeeCharge | None:
    """Add the charge's resolution to `outcome`, or return it when it is claimable."""
    settings = context.settings
    window = claim_window(
        FEE_OVERCHARGE, charge.charged_at, settings.region, settings.window_overrides
    )
    age = context.as_of - charge.charged_at
    if charge.overcharge_per_unit <= settings.fee_tolerance:
        if charge.gross_overcharge_per_unit > settings.fee_tolerance:
            outcome.resolved.append(_fee_resolution(charge, "reimbursed", settings))
    elif context.as_of > window.closes:
        outcome.resolved.append(_fee_resolution(charge, "window_closed", settings))
    elif age > timedelta(days=PREVIEW_VALID_DAYS) or context.as_of < window.opens:
        # The current preview is no evidence of the fee due on an older charge.
        return None
    elif charge.amount < settings.min_claim_value:
        outcome.resolved.append(_fee_resolution(charge, "below_minimum", settings))
    else:
        return charge
    return None


def _tier_check(charge: FeeCharge, settings: DetectionSettings) -> TierCheck | None:
    """Return the listed and implied tiers when the preview lists a larger tier than
    its own measurements imply, else None (also when the data cannot tell)."""
    preview = charge.preview
    table = tier_table(settings.region, charge.charged_at.date())
    unit = measurements(
        preview.sides, preview.unit_of_dimension, preview.weight, preview.unit_of_weight
    )
    if table is None or unit is None:
        return None
    listed = table.listed_tier(preview.size_tier)
    implied = table.implied_tier(unit)
    if listed is None or implied is None:
        return None
    if table.rank(listed) <= table.rank(implied):
        return None
    return TierCheck(listed, implied, table)


def _judge_refund(
    refund: AdminFeeRefund, context: RuleContext, outcome: RuleOutcome
) -> AdminFeeRefund | None:
    """Add the refund's resolution to `outcome`, or return it when it is claimable."""
    settings = context.settings
    window = claim_window(
        REFUND_ADMIN_FEE, refund.refunded_at, settings.region, settings.window_overrides
    )
    if refund.excess <= settings.fee_tolerance or context.as_of < window.opens:
        return None
    if context.as_of > window.closes:
        outcome.resolved.append(_refund_resolution(refund, "window_closed", settings))
    elif refund.amount < settings.min_claim_value:
        outcome.resolved.append(_refund_resolution(refund, "below_minimum", settings))
    else:
        return refund
    return None


# Findings and resolutions


def _fee_finding(charge: FeeCharge, settings: DetectionSettings) -> Finding:
    preview = charge.preview
    tier = _tier_check(charge, settings)
    closes = claim_window(
        FEE_OVERCHARGE, charge.charged_at, settings.region, settings.window_overrides
    ).closes
    confidence, confidence_reason = _fee_confidence(charge, tier)
    return Finding(
        key=charge.key,
        type=FEE_OVERCHARGE,
        fnsku=preview.fnsku,
        sku=preview.sku,
        asin=preview.asin,
        product_name=preview.product_name,
        fulfillment_center="",
        reference_id=charge.order_item_code,
        occurred_at=charge.charged_at,
        units_lost=charge.units,
        credited_units=0,
        open_units=charge.units,
        unit_value=_per_unit(charge.overcharge_per_unit),
        amount=charge.amount,
        currency=charge.currency,
        confidence=confidence,
        amazon_expected_to_pay=False,
        claim_window_opens=charge.charged_at,
        claim_window_closes=closes,
        reason=_fee_reason(charge, tier, closes),
        evidence=_fee_evidence(charge),
        confidence_reason=confidence_reason,
        unit_value_source="fee_schedule",
        order_id=charge.order_id,
        marketplace_id=settings.marketplace_id,
    )


def _fee_confidence(
    charge: FeeCharge, tier: TierCheck | None
) -> tuple[Confidence, str]:
    if tier is not None:
        return (
            "medium",
            "The fee preview lists a larger size tier than its own measurements "
            "imply, so the expected fee it gives may itself be too high.",
        )
    if not charge.units_known:
        return (
            "medium",
            "The settlement gives no quantity for this order item, so one unit "
            "was assumed.",
        )
    return (
        "high",
        "The settlement shows the fee charged and Amazon's fee preview the fee "
        "expected; Amazon does not refund the difference on its own.",
    )


def _fee_reason(charge: FeeCharge, tier: TierCheck | None, closes: datetime) -> str:
    preview = charge.preview
    currency = charge.currency
    product = f'"{preview.product_name}" ' if preview.product_name else ""
    sentences = [
        f"Amazon charged an FBA fulfillment fee of {_money(charge.charged)} "
        f"{currency} for {_units(charge.units)} of {product}(SKU {preview.sku}) on "
        f"order {charge.order_id} on {_day(charge.charged_at)}."
    ]
    if charge.refunded:
        sentences.append(
            f"It refunded {_money(charge.refunded)} {currency} of that fee since."
        )
    sentences.append(
        f"That is {_price(charge.net_per_unit)} {currency} per unit, while "
        f"Amazon's fee preview expects {_price(preview.expected_fee)} {currency} "
        f"per unit for this SKU, so {_money(charge.amount)} {currency} was "
        "charged too much."
    )
    if not charge.units_known:
        sentences.append(
            "The settlement gives no quantity for this order item, so one unit "
            "was assumed."
        )
    if tier is not None:
        estimate = "" if tier.table.verified else " (thresholds estimated)"
        sentences.append(
            f"The preview also lists the size tier {tier.listed.name}, but its own "
            f"measurements fit {tier.implied.name}{estimate}. The fee of the smaller "
            "tier is usually lower, and a weight and dimensions dispute with photos "
            "can claim that difference too."
        )
    sentences.append(
        f"A fee dispute for this charge can be filed until {_day(closes)}."
    )
    return " ".join(sentences)


def _fee_evidence(charge: FeeCharge) -> list[EvidenceRow]:
    preview = charge.preview
    evidence = [
        _settlement_evidence(row, f"Settlement fee row {row.amount_description}")
        for row in charge.charge_rows
    ]
    evidence.extend(
        _settlement_evidence(row, "Settlement sale row Principal")
        for row in charge.principal_rows
    )
    evidence.extend(
        _settlement_evidence(row, f"Settlement fee refund {row.amount_description}")
        for row in charge.refund_rows
    )
    tier = f", size tier {preview.size_tier}" if preview.size_tier else ""
    evidence.append(
        EvidenceRow(
            report_type=FEE_PREVIEW_REPORT,
            row_key=preview.row_key,
            source_line=preview.source_line,
            occurred_at=charge.charged_at,
            quantity=1,
            reference_id=preview.fnsku or None,
            description=(
                f"Current fee preview of SKU {preview.sku}: expected fulfillment "
                f"fee {_price(preview.expected_fee)} per unit{tier}."
            ),
            amount=preview.expected_fee,
        )
    )
    return evidence


def _fee_resolution(
    charge: FeeCharge, cause: ResolutionCause, settings: DetectionSettings
) -> Resolution:
    day = _day(charge.charged_at)
    currency = charge.currency
    if cause == "reimbursed":
        reason = (
            f"Amazon refunded {_money(charge.refunded)} {currency} of the fee "
            f"charged on order {charge.order_id} on {day}, leaving no overcharge."
        )
    elif cause == "window_closed":
        reason = (
            f"The claim window for the fee charged on order {charge.order_id} on "
            f"{day} has closed."
        )
    else:
        reason = (
            f"The fee charged on order {charge.order_id} on {day} is "
            f"{_money(charge.amount)} {currency} too high, below the minimum claim "
            f"value of {_money(settings.min_claim_value)} {currency}."
        )
    return Resolution(
        key=charge.key,
        type=FEE_OVERCHARGE,
        fnsku=charge.preview.fnsku,
        occurred_at=charge.charged_at,
        cause=cause,
        reason=reason,
    )


def _refund_finding(refund: AdminFeeRefund, settings: DetectionSettings) -> Finding:
    window = claim_window(
        REFUND_ADMIN_FEE, refund.refunded_at, settings.region, settings.window_overrides
    )
    opens, closes = window.opens, window.closes
    confidence: Confidence = "high"
    confidence_reason = (
        "The settlement shows the referral fee of the sale and what its refund "
        "gave back; Amazon does not return the difference on its own."
    )
    if not refund.share_known:
        confidence = "medium"
        confidence_reason = (
            "A Principal row is missing, so the whole referral fee of the sale was "
            "taken as the refunded part."
        )
    elif not refund.units_known:
        confidence = "medium"
        confidence_reason = (
            "The settlement gives no quantity, so the per-unit cap assumed one unit."
        )
    return Finding(
        key=refund.key,
        type=REFUND_ADMIN_FEE,
        fnsku="",
        sku=refund.sku,
        asin="",
        product_name="",
        fulfillment_center="",
        reference_id=refund.refund_id,
        occurred_at=refund.refunded_at,
        units_lost=refund.units,
        credited_units=0,
        open_units=refund.units,
        unit_value=_per_unit(refund.excess / refund.units),
        amount=refund.amount,
        currency=refund.currency,
        confidence=confidence,
        amazon_expected_to_pay=False,
        claim_window_opens=opens,
        claim_window_closes=closes,
        reason=_refund_reason(refund, closes, settings),
        evidence=[
            *(
                _settlement_evidence(row, f"Sale row {row.amount_description}")
                for row in refund.sale_rows
            ),
            *(
                _settlement_evidence(row, f"Refund row {row.amount_description}")
                for row in refund.refund_rows
            ),
        ],
        confidence_reason=confidence_reason,
        unit_value_source="fee_schedule",
        order_id=refund.order_id,
        marketplace_id=settings.marketplace_id,
    )


def _refund_reason(
    refund: AdminFeeRefund, closes: datetime, settings: DetectionSettings
) -> str:
    currency = refund.currency
    share = f"{(settings.refund_admin_fee_share * 100).normalize():f}"
    sentences = [
        f"Order {refund.order_id} (SKU {refund.sku or 'unknown'}) paid a referral "
        f"fee of {_money(refund.referral_fee)} {currency}, and on "
        f"{_day(refund.refunded_at)} Amazon refunded "
        f"{_money(refund.commission_refunded)} {currency} of it and charged a "
        f"refund administration fee of {_money(refund.admin_fee)} {currency}."
    ]
    if refund.referral_base != refund.referral_fee:
        sentences.append(
            f"The refund covers part of the sale, whose share of the referral fee "
            f"is {_money(refund.referral_base)} {currency}."
        )
    sentences.append(
        f"Amazon kept {_money(refund.retained)} {currency}, but may keep at most "
        f"{_money(refund.allowed)} {currency}: the lower of "
        f"{_money(settings.refund_admin_fee_cap)} {currency} per unit for "
        f"{_units(refund.units)} and {share}% of the referral fee."
    )
    sentences.append(
        f"{_money(refund.amount)} {currency} is owed, and a claim can be filed "
        f"until {_day(closes)}."
    )
    return " ".join(sentences)


def _refund_resolution(
    refund: AdminFeeRefund, cause: ResolutionCause, settings: DetectionSettings
) -> Resolution:
    day = _day(refund.refunded_at)
    currency = refund.currency
    if cause == "window_closed":
        reason = (
            f"The claim window for the referral fee kept on the refund of order "
            f"{refund.order_id} on {day} has closed."
        )
    else:
        reason = (
            f"Amazon kept {_money(refund.amount)} {currency} too much on the refund "
            f"of order {refund.order_id} on {day}, below the minimum claim value "
            f"of {_money(settings.min_claim_value)} {currency}."
        )
    return Resolution(
        key=refund.key,
        type=REFUND_ADMIN_FEE,
        fnsku="",
        occurred_at=refund.refunded_at,
        cause=cause,
        reason=reason,
    )


def _settlement_evidence(row: SettlementRow, label: str) -> EvidenceRow:
    quantity = f", quantity {row.quantity}" if row.quantity is not None else ""
    return EvidenceRow(
        report_type=SETTLEMENT_REPORT,
        row_key=row.row_key,
        source_line=row.source_line,
        occurred_at=row.posted_at,
        quantity=row.quantity or 0,
        reference_id=row.adjustment_id or row.settlement_id or None,
        description=(
            f"{label} in settlement {row.settlement_id or 'unknown'}: "
            f"{_money(row.amount)}{quantity}."
        ),
        amount=row.amount,
    )


# Formatting and conversions


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def _per_unit(amount: Decimal) -> Decimal:
    # Four decimals keep a fraction of a cent per unit; whole cents print as such.
    exact = amount.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    cents = exact.quantize(_CENT)
    return cents if cents == exact else exact


def _epoch_us(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def _money(amount: Decimal) -> str:
    return f"{_cents(amount):.2f}"


def _price(amount: Decimal) -> str:
    exact = amount.normalize()
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"{exact:f}"
    return _money(amount)
