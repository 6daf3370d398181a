"""/start, /help and the main menu."""

from __future__ import annotations

import re

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from core import users
from handlers import groupbuys, products
from handlers.common import App, is_private, keyboard
from handlers.context import BotContext
from social import referrals

# Deep links from product cards posted in groups: t.me/<bot>?start=p<product id>
PRODUCT_LINK = re.compile(r"p\d{1,12}")


def main_menu(context: BotContext) -> InlineKeyboardMarkup:
    """Return the main menu's buttons in the user's language."""
    return keyboard(
        [(context.t("menu-cart"), "menu:cart"), (context.t("menu-orders"), "menu:orders")],
        [(context.t("menu-style"), "menu:style"), (context.t("menu-help"), "menu:help")],
        [(context.t("menu-language"), "menu:language"), (context.t("menu-privacy"), "menu:privacy")],
    )


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and show the menu; keep a deep-link parameter for referrals."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    if not is_private(update):
        await message.reply_text(context.t("start-greeting-group", bot=context.bot.username or ""))
        return
    parameter = context.args[0] if context.args else ""
    if PRODUCT_LINK.fullmatch(parameter):
        await products.send_card(context, chat_id=message.chat.id, product_id=int(parameter[1:]))
        return
    if link := groupbuys.START_LINK.fullmatch(parameter):
        await groupbuys.start_link(context, message, int(link[1]))
        return
    if parameter:
        async with context.uow() as session:
            await users.remember_start_parameter(session, user_id=user.id, parameter=parameter)
            if parameter.startswith(referrals.PARAMETER_PREFIX):
                await referrals.record_arrival(session, user_id=user.id, parameter=parameter, now=context.now)
    await message.reply_text(
        context.t("start-greeting", name=user.first_name), reply_markup=main_menu(context)
    )


async def help_command(update: Update, context: BotContext) -> None:
    """Explain the commands."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(context.t("help-text", bot=context.bot.username or ""))


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
