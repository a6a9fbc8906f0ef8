"""Errors raised while decoding and parsing downloaded report documents."""

from __future__ import annotations


class ReportError(Exception):
    """A report document that cannot be turned into rows.

    ``message`` names the report type and what failed. It quotes values from the
    seller's own document but never credentials, so it is safe to show to that
    seller and to log.
    """

    def __init__(self, message: str, *, report_type: str) -> None:
        super().__init__(message)
        self.message = message
        self.report_type = report_type


class ReportDecodeError(ReportError):
    """The document's bytes could not be decompressed or decoded to text."""


class ReportParseError(ReportError):
    """The decoded text does not match the report's format.

    ``line`` is the 1-based line in the file (the header is line 1), ``column`` the
    header as the file spells it, and ``value`` the rejected field, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        report_type: str,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message, report_type=report_type)
        self.line = line
        self.column = column
        self.value = value


class UnknownMarketplaceError(ValueError):
    """A marketplace id that is not one of Amazon's public marketplace ids."""

    def __init__(self, marketplace_id: str) -> None:
        super().__init__(
            f"unknown Amazon marketplace id {marketplace_id!r}; "
            "expected a public id such as 'ATVPDKIKX0DER' (US)"
        )
        self.marketplace_id = marketplace_id
