"""Units of work: a reading one on SQLite waits for no writer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core import updates
from core.db import Database

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def test_a_reading_unit_of_work_reads_beside_a_writer(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    async with db.unit_of_work() as writer:
        assert await updates.claim(writer, update_id=1, now=NOW)
        # The writer holds the write lock until it commits; a reader sees what was committed before.
        async with asyncio.timeout(10), db.unit_of_work(read_only=True) as reader:
            seen = list(await reader.scalars(select(updates.ProcessedUpdate.update_id)))
        assert seen == []
    async with db.unit_of_work(read_only=True) as reader:
        assert list(await reader.scalars(select(updates.ProcessedUpdate.update_id))) == [1]


async def test_a_writing_unit_of_work_holds_sqlite_s_write_lock_from_its_first_statement(
    db: Database,
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")

    async def write_next() -> None:
        async with db.unit_of_work() as other:
            await updates.claim(other, update_id=2, now=NOW)

    async with db.unit_of_work() as first:
        # Only a read so far, yet the lock is taken: a write after another writer's commit cannot fail.
        assert list(await first.scalars(select(updates.ProcessedUpdate.update_id))) == []
        second = asyncio.create_task(write_next())
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(second), 0.3)
        assert await updates.claim(first, update_id=1, now=NOW)
    await asyncio.wait_for(second, 10)
    async with db.unit_of_work(read_only=True) as reader:
        assert list(await reader.scalars(select(updates.ProcessedUpdate.update_id))) == [1, 2]
