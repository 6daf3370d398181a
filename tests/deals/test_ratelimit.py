"""The shared broadcast rate limit: one budget for every instance, by PostgreSQL's clock.

The takes below reserve far ahead of real time (each answer says when its tokens may go), so the tests
check the schedule the bucket hands out, by the database's clock, without waiting for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Interval, literal, select, update

from core.db import Database
from deals import ratelimit

NO_POSTGRES = "NOT TESTED ON SQLITE: the shared rate limit is PostgreSQL's (one process needs none)"
CAPACITY = 3.0
PER_SECOND = 30.0
TAKES = 60


@pytest.fixture
async def other(db: Database, database_url: str) -> AsyncIterator[Database]:
    """Give a second engine on the same database, as a second instance has."""
    if not database_url.startswith("postgresql"):
        pytest.skip(NO_POSTGRES)
    second = Database.from_url(database_url)
    yield second
    await second.dispose()


async def _take(db: Database, count: int = 3, name: str = ratelimit.OVERALL) -> ratelimit.Grant:
    async with db.unit_of_work() as session:
        return await ratelimit.take(session, name=name, count=count, capacity=CAPACITY, per_second=PER_SECOND)


async def _taker(db: Database, who: str) -> list[tuple[datetime, int, str]]:
    grants = []
    for _ in range(TAKES):
        grant = await _take(db)
        grants.append((grant.ready_at, 3, who))
    return grants


async def test_two_instances_together_never_get_more_than_the_rate_in_any_window(
    db: Database, other: Database
) -> None:
    for engine in (db, other):  # both connected before the race
        async with engine.unit_of_work() as session:
            await session.execute(select(1))
    first, second = await asyncio.gather(_taker(db, "one"), _taker(other, "two"))
    schedule = sorted(first + second)

    assert {who for _, _, who in schedule[: TAKES // 2]} == {"one", "two"}, "the instances take turns"
    for start, (opened, _, _) in enumerate(schedule):
        taken = 0
        for closed, count, _ in schedule[start:]:
            taken += count
            window = (closed - opened).total_seconds()
            assert taken <= CAPACITY + PER_SECOND * window + 1e-3, (opened, closed, taken)
    total = sum(count for _, count, _ in schedule)
    span = (schedule[-1][0] - schedule[0][0]).total_seconds()
    needed = (total - CAPACITY) / PER_SECOND
    assert needed - 1e-3 <= span <= needed + 0.2, "the budget is used up, not left over"


async def test_a_full_bucket_lets_its_capacity_go_at_once_and_then_paces(
    db: Database, other: Database
) -> None:
    burst = await _take(db, 3)
    next_one = await _take(other, 1)

    assert burst.wait == 0 and burst.paused_for == 0
    assert (next_one.ready_at - burst.ready_at).total_seconds() >= 1 / PER_SECOND - 1e-6


async def test_an_idle_bucket_holds_no_more_than_its_capacity(db: Database, other: Database) -> None:
    await _take(db, 3)
    async with db.unit_of_work() as session:  # an hour without messages
        await session.execute(
            update(ratelimit.RateBucket).values(
                refilled_at=ratelimit.RateBucket.refilled_at - literal(timedelta(hours=1), Interval())
            )
        )

    burst = await _take(db, 3)
    after = await _take(other, 3)

    assert burst.wait == 0
    assert (after.ready_at - burst.ready_at).total_seconds() >= 3 / PER_SECOND - 1e-6


async def test_a_pause_on_one_instance_holds_back_the_other(db: Database, other: Database) -> None:
    before = await _take(other, 3)
    async with db.unit_of_work() as session:
        await ratelimit.pause(session, name=ratelimit.OVERALL, seconds=5)

    held = await _take(other, 3)

    assert before.paused_for == 0
    assert 4 < held.paused_for <= 5
    assert held.wait >= held.paused_for + 3 / PER_SECOND - 1e-3, "no burst when the pause ends"
    assert (held.ready_at - before.ready_at).total_seconds() > 5 - 1e-3


async def test_a_group_has_a_bucket_of_its_own(db: Database, other: Database) -> None:
    for _ in range(4):
        await _take(db, 3)
    overall = await _take(db, 3)  # a tenth of a second's worth, four tenths ahead

    group = await _take(other, 1, name=ratelimit.group(-100_200))

    assert overall.wait > 0 and group.wait == 0


async def test_a_take_stays_within_the_capacity(db: Database, other: Database) -> None:
    with pytest.raises(ValueError):
        await _take(db, 4)
