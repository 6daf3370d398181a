"""How fast a retailer's catalog imports: 100,000 products from CSV, then the same file once more.

Writes PRODUCTS synthetic products (catalog.synthetic, the same words as the demo catalog) as one CSV row
each, with ``|``-separated colours and sizes and the warehouse stock, so 100,000 rows expand to about
440,000 variants, as many stock levels and 400,000 tags. The file is imported into a fresh SQLite file
database that holds the demo catalog (its retailer, stores, category tree and brands), and into
BENCH_DATABASE_URL as well when that is set (an empty PostgreSQL database: the benchmark adds the demo
catalog to it). Each database gets the file twice: the first run must create every product, the second
must change nothing. Prints rows/s and the time of each run.

Target on the reference machine (2 cores): 100k rows imported in under 60 s on every database measured.
Exits 1 when a target is missed or a run does not do what it must.

    .venv/bin/python -m bench.import_catalog [--products 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from bot import db as bot_db
from catalog import demo, importer, synthetic
from core.clock import Clock
from core.db import Database

TARGET_SECONDS = 60.0
SEED = 7


async def _measure(url: str, path: Path, media_dir: Path, rows: int) -> bool:
    """Import the file twice into the database at ``url``; print the figures and return whether they hold."""
    await bot_db.migrate_async(url)
    database = Database.from_url(url)
    clock = Clock()
    try:
        async with database.unit_of_work() as session:
            await demo.load(session, media_dir=media_dir, now=clock.now())
        runs = []
        for _ in range(2):
            runs.append(
                await importer.import_catalog(
                    database, path=path, retailer=demo.RETAILER_SLUG, media_dir=media_dir, now=clock.now()
                )
            )
    finally:
        await database.dispose()
    first, second = runs
    print(f"database: {url.split(':')[0]}")
    for label, summary in (("first import", first), ("same file again", second)):
        print(
            f"  {label}: {summary.rows_read:,} rows in {summary.seconds:.1f} s "
            f"({summary.rows_read / summary.seconds:,.0f} rows/s); products {summary.products.created:,} "
            f"created, {summary.products.updated:,} updated, {summary.products.unchanged:,} unchanged; "
            f"variants {summary.variants.created:,} created; {len(summary.errors)} errors"
        )
    complete = first.products.created == rows and not first.errors
    changes = (
        second.products.created,
        second.products.updated,
        second.variants.created,
        second.variants.updated,
        second.stock_levels,
        second.price_changes,
    )
    idempotent = not any(changes) and not second.errors
    met = first.seconds < TARGET_SECONDS
    print(f"  every row imported: {'yes' if complete else 'NO (is the database empty?)'}")
    print(f"  second run changed nothing: {'yes' if idempotent else 'NO'}")
    print(
        f"  target {rows:,} rows in under {TARGET_SECONDS:.0f} s: "
        f"{'met' if met else 'MISSED'} ({first.seconds:.1f} s)"
    )
    return met and complete and idempotent


async def main(products: int) -> bool:
    """Run the benchmark on SQLite and, when configured, PostgreSQL; return whether every target held."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalog.csv"
        started = time.perf_counter()
        rows = synthetic.write_csv(synthetic.products(count=products, seed=SEED), path)
        print(
            f"wrote {rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        urls = [f"sqlite+aiosqlite:///{folder}/bench.db"]
        if os.environ.get("BENCH_DATABASE_URL"):
            urls.append(os.environ["BENCH_DATABASE_URL"])
        results = [await _measure(url, path, Path(folder) / "media", rows) for url in urls]
    held = all(results)
    print("targets met" if held else "TARGETS MISSED")
    return held


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    arguments = parser.parse_args()
    raise SystemExit(0 if asyncio.run(main(arguments.products)) else 1)
