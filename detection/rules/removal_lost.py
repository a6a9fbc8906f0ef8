"""Rule removal_lost: removal order units never accounted for or never delivered.

Two kinds of loss, both of type removal_lost:

- incomplete: a Completed order line (latest version) whose requested units minus
  cancelled, disposed, shipped and in-process units is above zero. Those units
  left the inventory and reached no one. The claim window counts from the order's
  completion, its last_updated_date (window key removal_incomplete).
- in transit: units an order reports as shipped for an FNSKU beyond the units of its
  removal shipment rows with a tracking number. A shipment row without a tracking
  number proves no delivery. The window counts from the creation of the shipment:
  the earliest untracked shipment row, else the latest shipment row, else the
  order's last_updated_date when no shipment row exists (window key removal_lost).

Reimbursements whose normalized reason starts with "removal" (RemovalOrderLost,
RemovalOrderDamaged), reversals netted, are subtracted: a row whose
amazon_order_id is the removal order id goes to that order, others to the FNSKU's
losses first in first out. Amazon does not pay removal losses without a claim.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from detection.models import EvidenceRow, Finding, Resolution, ResolutionCause
from detection.policy import amazon_pays_proactively
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.rules.claim_credits import (
    OrderLoss,
    allocate_order_credits,
    count_units,
    credit_evidence,
    day,
    fetch_estimates,
    fetch_order_credits,
    from_epoch_us,
    reversed_ids,
)
from detection.rules.claim_verdicts import (
    below_minimum_reason,
    price_and_decide,
    value_confidence,
    value_sentence,
)
from detection.rules.removal_queries import (
    IncompleteLine,
    ShippedOrder,
    fetch_removal_losses,
)
from detection.valuation import AmazonEstimate

REMOVAL_LOST = "removal_lost"
INCOMPLETE_WINDOW = "removal_incomplete"
TRANSIT_WINDOW = "removal_lost"
REMOVAL_ORDERS_REPORT = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_SHIPMENTS_REPORT = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
_REMOVAL_CREDIT_PREFIX = "removal"


@dataclass(frozen=True, slots=True)
class _RemovalLoss:
    """One incomplete order line or one order's untracked units of an FNSKU."""

    key: str
    order_id: str
    fnsku: str
    sku: str
    occurred_at: datetime
    window_key: str
    incomplete: IncompleteLine | None = None
    shipped: ShippedOrder | None = None


def find_removal_losses(context: RuleContext, outcome: RuleOutcome) -> None:
    """Judge every short order line and every order with untracked shipped units.

    Needs temp table removal_latest (see `prepare_removal_orders`).
    """
    connection = context.connection
    rows = fetch_removal_losses(connection)
    if not rows.incomplete and not rows.shipped:
        return
    losses: dict[str, list[OrderLoss[_RemovalLoss]]] = defaultdict(list)
    for line in rows.incomplete:
        loss = _incomplete_loss(line, outcome)
        if loss is not None:
            losses[line.line.fnsku].append(loss)
    for order in rows.shipped:
        transit = _transit_loss(order)
        if transit is not None:
            losses[order.fnsku].append(transit)
    if not losses:
        return

    credits = fetch_order_credits(
        connection, "removal_lost_fnskus", reasons=(), prefix=_REMOVAL_CREDIT_PREFIX
    )
    estimates = fetch_estimates(connection, "removal_lost_fnskus")
    lookback = timedelta(days=context.settings.credit_lookback_days)
    for fnsku in sorted(losses):
        for loss in allocate_order_credits(
            losses[fnsku], credits.get(fnsku, []), lookback, trust_order_ids=True
        ):
            _judge(loss, estimates, context, outcome)


def _incomplete_loss(
    entry: IncompleteLine, outcome: RuleOutcome
) -> OrderLoss[_RemovalLoss] | None:
    line = entry.line
    occurred_at = entry.last_updated or line.request_date
    if occurred_at is None:
        return None
    loss = _RemovalLoss(
        key=finding_key(
            REMOVAL_LOST,
            "incomplete",
            line.order_id,
            line.sku,
            line.fnsku,
            line.disposition,
        ),
        order_id=line.order_id,
        fnsku=line.fnsku,
        sku=line.sku,
        occurred_at=occurred_at,
        window_key=INCOMPLETE_WINDOW,
        incomplete=entry,
    )
    if line.status_key != "completed" or entry.missing <= 0:
        # An earlier Completed version was short; the latest one accounts for
        # every unit, so a finding of an earlier run can be closed.
        outcome.resolved.append(
            _resolution(
                loss,
                "units_found",
                f"The latest version of removal order {line.order_id} accounts for "
                f"every unit of SKU {line.sku or line.fnsku}.",
            )
        )
        return None
    return OrderLoss(
        item=loss,
        order_id=line.order_id,
        occurred_at=occurred_at,
        sort_key=("incomplete", line.order_id, line.row_key),
        units=entry.missing,
    )


def _transit_loss(order: ShippedOrder) -> OrderLoss[_RemovalLoss] | None:
    moment = (
        order.untracked_at
        or order.last_shipment_at
        or order.last_updated
        or order.request_date
    )
    if moment is None:
        return None
    loss = _RemovalLoss(
        key=finding_key(REMOVAL_LOST, "transit", order.order_id, order.fnsku),
        order_id=order.order_id,
        fnsku=order.fnsku,
        sku=order.sku,
        occurred_at=moment,
        window_key=TRANSIT_WINDOW,
        shipped=order,
    )
    return OrderLoss(
        item=loss,
        order_id=order.order_id,
        occurred_at=moment,
        sort_key=("transit", order.order_id),
        units=order.shipped - order.tracked_units,
    )


def _judge(
    loss: OrderLoss[_RemovalLoss],
    estimates: dict[str, AmazonEstimate],
    context: RuleContext,
    outcome: RuleOutcome,
) -> None:
    item = loss.item
    settings = context.settings
    open_units = loss.open_units
    unit_value, window, amount, verdict = price_and_decide(
        window_key=item.window_key,
        event_at=item.occurred_at,
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
                f"Amazon reimbursed all {count_units(loss.units)} lost on removal "
                f"order {item.order_id}.",
            )
        )
        return
    if verdict == "window_closed":
        days = (window.closes - item.occurred_at).days
        outcome.resolved.append(
            _resolution(
                item,
                "window_closed",
                f"The {days}-day claim window for {count_units(open_units)} lost on "
                f"removal order {item.order_id} closed on {day(window.closes)}.",
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

    if item.incomplete is not None:
        confidence, confidence_reason = value_confidence(
            unit_value,
            "high",
            "The removal order report shows the order completed with units missing.",
        )
    else:
        confidence, confidence_reason = value_confidence(
            unit_value,
            "medium",
            "No tracked shipment covers these units, but the carrier may still "
            "deliver them, so check the tracking before filing.",
        )
    outcome.findings.append(
        Finding(
            key=item.key,
            type=REMOVAL_LOST,
            fnsku=item.fnsku,
            sku=item.sku,
            asin="",
            product_name="",
            fulfillment_center="",
            reference_id=item.order_id,
            occurred_at=item.occurred_at,
            units_lost=loss.units,
            credited_units=loss.credited_units,
            open_units=open_units,
            unit_value=unit_value.amount,
            amount=amount,
            currency=unit_value.currency,
            confidence=confidence,
            confidence_reason=confidence_reason,
            amazon_expected_to_pay=amazon_pays_proactively(
                REMOVAL_LOST, item.occurred_at
            ),
            claim_window_opens=window.opens,
            claim_window_closes=window.closes,
            reason=" ".join(
                [
                    _loss_sentence(loss),
                    *_credit_sentences(loss),
                    f"A claim can be filed from {day(window.opens)} until "
                    f"{day(window.closes)}.",
                    value_sentence(unit_value, amount, item.sku or item.fnsku),
                ]
            ),
            evidence=_evidence(loss),
            unit_value_source=unit_value.source,
            order_id=item.order_id,
            marketplace_id=settings.marketplace_id,
        )
    )


def _loss_sentence(loss: OrderLoss[_RemovalLoss]) -> str:
    item = loss.item
    subject = f"SKU {item.sku or 'unknown'} (FNSKU {item.fnsku})"
    if item.incomplete is not None:
        line = item.incomplete.line
        return (
            f"Removal order {item.order_id} ({line.order_type}) for {subject} was "
            f"completed on {day(item.occurred_at)} with {count_units(line.requested)} "
            f"requested, {line.cancelled} cancelled, {line.disposed} disposed, "
            f"{line.shipped} shipped and {line.in_process} in process, so "
            f"{count_units(loss.units)} are unaccounted for."
        )
    order = item.shipped
    # A loss without an incomplete line is a transit loss, which has its order.
    assert order is not None
    if not order.shipments:
        shipments = "no removal shipment row exists for them"
    else:
        shipments = (
            f"its shipment rows with a tracking number carry only "
            f"{count_units(order.tracked_units)}"
        )
    return (
        f"Removal order {item.order_id} shipped {count_units(order.shipped)} of "
        f"{subject}, but {shipments}, so {count_units(loss.units)} count as lost in "
        f"transit since {day(item.occurred_at)}."
    )


def _credit_sentences(loss: OrderLoss[_RemovalLoss]) -> list[str]:
    sentences = []
    if loss.credited_units:
        sentences.append(
            f"Amazon has reimbursed {count_units(loss.credited_units)} of them."
        )
    else:
        sentences.append("Amazon has not reimbursed any of them.")
    for reimbursement_id in reversed_ids(loss.allocations):
        sentences.append(
            f"Amazon reversed reimbursement {reimbursement_id}, so its reversed units "
            "count as unpaid."
        )
    return sentences


def _evidence(loss: OrderLoss[_RemovalLoss]) -> list[EvidenceRow]:
    item = loss.item
    rows: list[EvidenceRow] = []
    if item.incomplete is not None:
        line = item.incomplete.line
        rows.append(
            EvidenceRow(
                report_type=REMOVAL_ORDERS_REPORT,
                row_key=line.row_key,
                source_line=line.source_line,
                occurred_at=item.occurred_at,
                quantity=line.requested,
                reference_id=line.order_id,
                description=(
                    f"Removal order {line.order_id} line ({line.order_status}, "
                    f"disposition {line.disposition or 'unknown'}): "
                    f"{line.requested} requested, {line.cancelled} cancelled, "
                    f"{line.disposed} disposed, {line.shipped} shipped, "
                    f"{line.in_process} in process."
                ),
            )
        )
    elif item.shipped is not None:
        order = item.shipped
        for order_line in order.lines:
            updated = order_line["updated_us"]
            rows.append(
                EvidenceRow(
                    report_type=REMOVAL_ORDERS_REPORT,
                    row_key=str(order_line["row_key"]),
                    source_line=int(order_line["source_line"]),
                    occurred_at=item.occurred_at
                    if updated is None
                    else from_epoch_us(int(updated)),
                    quantity=int(order_line["shipped"]),
                    reference_id=order.order_id,
                    description=(
                        f"Removal order {order.order_id} line "
                        f"({order_line['order_status']}): "
                        f"{order_line['shipped']} shipped."
                    ),
                )
            )
        for shipment in order.shipments:
            tracking = shipment.tracking_number or "no tracking number"
            rows.append(
                EvidenceRow(
                    report_type=REMOVAL_SHIPMENTS_REPORT,
                    row_key=shipment.row_key,
                    source_line=shipment.source_line,
                    occurred_at=shipment.shipment_date or item.occurred_at,
                    quantity=shipment.shipped,
                    reference_id=shipment.tracking_number or None,
                    description=(
                        f"Removal shipment of order {order.order_id} by "
                        f"{shipment.carrier or 'an unknown carrier'} ({tracking}): "
                        f"{count_units(shipment.shipped)}."
                    ),
                )
            )
    rows.extend(credit_evidence(loss.allocations))
    return rows


def _resolution(item: _RemovalLoss, cause: ResolutionCause, reason: str) -> Resolution:
    return Resolution(
        key=item.key,
        type=REMOVAL_LOST,
        fnsku=item.fnsku,
        occurred_at=item.occurred_at,
        cause=cause,
        reason=reason,
    )
