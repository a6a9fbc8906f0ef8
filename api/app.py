"""The FastAPI application factory and its lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.errors import install_error_handlers
from api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from api.routes import (
    auth,
    detections,
    integrations,
    recoveries,
    sync,
    system,
    unit_costs,
)
from api.sessions import SessionTokens
from api.state import AppState
from api.temporal import TemporalConnector
from core.crypto import SecretBox
from core.logging import configure_logging
from core.settings import Settings, load_settings
from integrations.circuit import CircuitRegistry
from store.db import create_engine, session_factory

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, *, configure_logs: bool = True
) -> FastAPI:
    """Build the gateway; uvicorn calls this with `--factory`, not at import."""
    resolved = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging(resolved.log_level, resolved.log_format)
        engine = create_engine(resolved.database_url, echo=resolved.database_echo)
        async with httpx.AsyncClient(
            timeout=resolved.amazon_http_timeout_seconds
        ) as http:
            app.state.clario = AppState(
                settings=resolved,
                engine=engine,
                sessions=session_factory(engine),
                tokens=SessionTokens(resolved),
                secrets=SecretBox(
                    resolved.encryption_key.get_secret_value(),
                    [k.get_secret_value() for k in resolved.encryption_previous_keys],
                ),
                temporal=TemporalConnector(resolved),
                http=http,
                circuits=CircuitRegistry(),
            )
            logger.info("gateway started (%s)", resolved.environment)
            try:
                yield
            finally:
                await engine.dispose()

    app = FastAPI(
        title="Clario orchestrator",
        version=system.VERSION,
        summary="Gateway of the Amazon FBA reimbursement-recovery service.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=resolved.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "X-Request-ID",
        ],
        expose_headers=["X-Request-ID"],
    )
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=resolved.max_request_body_bytes
    )
    app.add_middleware(RequestContextMiddleware)
    for module in (
        system,
        auth,
        integrations,
        sync,
        detections,
        recoveries,
        unit_costs,
    ):
        app.include_router(module.router)
    return app
