"""Synthetic catalogs for benchmarks: reproducible rows and queries whose right answers are known."""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

import pytest

from catalog import synthetic
from catalog.vocabulary import CATEGORY_BY_SLUG, COLOURS, KINDS


@pytest.fixture(scope="module")
def rows() -> list[synthetic.Row]:
    """Give five thousand synthetic products."""
    return list(synthetic.products(count=5000, seed=11))


def test_the_same_seed_gives_the_same_catalog(rows: list[synthetic.Row]) -> None:
    assert list(synthetic.products(count=5000, seed=11)) == rows
    assert list(synthetic.products(count=100, seed=11)) == rows[:100]
    assert list(synthetic.products(count=100, seed=12)) != rows[:100]


def test_rows_are_complete_and_consistent(rows: list[synthetic.Row]) -> None:
    assert len({row["sku"] for row in rows}) == len(rows)
    for row in rows:
        assert tuple(row) == synthetic.FIELDS
        leaf = CATEGORY_BY_SLUG[row["category"].split("/")[-1]]
        assert leaf.kind in KINDS and row["category"].split("/")[0] in {"women", "men", "accessories", "home"}
        assert set(row["colours"].split("|")) <= set(COLOURS)
        assert row["sizes"] and row["title_de"] and row["title_en"]
        price = Decimal(row["price"])
        assert price > 0 and price.as_tuple().exponent == -2
        if row["compare_at_price"]:
            assert Decimal(row["compare_at_price"]) > price
        assert int(row["stock"]) >= 0
    assert {row["category"].split("/")[0] for row in rows} == {"women", "men", "accessories", "home"}
    assert 0.1 < sum(bool(row["compare_at_price"]) for row in rows) / len(rows) < 0.3


def test_queries_are_reproducible(rows: list[synthetic.Row]) -> None:
    assert synthetic.queries(rows, count=50, seed=5) == synthetic.queries(rows, count=50, seed=5)
    assert synthetic.queries(rows, count=50, seed=5) != synthetic.queries(rows, count=50, seed=6)


def test_every_query_knows_exactly_the_products_that_match(rows: list[synthetic.Row]) -> None:
    queries = synthetic.queries(rows, count=200, seed=3)

    by_sku = {row["sku"]: row for row in rows}
    for query in queries:
        assert query.expected, query
        assert query.expected == synthetic.ground_truth(rows, query.intent)
        intent = query.intent
        for row in (by_sku[sku] for sku in query.expected):
            assert CATEGORY_BY_SLUG[row["category"].split("/")[-1]].kind == intent.kind
            assert intent.colour is None or intent.colour in row["colours"].split("|")
            assert intent.max_price is None or Decimal(row["price"]) <= intent.max_price
            assert intent.brand is None or row["brand"] == intent.brand
            assert intent.size is None or intent.size in row["sizes"].split("|")
            assert intent.gender is None or row["gender"] == intent.gender


def test_queries_mix_languages_constraints_and_typos(rows: list[synthetic.Row]) -> None:
    queries = synthetic.queries(rows, count=200, seed=3)

    assert {q.language for q in queries} == {"de", "en"}
    assert 0.15 < sum(q.typo for q in queries) / len(queries) < 0.45
    assert any(q.intent.max_price and q.intent.colour and q.intent.size for q in queries)
    for query in queries:
        if query.intent.max_price is not None:
            assert str(query.intent.max_price) in query.text
        if query.intent.colour is not None and not query.typo and query.language == "en":
            assert query.intent.colour in query.text.lower()
        if not query.typo:
            term = KINDS[query.intent.kind].term
            words = (term.de, term.de_plural) if query.language == "de" else (term.en, term.en_plural)
            assert any(word.lower() in query.text.lower() for word in words), query.text


def test_a_typo_changes_one_word_by_one_letter() -> None:
    rng = random.Random(1)
    for _ in range(200):
        text = "rote Winterjacke unter 120 €"
        typed = synthetic.misspell(rng, text)
        changed = [(a, b) for a, b in zip(text.split(" "), typed.split(" "), strict=True) if a != b]
        assert len(changed) == 1
        original, typo = changed[0]
        assert abs(len(original) - len(typo)) <= 1 and original[0] == typo[0]
    assert synthetic.misspell(rng, "T-Shirt 20 €") == "T-Shirt 20 €"


def test_rows_round_trip_through_csv(rows: list[synthetic.Row], tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"

    assert synthetic.write_csv(rows[:300], path) == 300

    with path.open(encoding="utf-8", newline="") as file:
        assert list(csv.DictReader(file)) == rows[:300]
