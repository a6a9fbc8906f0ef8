"""One assessed claim of the return and payout rules, and how it becomes a finding.

The return and payout rules assess each candidate into a `ClaimCase` (units,
value, window, evidence and the sentences for the seller), then `judge` turns it
into a finding, a resolution, or nothing while the waiting period runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from detection.models import (
    Confidence,
    DetectionSettings,
    EvidenceRow,
    Finding,
    Resolution,
    ResolutionCause,
)
from detection.policy import amazon_pays_proactively, claim_window
from detection.rules.base import RuleContext, RuleOutcome
from detection.valuation import UnitValue

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Explanation:
    """The evidence and the sentences of a finding."""

    evidence: tuple[EvidenceRow, ...]
    facts: str
    """Sentences stating what happened and what was credited."""
    value_note: str
    """The sentence naming the source of the unit value."""


@dataclass(frozen=True, slots=True)
class ClaimCase:
    """A candidate claim with every number a finding or resolution reports."""

    type: str
    key: str
    sku: str
    fnsku: str
    asin: str
    product_name: str
    order_id: str
    reference_id: str
    occurred_at: datetime
    """The event the claim window counts from."""
    units: int
    """Units of the event (refunded, returned or reimbursed)."""
    credited_units: int
    """Units already returned, restocked, found or paid that offset the event."""
    open_units: int
    unit_value: UnitValue
    amount: Decimal
    window_opens: datetime
    window_closes: datetime
    amazon_expected_to_pay: bool
    explain: Callable[[], Explanation]
    """Builds the evidence and sentences. Called only when the case is a finding,
    because most cases of a large seller resolve or wait."""
    closed_cause: ResolutionCause
    """The cause reported when no unit is open."""
    closed_reason: str
    """The sentence for that resolution."""
    estimated: bool = False
    """True when the value is an estimate (fees unknown, or Amazon's own figure)."""
    fulfillment_center: str = ""


def judge(case: ClaimCase, context: RuleContext, outcome: RuleOutcome) -> None:
    """Append the case's finding or resolution; nothing while the window is not open.

    No open unit resolves the case with its own cause, a closed window as
    window_closed, and a known amount below the minimum claim value as
    below_minimum. A case whose window closed before `horizon_cutoff` gives
    nothing: no finding of it can still be open in the recoveries store.
    """
    settings = context.settings
    if gives_nothing(case.open_units, case.window_opens, case.window_closes, context):
        return
    if case.open_units <= 0:
        outcome.resolved.append(
            _resolution(case, case.closed_cause, case.closed_reason)
        )
    elif context.as_of > case.window_closes:
        outcome.resolved.append(
            _resolution(
                case,
                "window_closed",
                f"The claim window for {units_text(case.open_units)} closed on "
                f"{day_text(case.window_closes)}.",
            )
        )
    elif case.unit_value.amount is not None and case.amount < settings.min_claim_value:
        currency = case.unit_value.currency
        outcome.resolved.append(
            _resolution(
                case,
                "below_minimum",
                f"The {units_text(case.open_units)} still open are worth "
                f"{money_text(case.amount)} {currency}, below the minimum claim "
                f"value of {money_text(settings.min_claim_value)} {currency}.",
            )
        )
    else:
        outcome.findings.append(_finding(case, settings))


def gives_nothing(
    open_units: int, opens: datetime, closes: datetime, context: RuleContext
) -> bool:
    """Return True when `judge` appends nothing for a case with these numbers.

    That is a window closed before `horizon_cutoff`, or units still open while
    the window has not opened yet. Rules call it to skip building such cases.
    """
    if closes < horizon_cutoff(context):
        return True
    return open_units > 0 and context.as_of <= closes and context.as_of < opens


def horizon_cutoff(context: RuleContext) -> datetime:
    """Return the moment before which a closed claim window needs no resolution.

    The recoveries store expires every detected recovery whose claim deadline has
    passed on each run, so a case whose window closed `resolution_horizon_days`
    before as_of has no open finding left to close.
    """
    horizon = timedelta(days=context.settings.resolution_horizon_days)
    return context.as_of - horizon


class WindowBook:
    """The claim windows of one finding type, looked up once per UTC day.

    The policy picks a window rule by the UTC date of the event, so every event of
    a day gets the same offsets. The book keeps them per day, which spares the
    policy lookup on the tens of thousands of cases of a large seller.
    """

    def __init__(self, finding_type: str, settings: DetectionSettings) -> None:
        self._type = finding_type
        self._settings = settings
        self._offsets: dict[int, tuple[timedelta, timedelta, bool]] = {}

    def _day(self, event_at: datetime, day: int) -> tuple[timedelta, timedelta, bool]:
        offsets = self._offsets.get(day)
        if offsets is None:
            settings = self._settings
            window = claim_window(
                self._type, event_at, settings.region, settings.window_overrides
            )
            offsets = (
                window.opens - event_at,
                window.closes - event_at,
                amazon_pays_proactively(self._type, event_at),
            )
            self._offsets[day] = offsets
        return offsets

    def window(self, event_at: datetime) -> tuple[datetime, datetime]:
        """Return when the claim window of an event opens and closes."""
        opens, closes, _ = self._day(event_at, _utc_day(event_at))
        return event_at + opens, event_at + closes

    def proactive(self, event_at: datetime) -> bool:
        """Return True when Amazon pays the event's category on its own."""
        return self._day(event_at, _utc_day(event_at))[2]

    def closes_us(self, event_us: int) -> int:
        """Return when the window of an event at epoch microseconds closes, in the
        same unit."""
        day = event_us // _DAY_US
        offsets = self._offsets.get(day)
        if offsets is None:
            event_at = _EPOCH + timedelta(microseconds=event_us)
            offsets = self._day(event_at, day)
        return event_us + offsets[1] // timedelta(microseconds=1)


def _utc_day(moment: datetime) -> int:
    return (moment - _EPOCH).days


def _finding(case: ClaimCase, settings: DetectionSettings) -> Finding:
    confidence, confidence_reason = _confidence(case)
    explanation = case.explain()
    sentences = [explanation.facts, explanation.value_note]
    sentences.append(
        f"A claim can be filed from {day_text(case.window_opens)} until "
        f"{day_text(case.window_closes)}."
    )
    if case.amazon_expected_to_pay:
        sentences.append(
            "Amazon reimburses such cases on its own since 2024-11-01, so check for "
            "a payout before filing."
        )
    return Finding(
        key=case.key,
        type=case.type,
        fnsku=case.fnsku,
        sku=case.sku,
        asin=case.asin,
        product_name=case.product_name,
        fulfillment_center=case.fulfillment_center,
        reference_id=case.reference_id,
        occurred_at=case.occurred_at,
        units_lost=case.units,
        credited_units=case.credited_units,
        open_units=case.open_units,
        unit_value=case.unit_value.amount,
        amount=case.amount,
        currency=case.unit_value.currency,
        confidence=confidence,
        amazon_expected_to_pay=case.amazon_expected_to_pay,
        claim_window_opens=case.window_opens,
        claim_window_closes=case.window_closes,
        reason=" ".join(sentence for sentence in sentences if sentence),
        evidence=list(explanation.evidence),
        confidence_reason=confidence_reason,
        unit_value_source=case.unit_value.source,
        order_id=case.order_id,
        marketplace_id=settings.marketplace_id,
    )


def _confidence(case: ClaimCase) -> tuple[Confidence, str]:
    if case.unit_value.amount is None:
        return "low", "The reports prove the case, but no unit value is known."
    if case.amazon_expected_to_pay:
        return "medium", "The reports prove the case, but Amazon may still pay it."
    if case.estimated:
        return "medium", "The reports prove the case, but its value is an estimate."
    return "high", "The reports prove the case and no payout is pending."


def _resolution(case: ClaimCase, cause: ResolutionCause, reason: str) -> Resolution:
    return Resolution(
        key=case.key,
        type=case.type,
        fnsku=case.fnsku,
        occurred_at=case.occurred_at,
        cause=cause,
        reason=reason,
    )


def day_text(moment: datetime) -> str:
    """Return the ISO date of a moment, for sentences."""
    return moment.date().isoformat()


def units_text(count: int) -> str:
    """Return "1 unit" or "N units"."""
    return f"{count} unit" if count == 1 else f"{count} units"


def money_text(amount: Decimal) -> str:
    """Return an amount with two decimals."""
    return f"{amount:.2f}"
