"""Connecting to Temporal with the project's data converter and search attributes."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter

from core.settings import Settings

USER_ID_ATTRIBUTE = SearchAttributeKey.for_keyword("ClarioUserId")
KIND_ATTRIBUTE = SearchAttributeKey.for_keyword("ClarioKind")


async def connect_temporal(settings: Settings) -> Client:
    """Connect to the configured Temporal server, dev server, cluster or Cloud."""
    api_key = (
        settings.temporal_api_key.get_secret_value()
        if settings.temporal_api_key
        else None
    )
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key,
        tls=settings.temporal_tls or bool(api_key),
        data_converter=pydantic_data_converter,
    )


def sync_workflow_id(user_id: str) -> str:
    return f"sync-{user_id}"


def detection_workflow_id(user_id: str, run_id: str) -> str:
    return f"detection-{user_id}-{run_id}"
