"""/language: choose German or English, remembered for every later answer."""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from core import users
from handlers.commands import bot_commands
from handlers.common import App, keyboard
from handlers.context import BotContext

log = logging.getLogger(__name__)


async def choose(update: Update, context: BotContext) -> None:
    """Offer the languages."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if update.effective_message is None:
        return
    buttons = [
        (context.t(f"language-name-{code}"), f"lang:{code}") for code in context.services.translator.locales
    ]
    await update.effective_message.reply_text(context.t("language-choose"), reply_markup=keyboard(buttons))


async def set_language(update: Update, context: BotContext) -> None:
    """Store the chosen language and confirm in it."""
    query = update.callback_query
    assert query is not None and context.matches
    language = context.matches[0].group(1)
    async with context.uow() as session:
        await users.set_language(session, user_id=query.from_user.id, language=language)
    context.locale = language
    await query.answer()
    await query.edit_message_text(context.t("language-set"))
    if update.effective_chat is not None and update.effective_chat.type == "private":
        try:
            await context.bot.set_my_commands(
                bot_commands(context.services.translator, language),
                scope=BotCommandScopeChat(update.effective_chat.id),
            )
        except TelegramError as error:
            log.warning("could not set the command list for a chat: %s", error)


def register(app: App) -> None:
    """Install /language and its buttons."""
    app.add_handler(CommandHandler("language", choose))
    app.add_handler(CallbackQueryHandler(choose, pattern=r"^menu:language$"))
    app.add_handler(CallbackQueryHandler(set_language, pattern=r"^lang:(de|en)$"))
