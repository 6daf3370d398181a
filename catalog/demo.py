"""The demo catalog: an invented fashion-and-home retailer with three shops and an online warehouse.

About 300 products in German and English across the whole category tree, with sizes, colours, barcodes,
stock per shop, sale prices and a picture each. Everything is derived from fixed seeds, so every run
builds the same catalog, and :func:`load` only adds what is missing.
"""

from __future__ import annotations

import asyncio
import random
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, insert, select, true
from sqlalchemy.orm import InstrumentedAttribute

from catalog import images, prices
from catalog.models import Brand, Category, Product, ProductImage, ProductTag, Retailer, Stock, Store, Variant
from catalog.vocabulary import (
    BRANDS,
    CATEGORIES,
    FIT_WORDS,
    LEAVES,
    OCCASIONS,
    SEASON_SENTENCES,
    Design,
    design,
)
from core.db import Base, Session

RETAILER_SLUG = "kaufrunde-demo"
RETAILER_NAME = "Kaufrunde Demo"
CURRENCY = "EUR"
PRODUCTS_PER_CATEGORY = 8
SEED = 2026
# GS1 prefixes 20–29 are for numbers a company assigns for its own use; they never clash with goods on
# the open market.
GTIN_PREFIX = "24"


@dataclass(frozen=True, slots=True)
class DemoStore:
    """A shop of the demo retailer (or its warehouse, which serves home delivery)."""

    code: str
    name: str
    city: str
    address: str
    opening_hours: str | None
    is_warehouse: bool = False


_SHOP_HOURS = "Mo–Fr 10:00–20:00, Sa 10:00–18:00"

STORES: tuple[DemoStore, ...] = (
    DemoStore(
        "BER-MITTE",
        "Kaufrunde Demo Berlin Mitte",
        "Berlin",
        "Rosenthaler Straße 40, 10178 Berlin",
        _SHOP_HOURS,
    ),
    DemoStore(
        "HAM-ALTONA",
        "Kaufrunde Demo Hamburg Altona",
        "Hamburg",
        "Ottenser Hauptstraße 12, 22765 Hamburg",
        _SHOP_HOURS,
    ),
    DemoStore(
        "MUC-SCHWABING",
        "Kaufrunde Demo München Schwabing",
        "München",
        "Leopoldstraße 58, 80802 München",
        "Mo–Sa 10:00–19:00",
    ),
    DemoStore(
        "ONLINE", "Kaufrunde Demo Versandlager", "Erfurt", "Am Logistikpark 3, 99091 Erfurt", None, True
    ),
)


@dataclass(frozen=True, slots=True)
class DemoVariant:
    """A size and colour of a demo product with its barcode and units per store (in STORES order)."""

    sku: str
    colour: str
    size: str
    gtin: str
    stock: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """A demo product: its design, texts, variants and picture."""

    sku: str
    design: Design
    description_de: str
    description_en: str
    variants: tuple[DemoVariant, ...]
    image_path: str


@dataclass(frozen=True, slots=True)
class Count:
    """How many rows of a kind were added and how many were there already."""

    created: int
    existing: int

    @property
    def total(self) -> int:
        """Return created plus existing."""
        return self.created + self.existing


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What :func:`load` found and added; ``images`` counts picture files drawn and re-used."""

    retailer_id: int
    retailer: Count
    brands: Count
    categories: Count
    stores: Count
    products: Count
    variants: Count
    stock: Count
    images: Count

    def __str__(self) -> str:
        return (
            f"{self.products.total} products ({self.products.created} new), "
            f"{self.variants.total} variants ({self.variants.created} new), {self.stores.total} stores, "
            f"{self.images.total} pictures"
        )

    @property
    def created_anything(self) -> bool:
        """Tell whether the load added any row or file."""
        return any(
            count.created
            for count in (
                self.retailer,
                self.brands,
                self.categories,
                self.stores,
                self.products,
                self.variants,
                self.stock,
                self.images,
            )
        )


def ean13_check_digit(first12: str) -> int:
    """Return the check digit of a 12-digit EAN-13 body (weights 1 and 3 from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"an EAN-13 body has 12 digits, not {first12!r}")
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    """Tell whether ``code`` is 13 digits with a correct check digit."""
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def ean13(number: int) -> str:
    """Return the demo barcode with the given serial number."""
    body = f"{GTIN_PREFIX}{number:010d}"
    return f"{body}{ean13_check_digit(body)}"


def _listing(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


_COUNT_WORDS = {2: ("zwei", "two"), 3: ("drei", "three"), 4: ("vier", "four")}


def describe(product: Design) -> tuple[str, str]:
    """Write the German and English description of a designed product."""
    made_of_de, made_of_en = product.material.made_of()
    german = [f"{product.title_de} von {product.brand.name} {made_of_de}.", product.kind.detail[0]]
    english = [f"{product.title_en} by {product.brand.name}, {made_of_en}.", product.kind.detail[1]]
    for sentences in (FIT_WORDS.get(product.fit or ""), SEASON_SENTENCES.get(product.season)):
        if sentences is not None:
            german.append(sentences[0])
            english.append(sentences[1])
    if len(product.colours) > 1:
        de_count, en_count = _COUNT_WORDS[len(product.colours)]
        german.append(f"In {de_count} Farben erhältlich.")
        english.append(f"Available in {en_count} colours.")
    german.append(f"Ideal für {_listing([OCCASIONS[o][0] for o in product.occasions], 'und')}.")
    english.append(f"Ideal for {_listing([OCCASIONS[o][1] for o in product.occasions], 'and')}.")
    return " ".join(german), " ".join(english)


def _code(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _units(rng: random.Random, store: DemoStore) -> int:
    roll = rng.random()
    if store.is_warehouse:
        return 0 if roll < 0.08 else rng.randint(5, 60)
    return 0 if roll < 0.25 else rng.randint(1, 3) if roll < 0.45 else rng.randint(4, 20)


def _sizes_and_colours(number: int, sku: str, product: Design) -> tuple[DemoVariant, ...]:
    rng = random.Random(f"{SEED}:stock:{sku}")
    combinations = [(colour, size) for colour in product.colours for size in product.sizes]
    return tuple(
        DemoVariant(
            sku=f"{sku}-{_code(colour)}-{_code(size)}",
            colour=colour,
            size=size,
            gtin=ean13(number * 100 + index),
            stock=tuple(_units(rng, store) for store in STORES),
        )
        for index, (colour, size) in enumerate(combinations)
    )


@cache
def products() -> tuple[DemoProduct, ...]:
    """Build the demo catalog (the same on every call and every machine)."""
    catalog = []
    for leaf_number, leaf in enumerate(LEAVES, start=1):
        rng = random.Random(f"{SEED}:{leaf.slug}")
        titles: set[str] = set()
        while len(titles) < PRODUCTS_PER_CATEGORY:
            candidate = design(rng, leaf)
            if candidate.title_de in titles:
                continue
            titles.add(candidate.title_de)
            number = leaf_number * 100 + len(titles)
            sku = f"KD-{number:04d}"
            description_de, description_en = describe(candidate)
            catalog.append(
                DemoProduct(
                    sku=sku,
                    design=candidate,
                    description_de=description_de,
                    description_en=description_en,
                    variants=_sizes_and_colours(number, sku, candidate),
                    image_path=f"products/{RETAILER_SLUG}/{sku.lower()}.png",
                )
            )
    return tuple(catalog)


async def _add_missing(
    session: Session,
    model: type[Base],
    rows: list[dict[str, Any]],
    *,
    key: tuple[str, ...],
    present: Select[*tuple[Any, ...]],
) -> tuple[Count, list[dict[str, Any]]]:
    """Insert the rows whose key ``present`` does not return; give the count and the inserted rows."""
    found = {tuple(row) for row in await session.execute(present)}
    missing = [row for row in rows if tuple(row[name] for name in key) not in found]
    if missing:
        await session.execute(insert(model), missing)
    return Count(created=len(missing), existing=len(rows) - len(missing)), missing


async def _add_named(
    session: Session,
    model: type[Base],
    rows: list[dict[str, Any]],
    *,
    name: InstrumentedAttribute[str],
    id_: InstrumentedAttribute[int],
    among: ColumnElement[bool],
) -> tuple[dict[str, int], Count, list[dict[str, Any]]]:
    """Insert the rows whose ``name`` is missing ``among`` the existing ones; give every row's id by name."""
    count, added = await _add_missing(
        session, model, rows, key=(name.key,), present=select(name).where(among)
    )
    ids = {key: value for key, value in await session.execute(select(name, id_).where(among))}
    return ids, count, added


async def _categories(session: Session) -> tuple[dict[str, int], Count]:
    """Add the category tree level by level, so every parent has its id before its children."""
    ids: dict[str, int] = {}
    created = existing = 0
    siblings: dict[str | None, int] = {}
    positions = {}
    for category in CATEGORIES:
        positions[category.slug] = siblings.get(category.parent, 0)
        siblings[category.parent] = positions[category.slug] + 1
    level = [category for category in CATEGORIES if category.parent is None]
    while level:
        rows = [
            {
                "slug": category.slug,
                "name_de": category.name_de,
                "name_en": category.name_en,
                "parent_id": ids[category.parent] if category.parent else None,
                "position": positions[category.slug],
            }
            for category in level
        ]
        slugs = [category.slug for category in level]
        level_ids, count, _ = await _add_named(
            session, Category, rows, name=Category.slug, id_=Category.id, among=Category.slug.in_(slugs)
        )
        created, existing = created + count.created, existing + count.existing
        ids |= level_ids
        level = [category for category in CATEGORIES if category.parent in slugs]
    return ids, Count(created=created, existing=existing)


def _picture(product: DemoProduct, media_dir: Path) -> images.GeneratedImage:
    return images.ensure(
        media_dir=media_dir,
        path=product.image_path,
        shape=product.design.shape,
        colour=product.design.colours[0],
        brand=product.design.brand.name,
    )


def _pictures(catalog: tuple[DemoProduct, ...], media_dir: Path) -> list[images.GeneratedImage]:
    # Pillow releases the GIL while it draws and compresses, so threads use every core.
    with ThreadPoolExecutor() as pool:
        return list(pool.map(_picture, catalog, repeat(media_dir)))


def _planned(catalog: tuple[DemoProduct, ...], media_dir: Path) -> list[images.GeneratedImage]:
    """Return the pictures as they are, or will be once drawn (SIZE pixels square), drawing none."""
    return [
        images.GeneratedImage(product.image_path, images.SIZE, images.SIZE, created=False)
        if not (media_dir / product.image_path).is_file()
        else _picture(product, media_dir)
        for product in catalog
    ]


def draw_missing(media_dir: Path) -> int:
    """Draw every demo picture not yet in the media folder (after ``load(draw=False)``); return how many."""
    return sum(picture.created for picture in _pictures(products(), media_dir))


def draw_picture(*, media_dir: Path, path: str) -> None:
    """Draw the demo picture at ``path`` unless it is there already (or is no demo picture)."""
    product = _by_picture().get(path)
    if product is not None:
        _picture(product, media_dir)


@cache
def _by_picture() -> dict[str, DemoProduct]:
    return {product.image_path: product for product in products()}


async def _retailer(session: Session) -> tuple[int, Count]:
    ids, count, _ = await _add_named(
        session,
        Retailer,
        [{"slug": RETAILER_SLUG, "name": RETAILER_NAME}],
        name=Retailer.slug,
        id_=Retailer.id,
        among=Retailer.slug == RETAILER_SLUG,
    )
    return ids[RETAILER_SLUG], count


async def _brands(session: Session) -> tuple[dict[str, int], Count]:
    rows = [{"name": brand.name, "slug": brand.slug} for brand in BRANDS]
    ids, count, _ = await _add_named(session, Brand, rows, name=Brand.name, id_=Brand.id, among=true())
    return ids, count


async def _stores(session: Session, *, retailer_id: int) -> tuple[dict[str, int], Count]:
    rows = [
        {
            "retailer_id": retailer_id,
            "code": store.code,
            "name": store.name,
            "city": store.city,
            "address": store.address,
            "opening_hours": store.opening_hours,
            "is_warehouse": store.is_warehouse,
        }
        for store in STORES
    ]
    ids, count, _ = await _add_named(
        session, Store, rows, name=Store.code, id_=Store.id, among=Store.retailer_id == retailer_id
    )
    return ids, count


async def _products(
    session: Session,
    catalog: tuple[DemoProduct, ...],
    *,
    retailer_id: int,
    brand_ids: dict[str, int],
    category_ids: dict[str, int],
    now: datetime,
) -> tuple[dict[str, int], Count]:
    """Add the missing products with their tags; a new product on sale gets its reduction recorded."""
    rows = [
        {
            "retailer_id": retailer_id,
            "sku": product.sku,
            "title_de": product.design.title_de,
            "title_en": product.design.title_en,
            "description_de": product.description_de,
            "description_en": product.description_en,
            "brand_id": brand_ids[product.design.brand.name],
            "category_id": category_ids[product.design.category.slug],
            "gender": product.design.category.gender,
            "fit": product.design.fit,
            "season": product.design.season,
            # Listed at the regular price; the sale is then a price change like any later one.
            "price": product.design.compare_at_price or product.design.price,
            "compare_at_price": None,
            "currency": CURRENCY,
            "active": True,
            "community_designed": False,
            "created_at": now,
            "updated_at": now,
        }
        for product in catalog
    ]
    ids, count, added = await _add_named(
        session, Product, rows, name=Product.sku, id_=Product.id, among=Product.retailer_id == retailer_id
    )
    by_sku = {product.sku: product.design for product in catalog}
    for row in added:
        offer = by_sku[row["sku"]]
        if offer.compare_at_price is not None:
            await prices.set_price(
                session,
                product_id=ids[row["sku"]],
                price=offer.price,
                compare_at_price=offer.compare_at_price,
                now=now,
            )
    await _add_missing(
        session,
        ProductTag,
        [
            {"product_id": ids[product.sku], "kind": kind, "value": value}
            for product in catalog
            for kind, values in (
                ("style", product.design.styles),
                ("occasion", product.design.occasions),
                ("material", (product.design.material.key,)),
            )
            for value in values
        ],
        key=("product_id", "kind", "value"),
        present=select(ProductTag.product_id, ProductTag.kind, ProductTag.value)
        .join(Product, Product.id == ProductTag.product_id)
        .where(Product.retailer_id == retailer_id),
    )
    return ids, count


async def _variants(
    session: Session, catalog: tuple[DemoProduct, ...], *, retailer_id: int, product_ids: dict[str, int]
) -> tuple[dict[str, int], Count]:
    rows = [
        {
            "product_id": product_ids[product.sku],
            "retailer_id": retailer_id,
            "sku": variant.sku,
            "size": variant.size,
            "colour": variant.colour,
            "gtin": variant.gtin,
            "price": None,
        }
        for product in catalog
        for variant in product.variants
    ]
    ids, count, _ = await _add_named(
        session, Variant, rows, name=Variant.sku, id_=Variant.id, among=Variant.retailer_id == retailer_id
    )
    return ids, count


async def _stock(
    session: Session,
    catalog: tuple[DemoProduct, ...],
    *,
    retailer_id: int,
    store_ids: dict[str, int],
    variant_ids: dict[str, int],
) -> Count:
    rows = [
        {"store_id": store_ids[store.code], "variant_id": variant_ids[variant.sku], "quantity": quantity}
        for product in catalog
        for variant in product.variants
        for store, quantity in zip(STORES, variant.stock, strict=True)
    ]
    count, _ = await _add_missing(
        session,
        Stock,
        rows,
        key=("store_id", "variant_id"),
        present=select(Stock.store_id, Stock.variant_id)
        .join(Store, Store.id == Stock.store_id)
        .where(Store.retailer_id == retailer_id),
    )
    return count


async def _image_rows(
    session: Session,
    catalog: tuple[DemoProduct, ...],
    pictures: list[images.GeneratedImage],
    *,
    retailer_id: int,
    product_ids: dict[str, int],
) -> None:
    rows = [
        {
            "product_id": product_ids[product.sku],
            "position": 0,
            "path": picture.path,
            "width": picture.width,
            "height": picture.height,
            "colour": product.design.colours[0],
            "telegram_file_id": None,
        }
        for product, picture in zip(catalog, pictures, strict=True)
    ]
    await _add_missing(
        session,
        ProductImage,
        rows,
        key=("product_id", "position"),
        present=select(ProductImage.product_id, ProductImage.position)
        .join(Product, Product.id == ProductImage.product_id)
        .where(Product.retailer_id == retailer_id),
    )


async def load(session: Session, *, media_dir: Path, now: datetime, draw: bool = True) -> DemoSummary:
    """Add whatever of the demo catalog is missing (pictures included) and tell what was there.

    With ``draw`` false the rows of pictures not yet drawn are written all the same, and drawing them is
    left to :func:`draw_missing` (or :func:`draw_picture` for one that is needed first).
    """
    catalog = products()
    # Drawing takes a few seconds of CPU; it runs in threads while the catalog is written.
    drawing = asyncio.ensure_future(asyncio.to_thread(_pictures if draw else _planned, catalog, media_dir))
    try:
        summary = await _write(session, catalog, drawing, now=now)
    finally:
        # Nothing draws on once the load is over, not even when writing failed.
        await asyncio.wait([drawing])
    return summary


async def _write(
    session: Session,
    catalog: tuple[DemoProduct, ...],
    drawing: asyncio.Future[list[images.GeneratedImage]],
    *,
    now: datetime,
) -> DemoSummary:
    retailer_id, retailer = await _retailer(session)
    brand_ids, brands = await _brands(session)
    category_ids, categories = await _categories(session)
    store_ids, stores = await _stores(session, retailer_id=retailer_id)
    product_ids, product_count = await _products(
        session, catalog, retailer_id=retailer_id, brand_ids=brand_ids, category_ids=category_ids, now=now
    )
    variant_ids, variant_count = await _variants(
        session, catalog, retailer_id=retailer_id, product_ids=product_ids
    )
    stock = await _stock(
        session, catalog, retailer_id=retailer_id, store_ids=store_ids, variant_ids=variant_ids
    )
    pictures = await drawing
    await _image_rows(session, catalog, pictures, retailer_id=retailer_id, product_ids=product_ids)
    drawn = sum(picture.created for picture in pictures)
    return DemoSummary(
        retailer_id=retailer_id,
        retailer=retailer,
        brands=brands,
        categories=categories,
        stores=stores,
        products=product_count,
        variants=variant_count,
        stock=stock,
        images=Count(created=drawn, existing=len(pictures) - drawn),
    )
