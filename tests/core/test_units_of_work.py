"""Units of work: a reading one on SQLite waits for no writer; writers take turns."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from core import db as core_db
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


async def test_writers_take_turns_and_every_one_commits(db: Database) -> None:
    async def write(update_id: int) -> None:
        async with db.unit_of_work() as session:
            assert await updates.claim(session, update_id=update_id, now=NOW)
            await asyncio.sleep(0)  # others come in meanwhile and wait for their turn

    await asyncio.gather(*(write(update_id) for update_id in range(100, 150)))

    async with db.unit_of_work(read_only=True) as reader:
        stored = set(await reader.scalars(select(updates.ProcessedUpdate.update_id)))
    assert stored == set(range(100, 150))


async def test_a_unit_of_work_inside_another_of_the_same_task_goes_on(db: Database) -> None:
    async with asyncio.timeout(10), db.unit_of_work() as outer:
        async with db.unit_of_work() as inner:
            assert await updates.claim(inner, update_id=7, now=NOW)
        assert await updates.claim(outer, update_id=8, now=NOW)

    async with db.unit_of_work(read_only=True) as reader:
        assert set(await reader.scalars(select(updates.ProcessedUpdate.update_id))) == {7, 8}


async def test_a_writer_that_waits_too_long_fails_instead_of_hanging(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the turns of SQLite's writers")
    monkeypatch.setattr(core_db, "BUSY_TIMEOUT_SECONDS", 0.2)

    async def child() -> None:
        async with db.unit_of_work() as session:
            await updates.claim(session, update_id=9, now=NOW)

    async with db.unit_of_work() as parent:
        await updates.claim(parent, update_id=10, now=NOW)
        with pytest.raises(OperationalError, match="database is locked"):
            await asyncio.create_task(child())
