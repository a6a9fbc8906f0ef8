"""Parser tests for the fee preview report, in its US and EU layouts."""

from __future__ import annotations

import pytest

from integrations.amazon.reports import ReportParseError, parse_report

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
FEES = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"

US_COLUMNS = [
    ("sku", "MUG-12OZ"),
    ("fnsku", "X00ABCDE12"),
    ("asin", "B0ABCDE123"),
    ("amazon-store", "US"),
    ("product-name", "Cafe Mug"),
    ("product-group", "Kitchen"),
    ("brand", "Example"),
    ("fulfilled-by", "Amazon"),
    ("your-price", "19.99"),
    ("sales-price", "--"),
    ("longest-side", "5.20"),
    ("median-side", "4.10"),
    ("shortest-side", "3.90"),
    ("length-and-girth", "21.20"),
    ("unit-of-dimension", "inches"),
    ("item-package-weight", "0.95"),
    ("unit-of-weight", "pounds"),
    ("product-size-tier", "Large Standard"),
    ("currency", "USD"),
    ("estimated-fee-total", "7.41"),
    ("estimated-referral-fee-per-unit", "3.00"),
    ("estimated-variable-closing-fee", "0.00"),
    ("estimated-order-handling-fee-per-order", "0.00"),
    ("estimated-pick-pack-fee-per-unit", "--"),
    ("estimated-weight-handling-fee-per-unit", "--"),
    ("expected-fulfillment-fee-per-unit", "4.41"),
    ("estimated-future-fee (Current Selling on Amazon + FBA Fees)", "7.41"),
    ("estimated-future-order-handling-fee-per-order", "0.00"),
    ("estimated-future-pick-pack-fee-per-unit", "--"),
    ("estimated-future-weight-handling-fee-per-unit", "--"),
    ("expected-future-fulfillment-fee-per-unit", "4.41"),
]

EU_COLUMNS = [
    ("sku", "TASSE-300"),
    ("fnsku", "X00FGHIJ34"),
    ("asin", "B0FGHIJ345"),
    ("amazon-store", "DE"),
    ("product-name", "Kaffeebecher Größe M"),
    ("product-group", "Küche"),
    ("brand", "Beispiel"),
    ("fulfilled-by", "Amazon"),
    ("has-local-inventory", "Y"),
    ("your-price", "17,99"),
    ("sales-price", "--"),
    ("longest-side", "13,20"),
    ("median-side", "10,40"),
    ("shortest-side", "9,90"),
    ("length-and-girth", "--"),
    ("unit-of-dimension", "centimeters"),
    ("item-package-weight", "0,43"),
    ("unit-of-weight", "kilograms"),
    ("product-size-weight-band", "Standard-Paket"),
    ("currency", "EUR"),
    ("estimated-fee-total", "6,10"),
    ("estimated-referral-fee-per-unit", "2,70"),
    ("estimated-variable-closing-fee", "0,00"),
    ("expected-domestic-fulfilment-fee-per-unit", "3,40"),
    ("expected-efn-fulfilment-fee-per-unit-uk", "--"),
    ("expected-efn-fulfilment-fee-per-unit-de", "3,40"),
    ("expected-efn-fulfilment-fee-per-unit-fr", "4,05"),
    ("expected-efn-fulfilment-fee-per-unit-it", "4,12"),
    ("expected-efn-fulfilment-fee-per-unit-es", "4,02"),
]


def _tsv(columns: list[tuple[str, str]]) -> str:
    header = "\t".join(name for name, _ in columns)
    values = "\t".join(value for _, value in columns)
    return f"{header}\n{values}\n"


def test_layouts_have_documented_widths() -> None:
    assert len(US_COLUMNS) == 31
    assert len(EU_COLUMNS) == 29


def test_us_layout_values() -> None:
    parsed = parse_report(_tsv(US_COLUMNS), report_type=FEES, marketplace_id=US)
    row = parsed.rows[0]
    assert parsed.table_name == "fee_preview"
    assert row["product_size_tier"] == "Large Standard"
    assert row["expected_fulfillment_fee_per_unit"] == "4.41"
    assert row["estimated_fee_total"] == "7.41"
    assert row["item_package_weight"] == "0.95"
    assert row["row_key"] == "MUG-12OZ|X00ABCDE12|B0ABCDE123"


def test_eu_layout_spellings_and_commas() -> None:
    row = parse_report(_tsv(EU_COLUMNS), report_type=FEES, marketplace_id=DE).rows[0]
    assert row["product_size_tier"] == "Standard-Paket"
    assert row["expected_fulfillment_fee_per_unit"] == "3.40"
    assert row["your_price"] == "17.99"
    assert row["longest_side"] == "13.20"
    assert row["product_name"] == "Kaffeebecher Größe M"


def test_placeholder_dashes_are_null() -> None:
    row = parse_report(_tsv(EU_COLUMNS), report_type=FEES, marketplace_id=DE).rows[0]
    assert row["sales_price"] is None
    assert row["length_and_girth"] is None


def test_other_layout_columns_ignored() -> None:
    parsed = parse_report(_tsv(US_COLUMNS), report_type=FEES, marketplace_id=US)
    assert "estimated_pick_pack_fee_per_unit" not in parsed.table.column_names
    assert any("'estimated-pick-pack-fee-per-unit'" in w for w in parsed.warnings)


def test_missing_size_tier_rejected() -> None:
    columns = [c for c in US_COLUMNS if c[0] != "product-size-tier"]
    with pytest.raises(ReportParseError) as caught:
        parse_report(_tsv(columns), report_type=FEES, marketplace_id=US)
    assert caught.value.column == "product-size-tier"


def test_decimal_comma_rejected_in_us_marketplace() -> None:
    columns = [(n, "7,41" if n == "estimated-fee-total" else v) for n, v in US_COLUMNS]
    with pytest.raises(ReportParseError) as caught:
        parse_report(_tsv(columns), report_type=FEES, marketplace_id=US)
    assert caught.value.column == "estimated-fee-total"
