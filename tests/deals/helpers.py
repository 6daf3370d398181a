"""Small factories the deal tests share: people, the demo shop, a second shop and its product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from catalog.demo import RETAILER_SLUG
from catalog.models import Category, Product, Retailer
from core import users
from core.db import Session
from deals import subscriptions

LENA, TOM, AYLIN, JONAS = 301, 302, 303, 304


@dataclass(frozen=True)
class Shop:
    """The demo retailer, a second one with one product, and some demo products by category."""

    retailer_id: int
    other_id: int
    other_product_id: int


async def person(
    session: Session, user_id: int, now: datetime, name: str = "Lena", language: str = "de"
) -> None:
    """Make someone the bot has met."""
    await users.touch(
        session, person=users.Person(id=user_id, first_name=name, language_code=language), now=now
    )


async def shop(session: Session, now: datetime) -> Shop:
    """Return the demo shop and add a second retailer with one product in the first demo category."""
    retailer_id = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
    assert retailer_id is not None
    other = Retailer(slug="garten", name="Garten Laden")
    session.add(other)
    await session.flush()
    first = await session.scalar(select(Product).order_by(Product.id).limit(1))
    assert first is not None
    product = Product(
        retailer_id=other.id,
        sku=first.sku,
        title_de="Fremdes Produkt",
        title_en="Someone else's product",
        category_id=first.category_id,
        price=Decimal("50.00"),
        currency="EUR",
        created_at=now,
        updated_at=now,
    )
    session.add(product)
    await session.flush()
    return Shop(retailer_id=retailer_id, other_id=other.id, other_product_id=product.id)


async def subscriber(
    session: Session,
    user_id: int,
    now: datetime,
    *,
    retailer_id: int,
    categories: tuple[int, ...] = (),
    cap: int = 3,
    period: str = "day",
    quiet: tuple[int, int] | None = (22, 8),
    name: str = "Lena",
    language: str = "de",
) -> None:
    """Make someone who opted in to the retailer's deals with these interests and limits."""
    await person(session, user_id, now, name, language)
    await subscriptions.subscribe(session, user_id=user_id, now=now)
    await subscriptions.choose_retailer(
        session, user_id=user_id, retailer_id=retailer_id, chosen=True, now=now
    )
    for category_id in categories:
        await subscriptions.choose_category(
            session, user_id=user_id, category_id=category_id, chosen=True, now=now
        )
    await subscriptions.set_cap(session, user_id=user_id, cap=cap, period=period, now=now)
    start, end = quiet if quiet is not None else (None, None)
    await subscriptions.set_quiet_hours(session, user_id=user_id, start=start, end=end, now=now)


async def products_in(session: Session, slug: str, *, retailer_id: int) -> list[Product]:
    """Return the retailer's active products of the category with this slug, by id."""
    return list(
        await session.scalars(
            select(Product)
            .join(Category, Category.id == Product.category_id)
            .where(Category.slug == slug, Product.retailer_id == retailer_id, Product.active.is_(True))
            .order_by(Product.id)
        )
    )


async def category_id(session: Session, slug: str) -> int:
    """Return the id of the category with this slug."""
    found = await session.scalar(select(Category.id).where(Category.slug == slug))
    assert found is not None
    return found
