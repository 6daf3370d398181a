"""Which running deals fit which subscriber, best first: the matching itself, without a database.

A deal fits a person when it comes from a retailer they picked and at least one of its products passes all
of their filters: a category they are interested in (a category covers its subcategories; no categories
chosen: every category), a brand they are interested in (none chosen: every brand), a price at or below
their maximum (in the same currency), and no muted category. That product is the one the message shows.

Ranking, per person, adds up (see :data:`WEIGHTS`): the product is on their wishlist; it fits a category or a
brand they chose explicitly; friends (people sharing a group with them) wished, bought or liked one of the
deal's products, per friend up to three; they bought in that category or of that brand before; and the
size of the discount. Ties go to the deal that ends first.

The index groups the deals by retailer, by (retailer, category) and by (retailer, brand), so a person's
candidates are only the deals that can fit; people with the same filters share one filtered, scored list.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

WEIGHTS = {
    "wished": 100,
    "category": 30,
    "brand": 20,
    "friend": 8,
    "friends_max": 3,
    "bought_category": 15,
    "bought_brand": 10,
    "percent_per_point": 5,
}


@dataclass(frozen=True, slots=True)
class Item:
    """A product a deal lowered: its brand, its category with the parents, and its deal price."""

    product_id: int
    brand_id: int | None
    category_ids: tuple[int, ...]
    price_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class DealFacts:
    """A running deal as matching sees it; ``items`` cheapest first."""

    id: int
    retailer_id: int
    # The deal's own category (a product deal: the product's), the one a "mute" button mutes.
    category_id: int
    percent: int
    ends_at: datetime
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """A subscriber's filters and how many more deal messages their cap allows now."""

    user_id: int
    retailer_ids: frozenset[int]
    category_ids: frozenset[int] = frozenset()
    brand_ids: frozenset[int] = frozenset()
    muted_category_ids: frozenset[int] = frozenset()
    max_price_cents: int | None = None
    currency: str = "EUR"
    room: int = 1


@dataclass(frozen=True, slots=True)
class Signals:
    """What ranks a deal higher for one person: their wishes, friends and past purchases."""

    wished: frozenset[int] = frozenset()
    friends: frozenset[int] = frozenset()
    # Categories (with their parents) and brands of what the person bought.
    bought_categories: frozenset[int] = frozenset()
    bought_brands: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Pick:
    """A deal chosen for a person: which product to show, its score, and whether it is on their wishlist."""

    deal_id: int
    product_id: int
    score: int
    wished: bool


@dataclass(slots=True)
class _Entry:
    facts: DealFacts
    categories: frozenset[int]
    brands: frozenset[int | None]
    products: frozenset[int]
    min_cents: int
    engaged: frozenset[int]
    # The explicit-interest-free part of the score, and the tie-breaker: sooner end first, older deal first.
    percent_score: int = field(init=False)
    order: tuple[datetime, int] = field(init=False)

    def __post_init__(self) -> None:
        self.percent_score = self.facts.percent // WEIGHTS["percent_per_point"]
        self.order = (self.facts.ends_at, self.facts.id)


_Filters = tuple[frozenset[int], frozenset[int], frozenset[int], frozenset[int], int | None, str]
# A candidate for everyone with the same filters: the entry, the product shown and the score before the
# personal signals. The memo keeps them best first.
_Candidate = tuple[_Entry, int, int]


class DealIndex:
    """The running deals, indexed by retailer, category and brand."""

    def __init__(self, deals: Sequence[DealFacts], engaged: Mapping[int, Collection[int]]) -> None:
        self.entries: list[_Entry] = []
        self.by_retailer: dict[int, list[int]] = {}
        self.by_category: dict[tuple[int, int], list[int]] = {}
        self.by_brand: dict[tuple[int, int], list[int]] = {}
        self._memo: dict[_Filters, list[_Candidate]] = {}
        for position, deal in enumerate(deal for deal in deals if deal.items):
            categories = frozenset(c for item in deal.items for c in item.category_ids)
            brands = frozenset(item.brand_id for item in deal.items)
            products = frozenset(item.product_id for item in deal.items)
            people: set[int] = set()
            for item in deal.items:
                people.update(engaged.get(item.product_id, ()))
            cheapest = min(item.price_cents for item in deal.items)
            self.entries.append(_Entry(deal, categories, brands, products, cheapest, frozenset(people)))
            self.by_retailer.setdefault(deal.retailer_id, []).append(position)
            for category in categories:
                self.by_category.setdefault((deal.retailer_id, category), []).append(position)
            for brand in brands:
                if brand is not None:
                    self.by_brand.setdefault((deal.retailer_id, brand), []).append(position)

    def candidates(self, profile: Profile) -> list[_Candidate]:
        """Return the deals that fit the profile's filters, best first, with the product to show."""
        key: _Filters = (
            profile.retailer_ids,
            profile.category_ids,
            profile.brand_ids,
            profile.muted_category_ids,
            profile.max_price_cents,
            profile.currency,
        )
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._filter(profile)
        return found

    def _filter(self, profile: Profile) -> list[_Candidate]:
        positions: set[int] = set()
        for retailer in profile.retailer_ids:
            if profile.category_ids:
                for category in profile.category_ids:
                    positions.update(self.by_category.get((retailer, category), ()))
            elif profile.brand_ids:
                for brand in profile.brand_ids:
                    positions.update(self.by_brand.get((retailer, brand), ()))
            else:
                positions.update(self.by_retailer.get(retailer, ()))
        interest = (WEIGHTS["category"] if profile.category_ids else 0) + (
            WEIGHTS["brand"] if profile.brand_ids else 0
        )
        # Without product filters every product passes: the cheapest is shown.
        plain = not (profile.category_ids or profile.brand_ids or profile.muted_category_ids)
        limit = profile.max_price_cents
        found: list[_Candidate] = []
        for position in positions:
            entry = self.entries[position]
            if limit is not None and entry.min_cents > limit:
                continue
            if profile.brand_ids and profile.brand_ids.isdisjoint(entry.brands):
                continue
            if plain and limit is None:
                shown: int | None = entry.facts.items[0].product_id
            else:
                shown = _first_passing(entry.facts.items, profile)
            if shown is not None:
                found.append((entry, shown, interest + entry.percent_score))
        found.sort(key=lambda candidate: (-candidate[2], candidate[0].order))
        return found


def _first_passing(items: Iterable[Item], profile: Profile) -> int | None:
    """Return the cheapest product that passes the profile's filters (items come cheapest first)."""
    limit = profile.max_price_cents
    for item in items:
        if limit is not None and item.price_cents > limit:
            return None
        if _passes(item, profile):
            return item.product_id
    return None


def _passes(item: Item, profile: Profile) -> bool:
    """Tell whether one product of a deal passes every filter of the profile."""
    if profile.category_ids and profile.category_ids.isdisjoint(item.category_ids):
        return False
    if profile.muted_category_ids and not profile.muted_category_ids.isdisjoint(item.category_ids):
        return False
    if profile.brand_ids and item.brand_id not in profile.brand_ids:
        return False
    return profile.max_price_cents is None or (
        item.currency == profile.currency and item.price_cents <= profile.max_price_cents
    )


def _wished(entry: _Entry, profile: Profile, wished: frozenset[int]) -> int | None:
    """Return a product of the deal the person wished that passes their filters, if there is one."""
    if wished.isdisjoint(entry.products):
        return None
    return next(
        (
            item.product_id
            for item in entry.facts.items
            if item.product_id in wished and _passes(item, profile)
        ),
        None,
    )


def rank(
    index: DealIndex,
    profile: Profile,
    *,
    delivered: Collection[int] = (),
    signals: Signals | None = None,
) -> list[Pick]:
    """Return up to ``profile.room`` fitting deals the person has not had yet, best first."""
    room = profile.room
    if room <= 0:
        return []
    candidates = index.candidates(profile)
    if signals is None:
        # The memo's order is the ranking: take the first ones not had yet.
        picks: list[Pick] = []
        for entry, shown, score in candidates:
            if entry.facts.id not in delivered:
                picks.append(Pick(deal_id=entry.facts.id, product_id=shown, score=score, wished=False))
                if len(picks) == room:
                    break
        return picks
    # The personal signals, added to each candidate's score (this loop is the hot path of a round).
    wishes, friends = signals.wished, signals.friends
    categories, brands = signals.bought_categories, signals.bought_brands
    per_friend, friends_max = WEIGHTS["friend"], WEIGHTS["friends_max"]
    scored = []
    for entry, shown, score in candidates:
        deal_id = entry.facts.id
        if deal_id in delivered:
            continue
        wished = _wished(entry, profile, wishes) if wishes else None
        if wished is not None:
            score += WEIGHTS["wished"]
            shown = wished
        if friends and entry.engaged:
            score += per_friend * min(len(friends & entry.engaged), friends_max)
        if entry.facts.category_id in categories:
            score += WEIGHTS["bought_category"]
        if brands and not brands.isdisjoint(entry.brands):
            score += WEIGHTS["bought_brand"]
        scored.append((-score, entry.order, shown, wished is not None, deal_id))
    best = heapq.nsmallest(room, scored) if len(scored) > room else sorted(scored)
    return [
        Pick(deal_id=deal_id, product_id=shown, score=-negative, wished=wished)
        for negative, _, shown, wished, deal_id in best
    ]


def match(
    index: DealIndex,
    profiles: Iterable[Profile],
    *,
    delivered: Mapping[int, Collection[int]],
    signals: Mapping[int, Signals],
) -> dict[int, list[Pick]]:
    """Return, per person with room under their cap, the deals to send now, best first."""
    chosen: dict[int, list[Pick]] = {}
    for profile in profiles:
        picks = rank(
            index, profile, delivered=delivered.get(profile.user_id, ()), signals=signals.get(profile.user_id)
        )
        if picks:
            chosen[profile.user_id] = picks
    return chosen
