"""Removal, fee preview, orders, ledger summary and settlement reports."""

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox.amazon.app import create_app
from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import REPORTS, US, FakeClock, seller_tokens

DE = "A1PA6795UKMFR9"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FEE_PREVIEW = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


async def report_body(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    clock: FakeClock,
    report_type: str,
    marketplace_id: str = US,
) -> httpx.Response:
    created = await client.post(
        f"{REPORTS}/reports",
        json={"reportType": report_type, "marketplaceIds": [marketplace_id]},
        headers=headers,
    )
    assert created.status_code == 202, created.text
    clock.advance(10)
    report = await client.get(
        f"{REPORTS}/reports/{created.json()['reportId']}", headers=headers
    )
    assert report.json()["processingStatus"] == "DONE", report.json()
    meta = await client.get(
        f"{REPORTS}/documents/{report.json()['reportDocumentId']}", headers=headers
    )
    return await client.get(meta.json()["url"])


async def settlement_reports(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{REPORTS}/reports",
        params={"reportTypes": SETTLEMENT, "pageSize": "100", **params},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["reports"])


async def download(
    client: httpx.AsyncClient, headers: dict[str, str], document_id: str
) -> httpx.Response:
    meta = await client.get(f"{REPORTS}/documents/{document_id}", headers=headers)
    return await client.get(meta.json()["url"])


@pytest.fixture
async def eu_client(
    config: AmazonSandboxConfig, clock: FakeClock
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client of an app whose demo seller sells on Amazon.de."""
    config.demo_marketplace_id = DE
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        _, access = await seller_tokens(http, config)
        yield http, {"x-amz-access-token": access}


@pytest.mark.parametrize(
    ("report_type", "header"),
    [
        (
            "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA",
            "request-date\torder-id\torder-type\tservice-speed\torder-status\t"
            "last-updated-date\tsku\tfnsku\tdisposition\trequested-quantity\t"
            "cancelled-quantity\tdisposed-quantity\tshipped-quantity\t"
            "in-process-quantity\tremoval-fee\tcurrency",
        ),
        (
            "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA",
            "request-date\torder-id\tshipment-date\tsku\tfnsku\tdisposition\t"
            "shipped-quantity\tcarrier\ttracking-number\tremoval-order-type",
        ),
        (
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\t"
            "order-status\tfulfillment-channel\tsales-channel\t",
        ),
        (
            "GET_LEDGER_SUMMARY_VIEW_DATA",
            '"Date"\t"FNSKU"\t"ASIN"\t"MSKU"\t"Title"\t"Disposition"\t'
            '"Starting Warehouse Balance"\t"In Transit Between Warehouses"\t',
        ),
    ],
    ids=["removal-orders", "removal-shipments", "orders", "ledger-summary"],
)
async def test_report_header_and_charset(
    client: httpx.AsyncClient,
    spapi_headers: dict[str, str],
    clock: FakeClock,
    report_type: str,
    header: str,
) -> None:
    body = await report_body(client, spapi_headers, clock, report_type)
    text = body.content.decode("utf-8")
    assert text.startswith(header)
    assert body.headers["content-type"] == "text/tab-separated-values; charset=UTF-8"
    assert text.endswith("\n")
    assert len(text.splitlines()) > 1


async def test_removal_times_are_utc_offsets(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    body = await report_body(
        client, spapi_headers, clock, "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
    )
    rows = table(body.text)
    assert {row["order-type"] for row in rows} == {"Return", "Disposal"}
    for row in rows:
        assert row["request-date"].endswith("+00:00")
        assert datetime.fromisoformat(row["last-updated-date"]).utcoffset() is not None


async def test_ledger_summary_balances_chain(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    body = await report_body(
        client, spapi_headers, clock, "GET_LEDGER_SUMMARY_VIEW_DATA"
    )
    rows = table(body.text)
    ending: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["FNSKU"], row["Disposition"])
        if key in ending:
            assert int(row["Starting Warehouse Balance"]) == ending[key], row
        ending[key] = int(row["Ending Warehouse Balance"])
    assert any(int(row["Lost"]) < 0 for row in rows)
    assert any(int(row["Disposed"]) < 0 for row in rows)
    assert all(row["Location"] == "US" for row in rows)


async def test_us_fee_preview_has_31_columns(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    body = await report_body(client, spapi_headers, clock, FEE_PREVIEW)
    lines = body.text.splitlines()
    header = lines[0].split("\t")
    assert len(header) == 31
    assert all(len(line.split("\t")) == 31 for line in lines)
    assert "product-size-tier" in header
    assert "expected-fulfillment-fee-per-unit" in header
    assert table(body.text)[0]["currency"] == "USD"


async def test_eu_fee_preview_has_29_columns(
    eu_client: tuple[httpx.AsyncClient, dict[str, str]], clock: FakeClock
) -> None:
    client, headers = eu_client
    body = await report_body(client, headers, clock, FEE_PREVIEW, DE)
    lines = body.content.decode("cp1252").splitlines()
    header = lines[0].split("\t")
    row = table(body.content.decode("cp1252"))[0]
    assert len(header) == 29
    assert all(len(line.split("\t")) == 29 for line in lines)
    assert "product-size-weight-band" in header
    assert "expected-domestic-fulfilment-fee-per-unit" in header
    assert "product-size-tier" not in header
    assert row["currency"] == "EUR"
    assert row["unit-of-dimension"] == "centimeters"


async def test_eu_reports_are_cp1252(
    eu_client: tuple[httpx.AsyncClient, dict[str, str]], clock: FakeClock
) -> None:
    client, headers = eu_client
    body = await report_body(
        client,
        headers,
        clock,
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        DE,
    )
    assert body.headers["content-type"] == "text/tab-separated-values; charset=Cp1252"
    with pytest.raises(UnicodeDecodeError):
        body.content.decode("utf-8")
    assert "Köln" in body.content.decode("cp1252")


async def test_settlement_create_is_rejected(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.post(
        f"{REPORTS}/reports",
        json={"reportType": SETTLEMENT, "marketplaceIds": [US]},
        headers=spapi_headers,
    )
    error = response.json()["errors"][0]
    assert response.status_code == 400
    assert error["code"] == "InvalidInput"
    assert "getReports" in error["message"]


async def test_settlements_listed_per_period(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    reports = await settlement_reports(client, spapi_headers)
    created = [datetime.fromisoformat(r["createdTime"]) for r in reports]
    periods = [
        datetime.fromisoformat(r["dataEndTime"])
        - datetime.fromisoformat(r["dataStartTime"])
        for r in reports
    ]
    assert len(reports) == 7
    assert {r["processingStatus"] for r in reports} == {"DONE"}
    assert created == sorted(created, reverse=True)
    assert {period.days for period in periods} == {14}
    assert all(r["marketplaceIds"] == [US] for r in reports)


async def test_settlement_listing_pages_and_filters(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    every = await settlement_reports(client, spapi_headers)
    newest = every[0]["createdTime"]
    recent = await settlement_reports(client, spapi_headers, createdSince=newest)
    first = await client.get(
        f"{REPORTS}/reports",
        params={"reportTypes": SETTLEMENT, "pageSize": "5"},
        headers=spapi_headers,
    )
    second = await client.get(
        f"{REPORTS}/reports",
        params={"nextToken": first.json()["nextToken"]},
        headers=spapi_headers,
    )
    paged = [*first.json()["reports"], *second.json()["reports"]]
    assert [r["reportId"] for r in recent] == [every[0]["reportId"]]
    assert [r["reportId"] for r in paged] == [r["reportId"] for r in every]
    assert "nextToken" not in second.json()


@pytest.mark.parametrize(
    "params",
    [
        {"reportTypes": SETTLEMENT, "pageSize": "0"},
        {"reportTypes": SETTLEMENT, "pageSize": "ten"},
        {"reportTypes": ",".join([SETTLEMENT] * 11)},
        {"reportTypes": SETTLEMENT, "createdSince": "not a time"},
        {
            "reportTypes": SETTLEMENT,
            "createdSince": "2026-07-01T00:00:00Z",
            "createdUntil": "2026-06-01T00:00:00Z",
        },
        {"reportTypes": SETTLEMENT, "processingStatuses": ""},
        {"nextToken": "abc", "reportTypes": SETTLEMENT},
    ],
    ids=[
        "page-size-zero",
        "page-size-text",
        "eleven-types",
        "bad-since",
        "since-after-until",
        "empty-statuses",
        "token-with-filters",
    ],
)
async def test_get_reports_rejects_query(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], params: dict[str, str]
) -> None:
    response = await client.get(
        f"{REPORTS}/reports", params=params, headers=spapi_headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


async def test_settlement_file_format(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    reports = await settlement_reports(client, spapi_headers)
    body = await download(client, spapi_headers, reports[1]["reportDocumentId"])
    rows = table(body.content.decode("utf-8"))
    summary, lines = rows[0], rows[1:]
    total = sum(Decimal(row["amount"]) for row in lines)
    assert body.headers["content-type"] == "text/tab-separated-values"
    assert summary["transaction-type"] == ""
    assert summary["total-amount"]
    assert Decimal(summary["total-amount"]) == total
    assert summary["settlement-start-date"].endswith(" UTC")
    assert summary["settlement-start-date"][4] == "-"
    assert {row["settlement-id"] for row in rows} == {summary["settlement-id"]}
    assert {row["transaction-type"] for row in lines} <= {"Order", "Refund"}
    assert all(row["total-amount"] == "" for row in lines)


async def test_eu_settlement_decimal_comma(
    eu_client: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, headers = eu_client
    reports = await settlement_reports(client, headers)
    texts = [
        (await download(client, headers, r["reportDocumentId"])).content
        for r in reports
    ]
    rows = [row for body in texts for row in table(body.decode("cp1252"))]
    amounts = [row["amount"] for row in rows if row["amount"]]
    summary = rows[0]
    assert amounts
    assert all("," in amount and "." not in amount for amount in amounts)
    assert "." not in summary["total-amount"]
    assert datetime.strptime(summary["settlement-end-date"], "%d.%m.%Y %H:%M:%S UTC")
    posted = next(row["posted-date"] for row in rows if row["posted-date"])
    assert datetime.strptime(posted, "%d.%m.%Y")
    assert {row["currency"] for row in rows if row["currency"]} == {"EUR"}
