"""Rules disposed_without_order and removal_lost: units removed without the seller.

disposed_without_order: a ledger Adjustments row with reason D (disposed) or G
(donated) and a negative quantity that no removal order of the seller explains.
A removal order of type Disposal explains a D or a G row, because Amazon donates
units of disposal orders when the seller is enrolled in its donation program. An
order of type Liquidations also explains a G row, because liquidation units that
do not sell are donated; it never explains a D row. The order must be for the
same FNSKU and requested on or before the adjustment. Its units cover disposals
first in first out. A Completed or Cancelled order covers its disposed quantity.
An order still open covers the larger of disposed plus in-process and requested
minus cancelled minus shipped, because the removal report may lag the ledger. When the
seller has automatic disposal turned on, no disposal is a claim. Units Amazon has
already paid for (a reimbursement whose reason starts with "dispos") are
subtracted. Amazon does not pay these on its own.

removal_lost is computed in `detection.rules.removal_lost`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

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
    reversed_ids,
)
from detection.rules.claim_verdicts import (
    below_minimum_reason,
    price_and_decide,
    value_confidence,
    value_sentence,
)
from detection.rules.removal_lost import REMOVAL_LOST, find_removal_losses
from detection.rules.removal_queries import (
    Disposal,
    RemovalOrderLine,
    fetch_disposals,
    prepare_removal_orders,
)
from detection.tables import (
    LEDGER_DETAIL,
    REIMBURSEMENTS,
    REMOVAL_ORDERS,
    REMOVAL_SHIPMENTS,
)
from detection.valuation import AmazonEstimate

logger = logging.getLogger(__name__)

DISPOSED_WITHOUT_ORDER = "disposed_without_order"
REMOVAL_ORDERS_REPORT = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"

# Reason code -> the removal order types (normalized) that explain it.
_ORDER_TYPES_BY_CODE: Mapping[str, frozenset[str]] = {
    "D": frozenset({"disposal"}),
    "G": frozenset({"disposal", "liquidations", "liquidation"}),
}
_CODE_MEANING = {"D": "disposed of", "G": "donated"}
# NOTE: Amazon's reason for paying an unauthorized disposal is not documented; any
# reason starting with "dispos" (normalized) is taken as one.
_DISPOSAL_CREDIT_PREFIX = "dispos"
_TEMP_TABLES = ("removal_latest", "disposal_candidates", "removal_lost_fnskus")


class RemovalRule:
    """Finds disposals without a removal order and removal units never delivered."""

    name = "removals"
    finding_types = (DISPOSED_WITHOUT_ORDER, REMOVAL_LOST)
    requirements: ClassVar[Mapping[str, tuple[tuple[str, ...], ...]]] = {
        DISPOSED_WITHOUT_ORDER: ((LEDGER_DETAIL,), (REMOVAL_ORDERS,)),
        REMOVAL_LOST: ((REMOVAL_ORDERS,), (REMOVAL_SHIPMENTS,), (REIMBURSEMENTS,)),
    }

    def run(self, context: RuleContext) -> RuleOutcome:
        """Judge every disposal row and every removal order line with lost units."""
        connection = context.connection
        prepare_removal_orders(connection)
        outcome = RuleOutcome()
        try:
            _find_disposals(context, outcome)
            find_removal_losses(context, outcome)
        finally:
            for table in _TEMP_TABLES:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
        logger.debug(
            "removals rule: %d findings, %d resolved",
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


@dataclass(slots=True)
class _Coverage:
    """Units of one disposal explained by removal orders."""

    units: int = 0
    orders: list[tuple[RemovalOrderLine, int]] = field(default_factory=list)


def _find_disposals(context: RuleContext, outcome: RuleOutcome) -> None:
    connection = context.connection
    rows = fetch_disposals(
        connection,
        codes=sorted(_ORDER_TYPES_BY_CODE),
        order_types=sorted(set().union(*_ORDER_TYPES_BY_CODE.values())),
    )
    if not rows.disposals:
        return
    settings = context.settings
    if settings.automatic_disposal:
        for disposal in rows.disposals:
            outcome.resolved.append(
                _resolution(
                    disposal,
                    "offset",
                    "Automatic disposal is turned on for this seller, so Amazon "
                    f"disposed of the units on {day(disposal.occurred_at)} by the "
                    "seller's own setting.",
                )
            )
        return

    coverage = _cover_with_orders(rows.disposals, rows.orders)
    credits = fetch_order_credits(
        connection, "disposal_candidates", reasons=(), prefix=_DISPOSAL_CREDIT_PREFIX
    )
    estimates = fetch_estimates(connection, "disposal_candidates")
    lookback = timedelta(days=settings.credit_lookback_days)

    by_fnsku: dict[str, list[OrderLoss[Disposal]]] = defaultdict(list)
    for disposal in rows.disposals:
        covered = coverage[disposal.row_key].units
        by_fnsku[disposal.fnsku].append(
            OrderLoss(
                item=disposal,
                order_id="",
                occurred_at=disposal.occurred_at,
                sort_key=(str(disposal.source_line), disposal.row_key),
                units=-disposal.quantity - covered,
            )
        )
    for fnsku, losses in by_fnsku.items():
        for loss in allocate_order_credits(losses, credits.get(fnsku, []), lookback):
            disposal = loss.item
            _judge_disposal(
                loss, coverage[disposal.row_key], estimates, context, outcome
            )


def _cover_with_orders(
    disposals: list[Disposal], orders: list[RemovalOrderLine]
) -> dict[str, _Coverage]:
    """Give each order's units to the disposals on or after its request date."""
    capacity = {order.row_key: _order_capacity(order) for order in orders}
    orders_by_fnsku: dict[str, list[RemovalOrderLine]] = defaultdict(list)
    for order in orders:
        orders_by_fnsku[order.fnsku].append(order)

    coverage: dict[str, _Coverage] = {}
    for disposal in disposals:
        entry = _Coverage()
        coverage[disposal.row_key] = entry
        needed = -disposal.quantity
        accepted = _ORDER_TYPES_BY_CODE[disposal.reason_code]
        for order in orders_by_fnsku.get(disposal.fnsku, []):
            if needed == 0:
                break
            # An order without a request date is taken to precede every disposal,
            # so a missing date never turns an ordered disposal into a claim.
            if order.type_key not in accepted or (
                order.request_date is not None
                and order.request_date > disposal.occurred_at
            ):
                continue
            units = min(needed, capacity[order.row_key])
            if units > 0:
                capacity[order.row_key] -= units
                needed -= units
                entry.units += units
                entry.orders.append((order, units))
    return coverage


def _order_capacity(order: RemovalOrderLine) -> int:
    if order.status_key in ("completed", "cancelled"):
        return max(order.disposed, 0)
    still_open = order.requested - order.cancelled - order.shipped
    return max(order.disposed + order.in_process, still_open, 0)


def _judge_disposal(
    loss: OrderLoss[Disposal],
    coverage: _Coverage,
    estimates: Mapping[str, AmazonEstimate],
    context: RuleContext,
    outcome: RuleOutcome,
) -> None:
    disposal = loss.item
    settings = context.settings
    open_units = loss.open_units
    unit_value, window, amount, verdict = price_and_decide(
        window_key=DISPOSED_WITHOUT_ORDER,
        event_at=disposal.occurred_at,
        sku=disposal.msku,
        fnsku=disposal.fnsku,
        open_units=open_units,
        estimates=estimates,
        context=context,
    )
    on_day = day(disposal.occurred_at)
    if verdict == "wait":
        return
    if verdict == "closed":
        cause: ResolutionCause = "reimbursed" if not coverage.units else "offset"
        if coverage.units and not loss.credited_units:
            orders = ", ".join(order.order_id for order, _units in coverage.orders)
            text = (
                f"Removal order {orders} of the seller explains the disposal on "
                f"{on_day}."
            )
        else:
            text = (
                f"The units disposed of on {on_day} are explained by removal orders "
                "or were reimbursed."
            )
        outcome.resolved.append(_resolution(disposal, cause, text))
        return
    if verdict == "window_closed":
        days = (window.closes - disposal.occurred_at).days
        outcome.resolved.append(
            _resolution(
                disposal,
                "window_closed",
                f"The {days}-day claim window for {count_units(open_units)} disposed "
                f"of on {on_day} closed on {day(window.closes)}.",
            )
        )
        return
    if verdict == "below_minimum":
        outcome.resolved.append(
            _resolution(
                disposal,
                "below_minimum",
                below_minimum_reason(open_units, amount, unit_value.currency, settings),
            )
        )
        return

    confidence, confidence_reason = value_confidence(
        unit_value,
        "high",
        "The ledger shows the disposal and no removal order of the seller covers it.",
    )
    outcome.findings.append(
        Finding(
            key=_key(disposal),
            type=DISPOSED_WITHOUT_ORDER,
            fnsku=disposal.fnsku,
            sku=disposal.msku,
            asin=disposal.asin,
            product_name=disposal.title,
            fulfillment_center=disposal.fulfillment_center,
            reference_id=disposal.reference_id,
            occurred_at=disposal.occurred_at,
            units_lost=-disposal.quantity,
            credited_units=coverage.units + loss.credited_units,
            open_units=open_units,
            unit_value=unit_value.amount,
            amount=amount,
            currency=unit_value.currency,
            confidence=confidence,
            confidence_reason=confidence_reason,
            amazon_expected_to_pay=amazon_pays_proactively(
                DISPOSED_WITHOUT_ORDER, disposal.occurred_at
            ),
            claim_window_opens=window.opens,
            claim_window_closes=window.closes,
            reason=_finding_reason(disposal, coverage, loss, window.closes)
            + " "
            + value_sentence(unit_value, amount, disposal.msku or disposal.fnsku),
            evidence=_evidence(disposal, coverage, loss),
            unit_value_source=unit_value.source,
            marketplace_id=settings.marketplace_id,
        )
    )


def _finding_reason(
    disposal: Disposal,
    coverage: _Coverage,
    loss: OrderLoss[Disposal],
    closes: datetime,
) -> str:
    units = -disposal.quantity
    verb = "was" if units == 1 else "were"
    meaning = _CODE_MEANING[disposal.reason_code]
    product = f'"{disposal.title}" ' if disposal.title else ""
    sentences = [
        f"{count_units(units)} of {product}(SKU {disposal.msku or 'unknown'}, FNSKU "
        f"{disposal.fnsku}) {verb} {meaning} by Amazon on {day(disposal.occurred_at)} "
        f"(ledger reason {disposal.reason_code})."
    ]
    if coverage.units:
        orders = ", ".join(order.order_id for order, _units in coverage.orders)
        sentences.append(
            f"Your removal order {orders} covers {count_units(coverage.units)} of them."
        )
    else:
        sentences.append(
            "No removal order of yours asked Amazon to remove these units."
        )
    if loss.credited_units:
        sentences.append(f"Amazon has reimbursed {count_units(loss.credited_units)}.")
    for reimbursement_id in reversed_ids(loss.allocations):
        sentences.append(
            f"Amazon reversed reimbursement {reimbursement_id}, so its reversed units "
            "count as unpaid."
        )
    sentences.append(
        f"Amazon owes you for {count_units(loss.open_units)} it disposed of without "
        f"your request, and a claim can be filed until {day(closes)}."
    )
    return " ".join(sentences)


def _evidence(
    disposal: Disposal, coverage: _Coverage, loss: OrderLoss[Disposal]
) -> list[EvidenceRow]:
    center = disposal.fulfillment_center or "an unknown fulfillment center"
    rows = [
        EvidenceRow(
            report_type=LEDGER_REPORT,
            row_key=disposal.row_key,
            source_line=disposal.source_line,
            occurred_at=disposal.occurred_at,
            quantity=disposal.quantity,
            reference_id=disposal.reference_id or None,
            description=(
                f"Ledger Adjustments row, reason {disposal.reason_code} "
                f"({_CODE_MEANING[disposal.reason_code]}) at {center}: "
                f"{disposal.quantity:+d} units."
            ),
        )
    ]
    for order, units in coverage.orders:
        rows.append(
            EvidenceRow(
                report_type=REMOVAL_ORDERS_REPORT,
                row_key=order.row_key,
                source_line=order.source_line,
                occurred_at=order.request_date or disposal.occurred_at,
                quantity=order.disposed,
                reference_id=order.order_id,
                description=(
                    f"Removal order {order.order_id} ({order.order_type}, "
                    f"{order.order_status}): {count_units(order.disposed)} disposed, "
                    f"{count_units(units)} applied to this disposal."
                ),
            )
        )
    rows.extend(credit_evidence(loss.allocations))
    return rows


def _key(disposal: Disposal) -> str:
    return finding_key(DISPOSED_WITHOUT_ORDER, disposal.fnsku, disposal.row_key)


def _resolution(disposal: Disposal, cause: ResolutionCause, reason: str) -> Resolution:
    return Resolution(
        key=_key(disposal),
        type=DISPOSED_WITHOUT_ORDER,
        fnsku=disposal.fnsku,
        occurred_at=disposal.occurred_at,
        cause=cause,
        reason=reason,
    )
