"""Dependency checks for `/health` and `/api/services/status`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import httpx
from sqlalchemy import text
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.service import RPCError

from api.errors import UpstreamUnavailable
from api.state import AppState

CheckStatus = Literal["ok", "degraded", "down", "unknown"]
# NOTE: a live worker re-polls about once a minute (Temporal's long poll), so a worker
# that died shows as a poller for up to this long.
_POLLER_FRESH_SECONDS = 90


@dataclass
class Check:
    name: str
    status: CheckStatus
    latency_ms: float | None
    last_checked: datetime
    last_error: str | None = None
    circuit: str | None = None
    pollers: int | None = None


async def _timed(name: str, probe: Awaitable[int | None]) -> Check:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe, timeout=3)
    except (
        TimeoutError,
        OSError,
        httpx.HTTPError,
        UpstreamUnavailable,
        RuntimeError,
        RPCError,
    ) as error:
        return Check(name, "down", None, datetime.now(UTC), _describe(error))
    latency = round((time.perf_counter() - started) * 1000, 1)
    check = Check(name, "ok", latency, datetime.now(UTC))
    if isinstance(detail, int):
        check.pollers = detail
        if detail == 0:
            check.status = "down"
            check.last_error = "no worker is polling this task queue"
    return check


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out after 3s"
    if isinstance(error, UpstreamUnavailable):
        return "unreachable"
    if isinstance(error, RPCError):
        return f"Temporal call failed: {error.message}"[:200]
    return type(error).__name__


async def check_database(state: AppState) -> Check:
    async def probe() -> None:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return await _timed("database", probe())


async def check_temporal(state: AppState) -> Check:
    async def probe() -> None:
        client = await state.temporal.get()
        await client.service_client.check_health()

    return await _timed("temporal", probe())


async def check_pollers(state: AppState, service: str) -> Check:
    queue = state.settings.task_queues[service]

    async def probe() -> int:
        client = await state.temporal.get()
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=state.settings.temporal_namespace,
                task_queue=TaskQueue(name=queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        now = time.time()
        return sum(
            1
            for poller in response.pollers
            if now - poller.last_access_time.ToSeconds() < _POLLER_FRESH_SECONDS
        )

    return await _timed(f"task_queue:{queue}", probe())


async def check_http(state: AppState, name: str, url: str) -> Check:
    """Check that an upstream is reachable: any HTTP response but a 5xx counts."""

    async def probe() -> None:
        response = await state.http.get(url, timeout=3)
        if response.status_code >= 500:
            raise httpx.HTTPStatusError(
                "server error", request=response.request, response=response
            )

    check = await _timed(name, probe())
    # The gateway's own breaker for this upstream; the worker keeps its own.
    check.circuit = state.circuits.get(name).state
    return check


async def all_checks(state: AppState) -> list[Check]:
    settings = state.settings
    return list(
        await asyncio.gather(
            check_database(state),
            check_temporal(state),
            check_pollers(state, "sync"),
            check_pollers(state, "detection"),
            check_http(state, "amazon_lwa", settings.amazon_lwa_token_url),
            check_http(state, "amazon_spapi", settings.amazon_spapi_endpoint),
        )
    )
