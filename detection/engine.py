"""Entry point of the claim-detection engine."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

import duckdb

from detection.models import (
    Confidence,
    DetectionInput,
    DetectionResult,
    DetectionSettings,
    DetectionTotals,
    Finding,
    Resolution,
    TypeTotals,
)
from detection.rules.base import RuleContext
from detection.rules.registry import default_rules
from detection.tables import LEDGER_DETAIL, REIMBURSEMENTS, register_tables

logger = logging.getLogger(__name__)


def run_detection(
    data: DetectionInput, settings: DetectionSettings | None = None
) -> DetectionResult:
    """Run every registered rule over the seller's report tables.

    The tables are read, never changed, through an in-memory DuckDB database that
    is closed before returning. Missing or empty tables give no findings. The same
    input gives the same result, with findings and resolutions sorted by
    occurred_at, then key. Raises ValueError when a table lacks a required column
    and FileNotFoundError when a Parquet path does not exist.
    """
    settings = settings or DetectionSettings()
    started = time.perf_counter()
    rules = default_rules()

    findings: list[Finding] = []
    resolved: list[Resolution] = []
    connection = duckdb.connect(":memory:")
    try:
        rows_scanned = register_tables(
            connection,
            {LEDGER_DETAIL: data.ledger_detail, REIMBURSEMENTS: data.reimbursements},
        )
        context = RuleContext(
            connection=connection,
            as_of=data.as_of,
            settings=settings,
            unit_costs=data.unit_costs,
        )
        for rule in rules:
            outcome = rule.run(context)
            findings.extend(outcome.findings)
            resolved.extend(outcome.resolved)
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
    )


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
