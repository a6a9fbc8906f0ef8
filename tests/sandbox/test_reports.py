"""Reports API 2021-06-30: validation, processing states, documents."""

import gzip
from typing import Any

import httpx
import pytest

from .helpers import REPORTS, US, FakeClock

LEDGER = "GET_LEDGER_DETAIL_VIEW_DATA"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> httpx.Response:
    spec = {"reportType": LEDGER, "marketplaceIds": [US], **body}
    return await client.post(f"{REPORTS}/reports", json=spec, headers=headers)


async def finished_report(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    clock: FakeClock,
    **body: Any,
) -> dict[str, Any]:
    created = await create(client, headers, **body)
    clock.advance(10)
    report_id = created.json()["reportId"]
    response = await client.get(f"{REPORTS}/reports/{report_id}", headers=headers)
    return dict(response.json())


async def download(
    client: httpx.AsyncClient, headers: dict[str, str], document_id: str
) -> tuple[dict[str, Any], httpx.Response]:
    meta = await client.get(f"{REPORTS}/documents/{document_id}", headers=headers)
    body = await client.get(meta.json()["url"])
    return meta.json(), body


async def test_create_report_returns_202_with_id(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await create(client, spapi_headers)
    assert response.status_code == 202
    assert response.json()["reportId"].isdigit()
    assert response.headers["x-amzn-RateLimit-Limit"] == "16.7"


@pytest.mark.parametrize(
    "body",
    [
        {"reportType": "GET_NOT_A_REPORT"},
        {"reportType": None},
        {"marketplaceIds": []},
        {"marketplaceIds": ["NOTAMARKET"]},
        {"marketplaceIds": ["A1PA6795UKMFR9"]},
        {"marketplaceIds": "ATVPDKIKX0DER"},
        {"dataStartTime": "yesterday"},
        {"dataEndTime": "2026-13-01T00:00:00Z"},
        {
            "dataStartTime": "2026-06-02T00:00:00Z",
            "dataEndTime": "2026-06-01T00:00:00Z",
        },
        {"reportOptions": {"x": 1}},
        {"reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"},
    ],
    ids=[
        "unknown-type",
        "missing-type",
        "empty-marketplaces",
        "unknown-marketplace",
        "other-sellers-marketplace",
        "marketplaces-not-list",
        "bad-start",
        "bad-end",
        "start-after-end",
        "bad-options",
        "settlement-type",
    ],
)
async def test_create_report_rejects_invalid_input(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], body: dict[str, Any]
) -> None:
    spec = {"reportType": LEDGER, "marketplaceIds": [US], **body}
    spec = {key: value for key, value in spec.items() if value is not None}
    response = await client.post(f"{REPORTS}/reports", json=spec, headers=spapi_headers)
    error = response.json()["errors"][0]
    assert response.status_code == 400
    assert error["code"] == "InvalidInput"
    assert error["message"]


async def test_create_report_rejects_non_json_body(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.post(
        f"{REPORTS}/reports",
        content=b"{not json",
        headers={**spapi_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


async def test_create_report_rejects_form_body(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.post(
        f"{REPORTS}/reports", data={"reportType": LEDGER}, headers=spapi_headers
    )
    assert response.status_code == 415


async def test_report_moves_through_states(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    created = await create(client, spapi_headers)
    path = f"{REPORTS}/reports/{created.json()['reportId']}"
    statuses = []
    for _ in range(3):
        report = (await client.get(path, headers=spapi_headers)).json()
        statuses.append(report["processingStatus"])
        clock.advance(5)
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]


async def test_done_report_has_full_report_object(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(
        client,
        spapi_headers,
        clock,
        dataStartTime="2026-06-01T00:00:00-07:00",
        dataEndTime="2026-06-30T23:59:59-07:00",
    )
    assert report["reportType"] == LEDGER
    assert report["marketplaceIds"] == [US]
    assert report["dataStartTime"] == "2026-06-01T07:00:00+00:00"
    assert report["dataEndTime"] == "2026-07-01T06:59:59+00:00"
    assert report["createdTime"] == "2026-07-06T17:00:00+00:00"
    assert report["processingStartTime"] == "2026-07-06T17:00:05+00:00"
    assert report["processingEndTime"] == "2026-07-06T17:00:10+00:00"
    assert report["reportDocumentId"].startswith("amzn1.spdoc.1.4.na.")


async def test_in_queue_report_has_no_document(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    created = await create(client, spapi_headers)
    path = f"{REPORTS}/reports/{created.json()['reportId']}"
    report = (await client.get(path, headers=spapi_headers)).json()
    assert "reportDocumentId" not in report
    assert "processingStartTime" not in report


async def test_empty_range_is_cancelled(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(
        client,
        spapi_headers,
        clock,
        dataStartTime="2020-01-01",
        dataEndTime="2020-01-31",
    )
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report
    assert "processingEndTime" in report


async def test_unknown_report_is_not_found(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.get(f"{REPORTS}/reports/123", headers=spapi_headers)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NotFound"
    assert response.headers["x-amzn-RateLimit-Limit"] == "2000"


async def test_ledger_document_is_gzip_utf8(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(client, spapi_headers, clock)
    meta, body = await download(client, spapi_headers, report["reportDocumentId"])
    text = gzip.decompress(body.content).decode("utf-8")
    assert meta["compressionAlgorithm"] == "GZIP"
    assert body.content[:2] == b"\x1f\x8b"
    assert body.headers["content-type"] == "text/tab-separated-values; charset=UTF-8"
    assert "content-encoding" not in body.headers
    assert text.startswith('"Date"\t"FNSKU"')
    assert "Café" in text


async def test_content_encoding_header_on_request(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(client, spapi_headers, clock)
    meta = await client.get(
        f"{REPORTS}/documents/{report['reportDocumentId']}",
        params={"enableContentEncodingUrlHeader": "true"},
        headers=spapi_headers,
    )
    body = await client.get(meta.json()["url"])
    assert body.headers["content-encoding"] == "gzip"
    assert body.text.startswith('"Date"')


@pytest.mark.parametrize(
    ("report_type", "header"),
    [
        (REIMBURSEMENTS, "approval-date\treimbursement-id\t"),
        (RETURNS, "return-date\torder-id\t"),
    ],
    ids=["reimbursements", "returns"],
)
async def test_plain_document_has_no_compression(
    client: httpx.AsyncClient,
    spapi_headers: dict[str, str],
    clock: FakeClock,
    report_type: str,
    header: str,
) -> None:
    report = await finished_report(client, spapi_headers, clock, reportType=report_type)
    meta, body = await download(client, spapi_headers, report["reportDocumentId"])
    assert "compressionAlgorithm" not in meta
    assert body.content.decode("utf-8").startswith(header)


async def test_document_rows_are_inside_range(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(
        client,
        spapi_headers,
        clock,
        dataStartTime="2026-06-01",
        dataEndTime="2026-06-10",
    )
    _, body = await download(client, spapi_headers, report["reportDocumentId"])
    lines = gzip.decompress(body.content).decode("utf-8").splitlines()[1:]
    dates = {line.split("\t")[0].strip('"') for line in lines}
    assert lines
    assert min(dates) == "06/01/2026"
    assert max(dates) == "06/10/2026"


async def test_reimbursement_rows_inside_range(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(
        client,
        spapi_headers,
        clock,
        reportType=REIMBURSEMENTS,
        dataStartTime="2026-06-01T00:00:00Z",
        dataEndTime="2026-06-30T23:59:59Z",
    )
    _, body = await download(client, spapi_headers, report["reportDocumentId"])
    rows = body.text.splitlines()[1:]
    assert rows
    assert all(row.startswith("2026-06-") for row in rows)


async def test_download_url_expires(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    report = await finished_report(client, spapi_headers, clock)
    meta = await client.get(
        f"{REPORTS}/documents/{report['reportDocumentId']}", headers=spapi_headers
    )
    clock.advance(300)
    response = await client.get(meta.json()["url"])
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert "Request has expired" in response.text


async def test_unknown_download_token_is_denied(client: httpx.AsyncClient) -> None:
    response = await client.get("/_documents/nothing")
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text


async def test_unknown_document_is_not_found(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.get(
        f"{REPORTS}/documents/amzn1.spdoc.1.4.na.x.T1", headers=spapi_headers
    )
    assert response.status_code == 404


async def test_report_of_other_seller_is_not_found(
    folder_client: httpx.AsyncClient,
    folder_headers: dict[str, str],
    demo_headers: dict[str, str],
) -> None:
    created = await folder_client.post(
        f"{REPORTS}/reports",
        json={"reportType": LEDGER, "marketplaceIds": [US]},
        headers=demo_headers,
    )
    response = await folder_client.get(
        f"{REPORTS}/reports/{created.json()['reportId']}", headers=folder_headers
    )
    assert created.status_code == 202
    assert response.status_code == 404


async def test_get_reports_lists_newest_first(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    ids = []
    for _ in range(3):
        ids.append((await create(client, spapi_headers)).json()["reportId"])
        clock.advance(1)
    response = await client.get(
        f"{REPORTS}/reports",
        params={"reportTypes": LEDGER, "pageSize": "2"},
        headers=spapi_headers,
    )
    page = response.json()
    following = await client.get(
        f"{REPORTS}/reports",
        params={"nextToken": page["nextToken"]},
        headers=spapi_headers,
    )
    assert [r["reportId"] for r in page["reports"]] == ids[:0:-1]
    assert [r["reportId"] for r in following.json()["reports"]] == ids[:1]
    assert "nextToken" not in following.json()


async def test_get_reports_filters_by_status(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    await create(client, spapi_headers)
    clock.advance(10)
    await create(client, spapi_headers)
    response = await client.get(
        f"{REPORTS}/reports",
        params={"reportTypes": f"{LEDGER},{RETURNS}", "processingStatuses": "DONE"},
        headers=spapi_headers,
    )
    reports = response.json()["reports"]
    assert len(reports) == 1
    assert reports[0]["processingStatus"] == "DONE"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"reportTypes": LEDGER, "processingStatuses": "BAD_VALUE"},
        {"reportTypes": LEDGER, "pageSize": "101"},
        {"nextToken": "unknown"},
    ],
    ids=["no-filter", "bad-status", "page-too-large", "unknown-token"],
)
async def test_get_reports_rejects_invalid_query(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], params: dict[str, str]
) -> None:
    response = await client.get(
        f"{REPORTS}/reports", params=params, headers=spapi_headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


async def test_cancel_in_queue_report(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    created = await create(client, spapi_headers)
    path = f"{REPORTS}/reports/{created.json()['reportId']}"
    cancelled = await client.delete(path, headers=spapi_headers)
    clock.advance(10)
    report = (await client.get(path, headers=spapi_headers)).json()
    assert cancelled.status_code == 200
    assert report["processingStatus"] == "CANCELLED"
    assert "reportDocumentId" not in report


async def test_cancel_done_report_is_rejected(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    created = await create(client, spapi_headers)
    clock.advance(10)
    response = await client.delete(
        f"{REPORTS}/reports/{created.json()['reportId']}", headers=spapi_headers
    )
    assert response.status_code == 400
