"""Per-client rate limits for costly or abusable routes (sign-in, consent callbacks).

Counts live in the gateway process, so each process enforces its own limit; behind
several processes the effective limit is that many times higher.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from api.errors import RateLimited


class SlidingWindowLimiter:
    """Allow `limit` hits per `window` seconds per key (a fixed-size log of times)."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._hits: dict[str, list[float]] = {}

    def hit(self, key: str) -> float:
        """Record a hit; return 0 when allowed, else the seconds until the next one."""
        now = self._clock()
        recent = [t for t in self._hits.get(key, []) if now - t < self._window]
        if len(recent) >= self._limit:
            self._hits[key] = recent
            return self._window - (now - recent[0])
        recent.append(now)
        self._hits[key] = recent
        if len(self._hits) > 10_000:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, v in self._hits.items() if not v or now - v[-1] >= self._window
        ]:
            del self._hits[key]


def login_limit(request: Request) -> int:
    """Return the configured sign-in and consent requests per client and minute."""
    limit: int = request.app.state.clario.settings.login_rate_limit_per_minute
    return limit


def rate_limit(
    name: str, per_minute: Callable[[Request], int]
) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """Build a dependency that limits each client address on the routes using it.

    The counts are kept on the app, so each app instance (and test) starts afresh.
    """

    async def check(request: Request) -> None:
        limit = per_minute(request)
        limiters: dict[tuple[str, int], SlidingWindowLimiter] = getattr(
            request.app.state, "rate_limiters", {}
        )
        request.app.state.rate_limiters = limiters
        limiter = limiters.setdefault((name, limit), SlidingWindowLimiter(limit, 60.0))
        client = request.client.host if request.client else "unknown"
        wait = limiter.hit(f"{name}:{client}")
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"Too many {name} requests from this address; retry in {seconds}s.",
                details={"retry_after_seconds": seconds},
                headers={"Retry-After": str(seconds)},
            )

    return check
