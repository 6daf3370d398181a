"""``python -m bot search``: what the bot finds for a shopper's request, as JSON or as a table."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable, Sequence

import click
from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from catalog import query as catalog_query
from catalog import search as catalog_search
from core.db import Database
from core.i18n import format_money

Printer = Callable[[catalog_query.Query, Sequence[catalog_search.Result], int], None]


def as_json(query: catalog_query.Query, results: Sequence[catalog_search.Result]) -> dict[str, object]:
    """Return a query and its results as the command prints them."""
    return {
        "query": query.text,
        "filters": query.filters_json(),
        "results": [
            {
                "sku": result.sku,
                "title": result.title,
                "brand": result.brand,
                "category_path": list(result.category_path),
                "colors": list(result.colors),
                "sizes": list(result.sizes),
                "price": str(result.price),
                "currency": result.currency,
                "in_stock": result.in_stock,
                "score": result.score,
            }
            for result in results
        ],
    }


def _print_json(query: catalog_query.Query, results: Sequence[catalog_search.Result], total: int) -> None:
    click.echo(json.dumps(as_json(query, results), ensure_ascii=False))


def _table_printer(locale: str) -> Printer:
    def print_table(query: catalog_query.Query, results: Sequence[catalog_search.Result], total: int) -> None:
        understood = ", ".join(
            f"{name}={','.join(value) if isinstance(value, list) else value}"
            for name, value in query.filters_json().items()
            if value not in (None, [])
        )
        click.echo(f"Query: {query.text}")
        keywords = ", ".join(query.keywords) or "none"
        click.echo(f"Filters: {understood or 'none'}; keywords: {keywords}; intent: {query.intent}")
        rows = [
            (
                str(number),
                result.sku,
                result.title,
                result.brand or "",
                format_money(result.price, result.currency, locale),
                "yes" if result.in_stock else "no",
                f"{result.score:.2f}",
            )
            for number, result in enumerate(results, start=1)
        ]
        header = ("#", "SKU", "Title", "Brand", "Price", "In stock", "Score")
        widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
        for cells in (header, *rows):
            click.echo(
                "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
            )
        click.echo(f"{len(results)} of {total} matching products\n")

    return print_table


async def _queries(text: str) -> AsyncIterator[str]:
    """Yield the query, or with "-" each non-empty line of standard input as it arrives."""
    if text != "-":
        yield text
        return
    while line := await asyncio.to_thread(sys.stdin.readline):
        if line.strip():
            yield line.strip()


async def _search(url: str, text: str, *, limit: int, locale: str, emit: Printer) -> None:
    database = Database.from_url(url)
    searcher = catalog_search.Searcher(database)
    try:
        try:
            await searcher.refresh()
        except DBAPIError as error:
            raise click.ClickException(
                f"{url} holds no catalog ({error.orig}). "
                "Load the demo catalog with `python -m bot demo-data`."
            ) from error
        if not searcher.size:
            raise click.ClickException(
                f"The catalog in {url} is empty. Load the demo catalog with `python -m bot demo-data`."
            )
        async for line in _queries(text):
            query = catalog_query.parse(line, lexicon=searcher.lexicon, locale=locale)
            page = await searcher.search(query, limit=limit)
            async with database.unit_of_work() as session:
                found = await catalog_search.results(session, hits=page.hits, locale=locale)
            emit(query, found, page.total)
    finally:
        await searcher.close()
        await database.dispose()


@click.command("search")
@click.argument("query")
@click.option("--json", "json_output", is_flag=True, help="Print one JSON object per query.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Results per query.")
@click.option(
    "--locale",
    type=click.Choice(["de", "en"]),
    default=None,
    help="Language of titles, category names and prices (default: DEFAULT_LOCALE).",
)
@click.option("--database", metavar="URL", default=None, help="Database to search (default: DATABASE_URL).")
def search(query: str, json_output: bool, limit: int, locale: str | None, database: str | None) -> None:
    """Search the catalog the way the bot understands a shopper's message.

    QUERY is free text in German or English ("rote Sneaker unter 80 €", "black dress for a wedding");
    with "-" every line of standard input is a query. Prints the filters understood and the results,
    with --json as one JSON object per query:
    {"query", "filters": {"category", "colors", "size", "min_price", "max_price", "brand", "occasion"},
    "results": [{"sku", "title", "brand", "category_path", "colors", "sizes", "price", "currency",
    "in_stock", "score"}]}.
    """
    settings = Settings()
    language = locale or settings.default_locale
    emit = _print_json if json_output else _table_printer(language)
    asyncio.run(_search(database or settings.database_url, query, limit=limit, locale=language, emit=emit))
