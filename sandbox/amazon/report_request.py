"""Validation of createReport requests, with SP-API's InvalidInput errors."""

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from typing import Any

from .errors import SpApiError, invalid_input
from .marketplaces import MARKETPLACES
from .report_jobs import ReportRequest
from .sellers import SETTLEMENT_PREFIX, Seller

MAX_MARKETPLACES = 25


def parse_iso8601(value: object, zone: tzinfo, field: str) -> datetime:
    """Parse an ISO 8601 date or date-time into an aware datetime.

    A bare date is midnight in `zone`, and so is a date-time without an offset.
    Raises ValueError naming `field` for anything else.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be an ISO 8601 date-time string")
    text = value.strip()
    try:
        if len(text) <= 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=zone)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{field} is not a valid ISO 8601 date-time: {text}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def parse_create_report(
    body: Any, seller: Seller, known_types: frozenset[str], rate_limit: str
) -> ReportRequest:
    """Check a createReport body for `seller` and return the request.

    Raises SpApiError 400 InvalidInput for a missing or unknown reportType and
    for a settlement report type, because Amazon generates those itself. It also
    raises it for missing, empty or unknown marketplaceIds, a marketplace the
    seller does not sell in, an unparseable dataStartTime or dataEndTime, a
    start after the end, and reportOptions that are not an object of strings.
    """

    def reject(message: str) -> SpApiError:
        return invalid_input(message, rate_limit)

    if not isinstance(body, dict):
        raise reject("The request body must be a JSON object.")
    report_type = body.get("reportType")
    if not isinstance(report_type, str) or not report_type:
        raise reject("reportType is required.")
    if report_type.startswith(SETTLEMENT_PREFIX):
        raise reject(
            f"Report type {report_type} cannot be requested. Amazon generates "
            "settlement reports: list them with getReports."
        )
    if report_type not in known_types:
        raise reject(f"Invalid reportType: {report_type}")
    marketplace_ids = _marketplace_ids(body.get("marketplaceIds"), seller, reject)
    zone = seller.marketplace.zone
    try:
        start = _optional_time(body, "dataStartTime", zone)
        end = _optional_time(body, "dataEndTime", zone)
    except ValueError as error:
        raise reject(str(error)) from None
    if start is not None and end is not None and start > end:
        raise reject("dataStartTime must not be after dataEndTime.")
    options = body.get("reportOptions")
    if options is not None and not (
        isinstance(options, dict) and all(isinstance(v, str) for v in options.values())
    ):
        raise reject("reportOptions must be an object whose values are strings.")
    return ReportRequest(report_type, marketplace_ids, start, end)


def _marketplace_ids(
    raw: Any, seller: Seller, reject: Callable[[str], SpApiError]
) -> list[str]:
    if not isinstance(raw, list) or not raw:
        raise reject("marketplaceIds must be a non-empty list.")
    if len(raw) > MAX_MARKETPLACES:
        raise reject(f"marketplaceIds may list at most {MAX_MARKETPLACES} ids.")
    for marketplace_id in raw:
        if not isinstance(marketplace_id, str) or marketplace_id not in MARKETPLACES:
            raise reject(f"Invalid marketplaceIds: {marketplace_id}")
        if marketplace_id != seller.marketplace.id:
            raise reject(
                f"The seller does not participate in marketplace {marketplace_id}."
            )
    return list(raw)


def _optional_time(body: dict[str, Any], field: str, zone: tzinfo) -> datetime | None:
    value = body.get(field)
    return None if value is None else parse_iso8601(value, zone, field)
