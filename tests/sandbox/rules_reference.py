"""An independent reading of the lost and damaged inventory rules, for tests.

It parses the report text the sandbox serves (not its internal rows) and
applies the detection rules for lost_inventory and damaged_inventory, so the
demo seller's manifest can be checked against what the rules find.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

LOST_REASONS = {"M", "5"}
DAMAGED_REASONS = {"E", "6", "7", "H", "K", "U"}
LOOKBACK = timedelta(days=3)
MINIMUM = Decimal("1.00")


@dataclass
class Loss:
    fnsku: str
    reference_id: str
    kind: str
    at: datetime
    line: int
    units: int
    unreconciled: int | None
    credited: int = 0


@dataclass
class Credit:
    fnsku: str
    at: datetime
    units: int
    kinds: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Finding:
    kind: str
    fnsku: str
    reference_id: str
    open_units: int
    unit_value: Decimal | None
    amount: Decimal


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def parse_ledger_time(raw: str) -> datetime:
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")


def _event(row: dict[str, str]) -> str:
    return row["Event Type"].lower().replace(" ", "").replace("_", "")


def ledger_losses(ledger_text: str) -> list[Loss]:
    losses = []
    for line, row in enumerate(_rows(ledger_text), start=2):
        reason = row["Reason"].strip().upper()
        quantity = int(row["Quantity"])
        if _event(row) != "adjustments" or quantity >= 0:
            continue
        if reason not in LOST_REASONS | DAMAGED_REASONS:
            continue
        kind = "lost" if reason in LOST_REASONS else "damaged"
        unreconciled = row["Unreconciled Quantity"]
        losses.append(
            Loss(
                fnsku=row["FNSKU"],
                reference_id=row["Reference ID"],
                kind=kind,
                at=parse_ledger_time(row["Date and Time"]),
                line=line,
                units=-quantity,
                unreconciled=int(unreconciled) if unreconciled else None,
            )
        )
    return losses


def _ledger_credits(ledger_text: str) -> list[Credit]:
    credits = []
    for row in _rows(ledger_text):
        reason = row["Reason"].strip().upper()
        quantity = int(row["Quantity"])
        if _event(row) != "adjustments":
            continue
        at = parse_ledger_time(row["Date and Time"])
        if reason in {"F", "N"} and quantity > 0:
            credits.append(Credit(row["FNSKU"], at, quantity, {"lost"}))
        if reason == "O":
            credits.append(Credit(row["FNSKU"], at, abs(quantity), {"lost", "damaged"}))
    return credits


def _parse_utc(raw: str) -> datetime:
    return datetime.fromisoformat(raw).astimezone(UTC)


def _payout_credits(rows: list[dict[str, str]]) -> list[Credit]:
    reversals: dict[str, int] = {}
    for row in rows:
        if row["reason"] == "Reimbursement_Reversal":
            original = row["original-reimbursement-id"]
            reversals[original] = reversals.get(original, 0) + int(
                row["quantity-reimbursed-total"]
            )
    kinds = {"Lost_Warehouse": "lost", "Damaged_Warehouse": "damaged"}
    return [
        Credit(
            row["fnsku"],
            _parse_utc(row["approval-date"]),
            int(row["quantity-reimbursed-total"])
            + reversals.get(row["reimbursement-id"], 0),
            {kinds[row["reason"]]},
        )
        for row in rows
        if row["reason"] in kinds
    ]


def unit_values(rows: list[dict[str, str]]) -> dict[str, Decimal]:
    latest: dict[str, tuple[datetime, Decimal]] = {}
    for row in rows:
        if int(row["quantity-reimbursed-total"]) <= 0:
            continue
        at = _parse_utc(row["approval-date"])
        seen = latest.get(row["fnsku"])
        if seen is None or at > seen[0]:
            latest[row["fnsku"]] = (at, Decimal(row["amount-per-unit"]))
    return {fnsku: value for fnsku, (_, value) in latest.items()}


def _match(losses: list[Loss], credits: list[Credit]) -> None:
    ordered = sorted(losses, key=lambda loss: (loss.at, loss.line))
    for credit in sorted(credits, key=lambda credit: credit.at):
        remaining = credit.units
        for loss in ordered:
            if remaining <= 0:
                break
            if loss.fnsku != credit.fnsku or loss.kind not in credit.kinds:
                continue
            if loss.at > credit.at + LOOKBACK:
                continue
            take = min(loss.units - loss.credited, remaining)
            if take > 0:
                loss.credited += take
                remaining -= take


def add_business_days(moment: datetime, days: int) -> datetime:
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def _due(loss: Loss, as_of: datetime) -> bool:
    if as_of > loss.at + timedelta(days=60):
        return False
    if loss.kind == "lost":
        return as_of >= add_business_days(loss.at, 5)
    return as_of >= loss.at + timedelta(days=10)


def findings(
    ledger_text: str, reimbursements_text: str, as_of: datetime
) -> list[Finding]:
    losses = ledger_losses(ledger_text)
    payouts = _rows(reimbursements_text)
    _match(losses, _ledger_credits(ledger_text) + _payout_credits(payouts))
    values = unit_values(payouts)
    found = []
    for loss in losses:
        open_units = loss.units - loss.credited
        if loss.unreconciled is not None:
            open_units = min(open_units, loss.unreconciled)
        if open_units <= 0 or not _due(loss, as_of):
            continue
        value = values.get(loss.fnsku)
        amount = Decimal("0.00")
        if value is not None:
            amount = (value * open_units).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if amount < MINIMUM:
                continue
        kind = "lost_inventory" if loss.kind == "lost" else "damaged_inventory"
        found.append(
            Finding(kind, loss.fnsku, loss.reference_id, open_units, value, amount)
        )
    return found
