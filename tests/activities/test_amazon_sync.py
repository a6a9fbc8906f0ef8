"""Sync activities for listed reports, inbound shipments and the fee preview.

SP-API runs on a mock transport, the database is a migrated SQLite file and the
access token lookup is replaced, so each test reads what the activity stored.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

import activities.amazon as amazon_activities
from activities.amazon import AmazonActivities
from activities.deps import ActivityDeps
from integrations.amazon.ratelimit import RateLimiter
from integrations.amazon.spapi import SpApiClient
from integrations.circuit import CircuitBreaker
from store.blobs import LocalBlobStore
from store.db import create_engine, session_factory
from store.migrate import upgrade_to_head
from store.models import ReportDocument, User
from store.reportdata import ReportDataStore
from tests.conftest import make_settings
from workflows.models import (
    InboundSyncInput,
    IngestReportInput,
    ListReportsInput,
)

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
SETTLEMENTS = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FEES = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
USER = "usr_test"
NOW = datetime(2024, 6, 1, tzinfo=UTC)

Route = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeAmazon:
    """A transport handler that routes by path to scripted responses and records
    every request."""

    routes: dict[str, list[httpx.Response]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(self, path: str, body: object, *, content_type: str = "") -> None:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": content_type} if content_type else {}
        response = httpx.Response(200, content=content, headers=headers)
        self.routes.setdefault(path, []).append(response)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes[request.url.path].pop(0)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


@dataclass
class Setup:
    activities: AmazonActivities
    amazon: FakeAmazon
    deps: ActivityDeps


@pytest.fixture
async def setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Setup]:
    settings = make_settings(tmp_path)
    engine = create_engine(settings.database_url)
    await upgrade_to_head(engine)
    sessions = session_factory(engine)
    async with sessions() as db, db.begin():
        db.add(User(id=USER, amazon_user_id="amzn1.account.T", email="t@x", name="T"))

    async def token_for(deps: ActivityDeps, user_id: str) -> tuple[str, Any]:
        return "Atza|token", SimpleNamespace(id="amz_1", selling_partner_id="A1S")

    monkeypatch.setattr(amazon_activities, "access_token_for", token_for)
    amazon = FakeAmazon()
    http = httpx.AsyncClient(transport=httpx.MockTransport(amazon))
    spapi = SpApiClient(
        http,
        endpoint="https://sellingpartnerapi-na.amazon.com",
        user_agent="clario-test/1.0",
        limiter=RateLimiter(max_wait=0.0),
    )
    deps = ActivityDeps(
        settings=settings,
        sessions=sessions,
        secrets=cast(Any, None),
        http=http,
        lwa=cast(Any, None),
        spapi=spapi,
        blobs=LocalBlobStore(tmp_path / "blobs"),
        report_data=ReportDataStore(tmp_path / "reportdata"),
    )
    try:
        yield Setup(AmazonActivities(deps), amazon, deps)
    finally:
        await http.aclose()
        await engine.dispose()


def _report(report_id: str, created: str, *marketplaces: str) -> dict[str, Any]:
    return {
        "reportId": report_id,
        "reportType": SETTLEMENTS,
        "processingStatus": "DONE",
        "createdTime": created,
        "dataStartTime": "2024-05-01T00:00:00Z",
        "dataEndTime": "2024-05-15T00:00:00Z",
        "marketplaceIds": list(marketplaces),
        "reportDocumentId": f"doc-{report_id}",
    }


async def test_list_reports_skips_ingested(setup: Setup) -> None:
    async with setup.deps.sessions() as db, db.begin():
        db.add(
            ReportDocument(
                id="rpt_1",
                user_id=USER,
                report_type=SETTLEMENTS,
                marketplace_id=US,
                amazon_report_id="S2",
                processing_status="DONE",
                rows_added=0,
            )
        )
    no_document = {**_report("S0", "2024-05-02T00:00:00Z", US)}
    del no_document["reportDocumentId"]
    first_page = [_report("S3", "2024-05-20T00:00:00Z", CA), no_document]
    setup.amazon.add(
        "/reports/2021-06-30/reports", {"reports": first_page, "nextToken": "p2"}
    )
    second_page = [
        _report("S2", "2024-05-10T00:00:00Z"),
        _report("S1", "2024-05-01T00:00:00Z"),
    ]
    setup.amazon.add("/reports/2021-06-30/reports", {"reports": second_page})

    result = await ActivityEnvironment().run(
        setup.activities.list_reports,
        ListReportsInput(
            user_id=USER,
            report_type=SETTLEMENTS,
            marketplace_id=US,
            created_since=NOW - timedelta(days=540),
            created_until=NOW,
        ),
    )

    first, second = setup.amazon.requests
    assert [r.report_id for r in result.reports] == ["S1", "S3"]
    assert [r.marketplace_id for r in result.reports] == [US, CA]
    assert result.reports[1].document_id == "doc-S3"
    assert result.reports[1].data_end == datetime(2024, 5, 15, tzinfo=UTC)
    assert first.url.params["processingStatuses"] == "DONE"
    assert first.url.params["reportTypes"] == SETTLEMENTS
    assert first.url.params["createdSince"] == "2024-03-03T00:00:00Z"
    assert dict(second.url.params) == {"nextToken": "p2"}


def _shipment(shipment_id: str, status: str) -> dict[str, Any]:
    return {
        "ShipmentId": shipment_id,
        "ShipmentName": f"Shipment {shipment_id}",
        "ShipmentStatus": status,
        "DestinationFulfillmentCenterId": "ACY1",
        "AreCasesRequired": False,
        "ShipFromAddress": {},
    }


def _item(sku: str, shipped: int, received: int) -> dict[str, Any]:
    return {
        "SellerSKU": sku,
        "FulfillmentNetworkSKU": f"X00{sku}",
        "QuantityShipped": shipped,
        "QuantityReceived": received,
    }


def _script_inbound(amazon: FakeAmazon, status: str) -> None:
    amazon.add(
        "/fba/inbound/v0/shipments",
        {"payload": {"ShipmentData": [_shipment("FBA1", status)], "NextToken": "n"}},
    )
    amazon.add(
        "/fba/inbound/v0/shipments",
        {"payload": {"ShipmentData": [_shipment("FBA2", "CLOSED")]}},
    )
    amazon.add(
        "/fba/inbound/v0/shipments/FBA1/items",
        {"payload": {"ItemData": [_item("MUG", 24, 20), _item("CUP", 6, 6)]}},
    )
    amazon.add(
        "/fba/inbound/v0/shipments/FBA2/items",
        {"payload": {"ItemData": [_item("MUG", 12, 12)]}},
    )


def _inbound_input() -> InboundSyncInput:
    return InboundSyncInput(
        user_id=USER,
        sync_id="syn_1",
        marketplace_id=US,
        updated_after=NOW - timedelta(days=540),
        updated_before=NOW,
    )


async def test_inbound_shipments_and_items_stored(setup: Setup) -> None:
    _script_inbound(setup.amazon, "RECEIVING")
    result = await ActivityEnvironment().run(
        setup.activities.sync_inbound_shipments, _inbound_input()
    )
    shipments = setup.deps.report_data.read(USER, "inbound_shipments")
    items = setup.deps.report_data.read(USER, "inbound_shipment_items")
    listing = setup.amazon.requests[0].url.params
    assert (result.shipments, result.items, result.rows_added) == (2, 3, 5)
    assert shipments is not None
    assert items is not None
    assert sorted(shipments.column("shipment_id").to_pylist()) == ["FBA1", "FBA2"]
    assert sorted(items.column("quantity_received").to_pylist()) == [6, 12, 20]
    assert listing["QueryType"] == "DATE_RANGE"
    assert "CLOSED" in listing["ShipmentStatusList"].split(",")
    assert setup.amazon.requests[1].url.params["QueryType"] == "NEXT_TOKEN"


def _fail_first(amazon: FakeAmazon, path: str, status: int, code: str) -> None:
    """Put an SP-API error response before the scripted responses of `path`."""
    body = json.dumps({"errors": [{"code": code, "message": "injected"}]}).encode()
    amazon.routes[path].insert(0, httpx.Response(status, content=body))


async def test_server_errors_retried_in_place(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(amazon_activities, "_transient_delay", lambda failures: 0.0)
    _script_inbound(setup.amazon, "RECEIVING")
    _fail_first(setup.amazon, "/fba/inbound/v0/shipments", 503, "ServiceUnavailable")
    items = "/fba/inbound/v0/shipments/FBA2/items"
    _fail_first(setup.amazon, items, 500, "InternalFailure")
    _fail_first(setup.amazon, items, 503, "ServiceUnavailable")
    result = await ActivityEnvironment().run(
        setup.activities.sync_inbound_shipments, _inbound_input()
    )
    assert (result.shipments, result.items, result.rows_added) == (2, 3, 5)
    assert setup.amazon.paths().count(items) == 3
    assert setup.amazon.paths().count("/fba/inbound/v0/shipments") == 3


async def test_server_errors_reach_temporal(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fewer retries than the circuit breaker's threshold, which would open first.
    monkeypatch.setattr(amazon_activities, "_TRANSIENT_RETRIES", 2)
    monkeypatch.setattr(amazon_activities, "_transient_delay", lambda failures: 0.0)
    _script_inbound(setup.amazon, "RECEIVING")
    for _ in range(3):
        _fail_first(setup.amazon, "/fba/inbound/v0/shipments", 500, "InternalFailure")
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            setup.activities.sync_inbound_shipments, _inbound_input()
        )
    assert raised.value.type == "spapi_error"
    assert not raised.value.non_retryable
    assert len(setup.amazon.requests) == 3


async def test_open_circuit_waited_out(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [0.0]
    breaker = CircuitBreaker("amazon_spapi", threshold=2, cooldown=30.0)
    breaker.clock = lambda: clock[0]
    spapi = SpApiClient(
        setup.deps.http,
        endpoint="https://sellingpartnerapi-na.amazon.com",
        user_agent="clario-test/1.0",
        limiter=RateLimiter(max_wait=0.0),
        breaker=breaker,
    )
    waits: list[float] = []

    async def sleep(seconds: float, detail: str) -> None:
        waits.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(amazon_activities, "_sleep_with_heartbeat", sleep)
    monkeypatch.setattr(amazon_activities, "_transient_delay", lambda failures: 0.0)
    _script_inbound(setup.amazon, "RECEIVING")
    for _ in range(2):
        _fail_first(setup.amazon, "/fba/inbound/v0/shipments", 500, "InternalFailure")
    activities = AmazonActivities(replace(setup.deps, spapi=spapi))
    result = await ActivityEnvironment().run(
        activities.sync_inbound_shipments, _inbound_input()
    )
    assert result.shipments == 2
    assert waits == [0.0, 0.0, 30.0]
    assert breaker.state == "closed"


async def test_rejected_call_not_retried(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(amazon_activities, "_transient_delay", lambda failures: 0.0)
    _script_inbound(setup.amazon, "RECEIVING")
    _fail_first(setup.amazon, "/fba/inbound/v0/shipments", 400, "InvalidInput")
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(
            setup.activities.sync_inbound_shipments, _inbound_input()
        )
    assert raised.value.non_retryable
    assert len(setup.amazon.requests) == 1


async def test_inbound_rerun_stores_only_changes(setup: Setup) -> None:
    _script_inbound(setup.amazon, "RECEIVING")
    await ActivityEnvironment().run(
        setup.activities.sync_inbound_shipments, _inbound_input()
    )
    _script_inbound(setup.amazon, "CLOSED")
    again = await ActivityEnvironment().run(
        setup.activities.sync_inbound_shipments, _inbound_input()
    )
    shipments = setup.deps.report_data.read(USER, "inbound_shipments")
    assert shipments is not None
    assert again.rows_added == 1
    assert shipments.num_rows == 3


FEE_HEADER = (
    "sku\tfnsku\tasin\tproduct-name\tcurrency\tyour-price\tsales-price\t"
    "longest-side\tmedian-side\tshortest-side\tlength-and-girth\tunit-of-dimension\t"
    "item-package-weight\tunit-of-weight\tproduct-size-tier\testimated-fee-total\t"
    "estimated-referral-fee-per-unit\texpected-fulfillment-fee-per-unit\n"
)


def _fee_row(sku: str, fee: str) -> str:
    return (
        f"{sku}\tX00{sku}\tB0{sku}\tItem\tUSD\t19.99\t--\t5.2\t4.1\t3.9\t21.2\t"
        f"inches\t0.95\tpounds\tLarge Standard\t7.41\t3.00\t{fee}\n"
    )


async def _ingest_fees(setup: Setup, report_id: str, text: str) -> None:
    setup.amazon.add(
        f"/reports/2021-06-30/documents/doc-{report_id}",
        {"reportDocumentId": f"doc-{report_id}", "url": f"https://files/{report_id}"},
    )
    setup.amazon.add(f"/{report_id}", text.encode(), content_type="text/plain")
    await ActivityEnvironment().run(
        setup.activities.ingest_report,
        IngestReportInput(
            user_id=USER,
            sync_id="syn_1",
            report_type=FEES,
            marketplace_id=US,
            report_id=report_id,
            document_id=f"doc-{report_id}",
        ),
    )


async def test_fee_preview_file_replaces_table(setup: Setup) -> None:
    await _ingest_fees(setup, "F1", FEE_HEADER + _fee_row("MUG", "4.41"))
    await _ingest_fees(
        setup, "F2", FEE_HEADER + _fee_row("MUG", "5.02") + _fee_row("CUP", "3.22")
    )
    table = setup.deps.report_data.read(USER, "fee_preview")
    async with setup.deps.sessions() as db:
        recorded = list(await db.scalars(select(ReportDocument.amazon_report_id)))
    assert table is not None
    assert sorted(table.column("sku").to_pylist()) == ["CUP", "MUG"]
    assert sorted(table.column("expected_fulfillment_fee_per_unit").to_pylist()) == [
        "3.22",
        "5.02",
    ]
    assert sorted(recorded) == ["F1", "F2"]
