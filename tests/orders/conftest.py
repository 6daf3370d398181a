"""A small shop on top of the demo catalog: known prices and stock, two buyers and a group."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, select, update

from catalog.models import Stock, Store, Variant
from core import chats, users
from core.clock import Clock
from core.db import Database, Session

ANNA, BEN = 101, 102
GROUP = -1001


@dataclass(frozen=True)
class Shop:
    """Ids of the test shop: the warehouse, the pickup stores and three variants of different products."""

    warehouse: int
    stores: tuple[int, ...]
    variants: tuple[int, ...]


async def set_stock(session: Session, *, variant_id: int, units: dict[int, int]) -> None:
    """Give the variant exactly these units per store (nothing elsewhere)."""
    await session.execute(delete(Stock).where(Stock.variant_id == variant_id))
    if units:
        await session.execute(
            insert(Stock),
            [{"store_id": store, "variant_id": variant_id, "quantity": n} for store, n in units.items()],
        )


async def set_price(session: Session, *, variant_id: int, price: str) -> None:
    """Give the variant its own price."""
    await session.execute(update(Variant).where(Variant.id == variant_id).values(price=Decimal(price)))


async def stock_of(session: Session, *, variant_id: int) -> dict[int, int]:
    """Return the variant's units per store."""
    rows = await session.execute(select(Stock.store_id, Stock.quantity).where(Stock.variant_id == variant_id))
    return {store: quantity for store, quantity in rows}


@pytest.fixture
async def shop(demo_catalog: Database, clock: Clock) -> Shop:
    """Set up prices 10, 30 and 50 EUR, 5 units of each in the warehouse, and the buyers Anna and Ben."""
    async with demo_catalog.unit_of_work() as session:
        stores = list(await session.execute(select(Store.id, Store.is_warehouse).order_by(Store.id)))
        warehouse = next(store for store, is_warehouse in stores if is_warehouse)
        first_of_product: dict[int, int] = {}
        for variant_id, product_id in await session.execute(
            select(Variant.id, Variant.product_id).order_by(Variant.id)
        ):
            first_of_product.setdefault(product_id, variant_id)
        variants = sorted(first_of_product.values())[:3]
        for variant_id, price in zip(variants, ("10.00", "30.00", "50.00"), strict=True):
            await set_price(session, variant_id=variant_id, price=price)
            await set_stock(session, variant_id=variant_id, units={warehouse: 5})
        for user_id, name in ((ANNA, "Anna"), (BEN, "Ben")):
            await users.touch(session, person=users.Person(id=user_id, first_name=name), now=clock.now())
        await chats.touch(session, chat=chats.ChatInfo(id=GROUP, type="group", title="WG"), now=clock.now())
    return Shop(
        warehouse=warehouse,
        stores=tuple(store for store, is_warehouse in stores if not is_warehouse),
        variants=tuple(variants),
    )
