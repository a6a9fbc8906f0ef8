"""Alembic environment: migrate a passed connection, or the settings' database."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    from store.db import create_engine

    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from core.settings import load_settings

    return load_settings().database_url


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (passed := config.attributes.get("connection")) is not None:
    _run(passed)
else:
    asyncio.run(_run_with_url(_url()))
