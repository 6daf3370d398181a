"""Search over the demo catalog: hard filters always hold, typos are forgiven, stock comes first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from catalog import demo, prices
from catalog import search as catalog_search
from catalog.models import Product, Stock, Variant
from catalog.query import Query, category_keys, parse, size_key
from catalog.search import REFRESH_SECONDS, Index, Item, Page, Searcher
from core.clock import Clock
from core.db import Database


@pytest.fixture(scope="module")
def drawn_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Give a media folder kept across this module, so the demo's pictures are drawn once."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture
async def searcher(db: Database, drawn_media: Path, clock: Clock) -> AsyncIterator[Searcher]:
    """Give a searcher over the demo catalog."""
    async with db.unit_of_work() as session:
        await demo.load(session, media_dir=drawn_media, now=clock.now())
    loaded = await Searcher.load(db, clock=clock)
    yield loaded
    await loaded.close()


@pytest.fixture
async def catalog(searcher: Searcher, db: Database) -> dict[int, Item]:
    """Give the demo catalog as the index reads it, by product id."""
    async with db.unit_of_work() as session:
        return {item.product_id: item for item in await catalog_search.items(session)}


async def find(searcher: Searcher, text: str, *, limit: int = 10, offset: int = 0) -> Page:
    return await searcher.search(parse(text, lexicon=searcher.lexicon), limit=limit, offset=offset)


def satisfies(item: Item, query: Query) -> bool:
    """Tell whether a product meets a query's hard filters, decided without the index."""
    categories = {*item.category_path, *category_keys(item.category_path)}
    variant_fits = any(
        (not query.colors or variant.colour in query.colors)
        and (query.size is None or size_key(variant.size) == query.size)
        for variant in item.variants
    )
    return (
        (query.category is None or query.category in categories)
        and (query.gender is None or item.gender in (query.gender, "unisex", None))
        and (query.brand is None or item.brand == query.brand)
        and variant_fits
        and (query.min_price is None or item.price >= query.min_price)
        and (query.max_price is None or item.price <= query.max_price)
    )


REQUESTS = [
    "rote Sneaker unter 80 €",
    "Winterjacke Größe M bis 150 Euro",
    "black dress for a wedding",
    "sneakers size 42 from Sohlenfuchs",
    "Herren Hemd weiß Gr. L",
    "Pullover zwischen 50 und 100 €",
    "ab 100 Euro Damen",
    "navy blazer",
    "Kerzen unter 15 €",
    "schwatze Stiefel Gr. 41",
    "Tassen von Scherbenglück",
    "Lederjacke max 300",
]


@pytest.mark.parametrize("text", REQUESTS)
async def test_results_are_exactly_the_products_that_meet_the_filters(
    searcher: Searcher, catalog: dict[int, Item], text: str
) -> None:
    query = parse(text, lexicon=searcher.lexicon)
    page = await searcher.search(query, limit=400)

    expected = {item.product_id for item in catalog.values() if satisfies(item, query)}
    assert expected, f"the demo catalog has nothing for {text!r}"
    assert {hit.product_id for hit in page.hits} == expected
    assert page.total == len(expected)


async def test_a_typo_finds_what_the_right_spelling_finds(searcher: Searcher) -> None:
    for right, typed in (("Sneaker", "Snaeker"), ("Lederjacke", "Lederjake"), ("Pullover", "Pullvoer")):
        assert (await find(searcher, typed, limit=50)).hits == (await find(searcher, right, limit=50)).hits


async def test_a_request_without_filters_finds_only_products_that_match_its_words(
    searcher: Searcher, catalog: dict[int, Item]
) -> None:
    page = await find(searcher, "Oxfrod", limit=50)

    assert page.total >= 2
    for hit in page.hits:
        item = catalog[hit.product_id]
        assert "oxford" in f"{item.title_de} {item.title_en}".lower()
    assert (await find(searcher, "Xylophon")).total == 0
    assert (await find(searcher, "")).total == 0


async def test_keywords_rank_the_products_whose_titles_have_them_first(
    searcher: Searcher, catalog: dict[int, Item]
) -> None:
    page = await find(searcher, "Sneaker retro", limit=50)

    titles = [catalog[hit.product_id].title_en.lower() for hit in page.hits]
    with_word = [index for index, title in enumerate(titles) if "retro" in title]
    assert with_word and with_word == list(range(len(with_word)))
    assert page.total > len(with_word), "products without the word still meet the filters"
    assert page.hits[0].score > page.hits[-1].score


async def test_a_shoppers_occasion_ranks_products_for_it_first(
    searcher: Searcher, catalog: dict[int, Item]
) -> None:
    page = await find(searcher, "Kleid für eine Hochzeit", limit=50)

    tagged = ["wedding" in catalog[hit.product_id].occasions for hit in page.hits]
    assert any(tagged) and tagged == sorted(tagged, reverse=True)


async def test_products_in_stock_come_first(searcher: Searcher, db: Database, clock: Clock) -> None:
    before = await find(searcher, "Sneaker", limit=50)
    sold_out = before.hits[0].product_id
    async with db.unit_of_work() as session:
        variants = select(Variant.id).where(Variant.product_id == sold_out)
        await session.execute(update(Stock).where(Stock.variant_id.in_(variants)).values(quantity=0))
    assert await searcher.refresh()

    after = await find(searcher, "Sneaker", limit=50)

    assert [hit.in_stock for hit in after.hits] == sorted((hit.in_stock for hit in after.hits), reverse=True)
    assert after.hits[-1].product_id == sold_out and not after.hits[-1].in_stock
    assert after.total == before.total


async def test_stock_counts_in_the_asked_size(
    searcher: Searcher, db: Database, catalog: dict[int, Item]
) -> None:
    hits = (await find(searcher, "Sneaker Gr. 42", limit=50)).hits
    product_id = hits[0].product_id
    async with db.unit_of_work() as session:
        size_42 = select(Variant.id).where(Variant.product_id == product_id, Variant.size == "42")
        await session.execute(update(Stock).where(Stock.variant_id.in_(size_42)).values(quantity=0))
    await searcher.refresh()

    in_42 = {hit.product_id: hit for hit in (await find(searcher, "Sneaker Gr. 42", limit=50)).hits}
    in_any = {hit.product_id: hit for hit in (await find(searcher, "Sneaker", limit=50)).hits}

    assert not in_42[product_id].in_stock
    assert in_any[product_id].in_stock, "other sizes of it are still there"


async def test_pages_follow_each_other_without_gaps(searcher: Searcher) -> None:
    whole = await find(searcher, "Damen", limit=30)
    first = await find(searcher, "Damen", limit=10)
    second = await find(searcher, "Damen", limit=10, offset=10)
    third = await find(searcher, "Damen", limit=10, offset=20)
    beyond = await find(searcher, "Damen", limit=10, offset=whole.total)

    assert first.hits + second.hits + third.hits == whole.hits
    assert first.total == second.total == whole.total > 30
    assert beyond.hits == () and beyond.total == whole.total


async def test_gender_keeps_unisex_products_and_waist_sizes_answer_to_their_number(
    searcher: Searcher,
) -> None:
    bags = await find(searcher, "Herren Tasche")
    assert bags.total == (await find(searcher, "Tasche")).total > 0

    jeans = await find(searcher, "Jeans Größe 32", limit=50)
    assert jeans.total == (await find(searcher, "Jeans W32", limit=50)).total > 0


async def test_the_index_adds_updates_and_removes_single_products(catalog: dict[int, Item]) -> None:
    index = Index.build(catalog.values())
    sneakers = Query(text="", category="sneakers", colors=("red",), max_price=Decimal("80"))
    found = index.search(sneakers, limit=100)
    cheap = found.hits[0].product_id

    index.update(replace(catalog[cheap], price=Decimal("120.00")))
    assert cheap not in {hit.product_id for hit in index.search(sneakers, limit=100).hits}
    assert index.search(sneakers).total == found.total - 1

    assert index.remove(cheap) and not index.remove(cheap)
    assert cheap not in index
    index.add(catalog[cheap])
    assert index.search(sneakers, limit=100).total == found.total
    with pytest.raises(ValueError, match="indexed already"):
        index.add(catalog[cheap])

    new = replace(
        catalog[cheap], product_id=10**6, sku="NEW-1", title_de="Zauberschuh", title_en="Magic Shoe"
    )
    index.update(new)
    assert [hit.sku for hit in index.search(Query(text="", keywords=("zauberschuh",))).hits] == ["NEW-1"]


async def test_reindexing_one_product_shows_its_new_price_at_once(
    searcher: Searcher, db: Database, clock: Clock
) -> None:
    hits = (await find(searcher, "rote Sneaker unter 80 €", limit=50)).hits
    product_id = hits[0].product_id
    async with db.unit_of_work() as session:
        await prices.set_price(
            session, product_id=product_id, price=Decimal("99.00"), compare_at_price=None, now=clock.now()
        )

    await searcher.reindex(product_id=product_id)

    after = {hit.product_id for hit in (await find(searcher, "rote Sneaker unter 80 €", limit=50)).hits}
    assert product_id not in after and len(after) == len(hits) - 1
    async with db.unit_of_work() as session:
        await session.execute(update(Product).where(Product.id == product_id).values(active=False))
    await searcher.reindex(product_id=product_id)
    assert product_id not in {hit.product_id for hit in (await find(searcher, "Sneaker", limit=100)).hits}


async def test_the_index_is_rebuilt_when_the_catalog_changed_and_the_check_is_due(
    searcher: Searcher, db: Database, clock: Clock
) -> None:
    assert not await searcher.refresh(), "nothing changed"
    product_id = (await find(searcher, "Sneaker")).hits[0].product_id
    async with db.unit_of_work() as session:
        await session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(title_de="Zauberschuh", title_en="Magic shoe", updated_at=clock.advance(1))
        )

    assert (await find(searcher, "Zauberschuh")).total == 0, "the check is not due yet"
    clock.advance(REFRESH_SECONDS)
    await find(searcher, "Zauberschuh")  # due now: starts the rebuild beside the searches
    await searcher.close()

    assert [hit.product_id for hit in (await find(searcher, "Zauberschuh")).hits] == [product_id]
    assert not await searcher.refresh()


async def test_similar_items_share_the_category_then_the_one_above(
    searcher: Searcher, catalog: dict[int, Item]
) -> None:
    product_id = (await find(searcher, "Damen Sneaker")).hits[0].product_id
    item = catalog[product_id]

    similar = await searcher.similar(product_id=product_id, limit=12)

    leaf, parent = item.category_path[-1], item.category_path[-2]
    paths = [catalog[hit.product_id].category_path for hit in similar]
    assert product_id not in {hit.product_id for hit in similar} and len(similar) == 12
    in_leaf = [leaf in path for path in paths]
    assert in_leaf == sorted(in_leaf, reverse=True) and 0 < sum(in_leaf) < 12
    assert all(parent in path for path in paths)
    first = [hit for hit, inside in zip(similar, in_leaf, strict=True) if inside]
    assert [hit.in_stock for hit in first] == sorted((hit.in_stock for hit in first), reverse=True)
    assert await searcher.similar(product_id=-1) == []


async def test_results_describe_hits_in_the_readers_language(
    searcher: Searcher, db: Database, catalog: dict[int, Item]
) -> None:
    page = await find(searcher, "black dress for a wedding", limit=3)

    async with db.unit_of_work() as session:
        english = await catalog_search.results(session, hits=page.hits, locale="en")
        german = await catalog_search.results(session, hits=page.hits, locale="de")

    assert [result.sku for result in english] == [hit.sku for hit in page.hits]
    first, item = english[0], catalog[page.hits[0].product_id]
    assert first.title == item.title_en and german[0].title == item.title_de
    assert first.category_path == ("Women", "Dresses") and german[0].category_path == ("Damen", "Kleider")
    assert "black" in first.colors and first.sizes and first.price == item.price and first.currency == "EUR"
    assert first.brand == item.brand and first.score == page.hits[0].score
