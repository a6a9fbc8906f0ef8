"""Fault injection on SP-API calls: random errors, throttles, latency, FATAL reports."""

import asyncio
import logging
import random
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from .errors import SpApiError, quota_exceeded

logger = logging.getLogger(__name__)


class FaultSettings(BaseModel):
    """Current fault injection, with rates as fractions of calls from 0 to 1."""

    model_config = ConfigDict(validate_assignment=True)

    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    throttle_rate: float = Field(0.0, ge=0.0, le=1.0)
    latency_seconds: float = Field(0.0, ge=0.0, le=60.0)
    fatal_rate: float = Field(0.0, ge=0.0, le=1.0)


class FaultUpdate(BaseModel):
    """A partial change of the fault settings, where absent fields keep their value."""

    model_config = ConfigDict(extra="forbid")

    error_rate: float | None = Field(None, ge=0.0, le=1.0)
    throttle_rate: float | None = Field(None, ge=0.0, le=1.0)
    latency_seconds: float | None = Field(None, ge=0.0, le=60.0)
    fatal_rate: float | None = Field(
        None, ge=0.0, le=1.0, description="Fraction of new reports that end FATAL."
    )


class FaultInjector:
    """Decides per call whether to delay, throttle or fail it."""

    def __init__(self, settings: FaultSettings, seed: int) -> None:
        self.settings = settings
        self._random = random.Random(seed)

    def update(self, change: FaultUpdate) -> FaultSettings:
        """Apply the fields set in `change` and return the new settings."""
        for name, value in change.model_dump(exclude_none=True).items():
            setattr(self.settings, name, value)
        logger.info("fault injection changed to %s", self.settings.model_dump())
        return self.settings

    async def delay(self) -> None:
        """Sleep for the configured latency."""
        if self.settings.latency_seconds > 0:
            await asyncio.sleep(self.settings.latency_seconds)

    def raise_injected(self) -> None:
        """Raise an injected 429, 500 or 503 SpApiError, or return normally."""
        draw = self._random.random()
        if draw < self.settings.throttle_rate:
            raise quota_exceeded()
        if draw < self.settings.throttle_rate + self.settings.error_rate:
            raise self._server_error()

    def report_fails(self) -> bool:
        """Return whether a new report should end FATAL."""
        return self._random.random() < self.settings.fatal_rate

    def _server_error(self) -> SpApiError:
        if self._random.random() < 0.5:
            return SpApiError(
                500,
                "InternalFailure",
                "We encountered an internal error. Please try again.",
            )
        return SpApiError(
            503,
            "ServiceUnavailable",
            "Service is temporarily unavailable. Please try again.",
        )


def fault_router(injector: FaultInjector) -> APIRouter:
    """Build the /_sandbox/faults routes that read and change `injector`."""
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])

    @router.get("/faults")
    async def get_faults() -> FaultSettings:
        """Return the current fault injection settings."""
        return injector.settings

    @router.post("/faults")
    async def set_faults(change: Annotated[FaultUpdate, Body()]) -> FaultSettings:
        """Change some fault injection settings and return all of them."""
        return injector.update(change)

    return router
