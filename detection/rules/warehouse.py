"""Rules lost_inventory and damaged_inventory: warehouse losses not found or paid.

A loss is a ledger Adjustments row with a loss reason code and a negative
quantity. Units found again (F, N), corrected (O) and reimbursed (Lost_Warehouse,
Damaged_Warehouse, reversals netted) are matched to the losses of the same FNSKU,
first in first out. What stays open becomes a finding once Amazon's waiting period
has passed and while the 60-day claim window is open.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, TypeVar

from detection.calendar import add_business_days
from detection.matching import Credit, Loss, allocate_credits
from detection.models import DetectionSettings
from detection.policy import amazon_pays_proactively, claim_window, valuation_basis
from detection.queries import (
    LedgerAdjustment,
    ReimbursementRecord,
    WarehouseRows,
    fetch_warehouse_rows,
)
from detection.reversals import REVERSAL_REASON_KEY, net_reversals
from detection.rules.base import RuleContext, RuleOutcome, finding_key
from detection.rules.warehouse_explain import (
    build_finding,
    build_resolution,
    offset_cause,
)
from detection.rules.warehouse_types import (
    CORRECTION_CODES,
    DAMAGED,
    DAMAGED_INVENTORY,
    FINDING_TYPE_BY_CLASS,
    FOUND_CODES,
    LOSS_CLASS_BY_CODE,
    LOSS_CLASS_BY_REIMBURSEMENT,
    LOST,
    LOST_INVENTORY,
    CreditSource,
    LossAssessment,
    WarehouseMatch,
)
from detection.tables import LEDGER_DETAIL, REIMBURSEMENTS
from detection.valuation import (
    AmazonEstimate,
    UnitValue,
    choose_unit_value,
    claim_amount,
)

logger = logging.getLogger(__name__)

_LOST_ONLY = frozenset({LOST})
_BOTH_CLASSES = frozenset({LOST, DAMAGED})
_OFFSETS_BY_REIMBURSEMENT = {
    reason_key: frozenset({loss_class})
    for reason_key, loss_class in LOSS_CLASS_BY_REIMBURSEMENT.items()
}
_Row = TypeVar("_Row", LedgerAdjustment, ReimbursementRecord)


class WarehouseRule:
    """Finds lost and damaged warehouse units that Amazon has not found or paid."""

    name = "warehouse"
    finding_types = (LOST_INVENTORY, DAMAGED_INVENTORY)
    requirements: ClassVar[Mapping[str, tuple[tuple[str, ...], ...]]] = {
        LOST_INVENTORY: ((LEDGER_DETAIL,), (REIMBURSEMENTS,)),
        DAMAGED_INVENTORY: ((LEDGER_DETAIL,), (REIMBURSEMENTS,)),
    }

    def run(self, context: RuleContext) -> RuleOutcome:
        """Match credits to the losses of each FNSKU and judge every loss row.

        Each loss row yields a finding, a resolution (nothing open, window closed,
        or below the minimum claim value) or nothing while its waiting period runs.
        """
        rows = fetch_warehouse_rows(
            context.connection,
            loss_codes=LOSS_CLASS_BY_CODE.keys(),
            found_codes=FOUND_CODES,
            correction_codes=CORRECTION_CODES,
            reimbursement_reasons=[*LOSS_CLASS_BY_REIMBURSEMENT, REVERSAL_REASON_KEY],
        )
        outcome = RuleOutcome()
        policy = _PolicyCache(rows.estimates, context)
        for match in _match_by_fnsku(rows, context.settings):
            _judge(_assess(match, policy, context), context, outcome)

        logger.debug(
            "warehouse rule: %d candidate ledger rows, %d reimbursement rows, "
            "%d findings, %d resolved",
            len(rows.adjustments),
            len(rows.reimbursements),
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


def _match_by_fnsku(
    rows: WarehouseRows, settings: DetectionSettings
) -> Iterable[WarehouseMatch]:
    ledger = _group_by_fnsku(rows.adjustments)
    reimbursements = _group_by_fnsku(rows.reimbursements)
    lookback = timedelta(days=settings.credit_lookback_days)

    for fnsku in sorted(ledger):
        losses: list[Loss[LedgerAdjustment]] = []
        credits: list[Credit[CreditSource]] = []
        for row in ledger[fnsku]:
            loss_class = LOSS_CLASS_BY_CODE.get(row.reason_code)
            if loss_class is not None and row.quantity < 0:
                losses.append(_loss(row, loss_class))
            else:
                credits.append(_ledger_credit(row))
        credits.extend(_reimbursement_credits(reimbursements.get(fnsku, [])))
        yield from allocate_credits(losses, credits, lookback)


def _group_by_fnsku(rows: Iterable[_Row]) -> dict[str, list[_Row]]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[row.fnsku].append(row)
    return groups


def _loss(row: LedgerAdjustment, loss_class: str) -> Loss[LedgerAdjustment]:
    return Loss(
        item=row,
        occurred_at=row.occurred_at,
        sort_key=(row.source_line, row.row_key),
        loss_class=loss_class,
        units=-row.quantity,
    )


def _ledger_credit(row: LedgerAdjustment) -> Credit[CreditSource]:
    offsets = _LOST_ONLY
    if row.reason_code in CORRECTION_CODES:
        offsets = _BOTH_CLASSES
    return Credit(
        item=row,
        occurred_at=row.occurred_at,
        sort_key=(row.source_line, row.row_key),
        offsets=offsets,
        units=abs(row.quantity),
    )


def _reimbursement_credits(
    rows: Iterable[ReimbursementRecord],
) -> list[Credit[CreditSource]]:
    credits: list[Credit[CreditSource]] = []
    for netted in net_reversals(rows):
        original = netted.original
        credits.append(
            Credit(
                item=netted,
                occurred_at=original.approval_date,
                sort_key=(original.source_line, original.row_key),
                offsets=_OFFSETS_BY_REIMBURSEMENT[original.reason_key],
                units=netted.units,
            )
        )
    return credits


class _PolicyCache:
    """Policy results of one run, looked up once per day, weekday or SKU.

    Claim windows, the valuation basis and proactive payouts depend only on the
    UTC date of the loss, the wait for a lost unit only on its weekday, and the
    unit value only on the SKU, the FNSKU and the valuation basis. Looking each up
    once keeps the per-loss work small on sellers with tens of thousands of losses;
    the results equal what the policy functions return for the loss itself.
    """

    def __init__(
        self, estimates: Mapping[str, AmazonEstimate], context: RuleContext
    ) -> None:
        self._estimates = estimates
        self._context = context
        self._days: dict[tuple[str, date], tuple[timedelta, timedelta, bool, str]] = {}
        self._business_waits: dict[int, timedelta] = {}
        self._values: dict[tuple[str, str, str], UnitValue] = {}

    def day_rules(
        self, finding_type: str, occurred_at: datetime
    ) -> tuple[timedelta, timedelta, bool, str]:
        """Return the window's opening and closing offsets, whether Amazon pays
        on its own, and the valuation basis, for a loss at `occurred_at`."""
        day = occurred_at.astimezone(UTC).date()
        cache_key = (finding_type, day)
        rules = self._days.get(cache_key)
        if rules is None:
            settings = self._context.settings
            window = claim_window(
                finding_type, occurred_at, settings.region, settings.window_overrides
            )
            rules = (
                window.opens - occurred_at,
                window.closes - occurred_at,
                amazon_pays_proactively(finding_type, occurred_at),
                valuation_basis(occurred_at),
            )
            self._days[cache_key] = rules
        return rules

    def wait_end(self, loss_class: str, occurred_at: datetime) -> datetime:
        """Return when Amazon's waiting period for the loss ends."""
        settings = self._context.settings
        if loss_class != LOST:
            return occurred_at + timedelta(days=settings.damaged_wait_days)
        weekday = occurred_at.weekday()
        wait = self._business_waits.get(weekday)
        if wait is None:
            # NOTE: weekdays are counted in UTC, not in the marketplace's time
            # zone, so a loss late on a local Sunday in the Americas counts from
            # Monday. add_business_days moves by whole days, so the wait depends
            # on the weekday alone.
            wait = (
                add_business_days(occurred_at, settings.lost_wait_business_days)
                - occurred_at
            )
            self._business_waits[weekday] = wait
        return occurred_at + wait

    def unit_value(self, row: LedgerAdjustment, basis: str) -> UnitValue:
        """Return the value of one unit of the loss row."""
        cache_key = (row.msku, row.fnsku, basis)
        value = self._values.get(cache_key)
        if value is None:
            value = choose_unit_value(
                row.msku,
                row.fnsku,
                self._context.unit_costs,
                self._estimates,
                self._context.settings.marketplace_currency,
                event_at=row.occurred_at,
            )
            self._values[cache_key] = value
        return value


def _assess(
    match: WarehouseMatch, policy: _PolicyCache, context: RuleContext
) -> LossAssessment:
    settings = context.settings
    row = match.loss.item
    loss_class = match.loss.loss_class
    occurred_at = row.occurred_at

    open_units = match.open_units
    if row.unreconciled_quantity is not None:
        open_units = min(open_units, max(row.unreconciled_quantity, 0))

    finding_type = FINDING_TYPE_BY_CLASS[loss_class]
    opens_after, closes_after, proactive, basis = policy.day_rules(
        finding_type, occurred_at
    )
    unit_value = policy.unit_value(row, basis)
    age = context.as_of - occurred_at
    return LossAssessment(
        match=match,
        loss_class=loss_class,
        key=finding_key(finding_type, row.fnsku, row.row_key),
        open_units=open_units,
        window_opens=max(
            occurred_at + opens_after, policy.wait_end(loss_class, occurred_at)
        ),
        window_closes=occurred_at + closes_after,
        unit_value=unit_value,
        amount=claim_amount(open_units, unit_value.amount),
        amazon_expected_to_pay=proactive
        and age < timedelta(days=settings.proactive_payout_days),
    )


def _judge(
    assessment: LossAssessment, context: RuleContext, outcome: RuleOutcome
) -> None:
    settings = context.settings
    if assessment.open_units == 0:
        cause = offset_cause(assessment)
        outcome.resolved.append(build_resolution(assessment, cause, settings))
    elif context.as_of > assessment.window_closes:
        outcome.resolved.append(build_resolution(assessment, "window_closed", settings))
    elif context.as_of < assessment.window_opens:
        return
    elif (
        assessment.unit_value.amount is not None
        and assessment.amount < settings.min_claim_value
    ):
        outcome.resolved.append(build_resolution(assessment, "below_minimum", settings))
    else:
        outcome.findings.append(build_finding(assessment, settings))
