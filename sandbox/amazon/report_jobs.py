"""Report requests and their processing states, computed from the clock."""

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .clock import Clock
from .sellers import ReportContent

IN_QUEUE = "IN_QUEUE"
IN_PROGRESS = "IN_PROGRESS"
DONE = "DONE"
CANCELLED = "CANCELLED"
FATAL = "FATAL"
PROCESSING_STATUSES = frozenset({IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL})


def iso_utc(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class ReportJob:
    """One report: the request, its outcome and when each state begins.

    A report is IN_QUEUE for the first half of `delay` and IN_PROGRESS for the
    second, then DONE, or CANCELLED when `content` is None (no rows), or FATAL
    when `fatal` is set.
    """

    report_id: str
    seller_id: str
    report_type: str
    marketplace_ids: list[str]
    data_start: datetime | None
    data_end: datetime | None
    created: datetime
    delay: timedelta
    content: ReportContent | None
    document_id: str | None
    fatal: bool = False
    cancelled_by_request: bool = False

    def status(self, now: datetime) -> str:
        """Return the processingStatus at `now`."""
        if self.cancelled_by_request:
            return CANCELLED
        if now < self.created + self.delay / 2:
            return IN_QUEUE
        if now < self.created + self.delay:
            return IN_PROGRESS
        if self.fatal:
            return FATAL
        return DONE if self.content is not None else CANCELLED

    def to_json(self, now: datetime) -> dict[str, Any]:
        """Return the Report object of the Reports API 2021-06-30."""
        status = self.status(now)
        body: dict[str, Any] = {
            "reportId": self.report_id,
            "reportType": self.report_type,
        }
        if self.data_start is not None:
            body["dataStartTime"] = iso_utc(self.data_start)
        if self.data_end is not None:
            body["dataEndTime"] = iso_utc(self.data_end)
        body["marketplaceIds"] = list(self.marketplace_ids)
        body["createdTime"] = iso_utc(self.created)
        body["processingStatus"] = status
        if status != IN_QUEUE and not self.cancelled_by_request:
            body["processingStartTime"] = iso_utc(self.created + self.delay / 2)
        if status in {DONE, CANCELLED, FATAL} and not self.cancelled_by_request:
            body["processingEndTime"] = iso_utc(self.created + self.delay)
        if status == DONE and self.document_id is not None:
            body["reportDocumentId"] = self.document_id
        return body


@dataclass(frozen=True)
class ReportRequest:
    """A validated createReport request."""

    report_type: str
    marketplace_ids: list[str]
    data_start: datetime | None
    data_end: datetime | None


class ReportBook:
    """Every report of one sandbox app, indexed by report and document id."""

    def __init__(self, clock: Clock, delay_seconds: float) -> None:
        self._clock = clock
        self._delay = timedelta(seconds=delay_seconds)
        first_id = 50_000_000_000 + int(clock().timestamp()) % 10**9
        self._ids = itertools.count(first_id)
        self._jobs: dict[str, ReportJob] = {}
        self._documents: dict[str, ReportJob] = {}

    def now(self) -> datetime:
        """Return the current time of the book's clock."""
        return self._clock()

    def create(
        self,
        seller_id: str,
        request: ReportRequest,
        content: ReportContent | None,
        region: str,
        *,
        fatal: bool = False,
        delay: timedelta | None = None,
        created: datetime | None = None,
    ) -> ReportJob:
        """Record a new report whose outcome is `content` (None: no rows).

        `created` defaults to now. A generated report passes its own time.
        """
        created = self._clock() if created is None else created
        document_id = None
        if content is not None and not fatal:
            stamp = created.astimezone(UTC).strftime("%Y%m%d%H%M%S")
            document_id = f"amzn1.spdoc.1.4.{region}.{uuid.uuid4()}.T{stamp}"
        job = ReportJob(
            report_id=str(next(self._ids)),
            seller_id=seller_id,
            report_type=request.report_type,
            marketplace_ids=list(request.marketplace_ids),
            data_start=request.data_start,
            data_end=request.data_end,
            created=created,
            delay=self._delay if delay is None else delay,
            content=content,
            document_id=document_id,
            fatal=fatal,
        )
        self._jobs[job.report_id] = job
        if document_id is not None:
            self._documents[document_id] = job
        return job

    def get(self, seller_id: str, report_id: str) -> ReportJob | None:
        """Return the seller's report with that id, or None (also for others')."""
        job = self._jobs.get(report_id)
        return job if job is not None and job.seller_id == seller_id else None

    def get_by_document(self, seller_id: str, document_id: str) -> ReportJob | None:
        """Return the seller's DONE report whose document has that id, or None."""
        job = self._documents.get(document_id)
        if job is None or job.seller_id != seller_id:
            return None
        return job if job.status(self._clock()) == DONE else None

    def of_seller(self, seller_id: str) -> Iterable[ReportJob]:
        """Return the seller's reports, newest first."""
        jobs = [job for job in self._jobs.values() if job.seller_id == seller_id]
        return sorted(jobs, key=lambda job: (job.created, job.report_id), reverse=True)
