"""Idempotency-Key records: replay of the same request, rejection of another body."""

from __future__ import annotations

import pytest

from api.errors import ValidationFailed
from api.idempotency import remember, replay_or_none, request_fingerprint
from tests.api.conftest import Gateway

ROUTE = "sync.start"
RESPONSE = {"ok": True, "data": {"id": "syn_1"}}


async def test_same_body_replays_response(gateway: Gateway) -> None:
    user_id, _ = await gateway.user_token()
    fingerprint = request_fingerprint({"reports": ["A"], "since": None})
    reordered = request_fingerprint({"since": None, "reports": ["A"]})
    async with gateway.state.sessions() as db:
        await remember(db, user_id, ROUTE, "k1", 202, RESPONSE, fingerprint)
        replay = await replay_or_none(db, user_id, ROUTE, "k1", reordered)
    assert replay is not None
    assert replay.status_code == 202
    assert replay.body == b'{"ok":true,"data":{"id":"syn_1"}}'
    assert replay.headers["idempotent-replayed"] == "true"


async def test_other_body_is_rejected(gateway: Gateway) -> None:
    user_id, _ = await gateway.user_token()
    first = request_fingerprint({"reports": ["A"]})
    second = request_fingerprint({"reports": ["B"]})
    async with gateway.state.sessions() as db:
        await remember(db, user_id, ROUTE, "k1", 202, RESPONSE, first)
        with pytest.raises(ValidationFailed) as raised:
            await replay_or_none(db, user_id, ROUTE, "k1", second)
    assert raised.value.code == "idempotency_key_reused"
    assert raised.value.details[0]["field"] == "idempotency-key"
    assert "k1" in raised.value.message


async def test_record_without_hash_still_replays(gateway: Gateway) -> None:
    user_id, _ = await gateway.user_token()
    async with gateway.state.sessions() as db:
        await remember(db, user_id, ROUTE, "k1", 202, RESPONSE)
        replay = await replay_or_none(
            db, user_id, ROUTE, "k1", request_fingerprint({"reports": ["B"]})
        )
    assert replay is not None
