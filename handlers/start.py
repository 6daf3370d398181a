"""/start, /help and the main menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core import users
from handlers.common import App, is_private, keyboard
from handlers.context import BotContext


def main_menu(context: BotContext) -> InlineKeyboardMarkup:
    """Return the main menu's buttons in the user's language."""
    return keyboard(
        [(context.t("menu-help"), "menu:help"), (context.t("menu-language"), "menu:language")],
        [(context.t("menu-privacy"), "menu:privacy")],
    )


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and show the menu; keep a deep-link parameter for referrals."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if not is_private(update):
        await message.reply_text(context.t("start-greeting-group"))
        return
    if context.args:
        async with context.uow() as session:
            await users.remember_start_parameter(session, user_id=user.id, parameter=context.args[0])
    await message.reply_text(
        context.t("start-greeting", name=user.first_name), reply_markup=main_menu(context)
    )


async def help_command(update: Update, context: BotContext) -> None:
    """Explain the commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.t("help-text"))


async def help_button(update: Update, context: BotContext) -> None:
    """Answer the menu's help button."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await help_command(update, context)


def register(app: App) -> None:
    """Install /start, /help and the menu's help button."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CallbackQueryHandler(help_button, pattern=r"^menu:help$"))
