"""The in-memory search index and the search service.

The index
---------
Every product has a position, and for every value shoppers filter or rank on the index keeps the
positions that have it: category (as the tree names it and as shoppers do, see
:func:`catalog.query.category_keys`), gender, brand, colour, size, colour and size together (one variant
must have both), the same three for variants some store has in stock, style, occasion, material, and each
word stem of the titles, the brand and the colour names. Positions are a Python int used as a bitmap
when many products share the value, and a set while few do, so a word in ten titles costs ten entries,
not a bitmap of the whole catalog. Prices are cumulative bitmaps over buckets 5 % wide, and the products
of the one bucket an amount falls in are compared exactly.

A search intersects the bitmaps of its hard filters (category, gender, brand, colour and size on one
variant, price bounds): a handful of big-int ANDs, microseconds at 100k products. Every result satisfies
them by construction, and the total is one popcount. Only then does rapidfuzz run: each keyword is
expanded against the index's vocabulary of stems (the stem itself, compounds that begin or end with it,
and stems within one or two edits), and the candidates that match keywords, the occasion, styles or
materials are scored. Ranking: how many of these a product matches, then in stock before sold out (in
the asked colour and size when there are some), then how well it matches, then catalog order. A request
without any hard filter must match one of them; one with filters lists every product that satisfies
them, best matches first. A hit's score (0–1) is the share of the request it meets: each hard filter
weighs 1 (and is met), each keyword and the occasion 1, each style and material 0.5; a keyword met only
inside a compound word counts 0.8 of its weight, one met with a typo 0.7 or 0.5.

Keeping it current
------------------
Each bot process keeps its own index; with several instances behind a load balancer each builds and
refreshes its own, nothing is shared or coordinated. :class:`Searcher` builds it at startup and, at most
every :data:`REFRESH_SECONDS`, compares a fingerprint of the catalog that is cheap to read that often:
the number of products and their latest ``updated_at``, the numbers of variants, tags, categories and
brands, and the number of stock rows with units together with the sum of their variant ids (a variant
that sells out or comes back changes it). Services that change a product also set its ``updated_at``.
When the fingerprint changed, the catalog is read and a new index built in a thread while searches keep
using the old one, and then the reference is swapped; the fingerprint is read before the catalog, so a
change made while the catalog is being read shows at the next check. :meth:`Searcher.reindex` updates a
single product at once when the caller knows which one changed.

The catalog streams in a chunk of rows at a time, and equal values (colours, sizes, brands, prices, lists
of variants and tags) become one shared object: reading 100,000 products never holds all their rows, and
the items with their index take about 70 MB (bench/memory.py).

Price filters use the product's price; a variant's own price does not move it in or out of a price range.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import sys
import threading
from array import array
from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from itertools import chain, islice
from typing import Any, Generic, NamedTuple, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import Row, Select, func, select

from catalog.models import Brand, Category, Product, ProductTag, Stock, Variant
from catalog.query import Lexicon, Query, category_keys, size_key, stem, words
from catalog.query import lexicon as catalog_lexicon
from catalog.vocabulary import COLOURS
from core.clock import Clock
from core.db import Database, Session

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0


class ItemVariant(NamedTuple):
    """A buyable colour and size of an indexed product, and whether any store has it."""

    colour: str
    size: str
    in_stock: bool


@dataclass(frozen=True, slots=True)
class Item:
    """A product as the index sees it: plain values, no database rows."""

    product_id: int
    sku: str
    title_de: str
    title_en: str
    brand: str | None
    category_path: tuple[str, ...]
    gender: str | None
    price: Decimal
    currency: str
    variants: tuple[ItemVariant, ...]
    styles: tuple[str, ...] = ()
    occasions: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    season: str = "all"

    @property
    def colours(self) -> tuple[str, ...]:
        """Return the variants' colours, each once, in variant order."""
        return tuple(dict.fromkeys(variant.colour for variant in self.variants))


@dataclass(frozen=True, slots=True)
class Hit:
    """A product found: how well it matches (0–1) and whether it is in stock as asked."""

    product_id: int
    sku: str
    score: float
    in_stock: bool


@dataclass(frozen=True, slots=True)
class Page:
    """One page of hits and how many products match in all."""

    hits: tuple[Hit, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Result:
    """A hit with what a product list shows: title and category names in the reader's language."""

    product_id: int
    sku: str
    title: str
    brand: str | None
    category_path: tuple[str, ...]
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    price: Decimal
    currency: str
    in_stock: bool
    score: float


# --- Bitmaps -------------------------------------------------------------------------------------------


def _bitmap(positions: Collection[int]) -> int:
    """Return the bitmap with the given positions set."""
    if not positions:
        return 0
    buffer = bytearray((max(positions) >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def _positions(bitmap: int) -> Iterator[int]:
    """Yield the positions set in a bitmap, lowest first."""
    blocks = array("Q", bitmap.to_bytes((bitmap.bit_length() + 63) // 64 * 8, "little"))
    if sys.byteorder == "big":
        blocks.byteswap()
    for number, block in enumerate(blocks):
        while block:
            lowest = block & -block
            yield (number << 6) + lowest.bit_length() - 1
            block ^= lowest


class _Postings:
    """The positions of each key: a set while few products have it, a bitmap once many do."""

    def __init__(self, *, small: int) -> None:
        self._small = small
        self._sets: dict[str, set[int]] = {}
        self._bitmaps: dict[str, int] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._bitmaps or key in self._sets

    def __iter__(self) -> Iterator[str]:
        return chain(self._bitmaps, self._sets)

    def bitmap(self, key: str) -> int:
        """Return the key's positions as a bitmap (0 for an unknown key)."""
        found = self._bitmaps.get(key)
        if found is not None:
            return found
        return _bitmap(self._sets.get(key, ()))

    def put(self, key: str, positions: Collection[int]) -> None:
        """Set the key's positions (building an index)."""
        if len(positions) > self._small:
            self._bitmaps[key] = _bitmap(positions)
        else:
            self._sets[key] = set(positions)

    def add(self, key: str, position: int) -> None:
        """Add a position to a key."""
        if key in self._bitmaps:
            self._bitmaps[key] |= 1 << position
            return
        members = self._sets.setdefault(key, set())
        members.add(position)
        if len(members) > self._small:
            self._bitmaps[key] = _bitmap(members)
            del self._sets[key]

    def discard(self, key: str, position: int) -> None:
        """Remove a position from a key."""
        if key in self._bitmaps:
            self._bitmaps[key] &= ~(1 << position)
        elif key in self._sets:
            self._sets[key].discard(position)


# Price buckets in cents, each 5 % wider than the one before, up to about two million.
_EDGES = (0, *sorted({round(100 * 1.05**step) for step in range(300)}))


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# A price and a position packed into one int, price first, so that a sorted list orders by price.
_SHIFT = 32
_POSITION = (1 << _SHIFT) - 1


class _Prices:
    """Which positions cost at most, or less than, an amount: per bucket the bitmap of all cheaper
    buckets, and the bucket's own prices packed with their positions, sorted, to compare exactly."""

    def __init__(self, cents: Sequence[int | None]) -> None:
        self._members: list[list[int]] = [[] for _ in _EDGES]
        for position, amount in enumerate(cents):
            if amount is not None:
                self._members[_bucket(amount)].append(amount << _SHIFT | position)
        self._below: list[int] = []
        cumulative = 0
        for members in self._members:
            members.sort()
            self._below.append(cumulative)
            if members:
                cumulative |= _bitmap([packed & _POSITION for packed in members])

    def add(self, position: int, cents: int) -> None:
        """Enter a position's price."""
        bucket = _bucket(cents)
        bisect.insort(self._members[bucket], cents << _SHIFT | position)
        bit = 1 << position
        for above in range(bucket + 1, len(_EDGES)):
            self._below[above] |= bit

    def remove(self, position: int, cents: int) -> None:
        """Take a position's price out."""
        bucket = _bucket(cents)
        self._members[bucket].remove(cents << _SHIFT | position)
        mask = ~(1 << position)
        for above in range(bucket + 1, len(_EDGES)):
            self._below[above] &= mask

    def at_most(self, cents: int) -> int:
        """Return the positions that cost ``cents`` or less."""
        return self._cheaper(_bucket(cents), cents << _SHIFT | _POSITION)

    def under(self, cents: int) -> int:
        """Return the positions that cost less than ``cents``."""
        return self._cheaper(_bucket(cents), (cents << _SHIFT) - 1)

    def _cheaper(self, bucket: int, packed: int) -> int:
        members = self._members[bucket]
        cheaper = members[: bisect.bisect_right(members, packed)]
        return self._below[bucket] | _bitmap([member & _POSITION for member in cheaper])


def _bucket(cents: int) -> int:
    return bisect.bisect_right(_EDGES, cents) - 1


# --- What an item is found by --------------------------------------------------------------------------


def _edits(length: int) -> int:
    # Stems are shorter than the words they come from: a stem needs four letters before a typo in it
    # is forgiven, eight before two are.
    return 0 if length < 4 else 1 if length < 8 else 2


def _key(text: str) -> str:
    # Keys repeat in many cached groups; one string object each keeps a big index small.
    return sys.intern(text)


@lru_cache(maxsize=4096)
def _category_keys(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_key(f"cat:{slug}") for slug in dict.fromkeys((*path, *category_keys(path))))


@lru_cache(maxsize=16384)
def _variant_keys(variants: tuple[ItemVariant, ...]) -> tuple[str, ...]:
    keys: set[str] = set()
    for colour, size, in_stock in variants:
        keys.update(_colour_keys(colour))
        normal = size_key(size)
        # A waist size answers to its number too: "Jeans Größe 32" finds W32.
        for name in {normal, normal[1:]} if normal[:1] == "W" and normal[1:].isdigit() else {normal}:
            found = (f"c:{colour}", f"s:{name}", f"cs:{colour}/{name}")
            keys.update(found)
            if in_stock:
                keys.update(f"stock:{key}" for key in found)
                keys.add("stock")
    return tuple(_key(key) for key in sorted(keys))


@lru_cache(maxsize=16384)
def _text_keys(text: str) -> tuple[str, ...]:
    return tuple(_key(key) for key in sorted({f"t:{stem(word)}" for word in words(text) if len(word) > 1}))


@lru_cache(maxsize=256)
def _colour_keys(colour: str) -> tuple[str, ...]:
    known = COLOURS.get(colour)
    return _text_keys(f"{colour} {known.adjective.de}" if known else colour)


@lru_cache(maxsize=256)
def _brand_keys(brand: str | None) -> tuple[str, ...]:
    return (_key(f"b:{brand}"), *_text_keys(brand)) if brand else ()


@lru_cache(maxsize=4096)
def _tag_keys(
    styles: tuple[str, ...], occasions: tuple[str, ...], materials: tuple[str, ...]
) -> tuple[str, ...]:
    return (
        *(_key(f"style:{style}") for style in styles),
        *(_key(f"occasion:{occasion}") for occasion in occasions),
        *(_key(f"material:{material}") for material in materials),
    )


@lru_cache(maxsize=64)
def _facet_keys(gender: str | None, season: str) -> tuple[str, ...]:
    return (
        _key(f"g:{gender if gender in ('women', 'men') else '*'}"),
        *(_text_keys(season) if season != "all" else ()),
    )


def _key_groups(item: Item) -> tuple[tuple[str, ...], ...]:
    """Return the keys an item is found by, in groups that many items share."""
    return (
        _category_keys(item.category_path),
        _brand_keys(item.brand),
        _variant_keys(item.variants),
        _tag_keys(item.styles, item.occasions, item.materials),
        _facet_keys(item.gender, item.season),
        _text_keys(item.title_de),
        _text_keys(item.title_en),
    )


def _keys(item: Item) -> Iterator[str]:
    """Yield every key an item is found by."""
    return chain.from_iterable(_key_groups(item))


def _likeness(item: Item, other: Item) -> float:
    """Tell how alike two products of one category are (0–1): colours, styles, occasions, material, price."""

    def shared(mine: Collection[str], theirs: Collection[str]) -> float:
        union = set(mine) | set(theirs)
        return len(set(mine) & set(theirs)) / len(union) if union else 0.0

    dearer = max(item.price, other.price)
    closeness = 1 - float(abs(item.price - other.price) / dearer) if dearer else 1.0
    return (
        0.35 * shared(item.colours, other.colours)
        + 0.25 * shared(item.styles, other.styles)
        + 0.1 * shared(item.occasions, other.occasions)
        + 0.1 * shared(item.materials, other.materials)
        + 0.2 * closeness
    )


# Weights of what ranks results; every keyword weighs as much as the occasion.
_KEYWORD, _OCCASION, _STYLE, _MATERIAL = 1.0, 1.0, 0.5, 0.5
# How much a keyword counts when it is part of a compound word of a title, or a typo away from one.
_COMPOUND, _TYPO = 0.8, (1.0, 0.7, 0.5)
_MOST_EXPANSIONS = 64
_CACHED_EXPANSIONS = 4096


class Index:
    """The searchable catalog of one process; every method is safe to call from any thread."""

    def __init__(self, *, small: int = 32) -> None:
        self._lock = threading.RLock()
        self._items: list[Item | None] = []
        self._cents: list[int | None] = []
        self._positions: dict[int, int] = {}
        self._alive = 0
        self._postings = _Postings(small=small)
        self._prices = _Prices(())
        self._stems: list[str] = []
        self._reversed: list[str] = []
        self._stale = True
        self._expansions: dict[str, tuple[tuple[str, float], ...]] = {}

    @classmethod
    def build(cls, items: Iterable[Item]) -> Index:
        """Index products (blocking: run it in a thread for a big catalog)."""
        listed = list(items)
        # A key shared by more than 1/512 of the catalog is cheaper as a bitmap than as a set.
        index = cls(small=max(32, len(listed) >> 9))
        # Positions per group of keys, then per key: far fewer entries than positions per key.
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for position, item in enumerate(listed):
            index._positions[item.product_id] = position
            for group in _key_groups(item):
                groups[group].append(position)
        by_key: dict[str, list[list[int]]] = defaultdict(list)
        for group, positions in groups.items():
            for key in group:
                by_key[key].append(positions)
        del groups
        for key, lists in by_key.items():
            index._postings.put(key, lists[0] if len(lists) == 1 else list(chain.from_iterable(lists)))
        index._items = list(listed)
        index._cents = [_cents(item.price) for item in listed]
        index._alive = (1 << len(listed)) - 1
        index._prices = _Prices(index._cents)
        return index

    def __len__(self) -> int:
        return len(self._positions)

    # Changes -------------------------------------------------------------------------------------------

    def __contains__(self, product_id: int) -> bool:
        return product_id in self._positions

    def add(self, item: Item) -> None:
        """Index a new product."""
        with self._lock:
            if item.product_id in self._positions:
                raise ValueError(f"product {item.product_id} is indexed already")
            position = len(self._items)
            self._items.append(None)
            self._cents.append(None)
            self._positions[item.product_id] = position
            self._enter(position, item)

    def update(self, item: Item) -> None:
        """Replace what the index knows of a product, or add it when it is new."""
        with self._lock:
            position = self._positions.get(item.product_id)
            if position is None:
                self.add(item)
                return
            self._leave(position)
            self._enter(position, item)

    def remove(self, product_id: int) -> bool:
        """Drop a product; tell whether it was indexed."""
        with self._lock:
            position = self._positions.pop(product_id, None)
            if position is None:
                return False
            self._leave(position)
            return True

    def _enter(self, position: int, item: Item) -> None:
        for key in _keys(item):
            if key.startswith("t:") and key not in self._postings:
                self._stale = True
            self._postings.add(key, position)
        cents = _cents(item.price)
        self._prices.add(position, cents)
        self._items[position], self._cents[position] = item, cents
        self._alive |= 1 << position

    def _leave(self, position: int) -> None:
        item, cents = self._items[position], self._cents[position]
        assert item is not None and cents is not None
        for key in _keys(item):
            self._postings.discard(key, position)
        self._prices.remove(position, cents)
        self._items[position], self._cents[position] = None, None
        self._alive &= ~(1 << position)

    def _item(self, position: int) -> Item:
        item = self._items[position]
        assert item is not None, "only positions in use are looked up"
        return item

    # Searching -----------------------------------------------------------------------------------------

    def search(self, query: Query, *, limit: int = 10, offset: int = 0) -> Page:
        """Find the products that satisfy the query's filters, best first."""
        with self._lock:
            candidates, stocked, filters = self._filter(query)
            features = self._features(query)
            # A score is the share of the request a product meets; every hard filter it meets weighs 1.
            weight = filters + sum(feature_weight for feature_weight, _ in features)
            counts: dict[int, int] = {}
            scores: dict[int, float] = {}
            matched = 0
            for feature_weight, levels in features:
                seen = 0
                for bitmap, similarity in levels:
                    fresh = bitmap & candidates & ~seen
                    seen |= fresh
                    for position in _positions(fresh):
                        counts[position] = counts.get(position, 0) + 1
                        scores[position] = scores.get(position, 0.0) + feature_weight * similarity
                matched |= seen
            if not filters:
                candidates &= matched
            in_stock = set(_positions(matched & stocked))
            ranked = sorted(counts, key=lambda at: (-counts[at], at not in in_stock, -scores[at], at))
            rest = candidates & ~matched
            unranked = filters / weight if weight else 0.0
            order = chain(
                ((at, (filters + scores[at]) / weight, at in in_stock) for at in ranked),
                ((at, unranked, True) for at in _positions(rest & stocked)),
                ((at, unranked, False) for at in _positions(rest & ~stocked)),
            )
            hits = []
            for at, score, available in islice(order, offset, offset + limit):
                item = self._item(at)
                hits.append(Hit(item.product_id, item.sku, round(score, 4), available))
            return Page(hits=tuple(hits), total=candidates.bit_count())

    def _filter(self, query: Query) -> tuple[int, int, int]:
        """Return the products that satisfy the hard filters, those in stock as asked, and how many hard
        filters the query has."""
        bitmap = self._postings.bitmap
        candidates, filters = self._alive, 0
        if query.category is not None:
            candidates &= bitmap(f"cat:{query.category}")
            filters += 1
        if query.gender is not None:
            candidates &= bitmap("g:*") | (bitmap(f"g:{query.gender}") if query.gender != "unisex" else 0)
            filters += 1
        if query.brand is not None:
            candidates &= bitmap(f"b:{query.brand}")
            filters += 1
        size = size_key(query.size) if query.size else None
        if query.colors or size:
            keys = (
                [f"cs:{colour}/{size}" for colour in query.colors]
                if query.colors and size
                else [f"c:{colour}" for colour in query.colors] or [f"s:{size}"]
            )
            offered = stocked = 0
            for key in keys:
                offered |= bitmap(key)
                stocked |= bitmap(f"stock:{key}")
            candidates &= offered
            filters += 1
        else:
            stocked = bitmap("stock")
        if query.min_price is not None:
            candidates &= ~self._prices.under(_cents(query.min_price))
            filters += 1
        if query.max_price is not None:
            candidates &= self._prices.at_most(_cents(query.max_price))
            filters += 1
        return candidates, stocked & candidates, filters

    def _features(self, query: Query) -> list[tuple[float, list[tuple[int, float]]]]:
        """Return what ranks the candidates: per keyword, occasion, style and material its weight and
        the products matching it at each level of similarity, best level first."""
        bitmap = self._postings.bitmap
        features: list[tuple[float, list[tuple[int, float]]]] = []
        for keyword in query.keywords:
            levels: dict[float, int] = defaultdict(int)
            for key, similarity in self._expand(stem(keyword)):
                levels[similarity] |= bitmap(key)
            best_first = sorted(levels.items(), reverse=True)
            features.append((_KEYWORD, [(found, level) for level, found in best_first]))
        if query.occasion is not None:
            features.append((_OCCASION, [(bitmap(f"occasion:{query.occasion}"), 1.0)]))
        features += [(_STYLE, [(bitmap(f"style:{style}"), 1.0)]) for style in query.styles]
        features += [(_MATERIAL, [(bitmap(f"material:{material}"), 1.0)]) for material in query.materials]
        return features

    def _expand(self, word: str) -> tuple[tuple[str, float], ...]:
        """Return the vocabulary's keys that a keyword stem matches, with how well each matches."""
        if self._stale:
            self._stems = sorted(key[2:] for key in self._postings if key.startswith("t:"))
            self._reversed = sorted(known[::-1] for known in self._stems)
            self._expansions.clear()
            self._stale = False
        cached = self._expansions.get(word)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        if len(word) >= 4:
            start = bisect.bisect_left(self._stems, word)
            for known in islice(self._stems, start, None):
                if not known.startswith(word):
                    break
                found[known] = _COMPOUND
            backwards = word[::-1]
            start = bisect.bisect_left(self._reversed, backwards)
            for known in islice(self._reversed, start, None):
                if not known.startswith(backwards):
                    break
                found[known[::-1]] = _COMPOUND
        for known, distance, _ in process.extract(
            word, self._stems, scorer=OSA.distance, score_cutoff=_edits(len(word)), limit=None
        ):
            found[known] = max(found.get(known, 0.0), _TYPO[int(distance)])
        best = sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))[:_MOST_EXPANSIONS]
        expansion = tuple((f"t:{known}", similarity) for known, similarity in best)
        if len(self._expansions) >= _CACHED_EXPANSIONS:
            self._expansions.clear()  # whatever shoppers type, the cache stays small
        self._expansions[word] = expansion
        return expansion

    def similar(self, product_id: int, *, limit: int = 10) -> list[Hit]:
        """Find products like this one: its category first (then the category above), sharing colours,
        styles, occasions and material at a close price; in stock first."""
        with self._lock:
            position = self._positions.get(product_id)
            if position is None:
                return []
            item = self._item(position)
            taken = 1 << position
            stock = self._postings.bitmap("stock")
            hits: list[Hit] = []
            for slug in reversed(item.category_path[1:] or item.category_path):
                candidates = self._postings.bitmap(f"cat:{slug}") & self._alive & ~taken
                taken |= candidates
                in_stock = set(_positions(candidates & stock))
                likeness = {at: _likeness(item, self._item(at)) for at in _positions(candidates)}
                for at in sorted(likeness, key=lambda at: (at not in in_stock, -likeness[at], at)):
                    other = self._item(at)
                    hits.append(Hit(other.product_id, other.sku, round(likeness[at], 4), at in in_stock))
                if len(hits) >= limit:
                    break
            return hits[:limit]


# --- The catalog in the database -----------------------------------------------------------------------

# Rows read per round trip while the catalog streams in (see :func:`items`).
_CHUNK = 1000
_Tags = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_NO_TAGS: _Tags = ((), (), ())
_T = TypeVar("_T")


class _Shared(Generic[_T]):
    """One object for each distinct value: a catalog repeats its colours, sizes, brands, prices, variant
    lists and tags many times over, and the database hands out a new object for every row."""

    def __init__(self) -> None:
        self._known: dict[_T, _T] = {}

    def __call__(self, value: _T) -> _T:
        return self._known.setdefault(value, value)


def _statements(
    product_ids: Collection[int] | None,
) -> tuple[Select[*tuple[Any, ...]], Select[*tuple[Any, ...]], Select[*tuple[Any, ...]]]:
    """Return the queries for the active products (or only ``product_ids``), their variants with
    whether any store has them, and their tags ordered by product."""
    products = (
        select(
            Product.id,
            Product.sku,
            Product.title_de,
            Product.title_en,
            Brand.name,
            Product.category_id,
            Product.gender,
            Product.price,
            Product.currency,
            Product.season,
        )
        .outerjoin(Brand, Brand.id == Product.brand_id)
        .where(Product.active)
        .order_by(Product.id)
    )
    variants = (
        select(
            Variant.product_id, Variant.colour, Variant.size, func.coalesce(func.max(Stock.quantity), 0) > 0
        )
        .join(Product, Product.id == Variant.product_id)
        .outerjoin(Stock, Stock.variant_id == Variant.id)
        .where(Product.active)
        .group_by(Variant.id, Variant.product_id, Variant.colour, Variant.size)
        .order_by(Variant.id)
    )
    tags = (
        select(ProductTag.product_id, ProductTag.kind, ProductTag.value)
        .join(Product, Product.id == ProductTag.product_id)
        .where(Product.active)
        .order_by(ProductTag.product_id, ProductTag.kind, ProductTag.value)
    )
    if product_ids is not None:
        products = products.where(Product.id.in_(product_ids))
        variants = variants.where(Product.id.in_(product_ids))
        tags = tags.where(Product.id.in_(product_ids))
    return products, variants, tags


async def _chunks(
    session: Session, statement: Select[*tuple[Any, ...]]
) -> AsyncIterator[Sequence[Row[*tuple[Any, ...]]]]:
    """Yield a query's rows a chunk at a time, so the whole result never sits in memory."""
    # On the session's connection, without the ORM's result layer, which doubles the time of a stream.
    connection = await session.connection()
    result = await connection.stream(statement.execution_options(yield_per=_CHUNK))
    async for chunk in result.partitions():
        yield chunk


async def items(session: Session, *, product_ids: Collection[int] | None = None) -> list[Item]:
    """Read the active products (or only ``product_ids``) as index items.

    The rows stream in a chunk at a time and are folded into items as they come, and equal values become
    one shared object: 100,000 products with 440,000 variants and 400,000 tags take a small fraction of
    the memory their rows would.
    """
    products, variants, tags = _statements(product_ids)
    parents = {
        category_id: (parent_id, slug)
        for category_id, parent_id, slug in await session.execute(
            select(Category.id, Category.parent_id, Category.slug)
        )
    }

    @cache
    def path(category_id: int) -> tuple[str, ...]:
        parent_id, slug = parents[category_id]
        return (*path(parent_id), slug) if parent_id is not None else (slug,)

    text, names, price = _Shared[str](), _Shared[str | None](), _Shared[Decimal]()
    variant, tuples = _Shared[ItemVariant](), _Shared[tuple[Any, ...]]()
    variants_of: dict[int, list[ItemVariant]] = defaultdict(list)
    async for chunk in _chunks(session, variants):
        for product_id, colour, size, in_stock in chunk:
            variants_of[product_id].append(variant(ItemVariant(colour, size, bool(in_stock))))
    tags_of: dict[int, _Tags] = {}
    owner: int | None = None
    kinds: dict[str, list[str]] = defaultdict(list)

    def keep() -> None:
        if owner is not None:
            tags_of[owner] = (
                tuples(tuple(kinds["style"])),
                tuples(tuple(kinds["occasion"])),
                tuples(tuple(kinds["material"])),
            )

    # Ordered by product: each product's tags come together, and are kept when the next one begins.
    async for chunk in _chunks(session, tags):
        for product_id, kind, value in chunk:
            if product_id != owner:
                keep()
                owner, kinds = product_id, defaultdict(list)
            kinds[kind].append(value)
    keep()
    found = []
    async for chunk in _chunks(session, products):
        for (
            product_id,
            sku,
            title_de,
            title_en,
            brand,
            category_id,
            gender,
            amount,
            currency,
            season,
        ) in chunk:
            styles, occasions, materials = tags_of.pop(product_id, _NO_TAGS)
            found.append(
                Item(
                    product_id=product_id,
                    sku=sku,
                    title_de=text(title_de),
                    title_en=text(title_en),
                    brand=names(brand),
                    category_path=path(category_id),
                    gender=names(gender),
                    price=price(amount),
                    currency=text(currency),
                    variants=tuples(tuple(variants_of.pop(product_id, ()))),
                    styles=styles,
                    occasions=occasions,
                    materials=materials,
                    season=text(season),
                )
            )
    return found


async def _fingerprint(session: Session) -> tuple[Any, ...]:
    """Read what changes whenever the catalog changes in a way search notices (see the module docs)."""
    stocked = Stock.quantity > 0
    row = await session.execute(
        select(
            select(func.count()).select_from(Product).scalar_subquery(),
            select(func.max(Product.updated_at)).scalar_subquery(),
            select(func.count()).select_from(Variant).scalar_subquery(),
            select(func.count()).select_from(ProductTag).scalar_subquery(),
            select(func.count()).select_from(Category).scalar_subquery(),
            select(func.count()).select_from(Brand).scalar_subquery(),
            select(func.count()).select_from(Stock).where(stocked).scalar_subquery(),
            select(func.coalesce(func.sum(Stock.variant_id), 0)).where(stocked).scalar_subquery(),
        )
    )
    return tuple(row.one())


class Searcher:
    """This process's index of the catalog in a database, kept current (see the module docs)."""

    def __init__(
        self, database: Database, *, clock: Clock | None = None, refresh_seconds: float = REFRESH_SECONDS
    ) -> None:
        self._database = database
        self._clock = clock or Clock()
        self._refresh_every = timedelta(seconds=refresh_seconds)
        self._index = Index()
        self._lexicon = Lexicon.default()
        self._fingerprint: tuple[Any, ...] | None = None
        self._checked_at: datetime | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    @classmethod
    async def load(
        cls, database: Database, *, clock: Clock | None = None, refresh_seconds: float = REFRESH_SECONDS
    ) -> Searcher:
        """Build the index of the catalog in ``database``."""
        searcher = cls(database, clock=clock, refresh_seconds=refresh_seconds)
        await searcher.refresh()
        return searcher

    @property
    def lexicon(self) -> Lexicon:
        """Return the words of the indexed catalog, for :func:`catalog.query.parse`."""
        return self._lexicon

    @property
    def size(self) -> int:
        """Return how many products are indexed."""
        return len(self._index)

    async def refresh(self) -> bool:
        """Rebuild the index if the catalog changed since it was built; tell whether it was rebuilt."""
        async with self._lock:
            self._checked_at = self._clock.now()
            # Read-only: reading 100k products must not hold SQLite's write lock for the seconds it takes.
            async with self._database.unit_of_work(read_only=True) as session:
                fingerprint = await _fingerprint(session)
                if fingerprint == self._fingerprint:
                    return False
                found = await items(session)
                known_words = await catalog_lexicon(session)
            self._index = await asyncio.to_thread(Index.build, found)
            self._lexicon, self._fingerprint = known_words, fingerprint
            log.info("search index built: %d products", len(self._index))
            return True

    async def search(self, query: Query, *, limit: int = 10, offset: int = 0) -> Page:
        """Find products for a parsed query (in a thread); starts a refresh in the background when due."""
        self._refresh_when_due()
        return await asyncio.to_thread(self._index.search, query, limit=limit, offset=offset)

    async def similar(self, *, product_id: int, limit: int = 10) -> list[Hit]:
        """Find products like the given one."""
        self._refresh_when_due()
        return await asyncio.to_thread(self._index.similar, product_id, limit=limit)

    async def reindex(self, *, product_id: int) -> None:
        """Bring one product up to date in the index at once: added, changed, or gone (or archived)."""
        async with self._database.unit_of_work(read_only=True) as session:
            found = await items(session, product_ids=(product_id,))
        if found:
            await asyncio.to_thread(self._index.update, found[0])
        else:
            await asyncio.to_thread(self._index.remove, product_id)

    def _refresh_when_due(self) -> None:
        due = self._checked_at is None or self._clock.now() - self._checked_at >= self._refresh_every
        if due and self._background is None:
            self._background = asyncio.create_task(self._refresh_in_background())

    async def _refresh_in_background(self) -> None:
        try:
            await self.refresh()
        except Exception:
            log.exception("refreshing the search index failed; searches keep using the old one")
        finally:
            self._background = None

    async def close(self) -> None:
        """Let a refresh that is under way finish."""
        if self._background is not None:
            await self._background


async def results(session: Session, *, hits: Sequence[Hit], locale: str) -> list[Result]:
    """Describe hits for a product list: title and category names in ``locale`` ("de" or "en")."""
    ids = [hit.product_id for hit in hits]
    german = locale == "de"
    products = {
        row[0]: row
        for row in (
            await session.execute(
                select(
                    Product.id,
                    Product.title_de if german else Product.title_en,
                    Brand.name,
                    Product.category_id,
                    Product.price,
                    Product.currency,
                )
                .outerjoin(Brand, Brand.id == Product.brand_id)
                .where(Product.id.in_(ids))
            )
        )
    }
    categories = {
        category_id: (parent_id, name)
        for category_id, parent_id, name in (
            await session.execute(
                select(Category.id, Category.parent_id, Category.name_de if german else Category.name_en)
            )
        )
    }
    colours: dict[int, list[str]] = defaultdict(list)
    sizes: dict[int, list[str]] = defaultdict(list)
    for product_id, colour, size in await session.execute(
        select(Variant.product_id, Variant.colour, Variant.size)
        .where(Variant.product_id.in_(ids))
        .order_by(Variant.id)
    ):
        colours[product_id].append(colour)
        sizes[product_id].append(size)

    def path(category_id: int | None) -> tuple[str, ...]:
        if category_id is None:
            return ()
        parent_id, name = categories[category_id]
        return (*path(parent_id), name)

    found = []
    for hit in hits:
        row = products.get(hit.product_id)
        if row is None:
            continue
        _, title, brand, category_id, price, currency = row
        found.append(
            Result(
                product_id=hit.product_id,
                sku=hit.sku,
                title=title,
                brand=brand,
                category_path=path(category_id),
                colors=tuple(dict.fromkeys(colours[hit.product_id])),
                sizes=tuple(dict.fromkeys(sizes[hit.product_id])),
                price=price,
                currency=currency,
                in_stock=hit.in_stock,
                score=hit.score,
            )
        )
    return found
