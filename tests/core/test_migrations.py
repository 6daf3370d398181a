"""The same migrations build the schema on SQLite and PostgreSQL, down and up again, matching the models."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url

from bot.db import downgrade, metadata, migrate
from core.db import create_engine, normalize_url


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """Give an empty database of the same kind as the test database."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if not configured or not normalize_url(configured).startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
        return
    base = make_url(normalize_url(configured))
    name = f"{base.database}_migrations"
    server = base.set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
