"""Tests for parse_lwa_error over LWA token endpoint error bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from integrations.amazon.lwa_errors import LwaError, RejectedGrant, parse_lwa_error


def _sample_errors(samples_dir: Path) -> list[LwaError]:
    entries: list[dict[str, Any]] = json.loads(
        (samples_dir / "10_lwa_invalid_grant.json").read_text()
    )
    return [parse_lwa_error(e["status"], e["body"]) for e in entries]


def test_sample_bodies_are_invalid_grant(samples_dir: Path) -> None:
    refresh_error, code_error = _sample_errors(samples_dir)
    assert refresh_error.is_invalid_grant
    assert code_error.is_invalid_grant
    assert refresh_error.status == 400


def test_sample_refresh_token_rejected(samples_dir: Path) -> None:
    refresh_error, _ = _sample_errors(samples_dir)
    assert refresh_error.rejected_grant is RejectedGrant.REFRESH_TOKEN
    assert refresh_error.needs_reauthorization
    assert not refresh_error.is_retryable


def test_sample_code_rejected(samples_dir: Path) -> None:
    _, code_error = _sample_errors(samples_dir)
    assert code_error.rejected_grant is RejectedGrant.AUTHORIZATION_CODE
    assert not code_error.needs_reauthorization


def test_invalid_grant_without_description() -> None:
    error = parse_lwa_error(400, {"error": "invalid_grant"})
    assert error.is_invalid_grant
    assert error.rejected_grant is None
    assert error.needs_reauthorization


def test_other_error_not_invalid_grant() -> None:
    error = parse_lwa_error(401, {"error": "invalid_client", "error_description": "x"})
    assert not error.is_invalid_grant
    assert error.rejected_grant is None
    assert not error.needs_reauthorization


def test_server_error_is_retryable() -> None:
    error = parse_lwa_error(503, {})
    assert error.is_retryable
    assert error.error == ""
    assert error.description is None


def test_message_names_status_and_code() -> None:
    error = parse_lwa_error(400, {"error": "invalid_grant", "error_description": "d"})
    assert str(error) == "LWA token request failed: HTTP 400 'invalid_grant': d"
