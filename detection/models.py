"""Input, settings and result models of the claim-detection engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal, TypeAlias

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, field_validator

Confidence: TypeAlias = Literal["high", "medium", "low"]
ResolutionCause: TypeAlias = Literal["offset", "window_closed", "below_minimum"]

# A normalized report table: an Arrow table, the path of a Parquet file, or None when
# the report has no data (Amazon returned CANCELLED for the range).
TableSource: TypeAlias = pa.Table | str | os.PathLike[str] | None


class DetectionSettings(BaseModel):
    """Thresholds of the detection rules; the defaults follow Amazon's US policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    credit_lookback_days: int = Field(default=3, ge=0)
    """A credit may be dated up to this many days before the loss it offsets."""
    lost_wait_business_days: int = Field(default=5, ge=0)
    """Business days (Monday to Friday) after a loss before it is flagged."""
    damaged_wait_days: int = Field(default=10, ge=0)
    """Calendar days after a damage before it is flagged."""
    claim_window_days: int = Field(default=60, ge=1)
    """Days after the loss during which Amazon accepts a manual claim."""
    proactive_payout_days: int = Field(default=30, ge=0)
    """Days after the loss during which Amazon may still reimburse on its own."""
    min_claim_value: Decimal = Field(default=Decimal("1.00"), ge=0)
    """Findings whose known amount is below this value are dropped."""
    marketplace_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    """ISO 4217 code used when no reimbursement row gives a currency."""


class DetectionInput(BaseModel):
    """The normalized report data of one seller, handed to `run_detection`."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    ledger_detail: TableSource = None
    """The `ledger_detail` table (GET_LEDGER_DETAIL_VIEW_DATA)."""
    reimbursements: TableSource = None
    """The `reimbursements` table (GET_FBA_REIMBURSEMENTS_DATA)."""
    as_of: datetime
    """The instant the rules are evaluated at; timezone-aware, converted to UTC."""
    unit_costs: Mapping[str, Decimal] = Field(default_factory=dict)
    """The seller's own cost per unit, by SKU, in the marketplace currency."""

    @field_validator("as_of")
    @classmethod
    def _require_aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("as_of must be a timezone-aware datetime")
        return value.astimezone(UTC)

    @field_validator("unit_costs")
    @classmethod
    def _require_non_negative_costs(
        cls, value: Mapping[str, Decimal]
    ) -> Mapping[str, Decimal]:
        for sku, cost in value.items():
            if cost < 0:
                raise ValueError(f"unit cost of SKU {sku!r} is negative: {cost}")
        return value


class EvidenceRow(BaseModel):
    """One report row that supports a finding."""

    model_config = ConfigDict(frozen=True)

    report_type: str
    """Amazon's report type, for example GET_LEDGER_DETAIL_VIEW_DATA."""
    row_key: str
    source_line: int
    """1-based line of the row in the report file (the header is line 1)."""
    occurred_at: datetime
    quantity: int
    """The row's own signed quantity, before any matching."""
    reference_id: str | None
    """Ledger Reference ID, or the reimbursement id of a reimbursement row."""
    description: str


class Finding(BaseModel):
    """Money Amazon owes the seller on one loss row, with the evidence for a claim."""

    model_config = ConfigDict(frozen=True)

    key: str
    """Stable identifier: the same loss row gives the same key on every run."""
    type: str
    fnsku: str
    sku: str
    asin: str
    product_name: str
    fulfillment_center: str
    reference_id: str
    occurred_at: datetime
    units_lost: int
    credited_units: int
    """Units found again, corrected or reimbursed that were matched to this loss."""
    open_units: int
    """Units still owed, capped by Amazon's Unreconciled Quantity when present."""
    unit_value: Decimal | None
    """Value per unit, or None when neither a seller cost nor an estimate exists."""
    amount: Decimal
    """open_units x unit_value rounded half up to cents, or 0.00 when unknown."""
    currency: str
    confidence: Confidence
    amazon_expected_to_pay: bool
    """True while Amazon may still reimburse the loss without a claim."""
    claim_window_opens: datetime
    claim_window_closes: datetime
    reason: str
    """A sentence for the seller: what was lost, what was already credited, and why."""
    evidence: list[EvidenceRow]
    """The loss row first, then every credit row matched to it."""


class Resolution(BaseModel):
    """A loss row that needs no claim, so an earlier finding for it can be closed."""

    model_config = ConfigDict(frozen=True)

    key: str
    """The key the finding for this loss row has or would have."""
    type: str
    fnsku: str
    occurred_at: datetime
    cause: ResolutionCause
    """Why no claim is needed: offset means no unit is left open, window_closed that
    the claim window has closed, below_minimum that the open amount is too small."""
    reason: str


class TypeTotals(BaseModel):
    """Count and amounts of the findings of one type."""

    model_config = ConfigDict(frozen=True)

    count: int = 0
    amount: dict[str, Decimal] = Field(default_factory=dict)
    """Sum of finding amounts by currency."""


class DetectionTotals(BaseModel):
    """Aggregates over the findings of one run."""

    model_config = ConfigDict(frozen=True)

    amount: dict[str, Decimal]
    """Sum of finding amounts by currency."""
    by_type: dict[str, TypeTotals]
    """One entry per finding type the engine's rules produce, zero counts included."""
    by_confidence: dict[Confidence, int]
    """Finding counts for high, medium and low, zero counts included."""


class DetectionResult(BaseModel):
    """Output of one detection run."""

    model_config = ConfigDict(frozen=True)

    findings: list[Finding]
    """Sorted by occurred_at, then key."""
    resolved: list[Resolution]
    """Sorted by occurred_at, then key."""
    rows_scanned: dict[str, int]
    """Row count of each input table, by table name; 0 for a missing table."""
    totals: DetectionTotals
    duration_ms: int
