"""Injected timeouts and dropped connections: no answer, never carried out, drawn from a seeded source."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.sandbox import Sandbox, SandboxClient, SandboxError
from core.clock import Clock

from .conftest import ALICE, TOKEN, BotLoop, Server, start

pytestmark = pytest.mark.usefixtures("people")


async def _texts(sb: SandboxClient) -> list[str]:
    return [message.get("text") or "" for message in await sb.messages(ALICE)]


async def test_a_timeout_holds_the_answer_past_a_short_read_timeout(
    server: Server, sb: SandboxClient
) -> None:
    impatient = Bot(
        TOKEN, base_url=f"{server.root}/bot", request=HTTPXRequest(read_timeout=0.2, connection_pool_size=2)
    )
    await sb.set_faults(error_rate=1.0, error_codes=["timeout"], hang_ms=2000)
    async with impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(ALICE, "Hallo?")
    (call,) = await sb.calls("sendMessage")
    assert (call["status"], call["fault"]) == (None, "timeout")
    assert call["params"]["text"] == "Hallo?"


async def test_a_patient_client_sees_the_connection_closed_and_nothing_was_sent(
    bot: Bot, sb: SandboxClient
) -> None:
    await sb.set_faults(error_rate=1.0, error_codes=["timeout"], hang_ms=50)
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(ALICE, "Hallo?")
    await sb.set_faults(error_rate=1.0, error_codes=["drop"])
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(ALICE, "Noch jemand da?")
    assert await _texts(sb) == [], "a call without an answer was not carried out"

    await sb.set_faults()
    await bot.send_message(ALICE, "Jetzt aber")
    assert await _texts(sb) == ["Jetzt aber"]
    calls = await sb.calls("sendMessage")
    assert [(call["status"], call.get("fault")) for call in calls] == [
        (None, "timeout"),
        (None, "drop"),
        (200, None),
    ]


async def test_a_dropped_callback_answer_leaves_the_query_open_for_the_repeat(
    bot: Bot, sb: SandboxClient
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Merken", callback_data="wl:add:1")]])
    sent = await bot.send_message(ALICE, "Rote Sneaker", reply_markup=keyboard)
    await sb.set_faults(error_rate=1.0, error_codes=["drop"])
    failures: list[Exception] = []

    async def handle(update: Update) -> None:
        assert update.callback_query is not None
        try:
            await update.callback_query.answer("Gemerkt!")
        except NetworkError as error:
            failures.append(error)
            await sb.set_faults()
            await update.callback_query.answer("Gemerkt!")

    async with BotLoop(bot, handle):
        pressed = await sb.press(ALICE, sent.message_id, ALICE, "wl:add:1")
    assert pressed["answer"]["text"] == "Gemerkt!" and len(failures) == 1
    answers = await sb.calls("answerCallbackQuery")
    assert [(call["status"], call.get("fault")) for call in answers] == [(None, "drop"), (200, None)]


async def test_injected_http_errors_are_marked_in_the_calls_log(bot: Bot, sb: SandboxClient) -> None:
    await sb.set_faults(error_rate=1.0, error_codes=[502])
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ALICE, "kaputt")
    await sb.set_faults()
    await bot.send_message(ALICE, "heil")
    calls = await sb.calls("sendMessage")
    assert [(call["status"], call.get("fault")) for call in calls] == [(502, 502), (200, None)]


async def test_the_same_seed_draws_the_same_faults(bot: Bot, sb: SandboxClient) -> None:
    settings: dict[str, Any] = {
        "error_rate": 0.5,
        "error_codes": [500, "timeout", "drop"],
        "hang_ms": 0,
        "seed": 42,
    }

    async def draw() -> list[object]:
        before = len(await sb.calls("sendMessage"))
        await sb.set_faults(**settings)
        for number in range(16):
            with contextlib.suppress(NetworkError):
                await bot.send_message(ALICE, f"Nachricht {number}")
        return [call.get("fault") for call in (await sb.calls("sendMessage"))[before:]]

    first = await draw()
    assert await draw() == first
    assert {"timeout", "drop", None} <= set(first), first


async def test_fault_kinds_and_the_hang_are_settings_that_put_replaces(sb: SandboxClient) -> None:
    changed = await sb.set_faults(error_rate=0.1, error_codes=[429, "timeout", "drop"], hang_ms=300)
    assert (changed["error_codes"], changed["hang_ms"]) == ([429, "timeout", "drop"], 300)
    defaults = await sb.set_faults()
    assert (defaults["error_codes"], defaults["hang_ms"]) == ([500], 10_000)


@pytest.mark.parametrize(
    "settings",
    [
        {"error_codes": ["slow"]},
        {"error_codes": ["Timeout"]},
        {"error_codes": [True]},
        {"error_codes": [399]},
        {"error_codes": "timeout"},
        {"hang_ms": -1},
        {"hang_ms": 60_001},
        {"hang_ms": 1.5},
        {"hang_ms": None},
    ],
)
async def test_invalid_fault_kinds_are_refused_and_change_nothing(
    sb: SandboxClient, settings: dict[str, object]
) -> None:
    before = await sb.set_faults(error_codes=["drop"], hang_ms=100)
    with pytest.raises(SandboxError) as refused:
        await sb.set_faults(**settings)
    assert refused.value.status == 400
    assert await sb.faults() == before


async def test_shutdown_ends_a_held_call_at_once(clock: Clock) -> None:
    sandbox = Sandbox(clock=clock, bot_token=TOKEN)
    app = web.Application()
    sandbox.setup(app)
    runner, root = await start(app)
    async with SandboxClient(root) as sb, aiohttp.ClientSession() as http:
        await sb.set_faults(error_rate=1.0, error_codes=["timeout"], hang_ms=60_000)
        held = asyncio.create_task(
            http.post(f"{root}/bot{TOKEN}/answerCallbackQuery", data={"callback_query_id": "1"})
        )
        for _ in range(1000):
            if await sb.calls("answerCallbackQuery"):
                break
        assert [call["fault"] for call in await sb.calls("answerCallbackQuery")] == ["timeout"]
        await asyncio.wait_for(runner.cleanup(), timeout=30)
        with pytest.raises(aiohttp.ClientError):
            await held
