"""A retailer sets how many units its stores have, for many variants at once and all or nothing.

Each level names a variant by its SKU (``variant_sku``), or a product with a single variant by the
product's SKU (``sku``), and a store by its code, both within the retailer: another retailer's SKUs and
stores are unknown here. Every level is checked before anything is written, so a request with one bad level
changes nothing (:class:`BadLevel` names the first bad one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from catalog.models import Product, Stock, Store, Variant
from core.db import Session, upsert

MAX_UNITS = 2**31 - 1
MAX_LEVELS = 1000


@dataclass(frozen=True, slots=True)
class Level:
    """A wanted stock level: ``variant_sku`` or ``sku`` (of a single-variant product), store code, units."""

    store: str
    quantity: int
    variant_sku: str | None = None
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class LevelSet:
    """A stock level as written, with the units the store had before."""

    variant_sku: str
    store: str
    quantity: int
    previous: int


class BadLevel(ValueError):
    """Level ``index`` cannot be set; ``field`` names its field at fault."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.field = field
        self.message = message


async def set_levels(session: Session, *, retailer_id: int, levels: Sequence[Level]) -> list[LevelSet]:
    """Set every level, or raise :class:`BadLevel` having written nothing."""
    if len(levels) > MAX_LEVELS:
        raise BadLevel(MAX_LEVELS, "items", f"at most {MAX_LEVELS} levels at once")
    stores = {
        code.upper(): id_
        for code, id_ in await session.execute(
            select(Store.code, Store.id).where(Store.retailer_id == retailer_id)
        )
    }
    resolved: list[tuple[int, str, int, str, int]] = []
    seen: set[tuple[int, int]] = set()
    for index, level in enumerate(levels):
        variant_id, variant_sku = await _variant(session, retailer_id, index, level)
        store_id = stores.get(level.store.strip().upper())
        if store_id is None:
            raise BadLevel(index, "store", f'no store with the code "{level.store}"')
        if not 0 <= level.quantity <= MAX_UNITS:
            raise BadLevel(index, "quantity", "quantity must be a whole number from 0")
        if (variant_id, store_id) in seen:
            raise BadLevel(index, "store", f"{variant_sku} in {level.store} is given twice")
        seen.add((variant_id, store_id))
        resolved.append((variant_id, variant_sku, store_id, level.store.strip().upper(), level.quantity))
    before = {
        (variant_id, store_id): quantity
        for variant_id, store_id, quantity in await session.execute(
            select(Stock.variant_id, Stock.store_id, Stock.quantity).where(
                Stock.variant_id.in_({variant_id for variant_id, *_ in resolved})
            )
        )
    }
    written = []
    for variant_id, variant_sku, store_id, code, quantity in resolved:
        await upsert(
            session,
            Stock.__table__,
            {"store_id": store_id, "variant_id": variant_id, "quantity": quantity},
            conflict=["store_id", "variant_id"],
            update=["quantity"],
        )
        written.append(LevelSet(variant_sku, code, quantity, before.get((variant_id, store_id), 0)))
    await session.flush()
    return written


async def _variant(session: Session, retailer_id: int, index: int, level: Level) -> tuple[int, str]:
    if level.variant_sku:
        row = (
            await session.execute(
                select(Variant.id, Variant.sku).where(
                    Variant.retailer_id == retailer_id, Variant.sku == level.variant_sku.strip()
                )
            )
        ).one_or_none()
        if row is None:
            raise BadLevel(index, "variant_sku", f'no variant with the SKU "{level.variant_sku}"')
        return row[0], row[1]
    if not level.sku:
        raise BadLevel(index, "variant_sku", "give variant_sku (or sku for a product with one variant)")
    rows = (
        await session.execute(
            select(Variant.id, Variant.sku, func.count().over(partition_by=Variant.product_id))
            .join(Product, Product.id == Variant.product_id)
            .where(Product.retailer_id == retailer_id, Product.sku == level.sku.strip())
            .limit(1)
        )
    ).one_or_none()
    if rows is None:
        raise BadLevel(index, "sku", f'no product with the SKU "{level.sku}"')
    variant_id, variant_sku, variants = rows
    if variants != 1:
        raise BadLevel(index, "sku", f"{level.sku} has {variants} variants: give variant_sku")
    return variant_id, variant_sku
