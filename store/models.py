"""Database models: the platform state the gateway and the activities share.

Money is stored in minor units (cents) next to its currency, so sums are exact and
sortable on both SQLite and PostgreSQL. Every table with a seller's data has a
`user_id`, and every read in `store/` filters on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


def _user_fk() -> Any:
    return ForeignKey("users.id", ondelete="CASCADE")


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    amazon_user_id: Mapped[str] = mapped_column(String(128), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class Session(Base):
    """A signed-in session; the id is the JWT's `jti`, so logout can revoke it."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(_user_fk(), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))


class AmazonConnection(Base):
    """A seller's SP-API authorization for one region; tokens are sealed at rest."""

    __tablename__ = "amazon_connections"
    __table_args__ = (UniqueConstraint("user_id", "region"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(_user_fk(), index=True)
    selling_partner_id: Mapped[str] = mapped_column(String(64))
    region: Mapped[str] = mapped_column(String(8))
    marketplaces: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    refresh_token_sealed: Mapped[str] = mapped_column(Text)
    access_token_sealed: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None]
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    needs_reauth: Mapped[bool] = mapped_column(Boolean, default=False)
    reauth_reason: Mapped[str | None] = mapped_column(String(300))
    last_sync_at: Mapped[datetime | None]


ACTIVE_SYNC = "status IN ('queued', 'running')"


class SyncRun(Base):
    """One sync of a seller's reports.

    At most one row per user is active (queued or running): the partial unique index
    is what keeps a scheduled and a manual sync of one seller apart, whatever ids
    their workflows have.
    """

    __tablename__ = "sync_runs"
    __table_args__ = (
        Index("ix_sync_runs_user_started", "user_id", "started_at"),
        Index(
            "uq_sync_runs_one_active_per_user",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE_SYNC),
            postgresql_where=text(ACTIVE_SYNC),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(_user_fk())
    workflow_id: Mapped[str] = mapped_column(String(128))
    workflow_run_id: Mapped[str | None] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    requested_reports: Mapped[list[str]] = mapped_column(JSON, default=list)
    since: Mapped[datetime | None]
    reports: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    detection_run_id: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportDocument(Base):
    """One downloaded report document; its bytes live in content-addressed storage."""

    __tablename__ = "report_documents"
    __table_args__ = (UniqueConstraint("user_id", "amazon_report_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(_user_fk(), index=True)
    sync_run_id: Mapped[str | None] = mapped_column(String(32), index=True)
    report_type: Mapped[str] = mapped_column(String(80))
    marketplace_id: Mapped[str] = mapped_column(String(32))
    amazon_report_id: Mapped[str] = mapped_column(String(64))
    amazon_document_id: Mapped[str | None] = mapped_column(String(200))
    processing_status: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    storage_key: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(32))
    was_gzip: Mapped[bool] = mapped_column(Boolean, default=False)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    data_start: Mapped[datetime | None]
    data_end: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


ACTIVE_MANUAL_DETECTION = "status IN ('queued', 'running') AND sync_run_id IS NULL"


class DetectionRun(Base):
    """One run of the detection engine, started by a sync or by the seller.

    At most one run per user started by the seller (no `sync_run_id`) is active: the
    partial unique index makes a second `POST /api/detections/run` find the first.
    Runs started by a sync are not limited by it, because their row is written by
    the workflow and a failed insert there would only retry.
    """

    __tablename__ = "detection_runs"
    __table_args__ = (
        Index("ix_detection_runs_user_started", "user_id", "started_at"),
        Index(
            "uq_detection_runs_one_active_manual_per_user",
            "user_id",
            unique=True,
            sqlite_where=text(ACTIVE_MANUAL_DETECTION),
            postgresql_where=text(ACTIVE_MANUAL_DETECTION),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(_user_fk())
    sync_run_id: Mapped[str | None] = mapped_column(String(32))
    workflow_id: Mapped[str] = mapped_column(String(160))
    workflow_run_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    findings: Mapped[int] = mapped_column(Integer, default=0)
    new_findings: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    by_type: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    by_confidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    coverage: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """One {type, checked, reason, missing_tables} entry per finding type checked."""
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]


class Recovery(Base):
    """One claim against Amazon, from detection to payout."""

    __tablename__ = "recoveries"
    __table_args__ = (
        UniqueConstraint("user_id", "finding_key"),
        Index("ix_recoveries_user_status", "user_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(_user_fk())
    finding_key: Mapped[str] = mapped_column(String(64))
    detection_run_id: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="detected")
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    recovered_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    unit_value: Mapped[str | None] = mapped_column(String(24))
    unit_value_source: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[str] = mapped_column(String(8))
    confidence_reason: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    marketplace_id: Mapped[str | None] = mapped_column(String(32))
    sku: Mapped[str | None] = mapped_column(String(80))
    fnsku: Mapped[str | None] = mapped_column(String(20))
    asin: Mapped[str | None] = mapped_column(String(20))
    product_name: Mapped[str | None] = mapped_column(String(500))
    order_id: Mapped[str | None] = mapped_column(String(40))
    shipment_id: Mapped[str | None] = mapped_column(String(40))
    reference_id: Mapped[str | None] = mapped_column(String(80))
    fulfillment_center: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[datetime | None]
    claim_window_opens: Mapped[datetime | None]
    claim_deadline: Mapped[datetime | None]
    amazon_case_id: Mapped[str | None] = mapped_column(String(40))
    expected_payout_date: Mapped[datetime | None]
    amazon_expected_to_pay: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_submit_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    """The engine's cause when detection closed the finding, or window_closed."""
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    timeline: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UnitCost(Base):
    """The seller's own cost of one unit of a SKU, used to value lost units.

    `unit_cost_minor` is in hundredths of the currency unit, like every amount here,
    so a yen cost of 1200 is stored as 120000.
    """

    __tablename__ = "unit_costs"
    __table_args__ = (UniqueConstraint("user_id", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(_user_fk())
    sku: Mapped[str] = mapped_column(String(80))
    unit_cost_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The response a `POST` gave for an `Idempotency-Key`, replayed on a repeat."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "route", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(_user_fk())
    route: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the request body, or null for records stored before this column.
    request_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
