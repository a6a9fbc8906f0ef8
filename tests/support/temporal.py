"""Temporal servers for tests, from the PyPI packages (no download at run time)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from workflows.client import KIND_ATTRIBUTE, USER_ID_ATTRIBUTE

BIN = Path(sys.executable).parent


def _binary(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed; run `make install`")
    return found


async def start_time_skipping() -> WorkflowEnvironment:
    """The Java test server, with the project's search attributes registered.

    Without them a child workflow that sets one is never started by that server.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=_binary("temporal-test-server"),
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
                for key in (USER_ID_ATTRIBUTE, KIND_ATTRIBUTE)
            },
        )
    )
    return env


async def start_dev_server() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=_binary("temporal"),
        search_attributes=[USER_ID_ATTRIBUTE, KIND_ATTRIBUTE],
        dev_server_log_level="error",
    )


def client_address(client: Client) -> str:
    return str(client.service_client.config.target_host)
