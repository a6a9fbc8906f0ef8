"""Selling Partner API client: Sellers, Reports 2021-06-30 and Fulfillment Inbound v0.

Calls carry `x-amz-access-token` (no SigV4 since 2023-10-02) and a `user-agent`.
Each call is paced by a token bucket per seller and operation. A 429 raises
`SpApiThrottled` with the delay to wait, and failures log Amazon's `x-amzn-RequestId`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from integrations.amazon.ratelimit import RateLimiter
from integrations.circuit import CircuitBreaker

logger = logging.getLogger(__name__)

REPORTS = "/reports/2021-06-30"
INBOUND = "/fba/inbound/v0"


class SpApiError(Exception):
    """An SP-API call failed; `retryable` is true when trying again can help."""

    def __init__(
        self,
        operation: str,
        status: int,
        message: str,
        *,
        code: str = "",
        request_id: str = "",
        retryable: bool = False,
    ) -> None:
        super().__init__(
            f"{operation} failed with HTTP {status} {code}: {message}".strip()
        )
        self.operation = operation
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retryable = retryable


class SpApiThrottled(SpApiError):
    def __init__(
        self, operation: str, retry_after: float, request_id: str = ""
    ) -> None:
        super().__init__(
            operation,
            429,
            "quota exceeded",
            code="QuotaExceeded",
            request_id=request_id,
            retryable=True,
        )
        self.retry_after = retry_after


class SpApiUnauthorized(SpApiError):
    """A 401 or 403: the access token is expired or revoked, or a role is missing."""


@dataclass(frozen=True)
class ReportDocumentInfo:
    document_id: str
    url: str
    compression_algorithm: str | None


@dataclass(frozen=True)
class DownloadedDocument:
    content: bytes
    content_type: str | None


@dataclass(frozen=True)
class ReportsPage:
    """One page of getReports: report objects and the next page's token."""

    reports: list[dict[str, Any]]
    next_token: str | None


@dataclass(frozen=True)
class ShipmentsPage:
    """One page of getShipments: ``InboundShipmentInfo`` objects (PascalCase fields)."""

    shipments: list[dict[str, Any]]
    next_token: str | None


class SpApiClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        endpoint: str,
        user_agent: str,
        limiter: RateLimiter,
        breaker: CircuitBreaker | None = None,
        throttle_delay: float = 60.0,
    ) -> None:
        self._http = http
        self._endpoint = endpoint.rstrip("/")
        self._user_agent = user_agent
        self._limiter = limiter
        self._breaker = breaker or CircuitBreaker("amazon_spapi")
        self._throttle_delay = throttle_delay

    async def marketplace_participations(
        self, access_token: str, seller: str
    ) -> list[dict[str, Any]]:
        body = await self._call(
            "getMarketplaceParticipations",
            "GET",
            "/sellers/v1/marketplaceParticipations",
            access_token,
            seller,
        )
        payload = body.get("payload", [])
        return payload if isinstance(payload, list) else []

    async def create_report(
        self,
        access_token: str,
        seller: str,
        *,
        report_type: str,
        marketplace_ids: list[str],
        start: str | None,
        end: str | None,
    ) -> str:
        """Request a report; returns its `reportId`. Times are ISO 8601 with offset."""
        request: dict[str, Any] = {
            "reportType": report_type,
            "marketplaceIds": marketplace_ids,
        }
        if start:
            request["dataStartTime"] = start
        if end:
            request["dataEndTime"] = end
        body = await self._call(
            "createReport",
            "POST",
            f"{REPORTS}/reports",
            access_token,
            seller,
            json=request,
        )
        return str(body["reportId"])

    async def get_report(
        self, access_token: str, seller: str, report_id: str
    ) -> dict[str, Any]:
        return await self._call(
            "getReport", "GET", f"{REPORTS}/reports/{report_id}", access_token, seller
        )

    async def get_report_document(
        self, access_token: str, seller: str, document_id: str
    ) -> ReportDocumentInfo:
        body = await self._call(
            "getReportDocument",
            "GET",
            f"{REPORTS}/documents/{document_id}",
            access_token,
            seller,
        )
        return ReportDocumentInfo(
            document_id=str(body["reportDocumentId"]),
            url=str(body["url"]),
            compression_algorithm=body.get("compressionAlgorithm"),
        )

    async def get_reports(
        self,
        access_token: str,
        seller: str,
        *,
        report_types: Sequence[str] = (),
        processing_statuses: Sequence[str] = (),
        marketplace_ids: Sequence[str] = (),
        created_since: datetime | None = None,
        created_until: datetime | None = None,
        page_size: int = 100,
        next_token: str | None = None,
    ) -> ReportsPage:
        """List reports (getReports), one page at a time.

        A ``next_token`` is sent as the only parameter, because Amazon rejects it
        combined with filters. Without it, ``report_types`` is required. Amazon
        keeps reports for 90 days, so older ``created_since`` values find nothing
        more.
        """
        params: dict[str, str]
        if next_token:
            params = {"nextToken": next_token}
        else:
            if not report_types:
                raise ValueError("getReports requires report_types or a next_token")
            params = {"reportTypes": ",".join(report_types), "pageSize": str(page_size)}
            if processing_statuses:
                params["processingStatuses"] = ",".join(processing_statuses)
            if marketplace_ids:
                params["marketplaceIds"] = ",".join(marketplace_ids)
            if created_since is not None:
                params["createdSince"] = _utc_iso(created_since)
            if created_until is not None:
                params["createdUntil"] = _utc_iso(created_until)
        body = await self._call(
            "getReports",
            "GET",
            f"{REPORTS}/reports",
            access_token,
            seller,
            params=params,
        )
        reports = body.get("reports")
        return ReportsPage(
            reports=[r for r in reports if isinstance(r, dict)]
            if isinstance(reports, list)
            else [],
            next_token=body.get("nextToken") or None,
        )

    async def get_inbound_shipments(
        self,
        access_token: str,
        seller: str,
        *,
        marketplace_id: str,
        statuses: Sequence[str] = (),
        updated_after: datetime | None = None,
        updated_before: datetime | None = None,
        next_token: str | None = None,
    ) -> ShipmentsPage:
        """List inbound shipments (Fulfillment Inbound v0 getShipments), one page.

        The query type follows from the arguments: NEXT_TOKEN with a token,
        DATE_RANGE with a last-updated bound, else SHIPMENT (by status).
        """
        params = {"MarketplaceId": marketplace_id}
        if next_token:
            params |= {"QueryType": "NEXT_TOKEN", "NextToken": next_token}
        else:
            by_date = updated_after is not None or updated_before is not None
            params["QueryType"] = "DATE_RANGE" if by_date else "SHIPMENT"
            if statuses:
                params["ShipmentStatusList"] = ",".join(statuses)
            if updated_after is not None:
                params["LastUpdatedAfter"] = _utc_iso(updated_after)
            if updated_before is not None:
                params["LastUpdatedBefore"] = _utc_iso(updated_before)
        body = await self._call(
            "getShipments",
            "GET",
            f"{INBOUND}/shipments",
            access_token,
            seller,
            params=params,
        )
        payload = _payload("getShipments", body)
        shipments = payload.get("ShipmentData")
        return ShipmentsPage(
            shipments=[s for s in shipments if isinstance(s, dict)]
            if isinstance(shipments, list)
            else [],
            next_token=payload.get("NextToken") or None,
        )

    async def get_inbound_shipment_items(
        self, access_token: str, seller: str, shipment_id: str, *, marketplace_id: str
    ) -> list[dict[str, Any]]:
        """List the items of one inbound shipment (getShipmentItemsByShipmentId).

        Returns ``InboundShipmentItem`` objects (PascalCase fields). The operation
        has no paging parameter, so a ``NextToken`` in its response is logged and not
        followed.
        """
        body = await self._call(
            "getShipmentItemsByShipmentId",
            "GET",
            f"{INBOUND}/shipments/{quote(shipment_id, safe='')}/items",
            access_token,
            seller,
            # NOTE: the model marks MarketplaceId as deprecated here but still
            # accepts it. It is sent so that the call names the synced marketplace.
            params={"MarketplaceId": marketplace_id},
        )
        payload = _payload("getShipmentItemsByShipmentId", body)
        if payload.get("NextToken"):
            logger.info(
                "shipment %s has more items than one page; the rest are not read",
                shipment_id,
            )
        items = payload.get("ItemData")
        if not isinstance(items, list):
            return []
        return [item for item in items if isinstance(item, dict)]

    async def download(self, url: str) -> DownloadedDocument:
        """Fetch a document URL (pre-signed, expires in 5 minutes: call right away)."""
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as error:
            raise SpApiError(
                "downloadDocument", 0, type(error).__name__, retryable=True
            ) from error
        if response.status_code != 200:
            raise SpApiError(
                "downloadDocument",
                response.status_code,
                "the document URL was refused (it may have expired)",
                retryable=response.status_code in (403, 500, 502, 503, 504),
            )
        return DownloadedDocument(
            response.content, response.headers.get("content-type")
        )

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        access_token: str,
        seller: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        self._breaker.before_call()
        await self._limiter.acquire(seller, operation)
        headers = {"x-amz-access-token": access_token, "user-agent": self._user_agent}
        try:
            response = await self._http.request(
                method,
                self._endpoint + path,
                headers=headers,
                json=json,
                params=params,
            )
        except httpx.HTTPError as error:
            self._breaker.record_failure(type(error).__name__)
            raise SpApiError(
                operation, 0, type(error).__name__, retryable=True
            ) from error
        request_id = response.headers.get("x-amzn-requestid", "")
        limit = response.headers.get("x-amzn-ratelimit-limit")
        if limit:
            try:
                self._limiter.observe_limit(seller, operation, float(limit))
            except ValueError:
                logger.debug("ignored an unreadable rate limit header %r", limit)
        if response.status_code < 300:
            self._breaker.record_success()
            body = response.json()
            return body if isinstance(body, dict) else {}
        raise self._error(operation, response, request_id)

    def _error(
        self, operation: str, response: httpx.Response, request_id: str
    ) -> SpApiError:
        status = response.status_code
        code, message = _first_error(response)
        logger.warning(
            "SP-API %s failed: HTTP %s %s (x-amzn-RequestId %s)",
            operation,
            status,
            code,
            request_id or "none",
        )
        if status == 429:
            self._breaker.record_success()
            # One token's refill time, within bounds, with jitter so retries spread.
            refill = self._limiter.refill_seconds(operation)
            base = min(max(refill, 1.0), self._throttle_delay)
            delay = base * random.uniform(1.0, 1.25)  # noqa: S311 - jitter, not crypto
            return SpApiThrottled(operation, delay, request_id)
        if status >= 500:
            self._breaker.record_failure(f"HTTP {status}")
            return SpApiError(
                operation,
                status,
                message,
                code=code,
                request_id=request_id,
                retryable=True,
            )
        self._breaker.record_success()
        if status in (401, 403):
            return SpApiUnauthorized(
                operation, status, message, code=code, request_id=request_id
            )
        return SpApiError(operation, status, message, code=code, request_id=request_id)


def _first_error(response: httpx.Response) -> tuple[str, str]:
    try:
        errors = response.json().get("errors") or [{}]
        first = errors[0] if isinstance(errors, list) and errors else {}
        return str(first.get("code", "")), str(first.get("message", ""))[:300]
    except (ValueError, AttributeError):
        return "", response.text[:200]


def _utc_iso(moment: datetime) -> str:
    """Format an aware time as ISO 8601 in UTC, as in "2024-11-04T07:12:45Z"."""
    text = moment.astimezone(UTC).replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z")


def _payload(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """Return a v0 response's ``payload``.

    Raises:
        SpApiError: the response has ``errors`` and no payload.
    """
    payload = body.get("payload")
    if isinstance(payload, dict):
        return payload
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        raise SpApiError(
            operation,
            200,
            str(first.get("message", ""))[:300],
            code=str(first.get("code", "")),
        )
    return {}
