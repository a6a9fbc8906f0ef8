"""The shared state the gateway builds at start-up for its routes."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.sessions import SessionTokens
from api.temporal import TemporalConnector
from core.crypto import SecretBox
from core.settings import Settings
from integrations.circuit import CircuitRegistry


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tokens: SessionTokens
    secrets: SecretBox
    temporal: TemporalConnector
    http: httpx.AsyncClient
    circuits: CircuitRegistry
