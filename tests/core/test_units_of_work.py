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
