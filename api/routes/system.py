"""Service information, health and dependency status."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import State
from api.envelope import Envelope, ok
from api.services.health import (
    all_checks,
    check_database,
    check_pollers,
    check_temporal,
)

router = APIRouter(tags=["system"])

VERSION = "0.1.0"


class ServiceInfo(BaseModel):
    service: str
    version: str
    environment: str
    docs_url: str
    temporal_ui_url: str


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    checks: dict[str, str]


class DependencyStatus(BaseModel):
    name: str
    status: str
    latency_ms: float | None
    last_checked: datetime
    last_error: str | None
    circuit: str | None
    pollers: int | None


class ServicesStatus(BaseModel):
    services: list[DependencyStatus]


@router.get("/", response_model=Envelope[ServiceInfo])
async def root(state: State) -> Envelope[ServiceInfo]:
    """Describe this service and link its docs and Temporal UI."""
    settings = state.settings
    return ok(
        ServiceInfo(
            service=settings.service_name,
            version=VERSION,
            environment=settings.environment,
            docs_url=settings.docs_url,
            temporal_ui_url=settings.temporal_ui_url,
        )
    )


@router.get(
    "/health",
    response_model=Envelope[Health],
    responses={503: {"model": Envelope[Health]}},
)
async def health(state: State) -> JSONResponse:
    """Report ok, degraded (no Temporal or workers) or down (no database, 503)."""
    database, temporal, workers = await asyncio.gather(
        check_database(state), check_temporal(state), check_pollers(state, "sync")
    )
    checks = {
        "database": database.status,
        "temporal": temporal.status,
        "workers": workers.status,
    }
    overall: Literal["ok", "degraded", "down"] = "ok"
    if database.status != "ok":
        overall = "down"
    elif temporal.status != "ok" or workers.status != "ok":
        overall = "degraded"
    body = ok(Health(status=overall, checks=checks)).model_dump(mode="json")
    return JSONResponse(body, status_code=503 if overall == "down" else 200)


@router.get("/api/services/status", response_model=Envelope[ServicesStatus])
async def services_status(state: State) -> Envelope[ServicesStatus]:
    """List each dependency's status, latency and last error."""
    checks = await all_checks(state)
    return ok(ServicesStatus(services=[DependencyStatus(**vars(c)) for c in checks]))
