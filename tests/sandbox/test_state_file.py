"""Refresh tokens kept in a state file survive a sandbox restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.amazon.errors import LwaError
from sandbox.amazon.tokens import SellerGrant, TokenStore


def clock() -> datetime:
    return datetime(2026, 11, 1, tzinfo=UTC)


def grant_refresh_token(store: TokenStore) -> str:
    code = store.issue_code(
        "client", "http://127.0.0.1/cb", SellerGrant("A1SELLER", "app"), None
    )
    grant = store.redeem_code(code, "client", "http://127.0.0.1/cb", None)
    assert grant.refresh_token is not None
    return grant.refresh_token.token


def test_refresh_token_survives_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.json")
    token = grant_refresh_token(TokenStore(clock, path))
    restarted = TokenStore(clock, path)
    grant = restarted.refresh(token, "client")
    assert grant.access_token.subject == SellerGrant("A1SELLER", "app")


def test_revocation_survives_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "tokens.json")
    store = TokenStore(clock, path)
    token = grant_refresh_token(store)
    assert store.revoke_seller("A1SELLER") == 1
    with pytest.raises(LwaError):
        TokenStore(clock, path).refresh(token, "client")


def test_memory_store_forgets_on_restart() -> None:
    token = grant_refresh_token(TokenStore(clock))
    with pytest.raises(LwaError):
        TokenStore(clock).refresh(token, "client")
