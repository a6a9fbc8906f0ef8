"""Client-side pacing of SP-API calls: a token bucket per seller and operation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

# Amazon's documented default usage plans (requests per second, burst).
DEFAULT_LIMITS: dict[str, tuple[float, int]] = {
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "getMarketplaceParticipations": (0.016, 15),
    "getShipments": (2.0, 30),
    "getShipmentItemsByShipmentId": (2.0, 30),
}


@dataclass
class TokenBucket:
    rate: float
    burst: int
    tokens: float
    updated: float

    def reserve(self, now: float) -> float:
        """Reserve one token; return how many seconds the caller must wait for it."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def release(self) -> None:
        """Give back a reservation the caller will not use."""
        self.tokens += 1


class RateLimiter:
    """Wait for a token of (seller, operation), up to `max_wait` seconds.

    Longer waits raise `RateLimitWait` so the caller (an activity) can hand the wait to
    Temporal's retry instead of holding a worker slot.
    """

    def __init__(
        self,
        limits: dict[str, tuple[float, int]] | None = None,
        *,
        max_wait: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = limits or DEFAULT_LIMITS
        self._max_wait = max_wait
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, seller: str, operation: str) -> None:
        rate, burst = self._limits.get(operation, (1.0, 5))
        async with self._lock:
            key = (seller, operation)
            now = self._clock()
            bucket = self._buckets.setdefault(key, TokenBucket(rate, burst, burst, now))
            wait = bucket.reserve(now)
            if wait > self._max_wait:
                bucket.release()
                raise RateLimitWait(operation, wait)
        if wait > 0:
            await asyncio.sleep(wait)

    def refill_seconds(self, operation: str) -> float:
        """Return the seconds one token of `operation` takes to refill."""
        rate, _burst = self._limits.get(operation, (1.0, 5))
        return 1.0 / rate

    def observe_limit(self, seller: str, operation: str, limit: float) -> None:
        """Adopt the rate from a response's `x-amzn-RateLimit-Limit` header."""
        bucket = self._buckets.get((seller, operation))
        if bucket is not None and limit > 0:
            bucket.rate = limit


class RateLimitWait(Exception):
    def __init__(self, operation: str, seconds: float) -> None:
        super().__init__(f"{operation} is paced; next call allowed in {seconds:.1f}s")
        self.operation = operation
        self.seconds = seconds
