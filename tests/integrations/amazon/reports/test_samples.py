"""Parser tests over the sample documents in Amazon's real formats."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from integrations.amazon.reports import (
    ReportDecodeError,
    ReportParseError,
    decode_document,
    get_report_spec,
    parse_report,
)
from integrations.amazon.reports.columns import map_header

US = "ATVPDKIKX0DER"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
LEDGER_DETAIL = "GET_LEDGER_DETAIL_VIEW_DATA"
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"
# The en dash is byte 0x96 in Windows-1252.
MUG_TITLE = "Café Mug \u2013 12oz"

# Every sample file and the tests below that read it.
COVERED_SAMPLES = {
    "01_reimbursements_cp1252.tsv",
    "02_reimbursements_utf8.tsv.gz",
    "03_flagged_gzip_but_plain.tsv",
    "03_getReportDocument_response.json",
    "05_ledger_detail_quoted_with_store.tsv",
    "06_ledger_summary_header_spaces.tsv",
    "06_ledger_summary_header_underscores.tsv",
    "09_getReport_terminal_states.json",
    "10_lwa_invalid_grant.json",
    "13_reimbursement_with_reversal.tsv",
    "ledger_detail_camelcase_header.tsv",
}


def _decode(
    path: Path,
    report_type: str,
    *,
    content_type: str | None = None,
    compression_algorithm: str | None = None,
) -> Any:
    return decode_document(
        path.read_bytes(),
        report_type=report_type,
        content_type=content_type,
        compression_algorithm=compression_algorithm,
        region="NA",
    )


def _rows(path: Path, report_type: str, **decode_options: Any) -> list[dict[str, Any]]:
    text = _decode(path, report_type, **decode_options).text
    return parse_report(text, report_type=report_type, marketplace_id=US).rows


def test_samples_all_have_tests(samples_dir: Path) -> None:
    present = {p.name for p in samples_dir.iterdir() if p.name != "README.md"}
    assert present == COVERED_SAMPLES


def test_cp1252_sample_is_not_utf8(samples_dir: Path) -> None:
    data = (samples_dir / "01_reimbursements_cp1252.tsv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_cp1252_sample_rejected_when_declared_utf8(samples_dir: Path) -> None:
    path = samples_dir / "01_reimbursements_cp1252.tsv"
    with pytest.raises(ReportDecodeError) as caught:
        _decode(path, REIMBURSEMENTS, content_type="text/plain;charset=UTF-8")
    assert REIMBURSEMENTS in caught.value.message
    assert "invalid byte(s) e9" in caught.value.message


def test_cp1252_sample_decodes_via_charset(samples_dir: Path) -> None:
    path = samples_dir / "01_reimbursements_cp1252.tsv"
    decoded = _decode(
        path, REIMBURSEMENTS, content_type="text/tab-separated-values;charset=Cp1252"
    )
    assert decoded.encoding == "cp1252"
    assert MUG_TITLE in decoded.text


def test_cp1252_sample_decodes_via_fallback(samples_dir: Path) -> None:
    decoded = _decode(samples_dir / "01_reimbursements_cp1252.tsv", REIMBURSEMENTS)
    assert decoded.encoding == "cp1252"
    assert MUG_TITLE in decoded.text


def test_cp1252_sample_row_values(samples_dir: Path) -> None:
    [row] = _rows(samples_dir / "01_reimbursements_cp1252.tsv", REIMBURSEMENTS)
    assert row["product_name"] == MUG_TITLE
    assert row["approval_date"] == datetime(2024, 11, 4, 7, 12, 45, tzinfo=UTC)
    assert row["approval_date_raw"] == "2024-11-04T07:12:45+00:00"
    assert row["amount_per_unit"] == "7.41"
    assert row["amount_total"] == "14.82"
    assert row["quantity_reimbursed_cash"] == 2
    assert row["quantity_reimbursed_total"] == 2
    assert row["case_id"] is None
    assert row["original_reimbursement_id"] is None
    assert row["row_key"] == (
        "2919384756|MUG-12OZ|X00ABCDE12|Lost_Warehouse|2024-11-04T07:12:45+00:00"
    )


def test_gzip_sample_is_unzipped(samples_dir: Path) -> None:
    path = samples_dir / "02_reimbursements_utf8.tsv.gz"
    decoded = _decode(path, REIMBURSEMENTS, compression_algorithm="GZIP")
    assert decoded.was_gzip
    assert decoded.encoding == "utf-8"


def test_gzip_sample_unzipped_without_flag(samples_dir: Path) -> None:
    decoded = _decode(samples_dir / "02_reimbursements_utf8.tsv.gz", REIMBURSEMENTS)
    assert decoded.was_gzip
    assert MUG_TITLE in decoded.text


def test_gzip_sample_matches_cp1252_rows(samples_dir: Path) -> None:
    gzip_rows = _rows(
        samples_dir / "02_reimbursements_utf8.tsv.gz",
        REIMBURSEMENTS,
        compression_algorithm="GZIP",
    )
    cp1252_rows = _rows(samples_dir / "01_reimbursements_cp1252.tsv", REIMBURSEMENTS)
    assert gzip_rows == cp1252_rows


def test_flagged_plain_sample_decodes_as_plain(samples_dir: Path) -> None:
    metadata = json.loads(
        (samples_dir / "03_getReportDocument_response.json").read_text()
    )
    decoded = _decode(
        samples_dir / "03_flagged_gzip_but_plain.tsv",
        REIMBURSEMENTS,
        compression_algorithm=metadata["compressionAlgorithm"],
    )
    assert metadata["compressionAlgorithm"] == "GZIP"
    assert not decoded.was_gzip
    assert MUG_TITLE in decoded.text


def test_flagged_plain_sample_matches_cp1252_rows(samples_dir: Path) -> None:
    plain_rows = _rows(
        samples_dir / "03_flagged_gzip_but_plain.tsv",
        REIMBURSEMENTS,
        compression_algorithm="GZIP",
    )
    cp1252_rows = _rows(samples_dir / "01_reimbursements_cp1252.tsv", REIMBURSEMENTS)
    assert plain_rows == cp1252_rows


def test_quoted_ledger_sample_times(samples_dir: Path) -> None:
    rows = _rows(samples_dir / "05_ledger_detail_quoted_with_store.tsv", LEDGER_DETAIL)
    # 23:30 at UTC-07:00 is 06:30 UTC on the next day.
    assert rows[0]["occurred_at"] == datetime(2026, 7, 7, 6, 30, tzinfo=UTC)
    assert rows[0]["occurred_at_raw"] == "2026-07-06T23:30:00-0700"
    assert rows[1]["occurred_at"] == datetime(2026, 7, 6, 7, 0, tzinfo=UTC)
    assert rows[0]["date"] == date(2026, 7, 6)
    assert rows[0]["date_raw"] == "07/06/2026"


def test_quoted_ledger_sample_quantities(samples_dir: Path) -> None:
    rows = _rows(samples_dir / "05_ledger_detail_quoted_with_store.tsv", LEDGER_DETAIL)
    assert [r["quantity"] for r in rows] == [-2, -1]
    assert rows[0]["reconciled_quantity"] == 0
    assert rows[0]["unreconciled_quantity"] == 2
    assert rows[1]["reconciled_quantity"] is None
    assert rows[1]["unreconciled_quantity"] is None


def test_quoted_ledger_sample_text_columns(samples_dir: Path) -> None:
    rows = _rows(samples_dir / "05_ledger_detail_quoted_with_store.tsv", LEDGER_DETAIL)
    assert rows[0]["fnsku"] == "X004XONY53"
    assert rows[0]["event_type"] == "Adjustments"
    assert rows[0]["reference_id"] == "21188081"
    assert rows[0]["reason"] == "M"
    assert rows[1]["reference_id"] == ""
    assert rows[0]["store"] is None
    assert [r["source_line"] for r in rows] == [2, 3]


def test_quoted_ledger_sample_table(samples_dir: Path) -> None:
    text = _decode(
        samples_dir / "05_ledger_detail_quoted_with_store.tsv", LEDGER_DETAIL
    ).text
    parsed = parse_report(text, report_type=LEDGER_DETAIL, marketplace_id=US)
    assert parsed.table.schema == get_report_spec(LEDGER_DETAIL).arrow_schema
    assert parsed.table.num_rows == 2
    assert parsed.row_count == 2
    assert parsed.warnings == []


def test_summary_samples_give_identical_rows(samples_dir: Path) -> None:
    spaces = _rows(samples_dir / "06_ledger_summary_header_spaces.tsv", LEDGER_SUMMARY)
    underscores = _rows(
        samples_dir / "06_ledger_summary_header_underscores.tsv", LEDGER_SUMMARY
    )
    assert spaces == underscores


def test_summary_sample_counts(samples_dir: Path) -> None:
    [row] = _rows(
        samples_dir / "06_ledger_summary_header_underscores.tsv", LEDGER_SUMMARY
    )
    assert row["date"] == date(2024, 11, 30)
    assert row["title"] == "Café Mug"
    assert row["starting_warehouse_balance"] == 120
    assert row["customer_shipments"] == -30
    assert row["warehouse_transfer_in_out"] == 0
    assert row["found"] == 1
    assert row["lost"] == -3
    assert row["ending_warehouse_balance"] == 90
    assert row["location"] == "US"


def test_reversal_sample_negative_quantity(samples_dir: Path) -> None:
    _, reversal = _rows(
        samples_dir / "13_reimbursement_with_reversal.tsv", REIMBURSEMENTS
    )
    assert reversal["reason"] == "Reimbursement_Reversal"
    assert reversal["quantity_reimbursed_cash"] == -1
    assert reversal["quantity_reimbursed_total"] == -1
    assert reversal["amount_total"] == "-7.41"


def test_reversal_sample_points_to_original(samples_dir: Path) -> None:
    original, reversal = _rows(
        samples_dir / "13_reimbursement_with_reversal.tsv", REIMBURSEMENTS
    )
    assert reversal["original_reimbursement_id"] == original["reimbursement_id"]
    assert reversal["original_reimbursement_type"] == "Lost_Warehouse"
    assert original["original_reimbursement_id"] is None


def test_camelcase_header_maps_every_column(samples_dir: Path) -> None:
    text = (samples_dir / "ledger_detail_camelcase_header.tsv").read_text()
    header = text.splitlines()[0].split("\t")
    header_map = map_header(header, get_report_spec(LEDGER_DETAIL).columns)
    assert header_map.missing_required == ()
    assert header_map.unknown == ()
    assert len(header_map.positions) == len(header)
    assert header_map.positions["event_type"] == header.index("EventType")
    assert header_map.positions["reference_id"] == header.index("ReferenceID")
    assert header_map.positions["unreconciled_quantity"] == header.index(
        "UnreconciledQuantity"
    )


def test_camelcase_placeholder_rows_rejected(samples_dir: Path) -> None:
    text = (samples_dir / "ledger_detail_camelcase_header.tsv").read_text()
    with pytest.raises(ReportParseError) as caught:
        parse_report(text, report_type=LEDGER_DETAIL, marketplace_id=US)
    error = caught.value
    assert error.report_type == LEDGER_DETAIL
    assert error.line == 2
    assert error.column == "Quantity"
    assert error.value == "Quantity"
    assert LEDGER_DETAIL in error.message
    assert "line 2" in error.message
    assert "'Quantity'" in error.message


def test_camelcase_header_parses_valid_rows(samples_dir: Path) -> None:
    lines = (
        (samples_dir / "ledger_detail_camelcase_header.tsv").read_text().splitlines()
    )
    fields = lines[1].split("\t")
    fields[7] = "-3"
    fields[12] = ""
    fields[13] = ""
    text = "\n".join([lines[0], "\t".join(fields)])
    [row] = parse_report(text, report_type=LEDGER_DETAIL, marketplace_id=US).rows
    assert row["quantity"] == -3
    assert row["event_type"] == "EventType"
    # Without "Date and Time", the event is at local midnight: 08:00 UTC in November.
    assert row["occurred_at"] == datetime(2023, 11, 21, 8, 0, tzinfo=UTC)
    assert row["occurred_at_raw"] == "11/21/2023"
    assert row["store"] is None
