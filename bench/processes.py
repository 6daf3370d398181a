"""The processes a benchmark runs beside its own: the sandbox alone, and the bot as ``make run`` starts it.

Each side gets a process of its own, so the sandbox's work (and the benchmark's, playing the users) is not
counted as the bot's, and each figure can be read per process from ``/proc`` (Linux).

    python -m bench.processes PORT TOKEN    # the sandbox alone on 127.0.0.1:PORT; prints "ready"
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.sandbox import Sandbox, SandboxClient
from core.clock import Clock

READY = b"ready"
# The project's root, so that ``python -m bench.…`` works from any folder.
ROOT = Path(__file__).resolve().parents[1]
STOP_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Running:
    """A process a benchmark started, and the root URL it serves (when it serves one)."""

    process: asyncio.subprocess.Process
    root: str = ""

    @property
    def pid(self) -> int:
        """Return the process id."""
        return self.process.pid


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_sandbox(port: int, token: str) -> None:
    """Run the sandbox alone on 127.0.0.1:port until the process is stopped; print "ready" once it listens.

    The sandbox keeps every message of every chat in memory, as Telegram does, so over a benchmark its
    heap only grows, and each full run of Python's cycle collector walks all of it: 35 ms at first, 160 ms
    after a minute of the updates benchmark, pauses in which no user's update reaches any bot. Telegram's
    own pauses are not the bot's latency, so the stand-in runs without full collections here (the young
    generations are still collected; a benchmark lasts minutes).
    """
    gc.set_threshold(*gc.get_threshold()[:2], 2**31 - 1)

    async def serve() -> None:
        sandbox = Sandbox(clock=Clock(), bot_token=token)
        app = web.Application()
        sandbox.setup(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(READY.decode(), flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(serve())


@contextlib.asynccontextmanager
async def sandbox(token: str) -> AsyncIterator[Running]:
    """Run the sandbox in a process of its own for the bot with ``token``; stop it on leaving."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.processes", str(port), token, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        if (await process.stdout.readline()).strip() != READY:
            raise RuntimeError("the sandbox did not start")
        yield Running(process, f"http://127.0.0.1:{port}")
    finally:
        await stop(process)


def bot_environment(**settings: str | Path | int | bool) -> dict[str, str]:
    """Return this process's environment without any of the bot's variables, plus ``settings``
    (names as in bot/config.py, lower case), so a benchmark's bot sees exactly what it is given."""
    known = {name.upper() for name in Settings.model_fields}
    environment = {name: value for name, value in os.environ.items() if name.upper() not in known}
    for name, value in settings.items():
        environment[name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
    return environment


async def start(
    arguments: list[str], *, environment: Mapping[str, str], folder: Path, log: Path
) -> asyncio.subprocess.Process:
    """Start ``python ARGUMENTS`` in ``folder`` (so no ``.env`` is read) with its output in ``log``."""
    path = os.pathsep.join(filter(None, (str(ROOT), environment.get("PYTHONPATH"))))
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *arguments,
            env=dict(environment) | {"PYTHONPATH": path},
            cwd=folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,
        )


@contextlib.asynccontextmanager
async def polling_bot(
    arguments: list[str], *, sandbox_root: str, environment: Mapping[str, str], folder: Path, log: Path
) -> AsyncIterator[Running]:
    """Start a bot process that long-polls the sandbox at ``sandbox_root``; yield once it polls."""
    process = await start(arguments, environment=environment, folder=folder, log=log)
    try:
        async with SandboxClient(sandbox_root) as sb:
            while not (await sb.bot_status())["polling"]:
                if process.returncode is not None:
                    raise RuntimeError(f"the bot stopped at once:\n{read(log)}")
                await asyncio.sleep(0.02)
        yield Running(process)
    finally:
        await stop(process)


async def stop(process: asyncio.subprocess.Process) -> None:
    """Stop a process as Ctrl+C would (SIGTERM), and kill it when it does not end in time."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system) a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    """Return a memory figure of a process in MB: ``VmHWM`` (peak resident) or ``VmRSS`` (resident now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def load_average() -> str:
    """Return the machine's load average over 1, 5 and 15 minutes, for the record beside the figures."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def read(log: Path) -> str:
    """Return what a process wrote to its log (nothing when it wrote none)."""
    return log.read_text(errors="replace") if log.exists() else ""


def errors_in(log: Path) -> list[str]:
    """Return the error records a bot process wrote to its log, each with the last line of its traceback."""
    lines = read(log).splitlines()
    found: list[str] = []
    for number, line in enumerate(lines):
        if " ERROR " in line or " CRITICAL " in line:
            found.append(line)
        elif line.startswith("Traceback") and found:
            block = []
            for later in lines[number + 1 :]:
                if later[:1].isdigit():  # the next record begins with its time
                    break
                block.append(later)
            found[-1] += f" ({block[-1].strip() if block else ''})"
    return found


if __name__ == "__main__":
    serve_sandbox(int(sys.argv[1]), sys.argv[2])
