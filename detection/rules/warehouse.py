"""Rules lost_inventory and damaged_inventory: warehouse losses not found or paid.

A loss is a ledger Adjustments row with a loss reason code and a negative
quantity. Units found again (F, N), corrected (O) and reimbursed (Lost_Warehouse,
Damaged_Warehouse, reversals netted) are matched to the losses of the same FNSKU,
first in first out. What stays open becomes a finding once Amazon's waiting period
has passed and while the 60-day claim window is open.

A loss whose claim window closed more than `resolution_horizon_days` before
`as_of` gives nothing: every run already expires a detected recovery past its claim
deadline, so its resolution would change nothing. Only FNSKUs with a loss inside
that horizon are read, with their whole history for the matching.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any, ClassVar

from detection.calendar import add_business_days
from detection.collection import collection_paused
from detection.matching import Allocation, Credit, Loss, MatchedLoss, allocate_units
from detection.models import DetectionSettings
from detection.policy import (
    WINDOW_RULES,
    amazon_pays_proactively,
    claim_window,
    valuation_basis,
)
from detection.queries import (
    FROM_LEDGER,
    LedgerAdjustment,
    MatchingColumns,
    ReimbursementRecord,
    WarehouseRows,
    to_epoch_us,
    warehouse_rows,
)
from detection.reversals import REVERSAL_REASON_KEY, NettedReimbursement
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
_MICROSECOND = timedelta(microseconds=1)


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
        loss_since = earliest_loss_in_horizon(
            self.finding_types, context.as_of, context.settings
        )
        outcome = RuleOutcome()
        with (
            collection_paused(),
            warehouse_rows(
                context.connection,
                loss_codes=LOSS_CLASS_BY_CODE.keys(),
                found_codes=FOUND_CODES,
                correction_codes=CORRECTION_CODES,
                reimbursement_reasons=LOSS_CLASS_BY_REIMBURSEMENT.keys(),
                reversal_key=REVERSAL_REASON_KEY,
                loss_since=loss_since,
            ) as rows,
        ):
            policy = _PolicyCache(rows.estimates, context)
            for match in _match_by_fnsku(rows, context.settings, loss_since):
                _judge(_assess(match, policy, context), context, outcome)
            candidates = len(rows.columns.fnskus)

        logger.debug(
            "warehouse rule: %d candidate rows, %d findings, %d resolved",
            candidates,
            len(outcome.findings),
            len(outcome.resolved),
        )
        return outcome


def earliest_loss_in_horizon(
    finding_types: Iterable[str], as_of: datetime, settings: DetectionSettings
) -> datetime:
    """Return the earliest loss time whose claim window can close within the
    resolution horizon, that is no earlier than `resolution_horizon_days` before
    `as_of`.

    A window's length depends on the policy rule in force on the loss's UTC date,
    and it is constant between two effective dates of the category's rules. So for
    each such period the earliest loss that matters is the later of the period's
    start and the horizon's start less the period's window, and the result is the
    earliest over all periods. Losses before it give neither findings nor
    resolutions.
    """
    horizon_start = as_of - timedelta(days=settings.resolution_horizon_days)
    earliest = as_of
    for finding_type in finding_types:
        starts = sorted(
            {
                rule.effective_from
                for rule in WINDOW_RULES
                if rule.category == finding_type
            }
        )
        for index, start in enumerate(starts):
            period_start = datetime.combine(start, time(), UTC)
            window = claim_window(
                finding_type,
                period_start,
                settings.region,
                settings.window_overrides,
            )
            candidate = max(
                period_start, horizon_start - (window.closes - period_start)
            )
            if index + 1 < len(starts):
                period_end = datetime.combine(starts[index + 1], time(), UTC)
                if candidate >= period_end:
                    continue
            earliest = min(earliest, candidate)
    return earliest


@dataclass(frozen=True, slots=True)
class _PlainMatch:
    """A loss and its allocations by stream position, before records are built."""

    position: int
    loss_class: str
    units: int
    allocations: list[tuple[int, int]]
    """(stream position of the credit, units applied)."""


def _match_by_fnsku(
    rows: WarehouseRows, settings: DetectionSettings, loss_since: datetime
) -> list[WarehouseMatch]:
    """Match the credits of each FNSKU to its losses and return the losses at or
    after `loss_since` with their allocations.

    The matching runs on plain columns. Whole rows are read, and typed records
    built, only for the losses returned and the credits allocated to them.
    """
    plain = _plain_matches(rows.columns, settings, to_epoch_us(loss_since))
    needed = {match.position for match in plain}
    for match in plain:
        needed.update(position for position, _ in match.allocations)
    records = rows.records(needed)
    reversals = rows.reversals(
        {
            (record.reimbursement_id, record.fnsku)
            for position, record in records.items()
            if isinstance(record, ReimbursementRecord)
            and rows.columns.reversed[position]
        }
    )

    credits: dict[int, Credit[CreditSource]] = {}
    matches: list[WarehouseMatch] = []
    for match in plain:
        item = records[match.position]
        assert isinstance(item, LedgerAdjustment)
        matched: WarehouseMatch = MatchedLoss(
            Loss(
                item=item,
                occurred_at=item.occurred_at,
                sort_key=(item.source_line, item.row_key),
                loss_class=match.loss_class,
                units=match.units,
            )
        )
        for position, applied in match.allocations:
            credit = credits.get(position)
            if credit is None:
                credit = _credit(records[position], position, rows, reversals)
                credits[position] = credit
            matched.add(Allocation(credit, applied))
        matches.append(matched)
    return matches


def _plain_matches(
    columns: MatchingColumns, settings: DetectionSettings, since_us: int
) -> list[_PlainMatch]:
    lookback_us = timedelta(days=settings.credit_lookback_days) // _MICROSECOND
    plain: list[_PlainMatch] = []
    stream = enumerate(
        zip(
            columns.fnskus,
            columns.origins,
            columns.moments_us,
            columns.units,
            columns.codes,
            columns.quantities,
            strict=True,
        )
    )
    for _fnsku, group in groupby(stream, key=_fnsku_of):
        loss_positions: list[int] = []
        losses: list[tuple[int, str, int]] = []
        credit_positions: list[int] = []
        credits: list[tuple[int, frozenset[str], int]] = []
        for position, (_, origin, moment, units, code, quantity) in group:
            if origin == FROM_LEDGER:
                loss_class = LOSS_CLASS_BY_CODE.get(code)
                if loss_class is not None and quantity < 0:
                    loss_positions.append(position)
                    losses.append((moment, loss_class, units))
                    continue
                offsets = _BOTH_CLASSES if code in CORRECTION_CODES else _LOST_ONLY
            else:
                offsets = _OFFSETS_BY_REIMBURSEMENT[code]
            credit_positions.append(position)
            credits.append((moment + lookback_us, offsets, units))

        allocations = allocate_units(losses, credits)
        for position, (moment, loss_class, units), allocated in zip(
            loss_positions, losses, allocations, strict=True
        ):
            if moment >= since_us:
                plain.append(
                    _PlainMatch(
                        position,
                        loss_class,
                        units,
                        [
                            (credit_positions[index], applied)
                            for index, applied in allocated
                        ],
                    )
                )
    return plain


def _fnsku_of(entry: tuple[int, tuple[Any, ...]]) -> Any:
    return entry[1][0]


def _credit(
    record: LedgerAdjustment | ReimbursementRecord,
    position: int,
    rows: WarehouseRows,
    reversals: Mapping[tuple[str, str], list[ReimbursementRecord]],
) -> Credit[CreditSource]:
    item: CreditSource
    units = rows.columns.units[position]
    if isinstance(record, LedgerAdjustment):
        item = record
        occurred_at = record.occurred_at
        offsets = (
            _BOTH_CLASSES if record.reason_code in CORRECTION_CODES else _LOST_ONLY
        )
    else:
        listed: tuple[ReimbursementRecord, ...] = ()
        if rows.columns.reversed[position]:
            listed = tuple(reversals.get((record.reimbursement_id, record.fnsku), ()))
        item = NettedReimbursement(record, listed, units)
        occurred_at = record.approval_date
        offsets = _OFFSETS_BY_REIMBURSEMENT[record.reason_key]
    return Credit(
        item=item,
        occurred_at=occurred_at,
        sort_key=(record.source_line, record.row_key),
        offsets=offsets,
        units=units,
    )


class _PolicyCache:
    """Policy results of one run, looked up once per day, weekday or SKU.

    Claim windows, the valuation basis and proactive payouts depend only on the
    UTC date of the loss. The wait for a lost unit depends only on its weekday, and
    the unit value only on the SKU, the FNSKU and the valuation basis. Looking each up
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
    horizon = timedelta(days=settings.resolution_horizon_days)
    if assessment.window_closes < context.as_of - horizon:
        return
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
