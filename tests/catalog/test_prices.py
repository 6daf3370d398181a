"""Price changes update the product and leave a history that price-drop alerts can read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog import prices
from catalog.models import PriceChange, Product
from core.clock import Clock
from core.db import Session
from tests.catalog import add_product


async def test_a_price_change_updates_the_product_and_writes_history(session: Session, clock: Clock) -> None:
    product = await add_product(session, now=clock.now(), price=Decimal("49.99"))
    clock.advance(3600)

    changed = await prices.set_price(
        session,
        product_id=product.id,
        price=Decimal("39.95"),
        compare_at_price=Decimal("49.99"),
        now=clock.now(),
    )

    assert changed
    stored = await session.get(Product, product.id, populate_existing=True)
    assert stored is not None
    assert (stored.price, stored.compare_at_price, stored.updated_at) == (
        Decimal("39.95"),
        Decimal("49.99"),
        clock.now(),
    )
    assert await prices.history(session, product_id=product.id) == [
        prices.PricePoint(
            price=Decimal("39.95"),
            previous_price=Decimal("49.99"),
            compare_at_price=Decimal("49.99"),
            currency="EUR",
            changed_at=clock.now(),
        )
    ]


async def test_an_unchanged_price_writes_no_history(session: Session, clock: Clock) -> None:
    product = await add_product(session, now=clock.now(), price=Decimal("49.90"))

    changed = await prices.set_price(
        session, product_id=product.id, price=Decimal("49.9"), compare_at_price=None, now=clock.now()
    )

    assert not changed
    assert await prices.history(session, product_id=product.id) == []


async def test_each_change_is_recorded_in_order(session: Session, clock: Clock) -> None:
    product = await add_product(session, now=clock.now(), price=Decimal("80.00"))
    for price, compare_at in ((Decimal("60.00"), Decimal("80.00")), (Decimal("80.00"), None)):
        clock.advance(86400)
        assert await prices.set_price(
            session, product_id=product.id, price=price, compare_at_price=compare_at, now=clock.now()
        )
    assert not await prices.set_price(
        session, product_id=product.id, price=Decimal("80"), compare_at_price=None, now=clock.now()
    )

    points = await prices.history(session, product_id=product.id)

    assert [(p.previous_price, p.price, p.compare_at_price) for p in points] == [
        (Decimal("80.00"), Decimal("60.00"), Decimal("80.00")),
        (Decimal("60.00"), Decimal("80.00"), None),
    ]
    assert points[0].changed_at < points[1].changed_at


async def test_ending_a_sale_at_the_same_price_is_a_change(session: Session, clock: Clock) -> None:
    product = await add_product(session, now=clock.now(), price=Decimal("30.00"))
    await prices.set_price(
        session,
        product_id=product.id,
        price=Decimal("30.00"),
        compare_at_price=Decimal("45.00"),
        now=clock.now(),
    )

    assert await prices.set_price(
        session, product_id=product.id, price=Decimal("30.00"), compare_at_price=None, now=clock.now()
    )
    assert len(await prices.history(session, product_id=product.id)) == 2


@pytest.mark.parametrize(
    ("price", "compare_at"),
    [
        (Decimal("-1.00"), None),
        (Decimal("9.999"), None),
        (Decimal("NaN"), None),
        (Decimal("50.00"), Decimal("50.00")),
        (Decimal("50.00"), Decimal("40.00")),
    ],
)
async def test_impossible_prices_are_refused(
    session: Session, clock: Clock, price: Decimal, compare_at: Decimal | None
) -> None:
    product = await add_product(session, now=clock.now())

    with pytest.raises(ValueError):
        await prices.set_price(
            session, product_id=product.id, price=price, compare_at_price=compare_at, now=clock.now()
        )
    assert await session.scalar(select(func.count()).select_from(PriceChange)) == 0


async def test_an_unknown_product_has_no_price(session: Session, clock: Clock) -> None:
    with pytest.raises(LookupError):
        await prices.set_price(
            session, product_id=404, price=Decimal("1.00"), compare_at_price=None, now=clock.now()
        )


async def test_the_database_refuses_a_compare_at_price_below_the_price(
    session: Session, clock: Clock
) -> None:
    product = await add_product(session, now=clock.now(), price=Decimal("20.00"))

    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            product.compare_at_price = Decimal("10.00")
            await session.flush()
