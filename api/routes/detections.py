"""Detection routes: start a run over the synced data, its status, and past runs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from pydantic import BaseModel, Field

from api.deps import CurrentUser, Db, State
from api.envelope import MAX_OFFSET, Envelope, Page, ok, page
from api.idempotency import remember, replay_or_none
from api.services.detections import (
    find_detection,
    live_status,
    reconcile_detection,
    start_detection,
)
from store.detections import list_detections
from store.models import DetectionRun
from store.users import get_amazon_connection, marketplace_currency
from workflows.models import DetectionStatus

router = APIRouter(prefix="/api/detections", tags=["detections"])

_CENT = Decimal("0.01")


class Money(BaseModel):
    value: str
    currency: str


class DetectionStarted(BaseModel):
    id: str
    status: str
    started_at: datetime
    workflow_id: str


class TypeSummary(BaseModel):
    count: int
    amounts: list[Money]


class ConfidenceCounts(BaseModel):
    high: int = 0
    medium: int = 0
    low: int = 0


class CategoryCoverage(BaseModel):
    type: str
    checked: bool
    reason: str | None = None
    missing_tables: list[str] = Field(default_factory=list)


class DetectionView(BaseModel):
    id: str
    status: str
    trigger: Literal["manual", "sync"]
    sync_id: str | None
    workflow_id: str
    stage: str
    progress: int
    message: str | None
    started_at: datetime
    completed_at: datetime | None
    findings: int
    new_findings: int
    resolved: int
    total_amount: Money
    totals: list[Money]
    by_type: dict[str, TypeSummary]
    by_confidence: ConfidenceCounts
    duration_ms: int | None
    coverage: list[CategoryCoverage]
    error: str | None


def _money(amounts: dict[str, Any]) -> list[Money]:
    return [
        Money(value=str(Decimal(str(value)).quantize(_CENT)), currency=currency)
        for currency, value in sorted(amounts.items())
    ]


def _total(totals: list[Money], currency: str) -> Money:
    """Return the total in the seller's currency, else the first currency found."""
    for total in totals:
        if total.currency == currency:
            return total
    return totals[0] if totals else Money(value="0.00", currency=currency)


def detection_view(
    run: DetectionRun, currency: str, live: DetectionStatus | None = None
) -> DetectionView:
    totals = _money(run.totals)
    if live is not None:
        progress = live.progress
    else:
        progress = 100 if run.status == "completed" else 0
    return DetectionView(
        id=run.id,
        status=live.status if live else run.status,
        trigger="sync" if run.sync_run_id else "manual",
        sync_id=run.sync_run_id,
        workflow_id=run.workflow_id,
        stage=live.stage if live else run.status,
        progress=progress,
        message=live.message if live else None,
        started_at=run.started_at,
        completed_at=run.completed_at,
        findings=run.findings,
        new_findings=run.new_findings,
        resolved=run.resolved,
        total_amount=_total(totals, currency),
        totals=totals,
        by_type={
            kind: TypeSummary(
                count=int(summary.get("count", 0)),
                amounts=_money(summary.get("amount", {})),
            )
            for kind, summary in sorted(run.by_type.items())
        },
        by_confidence=ConfidenceCounts.model_validate(run.by_confidence),
        duration_ms=run.duration_ms,
        coverage=[CategoryCoverage.model_validate(c) for c in run.coverage],
        error=run.error,
    )


@router.post("/run", status_code=202, response_model=Envelope[DetectionStarted])
async def run(
    user: CurrentUser,
    state: State,
    db: Db,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    """Start a detection over the seller's synced data, or return the running one."""
    if idempotency_key:
        replay = await replay_or_none(db, user.id, "detections.run", idempotency_key)
        if replay is not None:
            return replay
    detection = await start_detection(state, db, user.id)
    result = ok(
        DetectionStarted(
            id=detection.id,
            status=detection.status,
            started_at=detection.started_at,
            workflow_id=detection.workflow_id,
        )
    )
    if idempotency_key:
        await remember(
            db,
            user.id,
            "detections.run",
            idempotency_key,
            202,
            result.model_dump(mode="json"),
        )
    return result


@router.get("/status/{detection_id}", response_model=Envelope[DetectionView])
async def status(
    user: CurrentUser,
    state: State,
    db: Db,
    detection_id: Annotated[str, Path(max_length=64)],
) -> Envelope[DetectionView]:
    """Return the run's live or stored state, totals and coverage."""
    detection = await find_detection(db, user.id, detection_id)
    live = await live_status(state, detection)
    if live is None:
        await reconcile_detection(state, db, detection)
    currency = marketplace_currency(await get_amazon_connection(db, user.id))
    return ok(detection_view(detection, currency, live))


@router.get("/history", response_model=Envelope[Page[DetectionView]])
async def history(
    user: CurrentUser,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Envelope[Page[DetectionView]]:
    """Past and current runs, newest first."""
    runs, total = await list_detections(db, user.id, limit, offset)
    currency = marketplace_currency(await get_amazon_connection(db, user.id))
    items = [detection_view(r, currency) for r in runs]
    return page(items, total=total, limit=limit, offset=offset)
