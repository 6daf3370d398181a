"""How fast the bot answers through the sandbox while many users write at once.

Starts the real bot and the sandbox in one process on a fresh SQLite database (or BENCH_DATABASE_URL).
USERS users send /start and /help in turns at a steady total RATE messages per second for SECONDS
seconds (an open load: a message is sent on schedule whether or not earlier answers have arrived), and
the benchmark prints the round trip from sending a message to seeing the bot's answer.

The bot keeps to Telegram's limit of about 30 messages per second overall (PTB's AIORateLimiter), so
the load stays below it. Target on the reference machine (2 cores): p95 round trip <= 100 ms at
25 messages/s from 50 users, and every message answered.

    .venv/bin/python -m bench.roundtrip [--users 50] [--rate 25] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bot import db as bot_db
from bot.config import Settings
from bot.runner import Runtime
from bot.sandbox import SandboxClient

TARGET_P95_MS = 100.0


async def _message(sb: SandboxClient, user_id: int, text: str, latencies: list[float]) -> None:
    started = time.perf_counter()
    sent = await sb.send(user_id, user_id, text)
    answers = await sb.wait(user_id, after=sent["message_id"], count=1)
    if answers:
        latencies.append((time.perf_counter() - started) * 1000)


async def _load(sb: SandboxClient, users: int, rate: float, seconds: float, latencies: list[float]) -> int:
    user_ids = []
    for number in range(users):
        user = await sb.create_user(f"User {number}", language_code="de" if number % 2 else "en")
        await sb.create_chat("private", [user["id"]])
        user_ids.append(user["id"])
    total = int(rate * seconds)
    start = time.perf_counter()
    pending = []
    for number in range(total):
        await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
        text = "/start" if (number // users) % 2 == 0 else "/help"
        pending.append(asyncio.create_task(_message(sb, user_ids[number % users], text, latencies)))
    await asyncio.gather(*pending)
    return total


async def main(users: int, rate: float, seconds: float) -> bool:
    """Run the benchmark and print its figures; return whether the targets were met."""
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder}/bench.db"
        await bot_db.migrate_async(url)
        settings = Settings(_env_file=None, database_url=url, http_port=0, media_dir=Path(folder) / "media")
        runtime = Runtime(settings, migrate=False, load_demo=False)
        await runtime.start()
        latencies: list[float] = []
        try:
            async with SandboxClient(runtime.url) as sb:
                sent = await _load(sb, users, rate, seconds, latencies)
        finally:
            await runtime.stop()
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"database: {url.split(':')[0]}; {users} users, {rate:g} messages/s for {seconds:g} s")
    print(f"answered: {len(latencies)} of {sent}")
    print(
        f"round trip: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms "
        f"(target p95 <= {TARGET_P95_MS:.0f} ms)"
    )
    met = p95 <= TARGET_P95_MS and len(latencies) == sent
    print("targets met" if met else "TARGETS MISSED")
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    arguments = parser.parse_args()
    raise SystemExit(0 if asyncio.run(main(arguments.users, arguments.rate, arguments.seconds)) else 1)
