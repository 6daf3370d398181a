"""Carts: adding with a stock check, quantities, removing, emptying, price changes, the group cart."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.clock import Clock
from core.db import Database
from core.money import Money
from orders import carts
from orders.states import Refused
from tests.orders.conftest import ANNA, BEN, GROUP, Shop, set_price, set_stock


async def test_add_change_remove_and_empty(db: Database, shop: Shop, clock: Clock) -> None:
    first, second, _ = shop.variants
    async with db.unit_of_work() as session:
        assert await carts.add(session, user_id=ANNA, variant_id=first, now=clock.now()) == 1
        assert await carts.add(session, user_id=ANNA, variant_id=first, quantity=2, now=clock.now()) == 3
        await carts.add(session, user_id=ANNA, variant_id=second, now=clock.now())
        cart = await carts.view(session, user_id=ANNA, locale="en", now=clock.now())
        assert [(line.variant_id, line.quantity) for line in cart.lines] == [(first, 3), (second, 1)]
        assert cart.subtotal == Money(Decimal("60.00"), "EUR")
        assert cart.lines[0].total == Money(Decimal("30.00"), "EUR")
        assert cart.lines[0].added_by_name == "Anna"

        assert (
            await carts.set_quantity(session, user_id=ANNA, variant_id=first, quantity=1, now=clock.now())
            == 1
        )
        assert await carts.remove(session, user_id=ANNA, variant_id=second)
        cart = await carts.view(session, user_id=ANNA, locale="de", now=clock.now())
        assert [(line.variant_id, line.quantity) for line in cart.lines] == [(first, 1)]
        assert cart.subtotal == Money(Decimal("10.00"), "EUR")

        assert await carts.empty(session, user_id=ANNA) == 1
        cart = await carts.view(session, user_id=ANNA, locale="de", now=clock.now())
        assert cart.lines == () and cart.subtotal.amount == 0
        # Ben's cart was never touched.
        assert (await carts.view(session, user_id=BEN, locale="de", now=clock.now())).lines == ()


async def test_adding_more_than_the_stock_is_refused(db: Database, shop: Shop, clock: Clock) -> None:
    first = shop.variants[0]
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=first, units={shop.warehouse: 1, shop.stores[0]: 1})
        await carts.add(session, user_id=ANNA, variant_id=first, quantity=2, now=clock.now())
        with pytest.raises(Refused) as refused:
            await carts.add(session, user_id=ANNA, variant_id=first, now=clock.now())
        assert refused.value.reason_key == "cart-error-out-of-stock"
        assert refused.value.args_ == {"available": 2}
        with pytest.raises(Refused):
            await carts.set_quantity(session, user_id=ANNA, variant_id=first, quantity=3, now=clock.now())
        cart = await carts.view(session, user_id=ANNA, locale="en", now=clock.now())
        assert cart.lines[0].quantity == 2 and cart.lines[0].available == 2


async def test_price_change_since_adding_is_shown(db: Database, shop: Shop, clock: Clock) -> None:
    first = shop.variants[0]
    async with db.unit_of_work() as session:
        await carts.add(session, user_id=ANNA, variant_id=first, now=clock.now())
        await set_price(session, variant_id=first, price="12.50")
        cart = await carts.view(session, user_id=ANNA, locale="en", now=clock.now())
    line = cart.lines[0]
    assert line.price_changed and cart.price_changed
    assert line.price_when_added == Money(Decimal("10.00"), "EUR")
    assert line.unit_price == Money(Decimal("12.50"), "EUR")
    assert cart.subtotal == Money(Decimal("12.50"), "EUR")


async def test_group_cart_shows_who_added_what(db: Database, shop: Shop, clock: Clock) -> None:
    first, second, _ = shop.variants
    async with db.unit_of_work() as session:
        await carts.add(session, user_id=ANNA, variant_id=first, group_chat_id=GROUP, now=clock.now())
        await carts.add(
            session, user_id=BEN, variant_id=first, quantity=2, group_chat_id=GROUP, now=clock.now()
        )
        await carts.add(session, user_id=BEN, variant_id=second, group_chat_id=GROUP, now=clock.now())
        # Each member changes only their own lines.
        await carts.set_quantity(
            session, user_id=ANNA, variant_id=first, quantity=3, group_chat_id=GROUP, now=clock.now()
        )
        with pytest.raises(Refused):
            await carts.add(session, user_id=ANNA, variant_id=first, group_chat_id=GROUP, now=clock.now())
        cart = await carts.view(session, user_id=BEN, group_chat_id=GROUP, locale="de", now=clock.now())
        personal = await carts.view(session, user_id=ANNA, locale="de", now=clock.now())
    assert [(line.added_by_name, line.variant_id, line.quantity) for line in cart.lines] == [
        ("Anna", first, 3),
        ("Ben", first, 2),
        ("Ben", second, 1),
    ]
    assert cart.subtotal == Money(Decimal("80.00"), "EUR")
    assert personal.lines == ()


async def test_the_answer_to_adding_names_the_variant_and_counts_the_whole_cart(
    db: Database, shop: Shop, clock: Clock
) -> None:
    first, second, _ = shop.variants
    async with db.unit_of_work() as session:
        await carts.add(
            session, user_id=BEN, variant_id=first, quantity=2, group_chat_id=GROUP, now=clock.now()
        )
        added = await carts.put(
            session, user_id=ANNA, variant_id=second, group_chat_id=GROUP, locale="en", now=clock.now()
        )
        again = await carts.put(
            session, user_id=ANNA, variant_id=second, group_chat_id=GROUP, locale="de", now=clock.now()
        )
        cart = await carts.view(session, user_id=ANNA, group_chat_id=GROUP, locale="en", now=clock.now())
    line = next(line for line in cart.lines if line.variant_id == second)
    assert (added.title, added.colour, added.size, added.units) == (line.title, line.colour, line.size, 3)
    assert again.units == 4 and line.quantity == 2
