"""SpApiClient calls for getReports and Fulfillment Inbound v0, on a mock transport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from integrations.amazon.ratelimit import DEFAULT_LIMITS, RateLimiter
from integrations.amazon.spapi import SpApiClient, SpApiError, SpApiThrottled

Handler = Callable[[httpx.Request], httpx.Response]
ENDPOINT = "https://sellingpartnerapi-na.amazon.com"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


class Recorder:
    """A transport handler that records requests and returns scripted responses."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self._responses = list(responses)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._responses.pop(0)


@pytest.fixture
async def http() -> AsyncIterator[Callable[[Handler], httpx.AsyncClient]]:
    clients: list[httpx.AsyncClient] = []

    def build(handler: Handler) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


def _client(http: httpx.AsyncClient) -> SpApiClient:
    return SpApiClient(
        http,
        endpoint=ENDPOINT,
        user_agent="clario-test/1.0",
        limiter=RateLimiter(max_wait=0.0),
    )


def _json(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode())


def test_default_limits_follow_models() -> None:
    assert DEFAULT_LIMITS["getReports"] == (0.0222, 10)
    assert DEFAULT_LIMITS["getShipments"] == (2.0, 30)
    assert DEFAULT_LIMITS["getShipmentItemsByShipmentId"] == (2.0, 30)


async def test_get_reports_sends_filters(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    recorder = Recorder(_json({"reports": [{"reportId": "R1"}], "nextToken": "page-2"}))
    page = await _client(http(recorder)).get_reports(
        "Atza|token",
        "A1SELLER",
        report_types=[SETTLEMENT],
        processing_statuses=["DONE"],
        created_since=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        created_until=datetime(2024, 3, 1, tzinfo=UTC),
    )
    request = recorder.requests[0]
    assert request.url.path == "/reports/2021-06-30/reports"
    assert request.url.params["reportTypes"] == SETTLEMENT
    assert request.url.params["processingStatuses"] == "DONE"
    assert request.url.params["createdSince"] == "2024-01-02T03:04:05Z"
    assert request.url.params["createdUntil"] == "2024-03-01T00:00:00Z"
    assert request.url.params["pageSize"] == "100"
    assert request.headers["x-amz-access-token"] == "Atza|token"
    assert page.reports == [{"reportId": "R1"}]
    assert page.next_token == "page-2"


async def test_get_reports_next_token_sent_alone(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    recorder = Recorder(_json({"reports": []}))
    page = await _client(http(recorder)).get_reports(
        "Atza|token", "A1SELLER", report_types=[SETTLEMENT], next_token="page-2"
    )
    assert dict(recorder.requests[0].url.params) == {"nextToken": "page-2"}
    assert page.next_token is None


async def test_get_reports_needs_types_or_token(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    client = _client(http(Recorder()))
    with pytest.raises(ValueError, match="requires report_types"):
        await client.get_reports("Atza|token", "A1SELLER")


async def test_get_reports_throttled(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    body = {"errors": [{"code": "QuotaExceeded", "message": "You exceeded"}]}
    client = _client(http(Recorder(_json(body, 429))))
    with pytest.raises(SpApiThrottled) as caught:
        await client.get_reports("Atza|token", "A1SELLER", report_types=[SETTLEMENT])
    # One getReports token takes 1 / 0.0222 = 45 seconds to refill.
    assert caught.value.retry_after >= 45


async def test_get_shipments_by_date_range(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    shipment = {
        "ShipmentId": "FBA15DJ9SVVD",
        "ShipmentName": "Mugs May",
        "ShipmentStatus": "CLOSED",
        "DestinationFulfillmentCenterId": "ACY1",
        "AreCasesRequired": False,
        "ShipFromAddress": {},
    }
    recorder = Recorder(
        _json({"payload": {"ShipmentData": [shipment], "NextToken": "next-1"}})
    )
    page = await _client(http(recorder)).get_inbound_shipments(
        "Atza|token",
        "A1SELLER",
        marketplace_id="ATVPDKIKX0DER",
        statuses=["WORKING", "CLOSED"],
        updated_after=datetime(2024, 1, 1, tzinfo=UTC),
        updated_before=datetime(2024, 6, 1, tzinfo=UTC),
    )
    params = recorder.requests[0].url.params
    assert recorder.requests[0].url.path == "/fba/inbound/v0/shipments"
    assert params["QueryType"] == "DATE_RANGE"
    assert params["MarketplaceId"] == "ATVPDKIKX0DER"
    assert params["ShipmentStatusList"] == "WORKING,CLOSED"
    assert params["LastUpdatedAfter"] == "2024-01-01T00:00:00Z"
    assert params["LastUpdatedBefore"] == "2024-06-01T00:00:00Z"
    assert page.shipments == [shipment]
    assert page.next_token == "next-1"


async def test_get_shipments_next_page(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    recorder = Recorder(_json({"payload": {"ShipmentData": []}}))
    page = await _client(http(recorder)).get_inbound_shipments(
        "Atza|token",
        "A1SELLER",
        marketplace_id="ATVPDKIKX0DER",
        statuses=["CLOSED"],
        next_token="next-1",
    )
    assert dict(recorder.requests[0].url.params) == {
        "MarketplaceId": "ATVPDKIKX0DER",
        "QueryType": "NEXT_TOKEN",
        "NextToken": "next-1",
    }
    assert page.shipments == []
    assert page.next_token is None


async def test_get_shipments_by_status(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    recorder = Recorder(_json({"payload": {"ShipmentData": []}}))
    await _client(http(recorder)).get_inbound_shipments(
        "Atza|token", "A1SELLER", marketplace_id="ATVPDKIKX0DER", statuses=["WORKING"]
    )
    assert recorder.requests[0].url.params["QueryType"] == "SHIPMENT"


async def test_get_shipments_errors_without_payload(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    body = {"errors": [{"code": "InvalidInput", "message": "bad MarketplaceId"}]}
    client = _client(http(Recorder(_json(body))))
    with pytest.raises(SpApiError) as caught:
        await client.get_inbound_shipments(
            "Atza|token", "A1SELLER", marketplace_id="ATVPDKIKX0DER"
        )
    assert caught.value.code == "InvalidInput"
    assert not caught.value.retryable


async def test_get_shipment_items(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    item = {
        "ShipmentId": "FBA15DJ9SVVD",
        "SellerSKU": "MUG-12OZ",
        "FulfillmentNetworkSKU": "X00ABCDE12",
        "QuantityShipped": 24,
        "QuantityReceived": 22,
        "QuantityInCase": 12,
    }
    recorder = Recorder(_json({"payload": {"ItemData": [item]}}))
    items = await _client(http(recorder)).get_inbound_shipment_items(
        "Atza|token", "A1SELLER", "FBA15DJ9SVVD", marketplace_id="ATVPDKIKX0DER"
    )
    request = recorder.requests[0]
    assert request.url.path == "/fba/inbound/v0/shipments/FBA15DJ9SVVD/items"
    assert request.url.params["MarketplaceId"] == "ATVPDKIKX0DER"
    assert items == [item]


async def test_get_shipment_items_quotes_id(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    recorder = Recorder(_json({"payload": {"ItemData": []}}))
    await _client(http(recorder)).get_inbound_shipment_items(
        "Atza|token", "A1SELLER", "FBA/1 2", marketplace_id="ATVPDKIKX0DER"
    )
    assert recorder.requests[0].url.raw_path.startswith(
        b"/fba/inbound/v0/shipments/FBA%2F1%202/items"
    )


async def test_get_shipment_items_server_error_retryable(
    http: Callable[[Handler], httpx.AsyncClient],
) -> None:
    client = _client(http(Recorder(_json({"errors": []}, 503))))
    with pytest.raises(SpApiError) as caught:
        await client.get_inbound_shipment_items(
            "Atza|token", "A1SELLER", "FBA1", marketplace_id="ATVPDKIKX0DER"
        )
    assert caught.value.retryable
    assert caught.value.status == 503
