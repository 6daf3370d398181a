"""How long ``make run`` takes from starting to the bot's first answer, with the virtualenv installed.

Starts ``python -m bot run`` (what ``make run`` runs once installed: the embedded default, no token, the
sandbox in the same process, SQLite and the demo catalog) in a folder of its own, and as soon as its HTTP
server accepts connections a user writes /start; the figure is the time from starting the process to
that answer. Two cases, RUNS times each:

- the first start ever, on an empty database and media folder: migrations, the demo catalog with its
  pictures drawn, the search index, and the bot;
- a start on the database (and pictures) that such a first start left behind.

The bot's log tells when the demo catalog was loaded and the search index built. Target: the first
answer <= 3 s after starting, in both cases.

    .venv/bin/python -m bench.coldstart [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp

from bench import processes
from bot.sandbox import SandboxClient

TARGET_SECONDS = 3.0
ANSWER_SECONDS = 60.0
# What the bot logs on the way, and the names the figures give them.
MILESTONES = {"demo catalog:": "demo catalog loaded", "search index built": "search index built"}


@dataclass(frozen=True, slots=True)
class Start:
    """The seconds from starting the process to each thing that happened."""

    listening: float
    answered: float
    milestones: dict[str, float]


async def _start(folder: Path, number: int) -> Start:
    """Start the bot in ``folder``, write /start as soon as it listens, stop it; return the times."""
    port = processes.free_port()
    environment = processes.bot_environment(
        database_url=f"sqlite+aiosqlite:///{folder}/kaufrunde.db",
        media_dir=folder / "media",
        http_port=port,
    )
    log = folder / f"run-{number}.log"
    wall, started = time.time(), time.perf_counter()
    process = await processes.start(["-m", "bot", "run"], environment=environment, folder=folder, log=log)
    try:
        async with SandboxClient(f"http://127.0.0.1:{port}") as sb:
            while True:
                try:
                    user = await sb.create_user("Erster Besuch", language_code="de")
                    break
                except aiohttp.ClientConnectionError:
                    if process.returncode is not None:
                        raise RuntimeError(f"the bot stopped:\n{processes.read(log)}") from None
                    await asyncio.sleep(0.005)
            listening = time.perf_counter() - started
            await sb.create_chat("private", [user["id"]])
            sent = await sb.send(user["id"], user["id"], "/start")
            answers = await sb.wait(user["id"], after=sent["message_id"], timeout=ANSWER_SECONDS)
            answered = time.perf_counter() - started
            if not answers:
                raise RuntimeError(f"no answer to /start:\n{processes.read(log)}")
    finally:
        await processes.stop(process)
    return Start(listening, answered, _milestones(processes.read(log), wall))


def _milestones(log: str, wall: float) -> dict[str, float]:
    """Read from the log when each milestone was reached, in seconds after ``wall``."""
    found = {}
    for line in log.splitlines():
        for text, name in MILESTONES.items():
            if text in line and name not in found:
                at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()
                found[name] = at - wall
    return found


def _describe(label: str, starts: list[Start]) -> tuple[str, float]:
    """Describe the runs of one case; return the text and the slowest first answer."""
    answered = [start.answered for start in starts]
    parts = [f"first answer {', '.join(f'{seconds:.2f}' for seconds in answered)} s"]
    parts.append(f"(median {statistics.median(answered):.2f} s)")
    parts.append(f"listening after {statistics.median(start.listening for start in starts):.2f} s")
    for name in MILESTONES.values():
        times = [start.milestones[name] for start in starts if name in start.milestones]
        if times:
            parts.append(f"{name} after {statistics.median(times):.2f} s")
    return f"{label}: {'; '.join(parts)}", max(answered)


async def main(runs: int) -> bool:
    """Measure both cases and print the figures; return whether the target was met."""
    print(f"load average before: {processes.load_average()}")
    first: list[Start] = []
    again: list[Start] = []
    with tempfile.TemporaryDirectory() as name:
        for number in range(runs):
            folder = Path(name) / f"install-{number}"
            folder.mkdir()
            first.append(await _start(folder, 0))
        for number in range(runs):
            again.append(await _start(Path(name) / "install-0", number + 1))
    met = True
    for label, starts in (("first start, empty database", first), ("start with the demo catalog", again)):
        text, slowest = _describe(label, starts)
        met = met and slowest <= TARGET_SECONDS
        print(f"{text}; target <= {TARGET_SECONDS:g} s: {'met' if slowest <= TARGET_SECONDS else 'MISSED'}")
    print(f"load average after: {processes.load_average()}")
    print("targets met" if met else "TARGETS MISSED")
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    raise SystemExit(0 if asyncio.run(main(parser.parse_args().runs)) else 1)
