"""How many updates a second the bot handles, and how fast it answers, beside a bare echo bot.

Three processes besides the benchmark's own (which plays the users): the sandbox, and the bot as
``make run`` starts it (``python -m bot run``, long polling) with a token, pointed at that sandbox as at
Telegram, on a SQLite file database holding the demo catalog, or on PostgreSQL with ``--db postgresql``.
The sandbox enforces no limits and the bot runs with TELEGRAM_RATE_LIMIT=false: against Telegram the bot
keeps to about 30 messages a second (see bench/roundtrip.py); here the bot's own speed is measured.

USERS users, each with a private chat, five to a group whose chat shows a product card, make the journey
of a shopper again and again: a search in their language (a message), open a result's card (a press),
add it to the cart (one press, or two when a colour and size must be chosen), and vote on the card in
their group (a press). Each update's latency runs from sending it to the bot's answer the user waits for:
the result list, the card, the variant choice, the callback answer.

1. As fast as it goes: every user sends the next update as soon as the last one is answered, for SECONDS
   seconds; the figure is updates answered per second.
2. Paced: RATE updates a second in all (each user every USERS / RATE seconds), for SECONDS seconds.
   Target: p99 <= 100 ms at 100 updates/s, every update answered.
3. The bot is stopped and a bare python-telegram-bot echo bot takes its place (one MessageHandler that
   answers a text with the same text, long polling, the same concurrent update processing) under the same
   users sending text as fast as it goes. Target: the bot handles at least half the echo bot's updates/s.

Prints every figure with its target; exits 1 when a target is missed.

    .venv/bin/python -m bench.updates [--db sqlite|postgresql] [--database-url URL] [--users 100]
        [--seconds 20] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import processes
from bot.sandbox import SandboxClient

TOKEN = "7000000043:SANDBOX-updates-bench"
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
TARGET_RATE_SHARE = 0.97
GROUP_SIZE = 5
WARM_UP_SECONDS = 3.0
ANSWER_SECONDS = 10.0
SEED = 2026
# What shoppers ask for, in their language; every one finds products in the demo catalog.
QUERIES = {
    "de": (
        "schwarze Sneaker unter 120 €",
        "Lederjacke",
        "rotes Kleid",
        "Jeans in blau",
        "warmer Pullover",
        "Vase",
        "Stiefel unter 150 €",
        "Schal",
        "Kerze",
        "Regenjacke Größe M",
    ),
    "en": (
        "black sneakers under 120 €",
        "leather jacket",
        "red dress",
        "blue jeans",
        "warm sweater",
        "lamp",
        "boots under 150 €",
        "white shirt",
        "cushion",
        "rain jacket size M",
    ),
}
ECHO_TEXTS = QUERIES["de"] + QUERIES["en"]

JSON = dict[str, Any]
Pace = Callable[[], Awaitable[None]]


@dataclass
class Tally:
    """What the users saw in one phase: latencies per step, the updates left without an answer, and those
    answered with something else than the journey goes on with."""

    started: float
    until: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unanswered: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    answered_in_time: int = 0

    async def update(self, call: Awaitable[JSON]) -> JSON:
        """Send an update to the bot (a message or a press) and count it."""
        self.sent += 1
        return await call

    def answered(self, step: str, started: float, answer: object) -> bool:
        """Record an update's answer (or that none came); tell whether the journey can go on."""
        finished = time.perf_counter()
        if not answer:
            self.unanswered[step] += 1
            return False
        self.latencies[step].append((finished - started) * 1000)
        if finished <= self.until:
            self.answered_in_time += 1
        return True

    @property
    def complete(self) -> bool:
        """Tell whether every update got the answer the journey expected."""
        return not self.unanswered and not self.failed

    @property
    def every(self) -> list[float]:
        """Return every latency of the phase."""
        return [latency for step in self.latencies.values() for latency in step]


def percentile(latencies: list[float], share: float) -> float:
    """Return the latency that ``share`` of the updates stayed within (nearest rank)."""
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def buttons(message: JSON, prefix: str) -> list[str]:
    """Return the callback data of a message's buttons that start with ``prefix``."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [
        button["callback_data"]
        for row in rows
        for button in row
        if button.get("callback_data", "").startswith(prefix)
    ]


@dataclass
class Shopper:
    """One user with a private chat and a group whose card they vote on."""

    sb: SandboxClient
    user_id: int
    language: str
    group_id: int
    group_card: int
    vote: str
    rng: random.Random
    last: int = 0

    async def journey(self, tally: Tally, pace: Pace) -> None:
        """Search, open a result's card, put it in the cart, vote in the group: four or five updates."""
        sb, me = self.sb, self.user_id
        await pace()
        started = time.perf_counter()
        sent = await tally.update(sb.send(me, me, self.rng.choice(QUERIES[self.language])))
        results = await sb.wait(me, after=sent["message_id"], timeout=ANSWER_SECONDS)
        if not tally.answered("search", started, results):
            return
        listing = results[-1]
        self.last = listing["message_id"]
        cards = buttons(listing, "card:")
        if not cards:  # every request finds products, so this is the bot's apology for an error
            tally.failed["search"] += 1
            return

        await pace()
        started = time.perf_counter()
        await tally.update(sb.press(me, listing["message_id"], me, self.rng.choice(cards)))
        opened = await sb.wait(me, after=self.last, timeout=ANSWER_SECONDS)
        if not tally.answered("card", started, opened):
            return
        card = opened[-1]
        self.last = card["message_id"]
        picks = buttons(card, "cart:pick:")
        if not picks:  # every card has the button, so this is an apology
            tally.failed["card"] += 1
            return

        await pace()
        started = time.perf_counter()
        pressed = await tally.update(sb.press(me, card["message_id"], me, picks[0], timeout=ANSWER_SECONDS))
        answer = pressed["answer"]
        if answer is not None and not answer["text"]:
            # Several colours or sizes: the bot asks which (its answer), and a second press adds one.
            choices = await sb.wait(me, after=self.last, timeout=ANSWER_SECONDS)
            if not tally.answered("cart", started, choices):
                return
            picker = choices[-1]
            self.last = picker["message_id"]
            adds = buttons(picker, "cart:add:")
            if not adds:
                tally.failed["cart"] += 1
                return
            await pace()
            started = time.perf_counter()
            added = await tally.update(
                sb.press(me, picker["message_id"], me, self.rng.choice(adds), timeout=ANSWER_SECONDS)
            )
            if not tally.answered("cart", started, added["answer"]):
                return
        elif not tally.answered("cart", started, answer):  # added at once, or sold out
            return

        await pace()
        started = time.perf_counter()
        voted = await tally.update(
            sb.press(self.group_id, self.group_card, me, self.vote, timeout=ANSWER_SECONDS)
        )
        tally.answered("vote", started, voted["answer"])

    async def echo(self, tally: Tally, pace: Pace) -> None:
        """Send a text and wait for it to come back: one update."""
        await pace()
        started = time.perf_counter()
        sent = await tally.update(self.sb.send(self.user_id, self.user_id, self.rng.choice(ECHO_TEXTS)))
        answers = await self.sb.wait(self.user_id, after=sent["message_id"], timeout=ANSWER_SECONDS)
        tally.answered("echo", started, answers)


class PhaseOver(Exception):
    """The phase's time is up: the shopper sends nothing more."""


def _pacer(tally: Tally, number: int, users: int, rate: float | None) -> Pace:
    """Return what a shopper awaits before each update: at once (or at its turn, every ``users / rate``
    seconds, when paced), and :class:`PhaseOver` once the phase's time is up."""
    due = tally.started + number / rate if rate else tally.started

    async def pace() -> None:
        nonlocal due
        if rate:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            due += users / rate
        if time.perf_counter() >= tally.until:
            raise PhaseOver

    return pace


async def _phase(
    shoppers: list[Shopper],
    seconds: float,
    *,
    walk: Callable[[Shopper], Callable[[Tally, Pace], Awaitable[None]]],
    rate: float | None = None,
) -> Tally:
    """Let every shopper walk for ``seconds``, as fast as it goes or at ``rate`` updates/s in all; the
    updates on their way when the time is up are waited for."""
    started = time.perf_counter()
    tally = Tally(started=started, until=started + seconds)

    async def one(number: int, shopper: Shopper) -> None:
        pace = _pacer(tally, number, len(shoppers), rate)
        with contextlib.suppress(PhaseOver):
            while True:
                await walk(shopper)(tally, pace)

    await asyncio.gather(*(one(number, shopper) for number, shopper in enumerate(shoppers)))
    return tally


async def _shoppers(sb: SandboxClient, users: int) -> list[Shopper]:
    """Create the users, their private chats and groups, and post a product card into each group."""
    rng = random.Random(SEED)
    people = []
    for number in range(users):
        language = "de" if number % 2 else "en"
        user = await sb.create_user(f"Shopper {number}", language_code=language)
        await sb.create_chat("private", [user["id"]])
        people.append((user["id"], language))
    shoppers = []
    for first in range(0, users, GROUP_SIZE):
        members = people[first : first + GROUP_SIZE]
        group = await sb.create_chat("group", [user_id for user_id, _ in members], title=f"Group {first}")
        creator = members[0][0]
        asked = await sb.send(group["id"], creator, f"@kaufrunde_bot {QUERIES['de'][0]}")
        (listing,) = await sb.wait(group["id"], after=asked["message_id"], timeout=ANSWER_SECONDS)
        product = buttons(listing, "card:")[0]
        await sb.press(group["id"], listing["message_id"], creator, product)
        (card,) = await sb.wait(group["id"], after=listing["message_id"], timeout=ANSWER_SECONDS)
        shoppers += [
            Shopper(
                sb,
                user_id,
                language,
                group["id"],
                card["message_id"],
                f"vote:{product.split(':')[1]}:{rng.choice((1, -1))}",
                random.Random(f"{SEED}-{user_id}"),
            )
            for user_id, language in members
        ]
    return shoppers


@dataclass(frozen=True, slots=True)
class Measured:
    """The figures of one phase."""

    label: str
    tally: Tally
    seconds: float
    cpu: dict[str, float]

    @property
    def per_second(self) -> float:
        """Return the updates answered per second within the phase."""
        return self.tally.answered_in_time / self.seconds

    @property
    def sent_per_second(self) -> float:
        """Return the updates sent per second within the phase."""
        return self.tally.sent / self.seconds

    def describe(self) -> str:
        """Say what the users saw, step by step."""
        every = self.tally.every
        steps = "; ".join(
            f"{step} p50 {statistics.median(latencies):.1f} / p99 {percentile(latencies, 0.99):.1f} ms"
            for step, latencies in self.tally.latencies.items()
        )
        unanswered = sum(self.tally.unanswered.values())
        failed = sum(self.tally.failed.values())
        answered = max(1, len(every))
        cpu = ", ".join(
            f"{name} {seconds:.1f} s ({seconds * 1000 / answered:.1f} ms an update)"
            for name, seconds in self.cpu.items()
        )
        return (
            f"{self.label}: {self.tally.sent:,} updates sent, {self.per_second:,.1f} answered/s "
            f"within {self.seconds:g} s; "
            f"all p50 {statistics.median(every):.1f} ms, p99 {percentile(every, 0.99):.1f} ms, "
            f"max {max(every):.1f} ms; {steps}; unanswered {unanswered}"
            f"{' ' + str(dict(self.tally.unanswered)) if unanswered else ''}; "
            f"answered wrongly {failed}{' ' + str(dict(self.tally.failed)) if failed else ''}; CPU {cpu}"
        )


async def _measure(
    label: str,
    shoppers: list[Shopper],
    seconds: float,
    walk: Callable[[Shopper], Callable[[Tally, Pace], Awaitable[None]]],
    pids: dict[str, int],
    rate: float | None = None,
) -> Measured:
    """Run one phase and read how much CPU each process used in it."""
    before = {name: processes.cpu_seconds(pid) for name, pid in pids.items()}
    users_before = time.process_time()
    tally = await _phase(shoppers, seconds, walk=walk, rate=rate)
    cpu = {name: processes.cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    cpu["users"] = time.process_time() - users_before
    return Measured(label, tally, seconds, cpu)


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


@contextlib.asynccontextmanager
async def _client(root: str) -> AsyncIterator[SandboxClient]:
    # One connection per waiting user: aiohttp's default pool of 100 would make users queue for it.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        yield SandboxClient(root, session=session)


async def main(database_url: str | None, users: int, seconds: float, rate: float) -> bool:
    """Run the three phases and print the figures; return whether the targets were met."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        log = folder / "bot.log"
        async with processes.sandbox(TOKEN) as sandbox:
            environment = processes.bot_environment(
                telegram_bot_token=TOKEN,
                telegram_api_url=sandbox.root,
                telegram_rate_limit=False,
                database_url=url,
                media_dir=folder / "media",
                http_port=processes.free_port(),
            )
            loading = await processes.start(
                ["-m", "bot", "demo-data"], environment=environment, folder=folder, log=log
            )
            if await loading.wait():
                raise RuntimeError(f"loading the demo catalog failed:\n{processes.read(log)}")
            print(f"database: {url.split(':')[0]}; {users} users, {GROUP_SIZE} to a group; demo catalog")
            print(f"load average before: {processes.load_average()}")
            async with _client(sandbox.root) as sb:
                bot_run = processes.polling_bot(
                    ["-m", "bot", "run"],
                    sandbox_root=sandbox.root,
                    environment=environment,
                    folder=folder,
                    log=log,
                )
                async with bot_run as bot:
                    shoppers = await _shoppers(sb, users)
                    pids = {"bot": bot.pid, "sandbox": sandbox.pid}
                    await _phase(shoppers, WARM_UP_SECONDS, walk=lambda shopper: shopper.journey)
                    flat_out = await _measure(
                        "bot, as fast as it goes", shoppers, seconds, lambda shopper: shopper.journey, pids
                    )
                    print(flat_out.describe())
                    paced = await _measure(
                        f"bot, paced at {rate:g} updates/s",
                        shoppers,
                        seconds,
                        lambda shopper: shopper.journey,
                        pids,
                        rate=rate,
                    )
                    print(paced.describe())
                    peak = processes.memory_mb(bot.pid)
                errors = processes.errors_in(log)
                echo_run = processes.polling_bot(
                    ["-m", "bench.updates", "--serve-echo", sandbox.root],
                    sandbox_root=sandbox.root,
                    environment=environment,
                    folder=folder,
                    log=folder / "echo.log",
                )
                async with echo_run as echo:
                    pids = {"echo bot": echo.pid, "sandbox": sandbox.pid}
                    await _phase(shoppers, WARM_UP_SECONDS, walk=lambda shopper: shopper.echo)
                    echoed = await _measure(
                        "echo bot, as fast as it goes", shoppers, seconds, lambda shopper: shopper.echo, pids
                    )
                    print(echoed.describe())
    print(f"load average after: {processes.load_average()}; the bot's peak memory {peak:.0f} MB")
    ratio = flat_out.per_second / echoed.per_second
    every_answered = flat_out.tally.complete and paced.tally.complete
    ratio_met = ratio >= TARGET_RATIO and every_answered
    p99 = percentile(paced.tally.every, 0.99)
    share = paced.sent_per_second / rate
    paced_met = p99 <= TARGET_P99_MS and share >= TARGET_RATE_SHARE and paced.tally.complete
    print(
        f"bot / echo bot: {flat_out.per_second:,.1f} / {echoed.per_second:,.1f} updates/s = {ratio:.2f} "
        f"(target >= {TARGET_RATIO:g}, every update answered): {_verdict(ratio_met)}"
    )
    print(
        f"paced: {paced.sent_per_second:.1f} updates/s sent ({share:.0%} of {rate:g}), p99 {p99:.1f} ms "
        f"(target p99 <= {TARGET_P99_MS:.0f} ms at >= {TARGET_RATE_SHARE:.0%} of the rate, every update "
        f"answered): {_verdict(paced_met)}"
    )
    print(f"errors in the bot's log: {len(errors)} (target 0): {_verdict(not errors)}")
    for line in errors[:5]:
        print(f"  {line}")
    met = ratio_met and paced_met and not errors
    print("targets met" if met else "TARGETS MISSED")
    return met


def serve_echo(api_url: str) -> None:
    """Run the bare echo bot against the Bot API at ``api_url`` until stopped (SIGTERM)."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    from bot.app import PerChatUpdateProcessor

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            await message.reply_text(message.text)

    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="an empty PostgreSQL database for --db postgresql (default: BENCH_DATABASE_URL)",
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--serve-echo", metavar="API_URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_echo:
        serve_echo(arguments.serve_echo)
        raise SystemExit(0)
    if arguments.db == "postgresql" and not (arguments.database_url or "").startswith("postgresql"):
        parser.error("--db postgresql needs --database-url postgresql://… (or BENCH_DATABASE_URL)")
    url = arguments.database_url if arguments.db == "postgresql" else None
    raise SystemExit(0 if asyncio.run(main(url, arguments.users, arguments.seconds, arguments.rate)) else 1)
