"""Precision and recall per category on generated sellers.

Several seeds, a US and an EU marketplace, and evaluation days on both sides of
each policy change (2024-10-23 windows, 2024-11-01 proactive payouts, 2025-03-31
valuation). Every planted claimable case must be found with its units, amount
and window, and no look-alike may be: precision and recall are both 1.0.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from detection import run_detection
from tests.detection.generated.planters import planters
from tests.detection.generated.seller import DE, US, GeneratedSeller, Market, score

AS_OF_DAYS = (
    datetime(2024, 9, 20, 18, tzinfo=UTC),
    datetime(2025, 2, 12, 18, tzinfo=UTC),
    datetime(2025, 7, 1, 18, tzinfo=UTC),
    datetime(2026, 11, 30, 18, tzinfo=UTC),
)
SEEDS = (11, 202, 3003)


def _generate(seed: int, market: Market, as_of: datetime) -> GeneratedSeller:
    seller = GeneratedSeller(market=market, as_of=as_of, seed=seed)
    for planter in planters():
        planter.plant(seller)
    return seller


def _types() -> list[str]:
    return [kind for planter in planters() for kind in planter.types]


@pytest.mark.parametrize("as_of", AS_OF_DAYS, ids=lambda d: d.date().isoformat())
@pytest.mark.parametrize("market", [US, DE], ids=["US", "EU"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_category_precision_and_recall_are_one(
    seed: int, market: Market, as_of: datetime
) -> None:
    seller = _generate(seed, market, as_of)
    result = run_detection(seller.detection_input(), seller.settings())

    scores = score(result, seller.planted, _types())
    report = {
        kind: (round(s.precision, 3), round(s.recall, 3), s.mismatches)
        for kind, s in scores.items()
    }
    assert all(s.precision == 1.0 and s.recall == 1.0 for s in scores.values()), report


def test_planters_cover_every_category_with_both_kinds_of_case() -> None:
    seller = _generate(SEEDS[0], US, AS_OF_DAYS[-1])
    for kind in _types():
        cases = [case for case in seller.planted if case.type == kind]
        assert any(case.claimable for case in cases), kind
        assert any(not case.claimable for case in cases), kind
