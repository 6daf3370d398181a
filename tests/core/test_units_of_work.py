"""Units of work: a reading one on SQLite waits for no writer; brief ones on SQLite run in the event loop's
thread and never stop it to wait for a lock; on PostgreSQL, brief reads and single statements run without
BEGIN and COMMIT."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from core import sqlite_inline, updates
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


async def test_a_brief_writer_waits_for_a_long_one_without_stopping_the_event_loop(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(tick())
    async with db.unit_of_work() as long:  # on aiosqlite's thread, as a job's or an import's
        assert await updates.claim(long, update_id=1, now=NOW)

        async def brief_write() -> None:
            async with db.unit_of_work(brief=True) as brief:
                assert await updates.claim(brief, update_id=2, now=NOW)

        brief = asyncio.create_task(brief_write())
        await asyncio.sleep(0.3)
        assert not brief.done(), "the brief writer waits for the lock"
        assert ticks >= 10, "while the loop goes on serving others"
    await asyncio.wait_for(brief, 10)
    ticking.cancel()
    async with db.unit_of_work(read_only=True, brief=True) as reader:
        assert list(await reader.scalars(select(updates.ProcessedUpdate.update_id))) == [1, 2]


async def test_brief_writers_take_turns_in_order_of_arrival(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock (PostgreSQL's writers of different rows go on side by side)")
    order: list[int] = []

    async def write(update_id: int) -> None:
        async with db.unit_of_work(brief=True) as session:
            await updates.claim(session, update_id=update_id, now=NOW)
            await asyncio.sleep(0)  # another writer's task runs meanwhile, and must wait
            order.append(update_id)

    await asyncio.wait_for(asyncio.gather(*(write(update_id) for update_id in range(1, 9))), 30)
    assert order == list(range(1, 9))


async def test_a_brief_writer_waits_for_no_other_before_its_first_statement(db: Database) -> None:
    async with db.unit_of_work(brief=True) as idle:  # a handler that calls Telegram first, say
        async with asyncio.timeout(5), db.unit_of_work(brief=True) as other:
            assert await updates.claim(other, update_id=2, now=NOW)
        assert await updates.claim(idle, update_id=1, now=NOW)
    async with db.unit_of_work(read_only=True) as reader:
        assert sorted(await reader.scalars(select(updates.ProcessedUpdate.update_id))) == [1, 2]


async def test_a_brief_writer_whose_connection_dies_gives_back_its_turn(db: Database) -> None:
    with pytest.raises(DBAPIError):
        async with db.unit_of_work(brief=True) as session:
            assert await updates.claim(session, update_id=1, now=NOW)
            connection = await session.connection()
            await connection.run_sync(lambda sync: cast(Any, sync.connection.dbapi_connection).close())
            await updates.claim(session, update_id=2, now=NOW)
    async with asyncio.timeout(5), db.unit_of_work(brief=True) as session:
        assert await updates.claim(session, update_id=3, now=NOW)
    async with db.unit_of_work(read_only=True) as reader:
        assert list(await reader.scalars(select(updates.ProcessedUpdate.update_id))) == [3]


async def test_a_turn_taken_again_by_its_own_holder_fails_after_the_busy_timeout() -> None:
    turns = sqlite_inline.WriterTurns(busy_timeout=0.2)
    outer, inner = turns.turn(), turns.turn()
    await outer.take()
    with pytest.raises(OperationalError, match="database is locked"):
        await inner.take()
    outer.give_back()
    async with asyncio.timeout(1):
        await inner.take()
    inner.give_back()


async def test_an_inline_begin_waits_for_another_process_s_writer_and_gives_up_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "lock.db")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE t (x INTEGER)")
    inline = await sqlite_inline.connect(path)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        await inline.begin(immediate=True, busy_timeout=0.2)
    asyncio.get_running_loop().call_later(0.1, other.commit)
    async with asyncio.timeout(5):
        await inline.begin(immediate=True, busy_timeout=5)
    await inline.execute_fetchall("INSERT INTO t VALUES (1)")
    await inline.commit()
    await inline.close()
    assert other.execute("SELECT x FROM t").fetchall() == [(1,)]
    other.close()


async def test_on_postgresql_only_brief_reads_and_single_statements_run_without_a_transaction(
    db: Database,
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's statements cost no round trip: every unit of work is a transaction there")
    transaction = text("SELECT txid_current()")

    async def transactions(**kinds: bool) -> int:
        async with db.unit_of_work(**kinds) as session:
            return len({await session.scalar(transaction), await session.scalar(transaction)})

    assert await transactions(brief=True, read_only=True) == 2
    assert await transactions(brief=True, alone=True) == 2
    assert await transactions(brief=True) == 1
    assert await transactions(read_only=True) == 1  # a long read keeps its transaction (server-side cursors)
