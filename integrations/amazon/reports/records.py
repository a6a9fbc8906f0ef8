"""Read the records of a tab-separated report file with their line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from integrations.amazon.reports.errors import ReportParseError


class _QuotedTsv(csv.Dialect):
    """Tab-separated, fields in double quotes, "" for a quote inside one."""

    delimiter = "\t"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


class _PlainTsv(csv.Dialect):
    """Tab-separated without quoting, so a '"' in a product name stays literal."""

    delimiter = "\t"
    quotechar = '"'
    doublequote = False
    skipinitialspace = False
    lineterminator = "\n"
    quoting = csv.QUOTE_NONE
    strict = True


@dataclass(slots=True)
class Document:
    """The header and the data records of a file, up to the first malformed one.

    ``lines`` gives the 1-based line on which each record starts. ``error`` is the
    malformed record's error, which the parser raises only after checking the
    records before it, so that errors come in file order.
    """

    header_line: int
    header: list[str]
    lines: list[int]
    fields: list[list[str]]
    error: ReportParseError | None = None


def read_document(text: str, report_type: str) -> Document | None:
    """Split a report's text into its header and records (None for an empty file).

    Quoting is on when the header starts with '"', as in the ledger reports, and off
    otherwise, so that a '"' in an unquoted product name stays literal. Blank lines
    are skipped. A malformed record ends the records, and its error is kept in
    ``Document.error``.

    Raises:
        ReportParseError: the header line itself is malformed.
    """
    dialect = _QuotedTsv if text.lstrip().startswith('"') else _PlainTsv
    return _read_document(text, dialect, report_type)


def _is_blank(fields: list[str]) -> bool:
    return not any(fields) or (len(fields) == 1 and not fields[0].strip())


def _read_document(
    text: str, dialect: type[csv.Dialect], report_type: str
) -> Document | None:
    """Read the header and records, skipping blank lines (None for an empty file).

    The fast path reads all records at once and takes record i to start on line
    i + 1, which holds when no quoted field spans lines. Otherwise, and when the
    quoting is malformed, the file is read again record by record.

    Raises:
        ReportParseError: the header line itself is malformed.
    """
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        records = list(reader)
    except csv.Error:
        return _read_document_by_record(text, dialect, report_type)
    if reader.line_num != len(records):
        return _read_document_by_record(text, dialect, report_type)

    start = next((i for i, r in enumerate(records) if not _is_blank(r)), None)
    if start is None:
        return None
    header = records[start]
    width = len(header)
    document = Document(start + 1, header, [], [])

    end = len(records)
    odd = [i for i in range(start + 1, end) if len(records[i]) != width]
    blank = {i for i in odd if _is_blank(records[i])}
    malformed = next((i for i in odd if i not in blank), None)
    if malformed is not None:
        end = malformed
        document.error = _field_count_error(
            report_type, malformed + 1, width, len(records[malformed])
        )

    if blank:
        kept_indices = [i for i in range(start + 1, end) if i not in blank]
        document.fields = [records[i] for i in kept_indices]
        document.lines = [i + 1 for i in kept_indices]
    else:
        document.fields = records[start + 1 : end]
        document.lines = list(range(start + 2, end + 1))
    return document


def _field_count_error(
    report_type: str, line: int, expected: int, found: int
) -> ReportParseError:
    return ReportParseError(
        f"{report_type} line {line}: expected {expected} fields as in the header, "
        f"found {found}",
        report_type=report_type,
        line=line,
    )


def _read_document_by_record(
    text: str, dialect: type[csv.Dialect], report_type: str
) -> Document | None:
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    document: Document | None = None
    last_line = 0
    try:
        for fields in reader:
            start_line = last_line + 1
            last_line = reader.line_num
            if _is_blank(fields):
                continue
            if document is None:
                document = Document(start_line, fields, [], [])
            elif len(fields) != len(document.header):
                document.error = _field_count_error(
                    report_type, start_line, len(document.header), len(fields)
                )
                break
            else:
                document.lines.append(start_line)
                document.fields.append(fields)
    except csv.Error as exc:
        line = reader.line_num
        error = ReportParseError(
            f"{report_type} line {line}: malformed field quoting ({exc})",
            report_type=report_type,
            line=line,
        )
        if document is None:
            raise error from None
        document.error = error
    return document
