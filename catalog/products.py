"""Products as shoppers see them: the product card, barcode lookup and the cached Telegram photo id."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, select, update

from catalog.models import Brand, Category, Product, ProductImage, Stock, Store, Variant
from core.db import Session, execute_core

LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL")


@dataclass(frozen=True, slots=True)
class StoreStock:
    """How many units of a product one store (or the online warehouse) has."""

    store_id: int
    name: str
    city: str
    is_warehouse: bool
    quantity: int


@dataclass(frozen=True, slots=True)
class VariantInfo:
    """One size and colour of a product with its stock over all stores."""

    id: int
    colour: str
    size: str
    price: Decimal
    quantity: int


@dataclass(frozen=True, slots=True)
class Picture:
    """A product picture: its file under the media folder, and Telegram's id once it was uploaded."""

    id: int
    path: str
    telegram_file_id: str | None


@dataclass(frozen=True, slots=True)
class ProductCard:
    """Everything a product card shows."""

    id: int
    sku: str
    title: str
    description: str
    brand: str | None
    category: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    variants: tuple[VariantInfo, ...]
    stores: tuple[StoreStock, ...]
    picture: Picture | None
    active: bool

    @property
    def in_stock(self) -> bool:
        """Tell whether any unit of any variant is available."""
        return any(store.quantity > 0 for store in self.stores)


def size_order(size: str) -> tuple[int, float, str]:
    """Sort key that puts sizes in their natural order (XS before S, 38 before 40)."""
    if size in LETTER_SIZES:
        return (0, LETTER_SIZES.index(size), size)
    number = size.removeprefix("W")
    return (1, float(number), size) if number.replace(".", "", 1).isdigit() else (2, 0.0, size)


_PRODUCT: BindParameter[Any] = bindparam("product_id")  # typed by each comparison
# A card's statements are built once; each card runs them with its product's id.
_HEAD = (
    select(
        Product.id,
        Product.sku,
        Product.title_de,
        Product.title_en,
        Product.description_de,
        Product.description_en,
        Brand.name,
        Category.name_de,
        Category.name_en,
        Product.price,
        Product.compare_at_price,
        Product.currency,
        Product.active,
    )
    .outerjoin(Brand, Brand.id == Product.brand_id)
    .join(Category, Category.id == Product.category_id)
    .where(Product.id == _PRODUCT)
)
_VARIANTS = (
    select(
        Variant.id,
        Variant.colour,
        Variant.size,
        func.coalesce(Variant.price, Product.price),
        func.coalesce(func.sum(Stock.quantity), 0),
        Product.title_de,
        Product.title_en,
    )
    .join(Product, Product.id == Variant.product_id)
    .outerjoin(Stock, Stock.variant_id == Variant.id)
    .where(Variant.product_id == _PRODUCT)
    .group_by(Variant.id, Variant.colour, Variant.size, Variant.price, Product.id)
)
_STORES = (
    select(Store.id, Store.name, Store.city, Store.is_warehouse, func.sum(Stock.quantity))
    .join(Stock, Stock.store_id == Store.id)
    .join(Variant, Variant.id == Stock.variant_id)
    .where(Variant.product_id == _PRODUCT)
    .group_by(Store.id, Store.name, Store.city, Store.is_warehouse)
    .order_by(Store.is_warehouse, Store.name)
)
_PICTURE = (
    select(ProductImage.id, ProductImage.path, ProductImage.telegram_file_id)
    .where(ProductImage.product_id == _PRODUCT)
    .order_by(ProductImage.position)
    .limit(1)
)


async def _variants(session: Session, product_id: int) -> tuple[str, str, tuple[VariantInfo, ...]]:
    """Return the product's German and English titles and its variants with their stock, in order."""
    rows = (await execute_core(session, _VARIANTS, {"product_id": product_id})).all()
    variants = sorted(
        (
            VariantInfo(id=id_, colour=colour, size=size, price=price, quantity=int(quantity))
            for id_, colour, size, price, quantity, _, _ in rows
        ),
        key=lambda info: (info.colour, size_order(info.size)),
    )
    title_de, title_en = (rows[0][5], rows[0][6]) if rows else ("", "")
    return title_de, title_en, tuple(variants)


async def card(session: Session, *, product_id: int, locale: str) -> ProductCard | None:
    """Return the product card in the locale, or None for an unknown product."""
    parameters = {"product_id": product_id}
    row = (await execute_core(session, _HEAD, parameters)).one_or_none()
    if row is None:
        return None
    (id_, sku, title_de, title_en, text_de, text_en, brand, category_de, category_en) = row[:9]
    price, compare_at_price, currency, active = row[9:]
    _, _, variants = await _variants(session, product_id)
    stores = tuple(
        StoreStock(
            store_id=store_id, name=name, city=city, is_warehouse=warehouse, quantity=int(quantity or 0)
        )
        for store_id, name, city, warehouse, quantity in await execute_core(session, _STORES, parameters)
    )
    picture = (await execute_core(session, _PICTURE, parameters)).first()
    german = locale == "de"
    return ProductCard(
        id=id_,
        sku=sku,
        title=title_de if german else title_en,
        description=text_de if german else text_en,
        brand=brand,
        category=category_de if german else category_en,
        price=price,
        compare_at_price=compare_at_price,
        currency=currency,
        colours=tuple(dict.fromkeys(variant.colour for variant in variants)),
        sizes=tuple(sorted({variant.size for variant in variants}, key=size_order)),
        variants=variants,
        stores=stores,
        picture=Picture(*picture) if picture is not None else None,
        active=active,
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """What the cart button offers: the product's title and its variants with their stock."""

    title: str
    variants: tuple[VariantInfo, ...]


async def choice(session: Session, *, product_id: int, locale: str) -> Choice:
    """Return the product's variants for the cart button in one query (none for an unknown product)."""
    title_de, title_en, variants = await _variants(session, product_id)
    return Choice(title=title_de if locale == "de" else title_en, variants=variants)


def normalise_gtin(text: str) -> str | None:
    """Return the 13-digit form of an EAN-8/UPC-A/EAN-13/GTIN-14 number with a valid check digit."""
    digits = "".join(character for character in text if character.isdigit())
    if len(digits) not in {8, 12, 13, 14} or len(digits) != len(text.strip().replace(" ", "")):
        return None
    body, check = digits[:-1], int(digits[-1])
    weighted = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    if (10 - weighted % 10) % 10 != check:
        return None
    if len(digits) == 14:
        return digits[1:] if digits.startswith("0") else digits
    return digits.zfill(13) if len(digits) == 12 else digits


async def by_gtin(session: Session, *, gtin: str) -> tuple[int, int] | None:
    """Find ``(product_id, variant_id)`` by a scanned or typed barcode."""
    code = normalise_gtin(gtin)
    if code is None:
        return None
    candidates = {code, code.lstrip("0").zfill(12), code.zfill(14)}
    row = (
        await session.execute(
            select(Variant.product_id, Variant.id)
            .where(Variant.gtin.in_(candidates))
            .order_by(Variant.id)
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def by_sku(session: Session, *, sku: str, retailer_id: int | None = None) -> int | None:
    """Find the first active product with this SKU (of ``retailer_id``, if given), or None."""
    query = (
        select(Product.id)
        .where(Product.sku == sku.strip(), Product.active.is_(True))
        .order_by(Product.id)
        .limit(1)
    )
    if retailer_id is not None:
        query = query.where(Product.retailer_id == retailer_id)
    found: int | None = await session.scalar(query)
    return found


async def remember_telegram_file(session: Session, *, picture_id: int, file_id: str) -> None:
    """Keep Telegram's id of an uploaded picture, so the next card sends the id instead of the file."""
    await session.execute(
        update(ProductImage).where(ProductImage.id == picture_id).values(telegram_file_id=file_id)
    )


async def pictures(session: Session, *, product_ids: list[int]) -> dict[int, Picture]:
    """Return each product's first picture, for lists of many products at once."""
    rows = await session.scalars(
        select(ProductImage)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.product_id, ProductImage.position.desc())
    )
    # Highest position first, so that the first picture is the one the dictionary keeps.
    return {row.product_id: Picture(row.id, row.path, row.telegram_file_id) for row in rows}


async def category_name(session: Session, *, key: str, locale: str) -> str | None:
    """Return the name of a category given by its slug or its slug without the department (``sneakers``)."""
    name = Category.name_de if locale == "de" else Category.name_en
    found = await session.scalar(
        select(name)
        .where((Category.slug == key) | Category.slug.endswith(f"-{key}"))
        .order_by(Category.slug != key, Category.id)
        .limit(1)
    )
    return str(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """A store as customers see it: where it is and when it is open."""

    id: int
    name: str
    city: str
    address: str
    opening_hours: str | None


async def store(session: Session, *, store_id: int) -> StoreInfo | None:
    """Return the store, or None if there is no such store."""
    row = await session.get(Store, store_id)
    return StoreInfo(row.id, row.name, row.city, row.address, row.opening_hours) if row else None
