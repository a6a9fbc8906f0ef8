"""Killing the worker mid-sync loses no report row and stores none twice.

Every table the sync writes is counted: the requested reports, the listed
settlements and the inbound shipments and items.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from temporalio.testing import WorkflowEnvironment

from integrations.amazon.reports import get_report_spec, parse_report
from sandbox.amazon.demo import DEMO_SELLER_ID, demo_report_files, generate_demo
from sandbox.amazon.report_formats import settlement_text
from tests.support.stack import (
    Stack,
    connect_amazon,
    launch_stack,
    sign_in,
    wait_for_sync,
)
from tests.support.temporal import client_address
from workflows.models import SETTLEMENT_REPORT, SYNC_REPORT_TYPES

pytestmark = [pytest.mark.e2e, pytest.mark.temporal]

US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def stack(
    dev_server: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    yield from launch_stack(
        client_address(dev_server.client),
        tmp_path_factory.mktemp("crash"),
        processing_delay=4.0,
        poll_interval=0.5,
        heartbeat_timeout=3.0,
    )


async def _wait_until_processing(client: httpx.AsyncClient, stack: Stack) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = await client.get(f"{stack.gateway_url}/api/sync/status")
        if response.status_code == 200:
            reports = response.json()["data"]["reports"]
            if reports and any(r["status"] == "processing" for r in reports):
                return
        await asyncio.sleep(0.2)
    raise AssertionError("the sync never reached the processing stage")


async def test_killed_worker_sync_completes_exactly_once(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, stack, "crash.seller@example.com")
        await connect_amazon(client, stack, DEMO_SELLER_ID)
        await _wait_until_processing(client, stack)
        stack.kill_worker()
        await asyncio.sleep(1.0)
        stack.start_worker()
        sync = await wait_for_sync(client, stack, wait_seconds=180)
        user_id = (await client.get(f"{stack.gateway_url}/api/auth/me")).json()["data"][
            "id"
        ]
        planted = (
            await client.get(
                f"{stack.sandbox_url}/_sandbox/sellers/{DEMO_SELLER_ID}/planted"
            )
        ).json()

    assert sync["status"] == "completed", sync
    anchor = date.fromisoformat(planted["anchor_date"])
    synced = {r["report_type"] for r in sync["reports"]}
    assert synced == set(SYNC_REPORT_TYPES)
    folder = stack.workdir / "data" / "reports" / user_id
    for table_name, expected in _expected_rows(anchor).items():
        stored = pq.read_table(folder / f"{table_name}.parquet")
        keys = stored.column("row_key")
        assert stored.num_rows == expected, table_name
        assert pc.count_distinct(keys).as_py() == stored.num_rows, table_name


def _expected_rows(anchor: date) -> dict[str, int]:
    """Return the rows each table must hold after a full sync of the demo seller."""
    dataset = generate_demo(anchor)
    expected: dict[str, int] = {}
    for report_type, content in demo_report_files(anchor).items():
        if report_type == SETTLEMENT_REPORT or report_type not in SYNC_REPORT_TYPES:
            continue
        expected[get_report_spec(report_type).table_name] = parse_report(
            content.decode("utf-8"),
            report_type=report_type,
            marketplace_id=US,
        ).row_count
    # Each settlement is its own file with its own header, so each is parsed alone.
    expected[get_report_spec(SETTLEMENT_REPORT).table_name] = sum(
        parse_report(
            settlement_text(settlement, dataset.marketplace),
            report_type=SETTLEMENT_REPORT,
            marketplace_id=US,
        ).row_count
        for settlement in dataset.settlements
    )
    expected["inbound_shipments"] = len(dataset.inbound)
    expected["inbound_shipment_items"] = sum(len(s.items) for s in dataset.inbound)
    return expected
