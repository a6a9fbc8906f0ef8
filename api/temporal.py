"""A lazily connected Temporal client shared by the gateway's routes."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client

from api.errors import UpstreamUnavailable
from core.settings import Settings
from workflows.client import connect_temporal

logger = logging.getLogger(__name__)


class TemporalConnector:
    """Connect on first use and reconnect after a failure, so the gateway starts
    (and reports itself degraded) while Temporal is still coming up."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> Client | None:
        return self._client

    async def get(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await asyncio.wait_for(
                        connect_temporal(self._settings), timeout=5
                    )
                except (TimeoutError, RuntimeError, OSError) as error:
                    logger.warning(
                        "Temporal at %s is unreachable: %s",
                        self._settings.temporal_address,
                        error,
                    )
                    raise UpstreamUnavailable(
                        "The workflow service is unavailable; try again in a moment.",
                        details={"service": "temporal"},
                    ) from error
        return self._client
