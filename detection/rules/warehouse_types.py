"""Reason codes, loss classes and the per-loss assessment of the warehouse rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

from detection.matching import MatchedLoss
from detection.queries import LedgerAdjustment
from detection.reversals import NettedReimbursement
from detection.valuation import UnitValue

LOST_INVENTORY = "lost_inventory"
DAMAGED_INVENTORY = "damaged_inventory"

# Loss classes: a credit offsets only losses of the classes it names.
LOST = "lost"
DAMAGED = "damaged"

# Ledger Adjustments reason codes with a negative quantity. M and 5 are units
# misplaced in the warehouse. E is damaged at the fulfillment center from
# sellable, and 6, 7, H, K and U are damaged from carrier-damaged, expired,
# customer-damaged, defective and distributor-damaged stock.
LOSS_CLASS_BY_CODE: Mapping[str, str] = {
    "M": LOST,
    "5": LOST,
    "E": DAMAGED,
    "6": DAMAGED,
    "7": DAMAGED,
    "H": DAMAGED,
    "K": DAMAGED,
    "U": DAMAGED,
}
# F (found) and N (found, or reimbursed with inventory) with a positive quantity.
FOUND_CODES = frozenset({"F", "N"})
# O (correction, or Amazon reimbursed) with either sign offsets both classes.
CORRECTION_CODES = frozenset({"O"})

# Reimbursement reasons, lower case without spaces or underscores.
LOSS_CLASS_BY_REIMBURSEMENT: Mapping[str, str] = {
    "lostwarehouse": LOST,
    "damagedwarehouse": DAMAGED,
}

FINDING_TYPE_BY_CLASS: Mapping[str, str] = {
    LOST: LOST_INVENTORY,
    DAMAGED: DAMAGED_INVENTORY,
}

CreditSource: TypeAlias = LedgerAdjustment | NettedReimbursement
WarehouseMatch: TypeAlias = MatchedLoss[LedgerAdjustment, CreditSource]


@dataclass(frozen=True, slots=True)
class LossAssessment:
    """One loss row after matching, with the numbers a finding reports."""

    match: WarehouseMatch
    loss_class: str
    key: str
    open_units: int
    """Units lost minus units credited, capped by Unreconciled Quantity."""
    window_opens: datetime
    window_closes: datetime
    unit_value: UnitValue
    amount: Decimal
    amazon_expected_to_pay: bool

    @property
    def row(self) -> LedgerAdjustment:
        """The ledger row of the loss."""
        return self.match.loss.item

    @property
    def finding_type(self) -> str:
        """lost_inventory or damaged_inventory."""
        return FINDING_TYPE_BY_CLASS[self.loss_class]

    @property
    def capped(self) -> bool:
        """True when Unreconciled Quantity lowered the open units."""
        return self.open_units < self.match.open_units
