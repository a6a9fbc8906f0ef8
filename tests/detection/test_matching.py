"""FIFO allocation of credits to losses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from detection.matching import Credit, Loss, MatchedLoss, allocate_credits

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
LOOKBACK = timedelta(days=3)
BOTH = frozenset({"lost", "damaged"})


def _loss(name: str, day: float, units: int, loss_class: str = "lost") -> Loss[str]:
    return Loss(name, T0 + timedelta(days=day), (0, name), loss_class, units)


def _credit(
    name: str, day: float, units: int, offsets: frozenset[str] = BOTH
) -> Credit[str]:
    return Credit(name, T0 + timedelta(days=day), (0, name), offsets, units)


def _open(matched: list[MatchedLoss[str, str]]) -> dict[str, int]:
    return {entry.loss.item: entry.open_units for entry in matched}


def test_credit_fills_earliest_loss_first() -> None:
    matched = allocate_credits(
        [_loss("b", 1, 2), _loss("a", 0, 2)], [_credit("c", 2, 3)], LOOKBACK
    )

    assert _open(matched) == {"a": 0, "b": 1}


def test_losses_returned_in_time_order() -> None:
    no_credits: list[Credit[str]] = []
    matched = allocate_credits(
        [_loss("b", 1, 1), _loss("a", 0, 1)], no_credits, LOOKBACK
    )

    assert [entry.loss.item for entry in matched] == ["a", "b"]


def test_credit_skips_other_class() -> None:
    matched = allocate_credits(
        [_loss("lost", 0, 1), _loss("damaged", 1, 1, "damaged")],
        [_credit("c", 2, 1, frozenset({"damaged"}))],
        LOOKBACK,
    )

    assert _open(matched) == {"lost": 1, "damaged": 0}


def test_credit_not_given_to_later_loss() -> None:
    matched = allocate_credits(
        [_loss("a", 0, 1), _loss("late", 10, 5)], [_credit("c", 1, 4)], LOOKBACK
    )

    assert _open(matched) == {"a": 0, "late": 5}


def test_credit_within_lookback_reaches_loss() -> None:
    matched = allocate_credits([_loss("a", 3, 2)], [_credit("c", 0, 1)], LOOKBACK)

    assert _open(matched) == {"a": 1}


def test_zero_credit_attached_as_evidence() -> None:
    matched = allocate_credits([_loss("a", 0, 1)], [_credit("c", 1, 0)], LOOKBACK)

    assert [allocation.units for allocation in matched[0].allocations] == [0]
    assert matched[0].open_units == 1


def test_negative_credit_ignored() -> None:
    matched = allocate_credits([_loss("a", 0, 1)], [_credit("c", 1, -2)], LOOKBACK)

    assert matched[0].allocations == []
    assert matched[0].open_units == 1


def test_credits_applied_in_time_order() -> None:
    matched = allocate_credits(
        [_loss("a", 0, 1), _loss("b", 5, 1)],
        [_credit("late", 6, 1), _credit("early", 1, 1)],
        LOOKBACK,
    )

    assert [a.credit.item for a in matched[0].allocations] == ["early"]
    assert [a.credit.item for a in matched[1].allocations] == ["late"]
