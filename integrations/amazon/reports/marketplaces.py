"""Amazon's public marketplaces: country, SP-API region, time zone and number format."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from integrations.amazon.reports.errors import UnknownMarketplaceError


class Region(StrEnum):
    """SP-API region, which picks the endpoint and the region's legacy text codec."""

    NA = "NA"
    EU = "EU"
    FE = "FE"


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace.

    ``country_code`` is ISO 3166-1 alpha-2, as the Sellers API writes it (GB for the
    UK). ``time_zone`` is the IANA zone in which the marketplace's reports write bare
    dates.
    ``decimal_comma`` is true where report files may write "12,50" for 12.50.
    """

    marketplace_id: str
    country_code: str
    region: Region
    time_zone: str
    currency: str
    decimal_comma: bool

    @property
    def zone(self) -> ZoneInfo:
        """The marketplace's time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.time_zone)


def _marketplace(
    marketplace_id: str,
    country_code: str,
    region: Region,
    time_zone: str,
    currency: str,
    *,
    decimal_comma: bool = False,
) -> tuple[str, Marketplace]:
    entry = Marketplace(
        marketplace_id, country_code, region, time_zone, currency, decimal_comma
    )
    return marketplace_id, entry


# NOTE: CA and MX use Pacific time like the US, as Amazon Advertising does for those
# marketplaces; no seller report from them was checked.
MARKETPLACES: dict[str, Marketplace] = dict(
    [
        _marketplace("ATVPDKIKX0DER", "US", Region.NA, "America/Los_Angeles", "USD"),
        _marketplace("A2EUQ1WTGCTBG2", "CA", Region.NA, "America/Los_Angeles", "CAD"),
        _marketplace("A1AM78C64UM0Y8", "MX", Region.NA, "America/Los_Angeles", "MXN"),
        _marketplace(
            "A2Q3Y263D00KWC",
            "BR",
            Region.NA,
            "America/Sao_Paulo",
            "BRL",
            decimal_comma=True,
        ),
        _marketplace("A1F83G8C2ARO7P", "GB", Region.EU, "Europe/London", "GBP"),
        _marketplace(
            "A1PA6795UKMFR9",
            "DE",
            Region.EU,
            "Europe/Berlin",
            "EUR",
            decimal_comma=True,
        ),
        _marketplace(
            "A13V1IB3VIYZZH", "FR", Region.EU, "Europe/Paris", "EUR", decimal_comma=True
        ),
        _marketplace(
            "APJ6JRA9NG5V4", "IT", Region.EU, "Europe/Rome", "EUR", decimal_comma=True
        ),
        _marketplace(
            "A1RKKUPIHCS9HS",
            "ES",
            Region.EU,
            "Europe/Madrid",
            "EUR",
            decimal_comma=True,
        ),
        _marketplace(
            "A1805IZSGTT6HS",
            "NL",
            Region.EU,
            "Europe/Amsterdam",
            "EUR",
            decimal_comma=True,
        ),
        _marketplace(
            "A2NODRKZP88ZB9",
            "SE",
            Region.EU,
            "Europe/Stockholm",
            "SEK",
            decimal_comma=True,
        ),
        _marketplace(
            "A1C3SOZRARQ6R3",
            "PL",
            Region.EU,
            "Europe/Warsaw",
            "PLN",
            decimal_comma=True,
        ),
        _marketplace(
            "AMEN7PMS3EDWL",
            "BE",
            Region.EU,
            "Europe/Brussels",
            "EUR",
            decimal_comma=True,
        ),
        _marketplace(
            "A33AVAJ2PDY3EV",
            "TR",
            Region.EU,
            "Europe/Istanbul",
            "TRY",
            decimal_comma=True,
        ),
        _marketplace("A21TJRUUN4KGV", "IN", Region.EU, "Asia/Kolkata", "INR"),
        _marketplace("A2VIGQ35RCS4UG", "AE", Region.EU, "Asia/Dubai", "AED"),
        _marketplace("A17E79C6D8DWNP", "SA", Region.EU, "Asia/Riyadh", "SAR"),
        _marketplace("ARBP9OOSHTCHU", "EG", Region.EU, "Africa/Cairo", "EGP"),
        _marketplace("A1VC38T7YXB528", "JP", Region.FE, "Asia/Tokyo", "JPY"),
        _marketplace("A39IBJ37TRP1C6", "AU", Region.FE, "Australia/Sydney", "AUD"),
        _marketplace("A19VAU5U5O7RUS", "SG", Region.FE, "Asia/Singapore", "SGD"),
    ]
)


def get_marketplace(marketplace_id: str) -> Marketplace:
    """Return the marketplace with this id.

    Raises:
        UnknownMarketplaceError: the id is not one of Amazon's public marketplace ids.
    """
    try:
        return MARKETPLACES[marketplace_id]
    except KeyError:
        raise UnknownMarketplaceError(marketplace_id) from None
