"""How much memory the bot takes with a big catalog: 100,000 products on top of the demo catalog.

Imports PRODUCTS synthetic products (catalog.synthetic, the file bench/import_catalog.py writes: about
440,000 variants, as many stock levels and 400,000 tags) into a SQLite file database holding the demo
catalog, or into ``--database-url`` (an empty PostgreSQL database). Then starts the sandbox in a process of
its own and the bot as ``make run`` starts it (``python -m bot run``, long polling, with a token) in
another, lets a few users search (German and English requests, some with typos), open a card and ask for
similar products, and reads the bot process's peak resident memory (VmHWM in /proc/<pid>/status) with
its search index built. Target: <= 300 MB.

With ``--breakdown`` it also builds the search index in the benchmark's own process under tracemalloc
and prints where the memory goes: the peak while building, what stays, and the lines that hold most.
``--folder`` keeps the database there and reuses it on the next run (the import takes a while).

    .venv/bin/python -m bench.memory [--products 100000] [--database-url URL] [--breakdown] [--folder DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from bench import processes
from bench.updates import buttons
from bot import db as bot_db
from bot.sandbox import SandboxClient
from catalog import demo, importer, synthetic
from catalog.models import Product
from catalog.search import Searcher
from core.clock import Clock
from core.db import Database

TOKEN = "7000000044:SANDBOX-memory-bench"
TARGET_MB = 300.0
SEED = 7
USERS = 4
SEARCHES = 10
ANSWER_SECONDS = 30.0


async def _catalog(url: str, folder: Path, products: int) -> None:
    """Put the demo catalog and the synthetic products into the database, unless they are there."""
    await bot_db.migrate_async(url)
    database = Database.from_url(url)
    try:
        async with database.unit_of_work() as session:
            await demo.load(session, media_dir=folder / "media", now=Clock().now())
            held = await session.scalar(select(func.count()).select_from(Product))
        # Beside the demo catalog's products, a database that holds as many was filled by an earlier run.
        if (held or 0) >= products:
            print(f"catalog: {held:,} products, already in the database")
            return
        path = folder / "catalog.csv"
        synthetic.write_csv(synthetic.products(count=products, seed=SEED), path)
        summary = await importer.import_catalog(
            database, path=path, retailer=demo.RETAILER_SLUG, media_dir=folder / "media", now=Clock().now()
        )
        print(f"catalog: imported {summary.rows_read:,} products in {summary.seconds:.0f} s")
    finally:
        await database.dispose()


async def _shop(sb: SandboxClient, queries: Sequence[synthetic.Query]) -> int:
    """Let a few users search, open the first result's card and ask for similar ones; count answers."""
    answered = 0

    async def user(number: int) -> None:
        nonlocal answered
        language = "de" if number % 2 else "en"
        person = await sb.create_user(f"Shopper {number}", language_code=language)
        me = person["id"]
        await sb.create_chat("private", [me])
        for query in queries[number::USERS][:SEARCHES]:
            sent = await sb.send(me, me, query.text)
            (listing,) = await sb.wait(me, after=sent["message_id"], timeout=ANSWER_SECONDS)
            answered += 1
            cards = buttons(listing, "card:")
            if not cards:
                continue
            await sb.press(me, listing["message_id"], me, cards[0], timeout=ANSWER_SECONDS)
            (card,) = await sb.wait(me, after=listing["message_id"], timeout=ANSWER_SECONDS)
            await sb.press(
                me, card["message_id"], me, f"sim:{cards[0].split(':')[1]}", timeout=ANSWER_SECONDS
            )
            similar = await sb.wait(me, after=card["message_id"], timeout=ANSWER_SECONDS)
            answered += 1 + len(similar[:1])

    await asyncio.gather(*(user(number) for number in range(USERS)))
    return answered


async def _measure_bot(
    url: str, folder: Path, queries: Sequence[synthetic.Query]
) -> tuple[float, float, bool]:
    """Run the bot with the catalog, shop a little; return its peak and current RSS, and whether all was
    answered without errors."""
    log = folder / "bot.log"
    async with processes.sandbox(TOKEN) as sandbox:
        environment = processes.bot_environment(
            telegram_bot_token=TOKEN,
            telegram_api_url=sandbox.root,
            database_url=url,
            media_dir=folder / "media",
            http_port=processes.free_port(),
        )
        bot_run = processes.polling_bot(
            ["-m", "bot", "run"], sandbox_root=sandbox.root, environment=environment, folder=folder, log=log
        )
        async with bot_run as bot, SandboxClient(sandbox.root) as sb:
            started = time.perf_counter()
            answered = await _shop(sb, queries)
            took = time.perf_counter() - started
            peak, now = processes.memory_mb(bot.pid), processes.memory_mb(bot.pid, "VmRSS")
    errors = processes.errors_in(log)
    expected = USERS * SEARCHES * 3
    print(f"shopping: {answered} of at most {expected} answers in {took:.1f} s; errors: {len(errors)}")
    for line in errors[:5]:
        print(f"  {line}")
    return peak, now, not errors and answered >= USERS * SEARCHES


async def _breakdown(url: str) -> None:
    """Build the search index here under tracemalloc and print where its memory goes."""
    database = Database.from_url(url)
    try:
        gc.collect()
        before = processes.memory_mb(os.getpid(), "VmRSS")
        tracemalloc.start(1)
        searcher = Searcher(database)
        await searcher.refresh()
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        after = processes.memory_mb(os.getpid(), "VmRSS")
        print(
            f"search index of {searcher.size:,} products, built here under tracemalloc: peak "
            f"{peak / 2**20:.0f} MB while building, {current / 2**20:.0f} MB kept "
            f"(RSS {before:.0f} -> {after:.0f} MB); what is kept, by line:"
        )
        for stat in snapshot.statistics("lineno")[:12]:
            frame = stat.traceback[0]
            print(f"  {stat.size / 2**20:6.1f} MB  {stat.count:>9,} blocks  {frame.filename}:{frame.lineno}")
        await searcher.close()
    finally:
        await database.dispose()


async def main(products: int, database_url: str | None, breakdown: bool, keep: Path | None) -> bool:
    """Run the benchmark and print its figures; return whether the target was met."""
    with tempfile.TemporaryDirectory() as name:
        folder = keep or Path(name)
        folder.mkdir(parents=True, exist_ok=True)
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        print(f"database: {url.split(':')[0]}; load average {processes.load_average()}")
        await _catalog(url, folder, products)
        rows = list(synthetic.products(count=products, seed=SEED))
        queries = synthetic.queries(rows, count=USERS * SEARCHES, seed=SEED)
        del rows
        peak, now, complete = await _measure_bot(url, folder, queries)
        if breakdown:
            await _breakdown(url)
    met = peak <= TARGET_MB and complete
    print(
        f"the bot's memory with {products:,} products: peak {peak:.0f} MB (VmHWM), {now:.0f} MB after "
        f"shopping (VmRSS); target peak <= {TARGET_MB:.0f} MB: {'met' if peak <= TARGET_MB else 'MISSED'}"
    )
    print("targets met" if met else "TARGETS MISSED")
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--folder", type=Path)
    arguments = parser.parse_args()
    result = asyncio.run(
        main(arguments.products, arguments.database_url, arguments.breakdown, arguments.folder)
    )
    raise SystemExit(0 if result else 1)
