"""Size tiers implied by measured dimensions and weight, and tier names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from detection.size_tiers import SizeTierTable, measurements, tier_table


def _table(region: str = "US", on: date = date(2025, 6, 1)) -> SizeTierTable:
    table = tier_table(region, on)  # type: ignore[arg-type]
    assert table is not None
    return table


def _implied(
    sides: tuple[str, str, str],
    weight: str,
    *,
    length_unit: str = "inches",
    weight_unit: str = "pounds",
    region: str = "US",
    on: date = date(2025, 6, 1),
) -> str:
    unit = measurements(
        [Decimal(side) for side in sides], length_unit, Decimal(weight), weight_unit
    )
    assert unit is not None
    tier = _table(region, on).implied_tier(unit)
    assert tier is not None
    return tier.name


@pytest.mark.parametrize(
    ("sides", "weight", "expected"),
    [
        (("15", "12", "0.75"), "1", "Small standard-size"),
        (("15.01", "12", "0.75"), "1", "Large standard-size"),
        (("15", "12", "0.76"), "1", "Large standard-size"),
        (("15", "12", "0.75"), "1.01", "Large standard-size"),
        (("18", "14", "8"), "20", "Large standard-size"),
        # 18 x 14 x 8 / 139 = 14.5 lb dimensional weight stays under 20 lb.
        (("18", "14", "8"), "0.5", "Large standard-size"),
        (("18", "14", "8.1"), "5", "Large bulky"),
        # 59 x 30 x 3 / 139 = 38 lb dimensional weight; length and girth 125.
        (("59", "30", "3"), "50", "Large bulky"),
        (("59", "33", "3"), "50", "Extra-large 0 to 50 lb"),
        (("59", "33", "5"), "50", "Extra-large 70 to 150 lb"),
        (("60", "10", "10"), "10", "Extra-large 0 to 50 lb"),
        (("30", "20", "10"), "60", "Extra-large 50 to 70 lb"),
        (("30", "20", "10"), "100", "Extra-large 70 to 150 lb"),
        (("30", "20", "10"), "151", "Extra-large 150+ lb"),
    ],
)
def test_us_tiers_since_february_2024(
    sides: tuple[str, str, str], weight: str, expected: str
) -> None:
    assert _implied(sides, weight) == expected


def test_sides_are_sorted_before_comparing() -> None:
    assert _implied(("0.75", "15", "12"), "1") == "Small standard-size"


def test_dimensional_weight_moves_a_light_bulky_unit_up() -> None:
    # 24 x 24 x 24 / 139 = 99.5 lb: too heavy for large bulky by volume.
    assert _implied(("24", "24", "24"), "5") == "Extra-large 70 to 150 lb"


def test_weight_in_ounces_and_centimetres_are_converted() -> None:
    assert (
        _implied(
            ("38.1", "30.48", "1.905"), "16", length_unit="cm", weight_unit="ounces"
        )
        == "Small standard-size"
    )


def test_us_table_before_february_2024() -> None:
    on = date(2024, 2, 4)

    assert _table(on=on).effective_from < date(2024, 2, 5)
    assert _implied(("40", "20", "5"), "30", on=on) == "Small oversize"
    assert _implied(("40", "20", "5"), "30") == "Large bulky"


@pytest.mark.parametrize(
    ("sides", "grams", "expected"),
    [
        (("20", "15", "1"), "80", "Small envelope"),
        (("20", "15", "1"), "81", "Standard envelope"),
        (("33", "23", "6"), "900", "Extra-large envelope"),
        (("30", "20", "10"), "800", "Small parcel"),
        (("45", "34", "26"), "11900", "Standard parcel"),
        (("50", "30", "20"), "1500", "Small oversize"),
        (("50", "30", "20"), "5000", "Standard oversize"),
    ],
)
def test_eu_tiers(sides: tuple[str, str, str], grams: str, expected: str) -> None:
    implied = _implied(
        sides,
        grams,
        length_unit="centimeters",
        weight_unit="grams",
        region="EU",
    )

    assert implied == expected


def test_eu_table_is_marked_as_an_estimate() -> None:
    assert _table("EU").verified is False
    assert _table("US").verified is True


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Large standard-size", "Large standard-size"),
        ("large_standard_size", "Large standard-size"),
        ("Extra-large 50+ to 70 lb", "Extra-large 50 to 70 lb"),
        ("Extra-large 150+ lb", "Extra-large 150+ lb"),
    ],
)
def test_us_listed_tier_names(name: str, expected: str) -> None:
    tier = _table().listed_tier(name)

    assert tier is not None
    assert tier.name == expected


def test_eu_tier_name_with_band_suffix() -> None:
    tier = _table("EU").listed_tier("Standard Parcel 2")

    assert tier is not None
    assert tier.name == "Standard parcel"


@pytest.mark.parametrize("name", ["", "Mystery tier", "Small oversize"])
def test_unknown_us_tier_names(name: str) -> None:
    assert _table().listed_tier(name) is None


@pytest.mark.parametrize(
    ("sides", "weight", "length_unit", "weight_unit"),
    [
        (["10", "8", None], "1", "inches", "pounds"),
        (["10", "8", "0"], "1", "inches", "pounds"),
        (["10", "8", "2"], None, "inches", "pounds"),
        (["10", "8", "2"], "1", "furlongs", "pounds"),
        (["10", "8", "2"], "1", "inches", "stone"),
    ],
)
def test_incomplete_measurements_give_none(
    sides: list[str | None], weight: str | None, length_unit: str, weight_unit: str
) -> None:
    unit = measurements(
        [Decimal(side) if side is not None else None for side in sides],
        length_unit,
        Decimal(weight) if weight is not None else None,
        weight_unit,
    )

    assert unit is None
