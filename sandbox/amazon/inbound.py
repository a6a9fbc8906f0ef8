"""Fulfillment Inbound API v0: getShipments and getShipmentItemsByShipmentId."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from .errors import SpApiError, invalid_input
from .marketplaces import MARKETPLACES
from .report_request import parse_iso8601
from .sellers import InboundShipment, Seller
from .spapi import SpApiCall, spapi_operation
from .state import SandboxState

PREFIX = "/fba/inbound/v0"
PAGE_SIZE = 50
"""Shipments per getShipments page.

NOTE: Amazon does not document its page size. 50 keeps the demo seller's
shipments on more than one page, so clients have to follow NextToken.
"""
MAX_SHIPMENT_IDS = 999
SHIPMENT_STATUSES = frozenset(
    {
        "WORKING",
        "READY_TO_SHIP",
        "SHIPPED",
        "RECEIVING",
        "CANCELLED",
        "DELETED",
        "CLOSED",
        "ERROR",
        "IN_TRANSIT",
        "DELIVERED",
        "CHECKED_IN",
    }
)
QUERY_TYPES = frozenset({"SHIPMENT", "DATE_RANGE", "NEXT_TOKEN"})


@dataclass(frozen=True)
class _Page:
    seller_id: str
    marketplace_id: str
    shipment_ids: tuple[str, ...]
    offset: int


def inbound_router(state: SandboxState) -> APIRouter:
    """Build the Fulfillment Inbound v0 routes."""
    router = APIRouter(prefix=PREFIX, tags=["Fulfillment Inbound v0"])
    shipments_call = Annotated[
        SpApiCall, Depends(spapi_operation(state, "getShipments"))
    ]
    items_call = Annotated[
        SpApiCall, Depends(spapi_operation(state, "getShipmentItemsByShipmentId"))
    ]
    pages: dict[str, _Page] = {}

    @router.get("/shipments")
    async def get_shipments(request: Request, call: shipments_call) -> JSONResponse:
        """Return {"payload": {"ShipmentData": [...], "NextToken"?}}."""
        params = request.query_params
        marketplace_id = _marketplace(params.get("MarketplaceId"), call)
        query_type = params.get("QueryType")
        if query_type not in QUERY_TYPES:
            raise _reject(
                "QueryType is required and must be SHIPMENT, DATE_RANGE or "
                f"NEXT_TOKEN, got {query_type!r}.",
                call,
            )
        if query_type == "NEXT_TOKEN":
            page = _continued_page(pages, params.get("NextToken"), call)
        else:
            selected = _select(call.seller.inbound_shipments(), request, call)
            page = _Page(
                call.seller.selling_partner_id,
                marketplace_id,
                tuple(shipment.shipment_id for shipment in selected),
                0,
            )
        by_id = {s.shipment_id: s for s in call.seller.inbound_shipments()}
        chunk = page.shipment_ids[page.offset : page.offset + PAGE_SIZE]
        payload: dict[str, Any] = {
            "ShipmentData": [
                _shipment_json(by_id[shipment_id], call.seller) for shipment_id in chunk
            ]
        }
        if page.offset + PAGE_SIZE < len(page.shipment_ids):
            token = secrets.token_urlsafe(48)
            pages[token] = _Page(
                page.seller_id,
                page.marketplace_id,
                page.shipment_ids,
                page.offset + PAGE_SIZE,
            )
            payload["NextToken"] = token
        return call.json({"payload": payload})

    @router.get("/shipments/{shipment_id}/items")
    async def get_shipment_items(
        shipment_id: str, request: Request, call: items_call
    ) -> JSONResponse:
        """Return {"payload": {"ItemData": [...]}} of one of the seller's shipments."""
        raw_marketplace = request.query_params.get("MarketplaceId")
        if raw_marketplace is not None:
            _marketplace(raw_marketplace, call)
        shipment = next(
            (
                s
                for s in call.seller.inbound_shipments()
                if s.shipment_id == shipment_id
            ),
            None,
        )
        if shipment is None:
            # NOTE: the model lists both 400 and 404 for this operation. The
            # sandbox rejects an unknown or other seller's id with 400.
            raise _reject(f"Invalid shipment ID: {shipment_id}", call)
        items = [
            {
                "ShipmentId": shipment.shipment_id,
                "SellerSKU": item.seller_sku,
                "FulfillmentNetworkSKU": item.fulfillment_network_sku,
                "QuantityShipped": item.quantity_shipped,
                "QuantityReceived": item.quantity_received,
                "QuantityInCase": item.quantity_in_case,
            }
            for item in shipment.items
        ]
        return call.json({"payload": {"ItemData": items}})

    return router


def _reject(message: str, call: SpApiCall) -> SpApiError:
    return invalid_input(message, call.rate_limit)


def _marketplace(raw: str | None, call: SpApiCall) -> str:
    if not raw:
        raise _reject("MarketplaceId is required.", call)
    if raw not in MARKETPLACES:
        raise _reject(f"Invalid MarketplaceId: {raw}", call)
    if raw != call.seller.marketplace.id:
        raise _reject(f"The seller does not participate in marketplace {raw}.", call)
    return raw


def _continued_page(
    pages: dict[str, _Page], token: str | None, call: SpApiCall
) -> _Page:
    if not token:
        raise _reject("QueryType NEXT_TOKEN requires NextToken.", call)
    page = pages.pop(token, None)
    if page is None or page.seller_id != call.seller.selling_partner_id:
        raise _reject("Invalid NextToken.", call)
    return page


def _list_param(request: Request, name: str) -> list[str]:
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def _select(
    shipments: Sequence[InboundShipment], request: Request, call: SpApiCall
) -> list[InboundShipment]:
    """Apply a SHIPMENT or DATE_RANGE query, or raise InvalidInput."""
    statuses = _list_param(request, "ShipmentStatusList")
    unknown = sorted(set(statuses) - SHIPMENT_STATUSES)
    if unknown:
        raise _reject(f"Invalid ShipmentStatusList: {', '.join(unknown)}", call)
    shipment_ids = _list_param(request, "ShipmentIdList")
    if len(shipment_ids) > MAX_SHIPMENT_IDS:
        raise _reject(
            f"ShipmentIdList may list at most {MAX_SHIPMENT_IDS} shipment ids.", call
        )
    selected = list(shipments)
    if request.query_params.get("QueryType") == "SHIPMENT":
        if not statuses and not shipment_ids:
            raise _reject(
                "QueryType SHIPMENT requires ShipmentStatusList or ShipmentIdList.",
                call,
            )
    else:
        after, before = _date_range(request, call)
        selected = [s for s in selected if after <= s.last_updated <= before]
    if statuses:
        selected = [s for s in selected if s.status in statuses]
    if shipment_ids:
        selected = [s for s in selected if s.shipment_id in shipment_ids]
    return selected


def _date_range(request: Request, call: SpApiCall) -> tuple[datetime, datetime]:
    raw_after = request.query_params.get("LastUpdatedAfter")
    raw_before = request.query_params.get("LastUpdatedBefore")
    if not raw_after or not raw_before:
        raise _reject(
            "QueryType DATE_RANGE requires LastUpdatedAfter and LastUpdatedBefore.",
            call,
        )
    try:
        after = parse_iso8601(raw_after, UTC, "LastUpdatedAfter")
        before = parse_iso8601(raw_before, UTC, "LastUpdatedBefore")
    except ValueError as error:
        raise _reject(str(error), call) from None
    if after > before:
        raise _reject("LastUpdatedAfter must not be after LastUpdatedBefore.", call)
    return after, before


def _shipment_json(shipment: InboundShipment, seller: Seller) -> dict[str, Any]:
    market = seller.marketplace
    return {
        "ShipmentId": shipment.shipment_id,
        "ShipmentName": shipment.shipment_name,
        "ShipFromAddress": {
            "Name": seller.name,
            "AddressLine1": "100 Harbor Way",
            "City": "Portland" if market.country_code == "US" else "Hamburg",
            "CountryCode": market.country_code,
            "PostalCode": "97209" if market.country_code == "US" else "20457",
        },
        "DestinationFulfillmentCenterId": shipment.destination_center,
        "ShipmentStatus": shipment.status,
        "LabelPrepType": "SELLER_LABEL",
        "AreCasesRequired": False,
        "BoxContentsSource": "FEED",
    }
