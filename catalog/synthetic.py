"""Large synthetic catalogs for benchmarks, and shopper queries whose right answers are known.

:func:`products` yields plain rows (every value a string, lists joined with ``|``) made of the same words
as the demo catalog. :func:`queries` asks for things those rows contain, in German or English, sometimes
with a typo, and gives with each query the SKUs that truly match it: the rows whose structured fields
satisfy the query's :class:`Intent`, decided by :func:`matches`, never by a search engine.
"""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from catalog.vocabulary import COLOURS, KINDS, LEAVES, category_path, design

Row = dict[str, str]

FIELDS = (
    "sku",
    "title_de",
    "title_en",
    "brand",
    "category",
    "gender",
    "colours",
    "sizes",
    "material",
    "styles",
    "occasions",
    "season",
    "price",
    "compare_at_price",
    "currency",
    "stock",
)
SEPARATOR = "|"

_PATHS = {leaf.slug: "/".join(node.slug for node in category_path(leaf)) for leaf in LEAVES}
_KIND_BY_PATH = {_PATHS[leaf.slug]: leaf.kind for leaf in LEAVES if leaf.kind is not None}


def products(*, count: int, seed: int = 0) -> Iterator[Row]:
    """Yield ``count`` invented products; the same seed always yields the same rows."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        leaf = rng.choice(LEAVES)
        item = design(rng, leaf)
        yield {
            "sku": f"SYN-{number:07d}",
            "title_de": item.title_de,
            "title_en": item.title_en,
            "brand": item.brand.name,
            "category": _PATHS[leaf.slug],
            "gender": leaf.gender or "",
            "colours": SEPARATOR.join(item.colours),
            "sizes": SEPARATOR.join(item.sizes),
            "material": item.material.key,
            "styles": SEPARATOR.join(item.styles),
            "occasions": SEPARATOR.join(item.occasions),
            "season": item.season,
            "price": str(item.price),
            "compare_at_price": str(item.compare_at_price or ""),
            "currency": "EUR",
            "stock": str(0 if rng.random() < 0.1 else rng.randint(1, 200)),
        }


def write_csv(rows: Iterable[Mapping[str, str]], path: Path) -> int:
    """Write rows as a catalog import file (docs/catalog-import.md); return how many were written.

    Each row is one product with its ``|``-separated colours and sizes; ``stock`` is a plain number, the
    units every variant has in the retailer's warehouse.
    """
    written = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


@dataclass(frozen=True, slots=True)
class Intent:
    """What a shopper asks for: a kind of product, and optionally gender, colour, size, brand, budget."""

    kind: str
    gender: str | None = None
    colour: str | None = None
    size: str | None = None
    brand: str | None = None
    max_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """A shopper's query as typed, the intent behind it and the SKUs that truly match."""

    text: str
    language: str
    intent: Intent
    typo: bool
    expected: frozenset[str]


def matches(row: Mapping[str, str], intent: Intent) -> bool:
    """Tell whether a row satisfies the intent (the budget includes its bound)."""
    return (
        _KIND_BY_PATH.get(row["category"]) == intent.kind
        and (intent.gender is None or row["gender"] == intent.gender)
        and (intent.colour is None or intent.colour in row["colours"].split(SEPARATOR))
        and (intent.size is None or intent.size in row["sizes"].split(SEPARATOR))
        and (intent.brand is None or row["brand"] == intent.brand)
        and (intent.max_price is None or Decimal(row["price"]) <= intent.max_price)
    )


def ground_truth(rows: Iterable[Mapping[str, str]], intent: Intent) -> frozenset[str]:
    """Return the SKUs of every row that satisfies the intent."""
    return frozenset(row["sku"] for row in rows if matches(row, intent))


def _intent(rng: random.Random, row: Mapping[str, str]) -> Intent:
    """Ask for something this row is, so that every query has at least one right answer."""
    kind = _KIND_BY_PATH[row["category"]]
    sizes = row["sizes"].split(SEPARATOR)
    price = Decimal(row["price"])
    step = 10 if price < 100 else 50
    return Intent(
        kind=kind,
        gender=row["gender"] if row["gender"] in {"women", "men"} and rng.random() < 0.4 else None,
        colour=rng.choice(row["colours"].split(SEPARATOR)) if rng.random() < 0.85 else None,
        size=rng.choice(sizes) if len(sizes) > 1 and rng.random() < 0.25 else None,
        brand=row["brand"] if rng.random() < 0.2 else None,
        max_price=Decimal(math.ceil(price / step) * step) if rng.random() < 0.5 else None,
    )


_GERMAN_GENDER = {"women": "Damen", "men": "Herren"}
_ENGLISH_GENDER = {"women": "women's", "men": "men's"}


def _german(rng: random.Random, intent: Intent) -> str:
    term = KINDS[intent.kind].term
    plural = rng.random() < 0.5
    noun = term.de_plural if plural else term.de
    if intent.colour is not None:
        colour = COLOURS[intent.colour].adjective
        if rng.random() < 0.7:
            noun = f"{colour.german('pl' if plural else term.gender)} {noun}"
        else:
            noun = f"{noun} {colour.de}"
    words = [noun]
    if intent.gender is not None:
        gender = _GERMAN_GENDER[intent.gender]
        words = [gender, *words] if rng.random() < 0.5 else [*words, f"für {gender}"]
    if intent.brand is not None:
        words = [intent.brand, *words] if rng.random() < 0.5 else [*words, f"von {intent.brand}"]
    if intent.size is not None:
        words.append(rng.choice(("Größe {}", "Gr. {}", "in {}")).format(intent.size))
    if intent.max_price is not None:
        words.append(rng.choice(("unter {} €", "bis {} Euro", "max. {}€")).format(intent.max_price))
    return " ".join(words)


def _english(rng: random.Random, intent: Intent) -> str:
    term = KINDS[intent.kind].term
    words = [term.en_plural if rng.random() < 0.5 else term.en]
    if intent.gender is not None:
        words.insert(0, _ENGLISH_GENDER[intent.gender])
    if intent.colour is not None:
        words.insert(0, intent.colour)
    if intent.brand is not None:
        words = [intent.brand, *words] if rng.random() < 0.5 else [*words, f"by {intent.brand}"]
    if intent.size is not None:
        words.append(f"size {intent.size}")
    if intent.max_price is not None:
        words.append(rng.choice(("under {}", "below €{}", "up to {} eur")).format(intent.max_price))
    return " ".join(words)


_KEYBOARD_ROWS = ("qwertzuiopü", "asdfghjklöä", "yxcvbnm")
_NEIGHBOURS = {
    key: row[max(0, index - 1) : index] + row[index + 1 : index + 2]
    for row in _KEYBOARD_ROWS
    for index, key in enumerate(row)
}


def misspell(rng: random.Random, text: str) -> str:
    """Put one typo (swapped, missing, doubled or neighbouring letter) into a word of four letters or more."""
    words = text.split(" ")
    candidates = [index for index, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    operation = rng.choice(("swap", "drop", "double", "neighbour"))
    if operation == "swap" and word[at] != word[at + 1]:
        typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif operation == "drop":
        typo = word[:at] + word[at + 1 :]
    elif operation == "neighbour" and word[at].lower() in _NEIGHBOURS:
        typo = word[:at] + rng.choice(_NEIGHBOURS[word[at].lower()]) + word[at + 1 :]
    else:
        typo = word[:at] + word[at] + word[at:]
    words[index] = typo
    return " ".join(words)


def queries(
    rows: Sequence[Mapping[str, str]], *, count: int, seed: int = 0, typo_share: float = 0.3
) -> list[Query]:
    """Make ``count`` shopper queries about ``rows`` (half German, half English) with their right answers."""
    by_kind: dict[str, list[Mapping[str, str]]] = defaultdict(list)
    for row in rows:
        by_kind[_KIND_BY_PATH[row["category"]]].append(row)
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        intent = _intent(rng, rng.choice(rows))
        language = rng.choice(("de", "en"))
        text = _german(rng, intent) if language == "de" else _english(rng, intent)
        if rng.random() < 0.6:
            text = text.lower()
        typed = misspell(rng, text) if rng.random() < typo_share else text
        expected = frozenset(row["sku"] for row in by_kind[intent.kind] if matches(row, intent))
        made.append(
            Query(text=typed, language=language, intent=intent, typo=typed != text, expected=expected)
        )
    return made
