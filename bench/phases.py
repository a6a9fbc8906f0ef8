"""The measured phases of the detection benchmark, each run in its own process.

`run_in_child` starts `python -m bench.phases '<request JSON>'` and reads the one
JSON line it prints. A fresh interpreter per phase gives each phase its own peak
resident set size, which the child reads from VmHWM in /proc/self/status when the
phase ends. That counts DuckDB's and Arrow's native allocations, which
tracemalloc does not see, and also the interpreter and its imports, which the
`imports` phase measures on its own. `getrusage(RUSAGE_SELF).ru_maxrss` is not
used on Linux, because the kernel carries it across exec from the forked copy of
the parent, so every child would report at least the parent's peak. Times are
taken inside the child around the phase's work only, so interpreter start-up and
imports are not in them.

Phases:
    imports: nothing; the peak memory of a child that imported the modules.
    ingest: decode, parse and upsert one report file into a Parquet store.
    engine_full: run_detection over every stored table the engine registers.
    engine_warehouse: the engine's WarehouseRule alone, through the engine's
        table registration.
    baseline_warehouse: bench.baseline over the same Parquet files.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from bench.baseline import WarehouseFinding, WarehouseOutcome, detect_warehouse
from detection import DetectionInput, DetectionSettings, run_detection
from detection.rules.base import RuleContext
from detection.rules.warehouse import WarehouseRule
from detection.tables import (
    LEDGER_DETAIL,
    REIMBURSEMENTS,
    REQUIRED_COLUMNS,
    register_tables,
)
from integrations.amazon.reports import (
    REPORT_SPECS,
    decode_document,
    get_marketplace,
    parse_report,
)
from store.reportdata import ReportDataStore

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
USER_ID = "bench_seller"
WAREHOUSE_TYPES = ("lost_inventory", "damaged_inventory")


def ingest_report(
    path: Path, report_type: str, marketplace_id: str, store_root: Path
) -> dict[str, Any]:
    """Decode, parse and upsert one report file; return the counts and timings.

    A report type without a ReportSpec is skipped with a note, so the benchmark
    runs on branches where a parser is still missing.
    """
    spec = REPORT_SPECS.get(report_type)
    if spec is None:
        return {"skipped": f"no ReportSpec for {report_type} in this checkout"}
    content = path.read_bytes()
    region = str(get_marketplace(marketplace_id).region)

    started = time.perf_counter()
    decoded = decode_document(
        content,
        report_type=report_type,
        content_type=None,
        compression_algorithm=None,
        region=region,
    )
    decoded_at = time.perf_counter()
    parsed = parse_report(
        decoded.text, report_type=report_type, marketplace_id=marketplace_id
    )
    parsed_at = time.perf_counter()
    stored = ReportDataStore(store_root).upsert(USER_ID, spec.table_name, parsed.table)
    finished = time.perf_counter()
    return {
        "table": spec.table_name,
        "bytes": len(content),
        "rows": parsed.row_count,
        "added": stored.added,
        "decode_seconds": decoded_at - started,
        "parse_seconds": parsed_at - decoded_at,
        "upsert_seconds": finished - parsed_at,
        "seconds": finished - started,
    }


def stored_tables(store_root: Path) -> dict[str, Path]:
    """Return the Parquet file of every table stored for the benchmark's seller."""
    folder = store_root / USER_ID
    return {path.stem: path for path in sorted(folder.glob("*.parquet"))}


def engine_warehouse(
    tables: dict[str, Path], as_of: datetime, settings: DetectionSettings
) -> WarehouseOutcome:
    """Run only the engine's lost and damaged rules over the stored files."""
    connection = duckdb.connect(":memory:")
    try:
        register_tables(
            connection,
            {
                LEDGER_DETAIL: tables.get(LEDGER_DETAIL),
                REIMBURSEMENTS: tables.get(REIMBURSEMENTS),
            },
        )
        context = RuleContext(
            connection=connection, as_of=as_of, settings=settings, unit_costs={}
        )
        outcome = WarehouseRule().run(context)
    finally:
        connection.close()
    findings = [
        WarehouseFinding(
            key=finding.key,
            type=finding.type,
            fnsku=finding.fnsku,
            row_key=finding.evidence[0].row_key,
            open_units=finding.open_units,
            amount=finding.amount,
        )
        for finding in outcome.findings
    ]
    findings.sort(key=lambda finding: finding.key)
    resolved = sorted((item.key, str(item.cause)) for item in outcome.resolved)
    return WarehouseOutcome(findings, resolved)


def outcome_digest(outcome: WarehouseOutcome) -> str:
    """Hash the findings and resolutions, so equal results give equal digests."""
    parts = [
        f"{f.key}|{f.type}|{f.fnsku}|{f.row_key}|{f.open_units}|{f.amount}"
        for f in outcome.findings
    ]
    parts.extend(f"{key}|{cause}" for key, cause in outcome.resolved)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def run_phase(request: dict[str, Any]) -> dict[str, Any]:
    """Run the phase that `request["phase"]` names and return its result."""
    phase = request["phase"]
    if phase == "imports":
        return {"seconds": 0.0}
    if phase == "ingest":
        return ingest_report(
            Path(request["path"]),
            request["report_type"],
            request["marketplace_id"],
            Path(request["store"]),
        )

    tables = stored_tables(Path(request["store"]))
    as_of = datetime.fromisoformat(request["as_of"])
    settings = DetectionSettings()
    started = time.perf_counter()
    if phase == "engine_full":
        inputs = {
            name: path for name, path in tables.items() if name in REQUIRED_COLUMNS
        }
        result = run_detection(DetectionInput(as_of=as_of, tables=inputs), settings)
        seconds = time.perf_counter() - started
        warehouse = [f for f in result.findings if f.type in WAREHOUSE_TYPES]
        return {
            "seconds": seconds,
            "tables": sorted(inputs),
            "rows_scanned": result.rows_scanned,
            "findings": len(result.findings),
            "warehouse_findings": len(warehouse),
            "resolved": len(result.resolved),
        }

    if phase == "engine_warehouse":
        outcome = engine_warehouse(tables, as_of, settings)
    elif phase == "baseline_warehouse":
        outcome = detect_warehouse(
            tables[LEDGER_DETAIL], tables[REIMBURSEMENTS], as_of, settings
        )
    else:
        raise ValueError(f"unknown phase {phase!r}")
    return {
        "seconds": time.perf_counter() - started,
        "findings": len(outcome.findings),
        "resolved": len(outcome.resolved),
        "digest": outcome_digest(outcome),
    }


def run_in_child(request: dict[str, Any]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and return its result.

    Raises RuntimeError with the child's error output when the child fails.
    """
    environment = dict(os.environ)
    paths = [str(REPOSITORY_ROOT), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    completed = subprocess.run(  # noqa: S603 - runs this interpreter on this module
        [sys.executable, "-m", "bench.phases", json.dumps(request)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPOSITORY_ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"phase {request['phase']} failed with status {completed.returncode}:\n"
            f"{completed.stderr.strip()}"
        )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Child entry point: run the phase in argv[1] and print its JSON result."""
    result = run_phase(json.loads(sys.argv[1]))
    result["peak_rss_mib"] = peak_rss_kib() / 1024
    print(json.dumps(result))


def peak_rss_kib() -> int:
    """Return this process's peak resident set size in KiB.

    VmHWM belongs to the process image, so it starts afresh at exec. Without
    /proc, ru_maxrss is the fallback (KiB on Linux, bytes on macOS).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


if __name__ == "__main__":
    main()
