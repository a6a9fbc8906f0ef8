"""Findings, resolutions, evidence rows and seller-facing sentences of the warehouse
rules, built from a `LossAssessment`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from detection.matching import Allocation
from detection.models import (
    Confidence,
    DetectionSettings,
    EvidenceRow,
    Finding,
    Resolution,
    ResolutionCause,
)
from detection.queries import LedgerAdjustment, ReimbursementRecord
from detection.reversals import NettedReimbursement
from detection.rules.warehouse_types import (
    CORRECTION_CODES,
    LOST,
    CreditSource,
    LossAssessment,
)

LEDGER_REPORT = "GET_LEDGER_DETAIL_VIEW_DATA"
REIMBURSEMENTS_REPORT = "GET_FBA_REIMBURSEMENTS_DATA"

_CODE_MEANING = {
    "F": "found",
    "N": "found or reimbursed with inventory",
    "O": "correction",
}


@dataclass(frozen=True, slots=True)
class CreditBreakdown:
    """Units credited to one loss, by kind of credit."""

    found: int
    corrected: int
    reimbursed: int
    reversed_ids: tuple[str, ...]
    """Reimbursement ids matched to the loss that Amazon reversed."""


def build_finding(assessment: LossAssessment, settings: DetectionSettings) -> Finding:
    """Build the finding of a loss that is open, past its wait and claimable."""
    row = assessment.row
    value = assessment.unit_value
    return Finding(
        key=assessment.key,
        type=assessment.finding_type,
        fnsku=row.fnsku,
        sku=row.msku,
        asin=row.asin,
        product_name=row.title,
        fulfillment_center=row.fulfillment_center,
        reference_id=row.reference_id,
        occurred_at=row.occurred_at,
        units_lost=assessment.match.loss.units,
        credited_units=assessment.match.credited_units,
        open_units=assessment.open_units,
        unit_value=value.amount,
        amount=assessment.amount,
        currency=value.currency,
        confidence=_confidence(assessment),
        amazon_expected_to_pay=assessment.amazon_expected_to_pay,
        claim_window_opens=assessment.window_opens,
        claim_window_closes=assessment.window_closes,
        reason=finding_reason(assessment, settings),
        evidence=build_evidence(assessment),
        confidence_reason=_confidence_reason(assessment),
        unit_value_source=value.source,
        marketplace_id=settings.marketplace_id,
    )


def build_resolution(
    assessment: LossAssessment, cause: ResolutionCause, settings: DetectionSettings
) -> Resolution:
    """Build the resolution of a loss row that needs no claim, for `cause`."""
    row = assessment.row
    return Resolution(
        key=assessment.key,
        type=assessment.finding_type,
        fnsku=row.fnsku,
        occurred_at=row.occurred_at,
        cause=cause,
        reason=resolution_reason(assessment, cause, settings),
    )


def _confidence(assessment: LossAssessment) -> Confidence:
    if assessment.unit_value.amount is None:
        return "low"
    if assessment.amazon_expected_to_pay:
        return "medium"
    return "high"


def _confidence_reason(assessment: LossAssessment) -> str:
    if assessment.unit_value.amount is None:
        return "The ledger proves the loss, but no unit value is known to price it."
    if assessment.amazon_expected_to_pay:
        return (
            "The ledger proves the loss, but Amazon may still reimburse it on its own."
        )
    return (
        "The ledger proves the loss, nothing matched offsets it and no payout is "
        "pending."
    )


def offset_cause(assessment: LossAssessment) -> ResolutionCause:
    """Name what closed a loss with no open unit: finds, payouts or a mix."""
    breakdown = credit_breakdown(assessment)
    if assessment.match.open_units == 0:
        if breakdown.found and not (breakdown.corrected or breakdown.reimbursed):
            return "units_found"
        if breakdown.reimbursed and not (breakdown.found or breakdown.corrected):
            return "reimbursed"
    return "offset"


def build_evidence(assessment: LossAssessment) -> list[EvidenceRow]:
    """List the loss row, then each matched credit row and its reversals."""
    row = assessment.row
    center = row.fulfillment_center or "an unknown fulfillment center"
    evidence = [
        EvidenceRow(
            report_type=LEDGER_REPORT,
            row_key=row.row_key,
            source_line=row.source_line,
            occurred_at=row.occurred_at,
            quantity=row.quantity,
            reference_id=row.reference_id or None,
            description=(
                f"Ledger Adjustments row, reason {row.reason_code} "
                f"({assessment.loss_class}) at {center}: "
                f"{_signed_units(row.quantity)}."
            ),
        )
    ]
    for allocation in assessment.match.allocations:
        evidence.extend(_credit_evidence(allocation))
    return evidence


def _credit_evidence(allocation: Allocation[CreditSource]) -> list[EvidenceRow]:
    item = allocation.credit.item
    applied = f"{_units(allocation.units)} applied to this loss"
    if isinstance(item, LedgerAdjustment):
        meaning = _CODE_MEANING.get(item.reason_code, "adjustment")
        return [
            EvidenceRow(
                report_type=LEDGER_REPORT,
                row_key=item.row_key,
                source_line=item.source_line,
                occurred_at=item.occurred_at,
                quantity=item.quantity,
                reference_id=item.reference_id or None,
                description=(
                    f"Ledger Adjustments row, reason {item.reason_code} ({meaning}): "
                    f"{_signed_units(item.quantity)}, {applied}."
                ),
            )
        ]
    return _reimbursement_evidence(item, applied)


def _reimbursement_evidence(
    netted: NettedReimbursement, applied: str
) -> list[EvidenceRow]:
    original = netted.original
    case = f", case {original.case_id}" if original.case_id else ""
    rows = [
        _reimbursement_row(
            original,
            f"Reimbursement {original.reimbursement_id} ({original.reason}{case}): "
            f"{_units(original.quantity)} paid, {applied}.",
        )
    ]
    for reversal in netted.reversals:
        rows.append(
            _reimbursement_row(
                reversal,
                f"Reversal {reversal.reimbursement_id} of reimbursement "
                f"{original.reimbursement_id}: {_signed_units(reversal.quantity)}.",
            )
        )
    return rows


def _reimbursement_row(row: ReimbursementRecord, description: str) -> EvidenceRow:
    return EvidenceRow(
        report_type=REIMBURSEMENTS_REPORT,
        row_key=row.row_key,
        source_line=row.source_line,
        occurred_at=row.approval_date,
        quantity=row.quantity,
        reference_id=row.reimbursement_id or None,
        description=description,
    )


def credit_breakdown(assessment: LossAssessment) -> CreditBreakdown:
    """Sum the units credited to the loss by kind of credit."""
    found = corrected = reimbursed = 0
    reversed_ids: list[str] = []
    for allocation in assessment.match.allocations:
        item = allocation.credit.item
        if isinstance(item, NettedReimbursement):
            reimbursed += allocation.units
            if item.reversals:
                reversed_ids.append(item.original.reimbursement_id)
        elif item.reason_code in CORRECTION_CODES:
            corrected += allocation.units
        else:
            found += allocation.units
    return CreditBreakdown(found, corrected, reimbursed, tuple(reversed_ids))


def finding_reason(assessment: LossAssessment, settings: DetectionSettings) -> str:
    """Write the sentences that tell the seller why the loss is claimable."""
    sentences = [_loss_sentence(assessment), _credit_sentence(assessment)]
    sentences.extend(_reversal_sentences(assessment))
    if assessment.capped:
        sentences.append(
            f"Amazon's ledger lists only {_units(assessment.open_units)} of this loss "
            "as unreconciled, so the claim covers no more."
        )
    sentences.append(_open_sentence(assessment, settings))
    sentences.append(_value_sentence(assessment))
    if assessment.amazon_expected_to_pay:
        sentences.append(
            "Amazon usually reimburses such losses on its own within "
            f"{settings.proactive_payout_days} days, so check for a payout before "
            "filing."
        )
    return " ".join(sentences)


def _loss_sentence(assessment: LossAssessment) -> str:
    row = assessment.row
    product = f'"{row.title}" ' if row.title else ""
    place = f" at {row.fulfillment_center}" if row.fulfillment_center else ""
    count = assessment.match.loss.units
    verb = "was" if count == 1 else "were"
    return (
        f"{_units(count)} of {product}(SKU {row.msku or 'unknown'}, FNSKU "
        f"{row.fnsku}) {verb} recorded as {assessment.loss_class}{place} on "
        f"{_day(row.occurred_at)} (ledger reason {row.reason_code})."
    )


def _credit_sentence(assessment: LossAssessment) -> str:
    breakdown = credit_breakdown(assessment)
    parts = []
    if breakdown.found:
        parts.append(f"{_units_were(breakdown.found)} found again")
    if breakdown.corrected:
        parts.append(f"{_units_were(breakdown.corrected)} corrected by Amazon")
    if breakdown.reimbursed:
        parts.append(f"{_units_were(breakdown.reimbursed)} reimbursed")
    if not parts:
        return "No unit of this loss has been found again, corrected or reimbursed."
    if len(parts) > 1:
        parts[-1] = f"and {parts[-1]}"
    separator = ", " if len(parts) > 2 else " "
    return f"Since then, {separator.join(parts)}."


def _reversal_sentences(assessment: LossAssessment) -> list[str]:
    return [
        f"Amazon reversed reimbursement {reimbursement_id}, so its reversed units "
        "count as unpaid."
        for reimbursement_id in credit_breakdown(assessment).reversed_ids
    ]


def _open_sentence(assessment: LossAssessment, settings: DetectionSettings) -> str:
    if assessment.loss_class == LOST:
        wait = f"{settings.lost_wait_business_days} business days"
        action = "found or paid for"
    else:
        wait = f"{settings.damaged_wait_days} days"
        action = "paid for"
    return (
        f"Amazon has not {action} {_units(assessment.open_units)} within {wait} of "
        f"the loss, and a claim can be filed until {_day(assessment.window_closes)}."
    )


def _value_sentence(assessment: LossAssessment) -> str:
    value = assessment.unit_value
    if value.amount is None:
        return (
            "The unit value is unknown, so add the unit cost of SKU "
            f"{assessment.row.msku or assessment.row.fnsku} to price the claim."
        )
    if value.source == "seller_cost":
        source = "your unit cost"
    else:
        source = "Amazon's latest reimbursement for this FNSKU"
    return (
        f"At {_price(value.amount)} {value.currency} per unit from {source}, "
        f"the claim is worth {_money(assessment.amount)} {value.currency}."
    )


def resolution_reason(
    assessment: LossAssessment, cause: ResolutionCause, settings: DetectionSettings
) -> str:
    """Write the sentence that explains why the loss row needs no claim."""
    row = assessment.row
    units = assessment.match.loss.units
    lost_on = _day(row.occurred_at)
    if cause in ("offset", "units_found", "reimbursed") and (
        assessment.match.open_units == 0
    ):
        subject = "The unit" if units == 1 else f"All {units} units"
        verb = "was" if units == 1 else "were"
        return (
            f"{subject} recorded as {assessment.loss_class} on {lost_on} {verb} "
            "found again, corrected or reimbursed."
        )
    if cause == "offset":
        return (
            f"Amazon's ledger lists no unit of the loss on {lost_on} as "
            "unreconciled any more."
        )
    if cause == "window_closed":
        days = (assessment.window_closes - row.occurred_at).days
        return (
            f"The {days}-day claim window for "
            f"{_units(assessment.open_units)} {assessment.loss_class} on {lost_on} "
            f"closed on {_day(assessment.window_closes)}."
        )
    currency = assessment.unit_value.currency
    verb = "is" if assessment.open_units == 1 else "are"
    return (
        f"The {_units(assessment.open_units)} still open from the loss on {lost_on} "
        f"{verb} worth {_money(assessment.amount)} {currency}, below the minimum "
        f"claim value of {_money(settings.min_claim_value)} {currency}."
    )


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def _units_were(count: int) -> str:
    return "1 unit was" if count == 1 else f"{count} units were"


def _signed_units(quantity: int) -> str:
    return f"{quantity:+d} unit" if abs(quantity) == 1 else f"{quantity:+d} units"


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _price(amount: Decimal) -> str:
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return str(amount)
    return _money(amount)
