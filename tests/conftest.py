"""Shared fixtures: settings, SQLite and PostgreSQL databases, the exit guard."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.settings import Settings
from store.db import create_engine
from store.migrate import upgrade_to_head

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get(
    "CLARIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

_exit_status: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave with pytest's status before interpreter teardown.

    The Temporal SDK's native runtime can abort the interpreter at exit after every
    test passed (temporalio/sdk-python#300); exiting here keeps the status honest.
    """
    if _exit_status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: its own database file and data folder, no .env file."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'clario.db'}",
        "data_dir": tmp_path / "data",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


async def _postgres_problem() -> str | None:
    engine = create_async_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    finally:
        await engine.dispose()
    return None


async def _admin(statement: str) -> None:
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end.

    Skips when the server is unreachable, except under CI=true, where it fails.
    """
    problem = asyncio.run(_postgres_problem())
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"PostgreSQL at {POSTGRES_URL} is required under CI=true: {problem}"
            )
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable: {problem}")
    name = f"clario_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _migrate_fresh(url: str) -> None:
    engine = create_engine(url)
    try:
        if engine.url.get_backend_name() == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_server_url")
    asyncio.run(_migrate_fresh(url))
    return url


@pytest.fixture
def samples_dir() -> Path:
    folder = SHARED / "data" / "amazon" / "samples"
    if not folder.is_dir():
        pytest.skip(f"the sample report folder {folder} is absent")
    return folder
