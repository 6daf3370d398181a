"""Rounds of deal messages on the database: opt-in only, each once, within the cap, never in quiet hours."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from catalog import prices
from catalog.models import Product
from core import chats, privacy, users
from core.clock import Clock
from core.db import Database, Session
from deals import deliveries, offers, subscriptions
from deals.deliveries import DealDelivery, Drop, Round
from social import wishlists
from tests.deals.helpers import AYLIN, JONAS, LENA, TOM, category_id, person, products_in, shop, subscriber
from tests.social.conftest import buy

WEEK = timedelta(days=7)
LOCALES = ("de", "en")


async def _plan(db: Database, clock: Clock) -> Round:
    async with db.unit_of_work() as session:
        return await deliveries.plan(session, now=clock.now(), locales=LOCALES, default_locale="de")


async def _sent(db: Database, found: Round) -> None:
    async with db.unit_of_work() as session:
        await deliveries.record(session, sent=[d.id for d in found.deliveries], failed=[], blocked=[])


async def _deal(
    session: Session,
    retailer_id: int,
    product: Product,
    percent: int,
    now: datetime,
    length: timedelta = WEEK,
) -> offers.DealView:
    return await offers.create(
        session,
        retailer_id=retailer_id,
        product_id=product.id,
        percent=percent,
        starts_at=now,
        ends_at=now + length,
        created_by=None,
        now=now,
    )


async def test_only_who_opted_in_and_picked_the_retailer_gets_a_deal_and_only_once(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        shoes = await category_id(session, "women-shoes")
        await subscriber(session, LENA, now, retailer_id=found.retailer_id, categories=(shoes,))
        await person(session, TOM, now, "Tom", "en")  # interested, but never opted in
        await subscriptions.choose_retailer(
            session, user_id=TOM, retailer_id=found.retailer_id, chosen=True, now=now
        )
        await person(session, AYLIN, now, "Aylin")  # opted in, but picked no retailer
        await subscriptions.subscribe(session, user_id=AYLIN, now=now)
        await subscriber(session, JONAS, now, retailer_id=found.other_id)  # another shop only
        sneaker = (await products_in(session, "women-sneakers", retailer_id=found.retailer_id))[0]
        regular = sneaker.price
        deal = await _deal(session, found.retailer_id, sneaker, 20, now)

    first = await _plan(demo_catalog, clock)
    assert [(d.user_id, d.kind, d.chart, d.card.id) for d in first.deliveries] == [
        (LENA, "deal", False, sneaker.id)
    ]
    (delivery,) = first.deliveries
    assert delivery.deal is not None and (delivery.deal.id, delivery.deal.percent) == (deal.id, 20)
    assert delivery.price.amount == offers.deal_price(regular, 20)
    assert delivery.previous_price is not None and delivery.previous_price.amount == regular
    assert (
        delivery.locale == "de" and delivery.subscribed and delivery.deal.category_id == sneaker.category_id
    )
    assert (await _plan(demo_catalog, clock)).deliveries == (), (
        "claimed already: not again, even before it is sent"
    )
    await _sent(demo_catalog, first)
    clock.advance(timedelta(days=2).total_seconds())
    assert (await _plan(demo_catalog, clock)).deliveries == (), "never the same deal twice"


async def test_the_cap_holds_back_the_rest_until_the_day_or_week_is_over(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await subscriber(session, LENA, now, retailer_id=found.retailer_id, cap=1, period="day")
        await subscriber(session, TOM, now, retailer_id=found.retailer_id, cap=1, period="week", name="Tom")
        lamp, candle, vase = [
            (await products_in(session, slug, retailer_id=found.retailer_id))[0]
            for slug in ("lamps", "candles", "vases")
        ]
        bigger, smaller, smallest = [
            await _deal(session, found.retailer_id, product, percent, now, 2 * WEEK)
            for product, percent in ((lamp, 30), (candle, 10), (vase, 5))
        ]

    first = await _plan(demo_catalog, clock)
    assert sorted((d.user_id, d.deal.id if d.deal else 0) for d in first.deliveries) == [
        (LENA, bigger.id),
        (TOM, bigger.id),
    ], "one each, the bigger discount first"
    await _sent(demo_catalog, first)
    clock.advance(3600)
    assert (await _plan(demo_catalog, clock)).deliveries == ()
    clock.advance(timedelta(days=1).total_seconds())
    second = await _plan(demo_catalog, clock)
    assert [(d.user_id, d.deal.id if d.deal else 0) for d in second.deliveries] == [(LENA, smaller.id)]
    await _sent(demo_catalog, second)
    clock.advance(timedelta(days=6).total_seconds())
    third = await _plan(demo_catalog, clock)
    assert sorted((d.user_id, d.deal.id if d.deal else 0) for d in third.deliveries) == [
        (LENA, smallest.id),
        (TOM, smaller.id),
    ]


async def test_quiet_hours_in_the_persons_time_zone_hold_deals_back(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()  # 09:00 UTC: 10:00 in Berlin, 04:00 in New York
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await subscriber(session, LENA, now, retailer_id=found.retailer_id)
        await subscriptions.set_time_zone(session, user_id=LENA, time_zone="America/New_York", now=now)
        await subscriber(session, TOM, now, retailer_id=found.retailer_id, name="Tom")
        lamp = (await products_in(session, "lamps", retailer_id=found.retailer_id))[0]
        await _deal(session, found.retailer_id, lamp, 20, now)
    assert [d.user_id for d in (await _plan(demo_catalog, clock)).deliveries] == [TOM]
    clock.advance(3.5 * 3600)  # 07:30 in New York
    assert (await _plan(demo_catalog, clock)).deliveries == ()
    clock.advance(0.5 * 3600)
    assert [d.user_id for d in (await _plan(demo_catalog, clock)).deliveries] == [LENA]


async def test_two_rounds_at_the_same_moment_send_each_deal_once(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    people = [400 + number for number in range(12)]
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        for user_id in people:
            await subscriber(session, user_id, now, retailer_id=found.retailer_id, cap=5)
        for product in (await products_in(session, "candles", retailer_id=found.retailer_id))[:3]:
            await _deal(session, found.retailer_id, product, 20, now)
    rounds = await asyncio.gather(*(_plan(demo_catalog, clock) for _ in range(3)))
    claimed = [
        (d.user_id, d.deal.id if d.deal else 0) for found_round in rounds for d in found_round.deliveries
    ]
    assert len(claimed) == len(set(claimed)) == 3 * len(people)
    async with demo_catalog.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(DealDelivery)) == 3 * len(people)


async def test_a_round_stops_at_its_limit_and_says_more_is_waiting(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        for user_id in range(500, 505):
            await subscriber(session, user_id, now, retailer_id=found.retailer_id)
        await _deal(
            session,
            found.retailer_id,
            (await products_in(session, "mugs", retailer_id=found.retailer_id))[0],
            20,
            now,
        )
    async with demo_catalog.unit_of_work() as session:
        partial = await deliveries.plan(
            session, now=clock.now(), locales=LOCALES, default_locale="de", limit=3
        )
    assert (len(partial.deliveries), partial.more) == (3, True)
    rest = await _plan(demo_catalog, clock)
    assert (len(rest.deliveries), rest.more) == (2, False)


async def _wish(session: Session, user_id: int, product_id: int, now: datetime) -> None:
    wishlist = await wishlists.personal(session, user_id=user_id, now=now)
    await wishlists.add_item(
        session, wishlist_id=wishlist.id, user_id=user_id, product_id=product_id, now=now
    )


async def _queue_alerts(session: Session, now: datetime) -> int:
    drops = [
        Drop(
            user_id=alert.chat_id,
            product_id=int(alert.args["product_id"]),
            price_change_id=int(alert.args["change_id"]),
            gift=alert.key == wishlists.PRICE_DROP_GIFT,
        )
        for alert in await wishlists.alerts_due(session, now=now)
        if alert.key in {wishlists.PRICE_DROP, wishlists.PRICE_DROP_GIFT}
    ]
    return await deliveries.queue_drops(session, drops=drops, now=now)


async def test_a_price_drop_on_a_wish_is_one_message_with_its_history_whichever_way_it_comes(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await subscriber(session, LENA, now, retailer_id=found.retailer_id)
        await person(session, TOM, now, "Tom", "en")  # no subscriber: wished, so he hears of the drop
        sneaker, boot = (await products_in(session, "women-boots", retailer_id=found.retailer_id))[:2]
        for user_id in (LENA, TOM):
            await _wish(session, user_id, sneaker.id, now)
        await _wish(session, TOM, boot.id, now)
        regular = sneaker.price
        deal = await _deal(session, found.retailer_id, sneaker, 20, now)

    # The round finds Lena's deal first; it is on her wishlist, so it shows the price history.
    first = await _plan(demo_catalog, clock)
    assert [(d.user_id, d.kind, d.chart) for d in first.deliveries] == [(LENA, "deal", True)]
    assert first.deliveries[0].history[-1].price == offers.deal_price(regular, 20)
    async with demo_catalog.unit_of_work() as session:
        assert await _queue_alerts(session, clock.now()) == 1, (
            "Lena's alert is that same deal: not queued again"
        )
    second = await _plan(demo_catalog, clock)
    assert [(d.user_id, d.kind, d.chart, d.locale) for d in second.deliveries] == [(TOM, "drop", True, "en")]
    assert second.deliveries[0].deal is not None and second.deliveries[0].deal.id == deal.id
    assert not second.deliveries[0].subscribed

    # A drop without a deal has the price change's prices; one whose price went up again is dropped.
    async with demo_catalog.unit_of_work() as session:
        cheaper = (boot.price * Decimal("0.9")).quantize(Decimal("0.01"))
        await prices.set_price(
            session, product_id=boot.id, price=cheaper, compare_at_price=None, now=clock.now()
        )
        assert await _queue_alerts(session, clock.now()) == 1
    drop = (await _plan(demo_catalog, clock)).deliveries
    assert [
        (d.user_id, d.price.amount, d.previous_price.amount if d.previous_price else 0) for d in drop
    ] == [(TOM, cheaper, boot.price)]
    assert drop[0].deal is None
    async with demo_catalog.unit_of_work() as session:
        await prices.set_price(
            session, product_id=boot.id, price=cheaper - 1, compare_at_price=None, now=clock.now()
        )
        assert await _queue_alerts(session, clock.now()) == 1
        await prices.set_price(
            session, product_id=boot.id, price=boot.price, compare_at_price=None, now=clock.now()
        )
    assert (await _plan(demo_catalog, clock)).deliveries == ()
    async with demo_catalog.unit_of_work() as session:
        statuses = await session.scalars(select(DealDelivery.status).order_by(DealDelivery.id))
        assert list(statuses)[-1] == "dropped"


async def test_a_queued_drop_waits_for_the_end_of_quiet_hours(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await person(session, TOM, now, "Tom", "en")
        await subscriptions.set_quiet_hours(session, user_id=TOM, start=9, end=12, now=now)  # 10:00 in Berlin
        lamp = (await products_in(session, "lamps", retailer_id=found.retailer_id))[0]
        await _wish(session, TOM, lamp.id, now)
        await _deal(session, found.retailer_id, lamp, 20, now)
        assert await _queue_alerts(session, now) == 1
    assert (await _plan(demo_catalog, clock)).deliveries == ()
    clock.advance(2 * 3600)
    assert [d.user_id for d in (await _plan(demo_catalog, clock)).deliveries] == [TOM]


async def test_what_friends_bought_ranks_first(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await subscriber(session, LENA, now, retailer_id=found.retailer_id, cap=1)
        await person(session, TOM, now, "Tom")
        await chats.touch(session, chat=chats.ChatInfo(id=-3001, type="group", title="WG"), now=now)
        for user_id in (LENA, TOM):
            await chats.set_membership(session, chat_id=-3001, user_id=user_id, status="member", now=now)
        first, second = (await products_in(session, "candles", retailer_id=found.retailer_id))[:2]
        await buy(session, user_id=TOM, product_id=second.id, now=now)
        await _deal(session, found.retailer_id, first, 20, now)
        liked = await _deal(session, found.retailer_id, second, 20, now)
    (picked,) = (await _plan(demo_catalog, clock)).deliveries
    assert picked.deal is not None and picked.deal.id == liked.id


async def test_the_messages_are_in_the_data_export(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await subscriber(session, LENA, now, retailer_id=found.retailer_id)
        lamp = (await products_in(session, "lamps", retailer_id=found.retailer_id))[0]
        deal = await _deal(session, found.retailer_id, lamp, 20, now)
    await _sent(demo_catalog, await _plan(demo_catalog, clock))
    async with demo_catalog.unit_of_work() as session:
        document = await privacy.export(session, user_id=LENA, now=clock.now())
    assert [(row["deal_id"], row["status"]) for row in document["deal_messages"]] == [(deal.id, "sent")]


async def test_what_telegram_refused_for_now_goes_out_in_a_later_round_and_a_failure_never(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await subscriber(session, LENA, now, retailer_id=found.retailer_id)
        await person(session, TOM, now, "Tom")
        lamp, vase = [
            (await products_in(session, slug, retailer_id=found.retailer_id))[0]
            for slug in ("lamps", "vases")
        ]
        await _wish(session, TOM, vase.id, now)
        await _deal(session, found.retailer_id, lamp, 20, now)
        await _deal(session, found.retailer_id, vase, 20, now)
        await _queue_alerts(session, now)
    first = await _plan(demo_catalog, clock)
    assert sorted(d.user_id for d in first.deliveries) == [LENA, LENA, TOM]
    async with demo_catalog.unit_of_work() as session:
        await deliveries.record(
            session, sent=[], failed=[], blocked=[], later=[d.id for d in first.deliveries]
        )
    again = await _plan(demo_catalog, clock)
    assert sorted(d.user_id for d in again.deliveries) == [LENA, LENA, TOM], "flood control: they come again"
    async with demo_catalog.unit_of_work() as session:
        await deliveries.record(session, sent=[], failed=[d.id for d in again.deliveries], blocked=[TOM])
    assert (await _plan(demo_catalog, clock)).deliveries == (), "a failure may have arrived: never twice"
    async with demo_catalog.unit_of_work() as session:
        tom = await users.get(session, user_id=TOM)
        assert tom is not None and tom.blocked_bot
