"""Claims race: workers claiming the same outbox at the same moment never get the same recipient."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, insert, select

from core import users
from core.clock import Clock
from core.db import Database
from deals import broadcasts, outbox
from deals.subscriptions import DealRetailer
from tests.deals.test_broadcasts import LOCALES, RETAILER_MEMBER, World, world

__all__ = ["world"]

PEOPLE = 400


async def _broadcast(db: Database, clock: Clock, world: World) -> int:
    now = clock.now()
    async with db.unit_of_work() as session:
        await session.execute(
            insert(users.User),
            [
                {
                    "id": 20_000 + number,
                    "first_name": f"P{number}",
                    "language_code": "de",
                    "time_zone": users.DEFAULT_TIME_ZONE,
                    "consent_personal_deals": True,
                    "consent_broadcasts": False,
                    "blocked_bot": False,
                    "created_at": now,
                    "last_seen_at": now,
                }
                for number in range(PEOPLE)
            ],
        )
        await session.execute(
            insert(DealRetailer),
            [
                {"user_id": 20_000 + n, "retailer_id": world.retailer_id, "chosen_at": now}
                for n in range(PEOPLE)
            ],
        )
        created = await broadcasts.create(
            session,
            retailer_id=world.retailer_id,
            created_by=RETAILER_MEMBER,
            locale="de",
            text="Race",
            segment=broadcasts.Segment(),
            now=now,
            locales=LOCALES,
            default_locale="de",
        )
    return created.id


async def test_workers_racing_for_the_outbox_send_to_everyone_exactly_once(
    db: Database, world: World, clock: Clock
) -> None:
    broadcast_id = await _broadcast(db, clock, world)
    claimed_by: Counter[int] = Counter()

    async def worker(name: str) -> None:
        while True:
            async with db.unit_of_work() as session:
                rows = await outbox.claim(session, worker=name, now=clock.now(), limit=25)
            if not rows:
                return
            for row in rows:
                claimed_by[row.id] += 1
            async with db.unit_of_work() as session:
                marked = await outbox.mark_sent(
                    session, worker=name, ids=[row.id for row in rows], now=clock.now()
                )
            assert marked == len(rows)

    await asyncio.gather(*(worker(f"w{n}") for n in range(6)))

    assert set(claimed_by.values()) == {1}
    async with db.unit_of_work() as session:
        counts = (await outbox.counts(session, broadcast_ids=[broadcast_id]))[broadcast_id]
    assert counts.sent == counts.total == PEOPLE + 2


async def test_a_claim_in_progress_is_skipped_not_waited_for(
    db: Database, world: World, clock: Clock
) -> None:
    """Two claimers at once on PostgreSQL: the second takes other rows at once (``SKIP LOCKED``)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so a second claim waits instead")
    broadcast_id = await _broadcast(db, clock, world)
    async with db.unit_of_work() as first:
        mine = await outbox.claim(first, worker="first", now=clock.now(), limit=50)
        async with db.unit_of_work() as second:
            theirs = await asyncio.wait_for(
                outbox.claim(second, worker="second", now=clock.now(), limit=50), timeout=5
            )
        assert len(mine) == len(theirs) == 50
        assert not {row.id for row in mine} & {row.id for row in theirs}
    async with db.unit_of_work() as session:
        claimed = await session.scalar(
            select(func.count())
            .select_from(outbox.Recipient)
            .where(outbox.Recipient.broadcast_id == broadcast_id, outbox.Recipient.status == outbox.CLAIMED)
        )
    assert claimed == 100
