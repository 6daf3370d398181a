"""A complete python-telegram-bot Application runs against the sandbox unchanged, by long polling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from bot.sandbox import SandboxClient

from .conftest import ALICE, BOB, TOKEN, Server

pytestmark = pytest.mark.usefixtures("people")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a button."""
    assert update.effective_message is not None and update.effective_user is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Warenkorb", callback_data="cart:show")]])
    await update.effective_message.reply_text(
        f"Hallo <b>{update.effective_user.first_name}</b>!", reply_markup=keyboard
    )


async def show_cart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Dein Warenkorb ist leer")
    await query.edit_message_text("Warenkorb: <i>leer</i>")


@pytest.fixture
async def application(server: Server) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run a polling Application with HTML as the default parse mode."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{server.root}/bot")
        .base_file_url(f"{server.root}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(show_cart, pattern="^cart:"))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.mark.usefixtures("application")
async def test_the_bot_answers_commands_and_presses(sb: SandboxClient) -> None:
    sent = await sb.send(ALICE, ALICE, "/start")
    [greeting] = await sb.wait(ALICE, after=sent["message_id"], count=1)
    assert greeting["text"] == "Hallo Alice!" and greeting["entities"][0]["type"] == "bold"
    pressed = await sb.press(ALICE, greeting["message_id"], ALICE, "cart:show")
    assert pressed["answer"]["text"] == "Dein Warenkorb ist leer"
    edited = await sb.wait_edit(ALICE, greeting["message_id"], version=greeting["version"])
    assert edited["text"] == "Warenkorb: leer" and "reply_markup" not in edited


@pytest.mark.usefixtures("application")
async def test_in_groups_only_commands_reach_the_bot(sb: SandboxClient) -> None:
    group = await sb.create_chat("group", [ALICE, BOB], title="Familie")
    chatter = await sb.send(group["id"], BOB, "start mal")
    command = await sb.send(group["id"], BOB, "/start@kaufrunde_bot")
    assert chatter["update_id"] is None
    [greeting] = await sb.wait(group["id"], after=command["message_id"], count=1)
    assert greeting["text"] == "Hallo Bob!"
    assert greeting["reply_to_message"]["message_id"] == command["message_id"], "PTB quotes in groups"
