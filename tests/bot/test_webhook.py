"""Webhook mode: the secret is checked, the answer comes at once, updates run per chat in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from core import privacy
from core.clock import Clock
from core.db import Database
from core.updates import ProcessedUpdate
from tests.e2e import conftest as e2e
from tests.e2e.conftest import Chat, private_chat

SECRET = "kaufrunde-webhook_secret-1"
HOOK = "/hook/kaufrunde"
FORGED_ID = 2**31 + 7


@pytest.fixture
async def webhook_runtime(
    db: Database, database_url: str, media_dir: Path, clock: Clock
) -> AsyncIterator[Runtime]:
    """Run the bot in webhook mode; the embedded sandbox posts the updates to its webhook."""
    async with e2e.webhook_runtime(
        database_url, media_dir, clock, path=HOOK, webhook_secret=SECRET
    ) as running:
        yield running


@pytest.fixture
async def hooked(webhook_runtime: Runtime) -> AsyncIterator[SandboxClient]:
    """Give a client of the sandbox that delivers through the webhook."""
    async with SandboxClient(webhook_runtime.url) as client:
        assert (await client.bot_status())["webhook"]["url"] == f"{webhook_runtime.url}{HOOK}"
        yield client


def _start_update(chat: Chat) -> dict[str, Any]:
    sender = {"id": chat.user_id, "is_bot": False, "first_name": "Tom", "language_code": "en"}
    message = {
        "message_id": 1,
        "date": 1_790_000_000,
        "chat": {"id": chat.chat_id, "type": "private", "first_name": "Tom"},
        "from": sender,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return {"update_id": FORGED_ID, "message": message}


async def test_a_wrong_or_missing_secret_gets_403_and_nothing_is_processed(
    webhook_runtime: Runtime, hooked: SandboxClient, db: Database
) -> None:
    tom = await private_chat(hooked, "Tom", "en")
    body = _start_update(tom)
    async with aiohttp.ClientSession() as http:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "guess"}, {}):
            refused = await http.post(f"{webhook_runtime.url}{HOOK}", json=body, headers=headers)
            assert refused.status == 403

        async with db.unit_of_work() as session:
            assert await session.get(ProcessedUpdate, FORGED_ID) is None, (
                "the refused update was not accepted"
            )
        assert await hooked.calls("sendMessage") == []

        accepted = await http.post(
            f"{webhook_runtime.url}{HOOK}", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert accepted.status == 200
    (greeting,) = await hooked.wait(tom.chat_id, after=0)
    assert greeting["text"].startswith("Hi Tom!"), "the same body with the right secret is handled"


COMMAND_WITH_A_TEXT_LENGTH = (
    b'{"update_id": 6, "message": {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"},'
    b' "from": {"id": 7, "is_bot": false, "first_name": "T"}, "text": "/start",'
    b' "entities": [{"type": "bot_command", "offset": 0, "length": "6"}]}}'
)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"message": {}}',
        b'{"update_id": 5, "message": {}}',
        COMMAND_WITH_A_TEXT_LENGTH,
        b'{"update_id": 7, "shipping_query": {"id": "1", "invoice_payload": "x",'
        b' "from": {"id": 7, "is_bot": false, "first_name": "T"}}}',
    ],
)
async def test_a_body_that_is_no_update_gets_400(webhook_runtime: Runtime, body: bytes) -> None:
    async with aiohttp.ClientSession() as http:
        answer = await http.post(
            f"{webhook_runtime.url}{HOOK}",
            data=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
        )
        assert answer.status == 400


async def test_the_webhook_answers_at_once_and_keeps_each_chats_order_while_others_go_on(
    hooked: SandboxClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    real_summary = privacy.summary

    async def slow_summary(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await release.wait()
        return await real_summary(*args, **kwargs)

    monkeypatch.setattr(privacy, "summary", slow_summary)
    tom = await private_chat(hooked, "Tom", "en")
    lena = await private_chat(hooked, "Lena", "de")

    slow = await hooked.send(tom.chat_id, tom.user_id, "/privacy")
    after = await hooked.send(tom.chat_id, tom.user_id, "/help")
    assert await hooked.wait_delivered() == {"pending_update_count": 0}
    await asyncio.wait_for(entered.wait(), 10)
    deliveries = await hooked.webhook_deliveries()
    assert [(item["update_id"], item["status"]) for item in deliveries] == [
        (slow["update_id"], 200),
        (after["update_id"], 200),
    ], "both answered while the first is still being handled"

    (greeting,) = await lena.say("/start")
    assert greeting["text"].startswith("Hallo Lena"), "another chat is handled meanwhile"
    assert await hooked.messages(tom.chat_id, after=slow["message_id"]) == [
        await _message(hooked, tom.chat_id, after["message_id"])
    ], "Tom's /help waits for his /privacy"

    release.set()
    overview, help_text = await hooked.wait(tom.chat_id, after=after["message_id"], count=2)
    assert overview["text"].startswith("Your data at Kaufrunde")
    assert "/start" in help_text["text"] and help_text["message_id"] > overview["message_id"]


async def test_a_bot_that_is_not_running_answers_503_so_telegram_delivers_again(
    webhook_runtime: Runtime,
) -> None:
    application = webhook_runtime.application
    assert application is not None
    async with aiohttp.ClientSession() as http:
        healthy = await http.get(f"{webhook_runtime.url}/healthz")
        assert (healthy.status, await healthy.json()) == (200, {"status": "ok"})
        await application.stop()
        answer = await http.post(
            f"{webhook_runtime.url}{HOOK}",
            json={"update_id": FORGED_ID, "message": {}},
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert answer.status == 503
        stopping = await http.get(f"{webhook_runtime.url}/healthz")
        assert (stopping.status, await stopping.json()) == (503, {"status": "bot not running"})


async def _message(sb: SandboxClient, chat_id: int, message_id: int) -> dict[str, Any]:
    return next(message for message in await sb.messages(chat_id) if message["message_id"] == message_id)
