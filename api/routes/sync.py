"""Sync routes: start, live status, history and cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response
from pydantic import BaseModel, Field, field_validator

from api.deps import CurrentUser, Db, State
from api.envelope import MAX_OFFSET, Envelope, Page, ok, page
from api.idempotency import remember, replay_or_none, request_fingerprint
from api.services.syncs import (
    cancel_sync,
    find_sync,
    live_status,
    reconcile_sync,
    start_sync,
)
from store.models import SyncRun
from store.syncs import list_syncs
from workflows.models import SYNC_REPORT_TYPES, SyncStatus

router = APIRouter(prefix="/api/sync", tags=["sync"])


class StartSyncRequest(BaseModel):
    reports: list[str] | None = Field(
        default=None,
        max_length=len(SYNC_REPORT_TYPES),
        description=f"Report types to sync; default all of {SYNC_REPORT_TYPES}",
    )
    since: datetime | None = Field(
        default=None, description="Start of the data window (ISO 8601)"
    )

    @field_validator("reports")
    @classmethod
    def _known_reports(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("give at least one report type, or leave reports out")
        unknown = sorted(set(value) - set(SYNC_REPORT_TYPES))
        if unknown:
            raise ValueError(
                f"unsupported report types {unknown}; use {list(SYNC_REPORT_TYPES)}"
            )
        return list(dict.fromkeys(value))

    @field_validator("since")
    @classmethod
    def _since_in_range(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(
                "since needs a time zone offset, e.g. 2026-01-01T00:00:00Z"
            )
        now = datetime.now(UTC)
        if value > now:
            raise ValueError("since is in the future")
        if value < now - timedelta(days=550):
            raise ValueError("since is older than the 18 months Amazon keeps")
        return value.astimezone(UTC)


class SyncStarted(BaseModel):
    id: str
    status: str
    started_at: datetime
    workflow_id: str


class ReportState(BaseModel):
    report_type: str
    marketplace_id: str | None = None
    status: str
    rows: int
    rows_added: int = 0
    error: str | None = None


class SyncView(BaseModel):
    id: str
    status: str
    stage: str
    progress: int
    reports: list[ReportState]
    started_at: datetime
    completed_at: datetime | None
    message: str | None
    errors: list[dict[str, Any]]
    trigger: str
    workflow_id: str
    detection_id: str | None = None


def sync_view(run: SyncRun, live: SyncStatus | None = None) -> SyncView:
    reports = [r.model_dump() for r in live.reports] if live else run.reports
    return SyncView(
        id=run.id,
        status=live.status if live else run.status,
        stage=live.stage if live else run.stage,
        progress=live.progress if live else run.progress,
        reports=[ReportState.model_validate(r) for r in reports],
        started_at=run.started_at,
        completed_at=run.completed_at,
        message=live.message if live else run.message,
        errors=live.errors if live else run.errors,
        trigger=run.trigger,
        workflow_id=run.workflow_id,
        detection_id=live.detection_id if live else run.detection_run_id,
    )


@router.post("/start", status_code=202, response_model=Envelope[SyncStarted])
async def start(
    response: Response,
    user: CurrentUser,
    state: State,
    db: Db,
    body: Annotated[StartSyncRequest | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    """Start the seller's sync, or return the one already running."""
    body = body or StartSyncRequest()
    fingerprint = request_fingerprint(body.model_dump(mode="json"))
    if idempotency_key:
        replay = await replay_or_none(
            db, user.id, "sync.start", idempotency_key, fingerprint
        )
        if replay is not None:
            return replay
    run = await start_sync(
        state, db, user.id, report_types=body.reports, since=body.since
    )
    started = SyncStarted(
        id=run.id,
        status=run.status,
        started_at=run.started_at,
        workflow_id=run.workflow_id,
    )
    result = ok(started)
    if idempotency_key:
        await remember(
            db,
            user.id,
            "sync.start",
            idempotency_key,
            202,
            result.model_dump(mode="json"),
            fingerprint,
        )
    return result


@router.get("/status", response_model=Envelope[SyncView])
async def status(
    user: CurrentUser, state: State, db: Db, id: Annotated[str | None, Query()] = None
) -> Envelope[SyncView]:
    """Return the sync's live or stored state; the latest sync when `id` is absent."""
    run = await find_sync(db, user.id, id)
    live = await live_status(state, run)
    if live is None:
        await reconcile_sync(state, db, run)
    return ok(sync_view(run, live))


@router.get("/activity", response_model=Envelope[Page[SyncView]])
async def activity_log(
    user: CurrentUser,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Envelope[Page[SyncView]]:
    """Past and current syncs, newest first."""
    runs, total = await list_syncs(db, user.id, limit, offset)
    return page([sync_view(r) for r in runs], total=total, limit=limit, offset=offset)


@router.post("/cancel", status_code=202, response_model=Envelope[SyncView])
async def cancel(
    user: CurrentUser, state: State, db: Db, id: Annotated[str | None, Query()] = None
) -> Envelope[SyncView]:
    """Cancel the running sync (the latest without `id`); 409 once it ended."""
    run = await find_sync(db, user.id, id)
    await cancel_sync(state, run)
    return ok(sync_view(run, await live_status(state, run)))
