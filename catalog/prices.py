"""Product prices and their history: every change is recorded, so price drops can be announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from catalog.models import PriceChange, Product
from core.db import Session

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PricePoint:
    """A product's price from a moment on, and what it cost before."""

    price: Decimal
    previous_price: Decimal | None
    compare_at_price: Decimal | None
    currency: str
    changed_at: datetime


def _amount(value: Decimal, name: str) -> Decimal:
    if not value.is_finite() or value < 0 or value != value.quantize(_CENT):
        raise ValueError(f"{name} must be a non-negative amount with at most two decimals, not {value}")
    return value.quantize(_CENT)


async def set_price(
    session: Session, *, product_id: int, price: Decimal, compare_at_price: Decimal | None, now: datetime
) -> bool:
    """Set a product's price and compare-at price, recording the change; True if either changed."""
    price = _amount(price, "price")
    if compare_at_price is not None:
        compare_at_price = _amount(compare_at_price, "compare-at price")
        if compare_at_price <= price:
            raise ValueError(f"compare-at price {compare_at_price} must be above the price {price}")
    product = await session.get(Product, product_id, with_for_update=True, populate_existing=True)
    if product is None:
        raise LookupError(f"unknown product {product_id}")
    if product.price == price and product.compare_at_price == compare_at_price:
        return False
    session.add(
        PriceChange(
            product_id=product.id,
            price=price,
            previous_price=product.price,
            compare_at_price=compare_at_price,
            currency=product.currency,
            changed_at=now,
        )
    )
    product.price, product.compare_at_price, product.updated_at = price, compare_at_price, now
    await session.flush()
    return True


async def history(session: Session, *, product_id: int) -> list[PricePoint]:
    """Return a product's price changes, oldest first."""
    rows = await session.scalars(
        select(PriceChange)
        .where(PriceChange.product_id == product_id)
        .order_by(PriceChange.changed_at, PriceChange.id)
    )
    return [
        PricePoint(
            price=row.price,
            previous_price=row.previous_price,
            compare_at_price=row.compare_at_price,
            currency=row.currency,
            changed_at=row.changed_at,
        )
        for row in rows
    ]
