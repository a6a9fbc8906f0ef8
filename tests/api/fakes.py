"""A stand-in Temporal client for route tests that must start or describe workflows.

It records each start and returns from `describe` the status the test sets, so the
routes' own logic (claiming rows, reconciling ended runs) runs unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode


@dataclass
class StartedWorkflow:
    workflow: str
    argument: Any
    id: str
    options: dict[str, Any]


@dataclass
class Description:
    status: WorkflowExecutionStatus
    run_id: str
    close_time: datetime | None


class FakeHandle:
    def __init__(self, client: FakeTemporal, workflow_id: str) -> None:
        self._client = client
        self.id = workflow_id
        self.result_run_id = f"run-{workflow_id}"

    async def describe(self, **_options: object) -> Description:
        if self.id not in self._client.known:
            raise RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")
        status = self._client.statuses.get(self.id, WorkflowExecutionStatus.RUNNING)
        closed = status != WorkflowExecutionStatus.RUNNING
        return Description(
            status=status,
            run_id=self.result_run_id,
            close_time=datetime.now(UTC) if closed else None,
        )

    async def query(self, *_args: object, **_options: object) -> Any:
        raise RPCError("no worker answers queries here", RPCStatusCode.UNAVAILABLE, b"")


@dataclass
class FakeTemporal:
    started: list[StartedWorkflow] = field(default_factory=list)
    statuses: dict[str, WorkflowExecutionStatus] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    reject_starts: bool = False

    async def start_workflow(
        self, workflow: str, argument: Any, *, id: str, **options: Any
    ) -> FakeHandle:
        if self.reject_starts:
            raise RPCError("server unavailable", RPCStatusCode.UNAVAILABLE, b"")
        self.started.append(StartedWorkflow(workflow, argument, id, options))
        self.known.add(id)
        return FakeHandle(self, id)

    def get_workflow_handle(
        self, workflow_id: str, *, run_id: str | None = None
    ) -> FakeHandle:
        return FakeHandle(self, workflow_id)
