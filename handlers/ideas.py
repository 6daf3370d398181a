"""The ideas board: /idea proposes (text, or a photo captioned /idea), members vote 👍/👎, /ideas lists.

Retailers get /topideas across groups and /adopt, which turns an idea into a product and credits the
author, who is told in a private chat.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from catalog import products
from core import users
from core.i18n import Html, format_money
from core.money import Money
from handlers.common import App, is_private, opened, retailer_scope
from handlers.context import BotContext
from social import ideas
from social.errors import Refused

log = logging.getLogger(__name__)

ADOPTION_REWARD = Money(Decimal("10.00"), "EUR")
TOP_LIMIT = 10
TOP_PERIOD = timedelta(days=30)
CAPTION_COMMAND = r"^/idea(?:@\w+)?(?:\s|$)"


def _buttons(idea: ideas.IdeaView) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"👍 {idea.up}", callback_data=f"idea:{idea.id}:1"),
                InlineKeyboardButton(f"👎 {idea.down}", callback_data=f"idea:{idea.id}:-1"),
            ]
        ]
    )


def _text(context: BotContext, idea: ideas.IdeaView) -> Html:
    return context.t("idea-posted", id=str(idea.id), text=idea.text)


async def propose(update: Update, context: BotContext) -> None:
    """Post an idea (with its photo, if any) with vote buttons, in the group or privately."""
    where = await opened(update, context)
    if where is None:
        return
    message, user = where
    photo = message.photo[-1].file_id if message.photo else None
    text = re.sub(CAPTION_COMMAND, "", message.caption or "") if photo else " ".join(context.args or [])
    if not text.strip():
        await message.reply_text(context.t("idea-usage"))
        return
    try:
        async with context.uow() as session:
            idea = await ideas.propose(
                session,
                author_id=user.id,
                text=text,
                now=context.now,
                chat_id=None if is_private(update) else message.chat.id,
                photo_file_id=photo,
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    if idea.photo_file_id is not None:
        await message.reply_photo(
            idea.photo_file_id, caption=_text(context, idea), reply_markup=_buttons(idea)
        )
    else:
        await message.reply_text(_text(context, idea), reply_markup=_buttons(idea))


async def vote(update: Update, context: BotContext) -> None:
    """Count a 👍/👎 on an idea (pressing your own vote again takes it back) and show the counts."""
    query = update.callback_query
    assert query is not None and context.matches
    idea_id, wanted = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            before = await ideas.get(session, idea_id=idea_id, viewer_id=query.from_user.id)
            value = 0 if before.your_vote == wanted else wanted
            idea = await ideas.vote(
                session, idea_id=idea_id, user_id=query.from_user.id, value=value, now=context.now
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer(
        context.t("vote-counted-up" if value > 0 else "vote-counted-down" if value else "vote-taken-back")
    )
    await query.edit_message_reply_markup(_buttons(idea))


def _list(context: BotContext, header: str, listed: list[ideas.IdeaView], *, empty_key: str) -> Html:
    lines: list[str] = []
    for idea in listed:
        lines.append(
            context.t(
                "idea-line-adopted" if idea.adopted_product_id else "idea-line",
                id=str(idea.id),
                text=idea.text,
                up=idea.up,
                down=idea.down,
            )
        )
        lines += [context.t("idea-comment-line", text=comment.text) for comment in idea.comments]
    return Html("\n".join([header, "", *(lines or [context.t(empty_key)])]))


async def board(update: Update, context: BotContext) -> None:
    """List the group's newest ideas (privately: your own)."""
    where = await opened(update, context)
    if where is None:
        return
    message, user = where
    try:
        async with context.uow() as session:
            listed = (
                await ideas.mine(session, user_id=user.id)
                if is_private(update)
                else await ideas.of_chat(session, chat_id=message.chat.id, viewer_id=user.id)
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    header = context.t("ideas-mine-title" if is_private(update) else "ideas-group-title")
    await message.reply_text(_list(context, header, listed, empty_key="ideas-empty"))


async def top(update: Update, context: BotContext) -> None:
    """Show retailers the most liked ideas of the last weeks across groups."""
    where = await opened(
        update, context, private_only="ideas-top-private-only", retailers_only="ideas-retailers-only"
    )
    if where is None:
        return
    message, _ = where
    async with context.uow() as session:
        listed = await ideas.top(session, limit=TOP_LIMIT, since=context.now - TOP_PERIOD)
    await message.reply_text(_list(context, context.t("ideas-top-title"), listed, empty_key="ideas-empty"))


async def adopt(update: Update, context: BotContext) -> None:
    """Turn an idea into a product of ours (`/adopt <idea> <product id or SKU>`) and tell the author."""
    where = await opened(update, context, private_only="ideas-top-private-only")
    if where is None:
        return
    message, user = where
    if (scope := await retailer_scope(context, user.id)) is None:
        await message.reply_text(context.t("ideas-retailers-only"))
        return
    args = context.args or []
    if len(args) != 2 or not args[0].isdigit():
        await message.reply_text(context.t("idea-adopt-usage"))
        return
    try:
        async with context.uow() as session:
            product_id = (
                int(args[1])
                if args[1].isdigit()
                else await products.by_sku(session, sku=args[1], retailer_id=scope.retailer_id)
            )
            if product_id is None:
                await message.reply_text(context.t("idea-adopt-unknown-sku", sku=args[1]))
                return
            adoption = await ideas.adopt(
                session,
                idea_id=int(args[0]),
                product_id=product_id,
                retailer_user_id=user.id,
                reward=ADOPTION_REWARD,
                now=context.now,
                retailer_id=scope.retailer_id,
            )
            author = await users.get(session, user_id=adoption.author_id)
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    if adoption.reward is None:
        await message.reply_text(context.t("idea-adopted-before", id=str(adoption.idea_id)))
        return
    await message.reply_text(
        context.t("idea-adopted", id=str(adoption.idea_id), product=str(adoption.product_id))
    )
    if author is None or author.blocked_bot:
        return
    translator = context.services.translator
    locale = author.locale(translator.locales, translator.default_locale)
    amount = format_money(adoption.reward.amount, adoption.reward.currency, locale)
    try:
        await context.bot.send_message(
            author.id, translator.t(locale, "idea-adopted-author", id=str(adoption.idea_id), amount=amount)
        )
    except TelegramError as error:
        log.info("could not tell %s that their idea was adopted: %s", author.id, error)


async def comment(update: Update, context: BotContext) -> None:
    """Let a retailer answer an idea (`/comment <idea> <text>`); the group sees it under /ideas."""
    where = await opened(
        update, context, private_only="ideas-top-private-only", retailers_only="ideas-retailers-only"
    )
    if where is None:
        return
    message, user = where
    args = context.args or []
    if len(args) < 2 or not args[0].isdigit():
        await message.reply_text(context.t("idea-comment-usage"))
        return
    try:
        async with context.uow() as session:
            await ideas.comment(
                session,
                idea_id=int(args[0]),
                retailer_user_id=user.id,
                text=" ".join(args[1:]),
                now=context.now,
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    await message.reply_text(context.t("idea-commented", id=args[0]))


def register(app: App) -> None:
    """Install /idea (also as a photo caption), the idea votes, /ideas, and /topideas and /adopt."""
    app.add_handler(CommandHandler("idea", propose))
    app.add_handler(MessageHandler(filters.PHOTO & filters.CaptionRegex(CAPTION_COMMAND), propose))
    app.add_handler(CallbackQueryHandler(vote, pattern=r"^idea:(\d+):(-?1)$"))
    app.add_handler(CommandHandler("ideas", board))
    app.add_handler(CommandHandler("topideas", top))
    app.add_handler(CommandHandler("adopt", adopt))
    app.add_handler(CommandHandler("comment", comment))
