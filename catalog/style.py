"""Style advice: the style quiz, the style profile it fills in, and outfits put together from the catalog.

An outfit is a few pieces from complementary categories (a top, a bottom and shoes; a dress and shoes; a
suit, a shirt and shoes; each optionally with a jacket or blazer and an accessory) that suit the occasion
and the season, share a style, go together in colour, are in stock in the user's sizes and stay within the
budget. Everything is rule-based and deterministic: the same catalog and request give the same outfits.
Texts are locale keys; every argument of a :class:`Reason` is itself the locale key of a word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from itertools import product as combinations
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, func, or_, select, true
from sqlalchemy import delete as delete_rows
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Category, Product, ProductTag, Stock, Variant
from catalog.models import Money as MoneyColumn
from catalog.vocabulary import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    COLOURS,
    KINDS,
    LEAVES,
    SIZES,
    STYLES,
    CategoryNode,
)
from core import privacy
from core.db import Base, Session, UTCDateTime
from core.money import Money

# --- The words of style advice ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Occasion:
    """What suits an occasion: styles that fit, styles that clash, kinds of product that do not belong."""

    fitting: frozenset[str]
    clashing: frozenset[str]
    out_of_place: frozenset[str] = frozenset()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A piece the retailer tagged with the occasion always suits it; any other piece needs a fitting style,
# no clashing one, and a kind of product that belongs there.
_OCCASIONS: dict[str, _Occasion] = {
    "wedding": _Occasion(
        _words("elegant festive classic"), _words("sporty outdoor"), _words("tshirt sneaker hat")
    ),
    "office": _Occasion(
        _words("business classic minimalist elegant"),
        _words("sporty outdoor festive"),
        _words("tshirt sneaker"),
    ),
    "party": _Occasion(_words("festive elegant casual"), _words("outdoor"), _words("rain-jacket")),
    "date": _Occasion(_words("elegant casual classic"), _words("sporty outdoor"), _words("rain-jacket")),
    "dinner": _Occasion(
        _words("elegant festive classic"), _words("sporty outdoor"), _words("tshirt sneaker hat")
    ),
    "everyday": _Occasion(_words("casual classic minimalist cosy sporty"), _words("festive"), _words("suit")),
    "travel": _Occasion(_words("casual outdoor cosy sporty"), _words("festive"), _words("suit dress-shoe")),
    "sport": _Occasion(
        _words("sporty"), _words("elegant festive business"), _words("suit dress-shoe blazer")
    ),
    "hiking": _Occasion(
        _words("outdoor sporty"), _words("elegant festive business"), _words("suit dress-shoe")
    ),
}
OCCASIONS = tuple(_OCCASIONS)

# Neutrals go with everything, and so does denim.
NEUTRALS = frozenset({"black", "white", "grey", "navy", "beige", "cream", "camel", "brown"})
_DENIM = "denim"

# The colours that are not neutral and still look good together; a colour also goes with itself.
HARMONY = frozenset(
    frozenset(pair)
    for pair in (
        ("blue", "pink"),
        ("blue", "yellow"),
        ("blue", "red"),
        ("blue", "burgundy"),
        ("blue", "olive"),
        ("pink", "green"),
        ("pink", "olive"),
        ("pink", "burgundy"),
        ("green", "yellow"),
        ("green", "burgundy"),
        ("olive", "burgundy"),
        ("olive", "yellow"),
    )
)

# --- Kinds of garment, how outfits are put together -------------------------------------------------

_TOPS = frozenset({"tshirt", "shirt", "blouse", "knitwear"})
_BOTTOMS = frozenset({"jeans", "trousers", "skirt"})
_SHOES = frozenset({"sneaker", "boot", "dress-shoe"})
_COATS = frozenset({"winter-jacket", "leather-jacket", "rain-jacket"})
_ACCESSORIES = frozenset({"bag", "belt", "scarf", "hat"})


@dataclass(frozen=True, slots=True)
class _Slot:
    """A place in an outfit: the kinds of product that may fill it; optional ones only when affordable."""

    kinds: frozenset[str]
    required: bool = True


# The season comes in through the products: winter jackets are offered in the cold months only, linen
# suits not then.
_TEMPLATES: tuple[tuple[_Slot, ...], ...] = (
    (
        _Slot(_TOPS),
        _Slot(_BOTTOMS),
        _Slot(_SHOES),
        _Slot(_COATS | {"blazer"}, required=False),
        _Slot(_ACCESSORIES, required=False),
    ),
    (
        _Slot(frozenset({"dress"})),
        _Slot(_SHOES),
        _Slot(_COATS | {"blazer"}, required=False),
        _Slot(frozenset({"bag"}), required=False),
    ),
    (
        _Slot(frozenset({"suit"})),
        _Slot(frozenset({"shirt", "blouse", "knitwear"})),
        _Slot(_SHOES),
        _Slot(_COATS, required=False),
        _Slot(_ACCESSORIES, required=False),
    ),
)
_WEARABLE = frozenset(kind for template in _TEMPLATES for slot in template for kind in slot.kinds)

_WINTER_MONTHS = frozenset({11, 12, 1, 2})
_SUMMER_MONTHS = frozenset({5, 6, 7, 8})

# How many pieces per slot go into the search: the best ones, and the cheapest ones for tight budgets.
_BEST = 10
_CHEAPEST = 5
# How many alternatives the choice of outfits tries at each step.
_BRANCHES = 8

# --- Sizes ------------------------------------------------------------------------------------------

# Which profile size a size scheme asks for. Dresses, skirts, blazers and suits are sold in the same
# (German confection) sizes as trousers, so the bottom size serves them too.
_SIZE_SCHEMES: dict[str, tuple[str, ...]] = {
    "top_size": ("letters-women", "letters-men"),
    "bottom_size": ("de-women", "de-men", "jeans-women", "jeans-men"),
    "shoe_size": ("shoes-women", "shoes-men"),
}
# Belts are worn at the waist, so the bottom size also gives their length.
_SIZE_FIELD = {scheme: field for field, schemes in _SIZE_SCHEMES.items() for scheme in schemes} | {
    "belts": "bottom_size"
}

# German confection sizes and the jeans waist widths that fit the same person (women 34–44, men 46–56).
_WAIST_WIDTHS: dict[str, tuple[str, ...]] = {
    "34": ("W25", "W26"),
    "36": ("W27", "W28"),
    "38": ("W29", "W30"),
    "40": ("W31", "W32"),
    "42": ("W33", "W34"),
    "44": ("W35", "W36"),
    "46": ("W30", "W31"),
    "48": ("W32",),
    "50": ("W33", "W34"),
    "52": ("W35", "W36"),
    "54": ("W37", "W38"),
    "56": ("W39", "W40"),
}


def _belt_length(width: str) -> str:
    """Return the belt length in centimetres (steps of 5) for a waist width: the waist plus a hand."""
    centimetres = int(width[1:]) * Decimal("2.54") + 10
    return str(5 * round(centimetres / 5))


def _fitting_sizes(scheme: str, profile: Profile) -> tuple[str, ...] | None:
    """Return the sizes of a size scheme that fit the user, best first; None when any size will do."""
    field = _SIZE_FIELD.get(scheme)
    size: str | None = getattr(profile, field) if field is not None else None
    if size is None or field != "bottom_size":
        return None if size is None else (size,)
    widths = (size,) if size.startswith("W") else _WAIST_WIDTHS.get(size, ())
    if scheme == "belts":
        return tuple(dict.fromkeys(_belt_length(width) for width in widths))
    confections = tuple(confection for confection, fitting in _WAIST_WIDTHS.items() if size in fitting)
    return (size, *_WAIST_WIDTHS.get(size, ()), *confections)


# --- The quiz ---------------------------------------------------------------------------------------

QUIZ_CURRENCY = "EUR"
_CENT = Decimal("0.01")
_BUDGETS = ("100", "150", "200", "300", "500")
NO_BUDGET = "any"


@dataclass(frozen=True, slots=True)
class Option:
    """An answer to a quiz step: the value stored and the locale key of its label (None: show the value)."""

    value: str
    label: str | None


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the style quiz; ``field`` is the :class:`Profile` field its answer fills in."""

    field: str
    question: str
    options: tuple[Option, ...]
    multiple: bool = False
    free_amount: bool = False


def _labelled(prefix: str, values: Iterable[str]) -> tuple[Option, ...]:
    return tuple(Option(value, f"{prefix}-{value}") for value in values)


def _sizes(field: str) -> tuple[Option, ...]:
    values = dict.fromkeys(size for scheme in _SIZE_SCHEMES[field] for size in SIZES[scheme])
    return tuple(Option(size, None) for size in values)


QUIZ: tuple[Step, ...] = (
    Step("occasion", "style-quiz-occasion", _labelled("style-occasion", OCCASIONS)),
    Step("styles", "style-quiz-styles", _labelled("style-look", STYLES), multiple=True),
    Step("avoid_colours", "style-quiz-avoid-colours", _labelled("style-colour", COLOURS), multiple=True),
    Step("top_size", "style-quiz-top-size", _sizes("top_size")),
    Step("bottom_size", "style-quiz-bottom-size", _sizes("bottom_size")),
    Step("shoe_size", "style-quiz-shoe-size", _sizes("shoe_size")),
    Step(
        "budget",
        "style-quiz-budget",
        (*_labelled("style-budget", _BUDGETS), Option(NO_BUDGET, f"style-budget-{NO_BUDGET}")),
        free_amount=True,
    ),
)
_STEPS = {step.field: step for step in QUIZ}


@dataclass(frozen=True, slots=True)
class Profile:
    """What the style quiz found out about a user; every answer may be left out."""

    occasion: str | None = None
    styles: tuple[str, ...] = ()
    avoid_colours: tuple[str, ...] = ()
    top_size: str | None = None
    bottom_size: str | None = None
    shoe_size: str | None = None
    budget: Money | None = None
    updated_at: datetime | None = None


def _chosen(step: Step, values: Sequence[str]) -> tuple[str, ...]:
    """Check answers against the step's options; give them in the order of the options."""
    if len(values) > 1 and not step.multiple:
        raise ValueError(f"{step.field} takes one answer, not {len(values)}")
    unknown = set(values) - {option.value for option in step.options}
    if unknown:
        raise ValueError(f"not an answer to {step.field}: {sorted(unknown)}")
    return tuple(option.value for option in step.options if option.value in values)


def _amount(text: str) -> Decimal:
    """Read a typed amount: "150", "150 €", "149,90", "1.200 Euro", "EUR 1,200.50"."""
    digits = re.sub(r"\s|€|euros?|eur", "", text.lower())
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", digits):
        digits = digits.replace(".", "")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?", digits):
        digits = digits.replace(",", "")
    try:
        amount = Decimal(digits.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(_CENT):
        raise ValueError(f"not a budget: {text!r}")
    return amount.quantize(_CENT)


def _budget(step: Step, values: Sequence[str]) -> Money | None:
    if len(values) == 1 and values[0] not in {option.value for option in step.options}:
        return Money(_amount(values[0]), QUIZ_CURRENCY)
    chosen = _chosen(step, values)
    return None if chosen in ((), (NO_BUDGET,)) else Money(Decimal(chosen[0]), QUIZ_CURRENCY)


def answer(profile: Profile, *, field: str, values: Sequence[str]) -> Profile:
    """Return the profile with one quiz step answered (the chosen option values, or a typed budget)."""
    step = _STEPS.get(field)
    if step is None:
        raise ValueError(f"no quiz step {field!r}")
    changes: dict[str, Any]
    if step.field == "budget":
        changes = {"budget": _budget(step, values)}
    elif step.multiple:
        changes = {step.field: _chosen(step, values)}
    else:
        changes = {step.field: next(iter(_chosen(step, values)), None)}
    return replace(profile, **changes)


def _check(profile: Profile) -> None:
    for step in QUIZ:
        value = getattr(profile, step.field)
        if step.field != "budget":
            _chosen(step, value if isinstance(value, tuple) else () if value is None else (value,))
    if profile.budget is not None and profile.budget.amount <= 0:
        raise ValueError("a budget is more than nothing")


# --- The stored profile -----------------------------------------------------------------------------


class StyleProfile(Base):
    """A user's answers to the style quiz."""

    __tablename__ = "style_profiles"
    __table_args__ = (
        CheckConstraint("budget IS NULL OR budget > 0", name="budget_positive"),
        CheckConstraint("(budget IS NULL) = (currency IS NULL)", name="budget_currency"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    occasion: Mapped[str | None] = mapped_column(String(16))
    # A profile is read and written whole and never searched by one style or colour, so these short
    # lists are JSON rather than tables of their own.
    styles: Mapped[list[str]] = mapped_column(JSON)
    avoid_colours: Mapped[list[str]] = mapped_column(JSON)
    top_size: Mapped[str | None] = mapped_column(String(8))
    bottom_size: Mapped[str | None] = mapped_column(String(8))
    shoe_size: Mapped[str | None] = mapped_column(String(8))
    budget: Mapped[Decimal | None] = mapped_column(MoneyColumn)
    currency: Mapped[str | None] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _profile(row: StyleProfile) -> Profile:
    return Profile(
        occasion=row.occasion,
        styles=tuple(row.styles),
        avoid_colours=tuple(row.avoid_colours),
        top_size=row.top_size,
        bottom_size=row.bottom_size,
        shoe_size=row.shoe_size,
        budget=Money(row.budget, row.currency) if row.budget is not None and row.currency else None,
        updated_at=row.updated_at,
    )


async def get(session: Session, *, user_id: int) -> Profile | None:
    """Return the user's style profile, or None if they have not taken the quiz."""
    row = await session.get(StyleProfile, user_id)
    return _profile(row) if row is not None else None


async def save(session: Session, *, user_id: int, profile: Profile, now: datetime) -> Profile:
    """Store the user's style profile, replacing the one they had."""
    _check(profile)
    row = await session.get(StyleProfile, user_id)
    if row is None:
        row = StyleProfile(user_id=user_id)
        session.add(row)
    row.occasion = profile.occasion
    row.styles = list(profile.styles)
    row.avoid_colours = list(profile.avoid_colours)
    row.top_size, row.bottom_size, row.shoe_size = profile.top_size, profile.bottom_size, profile.shoe_size
    row.budget = profile.budget.amount if profile.budget is not None else None
    row.currency = profile.budget.currency if profile.budget is not None else None
    row.updated_at = now
    await session.flush()
    return _profile(row)


async def delete(session: Session, *, user_id: int) -> bool:
    """Delete the user's style profile; True if there was one."""
    result = await session.execute(delete_rows(StyleProfile).where(StyleProfile.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))


# The reminder of an unfinished quiz is a task keyed by the user's id; erasing the user drops it.
REMINDER_TASK = privacy.user_keyed_task("style-reminder")


@privacy.section("style_profile")
async def _export(session: Session, user_id: int) -> Any:
    profile = await get(session, user_id=user_id)
    if profile is None:
        return None
    return {
        "occasion": profile.occasion,
        "styles": list(profile.styles),
        "avoid_colours": list(profile.avoid_colours),
        "sizes": {"top": profile.top_size, "bottom": profile.bottom_size, "shoes": profile.shoe_size},
        "budget": None
        if profile.budget is None
        else {"amount": str(profile.budget.amount), "currency": profile.budget.currency},
        "updated_at": profile.updated_at.isoformat() if profile.updated_at else None,
    }


# --- Outfits ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Anchor:
    """What outfits are built around: a catalog product, or a piece the user owns (category and colour).

    ``category`` is a slug of the category tree (``men-jeans``), the same without the department as the
    search reads it (``jeans``, ``shoes``, ``jackets-coats``) or a kind of product; what it holds has to
    fill one place in an outfit. ``colour`` is the owned piece's, or picks one of a product's colours.
    """

    product_id: int | None = None
    category: str | None = None
    colour: str | None = None

    def __post_init__(self) -> None:
        if (self.product_id is None) == (self.category is None):
            raise ValueError("an anchor is either a catalog product or a category")
        if self.colour is not None and self.colour not in COLOURS:
            raise ValueError(f"unknown colour {self.colour!r}")


@dataclass(frozen=True, slots=True)
class OutfitItem:
    """A piece of an outfit: the product and the variant in the user's size and the outfit's colour."""

    product_id: int
    variant_id: int
    sku: str
    title_de: str
    title_en: str
    category: str
    colour: str
    size: str
    price: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an outfit works, as a locale key; each argument is the locale key of a word to fill in."""

    key: str
    args: dict[str, str]


@dataclass(frozen=True, slots=True)
class Outfit:
    """Pieces that go together, what they cost together, and why they were chosen."""

    items: tuple[OutfitItem, ...]
    total: Money
    reason: Reason


@dataclass(frozen=True, slots=True)
class _Piece:
    """A product in one colour as outfits see it; ``item`` is None for a piece the user already owns."""

    item: OutfitItem | None
    kind: str
    gender: str | None
    colour: str | None
    styles: frozenset[str]
    occasions: frozenset[str]
    neutral: bool
    score: int = 0

    @property
    def product_id(self) -> int | None:
        return self.item.product_id if self.item is not None else None

    @property
    def price(self) -> Decimal:
        return self.item.price if self.item is not None else Decimal(0)

    @property
    def rank(self) -> tuple[int, Decimal, int, str]:
        return (-self.score, self.price, self.product_id or 0, self.colour or "")


@dataclass(frozen=True, slots=True)
class _Request:
    """One request for outfits with everything the rules need to judge a piece.

    ``fitting`` are the styles of the occasion, ``wanted`` those and the anchor's, ``liked`` the user's.
    """

    occasion: str | None
    budget: Money | None
    liked: frozenset[str]
    fitting: frozenset[str]
    wanted: frozenset[str]
    anchor: tuple[_Piece, ...]

    def suits(self, piece: _Piece) -> bool:
        """Tell whether a piece suits the occasion and shares a style with the anchor."""
        if self.occasion is not None and self.occasion not in piece.occasions:
            rules = _OCCASIONS[self.occasion]
            if (
                piece.kind in rules.out_of_place
                or not piece.styles & rules.fitting
                or piece.styles & rules.clashing
            ):
                return False
        return not self.anchor or any(piece.styles & anchor.styles for anchor in self.anchor)

    def score(self, piece: _Piece) -> int:
        """Score a piece: the occasion's tag, the styles the user likes, the styles the request wants."""
        return (
            3 * (self.occasion in piece.occasions)
            + 2 * len(piece.styles & self.liked)
            + len(piece.styles & self.wanted)
        )


@dataclass(frozen=True, slots=True)
class _Variant:
    id: int
    sku: str
    size: str
    colour: str
    price: Decimal | None
    units: int


@dataclass(frozen=True, slots=True)
class _Product:
    id: int
    title_de: str
    title_en: str
    price: Decimal
    currency: str
    gender: str | None
    category: CategoryNode
    styles: frozenset[str]
    occasions: frozenset[str]
    materials: frozenset[str]
    variants: tuple[_Variant, ...]


def _season(now: datetime) -> str | None:
    """Return "winter" or "summer" for the month of ``now``, None between the two."""
    if now.month in _WINTER_MONTHS:
        return "winter"
    return "summer" if now.month in _SUMMER_MONTHS else None


async def _catalog(
    session: Session, *, season: str | None, currency: str | None, anchor_id: int | None
) -> list[_Product]:
    """Load the wearable products for the season (and the anchor) with their tags and in-stock variants."""
    leaves = [leaf.slug for leaf in LEAVES if leaf.kind in _WEARABLE]
    in_season = Product.season.in_(("all", season)) if season is not None else true()
    chosen = (
        select(Product.id)
        .join(Category, Category.id == Product.category_id)
        .where(
            Product.active,
            Category.slug.in_(leaves),
            Product.currency == currency if currency is not None else true(),
            or_(in_season, Product.id == anchor_id) if anchor_id is not None else in_season,
        )
    )
    rows = await session.execute(
        chosen.add_columns(
            Product.title_de, Product.title_en, Product.price, Product.currency, Product.gender, Category.slug
        ).order_by(Product.id)
    )
    tags: dict[tuple[int, str], set[str]] = {}
    for product_id, kind, value in await session.execute(
        select(ProductTag.product_id, ProductTag.kind, ProductTag.value).where(
            ProductTag.product_id.in_(chosen)
        )
    ):
        tags.setdefault((product_id, kind), set()).add(value)
    units = func.sum(Stock.quantity)
    variants: dict[int, list[_Variant]] = {}
    for variant_id, product_id, sku, size, colour, price, count in await session.execute(
        select(
            Variant.id, Variant.product_id, Variant.sku, Variant.size, Variant.colour, Variant.price, units
        )
        .join(Stock, Stock.variant_id == Variant.id)
        .where(Variant.product_id.in_(chosen), Variant.colour.in_(tuple(COLOURS)))
        .group_by(Variant.id)
        .having(units > 0)
        .order_by(Variant.id)
    ):
        variants.setdefault(product_id, []).append(_Variant(variant_id, sku, size, colour, price, int(count)))
    return [
        _Product(
            id=product_id,
            title_de=title_de,
            title_en=title_en,
            price=price,
            currency=currency_code,
            gender=gender,
            category=CATEGORY_BY_SLUG[slug],
            styles=frozenset(tags.get((product_id, "style"), ())) & frozenset(STYLES),
            occasions=frozenset(tags.get((product_id, "occasion"), ())),
            materials=frozenset(tags.get((product_id, "material"), ())),
            variants=tuple(variants.get(product_id, ())),
        )
        for product_id, title_de, title_en, price, currency_code, gender, slug in rows
    ]


def _variant(product: _Product, colour: str, profile: Profile) -> _Variant | None:
    """Pick the variant in ``colour`` in the user's size, or the best stocked one if the size is unknown."""
    in_colour = [variant for variant in product.variants if variant.colour == colour]
    sizes = _fitting_sizes(product.category.sizes, profile)
    if sizes is None:
        return max(in_colour, key=lambda variant: (variant.units, -variant.id), default=None)
    by_size = {variant.size: variant for variant in in_colour}
    return next((by_size[size] for size in sizes if size in by_size), None)


def _pieces(product: _Product, profile: Profile, *, colours: Iterable[str]) -> list[_Piece]:
    pieces = []
    for colour in colours:
        variant = _variant(product, colour, profile)
        if variant is None:
            continue
        item = OutfitItem(
            product_id=product.id,
            variant_id=variant.id,
            sku=variant.sku,
            title_de=product.title_de,
            title_en=product.title_en,
            category=product.category.slug,
            colour=colour,
            size=variant.size,
            price=variant.price if variant.price is not None else product.price,
            currency=product.currency,
        )
        pieces.append(
            _Piece(
                item=item,
                kind=product.category.kind or "",
                gender=product.gender,
                colour=colour,
                styles=product.styles,
                occasions=product.occasions,
                neutral=colour in NEUTRALS or _DENIM in product.materials,
            )
        )
    return pieces


def _owned(anchor: Anchor) -> _Piece:
    """Describe a piece the user owns from its category and colour."""
    departments = [category.slug for category in CATEGORIES if category.parent is None]
    below = {anchor.category, *(f"{department}-{anchor.category}" for department in departments)}
    for category in CATEGORIES:
        if category.parent in below:
            below.add(category.slug)
    leaves = [leaf for leaf in LEAVES if leaf.slug in below or leaf.kind == anchor.category]
    kinds = sorted({leaf.kind for leaf in leaves if leaf.kind in _WEARABLE})
    places = {tuple(kind in slot.kinds for template in _TEMPLATES for slot in template) for kind in kinds}
    if len(places) != 1:
        raise ValueError(f"{anchor.category!r} is not one kind of garment")
    genders = {leaf.gender for leaf in leaves}
    # The kinds fill the same places in every outfit, so the first stands for all of them.
    return _Piece(
        item=None,
        kind=kinds[0],
        gender=genders.pop() if len(genders) == 1 else None,
        colour=anchor.colour,
        styles=frozenset(style for kind in kinds for style in KINDS[kind].styles),
        occasions=frozenset(),
        neutral=anchor.colour is None
        or anchor.colour in NEUTRALS
        or all(_DENIM in KINDS[kind].materials for kind in kinds),
    )


def _fits(gender: str | None, outfit_gender: str | None) -> bool:
    return gender in (None, "unisex") or outfit_gender in (None, gender)


def _accents(pieces: Sequence[_Piece]) -> list[str]:
    return list(dict.fromkeys(piece.colour for piece in pieces if not piece.neutral and piece.colour))


def _goes_with(pieces: Sequence[_Piece], budget: Money | None) -> bool:
    """Tell whether pieces make an outfit: within budget, in one currency, harmonious, sharing styles."""
    if budget is not None and sum(piece.price for piece in pieces) > budget.amount:
        return False
    if len({piece.item.currency for piece in pieces if piece.item is not None}) > 1:
        return False
    accents = _accents(pieces)
    if len(accents) > 2 or (len(accents) == 2 and frozenset(accents) not in HARMONY):
        return False
    return all(any(piece.styles & other.styles for other in pieces if other is not piece) for piece in pieces)


def _affordable(slots: list[list[_Piece]], budget: Money | None) -> list[list[_Piece]]:
    """Shortlist each slot: the best pieces and, under a budget, the cheapest that leave room for the rest."""
    if budget is None:
        return [sorted(pieces, key=lambda piece: piece.rank)[:_BEST] for pieces in slots]
    if not all(slots):
        return [[] for _ in slots]
    cheapest = [min(piece.price for piece in pieces) for pieces in slots]
    room = budget.amount - sum(cheapest, Decimal(0))
    shortlists = []
    for pieces, least in zip(slots, cheapest, strict=True):
        fitting = [piece for piece in pieces if piece.price - least <= room]
        ranked = sorted(fitting, key=lambda piece: piece.rank)[:_BEST]
        by_price = sorted(fitting, key=lambda piece: (piece.price, piece.rank))[:_CHEAPEST]
        shortlists.append(list(dict.fromkeys([*ranked, *by_price])))
    return shortlists


@dataclass(frozen=True, slots=True)
class _Core:
    """The required pieces of an outfit, in slot order, and the optional slots still to fill."""

    pieces: tuple[_Piece, ...]
    extras: tuple[_Slot, ...]
    score: int
    # Best first: the higher score, then the lower price, then the lower product ids.
    key: tuple[int, Decimal, tuple[tuple[int, str], ...]]


def _cores(request: _Request, pool: Sequence[_Piece]) -> list[_Core]:
    """Find the combinations of required pieces that make an outfit, best first, one per set of products."""
    best: dict[tuple[int | None, ...], _Core] = {}
    anchor_kind = request.anchor[0].kind if request.anchor else None
    for template in _TEMPLATES:
        anchored = next((slot for slot in template if anchor_kind in slot.kinds), None)
        if request.anchor and anchored is None:
            continue
        required = [slot for slot in template if slot.required or slot is anchored]
        extras = tuple(slot for slot in template if not (slot.required or slot is anchored))
        for gender in ("women", "men"):
            choices = _affordable(
                [
                    [
                        piece
                        for piece in (request.anchor if slot is anchored else pool)
                        if piece.kind in slot.kinds and _fits(piece.gender, gender)
                    ]
                    for slot in required
                ],
                request.budget,
            )
            for pieces in combinations(*choices):
                if not _goes_with(pieces, request.budget) or (
                    request.occasion is not None and not any(request.occasion in p.occasions for p in pieces)
                ):
                    continue
                # The pieces' own scores, two points per style they all share, one for a single accent.
                shared = frozenset.intersection(*(piece.styles for piece in pieces))
                score = sum(piece.score for piece in pieces) + 2 * len(shared) + (len(_accents(pieces)) == 1)
                total = sum((piece.price for piece in pieces), Decimal(0))
                core = _Core(
                    pieces, extras, score, (-score, total, tuple(piece.rank[2:] for piece in pieces))
                )
                products = tuple(piece.product_id for piece in pieces)
                if products not in best or core.key < best[products].key:
                    best[products] = core
    return sorted(best.values(), key=lambda core: core.key)


def _pick(cores: Sequence[_Core], count: int, anchor_id: int | None) -> list[_Core]:
    """Choose up to ``count`` cores without a product in common: as many as possible, then the best.

    A depth-first search over the cores (best first) that tries a few alternatives at each step, so a
    cheap piece is not spent on the first outfit when two or three outfits fit the budget otherwise.
    """
    bits: dict[int, int] = {}
    masks = [
        sum(
            1 << bits.setdefault(product_id, len(bits))
            for product_id in {piece.product_id for piece in core.pieces} - {None, anchor_id}
            if product_id is not None
        )
        for core in cores
    ]
    best: tuple[tuple[int, int], tuple[int, ...]] = ((0, 0), ())

    def extend(chosen: tuple[int, ...], used: int, value: int, start: int) -> None:
        nonlocal best
        if (len(chosen), value) > best[0]:
            best = ((len(chosen), value), chosen)
        branches = 0
        for index in range(start, len(cores)):
            if len(chosen) == count or branches == _BRANCHES:
                return
            full = len(best[1]) == count
            if full and value + cores[index].score * (count - len(chosen)) <= best[0][1]:
                return
            if not masks[index] & used:
                extend((*chosen, index), used | masks[index], value + cores[index].score, index + 1)
                branches += 1

    extend((), 0, 0, 0)
    return [cores[index] for index in best[1]]


def _reason(pieces: Sequence[_Piece], request: _Request) -> Reason:
    """Name the outfit's leading style and its colours, for the occasion, the anchor or the look alone."""
    counts = Counter(style for piece in pieces for style in piece.styles)
    style = max(
        counts,
        key=lambda s: (
            s in request.fitting,
            s in request.wanted,
            counts[s],
            s in request.liked,
            -STYLES.index(s),
        ),
    )
    neutrals = Counter(piece.colour for piece in pieces if piece.neutral and piece.colour)
    accents = _accents(pieces)
    base = accents[0] if len(accents) == 2 or not neutrals else neutrals.most_common(1)[0][0]
    accent = next((colour for colour in accents if colour != base), None)
    topic = "occasion" if request.occasion else "anchor" if request.anchor else "style"
    args = {"style": f"style-look-{style}", "colour": f"style-colour-{base}"}
    if request.occasion is not None:
        args["occasion"] = f"style-occasion-{request.occasion}"
    if accent is not None:
        args["accent"] = f"style-colour-{accent}"
    return Reason(f"outfit-reason-{topic}{'-accent' if accent else ''}", args)


def _complete(core: _Core, request: _Request, pool: Sequence[_Piece], used: set[int]) -> Outfit:
    """Add the best affordable optional pieces to a core and describe the outfit."""
    pieces = list(core.pieces)
    outfit_gender = next((p.gender for p in pieces if p.gender not in (None, "unisex")), None)
    for slot in core.extras:
        extra = next(
            (
                piece
                for piece in pool
                if piece.kind in slot.kinds
                and piece.product_id not in used
                and _fits(piece.gender, outfit_gender)
                and _goes_with([*pieces, piece], request.budget)
            ),
            None,
        )
        if extra is not None and extra.product_id is not None:
            pieces.append(extra)
            used.add(extra.product_id)
    items = tuple(piece.item for piece in pieces if piece.item is not None)
    total = Money(sum((item.price for item in items), Decimal(0)), items[0].currency)
    return Outfit(items=items, total=total, reason=_reason(pieces, request))


async def outfits(
    session: Session,
    *,
    occasion: str | None,
    budget: Money | None,
    profile: Profile | None,
    now: datetime,
    anchor: Anchor | None = None,
    count: int = 3,
) -> list[Outfit]:
    """Put together up to ``count`` outfits without a piece in common, best first; none if nothing fits.

    The profile gives sizes, liked styles and colours to avoid; ``now`` gives the season. The occasion
    and the budget are the request's (a caller may pass the profile's). An anchor is part of every
    outfit; a category that is not one kind of garment raises ValueError.
    """
    if occasion is not None and occasion not in _OCCASIONS:
        raise ValueError(f"unknown occasion {occasion!r}")
    if count < 1:
        raise ValueError("ask for at least one outfit")
    profile = profile or Profile()
    anchor_id = anchor.product_id if anchor is not None else None
    catalog = await _catalog(
        session, season=_season(now), currency=budget.currency if budget else None, anchor_id=anchor_id
    )
    avoided = set(profile.avoid_colours)
    anchor_pieces = [_owned(anchor)] if anchor is not None and anchor.category is not None else []
    pool: list[_Piece] = []
    for product in catalog:
        colours = dict.fromkeys(variant.colour for variant in product.variants)
        if product.id == anchor_id and anchor is not None:
            anchor_pieces = _pieces(
                product, profile, colours=[c for c in colours if anchor.colour in (None, c)]
            )
        else:
            pool.extend(_pieces(product, profile, colours=[c for c in colours if c not in avoided]))
    if anchor is not None and not anchor_pieces:
        return []
    anchor_styles = frozenset().union(*(piece.styles for piece in anchor_pieces))
    fitting = _OCCASIONS[occasion].fitting if occasion is not None else frozenset()
    request = _Request(
        occasion=occasion,
        budget=budget,
        liked=frozenset(profile.styles),
        fitting=fitting,
        wanted=fitting | anchor_styles,
        anchor=tuple(anchor_pieces),
    )
    pool = sorted(
        (replace(piece, score=request.score(piece)) for piece in pool if request.suits(piece)),
        key=lambda piece: piece.rank,
    )
    chosen = _pick(_cores(request, pool), count, anchor_id)
    used = {piece.product_id for core in chosen for piece in core.pieces if piece.product_id is not None}
    return [_complete(core, request, pool, used) for core in chosen]
