"""Parser tests for the V2 flat-file settlement report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.amazon.reports import ReportParseError, decode_document, parse_report

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
SETTLEMENTS = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

HEADER = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
]


def _row(**fields: str) -> dict[str, str]:
    return {name: fields.get(name.replace("-", "_"), "") for name in HEADER}


US_SUMMARY = _row(
    settlement_id="11223344556",
    settlement_start_date="2023-10-30 22:51:31 UTC",
    settlement_end_date="2023-11-13 22:51:31 UTC",
    deposit_date="2023-11-15 22:51:31 UTC",
    total_amount="1234.56",
    currency="USD",
)
US_ORDER_FEE = _row(
    settlement_id="11223344556",
    transaction_type="Order",
    order_id="111-0000000-0000001",
    shipment_id="DxYzAbC1",
    marketplace_name="Amazon.com",
    amount_type="ItemFees",
    amount_description="FBAPerUnitFulfillmentFee",
    amount="-4.41",
    fulfillment_id="AFN",
    posted_date="2023-11-02",
    posted_date_time="2023-11-02 08:15:00 UTC",
    order_item_code="12345678901234",
    sku="MUG-12OZ",
    quantity_purchased="1",
)
US_REFUND = _row(
    settlement_id="11223344556",
    transaction_type="Refund",
    order_id="111-0000000-0000001",
    adjustment_id="amzn1.refund.0001",
    marketplace_name="Amazon.com",
    amount_type="ItemPrice",
    amount_description="Principal",
    amount="-19.99",
    fulfillment_id="AFN",
    posted_date="2023-11-09",
    merchant_adjustment_item_id="ADJ1",
    sku="MUG-12OZ",
)
DE_SUMMARY = _row(
    settlement_id="99887766554",
    settlement_start_date="30.10.2023 22:51:31 UTC",
    settlement_end_date="13.11.2023 22:51:31 UTC",
    deposit_date="15.11.2023 22:51:31 UTC",
    total_amount="1.234,56",
    currency="EUR",
)
DE_COMMISSION = _row(
    settlement_id="99887766554",
    transaction_type="Order",
    order_id="302-0000000-0000001",
    marketplace_name="Amazon.de",
    amount_type="ItemFees",
    amount_description="Commission",
    amount="-2,70",
    fulfillment_id="AFN",
    posted_date="02.11.2023",
    posted_date_time="02.11.2023 08:15:00 UTC",
    sku="TASSE-300",
    quantity_purchased="1",
)


def _tsv(*rows: dict[str, str]) -> str:
    names = list(rows[0])
    lines = ["\t".join(names)] + ["\t".join(r[n] for n in names) for r in rows]
    return "\n".join(lines) + "\n"


def _parse(text: str, marketplace_id: str = US) -> list[dict[str, object]]:
    parsed = parse_report(text, report_type=SETTLEMENTS, marketplace_id=marketplace_id)
    assert parsed.table_name == "settlements"
    return parsed.rows


def test_summary_row_blank_fields() -> None:
    summary = _parse(_tsv(US_SUMMARY, US_ORDER_FEE))[0]
    assert summary["total_amount"] == "1234.56"
    assert summary["deposit_date"] == datetime(2023, 11, 15, 22, 51, 31, tzinfo=UTC)
    assert summary["transaction_type"] == ""
    assert summary["amount"] is None
    assert summary["posted_date"] is None
    assert summary["quantity_purchased"] is None


def test_transaction_row_values() -> None:
    fee = _parse(_tsv(US_SUMMARY, US_ORDER_FEE))[1]
    assert fee["amount"] == "-4.41"
    assert fee["amount_description"] == "FBAPerUnitFulfillmentFee"
    assert fee["posted_date_time"] == datetime(2023, 11, 2, 8, 15, tzinfo=UTC)
    assert fee["settlement_start_date"] is None
    assert fee["quantity_purchased"] == 1


def test_bare_posted_date_is_local_midnight() -> None:
    refund = _parse(_tsv(US_SUMMARY, US_REFUND))[1]
    # Midnight in Los Angeles, which is on PST (UTC-8) after November 5, 2023.
    assert refund["posted_date"] == datetime(2023, 11, 9, 8, 0, tzinfo=UTC)
    assert refund["posted_date_time"] is None
    assert refund["transaction_type"] == "Refund"


def test_eu_dates_and_decimal_comma() -> None:
    summary, commission = _parse(_tsv(DE_SUMMARY, DE_COMMISSION), DE)
    assert summary["total_amount"] == "1234.56"
    assert summary["settlement_end_date"] == datetime(
        2023, 11, 13, 22, 51, 31, tzinfo=UTC
    )
    assert summary["settlement_end_date_raw"] == "13.11.2023 22:51:31 UTC"
    assert commission["amount"] == "-2.70"
    assert commission["posted_date"] == datetime(2023, 11, 1, 23, 0, tzinfo=UTC)


def test_row_key_is_settlement_and_line() -> None:
    rows = _parse(_tsv(US_SUMMARY, US_ORDER_FEE, US_ORDER_FEE))
    assert [r["row_key"] for r in rows] == [
        "11223344556|2",
        "11223344556|3",
        "11223344556|4",
    ]


def test_promotion_id_column_is_optional() -> None:
    without = [
        {k: v for k, v in r.items() if k != "promotion-id"}
        for r in (US_SUMMARY, US_ORDER_FEE)
    ]
    rows = _parse(_tsv(*without))
    assert rows[1]["promotion_id"] == ""


def test_header_drift_and_extra_column() -> None:
    drifted = [
        {("Settlement Id" if k == "settlement-id" else k): v for k, v in r.items()}
        | {"store-name": "Main"}
        for r in (US_SUMMARY, US_ORDER_FEE)
    ]
    parsed = parse_report(_tsv(*drifted), report_type=SETTLEMENTS, marketplace_id=US)
    assert parsed.rows[1]["settlement_id"] == "11223344556"
    assert any("'store-name'" in w for w in parsed.warnings)


def test_missing_amount_column_rejected() -> None:
    rows = [{k: v for k, v in r.items() if k != "amount"} for r in (US_SUMMARY,)]
    with pytest.raises(ReportParseError) as caught:
        _parse(_tsv(*rows))
    assert caught.value.column == "amount"
    assert SETTLEMENTS in caught.value.message


def test_decimal_comma_rejected_in_us_marketplace() -> None:
    with pytest.raises(ReportParseError) as caught:
        _parse(_tsv(US_SUMMARY, {**US_ORDER_FEE, "amount": "-4,41"}))
    assert caught.value.column == "amount"
    assert caught.value.line == 3


def test_cp1252_without_charset_decodes() -> None:
    row = {**DE_COMMISSION, "sku": "GRÖSSE-M"}
    content = _tsv(DE_SUMMARY, row).encode("cp1252")
    decoded = decode_document(
        content,
        report_type=SETTLEMENTS,
        content_type=None,
        compression_algorithm=None,
        region="EU",
    )
    assert _parse(decoded.text, DE)[1]["sku"] == "GRÖSSE-M"
