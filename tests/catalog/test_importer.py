"""Catalog import: good rows land, bad rows are reported by line and reason, a second run changes nothing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from catalog import demo, importer, prices
from catalog.models import (
    Brand,
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
from core.clock import Clock
from core.db import Database

SHOP = "test-shop"
HEADER = (
    "sku,variant_sku,title_de,title_en,brand,category,colour,size,gtin,price,compare_at_price,stock,styles"
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything an import writes for one retailer, in plain values."""

    products: dict[str, tuple[Any, ...]]
    variants: dict[str, tuple[Any, ...]]
    stock: dict[tuple[str, str], int]
    tags: dict[str, set[tuple[str, str]]]
    price_changes: int


async def add_shop(db: Database, slug: str = SHOP) -> None:
    """Add a retailer with two shops and a warehouse, a small category tree and a brand."""
    async with db.unit_of_work() as session:
        retailer = Retailer(slug=slug, name=slug.title())
        session.add(retailer)
        await session.flush()
        for code, warehouse in (("BER", False), ("HAM", False), ("WEB", True)):
            session.add(
                Store(
                    retailer_id=retailer.id,
                    code=code,
                    name=f"{slug} {code}",
                    city=code.title(),
                    address="Hauptstraße 1",
                    is_warehouse=warehouse,
                )
            )
        if await session.scalar(select(Category.id).where(Category.slug == "women")) is None:
            women = Category(slug="women", name_de="Damen", name_en="Women", position=0)
            home = Category(slug="home", name_de="Wohnen", name_en="Home", position=1)
            session.add_all([women, home, Brand(name="Nordwind", slug="nordwind")])
            await session.flush()
            shoes = Category(slug="women-shoes", name_de="Schuhe", name_en="Shoes", parent_id=women.id)
            session.add(shoes)
            await session.flush()
            session.add(
                Category(slug="women-sneakers", name_de="Sneaker", name_en="Sneakers", parent_id=shoes.id)
            )


@dataclass(frozen=True, slots=True)
class Catalog:
    """Import files for the test shop, their imports, and what those stored."""

    db: Database
    clock: Clock
    folder: Path
    media_dir: Path

    def file(self, name: str, *lines: str) -> Path:
        """Write an import file of the given lines."""
        path = self.folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    async def load(self, path: Path, **options: Any) -> importer.ImportSummary:
        """Import a file, for the test shop unless another retailer is given."""
        options = {"retailer": SHOP, "media_dir": self.media_dir, **options}
        return await importer.import_catalog(self.db, path=path, now=self.clock.now(), **options)

    async def snapshot(self, retailer: str = SHOP) -> Snapshot:
        """Read back a retailer's catalog."""
        async with self.db.unit_of_work() as session:
            retailer_id = await session.scalar(select(Retailer.id).where(Retailer.slug == retailer))
            products = {
                row[0]: tuple(row[1:])
                for row in await session.execute(
                    select(
                        Product.sku,
                        Product.title_de,
                        Product.title_en,
                        Brand.name,
                        Category.slug,
                        Product.price,
                        Product.compare_at_price,
                        Product.currency,
                        Product.active,
                        Product.updated_at,
                    )
                    .join(Category, Category.id == Product.category_id)
                    .outerjoin(Brand, Brand.id == Product.brand_id)
                    .where(Product.retailer_id == retailer_id)
                )
            }
            variants = {
                row[0]: tuple(row[1:])
                for row in await session.execute(
                    select(Variant.sku, Product.sku, Variant.colour, Variant.size, Variant.gtin)
                    .join(Product, Product.id == Variant.product_id)
                    .where(Variant.retailer_id == retailer_id)
                )
            }
            stock = {
                (sku, code): quantity
                for sku, code, quantity in await session.execute(
                    select(Variant.sku, Store.code, Stock.quantity)
                    .join(Variant, Variant.id == Stock.variant_id)
                    .join(Store, Store.id == Stock.store_id)
                    .where(Store.retailer_id == retailer_id)
                )
            }
            tags: dict[str, set[tuple[str, str]]] = {}
            for sku, kind, value in await session.execute(
                select(Product.sku, ProductTag.kind, ProductTag.value)
                .join(Product, Product.id == ProductTag.product_id)
                .where(Product.retailer_id == retailer_id)
            ):
                tags.setdefault(sku, set()).add((kind, value))
            price_changes = await session.scalar(
                select(func.count())
                .select_from(PriceChange)
                .join(Product, Product.id == PriceChange.product_id)
                .where(Product.retailer_id == retailer_id)
            )
        return Snapshot(products, variants, stock, tags, price_changes or 0)


@pytest.fixture
async def catalog(db: Database, clock: Clock, media_dir: Path, tmp_path: Path) -> Catalog:
    """Give the test shop, ready to import into."""
    await add_shop(db)
    return Catalog(db, clock, tmp_path, media_dir)


def reasons(summary: importer.ImportSummary) -> list[tuple[str, str]]:
    """Give each error as (location, reason)."""
    return [(error.location, error.reason) for error in summary.errors]


GOOD = (
    HEADER,
    "SN-1,SN-1-RED-38,Rote Sneaker,Red Sneakers,Nordwind,women/women-shoes/women-sneakers,red,38,"
    "4006381333931,79.90,99.90,BER:3|HAM:0|WEB:12,casual|sporty",
    "SN-1,SN-1-RED-39,Rote Sneaker,Red Sneakers,Nordwind,women/women-shoes/women-sneakers,red,39,,"
    "79.90,99.90,BER:1,casual|sporty",
)
# One row for a whole product: every colour in every size, the same stock for each.
VASE = "VA-1,,Vase,,,home,white|blue,,,24.50,,WEB:4,"


async def test_good_rows_are_imported(catalog: Catalog) -> None:
    summary = await catalog.load(catalog.file("catalog.csv", *GOOD, VASE))

    assert summary.errors == ()
    assert (summary.rows_read, summary.rows_imported) == (3, 3)
    assert summary.products == importer.Tally(created=2, updated=0, unchanged=0)
    assert summary.variants == importer.Tally(created=4, updated=0, unchanged=0)
    assert (summary.stock_levels, summary.price_changes) == (6, 0)
    state = await catalog.snapshot()
    assert state.products["SN-1"][:7] == (
        "Rote Sneaker",
        "Red Sneakers",
        "Nordwind",
        "women-sneakers",
        Decimal("79.90"),
        Decimal("99.90"),
        "EUR",
    )
    # A title given in one language stands in for the other.
    assert state.products["VA-1"][:4] == ("Vase", "Vase", None, "home")
    assert state.variants == {
        "SN-1-RED-38": ("SN-1", "red", "38", "4006381333931"),
        "SN-1-RED-39": ("SN-1", "red", "39", None),
        "VA-1-WHITE-ONESIZE": ("VA-1", "white", "one size", None),
        "VA-1-BLUE-ONESIZE": ("VA-1", "blue", "one size", None),
    }
    assert state.stock == {
        ("SN-1-RED-38", "BER"): 3,
        ("SN-1-RED-38", "HAM"): 0,
        ("SN-1-RED-38", "WEB"): 12,
        ("SN-1-RED-39", "BER"): 1,
        ("VA-1-WHITE-ONESIZE", "WEB"): 4,
        ("VA-1-BLUE-ONESIZE", "WEB"): 4,
    }
    assert state.tags == {"SN-1": {("style", "casual"), ("style", "sporty")}}
    assert state.price_changes == 0


async def test_bad_rows_are_reported_by_line_and_reason_while_the_good_rows_land(catalog: Catalog) -> None:
    category = "women-sneakers"
    path = catalog.file(
        "catalog.csv",
        HEADER,
        f"OK-1,,Gut,Good,,{category},red,38,,10.00,,,",
        f",,Ohne,Without,,{category},red,38,,10.00,,,",
        f'BAD-PRICE,,Preis,Price,,{category},red,38,,"12,3x",,,',
        f"BAD-STORE,,Laden,Store,,{category},red,38,,10.00,,XYZ:3,",
        f"BAD-GTIN,,Code,Code,,{category},red,38,4006381333932,10.00,,,",
        f"BAD-STOCK,,Bestand,Stock,,{category},red,38,,10.00,,BER:-2,",
        f"BAD-COLOUR,,Farbe,Colour,,{category},mint,38,,10.00,,,",
        "BAD-CATEGORY,,Kategorie,Category,,women-sneakrs,red,38,,10.00,,,",
        "",
        f"OK-2,,Auch gut,Also good,,{category},blue,39,,10.00,,,",
    )

    summary = await catalog.load(path)

    assert reasons(summary) == [
        ("line 3", "missing sku"),
        ("line 4", "bad price"),
        ("line 5", "unknown store"),
        ("line 6", "bad GTIN"),
        ("line 7", "negative stock"),
        ("line 8", "unknown colour"),
        ("line 9", "unknown category"),
    ]
    messages = [str(error) for error in summary.errors]
    assert 'line 4: bad price "12,3x"' in messages[1]
    assert 'unknown store "XYZ" (stores: BER, HAM, WEB)' in messages[2]
    assert "check digit" in messages[3] and "should be 1" in messages[3]
    assert 'unknown colour "mint"' in messages[5]
    assert "nearest: women-sneakers" in messages[6]
    assert (summary.rows_read, summary.rows_imported, summary.rows_rejected) == (9, 2, 7)
    assert summary.errors_by_reason()[0] == ("missing sku", 1)
    assert set((await catalog.snapshot()).products) == {"OK-1", "OK-2"}


async def test_a_row_with_several_faults_names_them_all(catalog: Catalog) -> None:
    summary = await catalog.load(
        catalog.file("catalog.csv", HEADER, "X-1,,,,,nowhere,mint,38,123,abc,,BER:x,")
    )

    assert {reason for _, reason in reasons(summary)} == {
        "missing title",
        "unknown category",
        "bad price",
        "unknown colour",
        "bad GTIN",
        "bad stock",
    }
    assert summary.rows_rejected == 1
    assert (await catalog.snapshot()).products == {}


async def test_skus_with_quotes_and_signs_are_stored_as_written(catalog: Catalog) -> None:
    skus = ["O'NEIL-1", 'ZOLL-12"', "50%-OFF", "BACK\\SLASH", "ÄRMEL;1"]
    quoted = ['"' + sku.replace('"', '""') + '"' for sku in skus]
    path = catalog.file(
        "catalog.csv",
        "sku,title_de,category,colour,price",
        *(f"{cell},Hemd,home,red,10.00" for cell in quoted),
    )

    first = await catalog.load(path)
    second = await catalog.load(path)

    assert first.products.created == second.products.unchanged == len(skus)
    assert set((await catalog.snapshot()).products) == set(skus)


async def test_a_second_import_changes_nothing(catalog: Catalog) -> None:
    path = catalog.file("catalog.csv", *GOOD, VASE)
    await catalog.load(path)
    before = await catalog.snapshot()
    catalog.clock.advance(3600)

    again = await catalog.load(path)

    assert again.products == importer.Tally(created=0, updated=0, unchanged=2)
    assert again.variants == importer.Tally(created=0, updated=0, unchanged=4)
    assert (again.stock_levels, again.price_changes, again.errors) == (0, 0, ())
    assert await catalog.snapshot() == before


async def test_a_changed_price_writes_one_price_change(catalog: Catalog) -> None:
    await catalog.load(catalog.file("monday.csv", *GOOD))
    catalog.clock.advance(86400)
    path = catalog.file("tuesday.csv", *(line.replace("79.90", "69.90") for line in GOOD))

    summary = await catalog.load(path)
    await catalog.load(path)

    assert (summary.price_changes, summary.products.updated) == (1, 1)
    async with catalog.db.unit_of_work() as session:
        product_id = await session.scalar(select(Product.id).where(Product.sku == "SN-1"))
        assert product_id is not None
        history = await prices.history(session, product_id=product_id)
    assert history == [
        prices.PricePoint(
            price=Decimal("69.90"),
            previous_price=Decimal("79.90"),
            compare_at_price=Decimal("99.90"),
            currency="EUR",
            changed_at=catalog.clock.now(),
        )
    ]
    assert (await catalog.snapshot()).products["SN-1"][-1] == catalog.clock.now()


async def test_prices_may_have_a_decimal_comma(catalog: Catalog) -> None:
    semicolons = catalog.file(
        "komma.csv", "sku;title_de;category;colour;price;compare_at_price", "K-1;Kissen;home;rot;79,90;99,9"
    )
    quoted = catalog.file("quoted.csv", "sku,title_de,category,colour,price", 'K-2,Kissen,home,rot,"5,5"')

    first = await catalog.load(semicolons)
    second = await catalog.load(quoted)

    assert first.errors == second.errors == ()
    products = (await catalog.snapshot()).products
    assert products["K-1"][4:6] == (Decimal("79.90"), Decimal("99.90"))
    assert products["K-2"][4] == Decimal("5.50")


@pytest.mark.parametrize("price", ["79.999", "-5", "1.299,00", "79.90 €", "12,3x"])
async def test_prices_that_are_not_amounts_are_refused(catalog: Catalog, price: str) -> None:
    path = catalog.file("catalog.csv", "sku;title_de;category;colour;price", f"K-1;Kissen;home;rot;{price}")

    summary = await catalog.load(path)

    assert reasons(summary) == [("line 2", "bad price")]


async def test_german_colour_names_are_stored_in_english(catalog: Catalog) -> None:
    path = catalog.file(
        "farben.csv",
        "sku,title_de,category,colours,price",
        "F-1,Kissen,home,Rot|Weiß|grün|dunkelblau|Gray|weiss,10.00",
    )

    summary = await catalog.load(path)

    assert summary.errors == ()
    colours = {colour for _, colour, _, _ in (await catalog.snapshot()).variants.values()}
    assert colours == {"red", "white", "green", "navy", "grey"}
    assert importer.colour_name("Schwarz") == "black" and importer.colour_name("türkis") is None


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("4006381333931", True),  # EAN-13
        ("96385074", True),  # EAN-8
        ("036000291452", True),  # UPC-A
        ("10012345000017", True),  # GTIN-14
        ("4006381333932", False),
        ("96385075", False),
        ("036000291453", False),
        ("400638133393", False),
        ("40063813339311", False),
        ("4OO6381333931", False),
        ("４００６３８１３３３９３１", False),
    ],
)
def test_barcodes_need_a_correct_check_digit(code: str, valid: bool) -> None:
    assert importer.is_valid_gtin(code) is valid


async def test_stock_is_set_per_store_and_other_stores_keep_theirs(catalog: Catalog) -> None:
    header = "sku,title_de,category,colour,size,price,stock"
    await catalog.load(catalog.file("a.csv", header, "S-1,Schal,home,red,,10.00,BER:3|HAM:0|web:12"))
    first = dict((await catalog.snapshot()).stock)

    summary = await catalog.load(catalog.file("b.csv", header, "S-1,Schal,home,red,,10.00,BER:5"))
    # A plain number is the warehouse's stock.
    await catalog.load(catalog.file("c.csv", header, "S-1,Schal,home,red,,10.00,7"))

    variant = "S-1-RED-ONESIZE"
    assert first == {(variant, "BER"): 3, (variant, "HAM"): 0, (variant, "WEB"): 12}
    assert summary.stock_levels == 1
    assert (await catalog.snapshot()).stock == {(variant, "BER"): 5, (variant, "HAM"): 0, (variant, "WEB"): 7}


async def test_json_and_csv_give_the_same_catalog(catalog: Catalog) -> None:
    for shop in ("csv-shop", "json-shop", "lines-shop"):
        await add_shop(catalog.db, shop)
    csv_file = catalog.file(
        "catalog.csv",
        "sku,title_de,title_en,brand,category,colours,sizes,price,compare_at_price,stock,materials,active",
        'J-1,Jacke,Jacket,Nordwind,women,"red|blue","S|M",149.00,199.00,BER:2|WEB:5,wool|cotton,true',
        "J-2,Becher,Mug,,home,white,,9.50,,7,ceramic,false",
        "J-3,Kaputt,Broken,,home,white,,x,,,,",
    )
    objects: list[dict[str, Any]] = [
        {
            "sku": "J-1",
            "title_de": "Jacke",
            "title_en": "Jacket",
            "brand": "Nordwind",
            "category": "women",
            "colour": ["red", "blue"],
            "sizes": ["S", "M"],
            "price": 149,
            "compare_at_price": "199,00",
            "stock": {"BER": 2, "WEB": 5},
            "materials": ["wool", "cotton"],
            "active": True,
        },
        {
            "sku": "J-2",
            "title_de": "Becher",
            "title_en": "Mug",
            "brand": None,
            "category": "home",
            "colour": "white",
            "price": "9.5",
            "stock": 7,
            "materials": "ceramic",
            "active": False,
        },
        {"sku": "J-3", "title_de": "Kaputt", "title_en": "Broken", "category": "home", "price": "x"},
    ]
    array = catalog.folder / "catalog.json"
    array.write_text(json.dumps(objects, indent=2), encoding="utf-8")
    lines = catalog.file("catalog.jsonl", *(json.dumps(item) for item in objects))

    from_csv = await catalog.load(csv_file, retailer="csv-shop")
    from_json = await catalog.load(array, retailer="json-shop")
    from_lines = await catalog.load(lines, retailer="lines-shop")

    assert reasons(from_csv) == [("line 4", "bad price")]
    assert reasons(from_json) == [("index 2", "bad price")]
    assert reasons(from_lines) == [("line 3", "bad price")]
    csv_state = await catalog.snapshot("csv-shop")
    assert await catalog.snapshot("json-shop") == await catalog.snapshot("lines-shop") == csv_state
    assert csv_state.products["J-1"][4:8] == (Decimal("149.00"), Decimal("199.00"), "EUR", True)
    assert csv_state.products["J-2"][7] is False


async def test_json_objects_may_name_a_column_either_way_but_only_once(catalog: Catalog) -> None:
    path = catalog.file(
        "catalog.jsonl",
        '{"sku": "A-1", "title_de": "Eins", "category": "home", "colour": "rot", "price": 1}',
        '{"sku": "A-2", "title_de": "Zwei", "category": "home", "colours": ["rot", "blau"], "price": 2}',
        '{"sku": "A-3", "title_de": "Drei", "category": "home", "colour": "rot", "colours": "blau"}',
        '{"sku": "A-4", "title_de": "Vier", "category": "home", "colour": "rot", "price": 4',
        "[]",
    )

    summary = await catalog.load(path)

    assert reasons(summary) == [
        ("line 3", "duplicate column"),
        ("line 4", "bad JSON"),
        ("line 5", "not an object"),
    ]
    assert set((await catalog.snapshot()).variants) == {
        "A-1-RED-ONESIZE",
        "A-2-RED-ONESIZE",
        "A-2-BLUE-ONESIZE",
    }


async def test_a_json_number_keeps_its_exact_amount(catalog: Catalog) -> None:
    path = catalog.folder / "catalog.json"
    path.write_text(
        '[{"sku": "P-1", "title_en": "Plate", "category": "home", "colour": "white", "price": 0.1},'
        ' {"sku": "P-2", "title_en": "Bowl", "category": "home", "colour": "white", "price": NaN}]'
    )

    summary = await catalog.load(path)

    assert reasons(summary) == [("index 1", "bad price")]
    assert (await catalog.snapshot()).products["P-1"][4] == Decimal("0.10")


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Give a media folder for the demo catalog's pictures, drawn once for this module."""
    return tmp_path_factory.mktemp("demo-media")


async def test_a_row_for_a_demo_product_updates_it(catalog: Catalog, demo_media: Path) -> None:
    async with catalog.db.unit_of_work() as session:
        await demo.load(session, media_dir=demo_media, now=catalog.clock.now())
    product = next(item for item in demo.products() if item.design.compare_at_price is None)
    catalog.clock.advance(60)
    colours, sizes = "|".join(product.design.colours), "|".join(product.design.sizes)
    path = catalog.file(
        "update.csv",
        "sku,title_en,colours,sizes,price",
        f'{product.sku},New Name,"{colours}","{sizes}",{product.design.price + 10}',
    )

    summary = await catalog.load(path, retailer=demo.RETAILER_SLUG, media_dir=demo_media)

    assert summary.errors == ()
    assert summary.products == importer.Tally(created=0, updated=1, unchanged=0)
    assert summary.variants == importer.Tally(created=0, updated=0, unchanged=len(product.variants))
    assert summary.price_changes == 1
    state = await catalog.snapshot(demo.RETAILER_SLUG)
    title_de, title_en, brand, _, price, *_ = state.products[product.sku]
    # Columns missing from the file leave the product as it was.
    assert (title_de, title_en, brand) == (product.design.title_de, "New Name", product.design.brand.name)
    assert price == product.design.price + 10
    async with catalog.db.unit_of_work() as session:
        description = await session.scalar(select(Product.description_de).where(Product.sku == product.sku))
    assert description == product.description_de


async def test_new_categories_and_brands_are_added(catalog: Catalog) -> None:
    path = catalog.file(
        "garden.csv",
        "sku,title_de,title_en,brand,category,category_name_de,category_name_en,colour,price",
        "G-1,Topf,Pot,Grünzeug,home/home-garden,Garten,Garden,green,12.00",
        "G-2,Kanne,Can,Grünzeug,home/home-garden,,,green,15.00",
        "G-3,Schere,Shears,,home/home-gardn,,,green,15.00",
        "G-4,Hut,Hat,,women/home-garden,,,green,15.00",
    )

    summary = await catalog.load(path)

    assert reasons(summary) == [("line 4", "unknown category"), ("line 5", "bad category")]
    assert "nearest: home-garden" in summary.errors[0].message
    assert 'is under "home", not under "women"' in summary.errors[1].message
    async with catalog.db.unit_of_work() as session:
        garden = (await session.execute(select(Category).where(Category.slug == "home-garden"))).scalar_one()
        home_id = await session.scalar(select(Category.id).where(Category.slug == "home"))
        brand = (await session.execute(select(Brand).where(Brand.slug == "gruenzeug"))).scalar_one()
    assert (garden.parent_id, garden.name_de, garden.name_en) == (home_id, "Garten", "Garden")
    assert brand.name == "Grünzeug"
    in_garden = {sku for sku, row in (await catalog.snapshot()).products.items() if row[3] == "home-garden"}
    assert in_garden == {"G-1", "G-2"}


async def test_products_missing_from_a_file_are_kept_unless_archived(catalog: Catalog) -> None:
    header = "sku,title_de,category,colour,price"
    await catalog.load(catalog.file("all.csv", header, "A-1,Eins,home,red,1.00", "A-2,Zwei,home,red,2.00"))
    fewer = catalog.file("fewer.csv", header, "A-1,Eins,home,red,1.00")

    kept = await catalog.load(fewer)
    after_kept = {sku: row[7] for sku, row in (await catalog.snapshot()).products.items()}
    archived = await catalog.load(fewer, archive_missing=True)

    assert kept.products_archived == 0 and after_kept == {"A-1": True, "A-2": True}
    assert archived.products_archived == 1
    assert {sku: row[7] for sku, row in (await catalog.snapshot()).products.items()} == {
        "A-1": True,
        "A-2": False,
    }


async def test_rows_of_one_product_must_agree_and_name_each_variant_once(catalog: Catalog) -> None:
    path = catalog.file(
        "catalog.csv",
        "sku,variant_sku,title_de,category,colour,size,price",
        "P-1,P-1-A,Hemd,home,red,S,10.00",
        "P-1,P-1-B,Hemd,home,red,M,12.00",
        "P-1,P-1-C,Hemd,home,red,S,10.00",
        "P-2,P-1-A,Hose,home,blue,S,10.00",
        "P-1,P-1-D,Hemd,home,blue,S,10.00",
    )

    summary = await catalog.load(path)

    assert reasons(summary) == [
        ("line 3", "product fields differ"),
        ("line 4", "duplicate variant"),
        ("line 5", "duplicate variant"),
    ]
    assert summary.errors[0].message == "differs from line 2 of product P-1 in price"
    assert set((await catalog.snapshot()).variants) == {"P-1-A", "P-1-D"}


async def test_variants_that_clash_with_stored_ones_are_turned_away(catalog: Catalog) -> None:
    header = "sku,variant_sku,title_de,category,colour,size,price,gtin"
    await catalog.load(catalog.file("a.csv", header, "P-1,P-1-A,Hemd,home,red,S,10.00,"))
    clashes = catalog.file(
        "b.csv",
        header,
        "P-2,P-1-A,Hose,home,blue,S,10.00,",
        "P-1,P-1-X,Hemd,home,red,S,10.00,",
        "P-3,P-3-A,Rock,home,,,10.00,",
    )
    # A stored variant may be named by its SKU alone, here to give it a barcode.
    barcode = catalog.file("c.csv", header, "P-1,P-1-A,Hemd,home,,,10.00,96385074")

    turned_away = await catalog.load(clashes)
    updated = await catalog.load(barcode)

    assert reasons(turned_away) == [
        ("line 2", "variant of another product"),
        ("line 3", "duplicate variant"),
        ("line 4", "missing colour"),
    ]
    assert turned_away.errors[0].message == "variant P-1-A belongs to product P-1"
    assert turned_away.errors[1].message == "red in size S is already variant P-1-A"
    assert updated.variants == importer.Tally(created=0, updated=1, unchanged=0)
    assert (await catalog.snapshot()).variants == {"P-1-A": ("P-1", "red", "S", "96385074")}


async def test_a_new_product_needs_a_title_a_category_and_a_price(catalog: Catalog) -> None:
    await catalog.load(catalog.file("a.csv", "sku,title_de,category,colour,price", "P-1,Hemd,home,red,10.00"))

    summary = await catalog.load(catalog.file("prices.csv", "sku,price", "P-1,8.00", "P-9,8.00"))

    assert reasons(summary) == [("line 3", "missing title")]
    assert summary.errors[0].message == "product P-9 is new and needs title, category"
    assert (await catalog.snapshot()).products["P-1"][4] == Decimal("8.00")


async def test_pictures_are_copied_into_the_media_folder(catalog: Catalog) -> None:
    Image.new("RGB", (40, 30), "red").save(catalog.folder / "vase.png")
    (catalog.folder / "notes.png").write_text("not a picture")
    path = catalog.file(
        "catalog.csv",
        "sku,title_de,category,colour,price,image",
        "V-1,Vase,home,red,10.00,vase.png",
        "V-2,Vase,home,red,10.00,notes.png",
        "V-3,Vase,home,red,10.00,../vase.png",
        "V-4,Vase,home,red,10.00,missing.png",
    )

    first = await catalog.load(path)
    second = await catalog.load(path)

    assert reasons(first) == [("line 3", "bad image"), ("line 4", "bad image"), ("line 5", "bad image")]
    copied = catalog.media_dir / "products" / SHOP / "vase.png"
    assert copied.read_bytes() == (catalog.folder / "vase.png").read_bytes()
    async with catalog.db.unit_of_work() as session:
        image = (await session.execute(select(ProductImage))).scalar_one()
    assert (image.path, image.width, image.height, image.position) == (f"products/{SHOP}/vase.png", 40, 30, 0)
    assert second.products.unchanged == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "there is no file"),
        ("empty.csv", "", "is empty"),
        ("data.csv", "P-1,Hemd,home,red,10.00\n", "no sku column"),
        ("typo.csv", "sku,title_de,prcie\n", 'unknown column "prcie" (did you mean "price"?)'),
        ("twice.csv", "sku,colour,colours\n", "colours appears twice"),
        ("catalog.xlsx", "sku\n", "cannot tell the format"),
        ("broken.json", '[{"sku": "P-1",', "not valid JSON"),
        ("numbers.json", "[1, 2]", "no JSON objects"),
        ("huge.csv", "sku,description_de\nP-1," + "x" * 200_000 + "\n", "line 2 cannot be read as CSV"),
    ],
)
async def test_unusable_files_write_nothing(
    catalog: Catalog, name: str, content: str | None, message: str
) -> None:
    path = catalog.folder / name
    if content is not None:
        path.write_text(content)

    with pytest.raises(importer.UnusableInput, match=re.escape(message)):
        await catalog.load(path, retailer="new-shop", retailer_name="New Shop")

    async with catalog.db.unit_of_work() as session:
        assert await session.scalar(select(Retailer.id).where(Retailer.slug == "new-shop")) is None


async def test_an_unknown_retailer_is_added_only_when_named(catalog: Catalog) -> None:
    path = catalog.file("catalog.csv", "sku,title_de,category,colour,price", "P-1,Hemd,home,red,10.00")

    with pytest.raises(importer.UnusableInput, match='no retailer "new-shop"'):
        await catalog.load(path, retailer="new-shop")
    summary = await catalog.load(path, retailer="new-shop", retailer_name="Neuer Laden")

    assert summary.products.created == 1
    async with catalog.db.unit_of_work() as session:
        assert await session.scalar(select(Retailer.name).where(Retailer.slug == "new-shop")) == "Neuer Laden"


class Crash(Exception):
    """The process dies in the middle of an import."""


async def test_a_crash_keeps_the_batches_written_before_it(catalog: Catalog) -> None:
    rows = (f"P-{number},Hemd,home,red|blue,10.00,3" for number in range(1, 5))
    path = catalog.file("catalog.csv", "sku,title_de,category,colours,price,stock", *rows)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 2:
            raise Crash

    with pytest.raises(Crash):
        await catalog.load(path, batch_size=2, progress=progress)

    state = await catalog.snapshot()
    assert seen == [(0, 4), (2, 4)]
    assert set(state.products) == {"P-1", "P-2"}
    assert len(state.variants) == len(state.stock) == 4
