"""The order state machine: legal steps with their history, illegal ones refused."""

from __future__ import annotations

import pytest

from core.clock import Clock
from core.db import Database
from orders import checkout, states
from tests.orders.conftest import ANNA, Shop, set_stock
from tests.orders.test_checkout import fill, pay


async def _order(db: Database, shop: Shop, clock: Clock, *, option: str) -> int:
    async with db.unit_of_work() as session:
        await fill(session, shop, clock, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        return (await pay(session, invoice, clock, option=option)).id


async def test_home_delivery_runs_through_with_history(db: Database, shop: Shop, clock: Clock) -> None:
    order_id = await _order(db, shop, clock, option="standard")
    async with db.unit_of_work() as session:
        for step in ("packed", "shipped", "out_for_delivery", "delivered"):
            clock.advance(300)
            view = await states.advance(session, order_id=order_id, to=step, now=clock.now(), actor="store")
            assert view.status == step
        history = await states.history(session, order_id=order_id)
    assert [event.status for event in history] == [
        "paid",
        "packed",
        "shipped",
        "out_for_delivery",
        "delivered",
    ]
    assert history[-1].actor == "store" and history[-1].at == clock.now()


async def test_illegal_transitions_are_refused_and_leave_no_trace(
    db: Database, shop: Shop, clock: Clock
) -> None:
    order_id = await _order(db, shop, clock, option="standard")
    async with db.unit_of_work() as session:
        for step in ("shipped", "delivered", "ready_for_pickup", "picked_up", "paid"):
            with pytest.raises(states.IllegalTransition) as refused:
                await states.advance(session, order_id=order_id, to=step, now=clock.now())
            assert refused.value.reason_key == "order-error-illegal-transition"
        await states.advance(
            session, order_id=order_id, to="cancelled", now=clock.now(), note="customer asked"
        )
        with pytest.raises(states.IllegalTransition):
            await states.advance(session, order_id=order_id, to="packed", now=clock.now())
        history = await states.history(session, order_id=order_id)
        with pytest.raises(states.UnknownOrder):
            await states.advance(session, order_id=order_id + 999, to="packed", now=clock.now())
    assert [(event.status, event.note) for event in history] == [
        ("paid", None),
        ("cancelled", "customer asked"),
    ]


async def test_pickup_order_goes_ready_then_picked_up(db: Database, shop: Shop, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=shop.variants[0], units={shop.stores[0]: 2})
    order_id = await _order(db, shop, clock, option=f"pickup:{shop.stores[0]}")
    async with db.unit_of_work() as session:
        with pytest.raises(states.IllegalTransition):
            await states.advance(session, order_id=order_id, to="packed", now=clock.now())
        await states.advance(session, order_id=order_id, to="ready_for_pickup", now=clock.now())
        done = await states.advance(session, order_id=order_id, to="picked_up", now=clock.now())
    assert done.status == "picked_up"
    assert states.TRANSITIONS["picked_up"] == frozenset({"refunded"})
