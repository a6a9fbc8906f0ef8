"""Benchmark parse_report on a generated ledger detail file.

Run from the repository root with ``python bench/bench_parse.py [--rows N]``.
It builds a quoted GET_LEDGER_DETAIL_VIEW_DATA document in memory and times three
things on it. ``parse_report`` builds the Arrow table, but its row dicts are built
only on first access of ``.rows``, so the second timing adds that access. The
baseline only splits the text into lists with ``csv.reader``, without header
mapping, conversion, keys or table. The script prints the median of the runs for
each and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from integrations.amazon.reports import parse_report

REPORT_TYPE = "GET_LEDGER_DETAIL_VIEW_DATA"
MARKETPLACE_ID = "ATVPDKIKX0DER"
HEADER = [
    "Date",
    "FNSKU",
    "ASIN",
    "MSKU",
    "Title",
    "Event Type",
    "Reference ID",
    "Quantity",
    "Fulfillment Center",
    "Disposition",
    "Reason",
    "Country",
    "Reconciled Quantity",
    "Unreconciled Quantity",
    "Date and Time",
    "Store",
]
EVENTS = [
    ("Shipments", "", -1),
    ("CustomerReturns", "", 1),
    ("Receipts", "", 12),
    ("Adjustments", "M", -1),
    ("Adjustments", "F", 1),
    ("WhseTransfers", "", -4),
]


def build_ledger(rows: int, seed: int) -> str:
    """Return a quoted ledger detail document with ``rows`` distinct data rows."""
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    lines = ["\t".join(f'"{name}"' for name in HEADER)]
    for index in range(rows):
        day = start + timedelta(days=rng.randrange(540))
        event, reason, quantity = rng.choice(EVENTS)
        adjusted = event == "Adjustments"
        product = rng.randrange(2000)
        fields = [
            day.strftime("%m/%d/%Y"),
            f"X00{product:07d}",
            f"B0{product:08d}",
            f"SKU-{product}",
            f'Product {product} 12" "Deluxe"',
            event,
            str(10_000_000 + index),
            str(quantity),
            rng.choice(["ACY1", "PHX7", "ONT8", "BFI4"]),
            "SELLABLE",
            reason,
            "US",
            "0" if adjusted else "",
            "1" if adjusted else "",
            f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00-0700",
            "",
        ]
        lines.append("\t".join('"' + f.replace('"', '""') + '"' for f in fields))
    return "\n".join(lines) + "\n"


def parse_with_module(text: str) -> int:
    parsed = parse_report(text, report_type=REPORT_TYPE, marketplace_id=MARKETPLACE_ID)
    return parsed.row_count


def parse_with_module_and_rows(text: str) -> int:
    parsed = parse_report(text, report_type=REPORT_TYPE, marketplace_id=MARKETPLACE_ID)
    return len(parsed.rows)


def parse_with_csv_reader(text: str) -> int:
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    return len(records) - 1


def median_seconds(parse: Callable[[str], int], text: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        parse(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Time parse_report on a generated ledger file."
    )
    parser.add_argument("--rows", type=int, default=200_000, help="data rows")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per parser")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the rows")
    options = parser.parse_args()

    text = build_ledger(options.rows, options.seed)
    parsed_rows = parse_with_module(text)
    baseline_rows = parse_with_csv_reader(text)
    if parsed_rows != options.rows or baseline_rows != options.rows:
        raise SystemExit(
            f"row counts differ: parse_report {parsed_rows}, csv.reader "
            f"{baseline_rows}, generated {options.rows}"
        )

    size_mb = len(text.encode()) / 1e6
    print(
        f"{options.rows} ledger rows, {size_mb:.1f} MB, median of {options.runs} runs"
    )
    baseline = median_seconds(parse_with_csv_reader, text, options.runs)
    for name, parse in (
        ("parse_report", parse_with_module),
        ("parse_report + .rows", parse_with_module_and_rows),
    ):
        seconds = median_seconds(parse, text, options.runs)
        ratio = seconds / baseline
        print(
            f"  {name:<22} {seconds:7.3f} s {options.rows / seconds:10,.0f} rows/s"
            f"  {ratio:5.1f}x baseline"
        )
    print(
        f"  {'csv.reader baseline':<22} {baseline:7.3f} s "
        f"{options.rows / baseline:10,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
