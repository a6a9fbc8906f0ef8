"""A seller's first days end to end: sign in, connect, sync, set unit costs, run a
detection and list the recoveries of every planted case.

Real processes on loopback: the Amazon sandbox, the worker and the gateway under
uvicorn, against the Temporal dev server.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
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

from api.routes.recoveries import RECOVERY_TYPES
from sandbox.amazon.demo import DEMO_SELLER_ID
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
    """Walk the seller's first days: sign in, connect, first sync and detection,
    then unit costs, a second sync and a detection run started through the API."""
    async with httpx.AsyncClient(timeout=30) as client:
        await sign_in(client, stack, "walk.seller@example.com")
        landing = await connect_amazon(client, stack, DEMO_SELLER_ID)
        me = (await client.get(f"{stack.gateway_url}/api/auth/me")).json()["data"]
        sync = await wait_for_sync(client, stack)
        detection = await _wait_for_detection(dev_server.client, me["id"])
        planted = (
            await client.get(
                f"{stack.sandbox_url}/_sandbox/sellers/{DEMO_SELLER_ID}/planted"
            )
        ).json()
        await _set_unit_costs(client, stack, planted["unit_costs"])
        second_sync = await _sync_now(client, stack)
        sync_detection = await _wait_for_run(
            client, stack, str(second_sync["detection_id"])
        )
        started = await client.post(
            f"{stack.gateway_url}/api/detections/run", headers=_origin(stack)
        )
        assert started.status_code == 202, started.text
        run = await _wait_for_run(client, stack, started.json()["data"]["id"])
        recoveries = (
            await client.get(
                f"{stack.gateway_url}/api/recoveries", params={"limit": 200}
            )
        ).json()["data"]
        history = (
            await client.get(f"{stack.gateway_url}/api/detections/history")
        ).json()["data"]
        yield {
            "client": client,
            "me": me,
            "landing": landing,
            "sync": sync,
            "detection": detection,
            "planted": planted,
            "second_sync": second_sync,
            "sync_detection": sync_detection,
            "started": started.json()["data"],
            "run": run,
            "recoveries": recoveries,
            "history": history,
        }


def _origin(stack: Stack) -> dict[str, str]:
    return {"Origin": stack.gateway_url}


async def _set_unit_costs(
    client: httpx.AsyncClient, stack: Stack, costs: list[dict[str, str]]
) -> None:
    """Set the first cost with PUT and import the others as a CSV file."""
    assert len(costs) > 1
    first, *others = costs
    put = await client.put(
        f"{stack.gateway_url}/api/unit-costs/{first['msku']}",
        json={"unit_cost": first["unit_cost"], "currency": "USD"},
        headers=_origin(stack),
    )
    assert put.status_code == 200, put.text
    lines = ["sku,unit_cost", *(f"{c['msku']},{c['unit_cost']}" for c in others)]
    imported = await client.post(
        f"{stack.gateway_url}/api/unit-costs/import",
        files={"file": ("costs.csv", "\n".join(lines).encode(), "text/csv")},
        headers=_origin(stack),
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["data"]["imported"] == len(others)


async def _sync_now(client: httpx.AsyncClient, stack: Stack) -> dict[str, Any]:
    started = await client.post(
        f"{stack.gateway_url}/api/sync/start", headers=_origin(stack)
    )
    assert started.status_code == 202, started.text
    sync = await wait_for_sync(client, stack, started.json()["data"]["id"])
    assert sync["status"] == "completed", sync
    return sync


async def _wait_for_run(
    client: httpx.AsyncClient, stack: Stack, detection_id: str, wait_seconds: float = 90
) -> dict[str, Any]:
    """Poll GET /api/detections/status/{id} until the run ends; return its view."""
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        response = await client.get(
            f"{stack.gateway_url}/api/detections/status/{detection_id}"
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        if data["status"] in ("completed", "failed", "cancelled"):
            return data
        await asyncio.sleep(0.5)
    raise AssertionError(
        f"detection {detection_id} did not end within {wait_seconds}s; worker log:\n"
        f"{stack.log('worker')[-3000:]}"
    )


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


def _matches(recovery: dict[str, Any], case: dict[str, Any]) -> bool:
    """Return whether a recovery is about a planted case: same type, SKU and key.

    The case's key is a ledger Reference ID, an order, inbound shipment, removal
    order or reimbursement id. A rule stores it as the recovery's reference id or
    as its order or shipment id.
    """
    keys = {recovery["reference_id"], recovery["order_id"], recovery["shipment_id"]}
    return (
        recovery["type"] == case["type"]
        and recovery["sku"] == case["msku"]
        and case["reference_id"] in keys
    )


def _claimable(walked: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in walked["planted"]["cases"] if c["claimable"]]


def _at(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


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
    assert set(statuses) == set(SYNC_REPORT_TYPES)
    assert set(statuses.values()) == {"completed"}
    assert all(r["rows"] > 0 for r in sync["reports"])
    assert str(sync["detection_id"]).startswith("det_")


async def test_unit_costs_stored(walked: dict[str, Any], stack: Stack) -> None:
    client: httpx.AsyncClient = walked["client"]
    response = await client.get(
        f"{stack.gateway_url}/api/unit-costs", params={"limit": 200}
    )
    stored = {c["sku"]: c for c in response.json()["data"]["items"]}
    planted = {c["msku"]: c["unit_cost"] for c in walked["planted"]["unit_costs"]}
    assert {sku: c["unit_cost"] for sku, c in stored.items()} == planted
    assert {c["source"] for c in stored.values()} == {"manual", "import"}


async def test_manifest_plants_every_category(walked: dict[str, Any]) -> None:
    kinds = {case["type"] for case in walked["planted"]["cases"]}
    claimable_kinds = {case["type"] for case in _claimable(walked)}
    assert kinds == set(RECOVERY_TYPES)
    assert claimable_kinds == set(RECOVERY_TYPES)


async def test_detection_run_completes(walked: dict[str, Any]) -> None:
    run = walked["run"]
    assert run["id"] == walked["started"]["id"]
    assert run["id"] != walked["sync_detection"]["id"]
    assert run["status"] == "completed", run
    assert run["trigger"] == "manual"
    assert run["sync_id"] is None
    assert run["progress"] == 100
    assert run["error"] is None
    assert walked["sync_detection"]["status"] == "completed"
    assert walked["sync_detection"]["trigger"] == "sync"


async def test_detection_checks_every_category(walked: dict[str, Any]) -> None:
    coverage = {entry["type"]: entry for entry in walked["run"]["coverage"]}
    assert set(coverage) == set(RECOVERY_TYPES)
    for kind, entry in coverage.items():
        assert entry["checked"] is True, entry
        assert entry["missing_tables"] == [], kind


async def test_detection_counts_match_planted(walked: dict[str, Any]) -> None:
    run = walked["run"]
    expected = Counter(case["type"] for case in _claimable(walked))
    counted = {kind: summary["count"] for kind, summary in run["by_type"].items()}
    total = sum((Decimal(case["amount"]) for case in _claimable(walked)), Decimal("0"))
    assert run["findings"] == len(_claimable(walked))
    assert {kind: n for kind, n in counted.items() if n} == dict(expected)
    assert run["total_amount"] == {"value": f"{total:.2f}", "currency": "USD"}


async def test_every_claimable_case_found(walked: dict[str, Any]) -> None:
    items = walked["recoveries"]["items"]
    for case in _claimable(walked):
        found = [r for r in items if _matches(r, case)]
        name = case["case"]
        assert len(found) == 1, f"planted case {name} was found {len(found)} times"
        recovery = found[0]
        assert recovery["status"] == "detected", name
        assert recovery["quantity"] == case["claimable_units"], name
        assert recovery["amount"] == {
            "value": case["amount"],
            "currency": case["currency"],
        }, name
        if case["unit_value"] is None:
            assert recovery["unit_value"] is None, name
        else:
            assert Decimal(recovery["unit_value"]) == Decimal(case["unit_value"]), name
        assert _at(recovery["claim_window_opens"]) == _at(case["window_opens"]), name
        assert _at(recovery["claim_deadline"]) == _at(case["window_closes"]), name


async def test_no_look_alike_flagged(walked: dict[str, Any]) -> None:
    items = walked["recoveries"]["items"]
    for case in walked["planted"]["cases"]:
        if not case["claimable"]:
            flagged = [r for r in items if _matches(r, case)]
            assert not flagged, f"{case['case']} should not be claimed: {case['why']}"


async def test_recoveries_match_planted_exactly(walked: dict[str, Any]) -> None:
    claimable = _claimable(walked)
    items = walked["recoveries"]["items"]
    for recovery in items:
        cases = [c["case"] for c in claimable if _matches(recovery, c)]
        assert len(cases) == 1, (recovery["type"], recovery["sku"], cases)
    assert walked["recoveries"]["total"] == len(claimable)
    assert len(items) == len(claimable)


async def test_recoveries_filter_by_type(walked: dict[str, Any], stack: Stack) -> None:
    client: httpx.AsyncClient = walked["client"]
    kinds = ["refund_not_returned", "removal_lost", "fee_overcharge"]
    response = await client.get(
        f"{stack.gateway_url}/api/recoveries",
        params={"type": ",".join(kinds), "limit": 200},
    )
    page = response.json()["data"]
    expected = [c for c in _claimable(walked) if c["type"] in kinds]
    assert response.status_code == 200
    assert {r["type"] for r in page["items"]} == set(kinds)
    assert page["total"] == len(expected)


async def test_recoveries_filter_by_status(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    url = f"{stack.gateway_url}/api/recoveries"
    detected = (await client.get(url, params={"status": "detected"})).json()["data"]
    paid = (await client.get(url, params={"status": "paid,filed"})).json()["data"]
    invalid = await client.get(url, params={"status": "lost"})
    assert detected["total"] == len(_claimable(walked))
    assert paid["total"] == 0
    assert paid["items"] == []
    assert invalid.status_code == 422
    assert "lost" in invalid.json()["error"]["message"]


async def _all_sorted(
    client: httpx.AsyncClient, stack: Stack, sort: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{stack.gateway_url}/api/recoveries", params={"sort": sort, "limit": 200}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def test_recoveries_sort_by_amount(walked: dict[str, Any], stack: Stack) -> None:
    client: httpx.AsyncClient = walked["client"]
    ascending = await _all_sorted(client, stack, "amount")
    descending = await _all_sorted(client, stack, "-amount")
    amounts = [Decimal(r["amount"]["value"]) for r in ascending]
    assert amounts == sorted(amounts)
    assert len(set(amounts)) > 1
    assert [r["id"] for r in descending] == [r["id"] for r in reversed(ascending)]


async def test_recoveries_sort_by_deadline(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    for sort in ("deadline", "claim_deadline"):
        items = await _all_sorted(client, stack, sort)
        deadlines = [_at(r["claim_deadline"]) for r in items]
        assert deadlines == sorted(deadlines), sort
        assert len(items) == len(_claimable(walked))
    latest_first = await _all_sorted(client, stack, "-deadline")
    assert _at(latest_first[0]["claim_deadline"]) == max(deadlines)


async def test_recovery_pages_do_not_overlap(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    seen: list[str] = []
    for offset in range(0, len(_claimable(walked)), 7):
        response = await client.get(
            f"{stack.gateway_url}/api/recoveries",
            params={"sort": "amount", "limit": 7, "offset": offset},
        )
        seen += [r["id"] for r in response.json()["data"]["items"]]
    assert len(seen) == len(set(seen))
    assert len(seen) == len(_claimable(walked))


async def test_detection_history_newest_first(walked: dict[str, Any]) -> None:
    history = walked["history"]
    items = history["items"]
    started = [_at(item["started_at"]) for item in items]
    first_sync_detection = walked["sync"]["detection_id"]
    assert history["total"] == 3
    assert [item["id"] for item in items] == [
        walked["run"]["id"],
        walked["sync_detection"]["id"],
        first_sync_detection,
    ]
    assert started == sorted(started, reverse=True)
    assert [item["trigger"] for item in items] == ["manual", "sync", "sync"]
    assert {item["status"] for item in items} == {"completed"}
    assert items[0]["findings"] == walked["run"]["findings"]


async def test_recovery_detail_has_evidence(
    walked: dict[str, Any], stack: Stack
) -> None:
    client: httpx.AsyncClient = walked["client"]
    lost = next(
        r for r in walked["recoveries"]["items"] if r["type"] == "lost_inventory"
    )
    response = await client.get(f"{stack.gateway_url}/api/recoveries/{lost['id']}")
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


def _rows(sync: dict[str, Any]) -> dict[str, int]:
    return {r["report_type"]: r["rows"] for r in sync["reports"]}


def _statuses(sync: dict[str, Any]) -> dict[str, str]:
    return {r["report_type"]: r["status"] for r in sync["reports"]}


async def test_second_sync_adds_no_rows(walked: dict[str, Any], stack: Stack) -> None:
    client: httpx.AsyncClient = walked["client"]
    headers = {"Origin": stack.gateway_url}
    started = await client.post(f"{stack.gateway_url}/api/sync/start", headers=headers)
    assert started.status_code == 202, started.text
    sync = await wait_for_sync(client, stack, started.json()["data"]["id"])
    assert sync["status"] == "completed"
    assert sum(r["rows_added"] for r in sync["reports"]) == 0
    # Settlements are ingested once: a later sync lists none it has not stored.
    assert _rows(sync) == {**_rows(walked["sync"]), SETTLEMENT_REPORT: 0}
    assert _statuses(sync)[SETTLEMENT_REPORT] == "empty"


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
