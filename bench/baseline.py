"""Row-by-row Python version of the lost_inventory and damaged_inventory rules.

It is the benchmark's point of comparison: the same rules as DOMAIN.md and
detection/rules/warehouse.py state them, written the plain way, one Parquet row at
a time as a dict, with no DuckDB and no code shared with the engine. It returns
the keys, open units and amounts the engine's findings have, so the benchmark and
its smoke test can check that both find the same claims, but it builds no
Finding objects, reasons or evidence.

The rules: a loss is an Adjustments row with code M or 5 (lost) or E, 6, 7, H, K
or U (damaged) and a negative quantity. Credits are F and N rows with a positive
quantity (they offset lost units), O rows with any non-zero quantity (both
classes), and Lost_Warehouse and Damaged_Warehouse reimbursements after their
reversals are netted. Credits go to the earliest open loss of the same FNSKU and
class that happened no later than the credit plus the lookback. Open units are
capped by Unreconciled Quantity. A loss is judged once its wait (business days
for lost, calendar days for damaged) has passed, while its claim window is open.
A loss whose window closed more than `resolution_horizon_days` before `as_of`
gives neither a finding nor a resolution.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from detection import DetectionSettings

LOST = "lost"
DAMAGED = "damaged"
FINDING_TYPES = {LOST: "lost_inventory", DAMAGED: "damaged_inventory"}
LOSS_CODES = {"M": LOST, "5": LOST}
LOSS_CODES.update(dict.fromkeys(("E", "6", "7", "H", "K", "U"), DAMAGED))
FOUND_CODES = {"F", "N"}
CORRECTION_CODES = {"O"}
PAYOUT_REASONS = {"lostwarehouse": LOST, "damagedwarehouse": DAMAGED}
REVERSAL_REASON = "reimbursementreversal"

LEDGER_COLUMNS = [
    "row_key",
    "source_line",
    "occurred_at",
    "fnsku",
    "event_type",
    "quantity",
    "reason",
    "unreconciled_quantity",
]
REIMBURSEMENT_COLUMNS = [
    "row_key",
    "source_line",
    "approval_date",
    "reimbursement_id",
    "reason",
    "fnsku",
    "currency_unit",
    "amount_per_unit",
    "quantity_reimbursed_total",
    "original_reimbursement_id",
]
_BATCH_ROWS = 65_536
_WINDOW_CHANGE = date(2024, 10, 23)
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class WarehouseFinding:
    """The fields of one claimable loss that the smoke test and benchmark compare."""

    key: str
    type: str
    fnsku: str
    row_key: str
    open_units: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class WarehouseOutcome:
    findings: list[WarehouseFinding]
    """Sorted by key."""
    resolved: list[tuple[str, str]]
    """(key, cause) of the losses that need no claim, sorted."""


@dataclass(slots=True)
class _Loss:
    row: dict[str, Any]
    loss_class: str
    units: int
    credited: int = 0
    kinds: set[str] = field(default_factory=set)
    """The kinds of credit applied: found, corrected, reimbursed."""


@dataclass(order=True, slots=True)
class _Credit:
    moment: datetime
    source_line: int
    row_key: str
    units: int = field(compare=False)
    classes: frozenset[str] = field(compare=False)
    kind: str = field(compare=False)


def detect_warehouse(
    ledger_path: Path,
    reimbursements_path: Path,
    as_of: datetime,
    settings: DetectionSettings,
) -> WarehouseOutcome:
    """Judge every warehouse loss row of the two Parquet files at `as_of`."""
    ledger = _ledger_candidates(ledger_path)
    payouts, estimates = _reimbursements(reimbursements_path, set(ledger))
    lookback = timedelta(days=settings.credit_lookback_days)

    findings: list[WarehouseFinding] = []
    resolved: list[tuple[str, str]] = []
    for fnsku, rows in ledger.items():
        losses: list[_Loss] = []
        credits: list[_Credit] = []
        for row in rows:
            code = row["code"]
            if code in LOSS_CODES and row["quantity"] < 0:
                losses.append(_Loss(row, LOSS_CODES[code], -row["quantity"]))
            else:
                classes = {LOST, DAMAGED} if code in CORRECTION_CODES else {LOST}
                credits.append(
                    _Credit(
                        row["occurred_at"],
                        row["source_line"],
                        row["row_key"],
                        abs(row["quantity"]),
                        frozenset(classes),
                        "corrected" if code in CORRECTION_CODES else "found",
                    )
                )
        credits.extend(_netted_credits(payouts.get(fnsku, [])))
        _allocate(losses, credits, lookback)
        for loss in losses:
            _judge(loss, estimates.get(fnsku), as_of, settings, findings, resolved)

    findings.sort(key=lambda finding: finding.key)
    resolved.sort()
    return WarehouseOutcome(findings, resolved)


def _read_rows(path: Path, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=list(columns)):
        yield from batch.to_pylist()


def _normal_key(text: str | None) -> str | None:
    if text is None:
        return None
    return text.replace(" ", "").replace("_", "").lower()


def _ledger_candidates(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Loss, found and correction rows by FNSKU, only FNSKUs with a loss."""
    by_key: dict[str, dict[str, Any]] = {}
    for row in _read_rows(path, LEDGER_COLUMNS):
        if _normal_key(row["event_type"]) != "adjustments" or not row["fnsku"]:
            continue
        quantity = row["quantity"]
        reason = row["reason"]
        if quantity is None or reason is None:
            continue
        code = reason.replace(" ", "").upper()
        is_candidate = (
            (code in LOSS_CODES and quantity < 0)
            or (code in FOUND_CODES and quantity > 0)
            or (code in CORRECTION_CODES and quantity != 0)
        )
        if not is_candidate:
            continue
        row["code"] = code
        earlier = by_key.get(row["row_key"])
        if earlier is None or row["source_line"] < earlier["source_line"]:
            by_key[row["row_key"]] = row

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in by_key.values():
        groups[row["fnsku"]].append(row)
    return {
        fnsku: rows
        for fnsku, rows in groups.items()
        if any(r["code"] in LOSS_CODES and r["quantity"] < 0 for r in rows)
    }


def _reimbursements(
    path: Path, fnskus: set[str]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, tuple[Decimal, str]]]:
    """Payout and reversal rows by FNSKU, and each FNSKU's latest paid value."""
    by_key: dict[str, dict[str, Any]] = {}
    latest: dict[str, tuple[datetime, str, Decimal, str]] = {}
    for row in _read_rows(path, REIMBURSEMENT_COLUMNS):
        fnsku = row["fnsku"]
        if fnsku not in fnskus:
            continue
        quantity = row["quantity_reimbursed_total"]
        value = _positive_decimal(row["amount_per_unit"])
        if quantity is not None and quantity > 0 and value is not None:
            order = (row["approval_date"], row["row_key"])
            best = latest.get(fnsku)
            if best is None or order > best[:2]:
                currency = (row["currency_unit"] or "").strip()
                latest[fnsku] = (*order, value, currency)
        reason = _normal_key(row["reason"])
        if reason not in PAYOUT_REASONS and reason != REVERSAL_REASON:
            continue
        row["reason_key"] = reason
        earlier = by_key.get(row["row_key"])
        if earlier is None or row["source_line"] < earlier["source_line"]:
            by_key[row["row_key"]] = row

    payouts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in by_key.values():
        payouts[row["fnsku"]].append(row)
    estimates = {fnsku: entry[2:] for fnsku, entry in latest.items()}
    return payouts, estimates


def _positive_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def _netted_credits(rows: list[dict[str, Any]]) -> list[_Credit]:
    """Build one credit per payout, less the units its reversals take back."""
    reversed_units: dict[str, int] = defaultdict(int)
    originals = []
    for row in rows:
        if row["reason_key"] == REVERSAL_REASON:
            original = (row["original_reimbursement_id"] or "").strip()
            if original:
                reversed_units[original] -= row["quantity_reimbursed_total"]
        else:
            originals.append(row)

    left = {key: max(units, 0) for key, units in reversed_units.items()}
    originals.sort(
        key=lambda row: (row["approval_date"], row["source_line"], row["row_key"])
    )
    credits = []
    for row in originals:
        paid = max(row["quantity_reimbursed_total"], 0)
        reimbursement_id = row["reimbursement_id"] or ""
        reversed_now = min(paid, left.get(reimbursement_id, 0))
        if reversed_now:
            left[reimbursement_id] -= reversed_now
        credits.append(
            _Credit(
                row["approval_date"],
                row["source_line"],
                row["row_key"],
                paid - reversed_now,
                frozenset({PAYOUT_REASONS[row["reason_key"]]}),
                "reimbursed",
            )
        )
    return credits


def _allocate(losses: list[_Loss], credits: list[_Credit], lookback: timedelta) -> None:
    """Give each credit's units to the earliest open losses it may offset."""
    losses.sort(
        key=lambda loss: (
            loss.row["occurred_at"],
            loss.row["source_line"],
            loss.row["row_key"],
        )
    )
    credits.sort()
    for credit in credits:
        remaining = credit.units
        for loss in losses:
            if remaining == 0 or loss.row["occurred_at"] > credit.moment + lookback:
                break
            open_units = loss.units - loss.credited
            if loss.loss_class in credit.classes and open_units > 0:
                applied = min(remaining, open_units)
                loss.credited += applied
                loss.kinds.add(credit.kind)
                remaining -= applied


def _offset_cause(loss: _Loss) -> str:
    # Finds alone or payouts alone name the cause; a mix, or Amazon's own
    # Unreconciled Quantity of zero, is a plain offset.
    if loss.credited >= loss.units and loss.kinds == {"found"}:
        return "units_found"
    if loss.credited >= loss.units and loss.kinds == {"reimbursed"}:
        return "reimbursed"
    return "offset"


def _judge(
    loss: _Loss,
    estimate: tuple[Decimal, str] | None,
    as_of: datetime,
    settings: DetectionSettings,
    findings: list[WarehouseFinding],
    resolved: list[tuple[str, str]],
) -> None:
    row = loss.row
    occurred = row["occurred_at"]
    open_units = max(loss.units - loss.credited, 0)
    if row["unreconciled_quantity"] is not None:
        open_units = min(open_units, max(row["unreconciled_quantity"], 0))
    finding_type = FINDING_TYPES[loss.loss_class]
    key_text = f"{finding_type}|{row['fnsku']}|{row['row_key']}"
    key = hashlib.sha256(key_text.encode("utf-8")).hexdigest()[:32]

    if loss.loss_class == LOST:
        opens = _after_business_days(occurred, settings.lost_wait_business_days)
    else:
        opens = occurred + timedelta(days=settings.damaged_wait_days)
    # Amazon's window: 60 days for events since 2024-10-23, 18 months before.
    window_days = 60 if occurred.date() >= _WINDOW_CHANGE else 548
    closes = occurred + timedelta(days=window_days)
    if closes < as_of - timedelta(days=settings.resolution_horizon_days):
        return
    value = estimate[0] if estimate is not None else None
    amount = Decimal("0.00")
    if value is not None:
        amount = (value * open_units).quantize(_CENT, rounding=ROUND_HALF_UP)

    if open_units == 0:
        resolved.append((key, _offset_cause(loss)))
    elif as_of > closes:
        resolved.append((key, "window_closed"))
    elif as_of < opens:
        return
    elif value is not None and amount < settings.min_claim_value:
        resolved.append((key, "below_minimum"))
    else:
        findings.append(
            WarehouseFinding(
                key, finding_type, row["fnsku"], row["row_key"], open_units, amount
            )
        )


def _after_business_days(start: datetime, days: int) -> datetime:
    """`start` moved on by `days` weekdays, Saturdays and Sundays skipped."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
