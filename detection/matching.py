"""FIFO allocation of credits (units found, corrected or reimbursed) to losses.

The allocation works on one FNSKU at a time. Losses are taken in order of
(occurred_at, sort_key) and credits in order of (occurred_at, sort_key). Each credit
gives its units to the earliest loss that it may offset, that still has open units
and that happened no later than the credit time plus the lookback. A credit dated
further before a loss belongs to an earlier loss, so it never reduces that one.
Units left over after every eligible loss is full are dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

LossItem = TypeVar("LossItem")
CreditItem = TypeVar("CreditItem")
Moment = TypeVar("Moment", datetime, int)


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
    ordered_losses = sorted(losses, key=lambda loss: (loss.occurred_at, loss.sort_key))
    ordered_credits = sorted(
        credits, key=lambda credit: (credit.occurred_at, credit.sort_key)
    )
    allocations = allocate_units(
        [(loss.occurred_at, loss.loss_class, loss.units) for loss in ordered_losses],
        [
            (credit.occurred_at + lookback, credit.offsets, credit.units)
            for credit in ordered_credits
        ],
    )
    matched = []
    for loss, allocated in zip(ordered_losses, allocations, strict=True):
        entry = MatchedLoss[LossItem, CreditItem](loss)
        for credit_index, units in allocated:
            entry.add(Allocation(ordered_credits[credit_index], units))
        matched.append(entry)
    return matched


def allocate_units(
    losses: Sequence[tuple[Moment, str, int]],
    credits: Iterable[tuple[Moment, Collection[str], int]],
) -> list[list[tuple[int, int]]]:
    """Allocate credits to losses that are both already in matching order.

    Each loss is (occurred_at, loss_class, units), and each credit (latest_loss_time,
    offsets, units): the credit's time plus the lookback, the loss classes it
    offsets and its units. Times may be datetimes or epoch microseconds. Returns,
    for each loss, its (credit position, units) allocations in allocation order,
    with the rules of `allocate_credits`.

    Credits come in time order and always fill the earliest open loss of a class,
    so the losses of a class that are full form a prefix of its list. Each class
    keeps the position of its first loss with open units, and every credit starts
    there instead of at the first loss: the whole allocation is linear in the
    number of losses and credits.
    """
    open_units = [max(units, 0) for _, _, units in losses]
    allocations: list[list[tuple[int, int]]] = [[] for _ in losses]
    positions: dict[str, list[int]] = {}
    for position, (_, loss_class, _) in enumerate(losses):
        positions.setdefault(loss_class, []).append(position)
    first_open = dict.fromkeys(positions, 0)
    # The classes of losses present that each distinct offsets value reaches.
    reached: dict[Collection[str], list[str]] = {}

    for credit_index, (latest_loss_time, offsets, units) in enumerate(credits):
        if units < 0:
            continue
        classes = reached.get(offsets)
        if classes is None:
            classes = [name for name in offsets if name in positions]
            reached[offsets] = classes
        remaining = units
        while True:
            earliest = -1
            for name in classes:
                queue = positions[name]
                index = first_open[name]
                end = len(queue)
                while index < end and open_units[queue[index]] == 0:
                    index += 1
                first_open[name] = index
                if index < end and (earliest < 0 or queue[index] < earliest):
                    earliest = queue[index]
            if earliest < 0 or losses[earliest][0] > latest_loss_time:
                break
            applied = min(remaining, open_units[earliest])
            allocations[earliest].append((credit_index, applied))
            open_units[earliest] -= applied
            remaining -= applied
            if remaining == 0:
                break
    return allocations
