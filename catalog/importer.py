"""Import a retailer's catalog from CSV or JSON (``python -m bot import-catalog FILE``).

The columns and both formats are described in docs/catalog-import.md. In short: every row names a
product by its ``sku`` and some of its variants, either one (``variant_sku``, ``colour``, ``size``) or
every combination of ``|``-separated ``colours`` and ``sizes``; rows with the same ``sku`` describe one
product and must agree on its fields.

An import runs in two steps:

1. The whole file is read and every row checked on its own, against the retailer's stores, the
   category tree, the colours and the barcode rules. Nothing is written yet.
2. Products are written in batches of whole products, one unit of work each, with bulk upserts keyed
   by the retailer's SKUs. A batch first loads what its products already have and turns away the rows
   that clash with it (a variant SKU of another product, a colour and size that belong to another
   variant), then writes the rest. A crash leaves whole batches.

A row that is turned away writes nothing; the others are imported. Importing the same file again writes
nothing. Price changes of products that exist already go through :func:`catalog.prices.set_price`, so
they are recorded like any other; a new product's first price is not a change.

An import only adds and updates. A column missing from the file leaves that field of existing products
as it is, a store missing from a stock cell keeps its units, and products missing from the file stay as
they are (``archive_missing`` marks them inactive instead).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar, cast

from PIL import Image
from sqlalchemy import bindparam, select, update
from sqlalchemy import delete as sql_delete

from catalog import prices
from catalog.models import (
    FITS,
    GENDERS,
    SEASONS,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductTag,
    Retailer,
    Stock,
    Store,
    Variant,
)
from catalog.vocabulary import COLOURS
from core.db import Database, Session, upsert, upsert_many

Format = Literal["auto", "csv", "json"]
# Called after every batch with the rows handled so far and the rows in the file.
Progress = Callable[[int, int], None]

BATCH_SIZE = 1000
DEFAULT_CURRENCY = "EUR"
ONE_SIZE = "one size"
SEPARATOR = "|"

PRODUCT_COLUMNS = (
    "sku",
    "title_de",
    "title_en",
    "description_de",
    "description_en",
    "brand",
    "category",
    "category_name_de",
    "category_name_en",
    "gender",
    "fit",
    "season",
    "price",
    "compare_at_price",
    "currency",
    "active",
    "styles",
    "occasions",
    "materials",
    "image",
)
VARIANT_COLUMNS = ("variant_sku", "colours", "sizes", "gtin", "stock")
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
# List columns may be named in the singular: a row with one variant reads naturally as colour and size.
_ALIASES = {
    "colour": "colours",
    "color": "colours",
    "colors": "colours",
    "size": "sizes",
    "style": "styles",
    "occasion": "occasions",
    "material": "materials",
}
_EXTENSIONS: dict[str, Literal["csv", "json"]] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
_TAG_COLUMNS = (("style", "styles"), ("occasion", "occasions"), ("material", "materials"))

# German colour words, and other spellings shoppers and retailers use, beside the catalog's own names.
_COLOUR_SYNONYMS = {
    "gray": "grey",
    "navy blue": "navy",
    "marine": "navy",
    "dunkelblau": "navy",
    "creme": "cream",
    "cremefarben": "cream",
    "bordeaux": "burgundy",
    "weinrot": "burgundy",
    "oliv": "olive",
}

_CENT = Decimal("0.01")
_MAX_UNITS = 2**31 - 1
_AMOUNT = re.compile(r"\d{1,10}(?:[.,]\d{1,2})?")
_INTEGER = re.compile(r"-?\d{1,12}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CURRENCY = re.compile(r"[A-Z]{3}")
_TRUTH = {
    "true": True,
    "yes": True,
    "ja": True,
    "1": True,
    "false": False,
    "no": False,
    "nein": False,
    "0": False,
}
# Lengths of the columns the values are stored in.
_SKU_LENGTH = 64
_TITLE_LENGTH = 200
_NAME_LENGTH = 64
_SIZE_LENGTH = 16
_TAG_LENGTH = 32
_PATH_LENGTH = 255
_RETAILER_NAME_LENGTH = 128

_T = TypeVar("_T")


class UnusableInput(Exception):
    """The file or the options cannot be imported at all; nothing was written."""


@dataclass(frozen=True, slots=True, order=True)
class RowError:
    """A row that was not imported: where it is, a short reason to count by, and what is wrong."""

    position: int
    unit: Literal["line", "index"]
    reason: str
    message: str

    @property
    def location(self) -> str:
        """Return "line 12" (CSV, JSON Lines) or "index 3" (JSON array, counted from 0)."""
        return f"{self.unit} {self.position}"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class Tally:
    """How many products or variants an import created, updated and found as they were."""

    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did, and every row it turned away."""

    retailer: str
    rows_read: int
    rows_imported: int
    products: Tally
    variants: Tally
    products_archived: int
    stock_levels: int
    price_changes: int
    errors: tuple[RowError, ...]
    seconds: float

    @property
    def rows_rejected(self) -> int:
        """Return how many rows were turned away (a row can have several errors)."""
        return len({error.position for error in self.errors})

    def errors_by_reason(self) -> list[tuple[str, int]]:
        """Count the errors by reason, most frequent first."""
        return Counter(error.reason for error in self.errors).most_common()


def _folded(text: str) -> str:
    return text.strip().lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


_COLOUR_WORDS = (
    {_folded(name): name for name in COLOURS}
    | {_folded(colour.adjective.de): colour.name for colour in COLOURS.values()}
    | {_folded(word): name for word, name in _COLOUR_SYNONYMS.items()}
)


def colour_name(word: str) -> str | None:
    """Return the catalog's colour for an English or German colour word ("Weiß" → "white"), or None."""
    return _COLOUR_WORDS.get(_folded(word))


def gtin_check_digit(body: str) -> int:
    """Return the GS1 check digit for the digits before it (weights 3 and 1 from the right)."""
    total = sum(int(digit) * (1 if index % 2 else 3) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """Tell whether ``code`` is an EAN-8, UPC-A, EAN-13 or GTIN-14 with a correct check digit."""
    return (
        len(code) in (8, 12, 13, 14)
        and code.isascii()
        and code.isdigit()
        and gtin_check_digit(code[:-1]) == int(code[-1])
    )


@cache
def _code(word: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", word.upper())


def variant_sku(product_sku: str, colour: str, size: str) -> str:
    """Name a variant after its product, colour and size ("KD-0101-RED-M"), as the demo catalog does."""
    return f"{product_sku}-{_code(colour)}-{_code(size)}"


# Reading


@dataclass(frozen=True, slots=True)
class _Table:
    """A file's columns and its records: cells by column, or why a record could not be read."""

    unit: Literal["line", "index"]
    columns: frozenset[str]
    records: Iterator[tuple[int, dict[str, str] | RowError]]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as error:
        raise UnusableInput(f"there is no file {path}") from error
    except IsADirectoryError as error:
        raise UnusableInput(f"{path} is a folder, not a file") from error
    except UnicodeDecodeError as error:
        raise UnusableInput(
            f"{path.name} is not UTF-8 text ({error.reason} at byte {error.start})"
        ) from error


def _column(name: str) -> str:
    folded = name.strip().lower()
    return _ALIASES.get(folded, folded)


def _columns(names: Iterable[str]) -> list[str]:
    """Check a file's column names and return them normalised ("" for a column without a name)."""
    columns = [_column(name) for name in names]
    if "sku" not in columns:
        raise UnusableInput("no sku column: the first line must name the columns, e.g. sku,title_de,price")
    unknown = sorted({column for column in columns if column and column not in COLUMNS})
    if unknown:
        hints = []
        for column in unknown:
            near = difflib.get_close_matches(column, COLUMNS, n=1)
            hints.append(f'"{column}"' + (f' (did you mean "{near[0]}"?)' if near else ""))
        raise UnusableInput(f"unknown column {', '.join(hints)}; the columns are {', '.join(COLUMNS)}")
    twice = sorted(column for column, count in Counter(columns).items() if column and count > 1)
    if twice:
        raise UnusableInput(f"column {', '.join(twice)} appears twice (colour and colours are one column)")
    return columns


def _read_csv(path: Path) -> _Table:
    text = _text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = _next_cells(reader, 1)
    if header is None or not any(cell.strip() for cell in header):
        raise UnusableInput(f"{path.name} is empty: the first line must name the columns")
    columns = _columns(header)

    def records() -> Iterator[tuple[int, dict[str, str] | RowError]]:
        end = reader.line_num
        # Rows are read before anything is written, so a file that breaks off here leaves no trace.
        while (cells := _next_cells(reader, end + 1)) is not None:
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                yield (
                    start,
                    RowError(
                        start,
                        "line",
                        "wrong number of cells",
                        f"{len(cells)} cells, but the header names {len(columns)} columns "
                        "(quote cells that contain the separator)",
                    ),
                )
                continue
            # Spreadsheets leave out empty cells at the end of a row.
            cells += [""] * (len(columns) - len(cells))
            yield start, {name: cell.strip() for name, cell in zip(columns, cells, strict=True) if name}

    return _Table("line", frozenset(column for column in columns if column), records())


def _next_cells(reader: Iterator[list[str]], line: int) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as error:
        raise UnusableInput(f"line {line} cannot be read as CSV: {error}") from error


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return SEPARATOR.join(_cell(item) for item in value)
    if isinstance(value, dict):
        return SEPARATOR.join(f"{key}:{_cell(item)}" for key, item in value.items())
    return str(value).strip()


def _read_json(path: Path) -> _Table:
    text = _text(path)
    stripped = text.lstrip()
    if not stripped:
        raise UnusableInput(f"{path.name} is empty")
    items: list[tuple[int, object]] = []
    broken: dict[int, str] = {}
    if stripped.startswith("["):
        unit: Literal["line", "index"] = "index"
        try:
            # Numbers become Decimal, never float: 79.90 stays 79.90.
            document = json.loads(text, parse_float=Decimal, parse_constant=Decimal)
        except json.JSONDecodeError as error:
            raise UnusableInput(f"{path.name} is not valid JSON: {error}") from error
        items = list(enumerate(document))
    else:
        unit = "line"
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                try:
                    items.append((number, json.loads(line, parse_float=Decimal, parse_constant=Decimal)))
                except json.JSONDecodeError as error:
                    broken[number] = f"not valid JSON: {error.msg} at column {error.colno}"
    objects = [item for _, item in items if isinstance(item, dict)]
    if not objects:
        raise UnusableInput(f"{path.name} holds no JSON objects: give a list of objects or one per line")
    # The columns are every key any object has; an object without one of them has an empty cell there.
    columns = _columns(sorted({_column(str(key)) for item in objects for key in item}))

    def records() -> Iterator[tuple[int, dict[str, str] | RowError]]:
        for position, message in broken.items():
            yield position, RowError(position, unit, "bad JSON", message)
        for position, item in items:
            if not isinstance(item, dict):
                yield position, RowError(position, unit, "not an object", "not a JSON object")
                continue
            cells = {_column(str(key)): _cell(value) for key, value in item.items()}
            if len(cells) < len(item):
                yield position, RowError(position, unit, "duplicate column", "a column is named twice")
                continue
            yield position, {column: cells.get(column, "") for column in columns}

    return _Table(unit, frozenset(columns), records())


def _read(path: Path, file_format: Format) -> _Table:
    if file_format == "auto":
        found = _EXTENSIONS.get(path.suffix.lower())
        if found is None:
            raise UnusableInput(
                f"cannot tell the format of {path.name}: name it .csv, .tsv, .txt, .json, .jsonl or "
                ".ndjson, or give the format"
            )
        file_format = found
    return _read_csv(path) if file_format == "csv" else _read_json(path)


# Checking rows on their own


@dataclass(frozen=True, slots=True)
class _Bad:
    reason: str
    message: str


@dataclass(slots=True)
class _Node:
    """A category: its id (None until an import creates it), its parent's slug and its names."""

    id: int | None
    parent: str | None
    name_de: str = ""
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class _Image:
    """A product picture: the file to copy into the media folder (None: it is there) and its place there."""

    source: Path | None
    path: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class _ProductPart:
    """What a row says about its product: the columns it gives, its tags by kind, its picture."""

    fields: dict[str, Any]
    tags: dict[str, frozenset[str]]
    image: _Image | None


@dataclass(frozen=True, slots=True)
class _Row:
    """A row that passed the checks it can pass on its own."""

    position: int
    sku: str
    product: _ProductPart
    # SKU, colour and size of every variant the row names; no colour and size: the variant exists.
    variants: tuple[tuple[str, str | None, str | None], ...]
    gtin: str | None
    stock: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class _Lookups:
    """What rows are checked against, loaded once before the file is read."""

    retailer_id: int | None
    stores: dict[str, int]
    warehouse_id: int | None
    categories: dict[str, _Node]
    children: Counter[str | None]
    brands: dict[str, int]
    new_brands: dict[str, str] = field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _folded(text)).strip("-")


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _amount(cell: str, reason: str) -> Decimal | _Bad:
    if _AMOUNT.fullmatch(cell) is None:
        return _Bad(reason, f'{reason} "{cell}" (digits with a dot or comma and at most two decimals: 79.90)')
    return Decimal(cell.replace(",", ".")).quantize(_CENT)


def _choice(cell: str, allowed: tuple[str, ...], name: str) -> str | _Bad:
    value = cell.lower()
    if value not in allowed:
        return _Bad(f"bad {name}", f'bad {name} "{cell}" (one of {", ".join(allowed)})')
    return value


def _colours(cell: str) -> tuple[str, ...] | _Bad:
    names: list[str] = []
    for word in _split(cell):
        name = colour_name(word)
        if name is None:
            return _Bad("unknown colour", f'unknown colour "{word}" (known: {", ".join(COLOURS)})')
        if name not in names:
            names.append(name)
    return tuple(names)


def _sizes(cell: str) -> tuple[str, ...] | _Bad:
    sizes = list(dict.fromkeys(_split(cell))) or [ONE_SIZE]
    for size in sizes:
        if len(size) > _SIZE_LENGTH:
            return _Bad("bad size", f'size "{size}" is longer than {_SIZE_LENGTH} characters')
    return tuple(sizes)


def _tag_parser(kind: str) -> Callable[[str], frozenset[str] | _Bad]:
    def parse(cell: str) -> frozenset[str] | _Bad:
        values = frozenset(value.lower() for value in _split(cell))
        for value in values:
            if len(value) > _TAG_LENGTH:
                return _Bad("bad tag", f'{kind} "{value}" is longer than {_TAG_LENGTH} characters')
        return values

    return parse


def _gtin(cell: str) -> str | _Bad:
    if len(cell) not in (8, 12, 13, 14) or not (cell.isascii() and cell.isdigit()):
        return _Bad("bad GTIN", f'bad GTIN "{cell}" (8, 12, 13 or 14 digits)')
    if not is_valid_gtin(cell):
        expected = gtin_check_digit(cell[:-1])
        return _Bad("bad GTIN", f'bad GTIN check digit in "{cell}" (the last digit should be {expected})')
    return cell


class _Checker:
    """Checks rows one by one; remembers what it parsed, since catalogs repeat their values."""

    def __init__(
        self, columns: frozenset[str], lookups: _Lookups, *, import_dir: Path, media_dir: Path, retailer: str
    ) -> None:
        self.columns = columns
        self.lookups = lookups
        self.import_dir = import_dir
        self.media_dir = media_dir
        self.retailer = retailer
        self._memo: dict[tuple[str, str], Any] = {}
        self._tag_parsers = {kind: _tag_parser(kind) for kind, _ in _TAG_COLUMNS}

    def _memoised(self, column: str, cell: str, parse: Callable[[str], _T | _Bad]) -> _T | _Bad:
        key = (column, cell)
        if key not in self._memo:
            self._memo[key] = parse(cell)
        return cast("_T | _Bad", self._memo[key])

    def check(self, position: int, cells: Mapping[str, str]) -> _Row | list[_Bad]:
        """Check one row; return it ready to write, or everything wrong with it."""
        problems: list[_Bad] = []
        take = self._take
        sku = cells["sku"]
        if not sku:
            problems.append(_Bad("missing sku", "missing sku"))
        elif len(sku) > _SKU_LENGTH:
            problems.append(_Bad("bad sku", f"sku is longer than {_SKU_LENGTH} characters"))
        fields = self._fields(cells, problems)
        tags: dict[str, frozenset[str]] = {}
        for kind, column in _TAG_COLUMNS:
            if column in self.columns:
                values = take(self._memoised(column, cells[column], self._tag_parsers[kind]), problems)
                tags[kind] = values if values is not None else frozenset()
        image = (
            take(self._memoised("image", cells["image"], self._image), problems)
            if cells.get("image")
            else None
        )
        given_sku = cells.get("variant_sku", "")
        colours = take(self._memoised("colours", cells.get("colours", ""), _colours), problems) or ()
        sizes = take(self._memoised("sizes", cells.get("sizes", ""), _sizes), problems) or (ONE_SIZE,)
        gtin = take(_gtin(cells["gtin"]), problems) if cells.get("gtin") else None
        stock = (
            take(self._memoised("stock", cells["stock"], self._stock), problems) if cells.get("stock") else ()
        )
        self._check_variants(given_sku, cells, colours, sizes, problems)
        variants: tuple[tuple[str, str | None, str | None], ...]
        if given_sku:
            variants = ((given_sku, colours[0], sizes[0]),) if colours else ((given_sku, None, None),)
        else:
            variants = tuple((variant_sku(sku, c, s), c, s) for c in colours for s in sizes)
        longest = max((variant[0] for variant in variants), key=len, default="")
        if len(longest) > _SKU_LENGTH:
            problems.append(
                _Bad("bad variant sku", f"variant SKU {longest} is longer than {_SKU_LENGTH} characters")
            )
        if problems:
            return problems
        return _Row(
            position=position,
            sku=sku,
            product=_ProductPart(fields=fields, tags=tags, image=image),
            variants=variants,
            gtin=gtin,
            stock=stock or (),
        )

    def _check_variants(
        self,
        given_sku: str,
        cells: Mapping[str, str],
        colours: tuple[str, ...],
        sizes: tuple[str, ...],
        problems: list[_Bad],
    ) -> None:
        count = len(colours) * len(sizes)
        needs_colour = cells.get("sizes") or (not given_sku and (cells.get("gtin") or cells.get("stock")))
        if needs_colour and not colours and not cells.get("colours"):
            problems.append(
                _Bad("missing colour", "missing colour: sizes, barcodes and stock belong to a variant")
            )
        if given_sku and count > 1:
            problems.append(
                _Bad(
                    "bad variant sku",
                    f"variant_sku names one variant, but the row lists {count} colours and sizes",
                )
            )
        if cells.get("gtin") and count > 1:
            problems.append(_Bad("bad GTIN", f"one gtin for {count} variants: give one row per variant"))

    def _fields(self, cells: Mapping[str, str], problems: list[_Bad]) -> dict[str, Any]:
        """Return the product columns the row gives, as they are stored (brand and category by slug)."""
        fields: dict[str, Any] = {}
        columns = self.columns
        for pair, required in (
            (("title_de", "title_en"), True),
            (("description_de", "description_en"), False),
        ):
            given = {column: cells[column] for column in pair if column in columns}
            if not given:
                continue
            fallback = next((text for text in given.values() if text), "")
            if required and not fallback:
                problems.append(_Bad("missing title", "missing title (title_de or title_en)"))
            for column, text in given.items():
                fields[column] = text or fallback
                if required and len(fields[column]) > _TITLE_LENGTH:
                    problems.append(
                        _Bad("text too long", f"{column} is longer than {_TITLE_LENGTH} characters")
                    )
        if "brand" in columns:
            fields["brand"] = self._brand(cells["brand"], problems)
        if "category" in columns:
            fields["category"] = self._category(cells, problems)
        for name, allowed in (("gender", GENDERS), ("fit", FITS)):
            if name in columns:
                fields[name] = (
                    self._take(_choice(cells[name], allowed, name), problems) if cells[name] else None
                )
        if "season" in columns:
            fields["season"] = self._take(_choice(cells["season"] or "all", SEASONS, "season"), problems)
        if "price" in columns:
            if cells["price"]:
                fields["price"] = self._take(self._memoised("price", cells["price"], _price), problems)
            else:
                problems.append(_Bad("missing price", "missing price"))
        if "compare_at_price" in columns:
            cell = cells["compare_at_price"]
            fields["compare_at_price"] = (
                self._take(self._memoised("compare_at_price", cell, _compare_at_price), problems)
                if cell
                else None
            )
            price, compare_at = fields.get("price"), fields["compare_at_price"]
            if price is not None and compare_at is not None and compare_at <= price:
                problems.append(
                    _Bad(
                        "compare-at price not above price",
                        f"compare-at price {compare_at} is not above price {price}",
                    )
                )
        if "currency" in columns:
            currency = (cells["currency"] or DEFAULT_CURRENCY).upper()
            if _CURRENCY.fullmatch(currency) is None:
                problems.append(
                    _Bad("bad currency", f'bad currency "{cells["currency"]}" (three letters: EUR)')
                )
            fields["currency"] = currency
        if "active" in columns:
            active = _TRUTH.get(cells["active"].lower() or "true")
            if active is None:
                problems.append(_Bad("bad active", f'bad active "{cells["active"]}" (true or false)'))
            fields["active"] = active
        return fields

    @staticmethod
    def _take(value: _T | _Bad, problems: list[_Bad]) -> _T | None:
        if isinstance(value, _Bad):
            problems.append(value)
            return None
        return value

    def _brand(self, cell: str, problems: list[_Bad]) -> str | None:
        if not cell:
            return None
        slug = _slug(cell)
        if not slug or len(cell) > _NAME_LENGTH:
            problems.append(
                _Bad("bad brand", f'bad brand "{cell}" (a name of up to {_NAME_LENGTH} characters)')
            )
            return None
        if slug not in self.lookups.brands:
            self.lookups.new_brands.setdefault(slug, cell)
        return slug

    def _category(self, cells: Mapping[str, str], problems: list[_Bad]) -> str | None:
        cell = cells["category"]
        if not cell:
            problems.append(_Bad("missing category", "missing category"))
            return None
        known = self._memo.get(("category", cell))
        if known is not None:
            return cast(str, known)
        name_de, name_en = cells.get("category_name_de", ""), cells.get("category_name_en", "")
        resolved = self._resolve_category(cell, name_de or name_en, name_en or name_de)
        if isinstance(resolved, _Bad):
            problems.append(resolved)
            return None
        self._memo["category", cell] = resolved
        return resolved

    def _resolve_category(self, cell: str, name_de: str, name_en: str) -> str | _Bad:
        """Find the category a slug or a path of slugs names; a new last node is added when it has names."""
        tree = self.lookups.categories
        segments = [segment.strip().lower() for segment in cell.split("/")]
        if any(_SLUG.fullmatch(segment) is None or len(segment) > _NAME_LENGTH for segment in segments):
            return _Bad("bad category", f'bad category "{cell}" (a slug or a path of slugs: home/vases)')
        for index, slug in enumerate(segments):
            parent = segments[index - 1] if index else None
            node = tree.get(slug)
            if node is None:
                if index < len(segments) - 1 or not name_de:
                    near = difflib.get_close_matches(slug, list(tree), n=3, cutoff=0.5)
                    hint = f"nearest: {', '.join(near)}; " if near else ""
                    return _Bad(
                        "unknown category",
                        f'unknown category "{slug}" ({hint}name it in category_name_de or _en to add it)',
                    )
                if max(len(name_de), len(name_en)) > _NAME_LENGTH:
                    return _Bad("bad category", f"category names are longer than {_NAME_LENGTH} characters")
                tree[slug] = _Node(None, parent, name_de, name_en)
                return slug
            if index and node.parent != parent:
                return _Bad(
                    "bad category", f'category "{slug}" is under "{node.parent}", not under "{parent}"'
                )
        return segments[-1]

    def _stock(self, cell: str) -> tuple[tuple[int, int], ...] | _Bad:
        stores = self.lookups.stores
        if _INTEGER.fullmatch(cell):
            if self.lookups.warehouse_id is None:
                return _Bad(
                    "no warehouse",
                    f'stock "{cell}" without a store counts for the warehouse, and there is none: '
                    "give units per store, e.g. BER:3|HAM:0",
                )
            return self._units(cell, cell, self.lookups.warehouse_id)
        levels: dict[int, int] = {}
        for part in _split(cell):
            code, colon, units = part.partition(":")
            if not colon or _INTEGER.fullmatch(units.strip()) is None:
                return _Bad("bad stock", f'bad stock "{part}" (STORE:UNITS, e.g. BER:3|HAM:0)')
            store = stores.get(code.strip().upper())
            if store is None:
                known = ", ".join(sorted(stores)) or "none"
                return _Bad("unknown store", f'unknown store "{code.strip()}" (stores: {known})')
            if store in levels:
                return _Bad("bad stock", f'store "{code.strip()}" is named twice')
            counted = self._units(cell, units.strip(), store)
            if isinstance(counted, _Bad):
                return counted
            levels |= dict(counted)
        return tuple(levels.items())

    @staticmethod
    def _units(cell: str, units: str, store: int) -> tuple[tuple[int, int], ...] | _Bad:
        count = int(units)
        if count < 0:
            return _Bad("negative stock", f'negative stock "{cell}"')
        if count > _MAX_UNITS:
            return _Bad("bad stock", f'stock "{cell}" is too large')
        return ((store, count),)

    def _image(self, cell: str) -> _Image | _Bad:
        relative = PurePosixPath(cell.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            return _Bad(
                "bad image", f'bad image "{cell}" (a path inside the media folder or next to the file)'
            )
        in_media = self.media_dir / relative
        if in_media.is_file():
            source, file, path = None, in_media, relative.as_posix()
        else:
            file = self.import_dir / relative
            if not file.is_file():
                return _Bad(
                    "bad image", f'image "{cell}" is neither in the media folder nor next to the file'
                )
            source, path = file, f"products/{self.retailer}/{relative.as_posix()}"
        if len(path) > _PATH_LENGTH:
            return _Bad("bad image", f'image path "{path}" is longer than {_PATH_LENGTH} characters')
        try:
            with Image.open(file) as picture:
                width, height = picture.size
        except (OSError, Image.DecompressionBombError):
            return _Bad("bad image", f'image "{cell}" is not a picture')
        return _Image(source=source, path=path, width=width, height=height)


def _price(cell: str) -> Decimal | _Bad:
    return _amount(cell, "bad price")


def _compare_at_price(cell: str) -> Decimal | _Bad:
    return _amount(cell, "bad compare-at price")


# Grouping rows by product


@dataclass(slots=True)
class _Group:
    """The rows of one product, and which row named each of its colour and size combinations."""

    sku: str
    rows: list[_Row]
    combinations: dict[tuple[str, str], int]


def _differences(first: _ProductPart, other: _ProductPart) -> list[str]:
    names = sorted(
        name
        for name in first.fields.keys() | other.fields.keys()
        if first.fields.get(name) != other.fields.get(name)
    )
    names += sorted(
        f"{kind}s"
        for kind in first.tags.keys() | other.tags.keys()
        if first.tags.get(kind) != other.tags.get(kind)
    )
    return names + (["image"] if first.image != other.image else [])


def _clash(row: _Row, group: _Group | None, owners: dict[str, int], unit: str) -> _Bad | None:
    """Find what makes a row disagree with the rows before it: other product fields, a variant twice."""
    if group is not None and row.product != group.rows[0].product:
        first = group.rows[0]
        differing = ", ".join(_differences(first.product, row.product))
        return _Bad(
            "product fields differ",
            f"differs from {unit} {first.position} of product {row.sku} in {differing}",
        )
    seen: dict[str, int] = {}
    for sku, colour, size in row.variants:
        earlier = owners.get(sku, seen.get(sku))
        if earlier is not None:
            return _Bad("duplicate variant", f"variant {sku} is already in {unit} {earlier}")
        if (
            colour is not None
            and size is not None
            and group is not None
            and (colour, size) in group.combinations
        ):
            at = group.combinations[colour, size]
            return _Bad("duplicate variant", f"{colour} in size {size} is already in {unit} {at}")
        seen[sku] = row.position
    return None


def _group(
    table: _Table, checker: _Checker, errors: list[RowError], skus: set[str]
) -> tuple[dict[str, _Group], int]:
    """Check every record; group the good rows by product SKU, report the others; count the records."""
    groups: dict[str, _Group] = {}
    owners: dict[str, int] = {}
    count = 0
    for position, record in table.records:
        count += 1
        if isinstance(record, RowError):
            errors.append(record)
            continue
        skus.add(record["sku"])
        checked = checker.check(position, record)
        if isinstance(checked, _Row):
            group = groups.get(checked.sku)
            clash = _clash(checked, group, owners, table.unit)
            if clash is None:
                if group is None:
                    group = groups[checked.sku] = _Group(checked.sku, [], {})
                group.rows.append(checked)
                for sku, colour, size in checked.variants:
                    owners[sku] = position
                    if colour is not None and size is not None:
                        group.combinations[colour, size] = position
                continue
            checked = [clash]
        errors.extend(RowError(position, table.unit, bad.reason, bad.message) for bad in checked)
    return groups, count


def _batches(groups: Iterable[_Group], size: int) -> Iterator[list[_Group]]:
    """Cut the products into batches of ``size`` products or five times as many variants."""
    batch: list[_Group] = []
    variants = 0
    for group in groups:
        batch.append(group)
        variants += sum(len(row.variants) or 1 for row in group.rows)
        if len(batch) >= size or variants >= 5 * size:
            yield batch
            batch, variants = [], 0
    if batch:
        yield batch


# Writing


_PRODUCT_FIELDS = (
    "title_de",
    "title_en",
    "description_de",
    "description_en",
    "brand_id",
    "category_id",
    "gender",
    "fit",
    "season",
    "price",
    "compare_at_price",
    "currency",
    "active",
)
# Prices are not upserted: their changes go through catalog.prices, which records them.
_UPSERTED_FIELDS = [name for name in _PRODUCT_FIELDS if name not in ("price", "compare_at_price")]
_NEW_PRODUCT = {
    "description_de": "",
    "description_en": "",
    "brand_id": None,
    "gender": None,
    "fit": None,
    "season": "all",
    "compare_at_price": None,
    "currency": DEFAULT_CURRENCY,
    "active": True,
}
_PRODUCTS: Any = Product.__table__
_VARIANTS: Any = Variant.__table__
_STOCK: Any = Stock.__table__
_TAGS: Any = ProductTag.__table__
_IMAGES: Any = ProductImage.__table__
_BRANDS: Any = Brand.__table__
_CATEGORIES: Any = Category.__table__
_RETAILERS: Any = Retailer.__table__


def _among(column: Any, values: list[Any]) -> Any:
    """Match a column against a batch's values, written into the statement.

    Each lookup is then planned for its values. As parameters, PostgreSQL reuses a generic plan made
    while the table was still small, which scans the whole table once it has grown during the import.
    """
    return column.in_(bindparam(f"{column.key}_among", values, expanding=True, literal_execute=True))


@dataclass(frozen=True, slots=True)
class _StoredProduct:
    id: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _StoredVariant:
    id: int
    product_id: int
    product_sku: str
    colour: str
    size: str
    gtin: str | None


@dataclass(frozen=True, slots=True)
class _VariantPlan:
    sku: str
    colour: str
    size: str
    gtin: str | None
    stock: tuple[tuple[int, int], ...]
    stored: _StoredVariant | None


@dataclass(frozen=True, slots=True)
class _Plan:
    """A product to write: what its rows say, what is stored, and the variants of its rows that passed."""

    sku: str
    part: _ProductPart
    stored: _StoredProduct | None
    variants: list[_VariantPlan]


@dataclass(slots=True)
class _Counts:
    products: Counter[str] = field(default_factory=Counter)
    variants: Counter[str] = field(default_factory=Counter)
    stock_levels: int = 0
    price_changes: int = 0


class _Writer:
    """Writes batches of products for one retailer, each in the unit of work it is given."""

    def __init__(
        self,
        *,
        retailer_id: int,
        lookups: _Lookups,
        unit: Literal["line", "index"],
        now: datetime,
        media_dir: Path,
        errors: list[RowError],
    ) -> None:
        self.retailer_id = retailer_id
        self.lookups = lookups
        self.unit = unit
        self.now = now
        self.media_dir = media_dir
        self.errors = errors
        self.counts = _Counts()

    async def write(self, session: Session, groups: list[_Group]) -> None:
        """Check a batch against what is stored, then write its good rows."""
        stored = await self._stored_products(session, [group.sku for group in groups])
        variants, taken = await self._stored_variants(session, stored, groups)
        plans = [
            plan
            for group in groups
            if (plan := self._plan(group, stored.get(group.sku), variants, taken)) is not None
        ]
        if not plans:
            return
        await self._ensure_brands(session, plans)
        await self._ensure_categories(session, plans)
        product_ids = await self._write_products(session, plans)
        variant_ids = await self._write_variants(session, plans, product_ids)
        await self._write_stock(session, plans, variant_ids)

    def _reject(self, rows: Iterable[_Row], bad: _Bad) -> None:
        self.errors.extend(RowError(row.position, self.unit, bad.reason, bad.message) for row in rows)

    async def _stored_products(self, session: Session, skus: list[str]) -> dict[str, _StoredProduct]:
        columns = [Product.id, Product.sku, *(getattr(Product, name) for name in _PRODUCT_FIELDS)]
        result = await session.execute(
            select(*columns).where(Product.retailer_id == self.retailer_id, _among(Product.sku, skus))
        )
        return {
            row.sku: _StoredProduct(row.id, {name: row._mapping[name] for name in _PRODUCT_FIELDS})
            for row in result
        }

    async def _stored_variants(
        self, session: Session, stored: dict[str, _StoredProduct], groups: list[_Group]
    ) -> tuple[dict[str, _StoredVariant], dict[int, dict[tuple[str, str], str]]]:
        """Load the stored products' variants and those the batch names, by SKU and by product."""
        query = select(
            Variant.id,
            Variant.sku,
            Variant.product_id,
            Product.sku,
            Variant.colour,
            Variant.size,
            Variant.gtin,
        ).join(Product, Product.id == Variant.product_id)
        # Two queries rather than one with OR: each then uses its index.
        product_ids = [product.id for product in stored.values()]
        found = list(await session.execute(query.where(_among(Variant.product_id, product_ids))))
        known = {row[1] for row in found}
        skus = [
            sku for group in groups for row in group.rows for sku, _, _ in row.variants if sku not in known
        ]
        if skus:
            found += await session.execute(
                query.where(Variant.retailer_id == self.retailer_id, _among(Variant.sku, skus))
            )
        by_sku: dict[str, _StoredVariant] = {}
        taken: dict[int, dict[tuple[str, str], str]] = {}
        for id_, sku, product_id, product_sku, colour, size, gtin in found:
            by_sku[sku] = _StoredVariant(id_, product_id, product_sku, colour, size, gtin)
            taken.setdefault(product_id, {})[colour, size] = sku
        return by_sku, taken

    def _plan(
        self,
        group: _Group,
        stored: _StoredProduct | None,
        variants: dict[str, _StoredVariant],
        taken: dict[int, dict[tuple[str, str], str]],
    ) -> _Plan | None:
        """Decide what to write for a product; turn away the rows that clash with what is stored."""
        part = group.rows[0].product
        fields = part.fields
        problem: _Bad | None = None
        if stored is None:
            missing = [
                name
                for name, columns in (
                    ("title", ("title_de", "title_en")),
                    ("category", ("category",)),
                    ("price", ("price",)),
                )
                if not any(column in fields for column in columns)
            ]
            if missing:
                problem = _Bad(
                    f"missing {missing[0]}", f"product {group.sku} is new and needs {', '.join(missing)}"
                )
        price = fields["price"] if "price" in fields else stored.values["price"] if stored else None
        compare_at = (
            fields["compare_at_price"]
            if "compare_at_price" in fields
            else stored.values["compare_at_price"]
            if stored
            else None
        )
        if problem is None and price is not None and compare_at is not None and compare_at <= price:
            problem = _Bad(
                "compare-at price not above price",
                f"the compare-at price {compare_at} is not above the price {price}",
            )
        if problem is not None:
            self._reject(group.rows, problem)
            return None
        combinations = taken.get(stored.id, {}) if stored else {}
        accepted = 0
        plans: list[_VariantPlan] = []
        for row in group.rows:
            planned = self._variant_plans(row, stored, variants, combinations)
            if isinstance(planned, _Bad):
                self._reject([row], planned)
                continue
            accepted += 1
            plans += planned
        if accepted and stored is None and not plans:
            self._reject(group.rows, _Bad("missing colour", f"product {group.sku} is new and needs a colour"))
            return None
        return _Plan(group.sku, part, stored, plans) if accepted else None

    @staticmethod
    def _variant_plans(
        row: _Row,
        stored: _StoredProduct | None,
        variants: dict[str, _StoredVariant],
        combinations: dict[tuple[str, str], str],
    ) -> list[_VariantPlan] | _Bad:
        plans = []
        for sku, given_colour, given_size in row.variants:
            found = variants.get(sku)
            if found is not None and (stored is None or found.product_id != stored.id):
                return _Bad(
                    "variant of another product", f"variant {sku} belongs to product {found.product_sku}"
                )
            if given_colour is not None and given_size is not None:
                colour, size = given_colour, given_size
            elif found is not None:
                colour, size = found.colour, found.size
            else:
                return _Bad("missing colour", f"variant {sku} is new and needs a colour")
            holder = combinations.get((colour, size))
            if holder is not None and holder != sku:
                return _Bad("duplicate variant", f"{colour} in size {size} is already variant {holder}")
            gtin = row.gtin or (found.gtin if found else None)
            plans.append(_VariantPlan(sku, colour, size, gtin, row.stock, found))
        return plans

    async def _ensure_brands(self, session: Session, plans: list[_Plan]) -> None:
        brands = self.lookups.brands
        missing = {plan.part.fields.get("brand") for plan in plans} - brands.keys() - {None}
        if not missing:
            return
        rows = [
            {"slug": slug, "name": self.lookups.new_brands[slug]} for slug in sorted(cast(set[str], missing))
        ]
        await upsert_many(session, _BRANDS, rows, conflict=["slug"])
        result = await session.execute(select(Brand.slug, Brand.id).where(Brand.slug.in_(missing)))
        brands.update({slug: id_ for slug, id_ in result})

    async def _ensure_categories(self, session: Session, plans: list[_Plan]) -> None:
        """Add the new categories the batch uses, parents before their children."""
        tree = self.lookups.categories
        missing: dict[str, _Node] = {}
        for plan in plans:
            slug = plan.part.fields.get("category")
            while slug is not None and tree[slug].id is None:
                missing[slug] = tree[slug]
                slug = tree[slug].parent
        while missing:
            level = [
                slug
                for slug, node in missing.items()
                if node.parent is None or tree[node.parent].id is not None
            ]
            rows = []
            for slug in level:
                node = missing.pop(slug)
                rows.append(
                    {
                        "slug": slug,
                        "parent_id": tree[node.parent].id if node.parent else None,
                        "name_de": node.name_de,
                        "name_en": node.name_en,
                        "position": self.lookups.children[node.parent],
                    }
                )
                self.lookups.children[node.parent] += 1
            await upsert_many(session, _CATEGORIES, rows, conflict=["slug"])
            result = await session.execute(select(Category.slug, Category.id).where(Category.slug.in_(level)))
            for slug, id_ in result:
                tree[slug].id = id_

    def _values(self, plan: _Plan) -> dict[str, Any]:
        """Return the product's columns as they should be stored."""
        given = {name: value for name, value in plan.part.fields.items() if name not in ("brand", "category")}
        if "brand" in plan.part.fields:
            brand = plan.part.fields["brand"]
            given["brand_id"] = None if brand is None else self.lookups.brands[brand]
        if "category" in plan.part.fields:
            given["category_id"] = self.lookups.categories[plan.part.fields["category"]].id
        if plan.stored is not None:
            return plan.stored.values | given
        for first, second in (("title_de", "title_en"), ("description_de", "description_en")):
            text = given.get(first) or given.get(second) or ""
            given.setdefault(first, text)
            given.setdefault(second, text)
        return _NEW_PRODUCT | given

    async def _write_products(self, session: Session, plans: list[_Plan]) -> dict[str, int]:
        """Upsert the new and changed products, record price changes, tags and pictures; give ids by SKU."""
        rows: list[dict[str, Any]] = []
        repriced: list[tuple[int, dict[str, Any]]] = []
        changed: set[str] = set()
        for plan in plans:
            values = self._values(plan)
            row = {
                "retailer_id": self.retailer_id,
                "sku": plan.sku,
                **values,
                "created_at": self.now,
                "updated_at": self.now,
            }
            if plan.stored is None:
                rows.append(row)
                continue
            stored = plan.stored.values
            if any(values[name] != stored[name] for name in _UPSERTED_FIELDS):
                rows.append(row | {"price": stored["price"], "compare_at_price": stored["compare_at_price"]})
                changed.add(plan.sku)
            if (values["price"], values["compare_at_price"]) != (stored["price"], stored["compare_at_price"]):
                repriced.append((plan.stored.id, values))
                changed.add(plan.sku)
        written = await upsert_many(
            session,
            _PRODUCTS,
            rows,
            conflict=["retailer_id", "sku"],
            update=[*_UPSERTED_FIELDS, "updated_at"],
            returning=["sku", "id"],
        )
        ids = {plan.sku: plan.stored.id for plan in plans if plan.stored is not None}
        ids.update(written)
        for product_id, values in repriced:
            await prices.set_price(
                session,
                product_id=product_id,
                price=values["price"],
                compare_at_price=values["compare_at_price"],
                now=self.now,
            )
        self.counts.price_changes += len(repriced)
        changed |= await self._write_tags(session, plans, ids)
        changed |= await self._write_images(session, plans, ids)
        for plan in plans:
            outcome = "created" if plan.stored is None else "updated" if plan.sku in changed else "unchanged"
            self.counts.products[outcome] += 1
        return ids

    async def _write_tags(self, session: Session, plans: list[_Plan], ids: dict[str, int]) -> set[str]:
        """Make each product's tags of the kinds its rows give exactly those; return the SKUs that changed."""
        stored_ids = [plan.stored.id for plan in plans if plan.stored is not None and plan.part.tags]
        stored: dict[int, set[tuple[str, str]]] = {}
        if stored_ids:
            result = await session.execute(
                select(ProductTag.product_id, ProductTag.kind, ProductTag.value).where(
                    _among(ProductTag.product_id, stored_ids)
                )
            )
            for product_id, kind, value in result:
                stored.setdefault(product_id, set()).add((kind, value))
        added: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        changed = set()
        for plan in plans:
            product_id = ids[plan.sku]
            have = stored.get(product_id, set())
            want = {(kind, value) for kind, values in plan.part.tags.items() for value in values}
            gone = {(kind, value) for kind, value in have if kind in plan.part.tags} - want
            added += [
                {"product_id": product_id, "kind": kind, "value": value}
                for kind, value in sorted(want - have)
            ]
            removed += [{"p": product_id, "k": kind, "v": value} for kind, value in sorted(gone)]
            if want - have or gone:
                changed.add(plan.sku)
        await upsert_many(session, _TAGS, added, conflict=["product_id", "kind", "value"])
        if removed:
            await session.execute(
                sql_delete(_TAGS).where(
                    _TAGS.c.product_id == bindparam("p"),
                    _TAGS.c.kind == bindparam("k"),
                    _TAGS.c.value == bindparam("v"),
                ),
                removed,
            )
        return {plan.sku for plan in plans if plan.sku in changed and plan.stored is not None}

    async def _write_images(self, session: Session, plans: list[_Plan], ids: dict[str, int]) -> set[str]:
        """Make each given picture the product's first one, copying it into the media folder."""
        pictured = [plan for plan in plans if plan.part.image is not None]
        stored_ids = [plan.stored.id for plan in pictured if plan.stored is not None]
        stored: dict[int, str] = {}
        if stored_ids:
            result = await session.execute(
                select(ProductImage.product_id, ProductImage.path).where(
                    _among(ProductImage.product_id, stored_ids), ProductImage.position == 0
                )
            )
            stored = {product_id: path for product_id, path in result}
        rows = []
        changed = set()
        for plan in pictured:
            image = cast(_Image, plan.part.image)
            copied = image.source is not None and _place(image.source, self.media_dir / image.path)
            product_id = ids[plan.sku]
            if copied or stored.get(product_id) != image.path:
                rows.append(
                    {
                        "product_id": product_id,
                        "position": 0,
                        "path": image.path,
                        "width": image.width,
                        "height": image.height,
                        "colour": None,
                        "telegram_file_id": None,
                    }
                )
                changed.add(plan.sku)
        await upsert_many(
            session,
            _IMAGES,
            rows,
            conflict=["product_id", "position"],
            update=["path", "width", "height", "colour", "telegram_file_id"],
        )
        return changed

    async def _write_variants(
        self, session: Session, plans: list[_Plan], product_ids: dict[str, int]
    ) -> dict[str, int]:
        """Upsert the new and changed variants; give every planned variant's id by SKU."""
        rows = []
        for plan in plans:
            for variant in plan.variants:
                found = variant.stored
                if found is not None and (variant.colour, variant.size, variant.gtin) == (
                    found.colour,
                    found.size,
                    found.gtin,
                ):
                    self.counts.variants["unchanged"] += 1
                    continue
                self.counts.variants["created" if found is None else "updated"] += 1
                rows.append(
                    {
                        "product_id": product_ids[plan.sku],
                        "retailer_id": self.retailer_id,
                        "sku": variant.sku,
                        "colour": variant.colour,
                        "size": variant.size,
                        "gtin": variant.gtin,
                    }
                )
        written = await upsert_many(
            session,
            _VARIANTS,
            rows,
            conflict=["retailer_id", "sku"],
            update=["colour", "size", "gtin"],
            returning=["sku", "id"],
        )
        ids = {
            variant.sku: variant.stored.id for plan in plans for variant in plan.variants if variant.stored
        }
        ids.update(written)
        return ids

    async def _write_stock(self, session: Session, plans: list[_Plan], variant_ids: dict[str, int]) -> None:
        """Set the units of every store a row names; other stores keep theirs."""
        wanted = {
            (store_id, variant_ids[variant.sku]): units
            for plan in plans
            for variant in plan.variants
            for store_id, units in variant.stock
        }
        stored_ids = [
            variant.stored.id
            for plan in plans
            for variant in plan.variants
            if variant.stored and variant.stock
        ]
        stored: dict[tuple[int, int], int] = {}
        if stored_ids:
            result = await session.execute(
                select(Stock.store_id, Stock.variant_id, Stock.quantity).where(
                    _among(Stock.variant_id, stored_ids)
                )
            )
            stored = {(store_id, variant_id): quantity for store_id, variant_id, quantity in result}
        rows = [
            {"store_id": store_id, "variant_id": variant_id, "quantity": units}
            for (store_id, variant_id), units in wanted.items()
            if stored.get((store_id, variant_id)) != units
        ]
        await upsert_many(session, _STOCK, rows, conflict=["store_id", "variant_id"], update=["quantity"])
        self.counts.stock_levels += len(rows)


def _place(source: Path, target: Path) -> bool:
    """Copy a picture into the media folder unless the same file is there; tell whether it was copied."""
    if (
        target.is_file()
        and target.stat().st_size == source.stat().st_size
        and target.read_bytes() == source.read_bytes()
    ):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return True


# The import


async def _lookups(session: Session, retailer: str) -> _Lookups:
    """Load the retailer's stores, the category tree and the brands."""
    retailer_id = await session.scalar(select(Retailer.id).where(Retailer.slug == retailer))
    stores: dict[str, int] = {}
    warehouse_id = None
    if retailer_id is not None:
        result = await session.execute(
            select(Store.code, Store.id, Store.is_warehouse)
            .where(Store.retailer_id == retailer_id)
            .order_by(Store.id)
        )
        for code, id_, is_warehouse in result:
            stores[code.upper()] = id_
            if is_warehouse and warehouse_id is None:
                warehouse_id = id_
    nodes = (await session.execute(select(Category.id, Category.slug, Category.parent_id))).all()
    slugs = {id_: slug for id_, slug, _ in nodes}
    tree = {slug: _Node(id_, slugs.get(parent_id) if parent_id else None) for id_, slug, parent_id in nodes}
    children = Counter(node.parent for node in tree.values())
    brands: dict[str, int] = {}
    for id_, name, slug in await session.execute(select(Brand.id, Brand.name, Brand.slug)):
        brands[slug] = id_
        brands.setdefault(_slug(name), id_)
    return _Lookups(retailer_id, stores, warehouse_id, tree, children, brands)


async def _retailer(database: Database, *, slug: str, name: str) -> int:
    async with database.unit_of_work() as session:
        await upsert(session, _RETAILERS, {"slug": slug, "name": name}, conflict=["slug"])
        return cast(int, await session.scalar(select(Retailer.id).where(Retailer.slug == slug)))


async def _archive(database: Database, *, retailer_id: int, keep: set[str], now: datetime) -> int:
    """Mark the retailer's active products whose SKU is not in ``keep`` inactive; return how many."""
    async with database.unit_of_work() as session:
        result = await session.execute(
            select(Product.id, Product.sku).where(
                Product.retailer_id == retailer_id, Product.active.is_(True)
            )
        )
        ids = [id_ for id_, sku in result if sku not in keep]
        for start in range(0, len(ids), BATCH_SIZE):
            await session.execute(
                update(_PRODUCTS)
                .where(_among(_PRODUCTS.c.id, ids[start : start + BATCH_SIZE]))
                .values(active=False, updated_at=now)
            )
    return len(ids)


async def import_catalog(
    database: Database,
    *,
    path: Path,
    retailer: str,
    media_dir: Path,
    now: datetime,
    retailer_name: str | None = None,
    file_format: Format = "auto",
    archive_missing: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Import a catalog file for a retailer, one unit of work per batch; report every row turned away.

    Takes the database rather than a session because each batch commits on its own. Raises
    :class:`UnusableInput`, having written nothing, when the file or the retailer cannot be used.
    """
    started = time.perf_counter()
    if _SLUG.fullmatch(retailer) is None or len(retailer) > _NAME_LENGTH:
        raise UnusableInput(f'bad retailer "{retailer}" (a slug: lowercase letters, digits and dashes)')
    table = _read(path, file_format)
    async with database.unit_of_work() as session:
        lookups = await _lookups(session, retailer)
    if lookups.retailer_id is None and not retailer_name:
        raise UnusableInput(f'there is no retailer "{retailer}"; give its name to add it')
    if retailer_name is not None and len(retailer_name) > _RETAILER_NAME_LENGTH:
        raise UnusableInput(f"the retailer's name is longer than {_RETAILER_NAME_LENGTH} characters")
    checker = _Checker(table.columns, lookups, import_dir=path.parent, media_dir=media_dir, retailer=retailer)
    errors: list[RowError] = []
    skus: set[str] = set()
    groups, rows_read = _group(table, checker, errors, skus)
    retailer_id = lookups.retailer_id or await _retailer(
        database, slug=retailer, name=cast(str, retailer_name)
    )
    writer = _Writer(
        retailer_id=retailer_id, lookups=lookups, unit=table.unit, now=now, media_dir=media_dir, errors=errors
    )
    done = rows_read - sum(len(group.rows) for group in groups.values())
    if progress is not None:
        progress(done, rows_read)
    for batch in _batches(groups.values(), batch_size):
        async with database.unit_of_work() as session:
            await writer.write(session, batch)
        done += sum(len(group.rows) for group in batch)
        if progress is not None:
            progress(done, rows_read)
    archived = await _archive(database, retailer_id=retailer_id, keep=skus, now=now) if archive_missing else 0
    counts = writer.counts
    errors.sort()
    return ImportSummary(
        retailer=retailer,
        rows_read=rows_read,
        rows_imported=rows_read - len({error.position for error in errors}),
        products=Tally(counts.products["created"], counts.products["updated"], counts.products["unchanged"]),
        variants=Tally(counts.variants["created"], counts.variants["updated"], counts.variants["unchanged"]),
        products_archived=archived,
        stock_levels=counts.stock_levels,
        price_changes=counts.price_changes,
        errors=tuple(errors),
        seconds=time.perf_counter() - started,
    )
