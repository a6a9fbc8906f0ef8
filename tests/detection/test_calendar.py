"""Business-day arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from detection.calendar import add_business_days, is_business_day


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 3, 4), 5, date(2026, 3, 11)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
        (date(2026, 3, 6), 5, date(2026, 3, 13)),
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 3, 7), 5, date(2026, 3, 13)),
        (date(2026, 3, 8), 5, date(2026, 3, 13)),
        (date(2026, 3, 4), 0, date(2026, 3, 4)),
        (date(2026, 3, 4), 10, date(2026, 3, 18)),
    ],
    ids=[
        "wednesday_5",
        "friday_1",
        "friday_5",
        "saturday_1",
        "saturday_5",
        "sunday_5",
        "zero",
        "two_weeks",
    ],
)
def test_add_business_days(start: date, count: int, expected: date) -> None:
    moment = datetime(start.year, start.month, start.day, 9, 45, tzinfo=UTC)

    result = add_business_days(moment, count)

    assert result.date() == expected
    assert result.time() == moment.time()


def test_add_business_days_keeps_zone() -> None:
    zone = timezone(timedelta(hours=-7))
    start = datetime(2026, 3, 6, 23, 0, tzinfo=zone)

    result = add_business_days(start, 1)

    assert result == datetime(2026, 3, 9, 23, 0, tzinfo=zone)


def test_add_business_days_negative_rejected() -> None:
    with pytest.raises(ValueError, match="days"):
        add_business_days(datetime(2026, 3, 4, tzinfo=UTC), -1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 3, 6), True), (date(2026, 3, 7), False), (date(2026, 3, 8), False)],
    ids=["friday", "saturday", "sunday"],
)
def test_is_business_day(day: date, expected: bool) -> None:
    assert is_business_day(day) is expected
