"""The demo catalog: a complete shop to try the bot with, loaded once however often it is asked to."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog import demo
from catalog.models import (
    Category,
    PriceChange,
    Product,
    ProductImage,
    ProductTag,
    Retailer,
    Stock,
    Store,
    Variant,
)
from catalog.vocabulary import (
    ADJECTIVES,
    BRANDS_BY_KIND,
    COLOURS,
    KINDS,
    LEAVES,
    MATERIALS,
    OCCASIONS,
    SIZES,
    STYLES,
    Noun,
    title,
)
from core.clock import Clock
from core.db import Database, Session


def _ean13_ok(code: str) -> bool:
    """Check a barcode the way a till does: digits weighted 1, 3, 1, 3, … including the check digit."""
    return (
        len(code) == 13
        and code.isdigit()
        and sum(int(digit) * (1 if index % 2 == 0 else 3) for index, digit in enumerate(code)) % 10 == 0
    )


@pytest.fixture(scope="module")
def drawn_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Give a media folder kept across this module, so tests not about pictures draw them only once."""
    return tmp_path_factory.mktemp("media")


def test_every_kind_draws_on_known_words() -> None:
    for kind in KINDS.values():
        assert set(kind.styles) <= set(STYLES) and set(kind.occasions) <= set(OCCASIONS), kind.key
        assert set(kind.colours) <= set(COLOURS) and len(kind.colours) >= kind.max_colours, kind.key
        assert set(kind.adjectives) <= set(ADJECTIVES), kind.key
        assert {m for noun in kind.nouns for m in noun.materials or kind.materials} <= set(MATERIALS), (
            kind.key
        )
        assert BRANDS_BY_KIND[kind.key], kind.key
    assert all(set(adjective.styles) <= set(STYLES) for adjective in ADJECTIVES.values())
    assert {leaf.kind for leaf in LEAVES} == set(KINDS)


@pytest.mark.parametrize(
    ("noun", "material", "adjective", "colour", "german", "english"),
    [
        (
            Noun("Jacke", "f", "jacket", compounds=True),
            "leather",
            None,
            "red",
            "Rote Lederjacke",
            "Red Leather Jacket",
        ),
        (
            Noun("Etuikleid", "n", "sheath dress"),
            None,
            None,
            "black",
            "Schwarzes Etuikleid",
            "Black Sheath Dress",
        ),
        (
            Noun("Slim-Fit-Jeans", "f", "slim-fit jeans"),
            None,
            None,
            "blue",
            "Blaue Slim-Fit-Jeans",
            "Blue Slim-Fit Jeans",
        ),
        (
            Noun("Mantel", "m", "coat", True),
            "wool",
            "warm",
            "grey",
            "Warmer grauer Wollmantel",
            "Warm Grey Wool Coat",
        ),
        (
            Noun("T-Shirt", "n", "T-shirt", True),
            "cotton",
            "klassisch",
            None,
            "Klassisches Baumwoll-T-Shirt",
            "Classic Cotton T-Shirt",
        ),
        (
            Noun("Sneaker", "m", "sneaker", True),
            "canvas",
            None,
            "white",
            "Weißer Canvas-Sneaker",
            "White Canvas Sneaker",
        ),
        (
            Noun("Kleid", "n", "dress", True),
            "silk",
            "elegant",
            "pink",
            "Elegantes rosa Seidenkleid",
            "Elegant Pink Silk Dress",
        ),
        (Noun("Bluse", "f", "blouse", True), None, None, "beige", "Beige Bluse", "Beige Blouse"),
    ],
)
def test_german_titles_inflect_like_a_native_speaker_writes_them(
    noun: Noun, material: str | None, adjective: str | None, colour: str | None, german: str, english: str
) -> None:
    assert title(
        noun,
        material=MATERIALS[material] if material else None,
        adjective=ADJECTIVES[adjective] if adjective else None,
        colour=COLOURS[colour] if colour else None,
    ) == (german, english)


def test_adjectives_take_the_ending_of_number_and_case() -> None:
    assert [COLOURS["red"].adjective.german(gender) for gender in ("m", "f", "n", "pl")] == [
        "roter",
        "rote",
        "rotes",
        "rote",
    ]
    assert MATERIALS["cotton"].made_of() == ("aus reiner Baumwolle", "made of pure cotton")
    assert MATERIALS["cashmere"].made_of()[0] == "aus weichem Kaschmir"
    assert MATERIALS["linen"].made_of()[0] == "aus luftigem Leinen"
    assert all(p.design.title_de[0].isupper() for p in demo.products())


def test_the_barcode_check_digit_matches_real_barcodes() -> None:
    for real in ("4006381333931", "4005808262618", "5901234123457"):
        assert demo.ean13_check_digit(real[:12]) == int(real[12])
        assert demo.is_valid_ean13(real)
    assert not demo.is_valid_ean13("4006381333932")
    assert _ean13_ok(demo.ean13(12345))


async def test_loading_builds_a_complete_shop(session: Session, media_dir: Path, clock: Clock) -> None:
    summary = await demo.load(session, media_dir=media_dir, now=clock.now())

    products = list(await session.scalars(select(Product).order_by(Product.sku)))
    assert 280 <= len(products) <= 320
    assert summary.products.created == len(products) and summary.products.existing == 0
    assert summary.images.created == len(products)
    assert all(p.title_de and p.title_en for p in products)
    # A few names are the same in both languages ("Beige Clutch"); nearly all are not.
    assert sum(p.title_de != p.title_en for p in products) > 0.95 * len(products)
    assert all(p.description_de.startswith(p.title_de) and "Ideal für" in p.description_de for p in products)
    assert all(p.description_en.startswith(p.title_en) and "Ideal for" in p.description_en for p in products)
    assert all(p.currency == "EUR" and p.price > 0 and p.brand_id is not None for p in products)

    variants = list(await session.scalars(select(Variant)))
    per_product = Counter(v.product_id for v in variants)
    assert all(per_product[p.id] >= 1 for p in products)
    assert all(_ean13_ok(v.gtin or "") for v in variants)
    assert len({v.gtin for v in variants}) == len(variants)
    assert {v.colour for v in variants} <= set(COLOURS)
    assert {v.size for v in variants} <= {size for sizes in SIZES.values() for size in sizes}
    assert {"W32", "42", "M", "one size"} <= {v.size for v in variants}

    pictures = {i.product_id: i for i in await session.scalars(select(ProductImage))}
    assert set(pictures) == {p.id for p in products}
    for picture in pictures.values():
        with Image.open(media_dir / picture.path) as file:
            assert file.size == (picture.width, picture.height) == (640, 640)

    tags = Counter((tag.product_id, tag.kind) for tag in await session.scalars(select(ProductTag)))
    assert all(tags[(p.id, kind)] >= 1 for p in products for kind in ("style", "occasion", "material"))

    parents = select(Category.parent_id).where(Category.parent_id.is_not(None))
    leaf_ids = set(await session.scalars(select(Category.id).where(Category.id.not_in(parents))))
    assert {p.category_id for p in products} == leaf_ids
    assert set(await session.scalars(select(Category.slug).where(Category.parent_id.is_(None)))) == {
        "women",
        "men",
        "accessories",
        "home",
    }


async def test_three_shops_and_the_warehouse_stock_every_variant(
    session: Session, drawn_media: Path, clock: Clock
) -> None:
    await demo.load(session, media_dir=drawn_media, now=clock.now())

    stores = list(await session.scalars(select(Store)))
    assert sorted(s.city for s in stores if not s.is_warehouse) == ["Berlin", "Hamburg", "München"]
    assert [s.code for s in stores if s.is_warehouse] == ["ONLINE"]
    assert all(s.address and (s.opening_hours or s.is_warehouse) for s in stores)

    variant_count = await session.scalar(select(func.count()).select_from(Variant))
    quantities = {
        store.code: [
            q for (q,) in await session.execute(select(Stock.quantity).where(Stock.store_id == store.id))
        ]
        for store in stores
    }
    for store in stores:
        assert len(quantities[store.code]) == variant_count
    shops = [q for store in stores if not store.is_warehouse for q in quantities[store.code]]
    assert 0 in shops and any(1 <= q <= 3 for q in shops) and max(shops) > 3
    assert sum(quantities["ONLINE"]) > sum(quantities["BER-MITTE"])

    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            stock = await session.scalar(select(Stock).limit(1))
            assert stock is not None
            stock.quantity = -1
            await session.flush()


async def test_sales_are_recorded_as_price_changes(session: Session, drawn_media: Path, clock: Clock) -> None:
    await demo.load(session, media_dir=drawn_media, now=clock.now())

    on_sale = list(await session.scalars(select(Product).where(Product.compare_at_price.is_not(None))))
    changes = {c.product_id: c for c in await session.scalars(select(PriceChange))}

    assert 20 <= len(on_sale) <= 120
    assert set(changes) == {p.id for p in on_sale}
    for product in on_sale:
        assert product.compare_at_price is not None and product.compare_at_price > product.price
        change = changes[product.id]
        assert (change.price, change.previous_price) == (product.price, product.compare_at_price)


async def test_loading_twice_adds_nothing(db: Database, media_dir: Path, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        first = await demo.load(session, media_dir=media_dir, now=clock.now())
        before = await _row_counts(session)
    (media_dir / demo.products()[0].image_path).unlink()
    clock.advance(60)

    async with db.unit_of_work() as session:
        second = await demo.load(session, media_dir=media_dir, now=clock.now())
        after = await _row_counts(session)

    assert first.created_anything
    assert second.products.created == second.variants.created == second.stock.created == 0
    assert second.products.existing == first.products.created
    assert second.variants.existing == first.variants.created
    assert second.stores.existing == 4 and second.retailer.existing == 1
    assert second.images.created == 1 and second.images.existing == first.images.created - 1
    assert after == before


async def _row_counts(session: Session) -> dict[str, int]:
    tables = (Retailer, Category, Product, ProductTag, Variant, Store, Stock, ProductImage, PriceChange)
    return {
        table.__tablename__: await session.scalar(select(func.count()).select_from(table)) or 0
        for table in tables
    }


def test_the_catalog_is_the_same_on_every_build() -> None:
    def fingerprint(products: tuple[demo.DemoProduct, ...]) -> list[tuple[str, ...]]:
        return [
            (p.sku, p.design.title_de, str(p.design.price), *(v.gtin for v in p.variants)) for p in products
        ]

    assert fingerprint(demo.products.__wrapped__()) == fingerprint(demo.products())
    skus = [p.sku for p in demo.products()]
    assert len(set(skus)) == len(skus)


def test_descriptions_name_material_colours_and_occasions() -> None:
    catalog = demo.products()
    leather = next(p for p in catalog if p.design.material.key == "leather")
    assert "aus weichem Leder." in leather.description_de
    assert "made of soft leather." in leather.description_en
    three = next(p for p in catalog if len(p.design.colours) == 3)
    assert "In drei Farben erhältlich." in three.description_de
    assert "Available in three colours." in three.description_en
    home = next(p for p in catalog if p.design.occasions == ("home",))
    assert home.description_de.endswith("Ideal für gemütliche Stunden zu Hause.")
    assert home.description_en.endswith("Ideal for cosy hours at home.")
    listed = [p for p in catalog if len(p.design.occasions) == 3]
    assert listed
    assert all(re.search(r"Ideal für [^,.]+, [^,.]+ und [^,.]+\.$", p.description_de) for p in listed)
    assert all(re.search(r"Ideal for [^,.]+, [^,.]+ and [^,.]+\.$", p.description_en) for p in listed)


async def test_pictures_left_for_later_are_drawn_on_demand_or_all_at_once(
    db: Database, media_dir: Path, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await demo.load(session, media_dir=media_dir, now=clock.now(), draw=False)
        rows = list(await session.scalars(select(ProductImage).order_by(ProductImage.id)))
    assert len(rows) == len(demo.products())
    assert not any((media_dir / row.path).exists() for row in rows)

    demo.draw_picture(media_dir=media_dir, path=rows[0].path)
    with Image.open(media_dir / rows[0].path) as picture:
        assert picture.size == (rows[0].width, rows[0].height)
    assert demo.draw_missing(media_dir) == len(rows) - 1
    assert all((media_dir / row.path).is_file() for row in rows)
