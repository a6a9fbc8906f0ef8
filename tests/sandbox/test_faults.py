"""Fault injection on SP-API calls."""

import httpx
import pytest

from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import (
    LOGIN_REDIRECT,
    REPORTS,
    US,
    FakeClock,
    refresh_grant,
    seller_tokens,
)

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


async def test_faults_default_to_off(client: httpx.AsyncClient) -> None:
    response = await client.get("/_sandbox/faults")
    assert response.json() == {
        "error_rate": 0.0,
        "throttle_rate": 0.0,
        "latency_seconds": 0.0,
        "fatal_rate": 0.0,
    }


async def test_partial_update_keeps_other_values(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/faults", json={"error_rate": 0.25})
    response = await client.post("/_sandbox/faults", json={"throttle_rate": 0.5})
    assert response.json()["error_rate"] == 0.25
    assert response.json()["throttle_rate"] == 0.5


@pytest.mark.parametrize(
    "body",
    [{"error_rate": 1.5}, {"throttle_rate": -0.1}, {"latency": 1}],
    ids=["rate-above-one", "negative-rate", "unknown-field"],
)
async def test_invalid_fault_update_is_rejected(
    client: httpx.AsyncClient, body: dict[str, float]
) -> None:
    response = await client.post("/_sandbox/faults", json=body)
    assert response.status_code == 422


async def test_throttle_rate_one_gives_429(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    await client.post("/_sandbox/faults", json={"throttle_rate": 1.0})
    response = await client.get(PARTICIPATIONS, headers=spapi_headers)
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "QuotaExceeded"
    assert "x-amzn-RateLimit-Limit" not in response.headers


async def test_error_rate_one_gives_server_errors(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    await client.post("/_sandbox/faults", json={"error_rate": 1.0})
    responses = [
        await client.get(PARTICIPATIONS, headers=spapi_headers) for _ in range(12)
    ]
    codes = {response.status_code for response in responses}
    error_codes = {r.json()["errors"][0]["code"] for r in responses}
    assert codes == {500, 503}
    assert error_codes == {"InternalFailure", "ServiceUnavailable"}


async def test_faults_spare_lwa(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    refresh, _ = await seller_tokens(client, config)
    await client.post("/_sandbox/faults", json={"error_rate": 1.0, "throttle_rate": 0})
    response = await client.post("/auth/o2/token", data=refresh_grant(config, refresh))
    page = await client.get(
        "/ap/oa", params={"client_id": config.client_id, "redirect_uri": LOGIN_REDIRECT}
    )
    assert response.status_code == 200
    assert page.status_code == 302


async def test_fatal_rate_one_ends_reports_fatal(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    await client.post("/_sandbox/faults", json={"fatal_rate": 1.0})
    created = await client.post(
        f"{REPORTS}/reports",
        json={"reportType": "GET_LEDGER_DETAIL_VIEW_DATA", "marketplaceIds": [US]},
        headers=spapi_headers,
    )
    clock.advance(10)
    report = await client.get(
        f"{REPORTS}/reports/{created.json()['reportId']}", headers=spapi_headers
    )
    assert report.json()["processingStatus"] == "FATAL"
    assert "reportDocumentId" not in report.json()


async def test_config_sets_initial_faults(clock: FakeClock) -> None:
    from sandbox.amazon.app import create_app

    config = AmazonSandboxConfig(error_rate=0.5, latency_seconds=0.0)
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        response = await http.get("/_sandbox/faults")
    assert response.json()["error_rate"] == 0.5


async def test_latency_waits_before_answering(
    client: httpx.AsyncClient,
    spapi_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("sandbox.amazon.faults.asyncio.sleep", record_sleep)
    await client.post("/_sandbox/faults", json={"latency_seconds": 2.5})
    response = await client.get(PARTICIPATIONS, headers=spapi_headers)
    assert response.status_code == 200
    assert waits == [2.5]
