"""The stack under upstream faults and cancellation: no row lost, none stored twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from sandbox.amazon.demo import DEMO_SELLER_ID
from tests.support.stack import (
    Stack,
    connect_amazon,
    launch_stack,
    sign_in,
    wait_for_sync,
)
from tests.support.temporal import client_address

pytestmark = [pytest.mark.e2e, pytest.mark.temporal]


@pytest.fixture(scope="module")
def stack(
    dev_server: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    yield from launch_stack(
        client_address(dev_server.client),
        tmp_path_factory.mktemp("faults"),
        processing_delay=8.0,
    )


@pytest.fixture(scope="module")
async def connected(stack: Stack) -> Any:
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, stack, "faults.seller@example.com")
        await connect_amazon(client, stack, DEMO_SELLER_ID)
        first = await wait_for_sync(client, stack)
        yield client, first


SETTLEMENTS = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
_NOT_CREATED = frozenset({SETTLEMENTS, "FBA_INBOUND_SHIPMENTS"})


def _rows(sync: dict[str, Any]) -> dict[str, int]:
    return {r["report_type"]: r["rows"] for r in sync["reports"]}


async def _wait_for_processing(
    client: httpx.AsyncClient, stack: Stack, sync_id: str
) -> None:
    for _ in range(100):
        response = await client.get(
            f"{stack.gateway_url}/api/sync/status", params={"id": sync_id}
        )
        reports = response.json()["data"]["reports"]
        # Settlements are listed and inbound shipments read, never created, so only
        # the created reports wait in Amazon's queue.
        created = [r for r in reports if r["report_type"] not in _NOT_CREATED]
        if created and all(r["status"] == "processing" for r in created):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the sync never reached the processing stage")


async def test_cancel_stops_a_running_sync(connected: Any, stack: Stack) -> None:
    client, _first = connected
    headers = {"Origin": stack.gateway_url}
    started = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    assert started.status_code == 202, started.text
    sync_id = started.json()["data"]["id"]
    await _wait_for_processing(client, stack, sync_id)
    cancelled_at = time.monotonic()
    cancel = await client.post(
        f"{stack.gateway_url}/api/sync/cancel", params={"id": sync_id}, headers=headers
    )
    final = await wait_for_sync(client, stack, sync_id, wait_seconds=30)
    assert cancel.status_code == 202
    assert final["status"] == "cancelled"
    # The sandbox needs 8 s per report, so a sync that ran to the end took longer.
    assert time.monotonic() - cancelled_at < 8
    assert any(r["status"] == "cancelled" for r in final["reports"]), final
    again = await client.post(
        f"{stack.gateway_url}/api/sync/cancel", params={"id": sync_id}, headers=headers
    )
    assert again.status_code == 409


# Two of three calls fail at these rates, so the sync takes minutes: the test
# waits up to 240 s for it, longer than the suite's default timeout.
@pytest.mark.timeout(300)
async def test_sync_survives_throttling_and_errors(
    connected: Any, stack: Stack
) -> None:
    client, first = connected
    headers = {"Origin": stack.gateway_url}
    faults = {"error_rate": 0.25, "throttle_rate": 0.4}
    await client.post(f"{stack.sandbox_url}/_sandbox/faults", json=faults)
    try:
        started = await client.post(
            f"{stack.gateway_url}/api/sync/start", headers=headers
        )
        final = await wait_for_sync(
            client, stack, started.json()["data"]["id"], wait_seconds=240
        )
    finally:
        await client.post(
            f"{stack.sandbox_url}/_sandbox/faults",
            json={"error_rate": 0, "throttle_rate": 0},
        )
    assert final["status"] == "completed", final
    statuses = {r["report_type"]: r["status"] for r in final["reports"]}
    # The first sync ingested every settlement Amazon lists, and a settlement never
    # changes, so this sync finds none to download: the listing ends "empty".
    assert statuses.pop(SETTLEMENTS) == "empty"
    assert set(statuses.values()) == {"completed"}
    expected = _rows(first)
    expected[SETTLEMENTS] = 0
    assert _rows(final) == expected
    assert _rows(first)[SETTLEMENTS] > 0
    assert sum(r["rows_added"] for r in final["reports"]) == 0
