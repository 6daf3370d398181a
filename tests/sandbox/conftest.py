"""Fixtures for the sandbox tests: a real server on 127.0.0.1, PTB's Bot and the sandbox client."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import pytest
from aiohttp import web
from PIL import Image
from telegram import Bot, Update

from bot.sandbox import Sandbox, SandboxClient
from core.clock import Clock

TOKEN = "123456789:SANDBOX-test-token"
BOT_ID = 123456789
ALICE = 501
BOB = 502
CAROL = 503


@dataclass
class Server:
    """A running sandbox: its root URL and the component behind it."""

    root: str
    sandbox: Sandbox


async def start(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve an application on 127.0.0.1 with a free port and return the runner and root URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
def clock() -> Clock:
    """Give a frozen clock that only moves through ``advance``."""
    frozen = Clock()
    frozen.freeze(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    return frozen


@pytest.fixture
async def server(clock: Clock) -> AsyncIterator[Server]:
    """Run a sandbox with privacy mode on."""
    sandbox = Sandbox(clock=clock, bot_token=TOKEN)
    app = web.Application()
    sandbox.setup(app)
    runner, root = await start(app)
    yield Server(root, sandbox)
    await runner.cleanup()


@pytest.fixture
async def sb(server: Server) -> AsyncIterator[SandboxClient]:
    """Give the client API client."""
    async with SandboxClient(server.root) as client:
        yield client


@pytest.fixture
async def bot(server: Server) -> AsyncIterator[Bot]:
    """Give PTB's Bot talking to the sandbox, as the real bot is configured."""
    ptb = Bot(TOKEN, base_url=f"{server.root}/bot", base_file_url=f"{server.root}/file/bot")
    async with ptb:
        yield ptb


@pytest.fixture
async def people(sb: SandboxClient) -> None:
    """Create Alice (with her private chat), Bob and Carol."""
    await sb.create_user("Alice", user_id=ALICE, username="alice_k", language_code="de")
    await sb.create_user("Bob", user_id=BOB, language_code="en")
    await sb.create_user("Carol", user_id=CAROL)
    await sb.create_chat("private", [ALICE])


def png(width: int, height: int) -> bytes:
    """Return a PNG image of that size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


async def updates(bot: Bot, offset: int = 0, seconds: int = 5) -> tuple[Update, ...]:
    """Long-poll once for updates."""
    return await bot.get_updates(offset=offset, timeout=seconds)


async def until_polling(sb: SandboxClient) -> None:
    """Return once a getUpdates call waits in the sandbox."""
    for _ in range(1000):
        if (await sb.bot_status())["polling"]:
            return
    raise AssertionError("no getUpdates call is waiting")


class BotLoop:
    """Poll updates in the background and hand each to a handler, as the bot's dispatcher does."""

    def __init__(self, bot: Bot, handle: Callable[[Update], Awaitable[None]]) -> None:
        self._bot = bot
        self._handle = handle
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> BotLoop:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        offset = 0
        while True:
            for update in await self._bot.get_updates(offset=offset, timeout=2):
                offset = update.update_id + 1
                await self._handle(update)
