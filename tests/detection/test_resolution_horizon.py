"""The resolution horizon: cases whose claim window closed long before as_of give
no output, and the per-day window book agrees with the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from detection import DetectionSettings
from detection.policy import amazon_pays_proactively, claim_window
from detection.rules.claim_case import WindowBook
from tests.detection.returns_builders import (
    REFUND_AT,
    refund_row,
    resolved_of_type,
    restock_row,
    return_row,
    run,
    sale_rows,
)
from tests.detection.returns_builders import of_type as findings_of

REFUND = "refund_not_returned"
RETURN = "return_damaged_by_amazon"
SECOND = timedelta(seconds=1)
# The US window of a refund since 2024-10-23 closes 120 days after it.
CLOSES = REFUND_AT + timedelta(days=120)


@pytest.mark.parametrize(
    ("as_of", "resolved"),
    [
        (CLOSES + timedelta(days=30), True),
        (CLOSES + timedelta(days=30) + SECOND, False),
    ],
    ids=["last_moment_inside", "just_past"],
)
def test_closed_window_resolved_within_horizon(as_of: datetime, resolved: bool) -> None:
    result = run(as_of=as_of, settlements=[*sale_rows(), refund_row()])

    assert findings_of(result, REFUND) == []
    causes = [resolution.cause for resolution in resolved_of_type(result, REFUND)]
    assert causes == (["window_closed"] if resolved else [])


def test_horizon_is_a_setting() -> None:
    as_of = CLOSES + timedelta(days=200)

    default = run(as_of=as_of, settlements=[*sale_rows(), refund_row()])
    wide = run(
        as_of=as_of,
        settlements=[*sale_rows(), refund_row()],
        settings=DetectionSettings(resolution_horizon_days=365),
    )

    assert resolved_of_type(default, REFUND) == []
    assert [r.cause for r in resolved_of_type(wide, REFUND)] == ["window_closed"]


@pytest.mark.parametrize(
    ("horizon", "resolved"), [(9, False), (10, True)], ids=["narrow", "wide"]
)
def test_horizon_applies_to_returned_units(horizon: int, resolved: bool) -> None:
    # Returned in full after the earliest opening (45 days): a units_found
    # resolution, until the horizon passes.
    result = run(
        as_of=CLOSES + timedelta(days=10),
        settlements=[*sale_rows(), refund_row()],
        returns=[
            return_row(at=REFUND_AT + timedelta(days=50), disposition="DEFECTIVE")
        ],
        settings=DetectionSettings(resolution_horizon_days=horizon),
    )

    causes = [resolution.cause for resolution in resolved_of_type(result, REFUND)]
    assert causes == (["units_found"] if resolved else [])


def test_late_restock_resolution_kept_until_window_closes() -> None:
    # The restock came 40 days after the return. The case's window counts from
    # the refund and closes 120 days after it, so the resolution stays 30 days
    # past that close, long after the return itself.
    returned_at = REFUND_AT + timedelta(days=8)
    settlements = [*sale_rows(), refund_row()]
    returns = [return_row(at=returned_at)]
    ledger = [restock_row(at=returned_at + timedelta(days=40), reference_id="")]

    inside = run(
        as_of=CLOSES + timedelta(days=30),
        settlements=settlements,
        returns=returns,
        ledger=ledger,
    )
    past = run(
        as_of=CLOSES + timedelta(days=30) + SECOND,
        settlements=settlements,
        returns=returns,
        ledger=ledger,
    )

    assert [r.cause for r in resolved_of_type(inside, RETURN)] == ["units_found"]
    assert resolved_of_type(past, RETURN) == []


def test_late_restock_does_not_close_item_still_owed() -> None:
    # Two sellable returns of one order item: one restocked 40 days late, one
    # never. The finding for the item must not be closed by the late one.
    returned_at = REFUND_AT + timedelta(days=8)
    result = run(
        as_of=REFUND_AT + timedelta(days=70),
        settlements=[*sale_rows(quantity=2), refund_row(quantity=2)],
        returns=[
            return_row(at=returned_at),
            return_row(at=returned_at + timedelta(hours=1)),
        ],
        ledger=[restock_row(at=returned_at + timedelta(days=40), reference_id="")],
    )

    [finding] = findings_of(result, RETURN)
    assert finding.open_units == 1
    assert [r.key for r in resolved_of_type(result, RETURN)] == []


@pytest.mark.parametrize("region", ["US", "EU"])
@pytest.mark.parametrize("category", [REFUND, RETURN])
@pytest.mark.parametrize(
    "event_at",
    [
        datetime(2024, 10, 22, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 10, 23, tzinfo=UTC),
        datetime(2024, 10, 31, 23, 59, tzinfo=UTC),
        datetime(2024, 11, 1, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 4, 15, 30, 0, 17, tzinfo=UTC),
    ],
    ids=["before_windows", "windows_day", "before_proactive", "proactive", "later"],
)
def test_window_book_matches_policy(
    region: Literal["US", "EU"], category: str, event_at: datetime
) -> None:
    settings = DetectionSettings(region=region)
    book = WindowBook(category, settings)
    window = claim_window(category, event_at, settings.region)
    event_us = (event_at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )
    closes_us = (window.closes - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )

    # Look up twice, so the second lookup reads the day's cache.
    for _ in range(2):
        assert book.window(event_at) == (window.opens, window.closes)
        assert book.closes_us(event_us) == closes_us
        assert book.proactive(event_at) == amazon_pays_proactively(category, event_at)


def test_window_book_uses_overrides() -> None:
    settings = DetectionSettings(window_overrides={RETURN: (5, 9)})
    book = WindowBook(RETURN, settings)

    assert book.window(REFUND_AT) == (
        REFUND_AT + timedelta(days=5),
        REFUND_AT + timedelta(days=9),
    )
