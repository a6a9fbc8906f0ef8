"""FIFO allocation of credits (units found, corrected or reimbursed) to losses.

The allocation works on one FNSKU at a time. Losses are taken in order of
(occurred_at, sort_key) and credits in order of (occurred_at, sort_key). Each credit
gives its units to the earliest loss that it may offset, that still has open units
and that happened no later than the credit time plus the lookback. A credit dated
further before a loss belongs to an earlier loss, so it never reduces that one.
Units left over after every eligible loss is full are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

LossItem = TypeVar("LossItem")
CreditItem = TypeVar("CreditItem")


@dataclass(frozen=True, slots=True)
class Loss(Generic[LossItem]):
    """A loss of `units` units of class `loss_class`, with the row it came from."""

    item: LossItem
    occurred_at: datetime
    sort_key: tuple[int, str]
    loss_class: str
    units: int


@dataclass(frozen=True, slots=True)
class Credit(Generic[CreditItem]):
    """Units that offset losses of the classes in `offsets`, with their source."""

    item: CreditItem
    occurred_at: datetime
    sort_key: tuple[int, str]
    offsets: frozenset[str]
    units: int


@dataclass(frozen=True, slots=True)
class Allocation(Generic[CreditItem]):
    """Units of one credit given to one loss."""

    credit: Credit[CreditItem]
    units: int


@dataclass(slots=True)
class MatchedLoss(Generic[LossItem, CreditItem]):
    """A loss with the credits allocated to it, in allocation order."""

    loss: Loss[LossItem]
    allocations: list[Allocation[CreditItem]] = field(default_factory=list)
    credited_units: int = 0
    """Sum of the units of all allocations."""

    @property
    def open_units(self) -> int:
        """Units lost minus units credited, never below zero."""
        return max(self.loss.units - self.credited_units, 0)

    def add(self, allocation: Allocation[CreditItem]) -> None:
        """Append an allocation and count its units as credited."""
        self.allocations.append(allocation)
        self.credited_units += allocation.units


def allocate_credits(
    losses: Iterable[Loss[LossItem]],
    credits: Iterable[Credit[CreditItem]],
    lookback: timedelta,
) -> list[MatchedLoss[LossItem, CreditItem]]:
    """Allocate the credits of one FNSKU to its losses, first in first out.

    A credit with zero units (a reimbursement that was fully reversed) is attached
    with 0 units to the loss it would have reduced, so it still shows as evidence.
    Credits with negative units are ignored. Returns the losses in matching order.
    """
    matched = [
        MatchedLoss[LossItem, CreditItem](loss)
        for loss in sorted(losses, key=lambda loss: (loss.occurred_at, loss.sort_key))
    ]
    ordered_credits = sorted(
        credits, key=lambda credit: (credit.occurred_at, credit.sort_key)
    )
    queues = _ClassQueues(matched)
    for credit in ordered_credits:
        if credit.units >= 0:
            queues.allocate(credit, credit.occurred_at + lookback)
    return matched


class _ClassQueues(Generic[LossItem, CreditItem]):
    """The losses of each class in matching order, with the first open one.

    Credits come in time order and always fill the earliest open loss of a class,
    so the losses of a class that are full form a prefix of its list. Each class
    keeps the position of its first loss with open units, and every credit starts
    there instead of at the first loss: the whole allocation is linear in the
    number of losses and credits.
    """

    def __init__(self, matched: list[MatchedLoss[LossItem, CreditItem]]) -> None:
        self._matched = matched
        self._positions: dict[str, list[int]] = {}
        for position, entry in enumerate(matched):
            self._positions.setdefault(entry.loss.loss_class, []).append(position)
        self._first_open = dict.fromkeys(self._positions, 0)

    def allocate(self, credit: Credit[CreditItem], latest_loss_time: datetime) -> None:
        """Give the credit's units to the earliest open losses it may offset.

        Only losses that happened no later than `latest_loss_time` qualify. A
        credit of 0 units is attached to the first qualifying loss.
        """
        classes = [name for name in credit.offsets if name in self._positions]
        remaining = credit.units
        while True:
            position = self._earliest_open(classes)
            if position is None:
                return
            entry = self._matched[position]
            if entry.loss.occurred_at > latest_loss_time:
                return
            units = min(remaining, entry.open_units)
            entry.add(Allocation(credit, units))
            remaining -= units
            if remaining == 0:
                return

    def _earliest_open(self, classes: list[str]) -> int | None:
        """Return the position in `matched` of the first open loss of `classes`."""
        earliest: int | None = None
        for name in classes:
            positions = self._positions[name]
            index = self._first_open[name]
            while (
                index < len(positions)
                and self._matched[positions[index]].open_units == 0
            ):
                index += 1
            self._first_open[name] = index
            if index < len(positions) and (
                earliest is None or positions[index] < earliest
            ):
                earliest = positions[index]
        return earliest
