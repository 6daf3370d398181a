"""Alembic environment: runs migrations through the async engine, batch mode on SQLite."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.db import lock_migrations, metadata
from core.db import create_engine


def _run(connection: Connection) -> None:
    # Every step in one transaction, begun before Alembic sees the connection (it then leaves the transaction
    # to us). Alembic would commit after each step on SQLite, whose DDL it deems not transactional: a second
    # instance migrating at the same moment would get the write lock between two steps and run every step
    # it had read as missing, again ("table ... already exists").
    with connection.begin():
        lock_migrations(connection)
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


async def _main() -> None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_main())
