"""Reimbursement rows with their order, cash units and amount, for the return and
payout rules.

`detection.queries.ReimbursementRecord` carries what the warehouse rules match on.
The return and payout rules also need the order a payout belongs to, the cash
units and the amount per unit, so `PayoutRow` wraps a record with those fields and
`net_payouts` nets reversals through `detection.reversals.net_reversals`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from detection.queries import ReimbursementRecord
from detection.reversals import REVERSAL_REASON_KEY, NettedReimbursement, net_reversals
from detection.sales import from_epoch_us

REIMBURSEMENTS_REPORT = "GET_FBA_REIMBURSEMENTS_DATA"
CUSTOMER_RETURN_KEY = "customerreturn"
CUSTOMER_SERVICE_KEY = "customerserviceissue"

# The columns of one reimbursement row, in PayoutRow order. Reasons are compared
# in lower case without spaces or underscores.
PAYOUT_COLUMNS_SQL = """
    row_key, source_line, epoch_us(approval_date) AS approval_us,
    coalesce(reimbursement_id, '') AS reimbursement_id,
    nullif(trim(case_id), '') AS case_id, coalesce(reason, '') AS reason,
    lower(replace(replace(reason, ' ', ''), '_', '')) AS reason_key,
    coalesce(sku, '') AS sku, coalesce(fnsku, '') AS fnsku,
    coalesce(quantity_reimbursed_total, 0) AS quantity,
    nullif(trim(original_reimbursement_id), '') AS original_reimbursement_id,
    coalesce(trim(amazon_order_id), '') AS order_id,
    coalesce(quantity_reimbursed_cash, 0) AS cash_quantity,
    trim(amount_per_unit) AS amount_per_unit,
    coalesce(trim(currency_unit), '') AS currency
"""


@dataclass(frozen=True, slots=True)
class PayoutRow:
    """A reimbursements row with its order id, cash units and amount per unit."""

    record: ReimbursementRecord
    order_id: str
    cash_quantity: int
    amount_per_unit: Decimal | None
    """None when blank or not a number."""
    currency: str

    @property
    def is_reversal(self) -> bool:
        """True for a Reimbursement_Reversal row."""
        return self.record.reason_key == REVERSAL_REASON_KEY


@dataclass(frozen=True, slots=True)
class NettedPayout:
    """A reimbursement after its reversals: units still paid and the rows involved."""

    row: PayoutRow
    reversals: tuple[PayoutRow, ...]
    units: int
    """Units reimbursed (cash and inventory) after reversals, never below zero."""
    reversed_units: int


def payout_from_row(row: tuple[Any, ...]) -> PayoutRow:
    """Build a PayoutRow from the columns of PAYOUT_COLUMNS_SQL, in that order."""
    record = ReimbursementRecord(row[0], row[1], from_epoch_us(row[2]), *row[3:11])
    return PayoutRow(
        record=record,
        order_id=row[11],
        cash_quantity=int(row[12]),
        amount_per_unit=parse_amount(row[13]),
        currency=row[14],
    )


def parse_amount(text: str | None) -> Decimal | None:
    """Return the value of a plain decimal string; None when blank or invalid."""
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def net_payouts(rows: Iterable[PayoutRow]) -> list[NettedPayout]:
    """Net each reversal into the reimbursement it points back to (see net_reversals).

    Rows are deduplicated by row_key. Reversals whose original is absent are dropped.
    """
    by_key = {row.record.row_key: row for row in rows}
    netted: list[NettedPayout] = []
    for entry in net_reversals(row.record for row in by_key.values()):
        netted.append(_netted(entry, by_key))
    return netted


def _netted(entry: NettedReimbursement, by_key: dict[str, PayoutRow]) -> NettedPayout:
    original = by_key[entry.original.row_key]
    reversals = tuple(by_key[reversal.row_key] for reversal in entry.reversals)
    return NettedPayout(
        row=original,
        reversals=reversals,
        units=entry.units,
        reversed_units=max(entry.original.quantity, 0) - entry.units,
    )
