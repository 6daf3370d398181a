"""The product card, barcode lookup and the cached Telegram picture id, on the demo catalog."""

from __future__ import annotations

from sqlalchemy import select

from catalog import products
from catalog.models import Product, Variant
from core.db import Database


async def _first_product(db: Database, *, title_contains: str) -> Product:
    async with db.unit_of_work() as session:
        product = await session.scalar(
            select(Product).where(Product.title_en.contains(title_contains)).order_by(Product.id).limit(1)
        )
    assert product is not None
    return product


async def test_the_card_shows_titles_prices_variants_and_stock_by_store(demo_catalog: Database) -> None:
    jeans = await _first_product(demo_catalog, title_contains="Jeans")
    async with demo_catalog.unit_of_work() as session:
        german = await products.card(session, product_id=jeans.id, locale="de")
        english = await products.card(session, product_id=jeans.id, locale="en")

    assert german is not None and english is not None
    assert german.title == jeans.title_de and english.title == jeans.title_en
    assert german.price == jeans.price and german.currency == "EUR"
    assert german.sizes == tuple(sorted(german.sizes, key=products.size_order))
    assert {variant.colour for variant in german.variants} == set(german.colours)
    assert [store.is_warehouse for store in german.stores][-1] is True, "online stock comes last"
    assert sum(store.quantity for store in german.stores) == sum(
        variant.quantity for variant in german.variants
    )
    assert german.picture is not None and german.picture.path.endswith(".png")


async def test_an_unknown_product_has_no_card(demo_catalog: Database) -> None:
    async with demo_catalog.unit_of_work() as session:
        assert await products.card(session, product_id=10**9, locale="de") is None


async def test_a_barcode_finds_its_variant(demo_catalog: Database) -> None:
    async with demo_catalog.unit_of_work() as session:
        variant = await session.scalar(select(Variant).where(Variant.gtin.is_not(None)).limit(1))
        assert variant is not None and variant.gtin is not None
        found = await products.by_gtin(session, gtin=variant.gtin)
        wrong_check_digit = variant.gtin[:-1] + str((int(variant.gtin[-1]) + 1) % 10)
        assert await products.by_gtin(session, gtin=wrong_check_digit) is None
        assert await products.by_gtin(session, gtin="4006381333931") is None
    assert found == (variant.product_id, variant.id)


async def test_a_sku_finds_the_first_active_product(demo_catalog: Database) -> None:
    async with demo_catalog.unit_of_work() as session:
        first, second = (await session.scalars(select(Product).order_by(Product.id).limit(2))).all()
        assert await products.by_sku(session, sku=f" {first.sku} ") == first.id
        assert await products.by_sku(session, sku="NO-SUCH-SKU") is None
        first.active = False
        await session.flush()
        assert await products.by_sku(session, sku=first.sku) is None
        assert await products.by_sku(session, sku=second.sku) == second.id


def test_barcode_numbers_are_checked_and_normalised() -> None:
    assert products.normalise_gtin("4006381333931") == "4006381333931"
    assert products.normalise_gtin("04006381333931") == "4006381333931"
    assert products.normalise_gtin("036000291452") == "0036000291452"
    assert products.normalise_gtin("96385074") == "96385074"
    assert products.normalise_gtin("4006381333932") is None
    assert products.normalise_gtin("12345") is None
    assert products.normalise_gtin("40063813339x1") is None


async def test_the_telegram_file_id_is_remembered(demo_catalog: Database) -> None:
    jeans = await _first_product(demo_catalog, title_contains="Jeans")
    async with demo_catalog.unit_of_work() as session:
        card = await products.card(session, product_id=jeans.id, locale="de")
        assert card is not None and card.picture is not None
        await products.remember_telegram_file(session, picture_id=card.picture.id, file_id="AgAD-1")
    async with demo_catalog.unit_of_work() as session:
        again = await products.card(session, product_id=jeans.id, locale="de")
    assert again is not None and again.picture is not None and again.picture.telegram_file_id == "AgAD-1"


def test_sizes_sort_naturally() -> None:
    assert sorted(["XL", "S", "M", "XS"], key=products.size_order) == ["XS", "S", "M", "XL"]
    assert sorted(["42", "38", "40.5"], key=products.size_order) == ["38", "40.5", "42"]
    assert sorted(["W34", "W28"], key=products.size_order) == ["W28", "W34"]


async def test_pictures_of_many_products_at_once(demo_catalog: Database) -> None:
    async with demo_catalog.unit_of_work() as session:
        ids = list((await session.scalars(select(Product.id).order_by(Product.id).limit(5))).all())
        found = await products.pictures(session, product_ids=[*ids, 10**9])
        card = await products.card(session, product_id=ids[0], locale="en")
    assert set(found) == set(ids)
    assert card is not None and card.picture == found[ids[0]]
