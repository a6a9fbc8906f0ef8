"""Tests for integer and decimal field parsing."""

from __future__ import annotations

import pytest

from integrations.amazon.reports.values import parse_decimal, parse_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-2", -2), ("+3", 3), (" 0 ", 0), ("9223372036854775807", 2**63 - 1)],
    ids=["negative", "plus", "padded", "int64-max"],
)
def test_parse_int_accepts(raw: str, expected: int) -> None:
    assert parse_int(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["1.5", "1,000", "1_000", "٣", "Quantity", "", "9223372036854775808"],
    ids=[
        "fraction",
        "grouped",
        "underscore",
        "arabic-digit",
        "word",
        "empty",
        "overflow",
    ],
)
def test_parse_int_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="integer"):
        parse_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14.82", "14.82"),
        ("-7.41", "-7.41"),
        ("7.10", "7.10"),
        ("+5", "5"),
        (".5", "0.5"),
        ("1,234.56", "1234.56"),
        ("12,345,678", "12345678"),
    ],
    ids=[
        "plain",
        "negative",
        "keeps-scale",
        "plus",
        "no-int-part",
        "grouped",
        "millions",
    ],
)
def test_parse_decimal_point(raw: str, expected: str) -> None:
    assert parse_decimal(raw, decimal_comma=False) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12,50", "12.50"),
        ("-0,99", "-0.99"),
        ("1.234,56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1,234", "1.234"),
        ("7.41", "7.41"),
        ("1,234.56", "1234.56"),
    ],
    ids=[
        "comma",
        "negative",
        "grouped",
        "grouped-int",
        "comma-three-digits",
        "point",
        "point-grouped",
    ],
)
def test_parse_decimal_comma(raw: str, expected: str) -> None:
    assert parse_decimal(raw, decimal_comma=True) == expected


@pytest.mark.parametrize(
    ("raw", "decimal_comma"),
    [
        ("12,50", False),
        ("1,23,456", False),
        ("1.234,56", False),
        ("1,234,5", True),
        ("$7.41", False),
        ("NaN", False),
        ("1e3", False),
        ("", True),
    ],
    ids=[
        "comma-in-us",
        "bad-grouping",
        "eu-grouped-in-us",
        "two-commas",
        "currency",
        "nan",
        "exponent",
        "empty",
    ],
)
def test_parse_decimal_rejects(raw: str, decimal_comma: bool) -> None:
    with pytest.raises(ValueError, match="expected a decimal"):
        parse_decimal(raw, decimal_comma=decimal_comma)
