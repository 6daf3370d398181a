"""Catalog tests, and the factory they share for a product without the whole demo catalog."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from catalog.models import Category, Product, Retailer
from core.db import Session


async def add_product(session: Session, *, now: datetime, price: Decimal = Decimal("49.99")) -> Product:
    """Add a retailer, a category and one of the retailer's products at ``price`` euros."""
    retailer = Retailer(slug="test-shop", name="Test Shop")
    category = Category(slug="test-category", name_de="Testware", name_en="Test goods", position=0)
    session.add_all([retailer, category])
    await session.flush()
    product = Product(
        retailer_id=retailer.id,
        sku="T-1",
        title_de="Rote Lederjacke",
        title_en="Red Leather Jacket",
        category_id=category.id,
        price=price,
        currency="EUR",
        created_at=now,
        updated_at=now,
    )
    session.add(product)
    await session.flush()
    return product
