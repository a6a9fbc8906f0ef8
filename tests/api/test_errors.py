"""The error envelope for bad input, missing sessions and foreign resources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jose import jwt
from temporalio.service import RPCError, RPCStatusCode

from store.models import Recovery, SyncRun
from store.users import add_session
from tests.api.conftest import Gateway


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_envelope(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert body["ok"] is False
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == code
    assert error["message"]
    assert str(error["request_id"]).startswith("req_") or error["request_id"]
    return error


async def test_unknown_route_gives_404_envelope(gateway: Gateway) -> None:
    response = await gateway.client.get("/api/nope")
    assert response.status_code == 404
    error = assert_envelope(response.json(), "not_found")
    assert response.headers["x-request-id"] == error["request_id"]


async def test_request_id_is_echoed(gateway: Gateway) -> None:
    response = await gateway.client.get("/", headers={"X-Request-ID": "client-abc.123"})
    assert response.headers["x-request-id"] == "client-abc.123"


async def test_invalid_request_id_is_replaced(gateway: Gateway) -> None:
    response = await gateway.client.get(
        "/", headers={"X-Request-ID": "bad id with spaces"}
    )
    assert response.headers["x-request-id"].startswith("req_")


async def test_missing_token_gives_401(gateway: Gateway) -> None:
    response = await gateway.client.get("/api/auth/me")
    assert response.status_code == 401
    assert_envelope(response.json(), "unauthenticated")


async def test_expired_token_gives_401(gateway: Gateway) -> None:
    user_id, _ = await gateway.user_token()
    past = datetime.now(UTC) - timedelta(days=30)
    token, _claims = gateway.state.tokens.issue(user_id, now=past)
    response = await gateway.client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401
    assert_envelope(response.json(), "unauthenticated")


async def test_token_signed_with_other_key_gives_401(gateway: Gateway) -> None:
    user_id, _ = await gateway.user_token()
    now = int(datetime.now(UTC).timestamp())
    forged = jwt.encode(
        {
            "sub": user_id,
            "jti": "ses_x",
            "iat": now,
            "exp": now + 600,
            "iss": gateway.settings.session_issuer,
            "aud": gateway.settings.session_audience,
        },
        "another-secret",
        algorithm="HS256",
        headers={"kid": gateway.settings.session_key_id},
    )
    response = await gateway.client.get("/api/auth/me", headers=bearer(forged))
    assert response.status_code == 401


async def test_logout_revokes_token(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    assert (
        await gateway.client.get("/api/auth/me", headers=bearer(token))
    ).status_code == 200
    logout = await gateway.client.post("/api/auth/logout", headers=bearer(token))
    assert logout.status_code == 200
    assert (
        await gateway.client.get("/api/auth/me", headers=bearer(token))
    ).status_code == 401
    again = await gateway.client.post("/api/auth/logout", headers=bearer(token))
    assert again.status_code == 200


async def test_malformed_body_lists_fields(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post(
        "/api/sync/start",
        headers=bearer(token),
        json={"reports": ["GET_NOT_A_REPORT"], "since": "yesterday"},
    )
    assert response.status_code == 422
    error = assert_envelope(response.json(), "validation_error")
    fields = {item["field"] for item in error["details"]}
    assert fields == {"reports", "since"}


async def test_body_that_is_not_json_gives_422(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post(
        "/api/sync/start",
        headers={**bearer(token), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 422
    assert_envelope(response.json(), "validation_error")


async def test_sync_without_amazon_gives_409(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post("/api/sync/start", headers=bearer(token))
    assert response.status_code == 409
    assert_envelope(response.json(), "amazon_not_connected")


async def test_other_users_recovery_gives_404(gateway: Gateway) -> None:
    owner_id, _ = await gateway.user_token("amzn1.account.OWNER")
    _, intruder = await gateway.user_token("amzn1.account.INTRUDER")
    async with gateway.state.sessions() as db:
        db.add(
            Recovery(
                id="rec_owned",
                user_id=owner_id,
                finding_key="k",
                type="lost_inventory",
                currency="USD",
                confidence="high",
                quantity=1,
                reason="lost",
            )
        )
        await db.commit()
    response = await gateway.client.get(
        "/api/recoveries/rec_owned", headers=bearer(intruder)
    )
    assert response.status_code == 404
    assert_envelope(response.json(), "not_found")
    listing = await gateway.client.get("/api/recoveries", headers=bearer(intruder))
    assert listing.json()["data"]["total"] == 0


async def test_cancel_finished_sync_gives_409(gateway: Gateway) -> None:
    user_id, token = await gateway.user_token()
    async with gateway.state.sessions() as db:
        db.add(
            SyncRun(
                id="syn_done",
                user_id=user_id,
                workflow_id=f"sync-{user_id}",
                status="completed",
                completed_at=datetime.now(UTC),
            )
        )
        await db.commit()
    response = await gateway.client.post(
        "/api/sync/cancel?id=syn_done", headers=bearer(token)
    )
    assert response.status_code == 409
    assert_envelope(response.json(), "sync_finished")


async def test_cookie_post_without_origin_is_rejected(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    cookies = {gateway.settings.session_cookie_name: token}
    gateway.client.cookies.update(cookies)
    response = await gateway.client.post("/api/sync/start")
    assert response.status_code == 403
    assert_envelope(response.json(), "csrf_failed")
    allowed = await gateway.client.post(
        "/api/sync/start", headers={"Origin": "https://app.clario.ai"}
    )
    assert allowed.status_code == 409


async def test_unexpected_error_gives_generic_500(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = await gateway.user_token()

    async def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("api.routes.recoveries.list_recoveries", explode)
    response = await gateway.client.get("/api/recoveries", headers=bearer(token))
    assert response.status_code == 500
    error = assert_envelope(response.json(), "internal_error")
    assert "hunter2" not in response.text
    assert error["request_id"] == response.headers["x-request-id"]


async def test_health_degrades_without_temporal(gateway: Gateway) -> None:
    response = await gateway.client.get("/health")
    body = response.json()["data"]
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["temporal"] == "down"


async def test_cors_allows_only_configured_origins(gateway: Gateway) -> None:
    preflight = {"Access-Control-Request-Method": "GET"}
    allowed = await gateway.client.options(
        "/api/auth/me", headers={**preflight, "Origin": "https://app.clario.ai"}
    )
    denied = await gateway.client.options(
        "/api/auth/me", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.clario.ai"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in denied.headers


async def test_services_status_lists_every_dependency(gateway: Gateway) -> None:
    response = await gateway.client.get("/api/services/status")
    services = {s["name"]: s for s in response.json()["data"]["services"]}
    assert response.status_code == 200
    assert set(services) == {
        "database",
        "temporal",
        f"task_queue:{gateway.settings.task_queue_sync}",
        f"task_queue:{gateway.settings.task_queue_detection}",
        "amazon_lwa",
        "amazon_spapi",
    }
    assert services["database"]["status"] == "ok"
    assert services["temporal"]["status"] == "down"
    assert services["temporal"]["last_error"]
    assert services["amazon_lwa"]["circuit"] == "closed"


class _BrokenTemporal:
    """A connected Temporal client whose server has gone away."""

    class service_client:
        @staticmethod
        async def check_health() -> None:
            raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")

    class workflow_service:
        @staticmethod
        async def describe_task_queue(_request: object) -> None:
            raise RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")


async def test_health_survives_lost_temporal(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> object:
        return _BrokenTemporal()

    monkeypatch.setattr(gateway.state.temporal, "get", broken)
    health = await gateway.client.get("/health")
    status = await gateway.client.get("/api/services/status")
    services = {s["name"]: s for s in status.json()["data"]["services"]}
    assert health.status_code == 200
    assert health.json()["data"]["status"] == "degraded"
    assert status.status_code == 200
    assert services["temporal"]["status"] == "down"
    assert "tcp connect error" in services["temporal"]["last_error"]


async def test_huge_offset_gives_422(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    for path in ("/api/recoveries", "/api/sync/activity"):
        response = await gateway.client.get(
            path, params={"offset": "9223372036854775808"}, headers=bearer(token)
        )
        assert response.status_code == 422, path
        assert response.json()["error"]["details"][0]["field"] == "offset"


async def test_oversized_body_gives_413(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    body = (
        b'{"reports": ["'
        + b"A" * (gateway.settings.max_request_body_bytes + 1)
        + b'"]}'
    )
    response = await gateway.client.post(
        "/api/sync/start",
        headers={**bearer(token), "Content-Type": "application/json"},
        content=body,
    )
    assert response.status_code == 413
    assert_envelope(response.json(), "payload_too_large")


async def test_too_many_report_types_gives_422(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post(
        "/api/sync/start", headers=bearer(token), json={"reports": ["X"] * 1000}
    )
    assert response.status_code == 422
    assert len(response.content) < 5000


async def test_token_issued_in_future_gives_401(gateway: Gateway) -> None:
    user_id, _ = await gateway.user_token()
    future = datetime.now(UTC) + timedelta(days=11)
    token, claims = gateway.state.tokens.issue(user_id, now=future)
    async with gateway.state.sessions() as db:
        await add_session(
            db,
            session_id=claims.session_id,
            user_id=user_id,
            expires_at=claims.expires_at,
            user_agent=None,
        )
        await db.commit()
    response = await gateway.client.get("/api/auth/me", headers=bearer(token))
    assert response.status_code == 401


async def test_cookie_logout_needs_origin(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    gateway.client.cookies.update({gateway.settings.session_cookie_name: token})
    response = await gateway.client.post("/api/auth/logout")
    assert response.status_code == 403
    assert_envelope(response.json(), "csrf_failed")


async def test_invalid_json_names_body_field(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.post(
        "/api/sync/start",
        headers={**bearer(token), "Content-Type": "application/json"},
        content=b"{not json",
    )
    error = assert_envelope(response.json(), "validation_error")
    assert [item["field"] for item in error["details"]] == ["body"]
    assert "not valid JSON" in error["message"]


async def test_single_field_error_message_says_why(gateway: Gateway) -> None:
    _, token = await gateway.user_token()
    response = await gateway.client.get(
        "/api/recoveries", params={"limit": 0}, headers=bearer(token)
    )
    error = assert_envelope(response.json(), "validation_error")
    assert error["message"].startswith("Invalid value for limit: ")
    assert "greater than or equal to 1" in error["message"]
