"""Detection routes: starting a run, its status with coverage, and the history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from temporalio.client import WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy

from store.models import DetectionRun
from store.users import save_amazon_connection
from tests.api.conftest import Gateway
from tests.api.fakes import FakeTemporal
from workflows.models import DetectionWorkflowInput


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def connect_amazon(gateway: Gateway, user_id: str, currency: str = "USD") -> None:
    async with gateway.state.sessions() as db:
        await save_amazon_connection(
            db,
            user_id=user_id,
            selling_partner_id="A1SELLER",
            region="NA",
            refresh_token_sealed=gateway.state.secrets.seal("Atzr|test"),
            marketplaces=[
                {"id": "ATVPDKIKX0DER", "currency": currency, "is_participating": True}
            ],
        )
        await db.commit()


@pytest.fixture
def temporal(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> FakeTemporal:
    fake = FakeTemporal()
    monkeypatch.setattr(gateway.state.temporal, "_client", fake)
    return fake


async def run_count(gateway: Gateway, user_id: str) -> int:
    async with gateway.state.sessions() as db:
        count = await db.scalar(
            select(func.count())
            .select_from(DetectionRun)
            .where(DetectionRun.user_id == user_id)
        )
    return int(count or 0)


async def test_run_without_amazon_gives_409(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "amazon_not_connected"
    assert temporal.started == []


async def test_run_starts_detection_workflow(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    response = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["id"].startswith("det_")
    assert data["status"] == "queued"
    assert data["workflow_id"] == f"detection-{user_id}-{data['id']}"
    assert len(temporal.started) == 1
    started = temporal.started[0]
    assert started.workflow == "DetectionWorkflow"
    assert started.id == data["workflow_id"]
    assert started.argument == DetectionWorkflowInput(
        user_id=user_id, detection_id=data["id"]
    )
    assert started.options["task_queue"] == gateway.settings.task_queue_detection
    assert started.options["id_reuse_policy"] == WorkflowIDReusePolicy.REJECT_DUPLICATE
    async with gateway.state.sessions() as db:
        run = await db.get(DetectionRun, data["id"])
    assert run is not None
    assert run.workflow_run_id == f"run-{data['workflow_id']}"
    assert run.sync_run_id is None


async def test_second_run_returns_running_one(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    first = await gateway.client.post("/api/detections/run", headers=bearer(token))
    second = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert second.status_code == 202
    assert second.json()["data"]["id"] == first.json()["data"]["id"]
    assert len(temporal.started) == 1
    assert await run_count(gateway, user_id) == 1


async def test_run_returns_sync_started_detection(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    workflow_id = f"detection-{user_id}-det_fromsync"
    temporal.known.add(workflow_id)
    async with gateway.state.sessions() as db:
        db.add(
            DetectionRun(
                id="det_fromsync",
                user_id=user_id,
                sync_run_id="syn_1",
                workflow_id=workflow_id,
                status="running",
            )
        )
        await db.commit()
    response = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert response.json()["data"]["id"] == "det_fromsync"
    assert temporal.started == []


async def test_run_after_terminated_workflow_starts_anew(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    first = (
        await gateway.client.post("/api/detections/run", headers=bearer(token))
    ).json()["data"]
    temporal.statuses[first["workflow_id"]] = WorkflowExecutionStatus.TERMINATED
    second = (
        await gateway.client.post("/api/detections/run", headers=bearer(token))
    ).json()["data"]
    assert second["id"] != first["id"]
    assert len(temporal.started) == 2
    async with gateway.state.sessions() as db:
        closed = await db.get(DetectionRun, first["id"])
    assert closed is not None
    assert closed.status == "failed"
    assert closed.error is not None
    assert "terminated" in closed.error


async def test_run_idempotency_key_replays(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    headers = {**bearer(token), "Idempotency-Key": "run-1"}
    first = await gateway.client.post("/api/detections/run", headers=headers)
    temporal.statuses[first.json()["data"]["workflow_id"]] = (
        WorkflowExecutionStatus.COMPLETED
    )
    again = await gateway.client.post("/api/detections/run", headers=headers)
    fresh = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert fresh.json()["data"]["id"] != first.json()["data"]["id"]


async def test_run_without_temporal_gives_503(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    response = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert await run_count(gateway, user_id) == 0


async def test_rejected_start_leaves_no_row(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    temporal.reject_starts = True
    response = await gateway.client.post("/api/detections/run", headers=bearer(token))
    assert response.status_code == 503
    assert await run_count(gateway, user_id) == 0


async def test_cookie_run_without_origin_is_rejected(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    gateway.client.cookies.update({gateway.settings.session_cookie_name: token})
    response = await gateway.client.post("/api/detections/run")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert temporal.started == []


async def _completed_run(gateway: Gateway, user_id: str, run_id: str) -> None:
    started = datetime(2026, 11, 20, 9, tzinfo=UTC)
    async with gateway.state.sessions() as db:
        db.add(
            DetectionRun(
                id=run_id,
                user_id=user_id,
                workflow_id=f"detection-{user_id}-{run_id}",
                status="completed",
                findings=3,
                new_findings=2,
                resolved=1,
                totals={"USD": "41.50", "CAD": "9.1"},
                by_type={
                    "lost_inventory": {"count": 2, "amount": {"USD": "41.50"}},
                    "damaged_inventory": {"count": 1, "amount": {"CAD": "9.10"}},
                },
                by_confidence={"high": 2, "medium": 0, "low": 1},
                duration_ms=840,
                coverage=[
                    {"type": "lost_inventory", "checked": True, "reason": None},
                    {
                        "type": "fee_overcharge",
                        "checked": False,
                        "reason": "The settlements report was never synced.",
                        "missing_tables": ["settlements"],
                    },
                ],
                started_at=started,
                completed_at=started + timedelta(seconds=1),
            )
        )
        await db.commit()


async def test_status_gives_totals_and_coverage(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id, currency="CAD")
    await _completed_run(gateway, user_id, "det_done")
    response = await gateway.client.get(
        "/api/detections/status/det_done", headers=bearer(token)
    )
    assert response.status_code == 200
    data = response.json()["data"]

    assert data["status"] == "completed"
    assert data["trigger"] == "manual"
    assert data["findings"] == 3
    assert data["total_amount"] == {"value": "9.10", "currency": "CAD"}
    assert data["totals"] == [
        {"value": "9.10", "currency": "CAD"},
        {"value": "41.50", "currency": "USD"},
    ]
    assert data["by_type"]["lost_inventory"] == {
        "count": 2,
        "amounts": [{"value": "41.50", "currency": "USD"}],
    }
    assert data["by_confidence"] == {"high": 2, "medium": 0, "low": 1}
    assert data["duration_ms"] == 840
    assert data["completed_at"].startswith("2026-11-20T09:00:01")

    unchecked = [c for c in data["coverage"] if not c["checked"]]
    assert unchecked == [
        {
            "type": "fee_overcharge",
            "checked": False,
            "reason": "The settlements report was never synced.",
            "missing_tables": ["settlements"],
        }
    ]


async def test_status_of_other_users_run_gives_404(gateway: Gateway) -> None:
    owner_id, _ = await gateway.user_token("amzn1.account.OWNER")
    _, intruder = await gateway.user_token("amzn1.account.INTRUDER")
    await _completed_run(gateway, owner_id, "det_owned")
    response = await gateway.client.get(
        "/api/detections/status/det_owned", headers=bearer(intruder)
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_status_reconciles_terminated_run(
    gateway: Gateway, temporal: FakeTemporal
) -> None:
    user_id, token = await gateway.user_token()
    await connect_amazon(gateway, user_id)
    started = (
        await gateway.client.post("/api/detections/run", headers=bearer(token))
    ).json()["data"]
    temporal.statuses[started["workflow_id"]] = WorkflowExecutionStatus.TIMED_OUT
    response = await gateway.client.get(
        f"/api/detections/status/{started['id']}", headers=bearer(token)
    )
    data = response.json()["data"]
    assert data["status"] == "failed"
    assert data["error"] == "The detection timed out."
    assert data["completed_at"] is not None


async def test_history_lists_newest_first(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    base = datetime(2026, 11, 1, tzinfo=UTC)
    async with gateway.state.sessions() as db:
        for day in range(3):
            db.add(
                DetectionRun(
                    id=f"det_day{day}",
                    user_id=user_id,
                    sync_run_id="syn_1" if day == 0 else None,
                    workflow_id=f"detection-{user_id}-det_day{day}",
                    status="completed",
                    started_at=base + timedelta(days=day),
                    completed_at=base + timedelta(days=day, minutes=1),
                )
            )
        await db.commit()

    response = await gateway.client.get(
        "/api/detections/history", params={"limit": 2}, headers=bearer(token)
    )
    data = response.json()["data"]
    assert [item["id"] for item in data["items"]] == ["det_day2", "det_day1"]
    assert (data["total"], data["limit"], data["offset"]) == (3, 2, 0)
    assert data["has_more"] is True

    rest = await gateway.client.get(
        "/api/detections/history",
        params={"limit": 2, "offset": 2},
        headers=bearer(token),
    )
    last = rest.json()["data"]["items"]
    assert [item["id"] for item in last] == ["det_day0"]
    assert last[0]["trigger"] == "sync"
    assert rest.json()["data"]["has_more"] is False
