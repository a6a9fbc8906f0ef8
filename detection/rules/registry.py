"""The rules the engine runs, in order.

A new rule family is one module under `detection.rules` with a class that
implements `Rule`, added to `default_rules` below.
"""

from __future__ import annotations

from detection.rules.base import Rule
from detection.rules.fees import FeeRule
from detection.rules.inbound import InboundRule
from detection.rules.payouts import PayoutsRule
from detection.rules.removals import RemovalRule
from detection.rules.returns import ReturnsRule
from detection.rules.warehouse import WarehouseRule


def default_rules() -> tuple[Rule, ...]:
    """Return a fresh instance of every rule the engine runs."""
    return (
        WarehouseRule(),
        RemovalRule(),
        InboundRule(),
        ReturnsRule(),
        PayoutsRule(),
        FeeRule(),
    )
