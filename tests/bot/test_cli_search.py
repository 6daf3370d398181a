"""``python -m bot search``: the JSON a catalog can be evaluated with, line mode, tables, an empty catalog."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.__main__ import cli
from catalog.vocabulary import COLOURS

FILTERS = {"category", "colors", "size", "min_price", "max_price", "brand", "occasion"}
RESULT = {
    "sku",
    "title",
    "brand",
    "category_path",
    "colors",
    "sizes",
    "price",
    "currency",
    "in_stock",
    "score",
}


@pytest.fixture
def demo_url(scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Give a database holding the demo catalog, named by DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", scratch_url)
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    loaded = CliRunner().invoke(cli, ["demo-data"])
    assert loaded.exit_code == 0, loaded.output
    return scratch_url


@pytest.mark.db
def test_json_has_the_documented_shape_and_results_meet_the_filters(demo_url: str) -> None:
    run = CliRunner().invoke(cli, ["search", "rote Sneaker unter 80 €", "--json"])
    assert run.exit_code == 0, run.output

    printed = json.loads(run.stdout)

    assert set(printed) == {"query", "filters", "results"} and printed["query"] == "rote Sneaker unter 80 €"
    assert printed["filters"] == {
        "category": "sneakers",
        "colors": ["red"],
        "size": None,
        "min_price": None,
        "max_price": "80.00",
        "brand": None,
        "occasion": None,
    }
    assert 0 < len(printed["results"]) <= 10
    for result in printed["results"]:
        assert set(result) == RESULT
        assert "red" in result["colors"] and set(result["colors"]) <= set(COLOURS)
        assert Decimal(result["price"]) <= 80 and result["price"] == f"{Decimal(result['price']):.2f}"
        assert result["currency"] == "EUR" and result["category_path"][-1] == "Sneaker"
        assert isinstance(result["in_stock"], bool) and isinstance(result["score"], float)
        assert result["sizes"] and all(isinstance(size, str) for size in result["sizes"])


@pytest.mark.db
def test_locale_limit_and_database_options(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    run = CliRunner().invoke(
        cli,
        [
            "search",
            "black dress for a wedding",
            "--json",
            "--locale",
            "en",
            "--limit",
            "2",
            "--database",
            demo_url,
        ],
    )
    assert run.exit_code == 0, run.output

    printed = json.loads(run.stdout)

    assert printed["filters"]["occasion"] == "wedding" and printed["filters"]["category"] == "dresses"
    assert len(printed["results"]) == 2
    assert all(result["category_path"] == ["Women", "Dresses"] for result in printed["results"])
    assert all("black" in result["colors"] for result in printed["results"])


@pytest.mark.db
def test_a_dash_reads_one_query_per_line_and_prints_one_object_per_line(demo_url: str) -> None:
    lines = "Lederjake\n\nsnaeker größe 42\nwas passt zu meiner blauen Jeans?\n"
    run = CliRunner().invoke(cli, ["search", "-", "--json", "--limit", "3"], input=lines)
    assert run.exit_code == 0, run.output

    printed = [json.loads(line) for line in run.stdout.splitlines()]

    assert [answer["query"] for answer in printed] == [
        "Lederjake",
        "snaeker größe 42",
        "was passt zu meiner blauen Jeans?",
    ]
    assert printed[0]["filters"]["category"] == "leather-jackets" and printed[0]["results"]
    assert printed[1]["filters"]["size"] == "42" and all("42" in r["sizes"] for r in printed[1]["results"])
    assert printed[2]["filters"]["colors"] == ["blue"] and printed[2]["results"]


@pytest.mark.db
def test_without_json_a_readable_table(demo_url: str) -> None:
    run = CliRunner().invoke(cli, ["search", "Lederjacke", "--locale", "de"])
    assert run.exit_code == 0, run.output

    assert "Filters: category=leather-jackets" in run.stdout
    assert "SKU" in run.stdout and "Lederjacke" in run.stdout and "€" in run.stdout
    assert "matching products" in run.stdout


@pytest.mark.db
def test_an_empty_catalog_is_named_with_the_way_to_fill_it(
    scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", scratch_url)
    runner = CliRunner()
    unmigrated = runner.invoke(cli, ["search", "Sneaker"])
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    empty = runner.invoke(cli, ["search", "Sneaker", "--json"])

    for run in (unmigrated, empty):
        assert run.exit_code == 1
        assert "python -m bot demo-data" in run.output
    assert "empty" in empty.output


def test_the_command_explains_itself() -> None:
    helped = CliRunner().invoke(cli, ["search", "--help"])

    assert helped.exit_code == 0
    for option in ("--json", "--limit", "--locale", "--database"):
        assert option in helped.output
