"""Fulfillment Inbound API v0: getShipments and getShipmentItemsByShipmentId."""

from typing import Any

import httpx
import pytest

from sandbox.amazon.app import create_app
from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import US, FakeClock, seller_tokens

SHIPMENTS = "/fba/inbound/v0/shipments"


async def all_pages(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str]
) -> list[dict[str, Any]]:
    response = await client.get(SHIPMENTS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    payload = response.json()["payload"]
    shipments = list(payload["ShipmentData"])
    while "NextToken" in payload:
        response = await client.get(
            SHIPMENTS,
            params={
                "QueryType": "NEXT_TOKEN",
                "NextToken": payload["NextToken"],
                "MarketplaceId": US,
            },
            headers=headers,
        )
        assert response.status_code == 200, response.text
        payload = response.json()["payload"]
        shipments.extend(payload["ShipmentData"])
    return shipments


async def test_shipments_need_access_token(client: httpx.AsyncClient) -> None:
    response = await client.get(
        SHIPMENTS, params={"MarketplaceId": US, "QueryType": "SHIPMENT"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "Unauthorized"


@pytest.mark.parametrize(
    "params",
    [
        {"QueryType": "SHIPMENT", "ShipmentStatusList": "CLOSED"},
        {"MarketplaceId": "A1PA6795UKMFR9", "QueryType": "SHIPMENT"},
        {"MarketplaceId": "NOTAMARKET", "QueryType": "SHIPMENT"},
        {"MarketplaceId": US},
        {"MarketplaceId": US, "QueryType": "BADSHIPMENT"},
        {"MarketplaceId": US, "QueryType": "SHIPMENT"},
        {"MarketplaceId": US, "QueryType": "SHIPMENT", "ShipmentStatusList": "DONE"},
        {
            "MarketplaceId": US,
            "QueryType": "DATE_RANGE",
            "LastUpdatedAfter": "2026-06-01T00:00:00Z",
        },
        {
            "MarketplaceId": US,
            "QueryType": "DATE_RANGE",
            "LastUpdatedAfter": "2026-06-10T00:00:00Z",
            "LastUpdatedBefore": "2026-06-01T00:00:00Z",
        },
        {
            "MarketplaceId": US,
            "QueryType": "DATE_RANGE",
            "LastUpdatedAfter": "last week",
            "LastUpdatedBefore": "2026-06-01T00:00:00Z",
        },
        {"MarketplaceId": US, "QueryType": "NEXT_TOKEN"},
        {"MarketplaceId": US, "QueryType": "NEXT_TOKEN", "NextToken": "unknown"},
    ],
    ids=[
        "no-marketplace",
        "other-sellers-marketplace",
        "unknown-marketplace",
        "no-query-type",
        "unknown-query-type",
        "shipment-without-lists",
        "unknown-status",
        "date-range-without-before",
        "date-range-reversed",
        "date-range-unparseable",
        "next-token-missing",
        "next-token-unknown",
    ],
)
async def test_shipments_reject_invalid_query(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], params: dict[str, str]
) -> None:
    response = await client.get(SHIPMENTS, params=params, headers=spapi_headers)
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert errors[0]["code"] == "InvalidInput"
    assert errors[0]["message"]
    assert "details" in errors[0]
    assert response.headers["x-amzn-RateLimit-Limit"] == "2000"


async def test_shipments_by_status_page_with_token(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    first = await client.get(
        SHIPMENTS,
        params={
            "MarketplaceId": US,
            "QueryType": "SHIPMENT",
            "ShipmentStatusList": "CLOSED,RECEIVING",
        },
        headers=spapi_headers,
    )
    shipments = await all_pages(
        client,
        spapi_headers,
        {
            "MarketplaceId": US,
            "QueryType": "SHIPMENT",
            "ShipmentStatusList": "CLOSED,RECEIVING",
        },
    )
    ids = [shipment["ShipmentId"] for shipment in shipments]
    assert "NextToken" in first.json()["payload"]
    assert len(ids) == len(set(ids))
    assert len(ids) > len(first.json()["payload"]["ShipmentData"])
    assert {shipment["ShipmentStatus"] for shipment in shipments} == {
        "CLOSED",
        "RECEIVING",
    }


async def test_shipment_data_has_model_fields(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.get(
        SHIPMENTS,
        params={
            "MarketplaceId": US,
            "QueryType": "SHIPMENT",
            "ShipmentStatusList": "CLOSED",
        },
        headers=spapi_headers,
    )
    shipment = response.json()["payload"]["ShipmentData"][0]
    assert shipment["ShipmentId"].startswith("FBA15")
    assert shipment["ShipmentName"]
    assert shipment["DestinationFulfillmentCenterId"]
    assert shipment["ShipmentStatus"] == "CLOSED"
    assert shipment["ShipFromAddress"]["CountryCode"] == "US"


async def test_shipments_by_id_list(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    every = await all_pages(
        client,
        spapi_headers,
        {"MarketplaceId": US, "QueryType": "SHIPMENT", "ShipmentStatusList": "CLOSED"},
    )
    wanted = [every[0]["ShipmentId"], every[-1]["ShipmentId"]]
    response = await client.get(
        SHIPMENTS,
        params={
            "MarketplaceId": US,
            "QueryType": "SHIPMENT",
            "ShipmentIdList": ",".join(wanted),
        },
        headers=spapi_headers,
    )
    found = [s["ShipmentId"] for s in response.json()["payload"]["ShipmentData"]]
    assert sorted(found) == sorted(wanted)


async def test_date_range_narrows_shipments(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    wide = await all_pages(
        client,
        spapi_headers,
        {
            "MarketplaceId": US,
            "QueryType": "DATE_RANGE",
            "LastUpdatedAfter": "2026-01-01T00:00:00Z",
            "LastUpdatedBefore": "2026-07-06T00:00:00Z",
        },
    )
    narrow = await all_pages(
        client,
        spapi_headers,
        {
            "MarketplaceId": US,
            "QueryType": "DATE_RANGE",
            "LastUpdatedAfter": "2026-06-01T00:00:00Z",
            "LastUpdatedBefore": "2026-07-06T00:00:00Z",
        },
    )
    wide_ids = {shipment["ShipmentId"] for shipment in wide}
    narrow_ids = {shipment["ShipmentId"] for shipment in narrow}
    assert narrow_ids
    assert narrow_ids < wide_ids


async def test_items_of_shipment(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.get(
        SHIPMENTS,
        params={
            "MarketplaceId": US,
            "QueryType": "SHIPMENT",
            "ShipmentStatusList": "CLOSED",
        },
        headers=spapi_headers,
    )
    shipment_id = response.json()["payload"]["ShipmentData"][0]["ShipmentId"]
    items = await client.get(
        f"{SHIPMENTS}/{shipment_id}/items",
        params={"MarketplaceId": US},
        headers=spapi_headers,
    )
    item = items.json()["payload"]["ItemData"][0]
    assert items.status_code == 200
    assert set(item) == {
        "ShipmentId",
        "SellerSKU",
        "FulfillmentNetworkSKU",
        "QuantityShipped",
        "QuantityReceived",
        "QuantityInCase",
    }
    assert item["ShipmentId"] == shipment_id
    assert item["FulfillmentNetworkSKU"].startswith("X00")
    assert item["QuantityShipped"] >= item["QuantityReceived"] > 0


@pytest.mark.parametrize(
    ("shipment_id", "params"),
    [
        ("FBA15NOTHERE", {"MarketplaceId": US}),
        ("FBA15NOTHERE", {"MarketplaceId": "A1PA6795UKMFR9"}),
    ],
    ids=["unknown-shipment", "other-marketplace"],
)
async def test_items_reject_invalid_request(
    client: httpx.AsyncClient,
    spapi_headers: dict[str, str],
    shipment_id: str,
    params: dict[str, str],
) -> None:
    response = await client.get(
        f"{SHIPMENTS}/{shipment_id}/items", params=params, headers=spapi_headers
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"


async def test_items_need_access_token(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{SHIPMENTS}/FBA15X/items")
    assert response.status_code == 403


async def test_shipments_throttled_after_burst(
    config: AmazonSandboxConfig, clock: FakeClock
) -> None:
    config.rate_limit_scale = 1.0
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        _, access = await seller_tokens(http, config)
        headers = {"x-amz-access-token": access}
        params = {
            "MarketplaceId": US,
            "QueryType": "SHIPMENT",
            "ShipmentStatusList": "WORKING",
        }
        statuses = [
            (await http.get(SHIPMENTS, params=params, headers=headers)).status_code
            for _ in range(31)
        ]
        throttled = await http.get(SHIPMENTS, params=params, headers=headers)
        clock.advance(1)
        refilled = await http.get(SHIPMENTS, params=params, headers=headers)
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert refilled.status_code == 200
    assert refilled.headers["x-amzn-RateLimit-Limit"] == "2"
