"""Token buckets and SP-API's 429 responses."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from sandbox.amazon.app import create_app
from sandbox.amazon.config import AmazonSandboxConfig
from sandbox.amazon.ratelimit import RateLimiter

from .helpers import REPORTS, US, FakeClock, seller_tokens

QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}


@pytest.fixture
async def strict_client(
    config: AmazonSandboxConfig, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app with Amazon's default rate limits."""
    config.rate_limit_scale = 1.0
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        yield http


async def create_burst(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> list[httpx.Response]:
    body = {"reportType": "GET_LEDGER_DETAIL_VIEW_DATA", "marketplaceIds": [US]}
    return [
        await client.post(f"{REPORTS}/reports", json=body, headers=headers)
        for _ in range(count)
    ]


async def test_burst_then_429(
    strict_client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    _, access = await seller_tokens(strict_client, config)
    responses = await create_burst(strict_client, {"x-amz-access-token": access}, 16)
    assert [r.status_code for r in responses[:15]] == [202] * 15
    assert responses[15].status_code == 429


async def test_429_body_and_headers(
    strict_client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    _, access = await seller_tokens(strict_client, config)
    throttled = (await create_burst(strict_client, {"x-amz-access-token": access}, 16))[
        -1
    ]
    assert throttled.json() == QUOTA_EXCEEDED
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert throttled.headers["x-amzn-RequestId"]


async def test_success_carries_rate_limit_header(
    strict_client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    _, access = await seller_tokens(strict_client, config)
    response = (await create_burst(strict_client, {"x-amz-access-token": access}, 1))[0]
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"


async def test_bucket_refills_with_time(
    strict_client: httpx.AsyncClient, config: AmazonSandboxConfig, clock: FakeClock
) -> None:
    _, access = await seller_tokens(strict_client, config)
    headers = {"x-amz-access-token": access}
    await create_burst(strict_client, headers, 15)
    clock.advance(60)
    after_wait = await create_burst(strict_client, headers, 2)
    assert after_wait[0].status_code == 202
    assert after_wait[1].status_code == 429


async def test_operations_have_separate_buckets(
    strict_client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    _, access = await seller_tokens(strict_client, config)
    headers = {"x-amz-access-token": access}
    await create_burst(strict_client, headers, 16)
    response = await strict_client.get(
        "/sellers/v1/marketplaceParticipations", headers=headers
    )
    assert response.status_code == 200


def test_limiter_separates_sellers() -> None:
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    limiter = RateLimiter(clock, scale=1.0)
    first = [limiter.try_acquire("A1", "getReports") for _ in range(11)]
    other = limiter.try_acquire("A2", "getReports")
    assert first == [True] * 10 + [False]
    assert other is True


def test_limiter_scale_multiplies_rate_and_burst() -> None:
    limiter = RateLimiter(FakeClock(), scale=10.0)
    granted = [limiter.try_acquire("A1", "getReports") for _ in range(101)]
    assert granted.count(True) == 100
    assert limiter.header_value("getReports") == "0.222"


def test_limiter_burst_is_at_least_one() -> None:
    limiter = RateLimiter(FakeClock(), scale=0.01)
    assert limiter.try_acquire("A1", "createReport") is True
    assert limiter.try_acquire("A1", "createReport") is False
