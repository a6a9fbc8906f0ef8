"""A worker interceptor that puts the workflow id on every log line of an activity."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from core.logging import user_id_var, workflow_id_var


class _ActivityContext(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        workflow_token = workflow_id_var.set(info.workflow_id or "")
        user_token = user_id_var.set(_user_id_of(input.args))
        try:
            return await self.next.execute_activity(input)
        finally:
            workflow_id_var.reset(workflow_token)
            user_id_var.reset(user_token)


def _user_id_of(args: Any) -> str:
    """Return the `user_id` of the activity's input model, when it has one."""
    for arg in args or ():
        user_id = getattr(arg, "user_id", None)
        if isinstance(user_id, str):
            return user_id
    return ""


class LogContextInterceptor(Interceptor):
    """Set the logging context ids for the duration of each activity."""

    def intercept_activity(
        self, next: ActivityInboundInterceptor
    ) -> ActivityInboundInterceptor:
        return _ActivityContext(next)
