"""Telegram's limits, refused with Telegram's error texts."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LabeledPrice,
    Update,
)
from telegram.error import BadRequest

from bot.sandbox import SandboxClient

from .conftest import ALICE, TOKEN, BotLoop, Server, png

pytestmark = pytest.mark.usefixtures("people")


async def call(server: Server, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """Call a Bot API method with a JSON body and return the status and answer."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.root}/bot{TOKEN}/{method}", json=params) as r,
    ):
        return r.status, await r.json()


async def test_callback_data_longer_than_64_bytes(bot: Bot) -> None:
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ü" * 32)]])
    assert await bot.send_message(ALICE, "passt", reply_markup=fits)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("zu lang", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)^BUTTON_DATA_INVALID$"):
        await bot.send_message(ALICE, "zu lang", reply_markup=too_long)


async def test_buttons_need_exactly_one_action(server: Server) -> None:
    none = {"inline_keyboard": [[{"text": "nur Text"}]]}
    two = {"inline_keyboard": [[{"text": "beides", "callback_data": "a", "url": "https://example.org"}]]}
    status, body = await call(server, "sendMessage", chat_id=ALICE, text="x", reply_markup=none)
    assert (status, body["description"]) == (
        400,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    )
    status, body = await call(server, "sendMessage", chat_id=ALICE, text="x", reply_markup=two)
    assert status == 400 and "exactly one" in body["description"]


async def test_text_length_counts_after_entity_parsing(bot: Bot) -> None:
    assert await bot.send_message(ALICE, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)^message is too long$"):
        await bot.send_message(ALICE, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)^message text is empty$"):
        await bot.send_message(ALICE, "  \n ")
    with pytest.raises(BadRequest, match=r"(?i)^message caption is too long$"):
        await bot.send_photo(ALICE, png(4, 4), caption="c" * 1025)


async def test_unescaped_html_is_refused_like_telegram(server: Server, bot: Bot) -> None:
    status, body = await call(server, "sendMessage", chat_id=ALICE, text="Preis < 80 €", parse_mode="HTML")
    assert (status, body) == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": 'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 6',
        },
    )
    with pytest.raises(BadRequest, match=r'(?i)can\'t find end tag corresponding to start tag "b"'):
        await bot.send_message(ALICE, "<b>fett", parse_mode="HTML")
    assert (await bot.send_message(ALICE, "Preis &lt; 80 €", parse_mode="HTML")).text == "Preis < 80 €"


async def test_invoice_fields(bot: Bot) -> None:
    price = [LabeledPrice("Sneaker", 7999)]
    with pytest.raises(BadRequest, match=r"(?i)invoice title must be 1-32 characters long"):
        await bot.send_invoice(ALICE, "T" * 33, "Beschreibung", "order:1", "EUR", price, provider_token="p")
    with pytest.raises(BadRequest, match=r"(?i)INVOICE_PAYLOAD_INVALID"):
        await bot.send_invoice(ALICE, "Titel", "Beschreibung", "p" * 129, "EUR", price, provider_token="p")
    with pytest.raises(BadRequest, match=r"(?i)STARS_INVOICE_INVALID"):
        await bot.send_invoice(ALICE, "Titel", "Beschreibung", "order:1", "XTR", price * 2)
    with pytest.raises(BadRequest, match=r"(?i)PAYMENT_PROVIDER_INVALID"):
        await bot.send_invoice(ALICE, "Titel", "Beschreibung", "order:1", "EUR", price)
    with pytest.raises(BadRequest, match=r"(?i)CURRENCY_INVALID"):
        await bot.send_invoice(ALICE, "Titel", "Beschreibung", "order:1", "euro", price, provider_token="p")


async def test_polls(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)poll can't have more than 12 options"):
        await bot.send_poll(ALICE, "Welche?", [str(number) for number in range(13)])
    with pytest.raises(BadRequest, match=r"(?i)poll options length must not exceed 100"):
        await bot.send_poll(ALICE, "Welche?", ["a", "b" * 101])
    with pytest.raises(BadRequest, match=r"(?i)poll question length must not exceed 300"):
        await bot.send_poll(ALICE, "?" * 301, ["a", "b"])


async def test_answer_limits_for_callback_and_inline_queries(bot: Bot, sb: SandboxClient) -> None:
    sent = await bot.send_message(
        ALICE,
        "Frage",
        reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("?", callback_data="q")),
    )
    refusals: list[str] = []
    article = InlineQueryResultArticle("a", "A", InputTextMessageContent("a"))

    async def handle(update: Update) -> None:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer("x" * 201)
            except BadRequest as exc:
                refusals.append(exc.message)
            await update.callback_query.answer("x" * 200)
        elif update.inline_query is not None:
            many = [InlineQueryResultArticle(str(i), "T", InputTextMessageContent("t")) for i in range(51)]
            for results in (many, [article, article]):
                try:
                    await update.inline_query.answer(results)
                except BadRequest as exc:
                    refusals.append(exc.message)
            await update.inline_query.answer([article])

    async with BotLoop(bot, handle):
        pressed = await sb.press(ALICE, sent.message_id, ALICE, "q")
        offered = await sb.inline(ALICE, "", ALICE)
    assert pressed["answer"]["text"] == "x" * 200
    assert [result["id"] for result in offered["results"]] == ["a"]
    assert [message.lower() for message in refusals] == [
        "message_too_long",
        "results_too_much",
        "result_id_duplicate",
    ]
