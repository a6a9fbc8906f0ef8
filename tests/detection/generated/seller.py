"""Generated sellers: report tables with planted cases, and the score of a run.

A planter adds the rows of one case to a `GeneratedSeller` and records what the
engine must find there: a claimable case with its units, amount and window, or a
look-alike that must give no finding. Each case uses its own SKU, so a finding is
matched to its case by (type, sku). Planters compute the expected numbers by hand
from the rows they wrote, never by calling the engine or `detection.policy`.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import pyarrow as pa

from detection import DetectionInput, DetectionResult, DetectionSettings, Finding
from detection.tables import REQUIRED_COLUMNS

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
}

Region = Literal["US", "EU"]


@dataclass(frozen=True)
class Market:
    """The marketplace a generated seller sells in."""

    region: Region
    marketplace_id: str
    currency: str
    marketplace_name: str


US = Market("US", "ATVPDKIKX0DER", "USD", "Amazon.com")
DE = Market("EU", "A1PA6795UKMFR9", "EUR", "Amazon.de")


@dataclass(frozen=True)
class Planted:
    """One planted case and what the engine must report for it."""

    type: str
    sku: str
    claimable: bool
    label: str
    """Short name of the case, such as "lost_partly_found" or "returned_in_time"."""
    units: int = 0
    amount: Decimal | None = None
    """The expected claim amount; None when the case is not claimable."""
    window_opens: datetime | None = None
    window_closes: datetime | None = None


@dataclass
class GeneratedSeller:
    """Rows by table, the planted cases and the seller's unit costs."""

    market: Market
    as_of: datetime
    seed: int
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    planted: list[Planted] = field(default_factory=list)
    unit_costs: dict[str, Decimal] = field(default_factory=dict)
    _sku_count: int = 0

    @property
    def rng(self) -> random.Random:
        """A random source fixed by the seed and the rows written so far."""
        return random.Random(f"{self.seed}:{sum(map(len, self.rows.values()))}")

    def new_sku(self, prefix: str) -> tuple[str, str, str]:
        """Return a fresh (sku, fnsku, asin) triple, unique within the seller."""
        self._sku_count += 1
        number = self._sku_count
        return (
            f"{prefix}-{number:05d}",
            f"X00{self.seed % 1000:03d}{number:04d}",
            f"B0{self.seed % 1000:03d}{number:05d}",
        )

    def add(self, table: str, **values: Any) -> dict[str, Any]:
        """Append a row; columns not given are None, row_key and source_line are
        filled when missing. Raises KeyError for an unknown table or column."""
        columns = REQUIRED_COLUMNS[table]
        unknown = set(values) - set(columns) - {"row_key", "source_line"}
        if unknown and table not in _TABLES_WITH_EXTRAS:
            raise KeyError(f"unknown columns for {table}: {sorted(unknown)}")
        row: dict[str, Any] = dict.fromkeys(columns)
        row.update(values)
        line = len(self.rows[table]) + 2
        if row.get("source_line") is None and "source_line" in columns:
            row["source_line"] = line
        if row.get("row_key") is None:
            text = f"{table}|{line}|{sorted(values.items(), key=str)}"
            row["row_key"] = hashlib.sha256(text.encode()).hexdigest()
        self.rows[table].append(row)
        return row

    def plant(self, case: Planted) -> None:
        """Record a planted case; a SKU carries at most one case."""
        if any(existing.sku == case.sku for existing in self.planted):
            raise ValueError(f"SKU {case.sku} already carries a planted case")
        self.planted.append(case)

    def tables(self) -> dict[str, pa.Table]:
        """Every table of REQUIRED_COLUMNS as Arrow, empty ones included."""
        return {name: self._table(name) for name in REQUIRED_COLUMNS}

    def _table(self, name: str) -> pa.Table:
        columns = REQUIRED_COLUMNS[name]
        rows = self.rows.get(name, [])
        arrays = {
            column: pa.array([row.get(column) for row in rows], type=_ARROW_TYPES[kind])
            for column, kind in columns.items()
        }
        return pa.table(arrays)

    def detection_input(self, unsynced: Iterable[str] = ()) -> DetectionInput:
        """The seller's data as the engine's input, every table synced by default."""
        return DetectionInput(
            tables=self.tables(),
            as_of=self.as_of,
            unit_costs=self.unit_costs,
            unsynced=frozenset(unsynced),
        )

    def settings(self, **overrides: Any) -> DetectionSettings:
        """Detection settings for the seller's marketplace."""
        values: dict[str, Any] = {
            "marketplace_currency": self.market.currency,
            "marketplace_id": self.market.marketplace_id,
            "region": self.market.region,
        }
        values.update(overrides)
        return DetectionSettings(**values)


_TABLES_WITH_EXTRAS: frozenset[str] = frozenset()


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """Return an aware UTC datetime on `day`."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class CategoryScore:
    """Precision and recall of one finding type over the planted cases."""

    type: str
    true_positives: int
    false_positives: int
    false_negatives: int
    mismatches: list[str]
    """Findings on a claimable case whose units, amount or window is wrong."""

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return 1.0 if found == 0 else self.true_positives / found

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return 1.0 if expected == 0 else self.true_positives / expected


def score(
    result: DetectionResult, planted: Iterable[Planted], types: Iterable[str]
) -> dict[str, CategoryScore]:
    """Score the run per finding type.

    A finding counts as a true positive only when its (type, sku) names a claimable
    case and its open units, amount and window match the case. Any other finding,
    on a look-alike or on a SKU without a case, is a false positive.
    """
    cases: Mapping[tuple[str, str], Planted] = {(c.type, c.sku): c for c in planted}
    found: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:
        found[(finding.type, finding.sku)].append(finding)

    scores: dict[str, CategoryScore] = {}
    for kind in types:
        true_positive = false_positive = false_negative = 0
        mismatches: list[str] = []
        for (finding_type, sku), findings in found.items():
            if finding_type != kind:
                continue
            case = cases.get((finding_type, sku))
            if case is None or not case.claimable or len(findings) > 1:
                false_positive += len(findings)
                continue
            problem = _mismatch(case, findings[0])
            if problem:
                mismatches.append(problem)
                false_positive += 1
            else:
                true_positive += 1
        for case in cases.values():
            if case.type == kind and case.claimable and (kind, case.sku) not in found:
                false_negative += 1
        scores[kind] = CategoryScore(
            kind, true_positive, false_positive, false_negative, mismatches
        )
    return scores


def _mismatch(case: Planted, finding: Finding) -> str:
    problems = []
    if case.units and finding.open_units != case.units:
        problems.append(f"units {finding.open_units} != {case.units}")
    if case.amount is not None and finding.amount != case.amount:
        problems.append(f"amount {finding.amount} != {case.amount}")
    if (
        case.window_opens is not None
        and finding.claim_window_opens != case.window_opens
    ):
        problems.append(f"opens {finding.claim_window_opens} != {case.window_opens}")
    if (
        case.window_closes is not None
        and finding.claim_window_closes != case.window_closes
    ):
        problems.append(f"closes {finding.claim_window_closes} != {case.window_closes}")
    return f"{case.label} ({case.sku}): {', '.join(problems)}" if problems else ""
