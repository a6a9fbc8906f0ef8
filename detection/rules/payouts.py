"""Rules underpaid_reimbursement and reversal_without_return: payouts Amazon made
too small or took back without cause.

underpaid_reimbursement: a cash reimbursement whose amount per unit is below the
expected value by more than `underpaid_tolerance_ratio`. Before an order (lost or
damaged in the warehouse, inbound or on removal) the expected value is the
seller's unit cost for approvals since 2025-03-31 (manufacturing cost), and the
SKU's latest sale price minus fees before that. After an order (CustomerReturn,
CustomerServiceIssue) it is that order's sale price minus fees. Without an
expected value the row is skipped. Units reimbursed with inventory are never
underpaid, and reversed units are not counted.

reversal_without_return: a Reimbursement_Reversal with no unit found again (ledger
F or N of the FNSKU after the original payout) and no customer return of the
original's order that would justify it. The reversed units are claimed at the
original's amount per unit. A reversal that another rule already reopens is left
to that rule: a warehouse payout whose loss is still inside its claim window
(lost_inventory, damaged_inventory), or a customer-return payout whose refund is
(refund_not_returned).
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import ClassVar

from detection.models import EvidenceRow
from detection.policy import MARCH_2025_VALUATION, claim_window
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.rules.claim_case import (
    ClaimCase,
    Explanation,
    WindowBook,
    day_text,
    judge,
    units_text,
)
from detection.rules.payout_rows import (
    CUSTOMER_RETURN_KEY,
    CUSTOMER_SERVICE_KEY,
    REIMBURSEMENTS_REPORT,
    NettedPayout,
    PayoutRow,
    net_payouts,
)
from detection.rules.payouts_data import (
    LedgerEvent,
    create_payout_table,
    drop_payout_table,
    fetch_ledger_events,
    fetch_order_refunds,
    fetch_order_returns,
    fetch_paid_rows,
    fetch_reversal_rows,
    fetch_sku_sales,
)
from detection.rules.returns import REFUND_NOT_RETURNED
from detection.rules.warehouse_types import LOSS_CLASS_BY_CODE
from detection.sales import SaleValue, sale_values
from detection.tables import (
    CUSTOMER_RETURNS,
    LEDGER_DETAIL,
    ORDERS,
    REIMBURSEMENTS,
    SETTLEMENTS,
)
from detection.valuation import UnitValue, ValueSource, claim_amount

logger = logging.getLogger(__name__)

UNDERPAID_REIMBURSEMENT = "underpaid_reimbursement"
REVERSAL_WITHOUT_RETURN = "reversal_without_return"

# Reimbursement reasons (lower case, no spaces or underscores) for units lost
# before a customer order.
PRE_ORDER_REASONS = frozenset(
    {
        "lostwarehouse",
        "damagedwarehouse",
        "lostinbound",
        "damagedinbound",
        "removalorderlost",
        "removalorderdamaged",
    }
)
AFTER_ORDER_REASONS = frozenset({CUSTOMER_RETURN_KEY, CUSTOMER_SERVICE_KEY})
_WAREHOUSE_REASONS = {
    "lostwarehouse": "lost_inventory",
    "damagedwarehouse": "damaged_inventory",
}
_FOUND_CODES = ("F", "N")
# Sales this long before a reimbursement may still price it before 2025-03-31.
_SALE_LOOKBACK = timedelta(days=365)


class PayoutsRule:
    """Finds reimbursements paid below value and reversals nothing justifies."""

    name = "payouts"
    finding_types = (UNDERPAID_REIMBURSEMENT, REVERSAL_WITHOUT_RETURN)
    requirements: ClassVar[Mapping[str, tuple[tuple[str, ...], ...]]] = {
        UNDERPAID_REIMBURSEMENT: ((REIMBURSEMENTS,), (SETTLEMENTS, ORDERS)),
        REVERSAL_WITHOUT_RETURN: (
            (REIMBURSEMENTS,),
            (LEDGER_DETAIL,),
            (CUSTOMER_RETURNS,),
        ),
    }

    def run(self, context: RuleContext) -> RuleOutcome:
        """Judge recent cash reimbursements and recent reversals."""
        outcome = RuleOutcome()
        create_payout_table(context.connection)
        try:
            _underpaid(context, outcome)
            _reversals(context, outcome)
        finally:
            drop_payout_table(context.connection)
        logger.debug(
            "payouts rule: %d findings, %d resolved",
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


def _since(finding_type: str, context: RuleContext) -> datetime:
    settings = context.settings
    window = claim_window(
        finding_type, context.as_of, settings.region, settings.window_overrides
    )
    # Rows whose window closed before the resolution horizon are not read.
    horizon = timedelta(days=settings.resolution_horizon_days)
    return context.as_of - (window.closes - context.as_of) - horizon


def _underpaid(context: RuleContext, outcome: RuleOutcome) -> None:
    since = _since(UNDERPAID_REIMBURSEMENT, context)
    rows = fetch_paid_rows(
        context.connection, PRE_ORDER_REASONS | AFTER_ORDER_REASONS, since
    )
    netted = [entry for entry in net_payouts(rows) if entry.row.cash_quantity > 0]
    orders = {
        e.row.order_id
        for e in netted
        if e.row.record.reason_key in AFTER_ORDER_REASONS and e.row.order_id
    }
    early = [
        e
        for e in netted
        if e.row.record.reason_key in PRE_ORDER_REASONS
        and e.row.record.approval_date.date() < MARCH_2025_VALUATION
    ]
    sku_sales: dict[str, list[tuple[datetime, str]]] = {}
    if early:
        first = min(e.row.record.approval_date for e in early)
        last = max(e.row.record.approval_date for e in early)
        sku_sales = fetch_sku_sales(
            context.connection,
            {e.row.record.sku for e in early},
            first - _SALE_LOOKBACK,
            last,
        )
        for entries in sku_sales.values():
            orders.update(order_id for _, order_id in entries)
    sales = sale_values(context.connection, orders)

    for entry in netted:
        expected = _expected_value(entry, sku_sales, sales, context)
        if expected is None:
            continue
        case = _underpaid_case(entry, expected, context)
        if case is not None:
            judge(case, context, outcome)


def _expected_value(
    entry: NettedPayout,
    sku_sales: Mapping[str, list[tuple[datetime, str]]],
    sales: Mapping[tuple[str, str], SaleValue],
    context: RuleContext,
) -> UnitValue | None:
    record = entry.row.record
    currency = context.settings.marketplace_currency
    if record.reason_key in AFTER_ORDER_REASONS:
        sale = sales.get((entry.row.order_id, record.sku))
        return _sale_unit_value(sale)
    if record.approval_date.date() >= MARCH_2025_VALUATION:
        cost = context.unit_costs.get(record.sku)
        return None if cost is None else UnitValue(cost, currency, "seller_cost")
    history = sku_sales.get(record.sku, [])
    position = bisect.bisect_right(
        [posted for posted, _ in history], record.approval_date
    )
    if position == 0:
        return None
    _, order_id = history[position - 1]
    return _sale_unit_value(sales.get((order_id, record.sku)))


def _sale_unit_value(sale: SaleValue | None) -> UnitValue | None:
    if sale is None:
        return None
    return UnitValue(sale.net, sale.currency, "sale_price")


def _underpaid_case(
    entry: NettedPayout, expected: UnitValue, context: RuleContext
) -> ClaimCase | None:
    settings = context.settings
    row = entry.row
    record = row.record
    paid = row.amount_per_unit
    if paid is None or expected.amount is None or expected.amount <= 0:
        return None
    if row.currency and expected.currency and row.currency != expected.currency:
        return None
    threshold = expected.amount * (1 - settings.underpaid_tolerance_ratio)
    if paid >= threshold:
        return None
    cash_units = max(row.cash_quantity - entry.reversed_units, 0)
    if cash_units == 0:
        return None

    shortfall = expected.amount - paid
    value = UnitValue(shortfall, row.currency or expected.currency, expected.source)
    amount = claim_amount(cash_units, shortfall)
    window = claim_window(
        UNDERPAID_REIMBURSEMENT,
        record.approval_date,
        settings.region,
        settings.window_overrides,
    )
    basis = _basis_text(expected.source)
    facts = (
        f"Reimbursement {record.reimbursement_id} ({record.reason}) of "
        f"{day_text(record.approval_date)} paid {paid} {value.currency} per unit for "
        f"{units_text(cash_units)} of SKU {record.sku}, but {basis} is "
        f"{expected.amount:.2f}, so each unit is {shortfall:.2f} short."
    )
    return ClaimCase(
        type=UNDERPAID_REIMBURSEMENT,
        key=finding_key(UNDERPAID_REIMBURSEMENT, record.fnsku, record.row_key),
        sku=record.sku,
        fnsku=record.fnsku,
        asin="",
        product_name="",
        order_id=row.order_id,
        reference_id=record.reimbursement_id,
        occurred_at=record.approval_date,
        units=row.cash_quantity,
        credited_units=0,
        open_units=cash_units,
        unit_value=value,
        amount=amount,
        window_opens=window.opens,
        window_closes=window.closes,
        amazon_expected_to_pay=False,
        explain=partial(
            _explanation,
            (row, *entry.reversals),
            facts,
            f"The shortfall on {units_text(cash_units)} is {amount} {value.currency}.",
        ),
        closed_cause="offset",
        closed_reason="",
        estimated=expected.source == "sale_price"
        and record.reason_key in PRE_ORDER_REASONS,
    )


def _basis_text(source: ValueSource) -> str:
    if source == "seller_cost":
        return "your unit cost"
    return "the sale price minus Amazon's fees"


def _reversals(context: RuleContext, outcome: RuleOutcome) -> None:
    settings = context.settings
    rows = fetch_reversal_rows(
        context.connection, _since(REVERSAL_WITHOUT_RETURN, context)
    )
    originals: dict[tuple[str, str], PayoutRow] = {}
    reversals: list[PayoutRow] = []
    for row in rows:
        if row.is_reversal:
            reversals.append(row)
        else:
            originals.setdefault((row.record.reimbursement_id, row.record.fnsku), row)
    fnskus = {row.record.fnsku for row in reversals if row.record.fnsku}
    codes = {*_FOUND_CODES, *LOSS_CLASS_BY_CODE}
    ledger = fetch_ledger_events(context.connection, fnskus, codes)
    orders = {row.order_id for row in originals.values() if row.order_id}
    returns = fetch_order_returns(context.connection, orders)
    refunds = fetch_order_refunds(context.connection, orders)
    used_found: dict[str, set[str]] = defaultdict(set)
    used_returns: dict[str, int] = defaultdict(int)
    lookback = timedelta(days=settings.credit_lookback_days)
    books = {
        finding_type: WindowBook(finding_type, settings)
        for finding_type in (*_WAREHOUSE_REASONS.values(), REFUND_NOT_RETURNED)
    }

    for reversal in sorted(
        reversals, key=lambda r: (r.record.approval_date, r.record.source_line)
    ):
        original = originals.get(
            (reversal.record.original_reimbursement_id or "", reversal.record.fnsku)
        )
        if original is None:
            continue
        if _reopened_elsewhere(original, reversal, ledger, refunds, books, context):
            continue
        reversed_units = -reversal.record.quantity
        found = _take_found(
            ledger.get(original.record.fnsku, []),
            original,
            lookback,
            used_found,
            reversed_units,
        )
        returned = _take_returns(
            returns.get(original.order_id, []),
            original,
            used_returns,
            reversed_units - found,
        )
        case = _reversal_case(
            reversal, original, reversed_units, found, returned, context
        )
        judge(case, context, outcome)


def _reopened_elsewhere(
    original: PayoutRow,
    reversal: PayoutRow,
    ledger: Mapping[str, list[LedgerEvent]],
    refunds: Mapping[tuple[str, str], datetime],
    books: Mapping[str, WindowBook],
    context: RuleContext,
) -> bool:
    settings = context.settings
    reason = original.record.reason_key
    at = reversal.record.approval_date
    loss_type = _WAREHOUSE_REASONS.get(reason)
    if loss_type is not None:
        book = books[loss_type]
        latest = original.record.approval_date + timedelta(
            days=settings.credit_lookback_days
        )
        for event in ledger.get(original.record.fnsku, []):
            if event.reason_code not in LOSS_CLASS_BY_CODE or event.quantity >= 0:
                continue
            if event.occurred_at > latest:
                continue
            if book.window(event.occurred_at)[1] >= at:
                return True
    if reason in AFTER_ORDER_REASONS:
        refunded_at = refunds.get((original.order_id, original.record.sku))
        if (
            refunded_at is not None
            and books[REFUND_NOT_RETURNED].window(refunded_at)[1] >= at
        ):
            return True
    return False


def _take_found(
    events: list[LedgerEvent],
    original: PayoutRow,
    lookback: timedelta,
    used: dict[str, set[str]],
    wanted: int,
) -> int:
    taken = 0
    start = original.record.approval_date - lookback
    for event in events:
        if taken >= wanted:
            break
        if event.reason_code not in _FOUND_CODES or event.quantity <= 0:
            continue
        if event.occurred_at < start or event.row_key in used[event.fnsku]:
            continue
        used[event.fnsku].add(event.row_key)
        taken += event.quantity
    return min(taken, wanted)


def _take_returns(
    returns: list[tuple[str, str, int]],
    original: PayoutRow,
    used: dict[str, int],
    wanted: int,
) -> int:
    if wanted <= 0 or not original.order_id:
        return 0
    record = original.record
    available = (
        sum(
            units
            for sku, fnsku, units in returns
            if (not record.sku or sku == record.sku)
            and (not record.fnsku or fnsku in ("", record.fnsku))
        )
        - used[original.order_id]
    )
    taken = max(min(available, wanted), 0)
    used[original.order_id] += taken
    return taken


def _reversal_case(
    reversal: PayoutRow,
    original: PayoutRow,
    reversed_units: int,
    found: int,
    returned: int,
    context: RuleContext,
) -> ClaimCase:
    settings = context.settings
    record = reversal.record
    open_units = max(reversed_units - found - returned, 0)
    per_unit = original.amount_per_unit
    currency = original.currency or settings.marketplace_currency
    value = UnitValue(
        per_unit, currency, "amazon_estimate" if per_unit is not None else "unknown"
    )
    amount = claim_amount(open_units, per_unit)
    window = claim_window(
        REVERSAL_WITHOUT_RETURN,
        record.approval_date,
        settings.region,
        settings.window_overrides,
    )
    facts = (
        f"Reversal {record.reimbursement_id} of {day_text(record.approval_date)} took "
        f"back {units_text(reversed_units)} of reimbursement "
        f"{original.record.reimbursement_id} ({original.record.reason}) for SKU "
        f"{original.record.sku}. Since that payout {units_text(found)} "
        f"{'was' if found == 1 else 'were'} found again and {units_text(returned)} "
        f"returned, so nothing explains the reversal of "
        f"{units_text(open_units)}."
    )
    if per_unit is None:
        value_note = (
            "The original reimbursement has no amount per unit, so the claim cannot "
            "be priced."
        )
    else:
        value_note = (
            f"At the original {per_unit} {currency} per unit, the claim is worth "
            f"{amount} {currency}."
        )
    return ClaimCase(
        type=REVERSAL_WITHOUT_RETURN,
        key=finding_key(REVERSAL_WITHOUT_RETURN, record.fnsku, record.row_key),
        sku=original.record.sku or record.sku,
        fnsku=record.fnsku,
        asin="",
        product_name="",
        order_id=original.order_id,
        reference_id=record.reimbursement_id,
        occurred_at=record.approval_date,
        units=reversed_units,
        credited_units=found + returned,
        open_units=open_units,
        unit_value=value,
        amount=amount,
        window_opens=window.opens,
        window_closes=window.closes,
        amazon_expected_to_pay=False,
        explain=partial(_explanation, (reversal, original), facts, value_note),
        closed_cause="units_found" if found and not returned else "offset",
        closed_reason=(
            f"Every unit taken back by reversal {record.reimbursement_id} was found "
            "again or returned."
        ),
    )


def _explanation(
    rows: tuple[PayoutRow, ...], facts: str, value_note: str
) -> Explanation:
    return Explanation(tuple(_payout_evidence(*rows)), facts, value_note)


def _payout_evidence(*rows: PayoutRow) -> list[EvidenceRow]:
    evidence = []
    for row in rows:
        record = row.record
        evidence.append(
            EvidenceRow(
                report_type=REIMBURSEMENTS_REPORT,
                row_key=record.row_key,
                source_line=record.source_line,
                occurred_at=record.approval_date,
                quantity=record.quantity,
                reference_id=record.reimbursement_id or None,
                description=(
                    f"Reimbursement {record.reimbursement_id} ({record.reason}), "
                    f"{row.amount_per_unit} {row.currency} per unit."
                ),
                amount=row.amount_per_unit,
            )
        )
    return evidence
