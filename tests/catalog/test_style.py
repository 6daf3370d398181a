"""Style advice on a real database with the demo catalog: the quiz, the stored profile, and outfits."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import demo, style
from catalog.models import Category, Product, ProductTag, Stock, Variant
from catalog.vocabulary import CATEGORY_BY_SLUG
from core import privacy, users
from core.clock import Clock
from core.db import Database, Session
from core.money import Money

JONAS_USER = users.Person(id=5_000_000_101, first_name="Jonas", language_code="de")

# A man who likes a classic look, never wears pink, wears M, trousers 50 (jeans W33/W34) and shoes 43.
JONAS = style.Profile(
    occasion="wedding",
    styles=("classic",),
    avoid_colours=("pink",),
    top_size="M",
    bottom_size="50",
    shoe_size="43",
)
# What fits Jonas, by the size scheme of a category.
JONAS_SIZES = {
    "letters-men": {"M"},
    "de-men": {"50"},
    "jeans-men": {"W33", "W34"},
    "shoes-men": {"43"},
    "belts": {"95"},
    "one": {"one size"},
}
REASONS = {
    f"outfit-reason-{topic}{accent}"
    for topic in ("occasion", "anchor", "style")
    for accent in ("", "-accent")
}


def euros(amount: int) -> Money:
    """Give an amount in euros."""
    return Money(Decimal(amount), "EUR")


@pytest.fixture
async def shop(session: Session, demo_media: Path, clock: Clock) -> Session:
    """Give a session on a database holding the demo catalog (pictures drawn once per run)."""
    await demo.load(session, media_dir=demo_media, now=clock.now())
    return session


@dataclass(frozen=True)
class Facts:
    """What the catalog says about the variant an outfit offers."""

    size: str
    colour: str
    units: int
    season: str
    gender: str | None
    size_scheme: str
    styles: frozenset[str]
    occasions: frozenset[str]
    materials: frozenset[str]


async def facts(session: Session, outfits: list[style.Outfit]) -> dict[int, Facts]:
    """Look up every offered variant in the catalog, by variant id."""
    variant_ids = [item.variant_id for outfit in outfits for item in outfit.items]
    units = (
        select(Stock.variant_id, func.sum(Stock.quantity).label("units"))
        .group_by(Stock.variant_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Variant.id,
            Variant.product_id,
            Variant.size,
            Variant.colour,
            units.c.units,
            Product.season,
            Product.gender,
            Category.slug,
        )
        .join(Product, Product.id == Variant.product_id)
        .join(Category, Category.id == Product.category_id)
        .join(units, units.c.variant_id == Variant.id)
        .where(Variant.id.in_(variant_ids))
    )
    tags: dict[tuple[int, str], set[str]] = {}
    for product_id, kind, value in await session.execute(
        select(ProductTag.product_id, ProductTag.kind, ProductTag.value)
    ):
        tags.setdefault((product_id, kind), set()).add(value)
    return {
        variant_id: Facts(
            size=size,
            colour=colour,
            units=int(count),
            season=season,
            gender=gender,
            size_scheme=CATEGORY_BY_SLUG[slug].sizes,
            styles=frozenset(tags.get((product_id, "style"), ())),
            occasions=frozenset(tags.get((product_id, "occasion"), ())),
            materials=frozenset(tags.get((product_id, "material"), ())),
        )
        for variant_id, product_id, size, colour, count, season, gender, slug in rows
    }


def assert_wearable(outfit: style.Outfit, facts: dict[int, Facts], *, budget: Money | None) -> None:
    """Check what any outfit promises: in stock, one category each, total adds up, colours go together."""
    items = outfit.items
    assert len(items) >= 2
    assert len({item.category for item in items}) == len(items)
    assert outfit.total.amount == sum(item.price for item in items)
    assert {item.currency for item in items} == {outfit.total.currency}
    if budget is not None:
        assert outfit.total.amount <= budget.amount and outfit.total.currency == budget.currency
    for item in items:
        fact = facts[item.variant_id]
        assert fact.units > 0, item
        assert (fact.size, fact.colour) == (item.size, item.colour)
    # Neutrals and denim go with everything; other colours only as the harmony table says.
    accents = {
        item.colour
        for item in items
        if item.colour not in style.NEUTRALS and "denim" not in facts[item.variant_id].materials
    }
    assert len(accents) <= 1 or (len(accents) == 2 and frozenset(accents) in style.HARMONY), accents
    # Every piece shares a style with another piece of the outfit.
    for item in items:
        others = [facts[other.variant_id].styles for other in items if other is not item]
        assert any(facts[item.variant_id].styles & styles for styles in others), item
    assert outfit.reason.key in REASONS
    assert all(value.startswith("style-") for value in outfit.reason.args.values())


def assert_fits_jonas(outfit: style.Outfit, facts: dict[int, Facts]) -> None:
    """Check that an outfit is men's wear in Jonas's sizes, with nothing pink, for November."""
    for item in outfit.items:
        fact = facts[item.variant_id]
        assert item.size in JONAS_SIZES[fact.size_scheme], item
        assert fact.gender in ("men", "unisex"), item
        assert item.colour != "pink"
        assert fact.season != "summer", item


def assert_variety(outfits: list[style.Outfit], *, shared: frozenset[int] = frozenset()) -> None:
    """Check that no product (but the one asked about) is in two outfits."""
    products = [
        item.product_id for outfit in outfits for item in outfit.items if item.product_id not in shared
    ]
    assert len(products) == len(set(products))


# --- The quiz and the profile -----------------------------------------------------------------------


def test_the_quiz_asks_for_occasion_styles_colours_sizes_and_budget_in_that_order() -> None:
    assert [(step.field, step.multiple) for step in style.QUIZ] == [
        ("occasion", False),
        ("styles", True),
        ("avoid_colours", True),
        ("top_size", False),
        ("bottom_size", False),
        ("shoe_size", False),
        ("budget", False),
    ]
    steps = {step.field: step for step in style.QUIZ}
    occasions = {option.value: option.label for option in steps["occasion"].options}
    assert occasions["wedding"] == "style-occasion-wedding" and occasions["office"] == "style-occasion-office"
    assert [option.value for option in steps["top_size"].options] == ["XS", "S", "M", "L", "XL", "XXL"]
    bottoms = [option.value for option in steps["bottom_size"].options]
    assert bottoms[:3] == ["34", "36", "38"] and "56" in bottoms and {"W26", "W32", "W38"} <= set(bottoms)
    assert [option.value for option in steps["shoe_size"].options] == [str(size) for size in range(36, 47)]
    assert all(option.label is None for option in steps["shoe_size"].options)
    assert steps["budget"].free_amount
    assert all(
        option.label is not None and option.label.startswith("style-")
        for field in ("occasion", "styles", "avoid_colours", "budget")
        for option in steps[field].options
    )


def test_answers_fill_in_a_profile_and_wrong_answers_are_refused() -> None:
    profile = style.Profile()
    for field, values in (
        ("occasion", ["wedding"]),
        ("styles", ["classic", "elegant"]),
        ("avoid_colours", ["pink"]),
        ("top_size", ["M"]),
        ("bottom_size", ["W32"]),
        ("shoe_size", ["43"]),
        ("budget", ["200"]),
    ):
        profile = style.answer(profile, field=field, values=values)
    assert profile == style.Profile(
        occasion="wedding",
        styles=("elegant", "classic"),
        avoid_colours=("pink",),
        top_size="M",
        bottom_size="W32",
        shoe_size="43",
        budget=euros(200),
    )
    typed = {
        text: style.answer(profile, field="budget", values=[text]).budget
        for text in ("149,90 €", "1.200 Euro", "80")
    }
    assert typed == {
        "149,90 €": Money(Decimal("149.90"), "EUR"),
        "1.200 Euro": euros(1200),
        "80": euros(80),
    }
    assert style.answer(profile, field="budget", values=["any"]).budget is None
    assert style.answer(profile, field="shoe_size", values=[]).shoe_size is None
    for field, values in (
        ("occasion", ["funeral"]),
        ("occasion", ["wedding", "office"]),
        ("top_size", ["XXXL"]),
        ("budget", ["lots"]),
        ("budget", ["-5"]),
        ("favourite_food", ["pizza"]),
    ):
        with pytest.raises(ValueError):
            style.answer(profile, field=field, values=values)


async def test_a_profile_is_saved_shown_replaced_and_deleted(session: Session, clock: Clock) -> None:
    await users.touch(session, person=JONAS_USER, now=clock.now())
    assert await style.get(session, user_id=JONAS_USER.id) is None

    saved = await style.save(session, user_id=JONAS_USER.id, profile=JONAS, now=clock.now())
    assert saved == replace(JONAS, updated_at=clock.now())
    shown = await style.get(session, user_id=JONAS_USER.id)
    assert shown is not None and shown.styles == ("classic",) and shown.updated_at == clock.now()

    clock.advance(3600)
    changed = style.answer(shown, field="budget", values=["150"])
    await style.save(session, user_id=JONAS_USER.id, profile=changed, now=clock.now())
    again = await style.get(session, user_id=JONAS_USER.id)
    assert again is not None and again.budget == euros(150) and again.updated_at == clock.now()

    with pytest.raises(ValueError):
        await style.save(
            session, user_id=JONAS_USER.id, profile=style.Profile(occasion="funeral"), now=clock.now()
        )

    assert await style.delete(session, user_id=JONAS_USER.id)
    assert await style.get(session, user_id=JONAS_USER.id) is None
    assert not await style.delete(session, user_id=JONAS_USER.id)


async def test_the_export_holds_the_profile_and_deleting_the_user_deletes_it(
    db: Database, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await users.touch(session, person=JONAS_USER, now=clock.now())
        await style.save(
            session,
            user_id=JONAS_USER.id,
            profile=style.answer(JONAS, field="budget", values=["200"]),
            now=clock.now(),
        )
    async with db.unit_of_work() as session:
        document = await privacy.export(session, user_id=JONAS_USER.id, now=clock.now())
    async with db.unit_of_work() as session:
        assert await users.erase(session, user_id=JONAS_USER.id)
    async with db.unit_of_work() as session:
        gone = await style.get(session, user_id=JONAS_USER.id)
        empty = await privacy.export(session, user_id=JONAS_USER.id, now=clock.now())

    assert json.loads(json.dumps(document))["style_profile"] == {
        "occasion": "wedding",
        "styles": ["classic"],
        "avoid_colours": ["pink"],
        "sizes": {"top": "M", "bottom": "50", "shoes": "43"},
        "budget": {"amount": "200.00", "currency": "EUR"},
        "updated_at": clock.now().isoformat(),
    }
    assert gone is None and empty["style_profile"] is None


# --- Outfits ----------------------------------------------------------------------------------------


async def test_a_wedding_within_200_euros_gets_complete_outfits_in_his_sizes(
    shop: Session, clock: Clock
) -> None:
    outfits = await style.outfits(shop, occasion="wedding", budget=euros(200), profile=JONAS, now=clock.now())
    known = await facts(shop, outfits)

    assert len(outfits) >= 2
    assert_variety(outfits)
    for outfit in outfits:
        assert_wearable(outfit, known, budget=euros(200))
        assert_fits_jonas(outfit, known)
        kinds = {CATEGORY_BY_SLUG[item.category].kind for item in outfit.items}
        assert kinds & {"shirt", "blouse", "knitwear", "tshirt", "dress", "suit"}
        assert kinds & {"dress-shoe", "boot", "sneaker"}
        assert not kinds & {"tshirt", "sneaker"}, "no T-shirts or sneakers at a wedding"
        assert any("wedding" in known[item.variant_id].occasions for item in outfit.items)
        for item in outfit.items:
            fact = known[item.variant_id]
            assert "wedding" in fact.occasions or (
                fact.styles & {"elegant", "festive", "classic"} and not fact.styles & {"sporty", "outdoor"}
            ), item
        assert outfit.reason.key.startswith("outfit-reason-occasion")
        assert outfit.reason.args["occasion"] == "style-occasion-wedding"


async def test_the_office_within_150_euros(shop: Session, clock: Clock) -> None:
    outfits = await style.outfits(shop, occasion="office", budget=euros(150), profile=JONAS, now=clock.now())
    known = await facts(shop, outfits)

    assert outfits
    for outfit in outfits:
        assert_wearable(outfit, known, budget=euros(150))
        assert_fits_jonas(outfit, known)
        assert any("office" in known[item.variant_id].occasions for item in outfit.items)
        assert outfit.reason.args["occasion"] == "style-occasion-office"


async def test_outfits_are_built_around_a_pair_of_blue_jeans_from_the_shop(
    shop: Session, clock: Clock
) -> None:
    jeans = await shop.scalar(
        select(Variant.product_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Category, Category.id == Product.category_id)
        .join(Stock, Stock.variant_id == Variant.id)
        .where(
            Category.slug == "men-jeans",
            Variant.colour == "blue",
            Variant.size.in_(("W33", "W34")),
            Stock.quantity > 0,
        )
        .order_by(Variant.product_id)
        .limit(1)
    )
    assert jeans is not None
    anchor = style.Anchor(product_id=jeans, colour="blue")
    outfits = await style.outfits(
        shop, occasion=None, budget=None, profile=JONAS, now=clock.now(), anchor=anchor
    )
    known = await facts(shop, outfits)

    assert len(outfits) == 3
    assert_variety(outfits, shared=frozenset({jeans}))
    for outfit in outfits:
        assert_wearable(outfit, known, budget=None)
        assert_fits_jonas(outfit, known)
        worn = [item for item in outfit.items if item.product_id == jeans]
        assert len(worn) == 1 and worn[0].colour == "blue" and worn[0].size in {"W33", "W34"}
        kinds = [CATEGORY_BY_SLUG[item.category].kind for item in outfit.items]
        assert kinds.count("jeans") == 1 and not {"trousers", "skirt", "dress", "suit"} & set(kinds)
        assert {"tshirt", "shirt", "knitwear"} & set(kinds) and {"sneaker", "boot", "dress-shoe"} & set(kinds)
        # Everything shares a style with the jeans.
        jeans_styles = known[worn[0].variant_id].styles
        assert all(known[item.variant_id].styles & jeans_styles for item in outfit.items)
        assert outfit.reason.key.startswith("outfit-reason-anchor")

    within = await style.outfits(
        shop, occasion=None, budget=euros(260), profile=JONAS, now=clock.now(), anchor=anchor
    )
    assert within and all(outfit.total.amount <= 260 for outfit in within)
    assert all(jeans in {item.product_id for item in outfit.items} for outfit in within)


async def test_outfits_go_with_jeans_the_user_already_owns(shop: Session, clock: Clock) -> None:
    owned = style.Anchor(category="men-jeans", colour="blue")
    outfits = await style.outfits(
        shop, occasion=None, budget=euros(200), profile=JONAS, now=clock.now(), anchor=owned
    )
    known = await facts(shop, outfits)

    assert len(outfits) >= 2
    assert_variety(outfits)
    for outfit in outfits:
        assert_fits_jonas(outfit, known)
        assert outfit.total.amount <= 200
        kinds = {CATEGORY_BY_SLUG[item.category].kind for item in outfit.items}
        assert not kinds & {"jeans", "trousers", "skirt", "dress", "suit"}, "the jeans are already there"
        assert kinds & {"tshirt", "shirt", "knitwear"} and kinds & {"sneaker", "boot", "dress-shoe"}

    # Shoes named the way the search reads them ("zu meinen schwarzen Schuhen"), for the office.
    black_shoes = style.Anchor(category="shoes", colour="black")
    around_shoes = await style.outfits(
        shop, occasion="office", budget=None, profile=JONAS, now=clock.now(), anchor=black_shoes
    )
    assert around_shoes
    for outfit in around_shoes:
        kinds = {CATEGORY_BY_SLUG[item.category].kind for item in outfit.items}
        assert not kinds & {"sneaker", "boot", "dress-shoe"} and kinds & {"shirt", "knitwear", "suit"}

    with pytest.raises(ValueError):
        await style.outfits(
            shop,
            occasion=None,
            budget=None,
            profile=None,
            now=clock.now(),
            anchor=style.Anchor(category="home-vases"),
        )


async def test_a_budget_too_small_for_any_outfit_gives_none(shop: Session, clock: Clock) -> None:
    assert (
        await style.outfits(shop, occasion="wedding", budget=euros(40), profile=JONAS, now=clock.now()) == []
    )


async def test_the_same_request_gives_the_same_outfits(shop: Session, clock: Clock) -> None:
    async def ask() -> list[style.Outfit]:
        return await style.outfits(
            shop, occasion="everyday", budget=euros(300), profile=None, now=clock.now()
        )

    first = await ask()
    assert len(first) == 3 and await ask() == first


async def test_three_outfits_share_no_piece_and_respect_the_season(shop: Session) -> None:
    for now, out_of_season in (
        (datetime(2026, 11, 23, tzinfo=UTC), "summer"),
        (datetime(2026, 7, 1, tzinfo=UTC), "winter"),
    ):
        outfits = await style.outfits(shop, occasion="everyday", budget=None, profile=None, now=now)
        known = await facts(shop, outfits)
        assert len(outfits) == 3
        assert_variety(outfits)
        for outfit in outfits:
            assert_wearable(outfit, known, budget=None)
            assert all(known[item.variant_id].season != out_of_season for item in outfit.items)
            genders = {known[item.variant_id].gender for item in outfit.items} - {"unisex", None}
            assert len(genders) == 1, "one outfit is women's or men's wear, not both"
