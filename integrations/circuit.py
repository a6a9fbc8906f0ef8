"""A per-upstream circuit breaker: fail fast while an upstream keeps failing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

CircuitState = Literal["closed", "open", "half_open"]


class CircuitOpen(Exception):
    """The upstream failed repeatedly; calls are refused until the cool-down ends."""

    def __init__(self, name: str, retry_in: float) -> None:
        super().__init__(f"{name} is failing; calls paused for {retry_in:.0f}s")
        self.name = name
        self.retry_in = retry_in


@dataclass
class CircuitBreaker:
    """Open after `threshold` failures in a row; after `cooldown` seconds let one
    trial call through (half open), and close again when it succeeds."""

    name: str
    threshold: int = 5
    cooldown: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    last_error: str | None = field(default=None)

    @property
    def state(self) -> CircuitState:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        if self.state == "open":
            assert self.opened_at is not None
            raise CircuitOpen(
                self.name, self.cooldown - (self.clock() - self.opened_at)
            )

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self, error: str) -> None:
        self.failures += 1
        self.last_error = error
        if self.failures >= self.threshold or self.state == "half_open":
            self.opened_at = self.clock()


class CircuitRegistry:
    """The breakers of one process, by upstream name."""

    def __init__(self, threshold: int = 5, cooldown: float = 30.0) -> None:
        self._threshold = threshold
        self._cooldown = cooldown
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, name: str) -> CircuitBreaker:
        if name not in self._breakers:
            self._breakers[name] = CircuitBreaker(name, self._threshold, self._cooldown)
        return self._breakers[name]

    def snapshot(self) -> dict[str, CircuitState]:
        return {name: breaker.state for name, breaker in self._breakers.items()}
