"""Sync activities: SP-API report requests, listing, polling, download and ingest,
and the inbound shipments of the Fulfillment Inbound API."""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.deps import ActivityDeps
from activities.tokens import access_token_for
from core.ids import new_id
from integrations.amazon.inbound import (
    ITEMS_TABLE,
    SHIPMENT_STATUSES,
    SHIPMENTS_TABLE,
    items_table,
    shipments_table,
)
from integrations.amazon.ratelimit import RateLimitWait
from integrations.amazon.reports import (
    MARKETPLACES,
    ReportError,
    decode_document,
    get_marketplace,
    get_report_spec,
    parse_report,
)
from integrations.amazon.spapi import SpApiError, SpApiThrottled, SpApiUnauthorized
from integrations.circuit import CircuitOpen
from store.models import AmazonConnection, ReportDocument
from workflows.models import (
    CreateReportInput,
    CreateReportResult,
    InboundSyncInput,
    InboundSyncResult,
    IngestReportInput,
    IngestReportResult,
    ListedReport,
    ListReportsInput,
    ListReportsResult,
    PrepareSyncInput,
    SellerContext,
    WaitReportInput,
    WaitReportResult,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

_THROTTLE_BUDGET_SECONDS = 600.0
# Retries of a call that failed with a 5xx or a broken connection, made inside the
# activity, and the first and the longest wait between them (seconds, before jitter).
_TRANSIENT_RETRIES = 10
_TRANSIENT_FIRST_DELAY = 0.5
_TRANSIENT_MAX_DELAY = 8.0
# Item calls of one inbound sync in flight at once.
_INBOUND_ITEM_CALLS = 8
# Amazon keeps reports for 90 days, so getReports finds nothing created earlier.
_REPORT_RETENTION = timedelta(days=90)


def _local_iso(moment: datetime | None, marketplace_id: str) -> str | None:
    """Format a window bound in the marketplace's local time with an explicit offset."""
    if moment is None:
        return None
    zone = get_marketplace(marketplace_id).zone
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


class AmazonActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    async def _spapi(self, user_id: str, call: Callable[[str, str], Awaitable[T]]) -> T:
        """Run one SP-API call with the seller's token; map failures for Temporal.

        Throttling (a 429, or the client's own pacing) is waited out here, with
        heartbeats, for up to ten minutes, so it does not use up the retry attempts
        meant for real failures. Longer waits go back to Temporal's retry.

        A 500, 503 or a broken connection is retried here too, up to
        _TRANSIENT_RETRIES times with jittered exponential backoff. Without that,
        one failed call among the hundreds of an inbound sync would restart the
        whole activity, and at a steady error rate it would rarely finish.
        """
        waited = 0.0
        failures = 0
        while True:
            try:
                return await self._spapi_once(user_id, call)
            except SpApiThrottled as error:
                waited = await self._wait_throttled(error, error.retry_after, waited)
            except RateLimitWait as error:
                waited = await self._wait_throttled(error, error.seconds, waited)
            except SpApiError as error:
                if not _transient(error) or failures >= _TRANSIENT_RETRIES:
                    raise _spapi_failure(error) from error
                failures += 1
                await _wait_to_retry(error, failures, _transient_delay(failures))
            except CircuitOpen as error:
                # Other calls of this worker failed in a row. Waiting out the pause
                # here, within the same budget as throttles, keeps a long activity
                # (an inbound sync) from starting over.
                delay = max(error.retry_in, 1.0)
                if waited + delay > _THROTTLE_BUDGET_SECONDS:
                    raise ApplicationError(
                        str(error),
                        type="upstream_unavailable",
                        next_retry_delay=timedelta(seconds=delay),
                    ) from error
                logger.info("SP-API calls paused (%s); waiting %.1fs", error, delay)
                await _sleep_with_heartbeat(delay, "paused")
                waited += delay

    async def _wait_throttled(
        self, error: Exception, delay: float, waited: float
    ) -> float:
        """Wait out a throttle and return the total waited, raising past the budget."""
        if waited + delay > _THROTTLE_BUDGET_SECONDS:
            raise ApplicationError(
                str(error),
                type="rate_limited",
                next_retry_delay=timedelta(seconds=delay),
            ) from error
        logger.info("SP-API throttled (%s); waiting %.1fs", error, delay)
        await _sleep_with_heartbeat(delay, "throttled")
        return waited + delay

    async def _spapi_once(
        self, user_id: str, call: Callable[[str, str], Awaitable[T]]
    ) -> T:
        token, connection = await access_token_for(self._deps, user_id)
        try:
            return await call(token, connection.selling_partner_id)
        except SpApiThrottled:
            raise
        except SpApiUnauthorized as error:
            await self._forget_access_token(connection.id)
            raise ApplicationError(str(error), type="spapi_unauthorized") from error

    async def _forget_access_token(self, connection_id: str) -> None:
        async with self._deps.sessions() as db, db.begin():
            stored = await db.get(AmazonConnection, connection_id)
            if stored is not None:
                stored.access_token_sealed = None
                stored.access_token_expires_at = None

    @activity.defn(name="prepare_sync")
    async def prepare_sync(self, request: PrepareSyncInput) -> SellerContext:
        """Check the authorization and list the marketplaces to sync."""
        connection = (await access_token_for(self._deps, request.user_id))[1]
        marketplace_ids = [
            str(m["id"])
            for m in connection.marketplaces
            if m.get("is_participating", True)
        ]
        if not marketplace_ids:
            participations = await self._spapi(
                request.user_id, self._deps.spapi.marketplace_participations
            )
            marketplaces = _known_marketplaces(participations)
            await self._save_marketplaces(connection.id, marketplaces)
            marketplace_ids = [
                str(m["id"]) for m in marketplaces if m["is_participating"]
            ]
        if not marketplace_ids:
            raise ApplicationError(
                "the seller participates in no marketplace this service supports",
                type="not_connected",
                non_retryable=True,
            )
        return SellerContext(
            selling_partner_id=connection.selling_partner_id,
            region=connection.region,
            marketplace_ids=marketplace_ids,
        )

    async def _save_marketplaces(
        self, connection_id: str, marketplaces: list[dict[str, Any]]
    ) -> None:
        async with self._deps.sessions() as db, db.begin():
            stored = await db.get(AmazonConnection, connection_id)
            if stored is not None:
                stored.marketplaces = marketplaces

    @activity.defn(name="create_report")
    async def create_report(self, request: CreateReportInput) -> CreateReportResult:
        """Request one report for one marketplace and window (createReport)."""
        try:
            get_report_spec(request.report_type)
        except ReportError as error:
            raise ApplicationError(
                error.message, type="invalid_report", non_retryable=True
            ) from error
        start = _local_iso(request.data_start, request.marketplace_id)
        end = _local_iso(request.data_end, request.marketplace_id)

        async def call(token: str, seller: str) -> str:
            return await self._deps.spapi.create_report(
                token,
                seller,
                report_type=request.report_type,
                marketplace_ids=[request.marketplace_id],
                start=start,
                end=end,
            )

        report_id = await self._spapi(request.user_id, call)
        logger.info("requested %s as report %s", request.report_type, report_id)
        return CreateReportResult(report_id=report_id)

    @activity.defn(name="wait_for_report")
    async def wait_for_report(self, request: WaitReportInput) -> WaitReportResult:
        """Poll getReport until Amazon is done; heartbeats let a cancel through."""
        while True:
            report = await self._spapi(
                request.user_id,
                lambda token, seller: self._deps.spapi.get_report(
                    token, seller, request.report_id
                ),
            )
            status = str(report.get("processingStatus", ""))
            activity.heartbeat(status)
            if status == "DONE":
                document_id = report.get("reportDocumentId")
                if not document_id:
                    raise ApplicationError(
                        f"report {request.report_id} is DONE without a document id",
                        type="spapi_error",
                    )
                return WaitReportResult(
                    processing_status="DONE", document_id=str(document_id)
                )
            if status in ("CANCELLED", "FATAL"):
                logger.info("report %s ended %s", request.report_id, status)
                return WaitReportResult(
                    processing_status=status,
                    document_id=report.get("reportDocumentId"),
                )
            await _sleep_with_heartbeat(request.poll_interval_seconds, status)

    @activity.defn(name="ingest_report")
    async def ingest_report(self, request: IngestReportInput) -> IngestReportResult:
        """Download, decode, parse and store one report; safe to run twice."""
        spec = get_report_spec(request.report_type)
        if request.processing_status == "CANCELLED" or not request.document_id:
            await self._record_document(request, None, rows=0, added=0)
            return IngestReportResult(rows=0, rows_added=0)

        document_id = request.document_id
        info = await self._spapi(
            request.user_id,
            lambda token, seller: self._deps.spapi.get_report_document(
                token, seller, document_id
            ),
        )
        activity.heartbeat("downloading")
        try:
            downloaded = await self._deps.spapi.download(info.url)
        except SpApiError as error:
            raise ApplicationError(str(error), type="download_failed") from error
        activity.heartbeat("parsing")
        sha256, storage_key = await asyncio.to_thread(
            self._deps.blobs.put, downloaded.content
        )
        marketplace = get_marketplace(request.marketplace_id)
        try:
            decoded = decode_document(
                downloaded.content,
                report_type=request.report_type,
                content_type=downloaded.content_type,
                compression_algorithm=info.compression_algorithm,
                region=str(marketplace.region),
            )
            parsed = await asyncio.to_thread(
                parse_report,
                decoded.text,
                report_type=request.report_type,
                marketplace_id=request.marketplace_id,
            )
        except ReportError as error:
            logger.warning(
                "report %s could not be read: %s", request.report_id, error.message
            )
            raise ApplicationError(
                error.message, type="invalid_report", non_retryable=True
            ) from error
        activity.heartbeat("storing")
        store = self._deps.report_data
        write = store.replace if spec.replaces_table else store.upsert
        result = await asyncio.to_thread(
            write, request.user_id, spec.table_name, parsed.table
        )
        stored = {
            "sha256": sha256,
            "storage_key": storage_key,
            "size_bytes": len(downloaded.content),
            "encoding": decoded.encoding,
            "was_gzip": decoded.was_gzip,
            "amazon_document_id": document_id,
        }
        await self._record_document(
            request, stored, rows=parsed.row_count, added=result.added
        )
        logger.info(
            "stored %s: %d rows read, %d new",
            request.report_type,
            parsed.row_count,
            result.added,
        )
        return IngestReportResult(
            rows=parsed.row_count,
            rows_added=result.added,
            sha256=sha256,
            warnings=list(parsed.warnings)[:20],
        )

    @activity.defn(name="list_reports")
    async def list_reports(self, request: ListReportsInput) -> ListReportsResult:
        """List the finished reports of a type that were not ingested before.

        Pages through getReports (DONE, created in the window) and leaves out the
        report ids the seller's report documents already record.
        """
        until = request.created_until
        since = max(request.created_since, until - _REPORT_RETENTION)
        found: list[dict[str, Any]] = []
        next_token: str | None = None
        while True:
            call = functools.partial(
                self._deps.spapi.get_reports,
                report_types=[request.report_type],
                processing_statuses=["DONE"],
                created_since=since,
                created_until=until,
                next_token=next_token,
            )
            page = await self._spapi(request.user_id, call)
            found += page.reports
            activity.heartbeat(f"{len(found)} reports listed")
            next_token = page.next_token
            if not next_token:
                break

        found.sort(key=_created_time)
        listed = [
            report
            for report in (_listed_report(r, request) for r in found)
            if report is not None
        ]
        known = await self._ingested_report_ids(
            request.user_id, [r.report_id for r in listed]
        )
        fresh = [r for r in listed if r.report_id not in known]
        logger.info(
            "listed %d %s reports, %d not ingested before",
            len(listed),
            request.report_type,
            len(fresh),
        )
        return ListReportsResult(reports=fresh)

    async def _ingested_report_ids(
        self, user_id: str, report_ids: list[str]
    ) -> set[str]:
        if not report_ids:
            return set()
        async with self._deps.sessions() as db:
            stored = await db.scalars(
                select(ReportDocument.amazon_report_id).where(
                    ReportDocument.user_id == user_id,
                    ReportDocument.amazon_report_id.in_(report_ids),
                )
            )
            return set(stored)

    @activity.defn(name="sync_inbound_shipments")
    async def sync_inbound_shipments(
        self, request: InboundSyncInput
    ) -> InboundSyncResult:
        """Store the marketplace's inbound shipments updated in the window, and
        their items, as observed now; safe to run twice."""
        observed_at = datetime.now(UTC)
        shipments = await self._inbound_shipments(request)
        shipment_ids = list(
            dict.fromkeys(
                str(shipment.get("ShipmentId") or "")
                for shipment in shipments
                if shipment.get("ShipmentId")
            )
        )
        # A few item calls at a time: the client's token bucket still paces them,
        # but one call's throttle or retry wait no longer holds up all the others.
        slots = asyncio.Semaphore(_INBOUND_ITEM_CALLS)
        fetched = 0

        async def items_of(shipment_id: str) -> list[dict[str, Any]]:
            nonlocal fetched
            call = functools.partial(
                self._deps.spapi.get_inbound_shipment_items,
                shipment_id=shipment_id,
                marketplace_id=request.marketplace_id,
            )
            async with slots:
                items = await self._spapi(request.user_id, call)
            fetched += 1
            activity.heartbeat(f"items of {fetched} shipments")
            return items

        fetches = [asyncio.ensure_future(items_of(i)) for i in shipment_ids]
        try:
            items = await asyncio.gather(*fetches)
        except BaseException:
            for fetch in fetches:
                fetch.cancel()
            await asyncio.gather(*fetches, return_exceptions=True)
            raise
        items_by_shipment = dict(zip(shipment_ids, items, strict=True))

        try:
            shipment_rows = shipments_table(
                shipments, request.marketplace_id, observed_at
            )
            item_rows = items_table(items_by_shipment, observed_at)
        except ValueError as error:
            logger.warning(
                "inbound shipments of %s could not be read: %s",
                request.marketplace_id,
                error,
            )
            raise ApplicationError(
                f"invalid inbound shipment data: {error}",
                type="invalid_report",
                non_retryable=True,
            ) from error

        activity.heartbeat("storing")
        store = self._deps.report_data
        stored_shipments = await asyncio.to_thread(
            store.upsert, request.user_id, SHIPMENTS_TABLE, shipment_rows
        )
        stored_items = await asyncio.to_thread(
            store.upsert, request.user_id, ITEMS_TABLE, item_rows
        )
        logger.info(
            "stored inbound shipments of %s: %d shipments, %d items, %d rows new",
            request.marketplace_id,
            shipment_rows.num_rows,
            item_rows.num_rows,
            stored_shipments.added + stored_items.added,
        )
        return InboundSyncResult(
            shipments=shipment_rows.num_rows,
            items=item_rows.num_rows,
            rows=shipment_rows.num_rows + item_rows.num_rows,
            rows_added=stored_shipments.added + stored_items.added,
        )

    async def _inbound_shipments(
        self, request: InboundSyncInput
    ) -> list[dict[str, Any]]:
        shipments: list[dict[str, Any]] = []
        next_token: str | None = None
        while True:
            call = functools.partial(
                self._deps.spapi.get_inbound_shipments,
                marketplace_id=request.marketplace_id,
                statuses=SHIPMENT_STATUSES,
                updated_after=request.updated_after,
                updated_before=request.updated_before,
                next_token=next_token,
            )
            page = await self._spapi(request.user_id, call)
            shipments += page.shipments
            activity.heartbeat(f"{len(shipments)} shipments listed")
            next_token = page.next_token
            if not next_token:
                return shipments

    async def _record_document(
        self,
        request: IngestReportInput,
        stored: dict[str, object] | None,
        *,
        rows: int,
        added: int,
    ) -> None:
        async with self._deps.sessions() as db, db.begin():
            document = await db.scalar(
                select(ReportDocument).where(
                    ReportDocument.user_id == request.user_id,
                    ReportDocument.amazon_report_id == request.report_id,
                )
            )
            if document is None:
                document = ReportDocument(
                    id=new_id("rpt"),
                    user_id=request.user_id,
                    amazon_report_id=request.report_id,
                    rows_added=0,
                )
                db.add(document)
            document.sync_run_id = request.sync_id
            document.report_type = request.report_type
            document.marketplace_id = request.marketplace_id
            document.processing_status = request.processing_status
            document.data_start = request.data_start
            document.data_end = request.data_end
            document.row_count = rows
            # A retry after a crash finds the rows already stored and adds none.
            document.rows_added = max(document.rows_added, added)
            for field, value in (stored or {}).items():
                setattr(document, field, value)


def _known_marketplaces(participations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the Sellers API marketplaces this service has a time zone and codec for."""
    known = []
    for participation in participations:
        marketplace = participation.get("marketplace") or {}
        marketplace_id = str(marketplace.get("id", ""))
        if marketplace_id not in MARKETPLACES:
            logger.info("skipping marketplace %s: not supported", marketplace_id)
            continue
        known.append(
            {
                "id": marketplace_id,
                "name": marketplace.get("name"),
                "country_code": marketplace.get("countryCode"),
                "currency": marketplace.get("defaultCurrencyCode"),
                "is_participating": bool(
                    (participation.get("participation") or {}).get("isParticipating")
                ),
            }
        )
    return known


def _listed_report(
    report: dict[str, Any], request: ListReportsInput
) -> ListedReport | None:
    """Return a getReports entry as a ``ListedReport`` (None without a document).

    The report is parsed for its own marketplace when it names a known one.
    """
    report_id = report.get("reportId")
    document_id = report.get("reportDocumentId")
    if not report_id or not document_id:
        logger.info("skipping listed report %s: it has no document", report_id)
        return None
    marketplace_ids = report.get("marketplaceIds") or []
    marketplace_id = next(
        (str(m) for m in marketplace_ids if str(m) in MARKETPLACES),
        request.marketplace_id,
    )
    return ListedReport(
        report_id=str(report_id),
        document_id=str(document_id),
        marketplace_id=marketplace_id,
        data_start=_api_time(report.get("dataStartTime")),
        data_end=_api_time(report.get("dataEndTime")),
    )


def _created_time(report: dict[str, Any]) -> datetime:
    return _api_time(report.get("createdTime")) or datetime.min.replace(tzinfo=UTC)


def _api_time(value: object) -> datetime | None:
    """Parse an SP-API date-time such as "2024-03-11T13:47:20.677Z" (None if absent)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        logger.info("ignored an unreadable report time %r", value)
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _transient(error: SpApiError) -> bool:
    """Return whether the server (5xx) or the connection (status 0) failed."""
    return error.retryable and (error.status == 0 or error.status >= 500)


def _transient_delay(failures: int) -> float:
    """Return the wait before a retry: exponential backoff with jitter, so parallel
    activities spread their retries."""
    base = min(_TRANSIENT_FIRST_DELAY * 2.0 ** (failures - 1), _TRANSIENT_MAX_DELAY)
    return base * random.uniform(1.0, 1.5)  # noqa: S311 - jitter, not crypto


def _spapi_failure(error: SpApiError) -> ApplicationError:
    """Convert an SP-API error for Temporal: retryable unless Amazon rejected it."""
    return ApplicationError(
        str(error), type="spapi_error", non_retryable=not error.retryable
    )


async def _wait_to_retry(error: Exception, failures: int, delay: float) -> None:
    logger.info(
        "SP-API call failed (%s); retry %d of %d in %.1fs",
        error,
        failures,
        _TRANSIENT_RETRIES,
        delay,
    )
    await _sleep_with_heartbeat(delay, "retrying")


async def _sleep_with_heartbeat(seconds: float, detail: str) -> None:
    # A heartbeat each second, because the heartbeat timeout can be a few seconds
    # (4 s in the end-to-end tests). The SDK throttles how often it sends them.
    remaining = seconds
    while remaining > 0:
        step = min(remaining, 1.0)
        await asyncio.sleep(step)
        remaining -= step
        activity.heartbeat(detail)
