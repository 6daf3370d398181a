"""The client API: users, chats, reading and waiting, the page, and every error it answers."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice

from bot.sandbox import SandboxClient, SandboxError

from .conftest import ALICE, BOB, BOT_ID, CAROL, Server, png

pytestmark = pytest.mark.usefixtures("people")


async def raw(
    server: Server, method: str, path: str, body: Any = None, data: str | None = None
) -> tuple[int, Any]:
    """Call the client API without the Python client and return status and JSON."""
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, f"{server.root}/sandbox/api{path}", json=body, data=data) as response,
    ):
        return response.status, await response.json()


async def refused(call: Any, status: int) -> str:
    """Await a client call that must fail with that status and return the error text."""
    with pytest.raises(SandboxError) as error:
        await call
    assert error.value.status == status, error.value.error
    return error.value.error


async def test_users_and_chats(sb: SandboxClient) -> None:
    dave = await sb.create_user("Dave")
    assert dave == {"id": 100001, "first_name": "Dave", "username": None, "language_code": None}
    group = await sb.create_chat("supergroup", [ALICE, BOB, ALICE], title="Sneakerheads")
    assert group["member_ids"] == [ALICE, BOB] and group["bot_status"] == "member" and group["id"] < 0
    assert [chat["type"] for chat in await sb.chats()] == ["private", "supergroup"]
    left = await sb.set_member(group["id"], BOB, "left")
    assert left["member_ids"] == [ALICE]


async def test_messages_are_read_as_they_stand_and_waits_return_early(bot: Bot, sb: SandboxClient) -> None:
    sent = await sb.send(ALICE, ALICE, "Hallo")
    waiting = asyncio.create_task(sb.wait(ALICE, after=sent["message_id"], count=2))
    first = await bot.send_message(ALICE, "Hallo Alice!")
    await bot.send_message(ALICE, "Was suchst du?")
    replies = await waiting
    assert [reply["text"] for reply in replies] == ["Hallo Alice!", "Was suchst du?"]
    await bot.delete_message(ALICE, first.message_id)
    everything = await sb.messages(ALICE)
    assert [(m["message_id"], m.get("deleted", False)) for m in everything] == [
        (1, False),
        (2, True),
        (3, False),
    ]
    assert await sb.messages(ALICE, after=2) == everything[2:]
    short = await sb.wait(ALICE, after=3, count=1, timeout=0.1)
    assert short == []
    anyone = await sb.wait(ALICE, after=0, count=3, timeout=0.1, sender="any")
    assert len(anyone) == 3


async def test_bot_status(sb: SandboxClient) -> None:
    status = await sb.bot_status()
    assert (status["id"], status["username"], status["privacy_mode"], status["polling"]) == (
        BOT_ID,
        "kaufrunde_bot",
        True,
        0,
    )
    assert status["webhook"]["url"] == ""


async def test_user_and_chat_errors(sb: SandboxClient) -> None:
    assert "first_name" in await refused(sb.create_user(""), 400)
    await refused(sb.create_user("Alice", user_id=ALICE), 409)
    await refused(sb.create_user("Eve", user_id=-5), 400)
    await refused(sb.create_user("Eve", username="x y"), 400)
    await refused(sb.create_user("Eve", username="ALICE_K"), 409)
    await refused(sb.create_chat("channel", [ALICE]), 400)
    await refused(sb.create_chat("group", []), 400)
    await refused(sb.create_chat("group", [ALICE, 999]), 404)
    await refused(sb.create_chat("private", [ALICE, BOB]), 400)
    await refused(sb.create_chat("private", [ALICE]), 409)
    await refused(sb.set_member(ALICE, BOB, "member"), 400)
    group = await sb.create_chat("group", [ALICE])
    await refused(sb.set_member(group["id"], BOB, "owner"), 400)
    await refused(sb.set_member(group["id"], 999, "member"), 404)
    await refused(sb.set_member(-1, BOB, "member"), 404)


async def test_message_errors(bot: Bot, sb: SandboxClient) -> None:
    await refused(sb.send(-1, ALICE, "x"), 404)
    await refused(sb.send(ALICE, BOB, "x"), 403)
    await refused(sb.send(ALICE, ALICE), 400)
    await refused(sb.send(ALICE, ALICE, "x", photo=png(2, 2)), 400)
    await refused(sb.send(ALICE, ALICE, "x" * 4097), 400)
    await refused(sb.send(ALICE, ALICE, photo=b"kein Bild"), 400)
    await refused(sb.send(ALICE, ALICE, photo=png(2, 2), caption="c" * 1025), 400)
    await refused(sb.send(ALICE, ALICE, "x", reply_to_message_id=77), 400)
    await refused(sb.wait(ALICE, after=0, sender="nobody"), 400)
    await refused(sb.wait_edit(ALICE, 5, version=0), 404)
    await refused(sb.messages(-1), 404)


async def test_malformed_requests(server: Server) -> None:
    assert await raw(server, "POST", "/users", data="{not json") == (400, {"error": "the body must be JSON"})
    assert (await raw(server, "POST", "/users", body=[1]))[0] == 400
    assert (await raw(server, "GET", "/chats/abc/messages"))[0] == 400
    assert (await raw(server, "GET", f"/chats/{ALICE}/messages?after=x"))[0] == 400
    assert (await raw(server, "GET", f"/chats/{ALICE}/wait?timeout=-1"))[0] == 400
    assert (await raw(server, "POST", f"/chats/{ALICE}/messages", body={"from_id": ALICE, "text": "hi"}))[
        0
    ] == 201
    assert await raw(server, "GET", f"/chats/{ALICE}/messages/1/wait") == (
        400,
        {"error": "query parameter version is required"},
    )
    assert (await raw(server, "POST", f"/chats/{ALICE}/messages", body={"from_id": "Alice"}))[0] == 400
    assert (await raw(server, "GET", "/calls?since=gestern"))[0] == 400
    assert (await raw(server, "POST", "/clock/advance", body={"seconds": -1}))[0] == 400
    assert (await raw(server, "POST", "/clock/advance", body={"seconds": "60"}))[0] == 400
    assert (await raw(server, "POST", "/updates/abc/redeliver"))[0] == 400
    assert await raw(server, "GET", "/nowhere") == (404, {"error": "Not Found"})
    assert await raw(server, "DELETE", "/chats") == (405, {"error": "Method Not Allowed"})


async def test_press_inline_vote_pay_and_redeliver_errors(bot: Bot, sb: SandboxClient) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Mehr", callback_data="more")]])
    sent = await bot.send_message(ALICE, "Produkt", reply_markup=keyboard)
    await refused(sb.press(ALICE, 99, ALICE, "more"), 404)
    await refused(sb.press(ALICE, sent.message_id, ALICE, "less"), 400)
    await refused(sb.press(ALICE, sent.message_id, BOB, "more"), 403)
    await bot.delete_message(ALICE, sent.message_id)
    await refused(sb.press(ALICE, sent.message_id, ALICE, "more"), 400)
    await refused(sb.inline(999, "x", ALICE), 404)
    await refused(sb.inline(BOB, "x", ALICE), 403)
    await refused(sb.inline(ALICE, "x" * 257, ALICE), 400)
    await refused(sb.choose("nope", "1"), 404)
    group = await sb.create_chat("group", [ALICE, BOB])
    poll = await bot.send_poll(group["id"], "Welche?", ["A", "B"])
    assert poll.poll is not None
    await refused(sb.vote("nope", ALICE, [0]), 404)
    await refused(sb.vote(poll.poll.id, ALICE, [2]), 400)
    await refused(sb.vote(poll.poll.id, ALICE, [0, 1]), 400)
    await refused(sb.vote(poll.poll.id, CAROL, [0]), 403)
    await refused(sb.pay(group["id"], poll.message_id, ALICE), 400)
    invoice = await bot.send_invoice(
        group["id"],
        "Jacke",
        "Warm",
        "order:1",
        "EUR",
        [LabeledPrice("Jacke", 100)],
        provider_token="p",
        max_tip_amount=50,
    )
    await refused(sb.pay(group["id"], invoice.message_id, ALICE, tip_amount=51), 400)
    await refused(sb.pay(group["id"], invoice.message_id, CAROL), 403)
    await refused(sb.pay(group["id"], invoice.message_id, ALICE, shipping_address={"city": "Berlin"}), 400)
    await refused(sb.redeliver(12345), 404)
    assert "not found" in await refused(sb.pay(group["id"], 999, ALICE), 404)
