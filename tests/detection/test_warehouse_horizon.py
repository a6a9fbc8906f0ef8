"""Warehouse losses whose claim window closed long ago give no resolution.

Every run expires a detected recovery whose claim deadline has passed, so the rule
skips losses whose window closed more than `resolution_horizon_days` (30 by
default) before as_of. Earlier losses still take their share of the credits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from detection import DetectionSettings
from detection.rules.warehouse import earliest_loss_in_horizon
from tests.detection.builders import T0, days, detect, ledger_row

CLOSES = T0 + days(60)
"""The end of the 60-day claim window of a loss at T0."""
WAREHOUSE_TYPES = ("lost_inventory", "damaged_inventory")


@pytest.mark.parametrize("reason", ["M", "E"], ids=["lost", "damaged"])
def test_closed_29_days_ago_resolved(reason: str) -> None:
    result = detect([ledger_row(reason=reason)], as_of=CLOSES + days(29))

    assert result.findings == []
    assert [item.cause for item in result.resolved] == ["window_closed"]


@pytest.mark.parametrize("reason", ["M", "E"], ids=["lost", "damaged"])
def test_closed_31_days_ago_skipped(reason: str) -> None:
    result = detect([ledger_row(reason=reason)], as_of=CLOSES + days(31))

    assert result.findings == []
    assert result.resolved == []


def test_horizon_last_moment_resolved() -> None:
    result = detect([ledger_row()], as_of=CLOSES + days(30))

    assert [item.cause for item in result.resolved] == ["window_closed"]


def test_horizon_passed_by_a_second() -> None:
    result = detect([ledger_row()], as_of=CLOSES + days(30) + timedelta(seconds=1))

    assert result.resolved == []


def test_found_loss_past_horizon_skipped() -> None:
    rows = [ledger_row(), ledger_row(at=T0 + days(1), quantity=1, reason="F")]

    recent = detect(rows, as_of=CLOSES + days(29))
    old = detect(rows, as_of=CLOSES + days(31))

    assert [item.cause for item in recent.resolved] == ["units_found"]
    assert old.resolved == []


def test_horizon_setting_widens_it() -> None:
    settings = DetectionSettings(resolution_horizon_days=100)

    result = detect([ledger_row()], as_of=CLOSES + days(99), settings=settings)

    assert [item.cause for item in result.resolved] == ["window_closed"]


def test_zero_horizon_skips_any_closed_window() -> None:
    settings = DetectionSettings(resolution_horizon_days=0)

    result = detect([ledger_row()], as_of=CLOSES + days(1), settings=settings)

    assert result.resolved == []


def test_old_loss_still_takes_its_credit() -> None:
    # The found unit follows the old loss, so first in first out it belongs to
    # that loss even though the old loss itself is past the horizon.
    rows = [
        ledger_row(at=T0 - days(200), quantity=-1),
        ledger_row(at=T0 - days(199), quantity=1, reason="F"),
        ledger_row(at=T0, quantity=-1),
    ]

    result = detect(rows, as_of=T0 + days(8))

    assert len(result.findings) == 1
    assert result.findings[0].occurred_at == T0
    assert result.findings[0].credited_units == 0
    assert result.resolved == []


def test_eighteen_month_window_horizon() -> None:
    # Before 2024-10-23 the window is 548 days long.
    lost_at = datetime(2024, 10, 1, 12, tzinfo=UTC)
    closes = lost_at + days(548)

    recent = detect([ledger_row(at=lost_at)], as_of=closes + days(29))
    old = detect([ledger_row(at=lost_at)], as_of=closes + days(31))

    assert [item.cause for item in recent.resolved] == ["window_closed"]
    assert old.resolved == []


def test_window_override_moves_the_horizon() -> None:
    overrides = {"lost_inventory": (0, 200), "damaged_inventory": (0, 200)}
    settings = DetectionSettings(window_overrides=overrides)

    result = detect([ledger_row()], as_of=T0 + days(225), settings=settings)

    assert [item.cause for item in result.resolved] == ["window_closed"]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # 60-day windows: 30 + 60 days before as_of.
        (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)),
        # The 548-day windows of losses before 2024-10-23 still reach the horizon.
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2024, 6, 2, tzinfo=UTC)),
        # Losses up to 2024-10-22 23:59:59 have 548-day windows, which reach a
        # horizon starting 548 days later. A second later only 60-day ones do.
        (
            datetime(2026, 5, 23, 23, 59, 59, tzinfo=UTC),
            datetime(2024, 10, 22, 23, 59, 59, tzinfo=UTC),
        ),
        (datetime(2026, 5, 24, tzinfo=UTC), datetime(2026, 2, 23, tzinfo=UTC)),
    ],
    ids=["sixty_days", "eighteen_months", "last_long_window", "past_long_windows"],
)
def test_earliest_loss_in_horizon(as_of: datetime, expected: datetime) -> None:
    settings = DetectionSettings()

    assert earliest_loss_in_horizon(WAREHOUSE_TYPES, as_of, settings) == expected


def test_negative_horizon_rejected() -> None:
    with pytest.raises(ValueError, match="resolution_horizon_days"):
        DetectionSettings(resolution_horizon_days=-1)
