"""Checking seller unit costs, one at a time or as a CSV file.

A cost is a decimal string with a point, greater than 0 and at most 1,000,000, with
no more decimals than its currency has (two for most, none for JPY). Currencies are
those of Amazon's marketplaces, since a cost is compared with Amazon's payouts.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from store.unit_costs import UnitCostRow

# ISO 4217 minor-unit digits of the currencies of Amazon's marketplaces.
CURRENCY_DIGITS: dict[str, int] = {
    "AED": 2,
    "AUD": 2,
    "BRL": 2,
    "CAD": 2,
    "EGP": 2,
    "EUR": 2,
    "GBP": 2,
    "INR": 2,
    "JPY": 0,
    "MXN": 2,
    "PLN": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "TRY": 2,
    "USD": 2,
}
CURRENCIES = tuple(sorted(CURRENCY_DIGITS))
MAX_UNIT_COST = Decimal("1000000")
# Amazon limits a seller SKU to 40 characters.
MAX_SKU_LENGTH = 40
MAX_IMPORT_BYTES = 512 * 1024
MAX_IMPORT_ROWS = 20_000
# Errors beyond this many are counted, not listed, to keep the response small.
MAX_LISTED_ERRORS = 500

# ASCII only, because `\d` alone also matches the digits of other scripts.
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
# Starlette decodes percent-escapes that are not UTF-8 to this character.
_REPLACEMENT_CHARACTER = "\ufffd"
_COLUMNS = ("sku", "unit_cost", "currency")


class InvalidValue(ValueError):
    """A value that fails a check, with a message that states how to fix it."""


def check_sku(raw: str) -> str:
    sku = raw.strip()
    if not sku:
        raise InvalidValue("the SKU is empty")
    if len(sku) > MAX_SKU_LENGTH:
        raise InvalidValue(f"the SKU is longer than {MAX_SKU_LENGTH} characters")
    if _REPLACEMENT_CHARACTER in sku:
        raise InvalidValue(
            "the SKU contains U+FFFD, the replacement for bytes that are not valid "
            "UTF-8; send the SKU as UTF-8 (percent-encoded in a path)"
        )
    for character in sku:
        if not character.isprintable():
            raise InvalidValue(
                f"the SKU contains the control or invisible character "
                f"U+{ord(character):04X}; remove it"
            )
    return sku


def check_currency(raw: str) -> str:
    currency = raw.strip().upper()
    if currency not in CURRENCY_DIGITS:
        raise InvalidValue(
            f"unsupported currency {raw.strip()!r}; use one of {', '.join(CURRENCIES)}"
        )
    return currency


def check_unit_cost(raw: str, currency: str) -> int:
    """Return the cost in hundredths of the currency unit."""
    text = raw.strip()
    if "," in text and "." not in text:
        raise InvalidValue(f"{text!r} uses a decimal comma; write it with a point")
    if not _DECIMAL.fullmatch(text) and _DECIMAL.fullmatch(_ascii_digits(text)):
        raise InvalidValue(
            f"{text!r} uses digits other than 0-9; write it with the digits 0-9, "
            "like 12.50"
        )
    if not _DECIMAL.fullmatch(text):
        raise InvalidValue(
            f"{text!r} is not a decimal number; write it like 12.50, with no sign, "
            "currency symbol or thousands separator"
        )
    value = Decimal(text)
    digits = CURRENCY_DIGITS[currency]
    decimals = len(text.partition(".")[2])
    if decimals > digits:
        raise InvalidValue(
            f"{text!r} has {_count(decimals, 'decimal')}; {currency} allows at most "
            f"{digits}"
        )
    if value <= 0:
        raise InvalidValue("the unit cost must be greater than 0")
    if value > MAX_UNIT_COST:
        raise InvalidValue(f"the unit cost is above the maximum of {MAX_UNIT_COST}")
    return int(value * 100)


def _ascii_digits(text: str) -> str:
    """Replace every decimal digit of any script by its ASCII digit."""
    return "".join(
        str(unicodedata.decimal(character)) if character.isdecimal() else character
        for character in text
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def format_unit_cost(minor: int, currency: str) -> str:
    """Write hundredths as a decimal string with the currency's own decimals."""
    digits = CURRENCY_DIGITS.get(currency, 2)
    return str((Decimal(minor) / 100).quantize(Decimal(1).scaleb(-digits)))


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str
    message: str

    def as_detail(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "field": self.field,
            "location": "file",
            "message": self.message,
            "type": "value_error",
        }


@dataclass(frozen=True)
class ParsedImport:
    rows: list[UnitCostRow]
    problems: list[ImportProblem]


def parse_import(content: bytes, default_currency: str) -> ParsedImport:
    """Check every line of a unit-cost CSV; return the rows and every problem found.

    The file is UTF-8, with or without a byte order mark, with the header
    `sku,unit_cost` and an optional `currency` column in any order. Line numbers
    count the header as line 1. Blank lines are skipped.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        problem = ImportProblem(
            line, "file", "the file is not UTF-8; save it as CSV UTF-8 and upload again"
        )
        return ParsedImport([], [problem])

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return ParsedImport([], [_unreadable(1, error)])
    header_problem, columns = _read_header(header)
    if header_problem is not None:
        return ParsedImport([], [header_problem])

    rows: list[UnitCostRow] = []
    problems: list[ImportProblem] = []
    first_line: dict[str, int] = {}
    data_rows = 0
    while True:
        # A quoted value may span lines, so a record is reported at its first line.
        line = reader.line_num + 1
        try:
            values = next(reader, None)
        except csv.Error as error:
            return ParsedImport([], [*problems, _unreadable(line, error)])
        if values is None:
            break
        if not any(value.strip() for value in values):
            continue
        data_rows += 1
        if data_rows > MAX_IMPORT_ROWS:
            message = f"the file has more than {MAX_IMPORT_ROWS} rows; split it"
            return ParsedImport([], [ImportProblem(line, "file", message)])
        row, row_problems = _read_row(line, values, columns, default_currency)
        if row_problems and reader.line_num > line:
            row_problems = [
                ImportProblem(
                    problem.line,
                    problem.field,
                    f"{problem.message} (this record runs from line {line} to "
                    f"line {reader.line_num}; check for a quote that is not closed)",
                )
                for problem in row_problems
            ]
        if row is not None and row.sku in first_line:
            row_problems.append(
                ImportProblem(
                    line,
                    "sku",
                    f"SKU {row.sku!r} is also on line {first_line[row.sku]}; "
                    "keep one line per SKU",
                )
            )
        elif row is not None:
            first_line[row.sku] = line
        if row_problems:
            problems.extend(row_problems)
        elif row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(ImportProblem(1, "file", "the file has no data rows"))
    return ParsedImport(rows, problems)


def _unreadable(line: int, error: csv.Error) -> ImportProblem:
    """Describe a line that the CSV reader rejected. Later lines are not checked."""
    if "field larger than field limit" in str(error):
        message = (
            f"a value is longer than {csv.field_size_limit()} characters, so the "
            "file cannot be read; check for a quote that is not closed"
        )
    else:
        message = f"the line cannot be read as CSV ({error}); check its quotes"
    return ImportProblem(line, "file", message)


def import_error_message(problems: list[ImportProblem], listed: int) -> str:
    """Build the summary sentence of a rejected import, naming a single problem."""
    if len(problems) == 1:
        problem = problems[0]
        return (
            f"Line {problem.line} ({problem.field}): {problem.message}. Nothing was "
            "imported; fix it and upload the file again."
        )
    lines = {problem.line for problem in problems}
    more = len(problems) - listed
    return (
        f"The file has {_count(len(problems), 'problem')} on "
        f"{_count(len(lines), 'line')}, so nothing was imported; fix the listed "
        "lines and upload the file again."
        + (f" {more} further problems are not listed." if more else "")
    )


def _read_header(
    header: list[str] | None,
) -> tuple[ImportProblem | None, dict[str, int]]:
    if header is None:
        return ImportProblem(1, "file", "the file is empty"), {}
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and ";" in names[0]:
        message = "the header uses semicolons; separate the columns with commas"
        return ImportProblem(1, "header", message), {}
    unknown = [name for name in names if name not in _COLUMNS]
    missing = [name for name in ("sku", "unit_cost") if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown or missing or repeated:
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if unknown:
            parts.append(f"unknown columns {unknown}")
        if repeated:
            parts.append(f"repeated columns {repeated}")
        message = (
            f"{'; '.join(parts)}; the header must be sku,unit_cost "
            "with an optional currency column"
        )
        return ImportProblem(1, "header", message), {}
    return None, {name: index for index, name in enumerate(names)}


def _read_row(
    line: int, values: list[str], columns: dict[str, int], default_currency: str
) -> tuple[UnitCostRow | None, list[ImportProblem]]:
    if len(values) != len(columns):
        message = f"expected {len(columns)} values, found {len(values)}"
        return None, [ImportProblem(line, "row", message)]
    problems: list[ImportProblem] = []
    sku = currency = None
    unit_cost = 0
    try:
        sku = check_sku(values[columns["sku"]])
    except InvalidValue as error:
        problems.append(ImportProblem(line, "sku", str(error)))
    raw_currency = values[columns["currency"]] if "currency" in columns else ""
    try:
        currency = check_currency(raw_currency or default_currency)
    except InvalidValue as error:
        problems.append(ImportProblem(line, "currency", str(error)))
    if currency is not None:
        try:
            unit_cost = check_unit_cost(values[columns["unit_cost"]], currency)
        except InvalidValue as error:
            problems.append(ImportProblem(line, "unit_cost", str(error)))
    if sku is None or currency is None or problems:
        # A row whose SKU is valid still counts for duplicate checks.
        stand_in = UnitCostRow(sku, 0, "") if sku is not None else None
        return stand_in, problems
    return UnitCostRow(sku, unit_cost, currency), problems
