"""Hand-written date arithmetic for planters, independent of the engine's code."""

from __future__ import annotations

from datetime import date, datetime, timedelta

OCTOBER_2024 = date(2024, 10, 23)
MARCH_2025 = date(2025, 3, 31)
NOVEMBER_2024 = date(2024, 11, 1)


def plus_business_days(moment: datetime, days: int) -> datetime:
    """Step forward `days` weekdays (Monday to Friday), keeping the time of day."""
    current = moment
    left = days
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def plus_days(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)


def before(moment: datetime, days: int, hour: int = 10) -> datetime:
    """The moment `days` before, at `hour`:00 UTC."""
    earlier = moment - timedelta(days=days)
    return earlier.replace(hour=hour, minute=0, second=0, microsecond=0)
