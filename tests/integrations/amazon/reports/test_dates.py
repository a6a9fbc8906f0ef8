"""Tests for the report date and date-time parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.amazon.reports.dates import parse_date, parse_timestamp

PACIFIC = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07/06/2026", date(2026, 7, 6)),
        ("7/6/2026", date(2026, 7, 6)),
        ("2026-07-06", date(2026, 7, 6)),
        ("13.11.2023", date(2023, 11, 13)),
        (" 11/30/2024 ", date(2024, 11, 30)),
    ],
    ids=["us", "us-short", "iso", "dotted", "padded"],
)
def test_parse_date_formats(raw: str, expected: date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["13/30/2024", "2024-02-30", "2024-11-30T00:00:00+00:00", "30 Nov 2024", ""],
    ids=["month-13", "feb-30", "with-time", "words", "empty"],
)
def test_parse_date_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-07-06T00:00:00-0700", datetime(2026, 7, 6, 7, 0, tzinfo=UTC)),
        ("2026-09-14T07:03:57+00:00", datetime(2026, 9, 14, 7, 3, 57, tzinfo=UTC)),
        ("2026-09-14T07:03:57Z", datetime(2026, 9, 14, 7, 3, 57, tzinfo=UTC)),
        ("2023-11-13 22:51:31 UTC", datetime(2023, 11, 13, 22, 51, 31, tzinfo=UTC)),
        ("13.11.2023 22:51:31 UTC", datetime(2023, 11, 13, 22, 51, 31, tzinfo=UTC)),
        (
            "2024-11-04T07:12:45.5+09:00",
            datetime(2024, 11, 3, 22, 12, 45, 500000, tzinfo=UTC),
        ),
        ("2026-07-06", datetime(2026, 7, 6, 7, 0, tzinfo=UTC)),
        ("07/06/2026", datetime(2026, 7, 6, 7, 0, tzinfo=UTC)),
        ("01/15/2026", datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),
        ("2026-07-06 12:00:00", datetime(2026, 7, 6, 19, 0, tzinfo=UTC)),
    ],
    ids=[
        "offset-no-colon",
        "offset-colon",
        "zulu",
        "iso-utc",
        "dotted-utc",
        "fraction",
        "bare-iso",
        "bare-us-summer",
        "bare-us-winter",
        "no-zone",
    ],
)
def test_parse_timestamp_formats(raw: str, expected: datetime) -> None:
    assert parse_timestamp(raw, PACIFIC) == expected


def test_parse_timestamp_returns_utc() -> None:
    parsed = parse_timestamp("2026-07-06T00:00:00-0700", PACIFIC)
    assert parsed.utcoffset() is not None
    assert parsed.tzinfo is UTC


def test_bare_date_uses_given_zone() -> None:
    parsed = parse_timestamp("13.11.2023", BERLIN)
    assert parsed == datetime(2023, 11, 12, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-07-06T25:00:00Z",
        "2026-07-06T10:00:00+2500",
        "2026-07-06T10:00:00 PST",
        "2026-07-06T",
        "yesterday",
    ],
    ids=["hour-25", "offset-25h", "named-zone", "no-time", "words"],
)
def test_parse_timestamp_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match=r"expected|invalid"):
        parse_timestamp(raw, PACIFIC)
