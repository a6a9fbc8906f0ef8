"""The run_detection activity: which tables it passes, and what it stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities import detection as detection_activities
from activities.deps import ActivityDeps
from activities.detection import DetectionActivities, table_sources
from detection.tables import TABLE_SOURCES
from store.db import create_engine, session_factory
from store.models import DetectionRun, Recovery, ReportDocument
from store.reportdata import ReportDataStore
from store.unit_costs import UnitCostRow, put_unit_cost
from store.users import save_amazon_connection, upsert_user_from_amazon
from tests.conftest import make_settings
from tests.detection.builders import SKU, T0, days, ledger_row, ledger_table
from workflows.models import RunDetectionInput

RIPE = T0 + days(8)


@pytest.fixture
async def sessions(
    database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield session_factory(engine)
    await engine.dispose()


async def seed_seller(
    sessions: async_sessionmaker[AsyncSession], *, reimbursements_synced: bool = True
) -> str:
    async with sessions() as db:
        user = await upsert_user_from_amazon(
            db, amazon_user_id="amzn1.account.D", email="d@x", name="D"
        )
        await save_amazon_connection(
            db,
            user_id=user.id,
            selling_partner_id="A1SELLER",
            region="NA",
            refresh_token_sealed="sealed",
            marketplaces=[
                {"id": "ATVPDKIKX0DER", "currency": "USD", "is_participating": True}
            ],
        )
        reports = [("GET_LEDGER_DETAIL_VIEW_DATA", "DONE")]
        if reimbursements_synced:
            reports.append(("GET_FBA_REIMBURSEMENTS_DATA", "CANCELLED"))
        for report_type, status in reports:
            db.add(
                ReportDocument(
                    id=f"rpt_{status.lower()}",
                    user_id=user.id,
                    report_type=report_type,
                    marketplace_id="ATVPDKIKX0DER",
                    amazon_report_id=f"report-{status}",
                    processing_status=status,
                )
            )
        await put_unit_cost(db, user.id, UnitCostRow(SKU, 1200, "USD"))
        await put_unit_cost(db, user.id, UnitCostRow("EU-ONLY", 900, "EUR"))
        db.add(
            DetectionRun(
                id="det_run",
                user_id=user.id,
                workflow_id=f"detection-{user.id}-det_run",
                status="running",
            )
        )
        await db.commit()
        return user.id


def test_table_sources_marks_unsynced(tmp_path: Path) -> None:
    paths = {table: tmp_path / f"{table}.parquet" for table in TABLE_SOURCES}
    paths["ledger_detail"].write_bytes(b"")
    paths["inbound_shipments"].write_bytes(b"")
    sources, unsynced = table_sources(
        paths, {"GET_FBA_REIMBURSEMENTS_DATA", "GET_LEDGER_DETAIL_VIEW_DATA"}
    )
    assert sources["ledger_detail"] == paths["ledger_detail"]
    assert sources["reimbursements"] is None
    assert sources["inbound_shipments"] == paths["inbound_shipments"]
    assert "reimbursements" not in unsynced
    assert "ledger_detail" not in unsynced
    assert "inbound_shipments" not in unsynced
    assert "inbound_shipment_items" in unsynced
    assert "settlements" in unsynced
    assert set(sources) == set(TABLE_SOURCES)


def activities_for(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, user_id: str
) -> DetectionActivities:
    """Activities over a report store whose ledger has one loss of 2 units."""
    report_data = ReportDataStore(tmp_path / "reports")
    ledger_path = report_data.path(user_id, "ledger_detail")
    ledger_path.parent.mkdir(parents=True)
    pq.write_table(ledger_table([ledger_row(quantity=-2)]), ledger_path)
    deps = ActivityDeps(
        settings=make_settings(tmp_path),
        sessions=sessions,
        secrets=cast(Any, None),
        http=cast(Any, None),
        lwa=cast(Any, None),
        spapi=cast(Any, None),
        blobs=cast(Any, None),
        report_data=report_data,
    )
    return DetectionActivities(deps)


async def test_run_detection_stores_findings_and_coverage(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    user_id = await seed_seller(sessions)
    activities = activities_for(sessions, tmp_path, user_id)

    result = await ActivityEnvironment().run(
        activities.run_detection,
        RunDetectionInput(user_id=user_id, detection_id="det_run", as_of=RIPE),
    )

    assert result.findings == 1
    assert result.new_findings == 1
    async with sessions() as db:
        recovery = await db.scalar(select(Recovery).where(Recovery.user_id == user_id))
        run = await db.get(DetectionRun, "det_run")
    assert recovery is not None
    assert recovery.type == "lost_inventory"
    assert recovery.unit_value == "12.00"
    assert recovery.amount_minor == 2400
    assert recovery.unit_value_source == "seller_cost"
    assert recovery.confidence_reason
    assert run is not None
    assert run.status == "completed"
    assert Decimal(run.totals["USD"]) == Decimal("24.00")
    coverage = {entry["type"]: entry for entry in run.coverage}
    assert coverage["lost_inventory"]["checked"] is True


async def test_run_detection_reports_unsynced_table(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    user_id = await seed_seller(sessions, reimbursements_synced=False)
    activities = activities_for(sessions, tmp_path, user_id)

    result = await ActivityEnvironment().run(
        activities.run_detection,
        RunDetectionInput(user_id=user_id, detection_id="det_run", as_of=RIPE),
    )

    async with sessions() as db:
        run = await db.get(DetectionRun, "det_run")
    assert result.findings == 0
    assert run is not None
    coverage = {entry["type"]: entry for entry in run.coverage}
    assert coverage["lost_inventory"]["checked"] is False
    assert "reimbursements" in coverage["lost_inventory"]["missing_tables"]
    assert coverage["lost_inventory"]["reason"]


async def test_long_scan_heartbeats_while_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detection_activities, "_HEARTBEAT_SECONDS", 0.05)
    beats: list[Any] = []
    environment = ActivityEnvironment()
    environment.on_heartbeat = lambda *details: beats.append(details)

    async def scan() -> str:
        await asyncio.sleep(0.3)
        return "done"

    async def body() -> str:
        return await detection_activities._with_heartbeats(scan(), "scanning")

    assert await environment.run(body) == "done"
    assert len(beats) >= 3
    assert beats[0] == ("scanning",)
