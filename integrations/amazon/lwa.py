"""Login with Amazon token endpoint for SP-API: consent codes and refresh tokens."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.amazon.lwa_errors import LwaError, parse_lwa_error
from integrations.circuit import CircuitBreaker

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LwaTokens:
    access_token: str
    expires_in: int
    refresh_token: str | None

    def __repr__(self) -> str:  # Never print the tokens themselves.
        refresh = "set" if self.refresh_token else "none"
        return f"LwaTokens(expires_in={self.expires_in}, refresh_token={refresh})"


class LwaRequestFailed(Exception):
    """The token endpoint failed without an OAuth error (network error or 5xx)."""


class LwaClient:
    """Exchange SP-API consent codes and refresh tokens at the LWA token endpoint."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._breaker = breaker or CircuitBreaker("amazon_lwa")

    async def exchange_code(self, code: str, redirect_uri: str | None) -> LwaTokens:
        """Trade a `spapi_oauth_code` (valid 5 minutes, once) for a refresh token."""
        form = {"grant_type": "authorization_code", "code": code}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        tokens = await self._post(form)
        if not tokens.refresh_token:
            raise LwaRequestFailed("the token endpoint returned no refresh_token")
        return tokens

    async def refresh(self, refresh_token: str) -> LwaTokens:
        """Get a fresh access token (valid `expires_in` seconds, usually 3600)."""
        return await self._post(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def _post(self, form: dict[str, str]) -> LwaTokens:
        self._breaker.before_call()
        payload = {
            **form,
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        try:
            response = await self._http.post(self._token_url, data=payload)
        except httpx.HTTPError as error:
            self._breaker.record_failure(type(error).__name__)
            raise LwaRequestFailed(
                f"LWA token request failed: {type(error).__name__}"
            ) from error
        body = _json_or_empty(response)
        if response.status_code >= 500:
            self._breaker.record_failure(f"HTTP {response.status_code}")
            raise LwaRequestFailed(
                f"LWA token endpoint returned {response.status_code}"
            )
        self._breaker.record_success()
        if response.status_code != 200:
            rejection: LwaError = parse_lwa_error(response.status_code, body)
            logger.warning(
                "LWA %s grant rejected: %s", form["grant_type"], rejection.error
            )
            raise rejection
        try:
            return LwaTokens(
                access_token=str(body["access_token"]),
                expires_in=int(body.get("expires_in", 3600)),
                refresh_token=body.get("refresh_token"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LwaRequestFailed(
                "LWA token response is missing access_token"
            ) from exc


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
