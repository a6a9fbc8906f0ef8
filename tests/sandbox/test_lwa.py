"""Login with Amazon: authorize page, token endpoint and profile."""

import base64
import json

import httpx
import pytest

from sandbox.amazon.config import AmazonSandboxConfig

from .helpers import (
    CONSENT_REDIRECT,
    LOGIN_REDIRECT,
    FakeClock,
    authorize_params,
    code_grant,
    hidden_field,
    login_code,
    new_verifier,
    query_of,
    refresh_grant,
    seller_tokens,
)

REVOKED_DESCRIPTION = (
    "The request has an invalid grant parameter : refresh_token. "
    "User may have revoked or didn't grant the permission."
)
BAD_CODE_DESCRIPTION = "The request has an invalid grant parameter : code"


async def test_authorize_shows_prefilled_sign_in(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/ap/oa", params=authorize_params(config, new_verifier()))
    assert page.status_code == 200
    assert "demo.seller@example.com" in page.text
    assert "Demo Seller" in page.text
    assert f"action='{config.base_url}/ap/oa/approve'" in page.text


async def test_pkce_login_returns_tokens(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    verifier = new_verifier()
    code = await login_code(client, config, verifier)
    response = await client.post(
        "/auth/o2/token",
        data=code_grant(config, code, LOGIN_REDIRECT, code_verifier=verifier),
    )
    body = response.json()
    assert response.status_code == 200
    assert body["access_token"].startswith("Atza|")
    assert body["refresh_token"].startswith("Atzr|")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600


async def test_approve_redirect_carries_state_and_code(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/ap/oa", params=authorize_params(config, new_verifier()))
    approve = await client.post(
        "/ap/oa/approve",
        data={
            "request_id": hidden_field(page.text, "request_id"),
            "email": "someone@example.com",
            "name": "Some One",
            "decision": "allow",
        },
    )
    query = query_of(approve)
    assert approve.headers["location"].startswith(LOGIN_REDIRECT + "?")
    assert query["state"] == "login-state-1"
    assert query["code"]
    assert query["scope"] == "profile"


async def test_wrong_verifier_is_invalid_grant(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    code = await login_code(client, config, new_verifier())
    response = await client.post(
        "/auth/o2/token",
        data=code_grant(config, code, LOGIN_REDIRECT, code_verifier=new_verifier()),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_missing_verifier_is_invalid_request(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    code = await login_code(client, config, new_verifier())
    response = await client.post(
        "/auth/o2/token", data=code_grant(config, code, LOGIN_REDIRECT)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_code_works_once(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    verifier = new_verifier()
    code = await login_code(client, config, verifier)
    form = code_grant(config, code, LOGIN_REDIRECT, code_verifier=verifier)
    first = await client.post("/auth/o2/token", data=form)
    second = await client.post("/auth/o2/token", data=form)
    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json() == {
        "error_description": BAD_CODE_DESCRIPTION,
        "error": "invalid_grant",
    }


async def test_code_expires_after_five_minutes(
    client: httpx.AsyncClient, config: AmazonSandboxConfig, clock: FakeClock
) -> None:
    verifier = new_verifier()
    code = await login_code(client, config, verifier)
    clock.advance(301)
    response = await client.post(
        "/auth/o2/token",
        data=code_grant(config, code, LOGIN_REDIRECT, code_verifier=verifier),
    )
    assert response.status_code == 400
    assert response.json()["error_description"] == BAD_CODE_DESCRIPTION


async def test_code_with_other_redirect_uri_is_rejected(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    verifier = new_verifier()
    code = await login_code(client, config, verifier)
    response = await client.post(
        "/auth/o2/token",
        data=code_grant(config, code, CONSENT_REDIRECT, code_verifier=verifier),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_refresh_grant_returns_access_token_only(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    refresh, _ = await seller_tokens(client, config)
    response = await client.post("/auth/o2/token", data=refresh_grant(config, refresh))
    body = response.json()
    assert response.status_code == 200
    assert body["access_token"].startswith("Atza|")
    assert "refresh_token" not in body
    assert body["expires_in"] == 3600


async def test_revoked_refresh_token_is_invalid_grant(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    refresh, _ = await seller_tokens(client, config)
    revoked = await client.post(
        "/_sandbox/revoke", json={"selling_partner_id": "A1CLARIODEMO01"}
    )
    response = await client.post("/auth/o2/token", data=refresh_grant(config, refresh))
    assert revoked.json() == {"revoked": 1}
    assert response.status_code == 400
    assert response.json() == {
        "error_description": REVOKED_DESCRIPTION,
        "error": "invalid_grant",
    }


async def test_revoke_by_refresh_token(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    refresh, _ = await seller_tokens(client, config)
    await client.post("/_sandbox/revoke", json={"refresh_token": refresh})
    response = await client.post("/auth/o2/token", data=refresh_grant(config, refresh))
    assert response.json()["error_description"] == REVOKED_DESCRIPTION


async def test_revoke_needs_exactly_one_target(client: httpx.AsyncClient) -> None:
    response = await client.post("/_sandbox/revoke", json={})
    assert response.status_code == 422


async def test_unknown_refresh_token_is_invalid_grant(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    response = await client.post(
        "/auth/o2/token", data=refresh_grant(config, "Atzr|unknown")
    )
    assert response.status_code == 400
    assert response.json()["error_description"] == REVOKED_DESCRIPTION


async def test_json_body_is_invalid_request(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    response = await client.post(
        "/auth/o2/token", json=refresh_grant(config, "Atzr|anything")
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_wrong_client_secret_is_invalid_client(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    form = {**refresh_grant(config, "Atzr|x"), "client_secret": "wrong"}
    response = await client.post("/auth/o2/token", data=form)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_basic_client_authentication_is_accepted(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    refresh, _ = await seller_tokens(client, config)
    pair = f"{config.client_id}:{config.client_secret}".encode()
    response = await client.post(
        "/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    assert response.status_code == 200


async def test_unsupported_grant_type(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    form = {**refresh_grant(config, "x"), "grant_type": "client_credentials"}
    response = await client.post("/auth/o2/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    "missing",
    ["grant_type", "client_id", "client_secret", "refresh_token"],
    ids=["grant-type", "client-id", "client-secret", "refresh-token"],
)
async def test_missing_parameter_is_invalid_request(
    client: httpx.AsyncClient, config: AmazonSandboxConfig, missing: str
) -> None:
    form = refresh_grant(config, "Atzr|x")
    del form[missing]
    response = await client.post("/auth/o2/token", data=form)
    assert response.status_code == 400
    assert response.json() == {
        "error_description": f"The request is missing a required parameter : {missing}",
        "error": "invalid_request",
    }


async def test_unknown_client_id_shows_error_page(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    params = {**authorize_params(config, new_verifier()), "client_id": "other"}
    response = await client.get("/ap/oa", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_unregistered_redirect_uri_shows_error_page(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    params = {
        **authorize_params(config, new_verifier()),
        "redirect_uri": "http://127.0.0.1:9999/evil",
    }
    response = await client.get("/ap/oa", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "not registered" in response.text


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"state": None}, "invalid_request"),
        ({"scope": "postal_code"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
    ids=[
        "plain-pkce",
        "no-method",
        "no-challenge",
        "bad-challenge",
        "no-state",
        "no-profile-scope",
        "token-response",
    ],
)
async def test_bad_authorize_parameter_redirects_with_error(
    client: httpx.AsyncClient,
    config: AmazonSandboxConfig,
    change: dict[str, str | None],
    error: str,
) -> None:
    params = {**authorize_params(config, new_verifier()), **change}
    sent = {key: value for key, value in params.items() if value is not None}
    response = await client.get("/ap/oa", params=sent)
    query = query_of(response)
    assert response.status_code == 302
    assert response.headers["location"].startswith(LOGIN_REDIRECT)
    assert query["error"] == error
    assert query["error_description"]
    assert query.get("state") == sent.get("state")


async def test_cancel_redirects_with_access_denied(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/ap/oa", params=authorize_params(config, new_verifier()))
    response = await client.post(
        "/ap/oa/approve",
        data={
            "request_id": hidden_field(page.text, "request_id"),
            "decision": "cancel",
        },
    )
    query = query_of(response)
    assert response.status_code == 302
    assert query["error"] == "access_denied"
    assert query["state"] == "login-state-1"
    assert "code" not in query


async def test_approve_rejects_invalid_email(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/ap/oa", params=authorize_params(config, new_verifier()))
    response = await client.post(
        "/ap/oa/approve",
        data={
            "request_id": hidden_field(page.text, "request_id"),
            "email": "not-an-email",
            "name": "X",
            "decision": "allow",
        },
    )
    assert response.status_code == 400
    assert "valid email" in response.text


async def test_approve_twice_is_rejected(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    page = await client.get("/ap/oa", params=authorize_params(config, new_verifier()))
    form = {
        "request_id": hidden_field(page.text, "request_id"),
        "email": "a@example.com",
        "name": "A",
    }
    first = await client.post("/ap/oa/approve", data=form)
    second = await client.post("/ap/oa/approve", data=form)
    assert first.status_code == 302
    assert second.status_code == 400


async def test_profile_returns_stable_user(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    ids = []
    for _ in range(2):
        verifier = new_verifier()
        code = await login_code(client, config, verifier, email="Jane@Example.com")
        tokens = await client.post(
            "/auth/o2/token",
            data=code_grant(config, code, LOGIN_REDIRECT, code_verifier=verifier),
        )
        profile = await client.get(
            "/user/profile",
            headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
        )
        ids.append(profile.json()["user_id"])
        assert profile.json()["email"] == "Jane@Example.com"
        assert profile.json()["name"] == "Demo Seller"
    assert ids[0] == ids[1]
    assert ids[0].startswith("amzn1.account.")


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer Atza|unknown", "Basic abc"],
    ids=["missing", "unknown", "wrong-scheme"],
)
async def test_profile_rejects_bad_token(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/user/profile", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


async def test_profile_rejects_expired_token(
    client: httpx.AsyncClient, config: AmazonSandboxConfig, clock: FakeClock
) -> None:
    verifier = new_verifier()
    code = await login_code(client, config, verifier)
    tokens = await client.post(
        "/auth/o2/token",
        data=code_grant(config, code, LOGIN_REDIRECT, code_verifier=verifier),
    )
    clock.advance(3601)
    response = await client.get(
        "/user/profile",
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
    )
    assert response.status_code == 401


async def test_profile_rejects_spapi_token(
    client: httpx.AsyncClient, access_token: str
) -> None:
    response = await client.get(
        "/user/profile", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


async def test_token_responses_carry_request_id(
    client: httpx.AsyncClient, config: AmazonSandboxConfig
) -> None:
    response = await client.post(
        "/auth/o2/token", content=json.dumps({}), headers={"Content-Type": "text/plain"}
    )
    assert response.headers["x-amzn-RequestId"]
