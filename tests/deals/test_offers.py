"""A retailer's deals: prices go down when a deal starts and back when it ends, only on its own products."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog import prices, products
from catalog.models import Product, Variant
from core import tasks
from core.clock import Clock
from core.db import Database
from deals import offers
from deals.errors import Refused
from tests.deals.helpers import category_id, person, products_in, shop

WEEK = timedelta(days=7)


async def test_a_product_deal_lowers_the_price_at_once_and_gives_it_back_at_the_end(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await person(session, 1, now)
        sneaker = (await products_in(session, "women-sneakers", retailer_id=found.retailer_id))[0]
        regular, regular_compare_at = sneaker.price, sneaker.compare_at_price
        deal = await offers.create(
            session,
            retailer_id=found.retailer_id,
            product_id=sneaker.id,
            percent=20,
            starts_at=now,
            ends_at=now + WEEK,
            created_by=1,
            now=now,
        )
        assert (deal.status, deal.products, deal.sku, deal.name_en) == (
            "running",
            1,
            sneaker.sku,
            sneaker.title_en,
        )
        card = await products.card(session, product_id=sneaker.id, locale="de")
        assert card is not None
        assert (
            card.price
            == offers.deal_price(regular, 20)
            == (regular * Decimal("0.8")).quantize(Decimal("0.01"))
        )
        assert card.compare_at_price == (regular_compare_at or regular), (
            "the card crosses out the regular price"
        )
        history = await prices.history(session, product_id=sneaker.id)
        assert history[-1].previous_price == regular and history[-1].price == card.price
        assert await tasks.next_due(session, kind=offers.END, key=str(deal.id)) == now + WEEK

    clock.advance(WEEK.total_seconds())
    async with demo_catalog.unit_of_work() as session:
        ended = await offers.end(session, deal_id=deal.id, now=clock.now())
        again = await offers.end(session, deal_id=deal.id, now=clock.now())
        assert ended.status == again.status == "ended"
        back = await session.get(Product, sneaker.id, populate_existing=True)
        assert back is not None and (back.price, back.compare_at_price) == (regular, regular_compare_at)
        assert await offers.listing(session, retailer_id=found.retailer_id) == []
        assert [
            view.id for view in await offers.listing(session, retailer_id=found.retailer_id, past=True)
        ] == [deal.id]


async def test_a_price_the_retailer_changed_during_the_deal_stays(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        lamp = (await products_in(session, "lamps", retailer_id=found.retailer_id))[0]
        deal = await offers.create(
            session,
            retailer_id=found.retailer_id,
            product_id=lamp.id,
            percent=10,
            starts_at=now,
            ends_at=now + WEEK,
            created_by=None,
            now=now,
        )
        await prices.set_price(
            session, product_id=lamp.id, price=Decimal("5.00"), compare_at_price=None, now=now
        )
        await offers.end(session, deal_id=deal.id, now=now)
        kept = await session.get(Product, lamp.id, populate_existing=True)
        assert kept is not None and kept.price == Decimal("5.00")


async def test_a_category_deal_covers_the_retailers_products_beneath_it_and_no_one_elses(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        shoes = await category_id(session, "women-shoes")
        expected = [
            product.id
            for slug in ("women-sneakers", "women-boots")
            for product in await products_in(session, slug, retailer_id=found.retailer_id)
        ]
        resolved = await offers.resolve(session, retailer_id=found.retailer_id, subject="women-shoes")
        assert resolved == (None, shoes)
        deal = await offers.create(
            session,
            retailer_id=found.retailer_id,
            category_id=shoes,
            percent=15,
            starts_at=now,
            ends_at=now + WEEK,
            created_by=None,
            now=now,
        )
        assert deal.products == len(expected) == 16
        listed = await offers.products_of(session, deal_id=deal.id, locale="en", limit=50)
        assert sorted(item.product_id for item in listed) == sorted(expected)
        assert all(item.price.amount < item.regular.amount for item in listed)
        other = await session.get(Product, found.other_product_id)
        assert other is not None and other.price == Decimal("50.00"), (
            "another retailer's product is untouched"
        )
        with pytest.raises(Refused) as overlap:
            await offers.create(
                session,
                retailer_id=found.retailer_id,
                product_id=expected[0],
                percent=30,
                starts_at=now + timedelta(days=1),
                ends_at=now + timedelta(days=2),
                created_by=None,
                now=now,
            )
        assert overlap.value.reason_key == "deal-error-overlap" and overlap.value.args_ == {
            "id": str(deal.id)
        }


async def test_bad_deals_are_refused_naming_the_field(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        lamp = (await products_in(session, "lamps", retailer_id=found.retailer_id))[0]

        async def refused_field(
            *,
            product_id: int | None = lamp.id,
            percent: int = 20,
            starts_at: datetime = now,
            ends_at: datetime = now + WEEK,
        ) -> str | None:
            with pytest.raises(Refused) as refused:
                await offers.create(
                    session,
                    retailer_id=found.retailer_id,
                    product_id=product_id,
                    percent=percent,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    created_by=None,
                    now=now,
                )
            return refused.value.field

        assert await refused_field(percent=95) == "percent"
        assert await refused_field(starts_at=now - timedelta(days=1)) == "starts_at"
        assert await refused_field(ends_at=now + timedelta(minutes=30)) == "ends_at"
        assert await refused_field(ends_at=now + timedelta(days=91)) == "ends_at"
        assert await refused_field(product_id=found.other_product_id) == "sku"
        assert await refused_field(product_id=None) == "sku"
        with pytest.raises(Refused) as unknown:
            await offers.resolve(session, retailer_id=found.retailer_id, subject="NO-SUCH-SKU")
        assert unknown.value.reason_key == "deal-error-unknown-subject"
        with pytest.raises(Refused) as ambiguous:
            await offers.resolve(session, retailer_id=found.retailer_id, subject="Sneaker")
        assert ambiguous.value.args_["choices"] == "men-sneakers, women-sneakers"
        # Variants with prices of their own are out of reach of a percentage of the product price.
        variant = await session.scalar(select(Variant).where(Variant.product_id == lamp.id).limit(1))
        assert variant is not None
        variant.price = Decimal("9.99")
        await session.flush()
        with pytest.raises(Refused) as unreachable:
            await offers.create(
                session,
                retailer_id=found.retailer_id,
                product_id=lamp.id,
                percent=20,
                starts_at=now,
                ends_at=now + WEEK,
                created_by=None,
                now=now,
            )
        assert unreachable.value.reason_key == "deal-error-nothing-covered"


def test_discounts_and_durations_read_as_retailers_write_them() -> None:
    assert [offers.parse_percent(text) for text in ("-20%", "20 %", "15", "−30%")] == [20, 20, 15, 30]
    for text in ("0%", "91%", "abc", "-20.5%"):
        with pytest.raises(Refused):
            offers.parse_percent(text)
    assert offers.parse_duration("7d") == timedelta(days=7)
    assert offers.parse_duration("24h") == timedelta(hours=24)
    assert offers.parse_duration("2W") == timedelta(weeks=2)
    with pytest.raises(Refused):
        offers.parse_duration("soon")


async def test_a_planned_deal_starts_at_its_time_and_can_be_called_off_before(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        mug, plate = (await products_in(session, "mugs", retailer_id=found.retailer_id))[:2]
        later = await offers.create(
            session,
            retailer_id=found.retailer_id,
            product_id=mug.id,
            percent=25,
            starts_at=now + timedelta(days=1),
            ends_at=now + WEEK,
            created_by=None,
            now=now,
        )
        called_off = await offers.create(
            session,
            retailer_id=found.retailer_id,
            product_id=plate.id,
            percent=25,
            starts_at=now + timedelta(days=1),
            ends_at=now + WEEK,
            created_by=None,
            now=now,
        )
        assert later.status == "scheduled" and later.products == 0
        assert (await offers.end(session, deal_id=called_off.id, now=now)).status == "cancelled"
        assert await tasks.next_due(session, kind=offers.START, key=str(called_off.id)) is None
        regular = mug.price
    clock.advance(timedelta(days=1).total_seconds())
    async with demo_catalog.unit_of_work() as session:
        started = await offers.start(session, deal_id=later.id, now=clock.now())
        assert started is not None and started.status == "running"
        assert await offers.start(session, deal_id=later.id, now=clock.now()) is None, (
            "a second start does nothing"
        )
        lowered = await session.get(Product, mug.id, populate_existing=True)
        assert lowered is not None and lowered.price == offers.deal_price(regular, 25)
        with pytest.raises(Refused):
            await offers.end(session, deal_id=later.id, now=clock.now(), retailer_id=found.other_id)


async def test_the_demo_gets_two_deals_once(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        assert await offers.offer_demo(session, retailer_id=found.retailer_id, now=now) == 2
        assert await offers.offer_demo(session, retailer_id=found.retailer_id, now=now) == 0
        listed = await offers.listing(session, retailer_id=found.retailer_id)
        assert sorted(view.percent for view in listed) == [15, 20]
        assert {view.category_id is None for view in listed} == {True, False}
