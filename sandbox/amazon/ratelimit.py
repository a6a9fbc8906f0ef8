"""Token buckets per seller and SP-API operation, with Amazon's default plans."""

from dataclasses import dataclass
from datetime import datetime

from .clock import Clock


@dataclass(frozen=True)
class UsagePlan:
    """An operation's default rate (requests per second) and burst."""

    rate: float
    burst: float


DEFAULT_USAGE_PLANS: dict[str, UsagePlan] = {
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReports": UsagePlan(0.0222, 10),
    "cancelReport": UsagePlan(0.0222, 10),
    "getReportDocument": UsagePlan(0.0167, 15),
    "getMarketplaceParticipations": UsagePlan(0.016, 15),
    "getShipments": UsagePlan(2.0, 30),
    "getShipmentItemsByShipmentId": UsagePlan(2.0, 30),
}
"""Default usage plans from the Reports 2021-06-30, Sellers v1 and Fulfillment
Inbound v0 models."""


class _Bucket:
    def __init__(self, plan: UsagePlan, now: datetime) -> None:
        self.plan = plan
        self.tokens = plan.burst
        self.updated = now

    def take(self, now: datetime) -> bool:
        elapsed = max(0.0, (now - self.updated).total_seconds())
        self.tokens = min(self.plan.burst, self.tokens + elapsed * self.plan.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class RateLimiter:
    """Token buckets that start full, one per (seller, operation).

    `scale` multiplies every default rate and burst, but the burst never drops below
    one request.
    """

    def __init__(self, clock: Clock, scale: float = 1.0) -> None:
        self._clock = clock
        self._plans = {
            name: UsagePlan(plan.rate * scale, max(1.0, plan.burst * scale))
            for name, plan in DEFAULT_USAGE_PLANS.items()
        }
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def header_value(self, operation: str) -> str:
        """Return the x-amzn-RateLimit-Limit value (the rate) of an operation."""
        return f"{self._plans[operation].rate:.6g}"

    def try_acquire(self, seller_id: str, operation: str) -> bool:
        """Take one token for the call, or return False when the call is throttled.

        Raises KeyError for an operation without a usage plan.
        """
        now = self._clock()
        key = (seller_id, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._plans[operation], now)
        return bucket.take(now)
