"""Benchmark of report ingest and claim detection on a generated large seller.

Run on demand from the repository root (it is not a test):

    .venv/bin/python -m bench.detection [--scale 1.0] [--repeat 3] [--json out.json]

At scale 1 the seller has 1,000,000 ledger detail rows, 200,000 reimbursements,
200,000 customer returns, 500,000 settlement rows and 20,000 SKUs, written as
report files in Amazon's formats by bench.generate. The script then measures, each
run in a fresh child process (see bench.phases):

- ingest of each report: decode, parse and upsert into an empty Parquet store;
- detection: run_detection over the stored Parquet files;
- the lost and damaged rules alone, in the engine and in bench.baseline, a
  row-by-row Python version of them that reads the same files.

Every measurement is repeated, 3 times by default. The table shows the median
time and the highest peak resident memory of the runs, and the JSON file contains
every run. The targets are reported as pass or fail: detection at most 10 s
(median) and 2 GiB (peak), and the baseline at least 10 times slower than the
engine on the two rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as `python bench/detection.py`: put the repository root first, so that
    # `detection` is the engine package and not this file.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict
from typing import Any

from bench.generate import (
    AS_OF,
    MARKETPLACE_ID,
    GeneratedReport,
    Sizes,
    generate_seller,
)
from bench.phases import run_in_child

TARGET_SECONDS = 10.0
TARGET_PEAK_MIB = 2048.0
TARGET_SPEEDUP = 10.0
DEFAULT_SEED = 20260601
DETECTION_PHASES = (
    ("engine_full", "detection, full engine"),
    ("engine_warehouse", "lost + damaged rules, engine"),
    ("baseline_warehouse", "lost + damaged rules, baseline"),
)


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the median time and highest peak memory of one measurement's runs."""
    summary: dict[str, Any] = {
        "median_seconds": statistics.median(run["seconds"] for run in runs),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        "runs": runs,
    }
    for part in ("decode_seconds", "parse_seconds", "upsert_seconds"):
        if part in runs[0]:
            summary[f"median_{part}"] = statistics.median(run[part] for run in runs)
    return summary


def measure_ingest(
    reports: list[GeneratedReport], workdir: Path, repeat: int
) -> dict[str, Any]:
    """Ingest every report `repeat` times, each time into a new store.

    Returns the results by report type and leaves the first store in place for
    the detection phases.
    """
    results: dict[str, Any] = {}
    for report in reports:
        runs = []
        for attempt in range(repeat):
            request = {
                "phase": "ingest",
                "path": str(report.path),
                "report_type": report.report_type,
                "marketplace_id": MARKETPLACE_ID,
                "store": str(workdir / f"store-{attempt}"),
            }
            run = run_in_child(request)
            if "skipped" in run:
                print(f"note: {report.report_type} not ingested: {run['skipped']}")
                results[report.report_type] = {"skipped": run["skipped"]}
                break
            runs.append(run)
        else:
            results[report.report_type] = summarize(runs) | {
                "table": runs[0]["table"],
                "rows": runs[0]["rows"],
                "bytes": runs[0]["bytes"],
            }
    for attempt in range(1, repeat):
        shutil.rmtree(workdir / f"store-{attempt}", ignore_errors=True)
    return results


def measure_detection(store: Path, repeat: int) -> dict[str, Any]:
    """Run the three detection phases `repeat` times, interleaved."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in DETECTION_PHASES}
    for _ in range(repeat):
        for name, _label in DETECTION_PHASES:
            request = {"phase": name, "store": str(store), "as_of": AS_OF.isoformat()}
            runs[name].append(run_in_child(request))
    return {name: summarize(phase_runs) for name, phase_runs in runs.items()}


def check_targets(detection: dict[str, Any]) -> list[dict[str, Any]]:
    """Compare the results with the targets and return each with its verdict."""
    full = detection["engine_full"]
    engine = detection["engine_warehouse"]
    baseline = detection["baseline_warehouse"]
    speedup = baseline["median_seconds"] / max(engine["median_seconds"], 1e-9)
    engine_digests = {run["digest"] for run in engine["runs"]}
    baseline_digests = {run["digest"] for run in baseline["runs"]}
    agree = len(engine_digests) == 1 and engine_digests == baseline_digests
    return [
        {
            "target": f"detection median <= {TARGET_SECONDS:g} s",
            "value": f"{full['median_seconds']:.2f} s",
            "passed": full["median_seconds"] <= TARGET_SECONDS,
        },
        {
            "target": f"detection peak memory <= {TARGET_PEAK_MIB:,.0f} MiB",
            "value": f"{full['peak_rss_mib']:,.0f} MiB",
            "passed": full["peak_rss_mib"] <= TARGET_PEAK_MIB,
        },
        {
            "target": f"baseline / engine on lost + damaged >= {TARGET_SPEEDUP:g}x",
            "value": f"{speedup:.1f}x",
            "passed": speedup >= TARGET_SPEEDUP,
        },
        {
            "target": "baseline and engine give the same lost + damaged results",
            "value": (
                f"{engine['runs'][0]['findings']} findings, "
                f"{engine['runs'][0]['resolved']} resolved"
                if agree
                else f"digests engine {engine_digests}, baseline {baseline_digests}"
            ),
            "passed": agree,
        },
    ]


def print_report(results: dict[str, Any]) -> None:
    """Print the seller's sizes, a table of the measurements and the targets."""
    sizes = results["sizes"]
    print()
    print(
        f"Seller at scale {results['scale']:g} (seed {results['seed']}): "
        f"{sizes['ledger_rows']:,} ledger rows, "
        f"{sizes['reimbursement_rows']:,} reimbursements, "
        f"{sizes['return_rows']:,} returns, {sizes['settlement_rows']:,} settlement "
        f"rows, {sizes['skus']:,} SKUs; generated in "
        f"{results['generate_seconds']:.1f} s"
    )
    print(f"Median of {results['repeat']} runs, peak resident memory of the runs.")
    print()

    _print_table(results)
    full_run = results["detection"]["engine_full"]["runs"][0]
    print()
    print(
        f"Full engine: {full_run['findings']:,} findings, {full_run['resolved']:,} "
        f"resolved, tables {', '.join(full_run['tables'])}"
    )
    print()

    for check in results["targets"]:
        verdict = "PASS" if check["passed"] else "FAIL"
        print(f"  [{verdict}] {check['target']}: {check['value']}")


def _print_table(results: dict[str, Any]) -> None:
    header = (
        f"{'phase':<38} {'rows':>10} {'median s':>9} {'runs s':>22} {'peak MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for report_type, entry in results["ingest"].items():
        if "skipped" in entry:
            print(f"{'ingest ' + report_type:<38} skipped: {entry['skipped']}")
            continue
        _print_row(f"ingest {entry['table']}", entry, entry["rows"])
        parts = " / ".join(
            f"{entry[f'median_{part}_seconds']:.2f}"
            for part in ("decode", "parse", "upsert")
        )
        print(
            f"{'  decode / parse / upsert, median s':<38} {'':>10} {'':>9} {parts:>22}"
        )

    for name, label in DETECTION_PHASES:
        _print_row(label, results["detection"][name], None)
    print(
        f"{'interpreter and imports only':<38} {'':>10} {'':>9} {'':>22} "
        f"{results['imports_peak_rss_mib']:>9,.0f}"
    )


def _print_row(label: str, entry: dict[str, Any], rows: int | None) -> None:
    runs = " ".join(f"{run['seconds']:.2f}" for run in entry["runs"])
    shown_rows = f"{rows:,}" if rows is not None else ""
    print(
        f"{label:<38} {shown_rows:>10} {entry['median_seconds']:>9.2f} "
        f"{runs:>22} {entry['peak_rss_mib']:>9,.0f}"
    )


def main() -> None:
    """Generate the seller, measure every phase, print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size factor")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data seed")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument(
        "--workdir", type=Path, help="keep the files here (default: a temporary one)"
    )
    options = parser.parse_args()
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")

    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="bench-detection-"))
    try:
        results = run_benchmark(workdir, options.scale, options.seed, options.repeat)
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print_report(results)
    if options.json is not None:
        options.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nresults written to {options.json}")


def run_benchmark(
    workdir: Path, scale: float, seed: int, repeat: int
) -> dict[str, Any]:
    """Generate the data in `workdir` and run every measurement."""
    sizes = Sizes.scaled(scale)
    print(f"generating the seller's reports in {workdir} ...", flush=True)
    started = time.perf_counter()
    reports = generate_seller(workdir / "reports", sizes, seed)
    generate_seconds = time.perf_counter() - started
    imports = run_in_child({"phase": "imports"})
    print("ingesting ...", flush=True)
    ingest = measure_ingest(reports, workdir, repeat)
    print("detecting ...", flush=True)
    detection = measure_detection(workdir / "store-0", repeat)
    return {
        "scale": scale,
        "seed": seed,
        "repeat": repeat,
        "as_of": AS_OF.isoformat(),
        "sizes": asdict(sizes),
        "generate_seconds": generate_seconds,
        "imports_peak_rss_mib": imports["peak_rss_mib"],
        "ingest": ingest,
        "detection": detection,
        "targets": check_targets(detection),
    }


if __name__ == "__main__":
    main()
