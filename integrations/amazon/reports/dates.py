"""Parse the date and time formats that Amazon writes in report files.

Bare dates are ``MM/DD/YYYY`` (US style), ``YYYY-MM-DD`` or ``DD.MM.YYYY``. Date-times
join such a date and ``HH:MM[:SS[.ffffff]]`` with ``T`` or a space, optionally
followed by a zone: ``Z``, ``UTC``, ``GMT`` or an offset with or without a colon
(``-0700``, ``+00:00``). A value without a zone is local to the marketplace.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

_DATE = (
    r"(?:(?P<iso_year>[0-9]{4})-(?P<iso_month>[0-9]{2})-(?P<iso_day>[0-9]{2})"
    r"|(?P<us_month>[0-9]{1,2})/(?P<us_day>[0-9]{1,2})/(?P<us_year>[0-9]{4})"
    r"|(?P<eu_day>[0-9]{1,2})\.(?P<eu_month>[0-9]{1,2})\.(?P<eu_year>[0-9]{4}))"
)
_TIME = (
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,9}))?)?"
    r"(?:\s*(?P<zone>Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
)
_DATE_RE = re.compile(_DATE)
_DATETIME_RE = re.compile(_DATE + _TIME)
# The most common form, "2026-07-06T23:30:00-0700", which datetime.fromisoformat
# reads much faster than the general path.
_ISO_OFFSET_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:?[0-9]{2})"
)

_EXPECTED_DATE = "expected a date such as 07/06/2026 or 2026-07-06"
_EXPECTED_DATETIME = (
    "expected a date or date-time such as 2026-07-06T00:00:00-0700, "
    "2023-11-13 22:51:31 UTC or 07/06/2026"
)


def parse_date(value: str) -> date:
    """Parse a bare calendar date (no time, no zone).

    Raises:
        ValueError: the value is not a bare date in a known format, or not a real day.
    """
    match = _DATE_RE.fullmatch(value.strip())
    if match is None:
        raise ValueError(_EXPECTED_DATE)
    return _date_from_match(match, _EXPECTED_DATE)


def parse_timestamp(value: str, local_zone: tzinfo) -> datetime:
    """Parse a date or date-time and return it as an aware datetime in UTC.

    A bare date means midnight in ``local_zone``, and so does a date-time without a
    zone at its own wall-clock time. Fractions beyond microseconds are truncated.

    Raises:
        ValueError: the value is in no known format or names an impossible time.
    """
    text = value.strip()
    if _ISO_OFFSET_RE.fullmatch(text):
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError:
            pass  # The general path below explains what is wrong.

    match = _DATETIME_RE.fullmatch(text)
    if match is None:
        raise ValueError(_EXPECTED_DATETIME)

    day = _date_from_match(match, _EXPECTED_DATETIME)
    if match["hour"] is None:
        local = datetime(day.year, day.month, day.day, tzinfo=local_zone)
        return local.astimezone(UTC)

    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    zone = _zone_from_text(match["zone"]) if match["zone"] else local_zone
    try:
        moment = datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int(fraction),
            tzinfo=zone,
        )
    except ValueError:
        raise ValueError(f"invalid time of day; {_EXPECTED_DATETIME}") from None
    return moment.astimezone(UTC)


def _date_from_match(match: re.Match[str], expected: str) -> date:
    prefix = next(p for p in ("iso", "us", "eu") if match[f"{p}_year"] is not None)
    year = int(match[f"{prefix}_year"])
    month = int(match[f"{prefix}_month"])
    day = int(match[f"{prefix}_day"])
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"not a calendar date; {expected}") from None


@functools.lru_cache(maxsize=256)
def _zone_from_text(text: str) -> tzinfo:
    if text in ("Z", "UTC", "GMT"):
        return UTC

    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
