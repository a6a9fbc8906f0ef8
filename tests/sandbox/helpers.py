"""Flows and clocks shared by the Amazon sandbox tests."""

import re
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.amazon.config import AmazonSandboxConfig
from sandbox.amazon.tokens import s256_challenge

LOGIN_REDIRECT = "http://127.0.0.1:8000/api/auth/amazon/callback"
CONSENT_REDIRECT = "http://127.0.0.1:8000/api/v1/integrations/amazon/callback"
DEMO_SELLER = "A1CLARIODEMO01"
US = "ATVPDKIKX0DER"
REPORTS = "/reports/2021-06-30"


class FakeClock:
    """A clock that keeps its time until a test advances it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 7, 6, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def query_of(response: httpx.Response) -> dict[str, str]:
    """Return the query parameters of a redirect's Location."""
    location = response.headers["location"]
    return {
        key: values[0] for key, values in parse_qs(urlsplit(location).query).items()
    }


def hidden_field(html: str, name: str) -> str:
    """Return the value of the first hidden input `name` in a page."""
    match = re.search(rf"name='{name}' value='([^']*)'", html)
    assert match is not None, f"no hidden field {name}"
    return match.group(1)


def authorize_params(config: AmazonSandboxConfig, verifier: str) -> dict[str, str]:
    """Return valid /ap/oa query parameters for a PKCE verifier."""
    return {
        "client_id": config.client_id,
        "scope": "profile",
        "response_type": "code",
        "redirect_uri": LOGIN_REDIRECT,
        "state": "login-state-1",
        "code_challenge": s256_challenge(verifier),
        "code_challenge_method": "S256",
    }


async def login_code(
    client: httpx.AsyncClient,
    config: AmazonSandboxConfig,
    verifier: str,
    email: str = "demo.seller@example.com",
) -> str:
    """Run the sign-in page flow and return the authorization code."""
    page = await client.get("/ap/oa", params=authorize_params(config, verifier))
    assert page.status_code == 200
    approve = await client.post(
        "/ap/oa/approve",
        data={
            "request_id": hidden_field(page.text, "request_id"),
            "email": email,
            "name": "Demo Seller",
            "decision": "allow",
        },
    )
    assert approve.status_code == 302
    return query_of(approve)["code"]


def code_grant(
    config: AmazonSandboxConfig, code: str, redirect_uri: str, **extra: str
) -> dict[str, str]:
    """Return the form of an authorization_code token request."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        **extra,
    }


def refresh_grant(config: AmazonSandboxConfig, refresh_token: str) -> dict[str, str]:
    """Return the form of a refresh_token token request."""
    return {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": config.client_id,
        "client_secret": config.client_secret,
    }


async def consent_code(
    client: httpx.AsyncClient,
    config: AmazonSandboxConfig,
    seller_id: str = DEMO_SELLER,
) -> str:
    """Run the consent page flow for a seller and return the spapi_oauth_code."""
    page = await client.get(
        "/apps/authorize/consent",
        params={"application_id": config.application_id, "state": "consent-state"},
    )
    assert page.status_code == 200
    confirm = await client.post(
        "/apps/authorize/confirm",
        data={
            "consent_id": hidden_field(page.text, "consent_id"),
            "selling_partner_id": seller_id,
        },
    )
    assert confirm.status_code == 302
    return query_of(confirm)["spapi_oauth_code"]


async def seller_tokens(
    client: httpx.AsyncClient,
    config: AmazonSandboxConfig,
    seller_id: str = DEMO_SELLER,
) -> tuple[str, str]:
    """Authorize a seller and return (refresh_token, access_token)."""
    code = await consent_code(client, config, seller_id)
    response = await client.post(
        "/auth/o2/token", data=code_grant(config, code, CONSENT_REDIRECT)
    )
    assert response.status_code == 200
    body = response.json()
    return body["refresh_token"], body["access_token"]


def new_verifier() -> str:
    """Return a fresh PKCE code verifier."""
    return secrets.token_urlsafe(48)
