"""Smoke test of the detection benchmark's generator and baseline at a tiny size.

The benchmark itself runs on demand (python -m bench.detection). These tests check
that its data is deterministic and readable, and that its row-by-row baseline finds
exactly what the engine finds, because only then is the speed comparison fair.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bench.baseline import detect_warehouse
from bench.generate import (
    AS_OF,
    MARKETPLACE_ID,
    SETTLEMENT_REPORT,
    GeneratedReport,
    Sizes,
    generate_seller,
)
from bench.phases import engine_warehouse, ingest_report, run_phase, stored_tables
from detection import DetectionSettings
from integrations.amazon.reports import REPORT_SPECS

SCALE = 0.02
SEED = 11


@pytest.fixture(scope="module")
def seller(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[GeneratedReport], Path]:
    """The generated reports and a Parquet store with every report that has a spec."""
    root = tmp_path_factory.mktemp("bench-seller")
    reports = generate_seller(root / "reports", Sizes.scaled(SCALE), SEED)
    for report in reports:
        ingest_report(report.path, report.report_type, MARKETPLACE_ID, root / "store")
    return reports, root / "store"


def test_same_seed_gives_the_same_files(
    seller: tuple[list[GeneratedReport], Path], tmp_path: Path
) -> None:
    reports, _ = seller
    again = generate_seller(tmp_path / "again", Sizes.scaled(SCALE), SEED)
    other = generate_seller(tmp_path / "other", Sizes.scaled(SCALE), SEED + 1)

    for first, second in zip(reports, again, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes()
    assert reports[0].path.read_bytes() != other[0].path.read_bytes()


def test_generated_reports_parse_every_row(
    seller: tuple[list[GeneratedReport], Path],
) -> None:
    reports, store = seller
    tables = stored_tables(store)

    for report in reports:
        spec = REPORT_SPECS.get(report.report_type)
        if spec is None:
            continue
        parsed = ingest_report(
            report.path, report.report_type, MARKETPLACE_ID, store.parent / "again"
        )
        assert parsed["rows"] == report.data_rows
        assert spec.table_name in tables


def test_settlement_summary_row_totals_the_amounts(
    seller: tuple[list[GeneratedReport], Path],
) -> None:
    reports, _ = seller
    path = next(r.path for r in reports if r.report_type == SETTLEMENT_REPORT)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))

    summary, details = rows[0], rows[1:]
    assert summary["transaction-type"] == ""
    assert {row["transaction-type"] for row in details} == {"Order", "Refund"}
    total = sum((Decimal(row["amount"]) for row in details), Decimal(0))
    assert Decimal(summary["total-amount"]) == total
    descriptions = {row["amount-description"] for row in details}
    assert {"Principal", "Commission", "FBAPerUnitFulfillmentFee"} <= descriptions
    assert "RefundCommission" in descriptions


@pytest.mark.parametrize("days_before", [0, 25])
def test_baseline_finds_what_the_engine_finds(
    seller: tuple[list[GeneratedReport], Path], days_before: int
) -> None:
    _, store = seller
    tables = stored_tables(store)
    as_of = AS_OF - timedelta(days=days_before)
    settings = DetectionSettings()

    engine = engine_warehouse(tables, as_of, settings)
    baseline = detect_warehouse(
        tables["ledger_detail"], tables["reimbursements"], as_of, settings
    )

    assert {f.type for f in engine.findings} == {"lost_inventory", "damaged_inventory"}
    assert {cause for _, cause in engine.resolved} >= {"offset", "window_closed"}
    assert baseline.findings == engine.findings
    assert baseline.resolved == engine.resolved


def test_full_phase_reads_all_tables(
    seller: tuple[list[GeneratedReport], Path],
) -> None:
    _, store = seller
    request = {"phase": "engine_full", "store": str(store), "as_of": AS_OF.isoformat()}

    result = run_phase(request)

    assert set(result["tables"]) == set(stored_tables(store))
    assert {"customer_returns", "settlements"} <= set(result["tables"])
    assert result["findings"] > result["warehouse_findings"]
