"""Business-day arithmetic: Monday to Friday count, no holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

_FRIDAY = 4
_SATURDAY = 5


def is_business_day(day: date) -> bool:
    """Return True for Monday to Friday."""
    return day.weekday() < _SATURDAY


def add_business_days(start: datetime, days: int) -> datetime:
    """Move `start` forward by `days` business days, keeping its time of day and zone.

    Days are counted one by one after the start date, skipping Saturdays and
    Sundays, so Friday + 1 is Monday and Saturday + 5 is the next Friday. The weekday
    is the one of `start` in its own time zone. Raises ValueError for negative days.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    if days == 0:
        return start

    # Counting from a Saturday or Sunday gives the same days as counting from the
    # Friday before, and every 5 business days from a weekday is one calendar week.
    weekday = start.weekday()
    current = start - timedelta(days=max(weekday - _FRIDAY, 0))
    weeks, remaining = divmod(days, 5)
    current += timedelta(weeks=weeks)
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current.date()):
            remaining -= 1
    return current
