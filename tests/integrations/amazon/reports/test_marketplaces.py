"""Tests for the marketplace table."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from integrations.amazon.reports import (
    MARKETPLACES,
    Region,
    UnknownMarketplaceError,
    get_marketplace,
)

EXPECTED_REGIONS = {
    Region.NA: {"US", "CA", "MX", "BR"},
    Region.EU: {
        "GB",
        "DE",
        "FR",
        "IT",
        "ES",
        "NL",
        "SE",
        "PL",
        "BE",
        "TR",
        "IN",
        "AE",
        "SA",
        "EG",
    },
    Region.FE: {"JP", "AU", "SG"},
}


@pytest.mark.parametrize("region", list(Region), ids=str)
def test_marketplace_regions(region: Region) -> None:
    countries = {m.country_code for m in MARKETPLACES.values() if m.region is region}
    assert countries == EXPECTED_REGIONS[region]


@pytest.mark.parametrize("marketplace_id", sorted(MARKETPLACES), ids=str)
def test_marketplace_zone_loads(marketplace_id: str) -> None:
    marketplace = get_marketplace(marketplace_id)
    assert isinstance(marketplace.zone, ZoneInfo)
    assert marketplace.marketplace_id == marketplace_id
    assert len(marketplace.currency) == 3


def test_us_marketplace_entry() -> None:
    us = get_marketplace("ATVPDKIKX0DER")
    assert us.country_code == "US"
    assert us.region is Region.NA
    assert us.time_zone == "America/Los_Angeles"
    assert us.currency == "USD"
    assert not us.decimal_comma


def test_german_marketplace_uses_decimal_comma() -> None:
    de = get_marketplace("A1PA6795UKMFR9")
    assert de.decimal_comma
    assert de.currency == "EUR"
    assert de.time_zone == "Europe/Berlin"


def test_japan_marketplace_entry() -> None:
    jp = get_marketplace("A1VC38T7YXB528")
    assert jp.region is Region.FE
    assert jp.time_zone == "Asia/Tokyo"
    assert jp.currency == "JPY"


def test_unknown_marketplace_rejected() -> None:
    with pytest.raises(UnknownMarketplaceError) as caught:
        get_marketplace("NOT_A_MARKETPLACE")
    assert "'NOT_A_MARKETPLACE'" in str(caught.value)
    assert caught.value.marketplace_id == "NOT_A_MARKETPLACE"
