"""Decode and parse downloaded SP-API report documents into normalized rows.

Pure functions: no network, no database, no settings.
"""

from integrations.amazon.reports.columns import Column, Kind, normalize_header
from integrations.amazon.reports.decode import DecodedDocument, decode_document
from integrations.amazon.reports.errors import (
    ReportDecodeError,
    ReportError,
    ReportParseError,
    UnknownMarketplaceError,
)
from integrations.amazon.reports.marketplaces import (
    MARKETPLACES,
    Marketplace,
    Region,
    get_marketplace,
)
from integrations.amazon.reports.parse import ParsedReport, parse_report
from integrations.amazon.reports.schemas import (
    REPORT_SPECS,
    ReportSpec,
    get_report_spec,
)
from integrations.amazon.reports.status import (
    ReportOutcome,
    ReportState,
    classify_report_status,
)

__all__ = [
    "MARKETPLACES",
    "REPORT_SPECS",
    "Column",
    "DecodedDocument",
    "Kind",
    "Marketplace",
    "ParsedReport",
    "Region",
    "ReportDecodeError",
    "ReportError",
    "ReportOutcome",
    "ReportParseError",
    "ReportSpec",
    "ReportState",
    "UnknownMarketplaceError",
    "classify_report_status",
    "decode_document",
    "get_marketplace",
    "get_report_spec",
    "normalize_header",
    "parse_report",
]
