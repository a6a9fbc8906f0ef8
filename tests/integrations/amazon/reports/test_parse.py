"""Tests for parse_report: header mapping, row errors, values, dedup and tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from integrations.amazon.reports import (
    ReportParseError,
    UnknownMarketplaceError,
    get_report_spec,
    parse_report,
)
from integrations.amazon.reports.parse import ParsedReport

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
JP = "A1VC38T7YXB528"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"

REIMBURSEMENT = {
    "approval-date": "2024-11-04T07:12:45+00:00",
    "reimbursement-id": "2919384756",
    "case-id": "",
    "amazon-order-id": "",
    "reason": "Lost_Warehouse",
    "sku": "MUG-12OZ",
    "fnsku": "X00ABCDE12",
    "asin": "B0ABCDE123",
    "product-name": "Cafe Mug",
    "condition": "New",
    "currency-unit": "USD",
    "amount-per-unit": "7.41",
    "amount-total": "14.82",
    "quantity-reimbursed-cash": "2",
    "quantity-reimbursed-inventory": "0",
    "quantity-reimbursed-total": "2",
    "original-reimbursement-id": "",
    "original-reimbursement-type": "",
}

RETURN = {
    "return-date": "2024-11-02T10:00:00+00:00",
    "order-id": "111-0000000-0000001",
    "sku": "MUG-12OZ",
    "asin": "B0ABCDE123",
    "fnsku": "X00ABCDE12",
    "product-name": "Cafe Mug",
    "quantity": "1",
    "fulfillment-center-id": "ACY1",
    "detailed-disposition": "SELLABLE",
    "reason": "NOT_AS_DESCRIBED",
    "status": "Unit returned to inventory",
    "license-plate-number": "LPNRR000000001",
    "customer-comments": "",
}

LEDGER_ROW = {
    "Date": "07/06/2026",
    "FNSKU": "X004XONY53",
    "ASIN": "B0G51NDRX4",
    "MSKU": "FB-COF-HGE-250",
    "Title": "Example Coffee 250g",
    "Event Type": "Adjustments",
    "Reference ID": "21188081",
    "Quantity": "-2",
    "Fulfillment Center": "ACY1",
    "Disposition": "SELLABLE",
    "Reason": "M",
    "Country": "US",
    "Reconciled Quantity": "0",
    "Unreconciled Quantity": "2",
    "Date and Time": "2026-07-06T23:30:00-0700",
}


def _tsv(*rows: dict[str, str], quoted: bool = False) -> str:
    """Build a tab-separated document whose header is the first row's keys."""

    def line(fields: list[str]) -> str:
        if quoted:
            fields = ['"' + f.replace('"', '""') + '"' for f in fields]
        return "\t".join(fields) + "\n"

    header = list(rows[0])
    return line(header) + "".join(line([row[name] for name in header]) for row in rows)


def _parse(text: str, report_type: str = REIMBURSEMENTS, mp: str = US) -> ParsedReport:
    return parse_report(text, report_type=report_type, marketplace_id=mp)


def _parse_error(text: str, report_type: str = REIMBURSEMENTS) -> ReportParseError:
    with pytest.raises(ReportParseError) as caught:
        _parse(text, report_type)
    return caught.value


def test_missing_required_column_rejected() -> None:
    row = {k: v for k, v in REIMBURSEMENT.items() if k != "amount-total"}
    error = _parse_error(_tsv(row))
    assert error.report_type == REIMBURSEMENTS
    assert error.column == "amount-total"
    assert error.line == 1
    assert REIMBURSEMENTS in error.message
    assert "'amount-total'" in error.message


def test_missing_columns_all_named() -> None:
    row = {k: v for k, v in REIMBURSEMENT.items() if k not in ("sku", "fnsku")}
    error = _parse_error(_tsv(row))
    assert "'sku'" in error.message
    assert "'fnsku'" in error.message


def test_two_headers_for_one_column_rejected() -> None:
    error = _parse_error(_tsv({**REIMBURSEMENT, "SKU_": "MUG-12OZ"}))
    assert error.column == "sku"
    assert error.line == 1
    assert "more than one column" in error.message


def test_unknown_extra_column_ignored_with_warning() -> None:
    parsed = _parse(_tsv({**REIMBURSEMENT, "Marketplace Name": "Amazon.com"}))
    assert parsed.row_count == 1
    assert parsed.rows[0]["sku"] == "MUG-12OZ"
    assert "Marketplace Name" not in parsed.table.column_names
    assert len(parsed.warnings) == 1
    assert "'Marketplace Name'" in parsed.warnings[0]


def test_unknown_extra_column_keeps_ledger_key() -> None:
    plain = _parse(_tsv(LEDGER_ROW), LEDGER).rows[0]["row_key"]
    extended = _parse(_tsv({**LEDGER_ROW, "New Column": "x"}), LEDGER).rows[0]
    assert extended["row_key"] == plain


def test_blank_store_keeps_ledger_key() -> None:
    plain = _parse(_tsv(LEDGER_ROW), LEDGER).rows[0]["row_key"]
    with_store = _parse(_tsv({**LEDGER_ROW, "Store": ""}), LEDGER).rows[0]
    assert with_store["row_key"] == plain
    assert with_store["store"] is None


def test_ledger_key_changes_with_any_value() -> None:
    first = _parse(_tsv(LEDGER_ROW), LEDGER).rows[0]["row_key"]
    second = _parse(_tsv({**LEDGER_ROW, "Quantity": "-3"}), LEDGER).rows[0]
    assert second["row_key"] != first
    assert len(first) == 64


def test_bad_date_rejected_with_location() -> None:
    text = _tsv(REIMBURSEMENT, {**REIMBURSEMENT, "approval-date": "2024-13-04"})
    error = _parse_error(text)
    assert error.line == 3
    assert error.column == "approval-date"
    assert error.value == "2024-13-04"
    assert "line 3" in error.message
    assert "'2024-13-04'" in error.message


def test_bad_decimal_rejected() -> None:
    error = _parse_error(_tsv({**REIMBURSEMENT, "amount-total": "14.82 USD"}))
    assert error.column == "amount-total"
    assert error.value == "14.82 USD"


def test_non_integer_quantity_rejected() -> None:
    error = _parse_error(_tsv({**RETURN, "quantity": "1.5"}), RETURNS)
    assert error.column == "quantity"
    assert error.line == 2
    assert "expected an integer" in error.message


def test_blank_required_integer_rejected() -> None:
    error = _parse_error(_tsv({**REIMBURSEMENT, "quantity-reimbursed-cash": ""}))
    assert error.column == "quantity-reimbursed-cash"
    assert "missing value" in error.message


def test_wrong_field_count_rejected() -> None:
    text = _tsv(REIMBURSEMENT) + "2024-11-04T07:12:45+00:00\t123\n"
    error = _parse_error(text)
    assert error.line == 3
    assert "expected 18 fields" in error.message
    assert "found 2" in error.message


def test_unsupported_report_type_rejected() -> None:
    error = _parse_error(_tsv(REIMBURSEMENT), "GET_MERCHANT_LISTINGS_DATA")
    assert error.report_type == "GET_MERCHANT_LISTINGS_DATA"
    assert "'GET_MERCHANT_LISTINGS_DATA' is not supported" in error.message


def test_unknown_marketplace_rejected() -> None:
    with pytest.raises(UnknownMarketplaceError, match="'A0000000000000'"):
        _parse(_tsv(REIMBURSEMENT), mp="A0000000000000")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12,50", "12.50"), ("1.234,56", "1234.56"), ("-7,41", "-7.41"), ("7.41", "7.41")],
    ids=["comma", "grouped", "negative", "point"],
)
def test_decimal_comma_in_german_marketplace(raw: str, expected: str) -> None:
    row = {**REIMBURSEMENT, "currency-unit": "EUR", "amount-total": raw}
    parsed = _parse(_tsv(row), mp=DE)
    assert parsed.rows[0]["amount_total"] == expected


def test_decimal_comma_rejected_in_us_marketplace() -> None:
    error = _parse_error(_tsv({**REIMBURSEMENT, "amount-total": "12,50"}))
    assert "does not use a decimal comma" in error.message


def test_thousands_separator_in_us_marketplace() -> None:
    parsed = _parse(_tsv({**REIMBURSEMENT, "amount-total": "1,234.56"}))
    assert parsed.rows[0]["amount_total"] == "1234.56"


def test_blank_amount_is_null() -> None:
    parsed = _parse(_tsv({**REIMBURSEMENT, "amount-per-unit": ""}))
    assert parsed.rows[0]["amount_per_unit"] is None
    assert parsed.table.column("amount_per_unit").null_count == 1


def test_duplicate_ledger_rows_dropped() -> None:
    other = {**LEDGER_ROW, "Quantity": "-1"}
    parsed = _parse(_tsv(LEDGER_ROW, other, LEDGER_ROW, quoted=True), LEDGER)
    assert parsed.row_count == 2
    assert [r["source_line"] for r in parsed.rows] == [2, 3]
    assert len(parsed.warnings) == 1
    assert "dropped 1 row(s)" in parsed.warnings[0]
    assert "lines 4" in parsed.warnings[0]


def test_duplicate_reimbursement_key_keeps_first() -> None:
    later = {**REIMBURSEMENT, "product-name": "Renamed Mug"}
    parsed = _parse(_tsv(REIMBURSEMENT, later))
    assert parsed.row_count == 1
    assert parsed.rows[0]["product_name"] == "Cafe Mug"


def test_return_keyed_by_license_plate() -> None:
    parsed = _parse(_tsv(RETURN), RETURNS)
    assert parsed.rows[0]["row_key"] == "LPNRR000000001"


def test_return_without_license_plate_keyed_by_order() -> None:
    parsed = _parse(_tsv({**RETURN, "license-plate-number": ""}), RETURNS)
    row = parsed.rows[0]
    assert row["license_plate_number"] is None
    assert row["row_key"] == "111-0000000-0000001|X00ABCDE12|2024-11-02T10:00:00+00:00"


def test_blank_lines_skipped() -> None:
    text = _tsv(REIMBURSEMENT, {**REIMBURSEMENT, "reimbursement-id": "2"})
    parsed = _parse(text.replace("\n2024", "\n\n2024", 1) + "\n  \n\r\n")
    assert parsed.row_count == 2
    assert [r["source_line"] for r in parsed.rows] == [3, 4]


def test_crlf_line_endings() -> None:
    parsed = _parse(_tsv(REIMBURSEMENT).replace("\n", "\r\n"))
    assert parsed.rows[0]["original_reimbursement_type"] is None
    assert parsed.rows[0]["quantity_reimbursed_total"] == 2


def test_bom_before_header_ignored() -> None:
    parsed = _parse("\ufeff" + _tsv(REIMBURSEMENT))
    assert parsed.row_count == 1
    assert parsed.warnings == []


def test_quoted_field_with_doubled_quote() -> None:
    row = {**LEDGER_ROW, "Title": 'Mug 12" Large\tBlue'}
    parsed = _parse(_tsv(row, quoted=True), LEDGER)
    assert parsed.rows[0]["title"] == 'Mug 12" Large\tBlue'


def test_unquoted_file_keeps_literal_quotes() -> None:
    first = {**REIMBURSEMENT, "product-name": '"Best" Pan 12"'}
    second = {**REIMBURSEMENT, "reimbursement-id": "2", "product-name": '"Open'}
    parsed = _parse(_tsv(first, second))
    assert parsed.rows[0]["product_name"] == '"Best" Pan 12"'
    assert parsed.rows[1]["product_name"] == '"Open'


def test_malformed_quoting_rejected() -> None:
    text = _tsv(LEDGER_ROW, quoted=True) + '"07/06/2026"x\t"A"\n'
    error = _parse_error(text, LEDGER)
    assert error.line == 3
    assert "malformed field quoting" in error.message


def test_empty_document_gives_no_rows() -> None:
    parsed = _parse("\n")
    assert parsed.row_count == 0
    assert parsed.table.schema == get_report_spec(REIMBURSEMENTS).arrow_schema
    assert parsed.warnings == ["the document is empty"]


def test_header_only_document_gives_no_rows() -> None:
    parsed = _parse(_tsv(REIMBURSEMENT).splitlines(keepends=True)[0])
    assert parsed.row_count == 0
    assert parsed.warnings == []


def test_bare_date_is_local_midnight() -> None:
    row = {k: v for k, v in LEDGER_ROW.items() if k != "Date and Time"}
    parsed = _parse(_tsv(row), LEDGER, mp=JP)
    # Midnight in Tokyo (UTC+09:00) is 15:00 UTC on the day before.
    assert parsed.rows[0]["occurred_at"] == datetime(2026, 7, 5, 15, 0, tzinfo=UTC)
    assert parsed.rows[0]["date"] == date(2026, 7, 6)


def test_blank_date_and_time_uses_date() -> None:
    parsed = _parse(_tsv({**LEDGER_ROW, "Date and Time": ""}), LEDGER)
    assert parsed.rows[0]["occurred_at"] == datetime(2026, 7, 6, 7, 0, tzinfo=UTC)
    assert parsed.rows[0]["occurred_at_raw"] == "07/06/2026"


def test_values_are_stripped_raw_kept() -> None:
    row = {**REIMBURSEMENT, "sku": " MUG-12OZ ", "approval-date": " 2024-11-04 "}
    parsed = _parse(_tsv(row))
    assert parsed.rows[0]["sku"] == "MUG-12OZ"
    assert parsed.rows[0]["approval_date_raw"] == " 2024-11-04 "


@pytest.mark.parametrize(
    ("report_type", "row"),
    [(REIMBURSEMENTS, REIMBURSEMENT), (RETURNS, RETURN), (LEDGER, LEDGER_ROW)],
    ids=["reimbursements", "returns", "ledger"],
)
def test_table_matches_rows(report_type: str, row: dict[str, str]) -> None:
    parsed = _parse(_tsv(row), report_type)
    spec = get_report_spec(report_type)
    assert parsed.table.schema == spec.arrow_schema
    assert parsed.table.to_pylist() == parsed.rows
    assert parsed.table_name == spec.table_name


def test_field_spanning_lines_keeps_line_numbers() -> None:
    first = {**LEDGER_ROW, "Title": "Coffee\nTwo lines"}
    second = {**LEDGER_ROW, "Quantity": "-1"}
    parsed = _parse(_tsv(first, second, quoted=True), LEDGER)
    assert parsed.rows[0]["title"] == "Coffee\nTwo lines"
    assert [r["source_line"] for r in parsed.rows] == [2, 4]


def test_error_line_after_field_spanning_lines() -> None:
    first = {**LEDGER_ROW, "Title": "Coffee\nTwo lines"}
    second = {**LEDGER_ROW, "Quantity": "many"}
    error = _parse_error(_tsv(first, second, quoted=True), LEDGER)
    assert error.line == 4
    assert error.column == "Quantity"


def test_leading_blank_lines_counted() -> None:
    parsed = _parse("\n\n" + _tsv(REIMBURSEMENT))
    assert parsed.rows[0]["source_line"] == 4


def test_earliest_bad_line_reported_first() -> None:
    bad_quantity = {**REIMBURSEMENT, "quantity-reimbursed-total": "two"}
    bad_date = {**REIMBURSEMENT, "reimbursement-id": "2", "approval-date": "soon"}
    error = _parse_error(_tsv(bad_quantity, bad_date))
    assert error.line == 2
    assert error.column == "quantity-reimbursed-total"


def test_first_bad_column_of_line_reported() -> None:
    row = {**REIMBURSEMENT, "approval-date": "soon", "amount-total": "lots"}
    error = _parse_error(_tsv(row))
    assert error.column == "approval-date"


def test_bad_value_before_short_row_reported() -> None:
    text = _tsv({**REIMBURSEMENT, "amount-total": "lots"}) + "2024-11-04\t1\n"
    error = _parse_error(text)
    assert error.line == 2
    assert error.column == "amount-total"


def test_bad_value_before_bad_quoting_reported() -> None:
    text = _tsv({**LEDGER_ROW, "Quantity": "x"}, quoted=True) + '"a"b\t"c"\n'
    error = _parse_error(text, LEDGER)
    assert error.line == 2
    assert error.column == "Quantity"


def test_nul_characters_rejected() -> None:
    error = _parse_error(_tsv({**REIMBURSEMENT, "product-name": "Mug\x00"}))
    assert "NUL characters" in error.message
    assert error.report_type == REIMBURSEMENTS


def test_whitespace_store_keeps_ledger_key() -> None:
    plain = _parse(_tsv(LEDGER_ROW), LEDGER).rows[0]["row_key"]
    spaced = _parse(_tsv({**LEDGER_ROW, "Store": "  "}), LEDGER).rows[0]
    assert spaced["row_key"] == plain
