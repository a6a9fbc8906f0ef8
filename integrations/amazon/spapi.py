"""Selling Partner API client: Sellers and Reports 2021-06-30.

Calls carry `x-amz-access-token` (no SigV4 since 2023-10-02) and a `user-agent`.
Each call is paced by a token bucket per seller and operation. A 429 raises
`SpApiThrottled` with the delay to wait, and failures log Amazon's `x-amzn-RequestId`.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.amazon.ratelimit import RateLimiter
from integrations.circuit import CircuitBreaker

logger = logging.getLogger(__name__)

REPORTS = "/reports/2021-06-30"


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
    ) -> dict[str, Any]:
        self._breaker.before_call()
        await self._limiter.acquire(seller, operation)
        headers = {"x-amz-access-token": access_token, "user-agent": self._user_agent}
        try:
            response = await self._http.request(
                method, self._endpoint + path, headers=headers, json=json
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
