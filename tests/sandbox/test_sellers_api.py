"""Sellers API marketplaceParticipations and the SP-API token check."""

import httpx
import pytest

from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import LOGIN_REDIRECT, FakeClock, code_grant, login_code, new_verifier

PATH = "/sellers/v1/marketplaceParticipations"
UNAUTHORIZED = {
    "errors": [
        {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": (
                "The access token you provided is revoked, malformed or invalid."
            ),
        }
    ]
}


async def test_participations_shape(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.get(PATH, headers=spapi_headers)
    entry = response.json()["payload"][0]
    assert response.status_code == 200
    assert entry["marketplace"] == {
        "id": "ATVPDKIKX0DER",
        "name": "Amazon.com",
        "countryCode": "US",
        "defaultCurrencyCode": "USD",
        "defaultLanguageCode": "en_US",
        "domainName": "www.amazon.com",
    }
    assert entry["participation"] == {
        "isParticipating": True,
        "hasSuspendedListings": False,
    }
    assert entry["storeName"] == "Clario Demo Store"


async def test_participations_headers(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    response = await client.get(PATH, headers=spapi_headers)
    assert response.headers["x-amzn-RequestId"]
    assert response.headers["x-amzn-RateLimit-Limit"] == "16"


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-amz-access-token": "Atza|unknown"}],
    ids=["missing", "unknown"],
)
async def test_bad_token_is_unauthorized(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(PATH, headers=headers)
    assert response.status_code == 403
    assert response.json() == UNAUTHORIZED
    assert response.headers["x-amzn-RequestId"]
    assert "x-amzn-RateLimit-Limit" not in response.headers


async def test_expired_token_is_unauthorized(
    client: httpx.AsyncClient, spapi_headers: dict[str, str], clock: FakeClock
) -> None:
    clock.advance(3600)
    response = await client.get(PATH, headers=spapi_headers)
    assert response.status_code == 403


async def test_revoked_seller_token_is_unauthorized(
    client: httpx.AsyncClient, spapi_headers: dict[str, str]
) -> None:
    await client.post("/_sandbox/revoke", json={"selling_partner_id": "A1CLARIODEMO01"})
    response = await client.get(PATH, headers=spapi_headers)
    assert response.status_code == 403


async def test_login_token_is_not_an_spapi_token(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    verifier = new_verifier()
    code = await login_code(client, config, verifier)
    tokens = await client.post(
        "/auth/o2/token",
        data=code_grant(config, code, LOGIN_REDIRECT, code_verifier=verifier),
    )
    response = await client.get(
        PATH, headers={"x-amz-access-token": tokens.json()["access_token"]}
    )
    assert response.status_code == 403
    assert response.json() == UNAUTHORIZED
