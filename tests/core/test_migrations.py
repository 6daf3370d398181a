"""The same migrations build the schema on SQLite and PostgreSQL, down and up again, matching the models."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db import downgrade, metadata, migrate
from core.db import create_engine


async def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    def inspect_schema(connection: Connection) -> tuple[set[str], list[object]]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return set(inspect(connection).get_table_names()), compare_metadata(context, metadata)

    engine = create_engine(url)
    async with engine.connect() as connection:
        result = await connection.run_sync(inspect_schema)
    await engine.dispose()
    return result


@pytest.mark.db
def test_migrations_go_up_down_and_up_and_match_the_models(scratch_url: str) -> None:
    migrate(scratch_url)
    tables, diff = asyncio.run(_tables_and_diff(scratch_url))
    assert {"users", "chats", "memberships", "processed_updates", "scheduled_tasks"} <= tables
    assert diff == [], "the models and the migrations disagree; add a migration"

    downgrade(scratch_url, "base")
    tables, _ = asyncio.run(_tables_and_diff(scratch_url))
    assert tables <= {"alembic_version"}

    migrate(scratch_url)
    tables, diff = asyncio.run(_tables_and_diff(scratch_url))
    assert set(metadata.tables) <= tables and diff == []
