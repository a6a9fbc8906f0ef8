"""Parse integer and decimal fields of report files."""

from __future__ import annotations

import re
from decimal import Decimal

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
# "1234.56", ".5" and "12": no grouping, a point as decimal separator.
_POINT_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+|[0-9]*\.[0-9]+)")
# "1,234" and "1,234.56": commas group thousands.
_POINT_GROUPED_RE = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# "12,50": a comma as decimal separator.
_COMMA_DECIMAL_RE = re.compile(r"[+-]?[0-9]*,[0-9]+")
# "1.234.567" and "1.234,56": points group thousands.
_COMMA_GROUPED_RE = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?")


def parse_int(value: str) -> int:
    """Parse a signed base-10 integer that fits in int64.

    Raises:
        ValueError: the value is not a plain integer or is out of the int64 range.
    """
    text = value.strip()
    if _INTEGER_RE.fullmatch(text) is None:
        raise ValueError("expected an integer")

    number = int(text)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise ValueError("integer is out of the 64-bit range")
    return number


def parse_decimal(value: str, *, decimal_comma: bool) -> str:
    """Parse an amount and return it as a plain decimal string such as "-7.41".

    A point is always accepted as the decimal separator, and commas may group
    thousands before it ("1,234.56"). With ``decimal_comma`` a comma is the decimal
    separator instead ("12,50", "1.234,56"), so "1,234" means 1.234 there. A lone
    point stays a decimal point in both cases ("1.234" is 1.234), because files from
    decimal-comma marketplaces often write points. The scale is kept ("7.10").

    Raises:
        ValueError: the value is not a number in these forms.
    """
    text = value.strip()
    if _POINT_DECIMAL_RE.fullmatch(text):
        plain = text
    elif decimal_comma and _COMMA_DECIMAL_RE.fullmatch(text):
        plain = text.replace(",", ".")
    elif decimal_comma and _COMMA_GROUPED_RE.fullmatch(text):
        plain = text.replace(".", "").replace(",", ".")
    elif _POINT_GROUPED_RE.fullmatch(text):
        plain = text.replace(",", "")
    elif not decimal_comma and _COMMA_DECIMAL_RE.fullmatch(text):
        raise ValueError(
            "expected a decimal with a point, because this marketplace does not use "
            "a decimal comma"
        )
    else:
        raise ValueError("expected a decimal number")
    return format(Decimal(plain), "f")
