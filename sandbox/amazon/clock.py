"""Time source of the sandbox, injectable so tests can move time forward."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A function that returns the current time as an aware UTC datetime."""


def system_clock() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)
