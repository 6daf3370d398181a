"""How fast one bot process delivers a broadcast, and how close it stays to Telegram's limit.

The sandbox runs in a process of its own (as Telegram would be, and so that each side has a core); the bot
is the real bot (``bot.runner.Runtime`` with a token, talking to that sandbox as to Telegram) on a fresh
SQLite database (or BENCH_DATABASE_URL). Two runs:

1. Limits off: the sandbox enforces none and the bot's own limit is out of the way
   (BROADCAST_RATE_PER_SECOND=100000). PEOPLE subscribers get one broadcast; the rate is the number of
   messages over the time between the sandbox's first and last sendMessage. Target: >= 1,000 messages/s
   (what Telegram's paid broadcasts allow), every recipient exactly once.
2. Telegram's limit: the sandbox answers 429 above 30 messages/s, the bot keeps to 30/s. LIMITED
   subscribers; target: achieved rate >= 97% of 30/s and not one 429 answer.
3. On PostgreSQL only: the same with two instances (two ``Runtime``s in webhook mode in the benchmark's
   process, on the same database and sandbox), each configured with the full 30/s: they share the limit
   through the database (deals.ratelimit). LIMITED other subscribers; the same targets.

    .venv/bin/python -m bench.broadcast [--people 10000] [--limited 900]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from aiohttp import web
from sqlalchemy import insert

from bot import app as bot_app
from bot import db as bot_db
from bot.config import Settings
from bot.runner import Runtime
from bot.sandbox import Sandbox, SandboxClient
from catalog.models import Retailer
from core.clock import Clock
from core.db import Database, upsert_many
from core.users import DEFAULT_TIME_ZONE, User
from deals import broadcasts, outbox
from deals.subscriptions import DealRetailer
from handlers.common import App

TOKEN = "7000000042:SANDBOX-broadcast-bench"
TARGET_UNLIMITED = 1000.0
LIMIT = 30.0
TARGET_SHARE = 0.97
FIRST_ID = 5_000_000
UNLIMITED = 100_000.0
# Several instances get their updates by webhook, as in production (the sandbox delivers to each in turn).
WEBHOOK_URL = "https://bench.example/telegram/webhook"


def serve_sandbox(port: int) -> None:
    """Run the sandbox alone on 127.0.0.1:port (the benchmark starts this in a second process)."""

    async def serve() -> None:
        sandbox = Sandbox(clock=Clock(), bot_token=TOKEN)
        app = web.Application()
        sandbox.setup(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


async def _people(sb: SandboxClient, first: int, count: int) -> list[int]:
    """Create the users with their private chats in the sandbox, 100 at a time."""
    ids = list(range(first, first + count))

    async def one(user_id: int) -> None:
        await sb.create_user(f"P{user_id}", user_id=user_id, language_code="de")
        await sb.create_chat("private", [user_id])

    for start in range(0, count, 100):
        await asyncio.gather(*(one(user_id) for user_id in ids[start : start + 100]))
    return ids


async def _subscribers(db: Database, slug: str, user_ids: list[int], now: datetime) -> int:
    """Make a retailer whose subscribers are these people; return its id."""
    async with db.unit_of_work() as session:
        retailer = Retailer(slug=f"{slug}-{secrets.token_hex(4)}", name=f"Bench {slug}")
        session.add(retailer)
        await session.flush()
        for start in range(0, len(user_ids), 2000):
            chunk = user_ids[start : start + 2000]
            await upsert_many(
                session,
                User.__table__,
                [
                    {
                        "id": user_id,
                        "first_name": f"P{user_id}",
                        "language_code": "de",
                        "time_zone": DEFAULT_TIME_ZONE,
                        "consent_personal_deals": True,
                        "consent_broadcasts": False,
                        "blocked_bot": False,
                        "created_at": now,
                        "last_seen_at": now,
                    }
                    for user_id in chunk
                ],
                conflict=["id"],
            )
            await session.execute(
                insert(DealRetailer),
                [{"user_id": user_id, "retailer_id": retailer.id, "chosen_at": now} for user_id in chunk],
            )
        return retailer.id


async def _run(
    url: str,
    root: str,
    folder: Path,
    retailer_id: int,
    user_ids: list[int],
    per_second: float,
    *,
    instances: int = 1,
) -> tuple[float, Counter[int], int]:
    """Send one broadcast from bots limited to ``per_second`` each; return the rate, the answers, the sends.

    One instance polls for updates; several get them by webhook, as in production (one poller at a time).
    """
    settings = Settings(
        _env_file=None,
        database_url=url,
        http_port=0,
        media_dir=folder / "media",
        telegram_bot_token=TOKEN,
        telegram_api_url=root,
        webhook_url=WEBHOOK_URL if instances > 1 else None,
        broadcast_rate_per_second=per_second,
    )
    runtimes = [Runtime(settings, migrate=False, load_demo=False) for _ in range(instances)]
    try:
        await asyncio.gather(*(runtime.start() for runtime in runtimes))
        db = runtimes[0].db
        assert db is not None
        deliverers = [bot_app.delivery(_application(runtime)) for runtime in runtimes]
        async with SandboxClient(root) as sb:
            if instances > 1:
                await sb.set_webhook_targets([f"{runtime.url}/telegram/webhook" for runtime in runtimes])
            before = len(await sb.calls("sendMessage"))
            async with db.unit_of_work() as session:
                created = await broadcasts.create(
                    session,
                    retailer_id=retailer_id,
                    created_by=None,
                    locale="de",
                    text=f"<b>Bench</b> at {per_second:g}/s from {instances}",
                    segment=broadcasts.Segment(),
                    now=runtimes[0].clock.now(),
                    locales=("de", "en"),
                    default_locale="de",
                )
            for deliverer in deliverers:
                deliverer.wake()
            while True:
                await asyncio.gather(*(deliverer.until_idle() for deliverer in deliverers))
                async with db.unit_of_work() as session:
                    counts = (await outbox.counts(session, broadcast_ids=[created.id]))[created.id]
                if not counts.open:
                    break
            calls = [
                call
                for call in (await sb.calls("sendMessage"))[before:]
                if call["params"]["chat_id"] in user_ids
            ]
    finally:
        for runtime in runtimes:
            await runtime.stop()
    answers = Counter(call["status"] for call in calls)
    delivered = [call for call in calls if call["status"] == 200]
    times = sorted(datetime.fromisoformat(call["at"]).timestamp() for call in delivered)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    per_chat = Counter(call["params"]["chat_id"] for call in delivered)
    once = sum(1 for user_id in user_ids if per_chat.get(user_id) == 1)
    return rate, answers, once


def _application(runtime: Runtime) -> App:
    assert runtime.application is not None
    return runtime.application


async def main(people: int, limited: int) -> bool:
    """Run both runs and print the figures; return whether the targets were met."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder}/bench.db"
        await bot_db.migrate_async(url)
        port = _free_port()
        sandbox = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.broadcast",
            "--serve-sandbox",
            str(port),
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert sandbox.stdout is not None and (await sandbox.stdout.readline()).strip() == b"ready"
            root = f"http://127.0.0.1:{port}"
            db = Database.from_url(url)
            started = time.perf_counter()
            shared = url.startswith("postgresql")
            async with SandboxClient(root) as sb:
                crowd = await _people(sb, FIRST_ID, people)
                few = await _people(sb, FIRST_ID + people, limited)
                pair = await _people(sb, FIRST_ID + people + limited, limited) if shared else []
            now = Clock().now()
            crowd_shop = await _subscribers(db, "bench-crowd", crowd, now)
            few_shop = await _subscribers(db, "bench-limited", few, now)
            pair_shop = await _subscribers(db, "bench-pair", pair, now) if shared else 0
            await db.dispose()
            took = time.perf_counter() - started
            total = people + limited + len(pair)
            print(f"database: {url.split(':')[0]}; {total} people set up in {took:.1f} s")

            async with SandboxClient(root) as sb:
                await sb.set_faults()
            cpu = time.process_time(), _cpu_seconds(sandbox.pid)
            fast, fast_answers, fast_once = await _run(url, root, folder, crowd_shop, crowd, UNLIMITED)
            bot_cpu, sandbox_cpu = time.process_time() - cpu[0], _cpu_seconds(sandbox.pid) - cpu[1]
            async with SandboxClient(root) as sb:
                await sb.set_faults(rate_limits=True, global_per_second=LIMIT)
            slow, slow_answers, slow_once = await _run(url, root, folder, few_shop, few, LIMIT)
            if shared:
                async with SandboxClient(root) as sb:  # a full bucket again, as before the single run
                    await sb.set_faults(rate_limits=True, global_per_second=LIMIT)
                two = await _run(url, root, folder, pair_shop, pair, LIMIT, instances=2)
        finally:
            sandbox.terminate()
            await sandbox.wait()
    fast_met = fast >= TARGET_UNLIMITED and fast_once == people
    share = slow / LIMIT
    slow_met = share >= TARGET_SHARE and slow_answers.get(429, 0) == 0 and slow_once == limited
    print(
        f"limits off: {people} recipients, {fast:,.0f} messages/s (target >= {TARGET_UNLIMITED:,.0f}/s); "
        f"answers {dict(fast_answers)}; exactly once: {fast_once} of {people}; "
        f"CPU: bot process {bot_cpu:.1f} s, sandbox {sandbox_cpu:.1f} s"
    )
    print(
        f"Telegram's limit of {LIMIT:g}/s (sandbox and bot): {limited} recipients, {slow:.2f} messages/s = "
        f"{share:.1%} (target >= {TARGET_SHARE:.0%}); 429 answers: {slow_answers.get(429, 0)} (target 0); "
        f"exactly once: {slow_once} of {limited}"
    )
    met = fast_met and slow_met
    if shared:
        pair_rate, pair_answers, pair_once = two
        pair_share = pair_rate / LIMIT
        print(
            f"two instances on PostgreSQL, each configured with {LIMIT:g}/s (sandbox {LIMIT:g}/s): {limited} "
            f"recipients, {pair_rate:.2f} messages/s = {pair_share:.1%} of {LIMIT:g}/s (target >= "
            f"{TARGET_SHARE:.0%}); 429 answers: {pair_answers.get(429, 0)} (target 0); "
            f"exactly once: {pair_once} of {limited}"
        )
        met = met and pair_share >= TARGET_SHARE and pair_answers.get(429, 0) == 0 and pair_once == limited
    print("targets met" if met else "TARGETS MISSED")
    return met


def _cpu_seconds(pid: int) -> float:
    """Return the CPU time a process used so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--limited", type=int, default=900)
    parser.add_argument("--serve-sandbox", type=int, metavar="PORT", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_sandbox:
        serve_sandbox(arguments.serve_sandbox)
    else:
        raise SystemExit(0 if asyncio.run(main(arguments.people, arguments.limited)) else 1)
