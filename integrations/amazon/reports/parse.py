"""Parse a decoded report document into normalized rows and an Arrow table.

The parser reads all records first and then converts one column at a time, so each
distinct text of a column (a date, a quantity) is converted once per file. Errors
still come in file order: the earliest bad line wins, and within a line the first
declared column.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any

import pyarrow as pa

from integrations.amazon.reports.columns import Column, HeaderMap, Kind, map_header
from integrations.amazon.reports.dates import parse_date, parse_timestamp
from integrations.amazon.reports.errors import ReportParseError
from integrations.amazon.reports.marketplaces import Marketplace, get_marketplace
from integrations.amazon.reports.records import Document, read_document
from integrations.amazon.reports.schemas import ReportSpec, get_report_spec
from integrations.amazon.reports.values import parse_decimal, parse_int

logger = logging.getLogger(__name__)

_MAX_VALUE_CHARS = 80
_MAX_LINES_LISTED = 10


@dataclass(frozen=True)
class ParsedReport:
    """The rows of one report document, deduplicated by ``row_key``.

    ``table`` has the report type's Arrow schema. ``warnings`` are readable notes on
    what was ignored or dropped.
    """

    report_type: str
    table_name: str
    marketplace_id: str
    table: pa.Table
    warnings: list[str]
    _columns: dict[str, list[Any]] = field(repr=False, compare=False)

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The table's rows as dicts keyed by column name, built on first access.

        They are built lazily because a dict per row costs more memory and time
        than the table itself, and storage only needs the table.
        """
        names = self.table.schema.names
        ordered = [self._columns[name] for name in names]
        records = zip(*ordered, strict=True)
        return [dict(zip(names, values, strict=True)) for values in records]

    @property
    def row_count(self) -> int:
        """The number of rows kept after deduplication."""
        return int(self.table.num_rows)


class _InvalidCell(ValueError):
    def __init__(self, row_index: int, text: str, reason: str) -> None:
        super().__init__(reason)
        self.row_index = row_index
        self.text = text


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    """The position, fallback and converter of one declared column in this file."""

    column: Column
    file_header: str
    index: int | None
    fallback_index: int | None
    key_name: str
    raw_name: str | None
    convert: Callable[[str], Any] | None

    def convert_texts(self, texts: Sequence[str]) -> tuple[list[Any], list[Any] | None]:
        """Return the column's values and, for dates, its raw texts.

        Raises:
            _InvalidCell: the first row whose text is invalid or blank where a value
                is required.
        """
        if self.convert is None:
            if self.column.nullable:
                return [t.strip() or None for t in texts], None
            return [t.strip() for t in texts], None

        by_text: dict[str, Any] = {}
        failures: dict[str, str] = {}
        for text in set(texts):
            try:
                by_text[text] = self._convert_one(text, self.convert)
            except ValueError as exc:
                failures[text] = str(exc)
        if failures:
            row_index = next(i for i, t in enumerate(texts) if t in failures)
            text = texts[row_index]
            raise _InvalidCell(row_index, text, failures[text])

        values = list(map(by_text.__getitem__, texts))
        if self.raw_name is None:
            return values, None
        if self.column.nullable:
            return values, [t if t.strip() else None for t in texts]
        return values, list(texts)

    def _convert_one(self, text: str, convert: Callable[[str], Any]) -> Any:
        stripped = text.strip()
        if stripped:
            return convert(stripped)
        if self.column.nullable:
            return None
        raise ValueError("missing value")


def parse_report(text: str, *, report_type: str, marketplace_id: str) -> ParsedReport:
    """Parse a tab-separated report into rows of the report type's schema.

    The first non-blank line is the header, and columns are matched by normalized
    name. Quoting is on when the header starts with '"'. Blank lines are skipped.
    Text values are stripped of surrounding whitespace, and ``*_raw`` columns keep
    the text as in the file. Bare dates are local to the marketplace's time zone,
    and decimal commas are accepted where the marketplace uses them. Rows whose
    ``row_key`` repeats an earlier row are dropped with a warning. An empty document
    gives no rows and a warning.

    Raises:
        ReportParseError: the report type is unsupported, the text contains NUL
            characters, a required column is missing, or a row is malformed or has
            an invalid value. The message names the report type and, for a row,
            the line, column and value.
        UnknownMarketplaceError: the marketplace id is not a public Amazon id.
    """
    spec = get_report_spec(report_type)
    marketplace = get_marketplace(marketplace_id)
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise ReportParseError(
            f"{report_type} text contains NUL characters, so it is binary or was "
            "decoded with the wrong encoding",
            report_type=report_type,
        )

    document = read_document(text, report_type)
    if document is None:
        return _result(spec, marketplace_id, {}, ["the document is empty"])

    header_map = _check_header(spec, document.header, document.header_line)
    plans = _plan_fields(spec, document.header, header_map, marketplace)
    columns, raw = _convert_columns(document, plans, spec)
    if document.error is not None:
        raise document.error

    # The line is set first so that a key may use it (settlement rows do).
    columns["source_line"] = document.lines
    keys = spec.row_key(columns, raw, len(document.lines))
    columns["row_key"] = keys
    columns, duplicate_lines = _drop_duplicates(columns, keys, document.lines)

    warnings = _warnings(spec, header_map, duplicate_lines)
    logger.debug(
        "parsed %s for %s: %d rows, %d duplicates dropped",
        report_type,
        marketplace_id,
        len(columns["row_key"]),
        len(duplicate_lines),
    )
    return _result(spec, marketplace_id, columns, warnings)


def _check_header(spec: ReportSpec, header: list[str], line: int) -> HeaderMap:
    header_map = map_header(header, spec.columns)
    if header_map.missing_required:
        missing = ", ".join(repr(name) for name in header_map.missing_required)
        raise ReportParseError(
            f"{spec.report_type} line {line}: the header lacks required "
            f"column(s) {missing}",
            report_type=spec.report_type,
            line=line,
            column=", ".join(header_map.missing_required),
        )
    if header_map.ambiguous:
        repeated = ", ".join(repr(name) for name in header_map.ambiguous)
        raise ReportParseError(
            f"{spec.report_type} line {line}: the header has more than one column "
            f"for {repeated}",
            report_type=spec.report_type,
            line=line,
            column=", ".join(header_map.ambiguous),
        )
    return header_map


def _plan_fields(
    spec: ReportSpec,
    header: list[str],
    header_map: HeaderMap,
    marketplace: Marketplace,
) -> list[_FieldPlan]:
    plans: list[_FieldPlan] = []
    for column in spec.columns:
        index = header_map.positions.get(column.name)
        fallback_index = None
        if column.fallback is not None:
            fallback_index = header_map.positions[column.fallback]
        plans.append(
            _FieldPlan(
                column=column,
                file_header=column.header if index is None else header[index],
                index=index,
                fallback_index=fallback_index,
                key_name=column.normalized_names[0],
                raw_name=f"{column.name}_raw" if column.keeps_raw else None,
                convert=_converter(column.kind, marketplace),
            )
        )
    return plans


def _converter(kind: Kind, marketplace: Marketplace) -> Callable[[str], Any] | None:
    if kind is Kind.TEXT:
        return None
    if kind is Kind.INT:
        return parse_int
    if kind is Kind.DECIMAL:
        return functools.partial(parse_decimal, decimal_comma=marketplace.decimal_comma)
    if kind is Kind.DATE:
        return parse_date
    return functools.partial(parse_timestamp, local_zone=marketplace.zone)


def _convert_columns(
    data: Document, plans: list[_FieldPlan], spec: ReportSpec
) -> tuple[dict[str, list[Any]], dict[str, Sequence[str]]]:
    """Return the output columns and the raw texts by normalized header.

    Raises:
        ReportParseError: the earliest invalid field, by line and then by column.
    """
    count = len(data.lines)
    blank_column = [""] * count
    columns: dict[str, list[Any]] = {}
    raw: dict[str, Sequence[str]] = {}
    invalid: list[tuple[int, int, _FieldPlan, _InvalidCell]] = []

    for order, plan in enumerate(plans):
        texts = blank_column
        if plan.index is not None:
            texts = list(map(itemgetter(plan.index), data.fields))
            raw[plan.key_name] = texts
        if plan.column.blanks:
            placeholders = plan.column.blanks
            texts = ["" if t.strip() in placeholders else t for t in texts]
        if plan.fallback_index is not None:
            fallback = list(map(itemgetter(plan.fallback_index), data.fields))
            texts = [
                t if t.strip() else f for t, f in zip(texts, fallback, strict=True)
            ]
        try:
            values, raw_texts = plan.convert_texts(texts)
        except _InvalidCell as exc:
            invalid.append((exc.row_index, order, plan, exc))
            continue
        columns[plan.column.name] = values
        if plan.raw_name is not None and raw_texts is not None:
            columns[plan.raw_name] = raw_texts

    if invalid:
        row_index, _, first_plan, cell = min(invalid, key=lambda item: item[:2])
        raise _invalid_value(spec, data.lines[row_index], first_plan, cell)
    return columns, raw


def _invalid_value(
    spec: ReportSpec, line: int, plan: _FieldPlan, cell: _InvalidCell
) -> ReportParseError:
    value = cell.text
    truncated = value
    if len(value) > _MAX_VALUE_CHARS:
        truncated = value[:_MAX_VALUE_CHARS] + "..."
    return ReportParseError(
        f"{spec.report_type} line {line}, column {plan.file_header!r}: invalid "
        f"value {truncated!r}: {cell}",
        report_type=spec.report_type,
        line=line,
        column=plan.file_header,
        value=value,
    )


def _drop_duplicates(
    columns: dict[str, list[Any]], keys: list[str], lines: list[int]
) -> tuple[dict[str, list[Any]], list[int]]:
    """Keep the first row of each key, and return the columns and the dropped lines."""
    seen: set[str] = set()
    kept_indices: list[int] = []
    duplicate_lines: list[int] = []
    for index, key in enumerate(keys):
        if key in seen:
            duplicate_lines.append(lines[index])
        else:
            seen.add(key)
            kept_indices.append(index)

    if not duplicate_lines:
        return columns, duplicate_lines
    filtered = {
        name: [values[i] for i in kept_indices] for name, values in columns.items()
    }
    return filtered, duplicate_lines


def _warnings(
    spec: ReportSpec, header_map: HeaderMap, duplicate_lines: list[int]
) -> list[str]:
    warnings: list[str] = []
    if header_map.unknown:
        names = ", ".join(repr(name) for name in header_map.unknown)
        warnings.append(
            f"ignored {len(header_map.unknown)} column(s) that the "
            f"{spec.table_name} table does not store: {names}"
        )
    if duplicate_lines:
        listed = ", ".join(str(n) for n in duplicate_lines[:_MAX_LINES_LISTED])
        more = "" if len(duplicate_lines) <= _MAX_LINES_LISTED else ", ..."
        warnings.append(
            f"dropped {len(duplicate_lines)} row(s) whose row_key repeats an "
            f"earlier row (lines {listed}{more})"
        )
    return warnings


def _result(
    spec: ReportSpec,
    marketplace_id: str,
    columns: dict[str, list[Any]],
    warnings: list[str],
) -> ParsedReport:
    """Build the table from the output columns."""
    schema = spec.arrow_schema
    columns = {name: columns.get(name, []) for name in schema.names}
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    return ParsedReport(
        report_type=spec.report_type,
        table_name=spec.table_name,
        marketplace_id=marketplace_id,
        table=pa.Table.from_arrays(arrays, schema=schema),
        warnings=warnings,
        _columns=columns,
    )
