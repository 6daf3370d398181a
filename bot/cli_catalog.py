"""Command line: ``python -m bot import-catalog FILE``, a retailer's catalog from CSV or JSON."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import click

from bot import db as bot_db
from bot import logs
from bot.config import Settings
from catalog import demo, importer
from core.clock import Clock
from core.db import Database

EXIT_ROWS_REJECTED = 1
EXIT_UNUSABLE = 2


@click.command("import-catalog")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--retailer",
    default=demo.RETAILER_SLUG,
    show_default=True,
    metavar="SLUG",
    help="The retailer whose catalog this is.",
)
@click.option(
    "--retailer-name", metavar="NAME", help="Add the retailer under this name when it does not exist yet."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["auto", "csv", "json"]),
    default="auto",
    show_default=True,
    help="auto: by extension (.csv .tsv .txt, .json .jsonl .ndjson).",
)
@click.option("--database", metavar="URL", help="Import into this database instead of DATABASE_URL.")
@click.option(
    "--archive-missing",
    is_flag=True,
    help="Mark the retailer's products that are not in the file inactive (they are kept otherwise).",
)
@click.option(
    "--quiet", is_flag=True, help="Print only the rows that were turned away, no progress or summary."
)
def import_catalog(
    file: Path,
    retailer: str,
    retailer_name: str | None,
    file_format: importer.Format,
    database: str | None,
    archive_missing: bool,
    quiet: bool,
) -> None:
    """Import a retailer's catalog from a CSV or JSON file (columns: docs/catalog-import.md).

    Products are matched by the retailer's SKU: new ones are added, changed ones updated (price changes
    are recorded), and importing the same file again changes nothing. Every bad row is printed with its
    line (or JSON index) and reason; the good rows are imported all the same. Migrates the database first.

    Exit status: 0 when every row was imported, 1 when some rows were turned away, 2 when the file or the
    options cannot be used at all (nothing was written).
    """
    settings = Settings()
    logs.setup(settings.log_level)
    url = database or settings.database_url
    bot_db.migrate(url)
    with ExitStack() as stack:
        progress = None if quiet else _ProgressBar(stack)
        work = partial(
            importer.import_catalog,
            path=file,
            retailer=retailer,
            retailer_name=retailer_name,
            file_format=file_format,
            media_dir=settings.media_dir,
            now=Clock().now(),
            archive_missing=archive_missing,
            progress=progress,
        )
        try:
            summary = asyncio.run(_on(url, work))
        except importer.UnusableInput as error:
            click.echo(f"Cannot import {file}: {error}", err=True)
            raise SystemExit(EXIT_UNUSABLE) from error
    for row_error in summary.errors:
        click.echo(str(row_error), err=True)
    if not quiet:
        click.echo(_report(summary, file))
    if summary.errors:
        raise SystemExit(EXIT_ROWS_REJECTED)


class _ProgressBar:
    """Shows the importer's progress as a bar, opened once the number of rows is known."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = self.stack.enter_context(
                click.progressbar(length=total, label="Importing", file=sys.stderr)
            )
        self.bar.update(done - self.bar.pos)


async def _on(
    url: str, work: Callable[[Database], Awaitable[importer.ImportSummary]]
) -> importer.ImportSummary:
    database = Database.from_url(url)
    try:
        return await work(database)
    finally:
        await database.dispose()


def _report(summary: importer.ImportSummary, file: Path) -> str:
    products, variants = summary.products, summary.variants
    lines = [
        f"Imported {file.name} for {summary.retailer} in {summary.seconds:.1f} s "
        f"({summary.rows_read / max(summary.seconds, 0.001):,.0f} rows/s)",
        f"  rows:        {summary.rows_read} read, {summary.rows_imported} imported, "
        f"{summary.rows_rejected} turned away",
        f"  products:    {products.created} created, {products.updated} updated, "
        f"{products.unchanged} unchanged, {summary.products_archived} archived",
        f"  variants:    {variants.created} created, {variants.updated} updated, "
        f"{variants.unchanged} unchanged",
        f"  stock:       {summary.stock_levels} store levels set",
        f"  prices:      {summary.price_changes} changes recorded",
    ]
    if summary.errors:
        reasons = ", ".join(f"{reason} {count}" for reason, count in summary.errors_by_reason())
        lines.append(f"  errors:      {reasons}")
    return "\n".join(lines)
