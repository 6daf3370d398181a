"""End-to-end fixtures: the real bot and the sandbox in one process, talking over HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.runner import Runtime
from bot.sandbox import SandboxClient
from core.clock import Clock
from core.db import Database

RETAILER_ID = 900_000_001


def settings_for(database_url: str, media_dir: Path, **overrides: Any) -> Settings:
    """Return settings for a test run: the embedded default on a free port and the test database."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "http_port": 0,
        "media_dir": media_dir,
        "admin_user_ids": [RETAILER_ID],
    }
    return Settings(_env_file=None, **(values | overrides))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def webhook_runtime(
    database_url: str, media_dir: Path, clock: Clock, *, path: str, **overrides: Any
) -> AsyncIterator[Runtime]:
    """Run the bot in webhook mode at ``path`` on a free port; the embedded sandbox posts updates there."""
    port = free_port()
    settings = settings_for(
        database_url, media_dir, http_port=port, webhook_url=f"http://127.0.0.1:{port}{path}", **overrides
    )
    running = Runtime(settings, clock=clock, migrate=False, load_demo=False)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def runtime(db: Database, database_url: str, demo_media: Path, clock: Clock) -> AsyncIterator[Runtime]:
    """Start the sandbox and the bot (long polling), as `make run` does but without the demo catalog."""
    running = Runtime(settings_for(database_url, demo_media), clock=clock, migrate=False, load_demo=False)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def sb(runtime: Runtime) -> AsyncIterator[SandboxClient]:
    """Give a client of the sandbox that plays the users."""
    async with SandboxClient(runtime.url) as client:
        yield client


@dataclass
class Chat:
    """A user in a chat with the bot: send text, press buttons, read the bot's answers."""

    sb: SandboxClient
    chat_id: int
    user_id: int
    last: int = 0

    async def say(self, text: str, *, count: int = 1) -> list[dict[str, Any]]:
        """Send text and return the bot's next ``count`` messages."""
        sent = await self.sb.send(self.chat_id, self.user_id, text)
        return await self._answers(sent["message_id"], count)

    async def press(self, message: dict[str, Any], data: str, *, count: int = 0) -> dict[str, Any]:
        """Press the button with ``data`` under ``message``; return the callback answer."""
        before = await self._latest()
        answer = await self.sb.press(self.chat_id, message["message_id"], self.user_id, data)
        if count:
            answer["messages"] = await self._answers(before, count)
        return answer

    async def press_and_see(self, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Press the button with ``data`` under ``message`` and return the message once the bot edited it."""
        await self.sb.press(self.chat_id, message["message_id"], self.user_id, data)
        return await self.sb.wait_edit(self.chat_id, message["message_id"], version=message["version"])

    async def _answers(self, after: int, count: int) -> list[dict[str, Any]]:
        answers = await self.sb.wait(self.chat_id, after=after, count=count)
        assert len(answers) >= count, f"the bot sent {len(answers)} of {count} expected messages"
        self.last = answers[-1]["message_id"]
        return answers[:count]

    async def _latest(self) -> int:
        messages = await self.sb.messages(self.chat_id)
        return messages[-1]["message_id"] if messages else 0


async def private_chat(sb: SandboxClient, name: str, language: str) -> Chat:
    """Create a user with a private chat with the bot."""
    user = await sb.create_user(name, language_code=language)
    await sb.create_chat("private", [user["id"]])
    return Chat(sb, user["id"], user["id"])


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Return a message's inline buttons as ``{callback_data: label}``."""
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    rows = markup["inline_keyboard"]
    return {
        button["callback_data"]: button["text"] for row in rows for button in row if "callback_data" in button
    }


@pytest.fixture
async def shop(demo_catalog: Database, runtime: Runtime, sb: SandboxClient) -> SandboxClient:
    """Give the sandbox client of a bot whose search index holds the demo catalog."""
    assert runtime.searcher is not None
    await runtime.searcher.refresh()
    return sb


async def card_in_group(shop: SandboxClient, user_id: int, chat_id: int) -> tuple[dict[str, Any], int]:
    """Open a card in the group the way members do: mention the bot, tap a result."""
    sent = await shop.send(chat_id, user_id, "@kaufrunde_bot Sneaker")
    (listing,) = await shop.wait(chat_id, after=sent["message_id"])
    data = next(key for key in buttons(listing) if key.startswith("card:"))
    await shop.press(chat_id, listing["message_id"], user_id, data)
    (card,) = await shop.wait(chat_id, after=listing["message_id"])
    return card, int(data.split(":")[1])
