"""The interface every detection rule implements."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

import duckdb

from detection.models import DetectionSettings, Finding, Resolution


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Inputs of a rule: the registered tables, the evaluation time and the settings."""

    connection: duckdb.DuckDBPyConnection
    """DuckDB connection with one view per table in `detection.tables`."""
    as_of: datetime
    """Aware UTC instant the rules are evaluated at."""
    settings: DetectionSettings
    unit_costs: Mapping[str, Decimal]
    """The seller's cost per unit, by SKU."""
    row_counts: Mapping[str, int] = field(default_factory=dict)
    """Rows of each registered table, so a rule can skip work on empty tables."""


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """Findings and resolutions of one rule, in any order."""

    findings: list[Finding] = field(default_factory=list)
    resolved: list[Resolution] = field(default_factory=list)


class Rule(Protocol):
    """A family of finding types computed from the report tables."""

    @property
    def name(self) -> str:
        """Short identifier of the rule family, used in logs."""
        ...

    @property
    def finding_types(self) -> tuple[str, ...]:
        """Every finding type the rule can produce."""
        ...

    @property
    def requirements(self) -> Mapping[str, tuple[tuple[str, ...], ...]]:
        """The tables each finding type needs, as groups of alternatives.

        Every group must have at least one synced table for the type to be
        checked: ``((ledger_detail,), (settlements, orders))`` needs the ledger
        and either the settlements or the orders.
        """
        ...

    def run(self, context: RuleContext) -> RuleOutcome:
        """Compute the findings and resolutions; must not change the tables."""
        ...


def finding_key(finding_type: str, *parts: str) -> str:
    """Return the stable key of a finding: sha256 hex of "type|part|...", 32 chars.

    Rules pass the fields that identify the claim, for a warehouse loss the FNSKU
    and the loss row's row_key, so the same row gives the same key on every run.
    """
    text = "|".join((finding_type, *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
