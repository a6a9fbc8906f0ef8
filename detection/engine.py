"""Entry point of the claim-detection engine."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

import duckdb

from detection.collection import collection_paused
from detection.models import (
    CategoryCoverage,
    Confidence,
    DetectionInput,
    DetectionResult,
    DetectionSettings,
    DetectionTotals,
    Finding,
    Resolution,
    TypeTotals,
)
from detection.rules.base import Rule, RuleContext
from detection.rules.registry import default_rules
from detection.tables import REQUIRED_COLUMNS, TABLE_SOURCES, register_tables

logger = logging.getLogger(__name__)


def run_detection(
    data: DetectionInput,
    settings: DetectionSettings | None = None,
    rules: tuple[Rule, ...] | None = None,
) -> DetectionResult:
    """Run every registered rule over the seller's report tables.

    The tables are read, never changed, through an in-memory DuckDB database that
    is closed before returning. Missing or empty tables give no findings. The same
    input gives the same result, with findings and resolutions sorted by
    occurred_at, then key. A finding type whose tables were never synced is not
    checked: it gives no findings or resolutions, and `coverage` names the report
    is missing. `rules` replaces the registered rules (benchmarks and tests).
    Raises ValueError when a table lacks a required column and FileNotFoundError
    when a Parquet path does not exist.
    """
    settings = settings or DetectionSettings()
    started = time.perf_counter()
    rules = rules if rules is not None else default_rules()
    sources = data.sources()
    unknown = sorted(set(sources) - set(REQUIRED_COLUMNS))
    if unknown:
        raise ValueError(
            f"unknown tables {unknown}; known tables: {sorted(REQUIRED_COLUMNS)}"
        )
    unsynced = {name for name in data.unsynced if sources.get(name) is None}

    findings: list[Finding] = []
    resolved: list[Resolution] = []
    connection = duckdb.connect(":memory:")
    try:
        rows_scanned = register_tables(
            connection,
            {name: sources.get(name) for name in REQUIRED_COLUMNS},
        )
        context = RuleContext(
            connection=connection,
            as_of=data.as_of,
            settings=settings,
            unit_costs=data.unit_costs,
            row_counts=rows_scanned,
        )
        coverage = [
            _coverage(kind, groups, unsynced, rows_scanned)
            for rule in rules
            for kind, groups in _requirements(rule).items()
        ]
        checked = {entry.type for entry in coverage if entry.checked}
        with collection_paused():
            for rule in rules:
                if not checked.intersection(rule.finding_types):
                    continue
                outcome = rule.run(context)
                findings.extend(f for f in outcome.findings if f.type in checked)
                resolved.extend(r for r in outcome.resolved if r.type in checked)
    finally:
        connection.close()

    findings.sort(key=lambda finding: (finding.occurred_at, finding.key))
    resolved.sort(key=lambda resolution: (resolution.occurred_at, resolution.key))
    finding_types = [kind for rule in rules for kind in rule.finding_types]
    duration_ms = round((time.perf_counter() - started) * 1000)
    logger.info(
        "detection finished: %d findings, %d resolved, rows scanned %s, %d ms",
        len(findings),
        len(resolved),
        rows_scanned,
        duration_ms,
    )
    return DetectionResult(
        findings=findings,
        resolved=resolved,
        rows_scanned=rows_scanned,
        totals=summarize(findings, finding_types),
        duration_ms=duration_ms,
        coverage=coverage,
    )


def _requirements(rule: Rule) -> dict[str, tuple[tuple[str, ...], ...]]:
    requirements = dict(rule.requirements)
    for kind in rule.finding_types:
        requirements.setdefault(kind, ())
    return requirements


def _coverage(
    kind: str,
    groups: tuple[tuple[str, ...], ...],
    unsynced: set[str],
    rows: dict[str, int],
) -> CategoryCoverage:
    """Say whether `kind` can be checked: each group needs one synced table."""
    missing: list[str] = []
    empty: list[str] = []
    for group in groups:
        synced = [name for name in group if name not in unsynced]
        if not synced:
            missing.extend(group)
        elif not any(rows.get(name, 0) for name in synced):
            empty.extend(synced)
    if missing:
        names = " or ".join(TABLE_SOURCES[name] for name in missing)
        return CategoryCoverage(
            type=kind,
            checked=False,
            reason=f"not checked: {names} has not been synced yet; run a sync "
            "that includes it",
            missing_tables=missing,
        )
    if empty:
        names = ", ".join(TABLE_SOURCES[name] for name in empty)
        return CategoryCoverage(
            type=kind, checked=True, reason=f"checked, but {names} had no rows"
        )
    return CategoryCoverage(type=kind, checked=True, reason="")


def summarize(
    findings: Iterable[Finding], finding_types: Iterable[str]
) -> DetectionTotals:
    """Sum finding amounts by currency and by type, and count them by confidence.

    Every type in `finding_types` and every confidence level appears, with zero
    counts when no finding has it.
    """
    amount: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = dict.fromkeys(finding_types, 0)
    type_amounts: dict[str, dict[str, Decimal]] = {kind: {} for kind in counts}
    by_confidence: dict[Confidence, int] = {"high": 0, "medium": 0, "low": 0}

    for finding in findings:
        amount[finding.currency] += finding.amount
        counts[finding.type] = counts.get(finding.type, 0) + 1
        per_currency = type_amounts.setdefault(finding.type, {})
        per_currency[finding.currency] = (
            per_currency.get(finding.currency, Decimal(0)) + finding.amount
        )
        by_confidence[finding.confidence] += 1

    by_type = {
        kind: TypeTotals(count=count, amount=type_amounts[kind])
        for kind, count in counts.items()
    }
    return DetectionTotals(
        amount=dict(amount), by_type=by_type, by_confidence=by_confidence
    )
