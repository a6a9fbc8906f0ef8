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
from typing import ClassVar

from detection.matching import Credit, Loss, allocate_credits
from detection.models import EvidenceRow, ResolutionCause
from detection.policy import amazon_pays_proactively, claim_window
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.rules.claim_case import ClaimCase, day_text, judge, units_text
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
    fetch_return_rows,
)
from detection.sales import SaleValue, sale_values
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
# Every sellable return is one loss class, so any restock may offset it.
_ANY_RETURN = frozenset({""})


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
        """Judge every refunded order item and every damaged or unrestocked return."""
        lookback = timedelta(days=context.settings.credit_lookback_days)
        rows = fetch_return_rows(
            context.connection,
            as_of=context.as_of,
            lookback=lookback,
            restock_days=RESTOCK_DAYS,
        )
        pools = _payout_pools(rows.payouts)
        orders = {group.order_id for group in rows.refunds}
        orders.update(row.order_id for row in rows.returns if row.order_id)
        sales = sale_values(context.connection, orders)

        outcome = RuleOutcome()
        for group in rows.refunds:
            pool = pools.get((group.order_id, group.sku), PayoutPool())
            refund_rows = rows.refund_rows.get((group.order_id, group.sku), [])
            case = _refund_case(group, refund_rows, pool, sales, context)
            judge(case, context, outcome)

        unrestocked, late = _match_restocks(rows.returns, rows.restocks, lookback)
        for resolution_case in late:
            judge(resolution_case, context, outcome)
        damaged = [
            row for row in rows.returns if row.disposition != SELLABLE_DISPOSITION
        ]
        for kind, returns in ((_DAMAGED, damaged), (_NOT_RESTOCKED, unrestocked)):
            for group_rows in _group_returns(returns).values():
                item = (group_rows[0].order_id, group_rows[0].sku)
                case = _return_case(
                    kind, group_rows, pools.get(item, PayoutPool()), sales, context
                )
                judge(case, context, outcome)

        logger.debug(
            "returns rule: %d refunded items, %d return rows, %d findings, %d resolved",
            len(rows.refunds),
            len(rows.returns),
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


def _refund_case(
    group: RefundGroup,
    refund_rows: list[RefundRow],
    pool: PayoutPool,
    sales: Mapping[tuple[str, str], SaleValue],
    context: RuleContext,
) -> ClaimCase:
    settings = context.settings
    returned = min(group.returned_units, group.units)
    reimbursed = pool.take(group.units - returned)
    open_units = group.units - returned - reimbursed
    sale = sales.get((group.order_id, group.sku))
    value = _unit_value(group.sku, sale, context)
    window = claim_window(
        REFUND_NOT_RETURNED,
        group.refunded_at,
        settings.region,
        settings.window_overrides,
    )
    amount = claim_amount(open_units, value.amount)

    evidence = [_refund_evidence(row) for row in refund_rows]
    evidence.extend(_payout_evidence(pool.payouts))
    facts = (
        f"{units_text(group.units)} of order {group.order_id} (SKU {group.sku}) "
        f"{_were(group.units)} refunded on {day_text(group.refunded_at)}. Since then "
        f"{units_text(returned)} {_were(returned)} returned and "
        f"{units_text(reimbursed)} reimbursed, so Amazon owes "
        f"{units_text(open_units)} that the customer kept."
    )
    cause: ResolutionCause = "offset"
    if returned and not reimbursed:
        cause = "units_found"
    elif reimbursed and not returned:
        cause = "reimbursed"
    return ClaimCase(
        type=REFUND_NOT_RETURNED,
        key=finding_key(REFUND_NOT_RETURNED, group.order_id, group.sku),
        sku=group.sku,
        fnsku=group.fnsku or _pool_fnsku(pool),
        asin=group.asin,
        product_name=group.product_name,
        order_id=group.order_id,
        reference_id=group.order_id,
        occurred_at=group.refunded_at,
        units=group.units,
        credited_units=returned + reimbursed,
        open_units=open_units,
        unit_value=value,
        amount=amount,
        window_opens=window.opens,
        window_closes=window.closes,
        amazon_expected_to_pay=amazon_pays_proactively(
            REFUND_NOT_RETURNED, group.refunded_at
        ),
        evidence=tuple(evidence),
        facts=facts,
        value_note=_value_note(value, amount),
        closed_cause=cause,
        closed_reason=(
            f"Every unit refunded on order {group.order_id} was returned or reimbursed."
        ),
        estimated=value.source != "sale_price" or not (sale and sale.fees_known),
    )


def _match_restocks(
    returns: list[ReturnRow], restocks: list[RestockRow], lookback: timedelta
) -> tuple[list[ReturnRow], list[ClaimCase]]:
    """Match restocks that name no order to the sellable returns of each FNSKU.

    Returns the rows with no restock, and the rows restocked later than the
    restock period (kept so an earlier finding for them gets a resolution).
    """
    by_fnsku: dict[str, list[RestockRow]] = defaultdict(list)
    for restock in restocks:
        by_fnsku[restock.fnsku].append(restock)
    sellable: dict[str, list[ReturnRow]] = defaultdict(list)
    for row in returns:
        if row.disposition == SELLABLE_DISPOSITION:
            sellable[row.fnsku].append(row)

    unrestocked: list[ReturnRow] = []
    late: list[ClaimCase] = []
    for fnsku, rows in sellable.items():
        losses = [
            Loss(row, row.returned_at, (row.source_line, row.row_key), "", row.quantity)
            for row in rows
        ]
        credits = [
            Credit(
                restock,
                restock.occurred_at,
                (restock.source_line, restock.row_key),
                _ANY_RETURN,
                restock.quantity,
            )
            for restock in by_fnsku.get(fnsku, [])
        ]
        for match in allocate_credits(losses, credits, lookback):
            row = match.loss.item
            if match.open_units:
                unrestocked.append(row)
                continue
            restocked_at = max(
                allocation.credit.occurred_at for allocation in match.allocations
            )
            if restocked_at > row.returned_at + timedelta(days=RESTOCK_DAYS):
                late.append(_late_restock_case(row))
    return unrestocked, late


def _late_restock_case(row: ReturnRow) -> ClaimCase:
    # Only the key, the type and the resolution sentence of this case are used.
    zero = UnitValue(None, "", "unknown")
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
        occurred_at=row.refunded_at or row.returned_at,
        units=row.quantity,
        credited_units=row.quantity,
        open_units=0,
        unit_value=zero,
        amount=claim_amount(0, None),
        window_opens=row.returned_at,
        window_closes=row.returned_at,
        amazon_expected_to_pay=False,
        evidence=(),
        facts="",
        value_note="",
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


def _return_case(
    kind: str,
    rows: list[ReturnRow],
    pool: PayoutPool,
    sales: Mapping[tuple[str, str], SaleValue],
    context: RuleContext,
) -> ClaimCase:
    settings = context.settings
    first = rows[0]
    units = sum(row.quantity for row in rows)
    reimbursed = pool.take(units)
    open_units = units - reimbursed
    anchor = first.refunded_at or min(row.returned_at for row in rows)
    window = claim_window(
        RETURN_DAMAGED_BY_AMAZON, anchor, settings.region, settings.window_overrides
    )
    opens = window.opens
    if kind == _NOT_RESTOCKED:
        latest_return = max(row.returned_at for row in rows)
        opens = max(opens, latest_return + timedelta(days=RESTOCK_DAYS))
    sale = sales.get((first.order_id, first.sku))
    value = _unit_value(first.sku, sale, context)
    amount = claim_amount(open_units, value.amount)

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
    evidence.extend(_payout_evidence(pool.payouts))
    return ClaimCase(
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
        window_closes=window.closes,
        amazon_expected_to_pay=amazon_pays_proactively(
            RETURN_DAMAGED_BY_AMAZON, anchor
        ),
        evidence=tuple(evidence),
        facts=facts,
        value_note=_value_note(value, amount),
        closed_cause="reimbursed",
        closed_reason=(
            f"Amazon reimbursed every returned unit of order {first.order_id}."
        ),
        estimated=value.source != "sale_price" or not (sale and sale.fees_known),
        fulfillment_center=first.fulfillment_center,
    )


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
