"""Whatever no feature handled gets a helpful answer, never silence."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.common import App, is_private
from handlers.context import BotContext


async def unknown_command(update: Update, context: BotContext) -> None:
    """Point to /help; in groups only when the command was addressed to this bot."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = message.text.split()[0]
    name, _, addressee = command.partition("@")
    if not is_private(update) and addressee.lower() != (context.bot.username or "").lower():
        return
    await message.reply_text(context.t("unknown-command", command=name))


async def other(update: Update, context: BotContext) -> None:
    """Answer stickers, voice messages and the like in a private chat."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.t("fallback-other"))


async def outdated_button(update: Update, context: BotContext) -> None:
    """Tell the user that a button from an old message no longer works."""
    if update.callback_query is not None:
        await update.callback_query.answer(context.t("button-outdated"), show_alert=True)


def register(app: App) -> None:
    """Install the fallbacks (text is a search); must come after every feature's handlers."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL & ~filters.SUCCESSFUL_PAYMENT, other
        )
    )
    app.add_handler(CallbackQueryHandler(outdated_button))
