"""An in-process gateway on a migrated SQLite database, and signed-in users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.state import AppState
from core.settings import Settings
from store.db import create_engine
from store.migrate import upgrade_to_head
from store.users import add_session, upsert_user_from_amazon
from tests.conftest import make_settings
from tests.support.stack import free_port


@dataclass
class Gateway:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    @property
    def state(self) -> AppState:
        state: AppState = self.app.state.clario
        return state

    async def user_token(
        self, amazon_user_id: str = "amzn1.account.TEST"
    ) -> tuple[str, str]:
        """Create a user with a live session; return (user id, session token)."""
        async with self.state.sessions() as db:
            user = await upsert_user_from_amazon(
                db,
                amazon_user_id=amazon_user_id,
                email=f"{amazon_user_id}@x",
                name="Test",
            )
            token, claims = self.state.tokens.issue(user.id)
            await add_session(
                db,
                session_id=claims.session_id,
                user_id=user.id,
                expires_at=claims.expires_at,
                user_agent="pytest",
            )
            await db.commit()
        return user.id, token


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    # Temporal points at an unused loopback port, so routes that need it must degrade.
    unused = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(
        tmp_path,
        temporal_address=f"127.0.0.1:{free_port()}",
        amazon_lwa_authorize_url=f"{unused}/ap/oa",
        amazon_lwa_token_url=f"{unused}/auth/o2/token",
        amazon_profile_url=f"{unused}/user/profile",
        amazon_seller_central_url=unused,
        amazon_spapi_endpoint=unused,
    )
    engine = create_engine(settings.database_url)
    await upgrade_to_head(engine)
    await engine.dispose()
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            yield Gateway(app, client, settings)
