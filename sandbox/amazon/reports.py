"""Reports API 2021-06-30: create, get, list and cancel reports, get documents."""

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from .errors import RATE_LIMIT_HEADER, SpApiError, invalid_input, not_found
from .report_jobs import IN_QUEUE, PROCESSING_STATUSES, ReportJob
from .report_request import parse_create_report, parse_iso8601
from .spapi import SpApiCall, spapi_operation
from .state import SandboxState

logger = logging.getLogger(__name__)

_Rejecter = Callable[[str], SpApiError]

PREFIX = "/reports/2021-06-30"
REPORT_RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class _ListQuery:
    report_types: frozenset[str]
    statuses: frozenset[str] | None
    marketplace_ids: frozenset[str] | None
    page_size: int
    created_since: datetime
    created_until: datetime


def reports_router(state: SandboxState) -> APIRouter:
    """Build the Reports API routes."""
    router = APIRouter(prefix=PREFIX, tags=["Reports 2021-06-30"])
    create_call = Annotated[SpApiCall, Depends(spapi_operation(state, "createReport"))]
    get_call = Annotated[SpApiCall, Depends(spapi_operation(state, "getReport"))]
    list_call = Annotated[SpApiCall, Depends(spapi_operation(state, "getReports"))]
    cancel_call = Annotated[SpApiCall, Depends(spapi_operation(state, "cancelReport"))]
    document_call = Annotated[
        SpApiCall, Depends(spapi_operation(state, "getReportDocument"))
    ]
    pages: dict[str, tuple[_ListQuery, int]] = {}

    @router.post("/reports")
    async def create_report(request: Request, call: create_call) -> JSONResponse:
        """Create a report: 202 {reportId}."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type.lower() != "application/json":
            raise SpApiError(
                415,
                "UnsupportedMediaType",
                "The request's Content-Type header is invalid.",
            )
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise invalid_input(
                "The request body is not valid JSON.", call.rate_limit
            ) from None
        seller = call.seller
        spec = parse_create_report(
            body, seller, state.sellers.known_report_types(), call.rate_limit
        )
        content = None
        if spec.report_type in seller.report_types():
            content = seller.build_report(
                spec.report_type, spec.data_start, spec.data_end
            )
        job = state.reports.create(
            seller.selling_partner_id,
            spec,
            content,
            seller.marketplace.region,
            fatal=state.faults.report_fails(),
        )
        logger.info(
            "report %s %s created for %s",
            job.report_id,
            spec.report_type,
            seller.selling_partner_id,
        )
        return call.json({"reportId": job.report_id}, status_code=202)

    @router.get("/reports")
    async def get_reports(request: Request, call: list_call) -> JSONResponse:
        """List the seller's reports, newest first, with nextToken paging."""
        next_token = request.query_params.get("nextToken")
        if next_token is not None:
            others = sorted(set(request.query_params) - {"nextToken"})
            if others:
                raise invalid_input(
                    "nextToken must be the only parameter, but the request also "
                    f"has {', '.join(others)}.",
                    call.rate_limit,
                )
            if next_token not in pages:
                raise invalid_input("Invalid nextToken.", call.rate_limit)
            query, offset = pages.pop(next_token)
        else:
            query, offset = _list_query(request, state.reports.now(), call), 0
        matches = [
            job
            for job in state.reports.of_seller(call.seller.selling_partner_id)
            if _matches(job, query, state.reports.now())
        ]
        page = matches[offset : offset + query.page_size]
        now = state.reports.now()
        body: dict[str, object] = {"reports": [job.to_json(now) for job in page]}
        if offset + query.page_size < len(matches):
            token = secrets.token_urlsafe(24)
            pages[token] = (query, offset + query.page_size)
            body["nextToken"] = token
        return call.json(body)

    @router.get("/reports/{report_id}")
    async def get_report(report_id: str, call: get_call) -> JSONResponse:
        """Return the Report object of one of the seller's reports."""
        job = state.reports.get(call.seller.selling_partner_id, report_id)
        if job is None:
            raise not_found(f"Report {report_id} was not found.", call.rate_limit)
        return call.json(job.to_json(state.reports.now()))

    @router.delete("/reports/{report_id}")
    async def cancel_report(report_id: str, call: cancel_call) -> Response:
        """Cancel a report that is still IN_QUEUE."""
        job = state.reports.get(call.seller.selling_partner_id, report_id)
        if job is None:
            raise not_found(f"Report {report_id} was not found.", call.rate_limit)
        if job.status(state.reports.now()) != IN_QUEUE:
            raise invalid_input(
                "Only reports with processingStatus IN_QUEUE can be cancelled.",
                call.rate_limit,
            )
        job.cancelled_by_request = True
        return Response(status_code=200, headers={RATE_LIMIT_HEADER: call.rate_limit})

    @router.get("/documents/{document_id}")
    async def get_report_document(
        document_id: str, request: Request, call: document_call
    ) -> JSONResponse:
        """Return {reportDocumentId, url, compressionAlgorithm?} of a DONE report."""
        job = state.reports.get_by_document(call.seller.selling_partner_id, document_id)
        if job is None or job.content is None:
            raise not_found(
                f"Report document {document_id} was not found.", call.rate_limit
            )
        flag = request.query_params.get("enableContentEncodingUrlHeader", "false")
        url = state.links.issue(
            job.content, content_encoding_gzip=flag.lower() == "true"
        )
        body: dict[str, str] = {"reportDocumentId": document_id, "url": url}
        if job.content.gzip:
            body["compressionAlgorithm"] = "GZIP"
        return call.json(body)

    return router


def _list_values(request: Request, name: str) -> list[str]:
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def _list_query(request: Request, now: datetime, call: SpApiCall) -> _ListQuery:
    def reject(message: str) -> SpApiError:
        return invalid_input(message, call.rate_limit)

    report_types = _list_values(request, "reportTypes")
    if not report_types:
        raise reject("Either reportTypes or nextToken is required.")
    if len(report_types) > 10:
        raise reject("reportTypes may list at most 10 report types.")
    statuses = _list_values(request, "processingStatuses")
    if "processingStatuses" in request.query_params and not statuses:
        raise reject("processingStatuses must list at least one status.")
    unknown = [status for status in statuses if status not in PROCESSING_STATUSES]
    if unknown:
        raise reject(f"Invalid processingStatuses: {', '.join(unknown)}")
    marketplace_ids = _list_values(request, "marketplaceIds")
    if len(marketplace_ids) > 10:
        raise reject("marketplaceIds may list at most 10 ids.")
    page_size = _page_size(request.query_params.get("pageSize"), reject)
    try:
        since = _query_time(request, "createdSince", now - REPORT_RETENTION)
        until = _query_time(request, "createdUntil", now)
    except ValueError as error:
        raise reject(str(error)) from None
    if since > until:
        raise reject("createdSince must not be after createdUntil.")
    return _ListQuery(
        frozenset(report_types),
        frozenset(statuses) or None,
        frozenset(marketplace_ids) or None,
        page_size,
        since,
        until,
    )


def _page_size(raw: str | None, reject: _Rejecter) -> int:
    if raw is None:
        return 10
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise reject("pageSize must be an integer from 1 to 100.")
    return int(raw)


def _query_time(request: Request, name: str, default: datetime) -> datetime:
    raw = request.query_params.get(name)
    return default if raw is None else parse_iso8601(raw, UTC, name)


def _matches(job: ReportJob, query: _ListQuery, now: datetime) -> bool:
    if job.report_type not in query.report_types:
        return False
    if query.statuses is not None and job.status(now) not in query.statuses:
        return False
    if query.marketplace_ids is not None and not query.marketplace_ids & set(
        job.marketplace_ids
    ):
        return False
    return query.created_since <= job.created <= query.created_until
