"""Temporal worker: the only place that registers workflows and activities.

    python worker.py                  # every task queue
    python worker.py --queue sync     # only the sync service

Each service has its own task queue, so each can be scaled on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities.amazon import AmazonActivities
from activities.deps import ActivityDeps
from activities.detection import DetectionActivities
from activities.log_context import LogContextInterceptor
from activities.records import RecordActivities
from core.crypto import SecretBox
from core.logging import configure_logging
from core.settings import Settings, load_settings
from integrations.amazon.lwa import LwaClient
from integrations.amazon.ratelimit import RateLimiter
from integrations.amazon.spapi import SpApiClient
from integrations.circuit import CircuitRegistry
from store.blobs import LocalBlobStore
from store.db import create_engine, session_factory
from store.reportdata import ReportDataStore
from workflows.client import connect_temporal
from workflows.detection import DetectionWorkflow
from workflows.sync import SyncWorkflow

logger = logging.getLogger("worker")

SERVICES = ("sync", "detection")
_GRACEFUL_SHUTDOWN = timedelta(seconds=10)


@asynccontextmanager
async def activity_deps(settings: Settings) -> AsyncIterator[ActivityDeps]:
    """Build the activities' shared clients, and close them on exit."""
    engine = create_engine(settings.database_url)
    circuits = CircuitRegistry()
    async with httpx.AsyncClient(timeout=settings.amazon_http_timeout_seconds) as http:
        yield ActivityDeps(
            settings=settings,
            sessions=session_factory(engine),
            secrets=SecretBox(
                settings.encryption_key.get_secret_value(),
                [key.get_secret_value() for key in settings.encryption_previous_keys],
            ),
            http=http,
            lwa=LwaClient(
                http,
                token_url=settings.amazon_lwa_token_url,
                client_id=settings.amazon_client_id,
                client_secret=settings.amazon_client_secret.get_secret_value(),
                breaker=circuits.get("amazon_lwa"),
            ),
            spapi=SpApiClient(
                http,
                endpoint=settings.amazon_spapi_endpoint,
                user_agent=settings.amazon_user_agent,
                limiter=RateLimiter(),
                throttle_delay=settings.amazon_throttle_max_delay_seconds,
                breaker=circuits.get("amazon_spapi"),
            ),
            blobs=LocalBlobStore(settings.data_dir / "documents"),
            report_data=ReportDataStore(settings.data_dir / "reports"),
        )
    await engine.dispose()


def build_workers(
    client: Client,
    deps: ActivityDeps,
    services: Sequence[str],
    executor: ThreadPoolExecutor,
) -> list[Worker]:
    """Create one worker per requested service, on that service's task queue."""
    settings = deps.settings
    records = RecordActivities(deps)
    registry: dict[str, dict[str, Any]] = {
        "sync": {
            "workflows": [SyncWorkflow],
            "activities": [
                *_methods(AmazonActivities(deps)),
                records.record_sync,
                records.claim_scheduled_sync,
            ],
        },
        "detection": {
            "workflows": [DetectionWorkflow],
            "activities": [
                DetectionActivities(deps).run_detection,
                records.record_detection,
            ],
        },
    }
    return [
        Worker(
            client,
            task_queue=settings.task_queues[service],
            workflows=registry[service]["workflows"],
            activities=registry[service]["activities"],
            activity_executor=executor,
            graceful_shutdown_timeout=_GRACEFUL_SHUTDOWN,
            interceptors=[LogContextInterceptor()],
            # Heartbeats carry cancellation to activities; send them at least every
            # 5 seconds so a cancelled sync stops its downloads promptly.
            max_heartbeat_throttle_interval=timedelta(seconds=5),
            default_heartbeat_throttle_interval=timedelta(seconds=5),
        )
        for service in services
    ]


def _methods(activities: AmazonActivities) -> list[Any]:
    return [
        activities.prepare_sync,
        activities.create_report,
        activities.wait_for_report,
        activities.ingest_report,
        activities.list_reports,
        activities.sync_inbound_shipments,
    ]


async def run(settings: Settings, services: Sequence[str]) -> None:
    client = await connect_temporal(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with activity_deps(settings) as deps:
        with ThreadPoolExecutor(max_workers=4) as executor:
            workers = build_workers(client, deps, services, executor)
            queues = ", ".join(settings.task_queues[s] for s in services)
            logger.info("worker polling task queues: %s", queues)
            tasks = [asyncio.create_task(worker.run()) for worker in workers]
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
            logger.info("worker stopping")
            await asyncio.gather(*(worker.shutdown() for worker in workers))
            for task in tasks:
                if task.done() and task.exception():
                    raise task.exception()  # type: ignore[misc]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the Clario Temporal worker.")
    parser.add_argument(
        "--queue",
        action="append",
        choices=SERVICES,
        help="service whose task queue to poll (repeatable; default: all)",
    )
    arguments = parser.parse_args(argv)
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(run(settings, arguments.queue or list(SERVICES)))


if __name__ == "__main__":
    main()
