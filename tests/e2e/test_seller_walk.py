"""A seller's first sync end to end: sign in, connect, sync, detect, list recoveries.

Real processes on loopback: the Amazon sandbox, the worker and the gateway under
uvicorn, against the Temporal dev server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleOverlapPolicy,
    WorkflowExecutionStatus,
)
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
        tmp_path_factory.mktemp("walk"),
    )


@pytest.fixture(scope="module")
async def walked(
    stack: Stack, dev_server: WorkflowEnvironment
) -> AsyncIterator[dict[str, Any]]:
    """Sign in, connect the demo seller and wait for its sync and detection."""
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, stack, "walk.seller@example.com")
        landing = await connect_amazon(client, stack, DEMO_SELLER_ID)
        me = (await client.get(f"{stack.gateway_url}/api/auth/me")).json()["data"]
        sync = await wait_for_sync(client, stack)
        detection = await _wait_for_detection(dev_server.client, me["id"])
        recoveries = (
            await client.get(
                f"{stack.gateway_url}/api/recoveries", params={"limit": 200}
            )
        ).json()["data"]
        planted = (
            await client.get(
                f"{stack.sandbox_url}/_sandbox/sellers/{DEMO_SELLER_ID}/planted"
            )
        ).json()
        yield {
            "client": client,
            "me": me,
            "landing": landing,
            "sync": sync,
            "detection": detection,
            "recoveries": recoveries,
            "planted": planted,
        }


async def _wait_for_detection(
    client: Client, user_id: str, wait_seconds: float = 60
) -> Any:
    query = f"ClarioUserId = '{user_id}' AND ClarioKind = 'detection'"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        async for execution in client.list_workflows(query):
            if execution.status == WorkflowExecutionStatus.COMPLETED:
                return execution
        await asyncio.sleep(0.5)
    raise AssertionError(f"no completed detection workflow for {user_id}")


def _key(item: dict[str, Any]) -> tuple[str, str, str]:
    return (item["type"], item["fnsku"], item["reference_id"])


async def test_sync_records_marketplaces(walked: dict[str, Any], stack: Stack) -> None:
    client: httpx.AsyncClient = walked["client"]
    status = await client.get(f"{stack.gateway_url}/api/v1/integrations/status")
    amazon = status.json()["data"]["amazon"]
    assert amazon["selling_partner_id"] == DEMO_SELLER_ID
    assert [m["id"] for m in amazon["marketplaces"]] == ["ATVPDKIKX0DER"]
    assert amazon["marketplaces"][0]["currency"] == "USD"
    assert amazon["last_sync_at"] is not None


async def test_connect_redirects_to_frontend(walked: dict[str, Any]) -> None:
    assert "amazon=connected" in walked["landing"]
    assert walked["me"]["amazon_connected"] is True
    assert walked["me"]["id"].startswith("usr_")


async def test_first_sync_completes_every_report(walked: dict[str, Any]) -> None:
    sync = walked["sync"]
    assert sync["status"] == "completed", sync
    statuses = {r["report_type"]: r["status"] for r in sync["reports"]}
    assert set(statuses) == {
        "GET_LEDGER_DETAIL_VIEW_DATA",
        "GET_FBA_REIMBURSEMENTS_DATA",
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    }
    assert set(statuses.values()) == {"completed"}
    assert all(r["rows"] > 0 for r in sync["reports"])
    assert str(sync["detection_id"]).startswith("det_")


async def test_every_claimable_planted_unit_found(walked: dict[str, Any]) -> None:
    found = {_key(r): r for r in walked["recoveries"]["items"]}
    claimable = [c for c in walked["planted"]["cases"] if c["claimable"]]
    assert claimable
    for case in claimable:
        recovery = found.get(_key(case))
        assert recovery is not None, f"planted case {case['case']} was not found"
        assert recovery["quantity"] == case["claimable_units"], case["case"]
        assert Decimal(recovery["amount"]["value"]) == Decimal(case["amount"]), case[
            "case"
        ]


async def test_no_non_claimable_planted_case_flagged(walked: dict[str, Any]) -> None:
    found = {_key(r) for r in walked["recoveries"]["items"]}
    for case in walked["planted"]["cases"]:
        if not case["claimable"]:
            assert _key(case) not in found, (
                f"{case['case']} should not be claimed: {case['why']}"
            )


async def test_recoveries_match_planted_exactly(walked: dict[str, Any]) -> None:
    claimable = {_key(c) for c in walked["planted"]["cases"] if c["claimable"]}
    found = {_key(r) for r in walked["recoveries"]["items"]}
    assert found == claimable
    assert walked["recoveries"]["total"] == len(claimable)


async def test_recovery_detail_has_evidence(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    first = walked["recoveries"]["items"][0]
    response = await client.get(f"{stack.gateway_url}/api/recoveries/{first['id']}")
    detail = response.json()["data"]
    assert response.status_code == 200
    assert detail["evidence_count"] == len(detail["evidence"]) > 0
    assert detail["evidence"][0]["report_type"] == "GET_LEDGER_DETAIL_VIEW_DATA"
    assert detail["timeline"][0]["status"] == "detected"


async def test_sync_workflow_is_findable_by_user(
    walked: dict[str, Any], dev_server: WorkflowEnvironment
) -> None:
    user_id = walked["me"]["id"]
    handle = dev_server.client.get_workflow_handle(f"sync-{user_id}")
    description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED
    assert description.search_attributes.get("ClarioUserId") == [user_id]
    assert description.search_attributes.get("ClarioKind") == ["sync"]
    assert user_id in (await description.static_summary() or "")


async def test_detection_workflow_tagged(walked: dict[str, Any]) -> None:
    detection = walked["detection"]
    user_id = walked["me"]["id"]
    assert detection.id == f"detection-{user_id}-{walked['sync']['detection_id']}"


async def test_second_sync_adds_no_rows(walked: dict[str, Any], stack: Stack) -> None:
    client: httpx.AsyncClient = walked["client"]
    headers = {"Origin": stack.gateway_url}
    started = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    assert started.status_code == 202, started.text
    sync = await wait_for_sync(client, stack, started.json()["data"]["id"])
    assert sync["status"] == "completed"
    assert sum(r["rows_added"] for r in sync["reports"]) == 0
    assert sum(r["rows"] for r in sync["reports"]) == sum(
        r["rows"] for r in walked["sync"]["reports"]
    )


async def test_terminated_sync_is_closed_on_read(
    walked: dict[str, Any], stack: Stack, dev_server: WorkflowEnvironment
) -> None:
    client: httpx.AsyncClient = walked["client"]
    headers = {"Origin": stack.gateway_url}
    started = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    data = started.json()["data"]
    sync_id = data["id"]
    handle = dev_server.client.get_workflow_handle(data["workflow_id"])
    await handle.terminate(reason="operator test")

    sync = await wait_for_sync(client, stack, sync_id, wait_seconds=30)
    assert sync["status"] == "failed"
    assert "terminated" in sync["message"]
    cancel = await client.post(
        f"{stack.gateway_url}/api/sync/cancel", params={"id": sync_id}, headers=headers
    )
    assert cancel.status_code == 409


async def test_start_while_running_returns_same_sync(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    headers = {"Origin": stack.gateway_url}
    first, second = await asyncio.gather(
        client.post(f"{stack.gateway_url}/api/sync/start", headers=headers),
        client.post(f"{stack.gateway_url}/api/sync/start", headers=headers),
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["data"]["id"] == second.json()["data"]["id"]
    await wait_for_sync(client, stack, first.json()["data"]["id"])


async def test_idempotency_key_replays_start(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    headers = {"Origin": stack.gateway_url, "Idempotency-Key": "walk-start-1"}
    first = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    await wait_for_sync(client, stack, first.json()["data"]["id"])
    again = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    assert again.status_code == 202
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"


async def _trigger_schedule(client: Client, user_id: str) -> Any:
    """Trigger the seller's Schedule now; return the handle of the run it started."""
    schedule = client.get_schedule_handle(f"sync-schedule-{user_id}")
    before = len((await schedule.describe()).info.recent_actions)
    await schedule.trigger()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        actions = (await schedule.describe()).info.recent_actions
        if len(actions) > before:
            started = actions[-1].action
            assert isinstance(started, ScheduleActionExecutionStartWorkflow)
            return client.get_workflow_handle(
                started.workflow_id, run_id=started.first_execution_run_id
            )
        await asyncio.sleep(0.3)
    raise AssertionError("the schedule did not start a run")


async def test_connect_creates_recurring_schedule(
    walked: dict[str, Any], dev_server: WorkflowEnvironment
) -> None:
    user_id = walked["me"]["id"]
    schedule = dev_server.client.get_schedule_handle(f"sync-schedule-{user_id}")
    description = await schedule.describe()
    interval = description.schedule.spec.intervals[0]
    action = description.schedule.action
    assert interval.every == timedelta(hours=6)
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.id == f"sync-{user_id}"
    assert description.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP


async def test_scheduled_sync_runs_when_idle(
    walked: dict[str, Any], stack: Stack, dev_server: WorkflowEnvironment
) -> None:
    client: httpx.AsyncClient = walked["client"]
    handle = await _trigger_schedule(dev_server.client, walked["me"]["id"])
    result = await handle.result()
    assert result["status"] == "completed"
    history = (await client.get(f"{stack.gateway_url}/api/sync/activity")).json()
    newest = history["data"]["items"][0]
    assert newest["id"] == result["sync_id"]
    assert newest["trigger"] == "schedule"
    assert newest["status"] == "completed"


async def test_schedule_skips_while_manual_sync_runs(
    walked: dict[str, Any], stack: Stack, dev_server: WorkflowEnvironment
) -> None:
    client: httpx.AsyncClient = walked["client"]
    headers = {"Origin": stack.gateway_url}
    manual = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    total_before = (await client.get(f"{stack.gateway_url}/api/sync/activity")).json()
    handle = await _trigger_schedule(dev_server.client, walked["me"]["id"])
    result = await handle.result()
    finished = await wait_for_sync(client, stack, manual.json()["data"]["id"])
    total_after = (await client.get(f"{stack.gateway_url}/api/sync/activity")).json()
    assert result["status"] == "skipped"
    assert finished["status"] == "completed"
    assert total_after["data"]["total"] == total_before["data"]["total"]
