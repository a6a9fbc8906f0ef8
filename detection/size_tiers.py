"""Amazon's FBA product size tiers as dated data, and the tier a measured unit implies.

The fee preview lists each SKU's size tier next to the dimensions and weight Amazon
measured. Recomputing the tier from those measurements shows whether the listed tier
is larger than the unit's own measurements allow, which is the usual ground of a
weight-and-dimensions fee dispute.

Each table contains one region's tier definitions from the date they took effect. A
unit's tier is the first row, in order from smallest to largest, whose limits the
unit does not exceed. Limits are in the table's own units (inches and pounds, or
centimetres and kilograms), and measurements are converted to them first.

Sources: Amazon's US help page "Product size tiers" (2023 table "ending after
February 4, 2024" and the table in force since 2024-02-05), and the EU help page
"Product size tier" of the Netherlands store.

NOTE: the EU table is an estimate. Its date of effect is not confirmed and Amazon's
EU tiers have changed more than once; it is marked ``verified=False`` and findings
say so. The start date of the older US table is not confirmed either, only its end.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, TypeAlias

from detection.policy import PolicyRegion

WeightBasis: TypeAlias = Literal["unit", "shipping"]
"""The weight a tier's limit applies to: the unit weight alone, or the shipping
weight (the greater of unit weight and dimensional weight)."""

US_TIERS_2024 = date(2024, 2, 5)
"""Amazon US replaced the oversize tiers with large bulky and extra-large."""

_BEFORE_ALL = date(2000, 1, 1)

_CENTIMETRES_PER_INCH = Decimal("2.54")
_GRAMS_PER_POUND = Decimal("453.59237")
_GRAMS_PER_OUNCE = _GRAMS_PER_POUND / 16
_GRAMS_PER_KILOGRAM = Decimal(1000)


@dataclass(frozen=True, slots=True)
class SizeTier:
    """The limits of one tier, the largest unit it admits. A limit of None does not
    apply."""

    name: str
    max_weight: Decimal | None = None
    weight_basis: WeightBasis = "shipping"
    max_dimensional_weight: Decimal | None = None
    """A separate limit on the dimensional weight (EU oversize tiers)."""
    max_longest: Decimal | None = None
    max_median: Decimal | None = None
    max_shortest: Decimal | None = None
    max_length_and_girth: Decimal | None = None
    minimum_side_for_dimensional_weight: Decimal = Decimal(0)
    """Median and shortest sides are raised to this for the dimensional weight
    (2 inches for the US oversize tiers)."""
    aliases: tuple[str, ...] = ()
    """Other spellings of the tier in the fee preview, compared normalized."""

    def admits(self, unit: Measurements, table: SizeTierTable) -> bool:
        """Return True when the unit exceeds none of this tier's limits."""
        sides = unit.sides_in(table.length_unit)
        weight = unit.weight_in(table.weight_unit)
        longest, median, shortest = sides
        dimensional = table.dimensional_weight(
            sides, self.minimum_side_for_dimensional_weight
        )
        checked_weight = weight
        if self.weight_basis == "shipping" and dimensional is not None:
            checked_weight = max(weight, dimensional)
        limits = (
            (checked_weight, self.max_weight),
            (dimensional, self.max_dimensional_weight),
            (longest, self.max_longest),
            (median, self.max_median),
            (shortest, self.max_shortest),
            (longest + 2 * (median + shortest), self.max_length_and_girth),
        )
        return all(
            limit is None or (value is not None and value <= limit)
            for value, limit in limits
        )


@dataclass(frozen=True, slots=True)
class SizeTierTable:
    """The size tiers of one region from a date, smallest first."""

    region: PolicyRegion
    effective_from: date
    length_unit: Literal["in", "cm"]
    weight_unit: Literal["lb", "kg"]
    dimensional_divisor: Decimal | None
    """Volume per weight unit of the dimensional weight (139 cubic inches per pound,
    5000 cubic centimetres per kilogram); None when the table does not use one."""
    tiers: tuple[SizeTier, ...]
    verified: bool = True
    source: str = ""

    def dimensional_weight(
        self, sides: tuple[Decimal, Decimal, Decimal], minimum_side: Decimal
    ) -> Decimal | None:
        """Return the volume over the divisor, the two shorter sides raised to the
        minimum; None when the table has no divisor."""
        if self.dimensional_divisor is None:
            return None
        longest, median, shortest = sides
        volume = longest * max(median, minimum_side) * max(shortest, minimum_side)
        return volume / self.dimensional_divisor

    def rank(self, tier: SizeTier) -> int:
        """Return the position of the tier in the table, 0 for the smallest."""
        return self.tiers.index(tier)

    def implied_tier(self, unit: Measurements) -> SizeTier | None:
        """Return the smallest tier that admits the unit, or None."""
        for tier in self.tiers:
            if tier.admits(unit, self):
                return tier
        return None

    def listed_tier(self, name: str) -> SizeTier | None:
        """Return the tier a fee preview names, or None for a name not in the table.

        Names are compared in lower case with letters and digits only. A name may
        carry a suffix such as a weight band ("Standard Parcel 2"): the longest
        known name it starts with wins.
        """
        wanted = normalize_tier_name(name)
        if not wanted:
            return None
        best: SizeTier | None = None
        best_length = 0
        for tier in self.tiers:
            for spelling in (tier.name, *tier.aliases):
                known = normalize_tier_name(spelling)
                exact = wanted == known
                prefix = self.region == "EU" and wanted.startswith(known)
                if (exact or prefix) and len(known) > best_length:
                    best, best_length = tier, len(known)
        return best


@dataclass(frozen=True, slots=True)
class Measurements:
    """A unit's three sides and weight, in the units the fee preview gives."""

    sides: tuple[Decimal, Decimal, Decimal]
    length_unit: Literal["in", "cm"]
    weight: Decimal
    weight_unit: Literal["lb", "oz", "g", "kg"]

    def sides_in(self, unit: Literal["in", "cm"]) -> tuple[Decimal, Decimal, Decimal]:
        """Return the sides, longest first, converted to `unit`."""
        factor = Decimal(1)
        if self.length_unit == "in" and unit == "cm":
            factor = _CENTIMETRES_PER_INCH
        elif self.length_unit == "cm" and unit == "in":
            factor = 1 / _CENTIMETRES_PER_INCH
        longest, median, shortest = sorted(
            (side * factor for side in self.sides), reverse=True
        )
        return longest, median, shortest

    def weight_in(self, unit: Literal["lb", "kg"]) -> Decimal:
        """Return the weight converted to `unit`."""
        grams = (
            self.weight
            * {
                "lb": _GRAMS_PER_POUND,
                "oz": _GRAMS_PER_OUNCE,
                "g": Decimal(1),
                "kg": _GRAMS_PER_KILOGRAM,
            }[self.weight_unit]
        )
        if unit == "lb":
            return grams / _GRAMS_PER_POUND
        return grams / _GRAMS_PER_KILOGRAM


def _d(text: str) -> Decimal:
    return Decimal(text)


_US_2023 = SizeTierTable(
    region="US",
    effective_from=_BEFORE_ALL,
    length_unit="in",
    weight_unit="lb",
    dimensional_divisor=_d("139"),
    tiers=(
        SizeTier(
            "Small standard-size",
            max_weight=_d("1"),
            weight_basis="unit",
            max_longest=_d("15"),
            max_median=_d("12"),
            max_shortest=_d("0.75"),
            aliases=("Small standard",),
        ),
        SizeTier(
            "Large standard-size",
            max_weight=_d("20"),
            max_longest=_d("18"),
            max_median=_d("14"),
            max_shortest=_d("8"),
            aliases=("Large standard",),
        ),
        SizeTier(
            "Small oversize",
            max_weight=_d("70"),
            max_longest=_d("60"),
            max_median=_d("30"),
            max_length_and_girth=_d("130"),
            minimum_side_for_dimensional_weight=_d("2"),
        ),
        SizeTier(
            "Medium oversize",
            max_weight=_d("150"),
            max_longest=_d("108"),
            max_length_and_girth=_d("130"),
            minimum_side_for_dimensional_weight=_d("2"),
        ),
        SizeTier(
            "Large oversize",
            max_weight=_d("150"),
            max_longest=_d("108"),
            max_length_and_girth=_d("165"),
            minimum_side_for_dimensional_weight=_d("2"),
        ),
        SizeTier("Special oversize", weight_basis="unit"),
    ),
    source="Amazon US help page Product size tiers, 2023 table",
)

# Since 2024-02-05 the extra-large tiers split by weight only: a unit is extra-large
# when it exceeds a large bulky limit, and its weight picks the band.
_US_2024 = SizeTierTable(
    region="US",
    effective_from=US_TIERS_2024,
    length_unit="in",
    weight_unit="lb",
    dimensional_divisor=_d("139"),
    tiers=(
        _US_2023.tiers[0],
        _US_2023.tiers[1],
        SizeTier(
            "Large bulky",
            max_weight=_d("50"),
            max_longest=_d("59"),
            max_median=_d("33"),
            max_shortest=_d("33"),
            max_length_and_girth=_d("130"),
            minimum_side_for_dimensional_weight=_d("2"),
        ),
        SizeTier(
            "Extra-large 0 to 50 lb",
            max_weight=_d("50"),
            minimum_side_for_dimensional_weight=_d("2"),
        ),
        SizeTier(
            "Extra-large 50 to 70 lb",
            max_weight=_d("70"),
            minimum_side_for_dimensional_weight=_d("2"),
            aliases=("Extra-large 50+ to 70 lb",),
        ),
        SizeTier(
            "Extra-large 70 to 150 lb",
            max_weight=_d("150"),
            minimum_side_for_dimensional_weight=_d("2"),
            aliases=("Extra-large 70+ to 150 lb",),
        ),
        SizeTier("Extra-large 150+ lb", weight_basis="unit"),
    ),
    source="Amazon US help page Product size tiers, table since 2024-02-05",
)

# Envelope and parcel tiers limit the unit weight only. The oversize tiers limit
# the unit weight and, separately, the dimensional weight.
_EU_ESTIMATE = SizeTierTable(
    region="EU",
    effective_from=_BEFORE_ALL,
    length_unit="cm",
    weight_unit="kg",
    dimensional_divisor=_d("5000"),
    tiers=(
        SizeTier(
            "Small envelope",
            max_weight=_d("0.08"),
            weight_basis="unit",
            max_longest=_d("20"),
            max_median=_d("15"),
            max_shortest=_d("1"),
        ),
        SizeTier(
            "Standard envelope",
            max_weight=_d("0.46"),
            weight_basis="unit",
            max_longest=_d("33"),
            max_median=_d("23"),
            max_shortest=_d("2.5"),
        ),
        SizeTier(
            "Large envelope",
            max_weight=_d("0.96"),
            weight_basis="unit",
            max_longest=_d("33"),
            max_median=_d("23"),
            max_shortest=_d("4"),
        ),
        SizeTier(
            "Extra-large envelope",
            max_weight=_d("0.96"),
            weight_basis="unit",
            max_longest=_d("33"),
            max_median=_d("23"),
            max_shortest=_d("6"),
            aliases=("Extra large envelope",),
        ),
        SizeTier(
            "Small parcel",
            max_weight=_d("3.9"),
            weight_basis="unit",
            max_longest=_d("35"),
            max_median=_d("25"),
            max_shortest=_d("12"),
        ),
        SizeTier(
            "Standard parcel",
            max_weight=_d("11.9"),
            weight_basis="unit",
            max_longest=_d("45"),
            max_median=_d("34"),
            max_shortest=_d("26"),
        ),
        SizeTier(
            "Small oversize",
            max_weight=_d("1.76"),
            weight_basis="unit",
            max_dimensional_weight=_d("25.82"),
            max_longest=_d("61"),
            max_median=_d("46"),
            max_shortest=_d("46"),
        ),
        SizeTier(
            "Standard oversize",
            max_weight=_d("29.76"),
            weight_basis="unit",
            max_dimensional_weight=_d("86.4"),
            max_longest=_d("120"),
            max_median=_d("60"),
            max_shortest=_d("60"),
        ),
        SizeTier(
            "Large oversize",
            max_weight=_d("31.5"),
            weight_basis="unit",
            max_longest=_d("175"),
            max_length_and_girth=_d("360"),
        ),
        SizeTier("Special oversize", weight_basis="unit"),
    ),
    verified=False,
    source="Amazon EU help page Product size tier (Netherlands), date not confirmed",
)

SIZE_TIER_TABLES: tuple[SizeTierTable, ...] = (_US_2023, _US_2024, _EU_ESTIMATE)


def tier_table(
    region: PolicyRegion,
    on: date,
    tables: Sequence[SizeTierTable] = SIZE_TIER_TABLES,
) -> SizeTierTable | None:
    """Return the region's table in force on `on`, or None when none covers it."""
    chosen: SizeTierTable | None = None
    for table in tables:
        if table.region != region or table.effective_from > on:
            continue
        if chosen is None or table.effective_from > chosen.effective_from:
            chosen = table
    return chosen


@functools.lru_cache(maxsize=1024)
def normalize_tier_name(name: str) -> str:
    """Return the name in lower case with letters and digits only, so
    "Extra-large 150+ lb" becomes "extralarge150lb"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


_LENGTH_UNITS: dict[str, Literal["in", "cm"]] = {
    "in": "in",
    "inch": "in",
    "inches": "in",
    "cm": "cm",
    "centimeter": "cm",
    "centimeters": "cm",
    "centimetre": "cm",
    "centimetres": "cm",
}
_WEIGHT_UNITS: dict[str, Literal["lb", "oz", "g", "kg"]] = {
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "oz": "oz",
    "ounce": "oz",
    "ounces": "oz",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "kg": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
}


def measurements(
    sides: Sequence[Decimal | None],
    length_unit: str,
    weight: Decimal | None,
    weight_unit: str,
) -> Measurements | None:
    """Build measurements from fee preview fields.

    Returns None when a field is missing or not positive, or its unit is unknown.
    """
    length = _LENGTH_UNITS.get(length_unit.strip().lower())
    mass = _WEIGHT_UNITS.get(weight_unit.strip().lower())
    if length is None or mass is None or weight is None or weight <= 0:
        return None
    known = [side for side in sides if side is not None and side > 0]
    if len(known) != 3 or len(sides) != 3:
        return None
    return Measurements((known[0], known[1], known[2]), length, weight, mass)
