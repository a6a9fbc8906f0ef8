"""Classify a getReport response (Reports API 2021-06-30) by what the sync does next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ReportState(StrEnum):
    """The caller's next step for a report's ``processingStatus``."""

    DONE = "done"
    """Download the document named by ``report_document_id``."""
    EMPTY = "empty"
    """CANCELLED: Amazon had no data for the range, or the request was cancelled."""
    FATAL = "fatal"
    """Processing failed, so request the report again a bounded number of times."""
    PENDING = "pending"
    """IN_QUEUE or IN_PROGRESS: poll again."""


_STATES: dict[str, ReportState] = {
    "DONE": ReportState.DONE,
    "CANCELLED": ReportState.EMPTY,
    "FATAL": ReportState.FATAL,
    "IN_QUEUE": ReportState.PENDING,
    "IN_PROGRESS": ReportState.PENDING,
}


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """The classified state of one report.

    ``report_document_id`` is set for DONE, and for FATAL when Amazon attached a
    document, which then describes the failure.
    """

    state: ReportState
    processing_status: str
    report_id: str | None
    report_document_id: str | None

    @property
    def is_terminal(self) -> bool:
        """Whether the report will not change any more."""
        return self.state is not ReportState.PENDING


def classify_report_status(report: Mapping[str, Any]) -> ReportOutcome:
    """Classify a getReport response body (the ``Report`` object).

    CANCELLED becomes EMPTY, not an error, because Amazon cancels reports that
    have no data for the requested range.

    Raises:
        ValueError: ``processingStatus`` is missing or unknown, or a DONE report has
            no ``reportDocumentId``.
    """
    status = report.get("processingStatus")
    report_id = _optional_str(report.get("reportId"))
    state = _STATES.get(status) if isinstance(status, str) else None
    if state is None:
        raise ValueError(
            f"report {report_id}: unknown processingStatus {status!r}; expected one "
            f"of {', '.join(_STATES)}"
        )

    document_id = _optional_str(report.get("reportDocumentId"))
    if state is ReportState.DONE and document_id is None:
        raise ValueError(f"report {report_id} is DONE but has no reportDocumentId")
    if state is not ReportState.DONE and state is not ReportState.FATAL:
        document_id = None
    return ReportOutcome(state, str(status), report_id, document_id)


def _optional_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
