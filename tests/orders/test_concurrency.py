"""Two buyers pay for the last unit at the same time: one order, one clear rejection, stock never below 0."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from core.clock import Clock
from core.db import Database
from orders import carts, checkout
from orders.models import Order
from orders.states import OrderView, Refused
from tests.orders.conftest import ANNA, BEN, Shop, set_stock, stock_of

BUYERS = (ANNA, BEN)


async def test_last_unit_goes_to_exactly_one_buyer(db: Database, shop: Shop, clock: Clock) -> None:
    last = shop.variants[0]
    invoices: dict[int, checkout.Invoice] = {}
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=last, units={shop.warehouse: 1})
        for buyer in BUYERS:
            await carts.add(session, user_id=buyer, variant_id=last, now=clock.now())
            invoices[buyer] = await checkout.start(
                session, user_id=buyer, chat_id=buyer, locale="de", now=clock.now()
            )
            await checkout.shipping_options(
                session, payload=invoices[buyer].payload, country_code="DE", now=clock.now()
            )

    async def pre_checkout(buyer: int) -> checkout.PreCheckoutResult:
        async with db.unit_of_work() as session:
            return await checkout.pre_checkout(
                session,
                payload=invoices[buyer].payload,
                user_id=buyer,
                total_amount=invoices[buyer].total_amount + 490,
                currency="EUR",
                shipping_option_id="standard",
                now=clock.now(),
            )

    async def complete(buyer: int) -> OrderView | Refused:
        try:
            async with db.unit_of_work() as session:
                return await checkout.complete(
                    session,
                    payload=invoices[buyer].payload,
                    user_id=buyer,
                    chat_id=buyer,
                    telegram_payment_charge_id=f"charge-{buyer}",
                    provider_payment_charge_id=None,
                    total_amount=invoices[buyer].total_amount + 490,
                    currency="EUR",
                    shipping_option_id="standard",
                    shipping_address=None,
                    now=clock.now(),
                )
        except Refused as refused:
            return refused

    answers = await asyncio.gather(*(pre_checkout(buyer) for buyer in BUYERS))
    assert sorted(answer.ok for answer in answers) == [False, True]
    rejected = next(answer for answer in answers if not answer.ok)
    assert rejected.reason_key == "checkout-error-sold-out" and rejected.args["available"] == 0

    results = await asyncio.gather(*(complete(buyer) for buyer in BUYERS))
    orders = [result for result in results if isinstance(result, OrderView)]
    refusals = [result for result in results if isinstance(result, Refused)]
    assert len(orders) == 1 and len(refusals) == 1
    assert refusals[0].reason_key == checkout.PAID_BUT_SOLD_OUT
    winner = BUYERS[[answer.ok for answer in answers].index(True)]
    assert orders[0].user_id == winner
    async with db.unit_of_work() as session:
        assert await stock_of(session, variant_id=last) == {shop.warehouse: 0}
        assert await session.scalar(select(func.count()).select_from(Order)) == 1


async def test_duplicate_payment_updates_at_once_make_one_order(
    db: Database, shop: Shop, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await carts.add(session, user_id=ANNA, variant_id=shop.variants[0], now=clock.now())
        invoice = await checkout.start(
            session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now(), stars=True
        )

    async def complete() -> OrderView:
        async with db.unit_of_work() as session:
            return await checkout.complete(
                session,
                payload=invoice.payload,
                user_id=ANNA,
                chat_id=ANNA,
                telegram_payment_charge_id="same-charge",
                provider_payment_charge_id=None,
                total_amount=invoice.total_amount,
                currency="XTR",
                shipping_option_id=None,
                shipping_address=None,
                now=clock.now(),
            )

    first, second = await asyncio.gather(complete(), complete())
    assert first == second
    async with db.unit_of_work() as session:
        assert await stock_of(session, variant_id=shop.variants[0]) == {shop.warehouse: 4}
