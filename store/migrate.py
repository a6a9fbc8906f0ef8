"""Run the Alembic migrations from code (tests, `make run`, the worker's start-up)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

_ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "store" / "migrations"))
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every migration that the database does not have yet."""
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        await connection.run_sync(run)


def main() -> None:
    """Entry point of `python -m store.migrate`: upgrade the configured database."""
    import asyncio

    from core.settings import load_settings
    from store.db import create_engine

    url = os.environ.get("CLARIO_DATABASE_URL") or load_settings().database_url

    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"database is at the latest migration: {engine_label(url)}")


def engine_label(url: str) -> str:
    """Return the URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
