"""Rules refund_not_returned and return_damaged_by_amazon: customer refunds Amazon
owes the seller for.

refund_not_returned: units refunded to a customer minus the units returned for the
order item (any disposition) minus the units Amazon reimbursed for it
(CustomerReturn and CustomerServiceIssue, reversals netted). It is flagged once
the grace period has passed (60 days after the refund in the US, 45 in the EU)
and until the window closes (120 and 105 days after the refund).

return_damaged_by_amazon: returns with disposition DAMAGED or CARRIER_DAMAGED not
reimbursed, and SELLABLE returns the ledger never put back in stock (no
CustomerReturns row of the FNSKU within the restock period after the return). The
window counts from the order item's refund, else from the return.

The reimbursements of one order item form one pool: its units first offset the
refunded units not returned, then the damaged returns, then the returns never
restocked, so one payout is never counted twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import ClassVar

from detection.models import EvidenceRow, ResolutionCause
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.rules.claim_case import (
    ClaimCase,
    Explanation,
    WindowBook,
    day_text,
    gives_nothing,
    horizon_cutoff,
    judge,
    units_text,
)
from detection.rules.payout_rows import (
    REIMBURSEMENTS_REPORT,
    NettedPayout,
    PayoutRow,
    net_payouts,
)
from detection.rules.returns_data import (
    RETURNS_REPORT,
    SELLABLE_DISPOSITION,
    SETTLEMENTS_REPORT,
    RefundGroup,
    RefundRow,
    RestockRow,
    ReturnRow,
    SellableReturn,
    drop_return_tables,
    fetch_candidates,
    fetch_refund_rows,
    fetch_return_rows,
)
from detection.sales import SaleValue, from_epoch_us, sale_values, to_epoch_us
from detection.tables import (
    CUSTOMER_RETURNS,
    LEDGER_DETAIL,
    REIMBURSEMENTS,
    SETTLEMENTS,
)
from detection.valuation import UnitValue, choose_unit_value, claim_amount

logger = logging.getLogger(__name__)

REFUND_NOT_RETURNED = "refund_not_returned"
RETURN_DAMAGED_BY_AMAZON = "return_damaged_by_amazon"

RESTOCK_DAYS = 30
"""Days after a sellable return within which the ledger should restock it."""

_DAMAGED = "damaged"
_NOT_RESTOCKED = "not_restocked"
_DAY_US = 86_400_000_000


@dataclass(slots=True)
class PayoutPool:
    """The netted reimbursements of one order item and the units not yet applied."""

    payouts: list[NettedPayout] = field(default_factory=list)
    available: int = 0

    def take(self, units: int) -> int:
        """Apply up to `units` paid units and return how many were applied."""
        taken = min(units, self.available)
        self.available -= taken
        return taken


class ReturnsRule:
    """Finds refunded units never returned and returns Amazon damaged or lost."""

    name = "returns"
    finding_types = (REFUND_NOT_RETURNED, RETURN_DAMAGED_BY_AMAZON)
    requirements: ClassVar[Mapping[str, tuple[tuple[str, ...], ...]]] = {
        REFUND_NOT_RETURNED: ((SETTLEMENTS,), (CUSTOMER_RETURNS,), (REIMBURSEMENTS,)),
        RETURN_DAMAGED_BY_AMAZON: (
            (CUSTOMER_RETURNS,),
            (REIMBURSEMENTS,),
            (LEDGER_DETAIL,),
        ),
    }

    def run(self, context: RuleContext) -> RuleOutcome:
        """Judge every refunded order item and every damaged or unrestocked return.

        Only cases whose claim window closes after the resolution horizon are
        assessed, because the others give no output. A case outside the horizon
        still takes its units from its order item's payout pool, in order.
        """
        settings = context.settings
        connection = context.connection
        lookback = timedelta(days=settings.credit_lookback_days)
        refund_book = WindowBook(REFUND_NOT_RETURNED, settings)
        return_book = WindowBook(RETURN_DAMAGED_BY_AMAZON, settings)
        cutoff_us = to_epoch_us(horizon_cutoff(context))
        try:
            rows = fetch_return_rows(
                connection,
                as_of=context.as_of,
                lookback=lookback,
                restock_days=RESTOCK_DAYS,
            )
            unrestocked, late = _match_restocks(
                rows.sellable, rows.restocks, lookback // timedelta(microseconds=1)
            )
            # A return case counts from a row's refund or return, so only items
            # with a row on a day whose window may close after the cutoff can
            # give output.
            days = [
                day
                for day in rows.anchor_days
                if return_book.closes_us((day + 1) * _DAY_US - 1) >= cutoff_us
            ]
            candidates = fetch_candidates(connection, days)
            refunds = [
                (group, refund_book.closes_us(group.refunded_us) >= cutoff_us)
                for group in rows.refunds
            ]
            refund_orders = sorted({group.order_id for group, live in refunds if live})
            refund_rows = fetch_refund_rows(connection, refund_orders)
        finally:
            drop_return_tables(connection)

        damaged = _group_returns(
            row for row in candidates if row.disposition != SELLABLE_DISPOSITION
        )
        not_restocked = _group_returns(
            row for row in candidates if row.row_key in unrestocked
        )
        groups = [
            (kind, group_rows, return_book.closes_us(_anchor_us(group_rows)))
            for kind, by_item in ((_DAMAGED, damaged), (_NOT_RESTOCKED, not_restocked))
            for group_rows in by_item.values()
        ]
        # A late restock of one return does not cover the item's other returns,
        # so an item with returns still unrestocked keeps its finding.
        late_rows = [
            row
            for row in candidates
            if row.row_key in late
            and (row.order_id, row.sku) not in not_restocked
            and return_book.closes_us(_anchor_us([row])) >= cutoff_us
        ]
        orders = set(refund_orders)
        orders.update(
            group_rows[0].order_id
            for _, group_rows, closes_us in groups
            if closes_us >= cutoff_us
        )
        orders.discard("")
        sales = sale_values(connection, orders)
        pools = _payout_pools(rows.payouts)

        outcome = RuleOutcome()
        for group, live in refunds:
            item = (group.order_id, group.sku)
            if live:
                _judge_refund(
                    group,
                    refund_rows.get(item, []),
                    pools.get(item, PayoutPool()),
                    sales,
                    refund_book,
                    context,
                    outcome,
                )
            elif item in pools:
                pools[item].take(group.units - min(group.returned_units, group.units))
        for row in late_rows:
            judge(_late_restock_case(row, return_book), context, outcome)
        for kind, group_rows, closes_us in groups:
            item = (group_rows[0].order_id, group_rows[0].sku)
            pool = pools.get(item, PayoutPool())
            if closes_us >= cutoff_us:
                _judge_return(
                    kind, group_rows, pool, sales, return_book, context, outcome
                )
            else:
                pool.take(sum(row.quantity for row in group_rows))

        logger.debug(
            "returns rule: %d refunded items, %d return rows, %d findings, %d resolved",
            len(rows.refunds),
            len(candidates),
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


def _payout_pools(rows: Iterable[PayoutRow]) -> dict[tuple[str, str], PayoutPool]:
    pools: dict[tuple[str, str], PayoutPool] = defaultdict(PayoutPool)
    for netted in net_payouts(rows):
        pool = pools[(netted.row.order_id, netted.row.record.sku)]
        pool.payouts.append(netted)
        pool.available += netted.units
    return dict(pools)


def _anchor_us(rows: list[ReturnRow]) -> int:
    """The event a return case's window counts from: the order item's first refund,
    else its first return."""
    refunded_us = rows[0].refunded_us
    if refunded_us is not None:
        return refunded_us
    return min(row.returned_us for row in rows)


def _judge_refund(
    group: RefundGroup,
    refund_rows: list[RefundRow],
    pool: PayoutPool,
    sales: Mapping[tuple[str, str], SaleValue],
    book: WindowBook,
    context: RuleContext,
    outcome: RuleOutcome,
) -> None:
    returned = min(group.returned_units, group.units)
    reimbursed = pool.take(group.units - returned)
    open_units = group.units - returned - reimbursed
    refunded_at = group.refunded_at
    opens, closes = book.window(refunded_at)
    if gives_nothing(open_units, opens, closes, context):
        return

    sale = sales.get((group.order_id, group.sku))
    value = _unit_value(group.sku, sale, context)
    amount = claim_amount(open_units, value.amount)
    cause: ResolutionCause = "offset"
    if returned and not reimbursed:
        cause = "units_found"
    elif reimbursed and not returned:
        cause = "reimbursed"

    case = ClaimCase(
        type=REFUND_NOT_RETURNED,
        key=finding_key(REFUND_NOT_RETURNED, group.order_id, group.sku),
        sku=group.sku,
        fnsku=group.fnsku or _pool_fnsku(pool),
        asin=group.asin,
        product_name=group.product_name,
        order_id=group.order_id,
        reference_id=group.order_id,
        occurred_at=refunded_at,
        units=group.units,
        credited_units=returned + reimbursed,
        open_units=open_units,
        unit_value=value,
        amount=amount,
        window_opens=opens,
        window_closes=closes,
        amazon_expected_to_pay=book.proactive(refunded_at),
        explain=partial(
            _refund_explanation,
            group,
            refund_rows,
            tuple(pool.payouts),
            returned,
            reimbursed,
            open_units,
            value,
            amount,
        ),
        closed_cause=cause,
        closed_reason=(
            f"Every unit refunded on order {group.order_id} was returned or reimbursed."
        ),
        estimated=value.source != "sale_price" or not (sale and sale.fees_known),
    )
    judge(case, context, outcome)


def _refund_explanation(
    group: RefundGroup,
    refund_rows: list[RefundRow],
    payouts: tuple[NettedPayout, ...],
    returned: int,
    reimbursed: int,
    open_units: int,
    value: UnitValue,
    amount: Decimal,
) -> Explanation:
    evidence = [_refund_evidence(row) for row in refund_rows]
    evidence.extend(_payout_evidence(payouts))
    facts = (
        f"{units_text(group.units)} of order {group.order_id} (SKU {group.sku}) "
        f"{_were(group.units)} refunded on {day_text(group.refunded_at)}. Since then "
        f"{units_text(returned)} {_were(returned)} returned and "
        f"{units_text(reimbursed)} reimbursed, so Amazon owes "
        f"{units_text(open_units)} that the customer kept."
    )
    return Explanation(tuple(evidence), facts, _value_note(value, amount))


def _match_restocks(
    sellable: list[SellableReturn], restocks: list[RestockRow], lookback_us: int
) -> tuple[set[str], set[str]]:
    """Match restocks that name no order to the sellable returns of each FNSKU.

    This is the first-in first-out allocation of `detection.matching`, on epoch
    microseconds. Each restock, in time order, fills the earliest return of its
    FNSKU that still has open units and is dated no later than the restock plus
    the lookback. Units that no such return takes are dropped. Returns the row keys
    of the returns with units left unrestocked, and of those fully restocked
    later than the restock period (kept so an earlier finding for them gets a
    resolution).
    """
    by_fnsku: dict[str, list[RestockRow]] = defaultdict(list)
    for restock in restocks:
        by_fnsku[restock.fnsku].append(restock)
    returns_by_fnsku: dict[str, list[SellableReturn]] = defaultdict(list)
    for row in sellable:
        returns_by_fnsku[row.fnsku].append(row)

    restock_us = RESTOCK_DAYS * _DAY_US
    unrestocked: set[str] = set()
    late: set[str] = set()
    for fnsku, rows in returns_by_fnsku.items():
        count = len(rows)
        open_units = [row.quantity for row in rows]
        restocked_us = [0] * count
        first = 0
        for restock in by_fnsku.get(fnsku, ()):
            if restock.quantity < 0:
                continue
            latest_us = restock.occurred_us + lookback_us
            remaining = restock.quantity
            while True:
                while first < count and open_units[first] == 0:
                    first += 1
                if first == count or rows[first].returned_us > latest_us:
                    break
                units = min(remaining, open_units[first])
                open_units[first] -= units
                # Restocks come in time order, so the last one is the latest.
                restocked_us[first] = restock.occurred_us
                remaining -= units
                if remaining == 0:
                    break
        for index, row in enumerate(rows):
            if open_units[index]:
                unrestocked.add(row.row_key)
            elif restocked_us[index] > row.returned_us + restock_us:
                late.add(row.row_key)
    return unrestocked, late


def _late_restock_case(row: ReturnRow, book: WindowBook) -> ClaimCase:
    # Only the key, the type, the window (for the resolution horizon) and the
    # resolution sentence of this case are used.
    zero = UnitValue(None, "", "unknown")
    anchor = from_epoch_us(_anchor_us([row]))
    opens, closes = book.window(anchor)
    return ClaimCase(
        type=RETURN_DAMAGED_BY_AMAZON,
        key=finding_key(
            RETURN_DAMAGED_BY_AMAZON, row.order_id, row.sku, _NOT_RESTOCKED
        ),
        sku=row.sku,
        fnsku=row.fnsku,
        asin=row.asin,
        product_name=row.product_name,
        order_id=row.order_id,
        reference_id=row.license_plate_number,
        occurred_at=anchor,
        units=row.quantity,
        credited_units=row.quantity,
        open_units=0,
        unit_value=zero,
        amount=claim_amount(0, None),
        window_opens=opens,
        window_closes=closes,
        amazon_expected_to_pay=False,
        explain=partial(Explanation, (), "", ""),
        closed_cause="units_found",
        closed_reason=(
            f"The sellable return of order {row.order_id} was put back in stock "
            f"after {RESTOCK_DAYS} days."
        ),
    )


def _group_returns(rows: Iterable[ReturnRow]) -> dict[tuple[str, str], list[ReturnRow]]:
    groups: dict[tuple[str, str], list[ReturnRow]] = defaultdict(list)
    for row in rows:
        groups[(row.order_id, row.sku)].append(row)
    return groups


def _judge_return(
    kind: str,
    rows: list[ReturnRow],
    pool: PayoutPool,
    sales: Mapping[tuple[str, str], SaleValue],
    book: WindowBook,
    context: RuleContext,
    outcome: RuleOutcome,
) -> None:
    first = rows[0]
    units = sum(row.quantity for row in rows)
    reimbursed = pool.take(units)
    open_units = units - reimbursed
    anchor = from_epoch_us(_anchor_us(rows))
    opens, closes = book.window(anchor)
    if kind == _NOT_RESTOCKED:
        latest_return = from_epoch_us(max(row.returned_us for row in rows))
        opens = max(opens, latest_return + timedelta(days=RESTOCK_DAYS))
    if gives_nothing(open_units, opens, closes, context):
        return

    sale = sales.get((first.order_id, first.sku))
    value = _unit_value(first.sku, sale, context)
    amount = claim_amount(open_units, value.amount)
    case = ClaimCase(
        type=RETURN_DAMAGED_BY_AMAZON,
        key=finding_key(RETURN_DAMAGED_BY_AMAZON, first.order_id, first.sku, kind),
        sku=first.sku,
        fnsku=first.fnsku,
        asin=first.asin,
        product_name=first.product_name,
        order_id=first.order_id,
        reference_id=first.license_plate_number,
        occurred_at=anchor,
        units=units,
        credited_units=reimbursed,
        open_units=open_units,
        unit_value=value,
        amount=amount,
        window_opens=opens,
        window_closes=closes,
        amazon_expected_to_pay=book.proactive(anchor),
        explain=partial(
            _return_explanation,
            kind,
            rows,
            tuple(pool.payouts),
            units,
            reimbursed,
            open_units,
            value,
            amount,
        ),
        closed_cause="reimbursed",
        closed_reason=(
            f"Amazon reimbursed every returned unit of order {first.order_id}."
        ),
        estimated=value.source != "sale_price" or not (sale and sale.fees_known),
        fulfillment_center=first.fulfillment_center,
    )
    judge(case, context, outcome)


def _return_explanation(
    kind: str,
    rows: list[ReturnRow],
    payouts: tuple[NettedPayout, ...],
    units: int,
    reimbursed: int,
    open_units: int,
    value: UnitValue,
    amount: Decimal,
) -> Explanation:
    first = rows[0]
    if kind == _DAMAGED:
        what = (
            "came back damaged by Amazon or its carrier (disposition "
            + ", ".join(sorted({row.disposition for row in rows}))
            + ")"
        )
    else:
        what = (
            "came back sellable, but the ledger shows no restock within "
            f"{RESTOCK_DAYS} days"
        )
    facts = (
        f"{units_text(units)} of order {first.order_id or 'unknown'} (SKU {first.sku}) "
        f"{what}; the first return is dated {day_text(first.returned_at)}. "
        f"{units_text(reimbursed)} {_were(reimbursed)} reimbursed, so "
        f"{units_text(open_units)} {_is(open_units)} owed."
    )
    evidence = [_return_evidence(row) for row in rows]
    evidence.extend(_payout_evidence(payouts))
    return Explanation(tuple(evidence), facts, _value_note(value, amount))


def _unit_value(sku: str, sale: SaleValue | None, context: RuleContext) -> UnitValue:
    settings = context.settings
    value = choose_unit_value(
        sku,
        "",
        context.unit_costs,
        {},
        settings.marketplace_currency,
        after_order=True,
        sale_value=None if sale is None else sale.net,
    )
    if sale is not None and sale.currency and value.source == "sale_price":
        return UnitValue(value.amount, sale.currency, value.source)
    return value


def _value_note(value: UnitValue, amount: object) -> str:
    if value.amount is None:
        return "No sale price or unit cost is known, so the claim cannot be priced."
    if value.source == "sale_price":
        source = "the sale price minus Amazon's fees"
    else:
        source = "your unit cost, because the sale price is not known"
    return (
        f"At {value.amount:.2f} {value.currency} per unit ({source}), the claim is "
        f"worth {amount} {value.currency}."
    )


def _refund_evidence(row: RefundRow) -> EvidenceRow:
    return EvidenceRow(
        report_type=SETTLEMENTS_REPORT,
        row_key=row.row_key,
        source_line=row.source_line,
        occurred_at=row.posted_at,
        quantity=row.quantity or 0,
        reference_id=row.order_id,
        description=f"Settlement Refund Principal of order {row.order_id}, "
        f"adjustment {row.adjustment}.",
        amount=row.amount,
    )


def _return_evidence(row: ReturnRow) -> EvidenceRow:
    return EvidenceRow(
        report_type=RETURNS_REPORT,
        row_key=row.row_key,
        source_line=row.source_line,
        occurred_at=row.returned_at,
        quantity=row.quantity,
        reference_id=row.license_plate_number or row.order_id or None,
        description=f"Customer return of order {row.order_id}, disposition "
        f"{row.disposition}, license plate {row.license_plate_number or 'blank'}.",
    )


def _payout_evidence(payouts: Iterable[NettedPayout]) -> list[EvidenceRow]:
    rows: list[EvidenceRow] = []
    for netted in payouts:
        for payout in (netted.row, *netted.reversals):
            record = payout.record
            rows.append(
                EvidenceRow(
                    report_type=REIMBURSEMENTS_REPORT,
                    row_key=record.row_key,
                    source_line=record.source_line,
                    occurred_at=record.approval_date,
                    quantity=record.quantity,
                    reference_id=record.reimbursement_id or None,
                    description=f"Reimbursement {record.reimbursement_id} "
                    f"({record.reason}) for order {payout.order_id}.",
                    amount=payout.amount_per_unit,
                )
            )
    return rows


def _pool_fnsku(pool: PayoutPool) -> str:
    return next((netted.row.record.fnsku for netted in pool.payouts), "")


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"
