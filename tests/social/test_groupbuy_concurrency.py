"""200 members join a group buy at the same moment for 10 units: exactly 10 units are held, the stock never
goes below zero, and everyone else is told it is sold out and waits in line."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select

from catalog.models import Store, Variant
from core import chats, users
from core.clock import Clock
from core.db import Database
from orders import carts
from orders.models import Reservation
from social import groupbuys
from social.errors import Refused
from tests.orders.conftest import set_stock, stock_of
from tests.social.test_groupbuys import Wish

RACERS = tuple(range(30_001, 30_201))
UNITS = 10
GROUP = -3001


@pytest.mark.parametrize(("max_units", "stock"), [(None, UNITS), (UNITS, 1000)], ids=["stock", "allocation"])
async def test_simultaneous_joins_hold_exactly_what_there_is(
    db: Database, demo_catalog: Database, clock: Clock, max_units: int | None, stock: int
) -> None:
    now = clock.now()
    async with db.unit_of_work() as session:
        await chats.touch(session, chat=chats.ChatInfo(id=GROUP, type="supergroup", title="Haus"), now=now)
        for user_id in RACERS:
            await users.touch(session, person=users.Person(id=user_id, first_name=f"P{user_id}"), now=now)
            await chats.set_membership(session, chat_id=GROUP, user_id=user_id, status="member", now=now)
        warehouse = await session.scalar(select(Store.id).where(Store.is_warehouse.is_(True)))
        variant = await session.scalar(select(Variant).order_by(Variant.id).limit(1))
        assert warehouse is not None and variant is not None
        await set_stock(session, variant_id=variant.id, units={warehouse: stock})
        await groupbuys.set_offer(
            session,
            product_id=variant.product_id,
            tiers=groupbuys.parse_tiers("1:50 5:42 10:35", currency="EUR"),
            min_units=5,
            max_units=max_units,
            by=RACERS[0],
            now=now,
        )
        group_buy = await groupbuys.open(
            session,
            product_id=variant.product_id,
            chat_id=GROUP,
            opened_by=RACERS[0],
            by_retailer=False,
            days=1,
            locale="de",
            now=now,
        )
    told_available: list[int] = []

    async def race(user_id: int) -> str:
        """Join with one unit; when it is sold out, queue on the waiting list instead."""
        one = Wish(
            group_buy_id=group_buy.id,
            user_id=user_id,
            variant_id=variant.id,
            quantity=1,
            locale="de",
            now=now,
        )
        try:
            async with db.unit_of_work() as session:
                await groupbuys.join(session, **one)
            return "joined"
        except Refused as refused:
            if refused.reason_key != "groupbuy-sold-out":
                raise
            told_available.append(refused.args_["available"])
        async with db.unit_of_work() as session:
            await groupbuys.queue(session, **one)
        return "waiting"

    results = await asyncio.gather(*(race(user_id) for user_id in RACERS), return_exceptions=True)

    async with db.unit_of_work() as session:
        joined = await session.scalar(
            select(func.sum(groupbuys.GroupBuyParticipant.quantity)).where(
                groupbuys.GroupBuyParticipant.group_buy_id == group_buy.id,
                groupbuys.GroupBuyParticipant.status == "joined",
            )
        )
        reserved = await session.scalar(
            select(func.sum(Reservation.quantity)).where(Reservation.variant_id == variant.id)
        )
        left_in_stock = await stock_of(session, variant_id=variant.id)
        free = (await carts.available(session, variant_ids=[variant.id], now=now))[variant.id]
        progress = await groupbuys.progress(session, group_buy_id=group_buy.id)
        shares = await groupbuys.shares(session, group_buy_id=group_buy.id)

    assert Counter(results) == {"joined": UNITS, "waiting": len(RACERS) - UNITS}
    assert told_available == [0] * (len(RACERS) - UNITS)
    assert joined == UNITS and reserved == UNITS
    assert left_in_stock == {warehouse: stock} and free == stock - UNITS >= 0
    assert (progress.units, progress.participants, progress.waiting) == (UNITS, UNITS, len(RACERS) - UNITS)
    # Everyone who lost the race has their own place in line.
    assert sorted(share.position for share in shares if share.position is not None) == list(
        range(1, len(RACERS) - UNITS + 1)
    )
