"""Netting of Reimbursement_Reversal rows into the reimbursements they reverse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from detection.queries import ReimbursementRecord

REVERSAL_REASON_KEY = "reimbursementreversal"


@dataclass(frozen=True, slots=True)
class NettedReimbursement:
    """A reimbursement row with the reversal rows that point back to it."""

    original: ReimbursementRecord
    reversals: tuple[ReimbursementRecord, ...]
    units: int
    """Units reimbursed (cash plus inventory) after reversals, never below zero."""


def net_reversals(records: Iterable[ReimbursementRecord]) -> list[NettedReimbursement]:
    """Subtract the units of each reversal from the reimbursement it points back to.

    A reversal points back through original_reimbursement_id and has a negative
    quantity. It reverses rows with that reimbursement_id and the same FNSKU, and
    when several such rows exist the earliest absorb the reversed units first.
    Its rows are listed on the first of them. A reversal whose original is not in
    `records` changes nothing and is not returned. Returns the other rows by
    (approval_date, source_line, row_key).
    """
    reversals: dict[tuple[str, str], list[ReimbursementRecord]] = {}
    originals: list[ReimbursementRecord] = []
    for row in records:
        if row.reason_key == REVERSAL_REASON_KEY:
            if row.original_reimbursement_id is not None:
                key = (row.original_reimbursement_id, row.fnsku)
                reversals.setdefault(key, []).append(row)
        else:
            originals.append(row)

    reversed_left = {
        key: max(-sum(row.quantity for row in group), 0)
        for key, group in reversals.items()
    }
    netted: list[NettedReimbursement] = []
    for row in sorted(originals, key=_chronological):
        key = (row.reimbursement_id, row.fnsku)
        units = max(row.quantity, 0)
        reversed_units = min(units, reversed_left.get(key, 0))
        if reversed_units:
            reversed_left[key] -= reversed_units
        attached = tuple(reversals.pop(key, ()))
        netted.append(NettedReimbursement(row, attached, units - reversed_units))
    return netted


def _chronological(row: ReimbursementRecord) -> tuple[datetime, int, str]:
    return (row.approval_date, row.source_line, row.row_key)
