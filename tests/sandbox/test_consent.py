"""Seller Central website authorization."""

import httpx
import pytest

from sandbox.amazon.app import create_app
from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import (
    CONSENT_REDIRECT,
    DEMO_SELLER,
    LOGIN_REDIRECT,
    FakeClock,
    code_grant,
    consent_code,
    hidden_field,
    query_of,
)


def consent_params(config: AmazonSandboxConfig, **extra: str) -> dict[str, str]:
    return {"application_id": config.application_id, "state": "st-1", **extra}


async def test_consent_page_lists_demo_seller(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/apps/authorize/consent", params=consent_params(config))
    assert page.status_code == 200
    assert DEMO_SELLER in page.text
    assert "Authorize" in page.text
    assert f"action='{config.base_url}/apps/authorize/confirm'" in page.text


async def test_confirm_redirects_with_code_and_seller(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get(
        "/apps/authorize/consent", params=consent_params(config, version="beta")
    )
    confirm = await client.post(
        "/apps/authorize/confirm",
        data={
            "consent_id": hidden_field(page.text, "consent_id"),
            "selling_partner_id": DEMO_SELLER,
        },
    )
    query = query_of(confirm)
    assert confirm.status_code == 302
    assert confirm.headers["location"].startswith(CONSENT_REDIRECT + "?")
    assert query["state"] == "st-1"
    assert query["selling_partner_id"] == DEMO_SELLER
    assert query["spapi_oauth_code"]


async def test_consent_code_exchanges_without_pkce(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    code = await consent_code(client, config)
    response = await client.post(
        "/auth/o2/token", data=code_grant(config, code, CONSENT_REDIRECT)
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"].startswith("Atzr|")


async def test_consent_code_works_once(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    code = await consent_code(client, config)
    form = code_grant(config, code, CONSENT_REDIRECT)
    await client.post("/auth/o2/token", data=form)
    again = await client.post("/auth/o2/token", data=form)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_consent_code_expires(
    client: httpx.AsyncClient, config: AmazonSandboxConfig, clock: FakeClock
) -> None:
    code = await consent_code(client, config)
    clock.advance(300)
    response = await client.post(
        "/auth/o2/token", data=code_grant(config, code, CONSENT_REDIRECT)
    )
    assert response.status_code == 400


async def test_explicit_registered_redirect_uri_is_used(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get(
        "/apps/authorize/consent",
        params=consent_params(config, redirect_uri=LOGIN_REDIRECT),
    )
    confirm = await client.post(
        "/apps/authorize/confirm",
        data={
            "consent_id": hidden_field(page.text, "consent_id"),
            "selling_partner_id": DEMO_SELLER,
        },
    )
    assert confirm.headers["location"].startswith(LOGIN_REDIRECT + "?")


@pytest.mark.parametrize(
    "change",
    [
        {"application_id": "amzn1.sp.solution.other"},
        {"redirect_uri": "http://127.0.0.1:9999/api/v1/integrations/amazon/callback"},
        {"version": "gamma"},
        {"state": ""},
    ],
    ids=["unknown-application", "unregistered-redirect", "bad-version", "no-state"],
)
async def test_bad_consent_request_shows_error_page(
    client: httpx.AsyncClient, config: AmazonSandboxConfig, change: dict[str, str]
) -> None:
    response = await client.get(
        "/apps/authorize/consent", params={**consent_params(config), **change}
    )
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_consent_without_callback_registered_is_rejected(
    clock: FakeClock,
) -> None:
    config = AmazonSandboxConfig(redirect_uris=[LOGIN_REDIRECT])
    transport = httpx.ASGITransport(app=create_app(config, clock=clock))
    async with httpx.AsyncClient(transport=transport, base_url=config.base_url) as http:
        response = await http.get(
            "/apps/authorize/consent", params=consent_params(config)
        )
    assert response.status_code == 400
    assert "/amazon/callback" in response.text


async def test_confirm_unknown_seller_is_rejected(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/apps/authorize/consent", params=consent_params(config))
    response = await client.post(
        "/apps/authorize/confirm",
        data={
            "consent_id": hidden_field(page.text, "consent_id"),
            "selling_partner_id": "AUNKNOWN",
        },
    )
    assert response.status_code == 400


async def test_confirm_expired_page_is_rejected(
    client: httpx.AsyncClient, config: AmazonSandboxConfig, clock: FakeClock
) -> None:
    page = await client.get("/apps/authorize/consent", params=consent_params(config))
    clock.advance(16 * 60)
    response = await client.post(
        "/apps/authorize/confirm",
        data={
            "consent_id": hidden_field(page.text, "consent_id"),
            "selling_partner_id": DEMO_SELLER,
        },
    )
    assert response.status_code == 400
