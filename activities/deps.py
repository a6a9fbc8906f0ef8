"""Shared dependencies of the activities: settings, database, storage, clients."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.crypto import SecretBox
from core.settings import Settings
from integrations.amazon.lwa import LwaClient
from integrations.amazon.spapi import SpApiClient
from store.blobs import BlobStore
from store.reportdata import ReportDataStore


@dataclass
class ActivityDeps:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    secrets: SecretBox
    http: httpx.AsyncClient
    lwa: LwaClient
    spapi: SpApiClient
    blobs: BlobStore
    report_data: ReportDataStore
