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
ResolutionCause: TypeAlias = Literal[
    "units_found", "reimbursed", "offset", "window_closed", "below_minimum"
]
CoverageState: TypeAlias = Literal["checked", "not_checked"]

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
    proactive_payout_days: int = Field(default=30, ge=0)
    """Days after the loss during which Amazon may still reimburse on its own."""
    resolution_horizon_days: int = Field(default=30, ge=0)
    """A case whose claim window closed more than this many days before `as_of`
    gives neither a finding nor a resolution. Every run already expires a detected
    recovery whose claim deadline has passed, so a resolution that late changes
    nothing."""
    min_claim_value: Decimal = Field(default=Decimal("1.00"), ge=0)
    """Findings whose known amount is below this value are dropped."""
    marketplace_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    """ISO 4217 code used when no reimbursement row gives a currency."""
    marketplace_id: str = "ATVPDKIKX0DER"
    """The seller's main marketplace; it picks the regional policy (US or EU)."""
    region: Literal["US", "EU"] = "US"
    """The regional policy of `detection.policy` the claim windows follow."""
    window_overrides: Mapping[str, tuple[int, int]] = Field(default_factory=dict)
    """Claim windows by category as (opens after, closes after) days, replacing the
    policy table's numbers; meant for the rules DOMAIN.md marks unverified."""
    return_grace_days: int = Field(default=45, ge=0)
    """Days a customer has to send a refunded unit back before Amazon charges the
    customer and credits the seller."""
    fee_tolerance: Decimal = Field(default=Decimal("0.05"), ge=0)
    """Per-unit difference between a charged and an expected fee that is ignored."""
    underpaid_tolerance_ratio: Decimal = Field(default=Decimal("0.05"), ge=0)
    """A reimbursement this share below the expected unit value is not flagged."""
    refund_admin_fee_cap: Decimal = Field(default=Decimal("5.00"), ge=0)
    """The largest refund administration fee per unit Amazon may keep."""
    refund_admin_fee_share: Decimal = Field(default=Decimal("0.20"), ge=0, le=1)
    """The largest share of the referral fee Amazon may keep on a refund."""
    automatic_disposal: bool = False
    """True when the seller has automatic removal or disposal turned on, so a
    disposal without a removal order is the seller's own setting, not a claim."""


class DetectionInput(BaseModel):
    """The normalized report data of one seller, handed to `run_detection`.

    A table named in `tables` (or given as `ledger_detail` or `reimbursements`) as
    None has been synced and contains no rows. A table named in `unsynced` was never
    synced, so the categories that need it cannot be checked.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    tables: Mapping[str, TableSource] = Field(default_factory=dict)
    """Normalized report tables by table name (see `detection.tables`)."""
    ledger_detail: TableSource = None
    """The `ledger_detail` table (GET_LEDGER_DETAIL_VIEW_DATA)."""
    reimbursements: TableSource = None
    """The `reimbursements` table (GET_FBA_REIMBURSEMENTS_DATA)."""
    unsynced: frozenset[str] = frozenset()
    """Tables whose report has never been synced for the seller."""
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

    def sources(self) -> dict[str, TableSource]:
        """Return every table source by name, `ledger_detail` and `reimbursements`
        included."""
        merged = dict(self.tables)
        for name, source in (
            ("ledger_detail", self.ledger_detail),
            ("reimbursements", self.reimbursements),
        ):
            if source is not None or name not in merged:
                merged[name] = source
        return merged


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
    amount: Decimal | None = None
    """The row's money amount where it has one (settlement and reimbursement rows)."""


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
    confidence_reason: str = ""
    """The reason for the confidence level, in one sentence."""
    unit_value_source: str = "unknown"
    """seller_cost, amazon_estimate, sale_price, fee_schedule or unknown."""
    order_id: str = ""
    shipment_id: str = ""
    marketplace_id: str = ""


class Resolution(BaseModel):
    """A loss row that needs no claim, so an earlier finding for it can be closed."""

    model_config = ConfigDict(frozen=True)

    key: str
    """The key the finding for this loss row has or would have."""
    type: str
    fnsku: str
    occurred_at: datetime
    cause: ResolutionCause
    """Why no claim is needed: units_found and reimbursed name what closed the loss,
    offset that credits of several kinds did, window_closed that the claim window
    has closed, below_minimum that the open amount is too small."""
    reason: str


class CategoryCoverage(BaseModel):
    """Whether one finding type could be checked on this run, and why not."""

    model_config = ConfigDict(frozen=True)

    type: str
    checked: bool
    reason: str
    """Empty when checked; else which report is missing, in a sentence."""
    missing_tables: list[str] = Field(default_factory=list)


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
    coverage: list[CategoryCoverage] = Field(default_factory=list)
    """One entry per finding type, in the order of the rules."""
