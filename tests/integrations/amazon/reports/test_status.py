"""Tests for classify_report_status over getReport responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from integrations.amazon.reports import ReportState, classify_report_status


def _terminal_states(samples_dir: Path) -> list[dict[str, Any]]:
    path = samples_dir / "09_getReport_terminal_states.json"
    entries: list[dict[str, Any]] = json.loads(path.read_text())
    return entries


def test_cancelled_sample_is_empty(samples_dir: Path) -> None:
    outcome = classify_report_status(_terminal_states(samples_dir)[0])
    assert outcome.state is ReportState.EMPTY
    assert outcome.processing_status == "CANCELLED"
    assert outcome.report_id == "50001018123"
    assert outcome.report_document_id is None
    assert outcome.is_terminal


def test_fatal_sample_without_document(samples_dir: Path) -> None:
    outcome = classify_report_status(_terminal_states(samples_dir)[1])
    assert outcome.state is ReportState.FATAL
    assert outcome.report_id == "50001018124"
    assert outcome.report_document_id is None
    assert outcome.is_terminal


def test_fatal_sample_with_document(samples_dir: Path) -> None:
    outcome = classify_report_status(_terminal_states(samples_dir)[2])
    assert outcome.state is ReportState.FATAL
    assert outcome.report_document_id == (
        "amzn1.spdoc.1.4.na.00000000-0000-0000-0000-0000000000ff.T00000000000001"
    )
    assert outcome.is_terminal


def test_done_report_has_document() -> None:
    report = {
        "reportId": "1",
        "processingStatus": "DONE",
        "reportDocumentId": "amzn1.spdoc.1",
    }
    outcome = classify_report_status(report)
    assert outcome.state is ReportState.DONE
    assert outcome.report_document_id == "amzn1.spdoc.1"


@pytest.mark.parametrize("status", ["IN_QUEUE", "IN_PROGRESS"], ids=str)
def test_running_report_is_pending(status: str) -> None:
    outcome = classify_report_status({"reportId": "1", "processingStatus": status})
    assert outcome.state is ReportState.PENDING
    assert not outcome.is_terminal


def test_done_without_document_rejected() -> None:
    with pytest.raises(ValueError, match="no reportDocumentId"):
        classify_report_status({"reportId": "7", "processingStatus": "DONE"})


@pytest.mark.parametrize(
    "report",
    [{"reportId": "7"}, {"reportId": "7", "processingStatus": "DELAYED"}],
    ids=["missing", "unknown"],
)
def test_bad_processing_status_rejected(report: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown processingStatus"):
        classify_report_status(report)
