"""A group of friends on top of the demo catalog: Anna, Ben and Cem in the WG, Anna and Dora in the club."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from catalog.models import Product
from core import chats, users
from core.clock import Clock
from core.db import Database, Session
from orders import fulfilment
from orders.models import Order, OrderLine

ANNA, BEN, CEM, DORA, EVA = 201, 202, 203, 204, 205
WG, CLUB = -2001, -2002


@dataclass(frozen=True)
class Friends:
    """The products of the demo catalog the tests talk about, in catalog order."""

    products: tuple[int, ...]


@pytest.fixture
async def friends(demo_catalog: Database, clock: Clock) -> Friends:
    """Set up five people, the WG (Anna, Ben, Cem) and the club (Anna, Dora); Eva is in no group."""
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        for user_id, name in ((ANNA, "Anna"), (BEN, "Ben"), (CEM, "Cem"), (DORA, "Dora"), (EVA, "Eva")):
            await users.touch(session, person=users.Person(id=user_id, first_name=name), now=now)
        for chat_id, title, members in ((WG, "WG", (ANNA, BEN, CEM)), (CLUB, "Club", (ANNA, DORA))):
            await chats.touch(session, chat=chats.ChatInfo(id=chat_id, type="group", title=title), now=now)
            for user_id in members:
                await chats.set_membership(
                    session, chat_id=chat_id, user_id=user_id, status="member", now=now
                )
        products = (await session.scalars(select(Product.id).order_by(Product.id).limit(12))).all()
    return Friends(products=tuple(products))


async def buy(
    session: Session,
    *,
    user_id: int,
    product_id: int,
    now: datetime,
    status: str = "delivered",
    quantity: int = 1,
) -> int:
    """Record an order of one product by the user, in ``status``, and return its id."""
    order = Order(
        number=f"T{user_id}-{product_id}-{status}"[:16],
        user_id=user_id,
        chat_id=user_id,
        status=status,
        delivery="standard",
        currency="EUR",
        subtotal=Decimal("10.00"),
        shipping=Decimal("0.00"),
        discount=Decimal("0.00"),
        total=Decimal("10.00"),
        telegram_payment_charge_id=f"charge-{user_id}-{product_id}-{status}",
        payment_method="provider",
        locale="de",
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    session.add(
        OrderLine(
            order_id=order.id,
            product_id=product_id,
            sku=f"SKU{product_id}",
            title_de="Artikel",
            title_en="Article",
            colour="blau",
            size="M",
            quantity=quantity,
            unit_price=Decimal("10.00"),
        )
    )
    await session.flush()
    return order.id


async def review(session: Session, *, user_id: int, product_id: int, stars: int, now: datetime) -> int:
    """Let the user buy and receive the product and review it; return the review's id."""
    order_id = await buy(session, user_id=user_id, product_id=product_id, now=now)
    await fulfilment.save_review(
        session, order_id=order_id, user_id=user_id, stars=stars, text=f"{stars}★", now=now
    )
    review_id = await session.scalar(
        select(fulfilment.Review.id).where(fulfilment.Review.order_id == order_id)
    )
    assert review_id is not None
    return review_id
