"""Replay recorded SyncWorkflow histories against the current workflow code.

A change that alters the commands a recorded run issued fails here; such a change
needs `workflow.patched`. To record new histories, run a workflow in the test server
and save `(await handle.fetch_history()).to_json()` into tests/workflows/histories/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.detection import DetectionWorkflow
from workflows.sync import SyncWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    history = load(path)
    replayer = Replayer(
        workflows=[SyncWorkflow, DetectionWorkflow],
        data_converter=pydantic_data_converter,
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None


def test_histories_are_recorded() -> None:
    assert len(HISTORIES) >= 3
