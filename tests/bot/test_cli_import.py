"""``python -m bot import-catalog``: exit codes, the summary, and every bad row printed with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.__main__ import cli

HEADER = "sku,title_de,title_en,category,category_name_de,category_name_en,colours,sizes,price,stock"
GOOD = (
    "G-1,Topf,Pot,garden,Garten,Garden,green|white,S|M,12.50,",
    'G-2,Kanne,Watering can,garden,,,green,,"19,90",',
)


@pytest.fixture
def environment(scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the command at an empty database and a media folder of its own."""
    monkeypatch.setenv("DATABASE_URL", scratch_url)
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    return scratch_url


def catalog(folder: Path, *rows: str, name: str = "catalog.csv") -> Path:
    """Write an import file with the usual header."""
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def invoke(*arguments: str) -> Result:
    """Run ``import-catalog`` with a new retailer."""
    return CliRunner().invoke(
        cli, ["import-catalog", *arguments, "--retailer", "garden-shop", "--retailer-name", "Garden Shop"]
    )


def test_the_command_explains_itself() -> None:
    runner = CliRunner()

    overview = runner.invoke(cli, ["--help"])
    helped = runner.invoke(cli, ["import-catalog", "--help"])

    assert "import-catalog" in overview.output
    assert helped.exit_code == 0
    for option in ("--retailer", "--retailer-name", "--format", "--database", "--archive-missing", "--quiet"):
        assert option in helped.output
    assert "Exit status" in helped.output


@pytest.mark.db
def test_a_good_file_imports_and_importing_it_again_changes_nothing(environment: str, tmp_path: Path) -> None:
    path = catalog(tmp_path, *GOOD)

    first = invoke(str(path))
    second = invoke(str(path), "--quiet")
    third = invoke(str(path))

    assert first.exit_code == 0, first.output
    assert "Imported catalog.csv for garden-shop" in first.output
    assert "rows:        2 read, 2 imported, 0 turned away" in first.output
    assert "products:    2 created, 0 updated, 0 unchanged, 0 archived" in first.output
    assert "variants:    5 created, 0 updated, 0 unchanged" in first.output
    assert (second.exit_code, second.output) == (0, "")
    assert third.exit_code == 0
    assert "products:    0 created, 0 updated, 2 unchanged" in third.output
    assert "variants:    0 created, 0 updated, 5 unchanged" in third.output
    assert "prices:      0 changes recorded" in third.output


@pytest.mark.db
def test_bad_rows_are_printed_and_the_good_ones_imported(environment: str, tmp_path: Path) -> None:
    path = catalog(
        tmp_path,
        GOOD[0],
        'B-1,Topf,Pot,garden,,,green,,"12,3x",',
        "B-2,Topf,Pot,garden,,,green,,12.00,XYZ:3",
        ",Topf,Pot,garden,,,green,,12.00,",
    )

    result = invoke(str(path))

    assert result.exit_code == 1, result.output
    assert 'line 3: bad price "12,3x"' in result.stderr
    assert 'line 4: unknown store "XYZ" (stores: none)' in result.stderr
    assert "line 5: missing sku" in result.stderr
    assert "rows:        4 read, 1 imported, 3 turned away" in result.stdout
    assert "errors:      bad price 1, unknown store 1, missing sku 1" in result.stdout
    assert "products:    1 created" in result.stdout


@pytest.mark.db
def test_json_is_read_by_its_extension(environment: str, tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    path.write_text(
        '{"sku": "J-1", "title_de": "Topf", "category": "garden", "category_name_en": "Garden",'
        ' "colour": "grün", "price": 12.5}\n{"sku": "J-2", "price": "x"}\n',
        encoding="utf-8",
    )

    result = invoke(str(path))

    assert result.exit_code == 1, result.output
    assert 'line 2: bad price "x"' in result.stderr
    assert "products:    1 created" in result.stdout


@pytest.mark.db
def test_the_database_option_overrides_the_environment(
    scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{elsewhere / 'unused.db'}")
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    path = catalog(tmp_path, GOOD[0])

    first = invoke(str(path), "--database", scratch_url)
    second = invoke(str(path), "--database", scratch_url)

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "1 unchanged" in second.output
    assert not elsewhere.exists()


@pytest.mark.db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "there is no file"),
        ("data.csv", "G-1,Topf,Pot,garden,,,green,,12.50,\n", "no sku column"),
        ("catalog.xlsx", f"{HEADER}\n", "cannot tell the format of catalog.xlsx"),
    ],
)
def test_unusable_input_exits_with_2(
    environment: str, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")

    result = invoke(str(path))

    assert result.exit_code == 2, result.output
    assert f"Cannot import {path}: " in result.stderr and message in result.stderr
    assert result.stdout == ""


@pytest.mark.db
def test_an_unknown_retailer_needs_a_name(environment: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["import-catalog", str(catalog(tmp_path, GOOD[0])), "--retailer", "nobody"]
    )

    assert result.exit_code == 2
    assert 'there is no retailer "nobody"' in result.stderr


@pytest.mark.db
def test_a_format_can_be_named(environment: str, tmp_path: Path) -> None:
    path = catalog(tmp_path, GOOD[0], name="catalog.export")

    named = invoke(str(path), "--format", "csv")
    wrong = invoke(str(path), "--format", "json")

    assert named.exit_code == 0, named.output
    assert wrong.exit_code == 2 and "no JSON objects" in wrong.stderr
