"""Login with Amazon start and callback checks that need no upstream."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from api.ratelimit import SlidingWindowLimiter
from tests.api.conftest import Gateway


async def test_start_redirects_with_state_and_pkce(gateway: Gateway) -> None:
    response = await gateway.client.get("/auth/amazon/start")
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert response.status_code == 302
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32
    assert query["scope"] == ["profile"]
    assert "clario_login_flow" in response.headers["set-cookie"]
    assert "httponly" in response.headers["set-cookie"].lower()


async def test_start_returns_json_when_asked(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/auth/amazon/start", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["auth_url"].startswith(
        gateway.settings.amazon_lwa_authorize_url
    )


async def test_start_rejects_foreign_redirect(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/auth/amazon/start", params={"redirect": "https://evil.example/"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "redirect"


async def test_callback_with_wrong_state_redirects_with_error(gateway: Gateway) -> None:
    await gateway.client.get("/auth/amazon/start")
    response = await gateway.client.get(
        "/api/auth/amazon/callback", params={"code": "c", "state": "not-the-state"}
    )
    assert response.status_code == 302
    assert "error=invalid_state" in response.headers["location"]
    assert response.headers["location"].startswith(gateway.settings.frontend_url)


async def test_callback_with_denied_consent(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/api/auth/amazon/callback", params={"error": "access_denied", "state": "s"}
    )
    assert "error=access_denied" in response.headers["location"]


async def test_connect_amazon_needs_session(gateway: Gateway) -> None:
    response = await gateway.client.get("/api/v1/integrations/connect-amazon")
    assert response.status_code == 401


async def test_connect_amazon_url_carries_signed_state(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    response = await gateway.client.get(
        "/api/v1/integrations/connect-amazon",
        headers={"Authorization": f"Bearer {token}"},
    )
    url = response.json()["data"]["auth_url"]
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/apps/authorize/consent"
    assert query["application_id"] == [gateway.settings.amazon_application_id]
    assert gateway.state.tokens.open_state(query["state"][0])["sub"] == user_id


async def test_sign_in_is_rate_limited(gateway: Gateway) -> None:
    limit = gateway.settings.login_rate_limit_per_minute
    for _ in range(limit):
        assert (await gateway.client.get("/auth/amazon/start")).status_code == 302
    response = await gateway.client.get("/auth/amazon/start")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["retry-after"]) >= 1


def test_sliding_window_frees_after_window() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.hit("a") == 0
    assert limiter.hit("a") == 0
    assert limiter.hit("a") == 60.0
    assert limiter.hit("b") == 0
    now[0] = 60.0
    assert limiter.hit("a") == 0


async def test_start_rejects_redirect_with_query(gateway: Gateway) -> None:
    for value in ("/dashboard?next=https://evil.example", "/dashboard%23frag", "/x#y"):
        response = await gateway.client.get(
            "/auth/amazon/start", params={"redirect": value}
        )
        assert response.status_code == 422, value


async def test_consent_callback_rejects_malformed_seller(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    state = gateway.state.tokens.sign_state(
        {"sub": user_id, "purpose": "amazon_connect", "nonce": "n"}, ttl_seconds=60
    )
    response = await gateway.client.get(
        "/api/v1/integrations/amazon/callback",
        params={
            "spapi_oauth_code": "c",
            "state": state,
            "selling_partner_id": "<script>",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 302
    assert "error=invalid_seller" in response.headers["location"]
