"""/poll in a group: pick two to ten shared or searched products, vote in a native poll, see the winner."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, PollAnswerHandler, filters

from catalog.query import parse
from handlers import products as product_handlers
from handlers.common import App, is_private, opened
from handlers.context import BotContext
from social import polls, votes
from social.errors import Refused

log = logging.getLogger(__name__)

OPEN_FOR = timedelta(hours=24)
# How often open polls are checked for their closing time (a JobQueue job; the clock decides what is due).
CLOSE_CHECK_SECONDS = 5.0
CHOSEN = "✅ "
TOGGLE = "poll:t:"
START = "poll:go"
VOTE_BUTTON = re.compile(r"vote:(\d+):-?1")


def picker(context: BotContext, options: list[polls.Option], chosen: set[int]) -> InlineKeyboardMarkup:
    """Return one toggle button per candidate (ticked when chosen) and the start button."""
    rows = [
        [
            InlineKeyboardButton(
                (CHOSEN if option.product_id in chosen else "") + option.title,
                callback_data=f"{TOGGLE}{option.product_id}",
            )
        ]
        for option in options
    ]
    rows.append([InlineKeyboardButton(context.t("poll-start-button"), callback_data=START)])
    return InlineKeyboardMarkup(rows)


def _shown(markup: InlineKeyboardMarkup | None) -> tuple[list[polls.Option], set[int]]:
    """Read the candidates and the ticked ones back from the picker's buttons."""
    options: list[polls.Option] = []
    chosen: set[int] = set()
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and data.startswith(TOGGLE):
                product_id = int(data.removeprefix(TOGGLE))
                options.append(polls.Option(product_id, button.text.removeprefix(CHOSEN)))
                if button.text.startswith(CHOSEN):
                    chosen.add(product_id)
    return options, chosen


async def poll_command(update: Update, context: BotContext) -> None:
    """Offer the group's recent shares (or, with words after /poll, a search's results) for a poll."""
    found = await opened(update, context)
    if found is None:
        return
    message, _ = found
    if is_private(update):
        await message.reply_text(context.t("poll-group-only"))
        return
    wanted = " ".join(context.args or []).strip()
    if wanted:
        searcher = context.services.searcher
        query = parse(wanted, lexicon=searcher.lexicon, locale=context.locale)
        hits = (await searcher.search(query, limit=polls.MAX_OPTIONS)).hits
        async with context.uow() as session:
            options = (
                await polls.options(
                    session, product_ids=[hit.product_id for hit in hits], locale=context.locale
                )
                if len(hits) >= polls.MIN_OPTIONS
                else []
            )
    else:
        async with context.uow() as session:
            options = await polls.candidates(
                session, chat_id=message.chat.id, now=context.now, locale=context.locale
            )
    if len(options) < polls.MIN_OPTIONS:
        await message.reply_text(context.t("poll-too-few", min=polls.MIN_OPTIONS))
        return
    await message.reply_text(context.t("poll-pick"), reply_markup=picker(context, options, set()))


async def toggle(update: Update, context: BotContext) -> None:
    """Tick or untick a product in the picker."""
    query = update.callback_query
    assert query is not None and query.data is not None and isinstance(query.message, Message)
    await query.answer()
    options, chosen = _shown(query.message.reply_markup)
    chosen ^= {int(query.data.removeprefix(TOGGLE))}
    await query.edit_message_reply_markup(reply_markup=picker(context, options, chosen))


async def start_poll(update: Update, context: BotContext) -> None:
    """Send the native poll between the ticked products and remember it."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    shown, ticked = _shown(query.message.reply_markup)
    chat_id = query.message.chat.id
    try:
        async with context.uow() as session:
            options = await polls.options(
                session,
                product_ids=[option.product_id for option in shown if option.product_id in ticked],
                locale=context.locale,
            )
            sent = await context.bot.send_poll(
                chat_id,
                context.t("poll-question"),
                [option.title for option in options],
                is_anonymous=False,
            )
            assert sent.poll is not None
            await polls.start(
                session,
                telegram_poll_id=sent.poll.id,
                chat_id=chat_id,
                message_id=sent.message_id,
                product_ids=[option.product_id for option in options],
                opened_by=query.from_user.id,
                closes_at=context.now + OPEN_FOR,
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(context.t("poll-started"))


async def shared_via_inline(update: Update, context: BotContext) -> None:
    """Remember a card a member posted into the group through inline mode, so /poll can offer it."""
    message = update.effective_message
    if message is None or message.via_bot is None or message.via_bot.id != context.bot.id:
        return
    product_id = _voted_product(message.reply_markup)
    if product_id is None:
        return
    async with context.uow() as session:
        await votes.share(
            session,
            post=votes.PostRef.message(chat_id=message.chat.id, message_id=message.message_id),
            product_id=product_id,
            shared_by=message.from_user.id if message.from_user else None,
            now=context.now,
        )


def _voted_product(markup: InlineKeyboardMarkup | None) -> int | None:
    """Return the product of a card's vote buttons, if it has them."""
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and (found := VOTE_BUTTON.fullmatch(data)):
                return int(found[1])
    return None


async def answer(update: Update, context: BotContext) -> None:
    """Record a member's answer to a product poll."""
    poll_answer = update.poll_answer
    if poll_answer is None or poll_answer.user is None:
        return
    async with context.uow() as session:
        await polls.record_answer(
            session,
            telegram_poll_id=poll_answer.poll_id,
            user_id=poll_answer.user.id,
            option_ids=list(poll_answer.option_ids),
            now=context.now,
        )


async def close_due(context: BotContext) -> None:
    """Close the polls whose time is up, stop them in Telegram and post each winner with its card."""
    async with context.uow() as session:
        due = await polls.due_to_close(session, now=context.now)
    for telegram_poll_id in due:
        async with context.uow() as session:
            winner = await polls.close(session, telegram_poll_id=telegram_poll_id, now=context.now)
        if winner is None:
            continue
        try:
            await context.bot.stop_poll(winner.chat_id, winner.message_id)
        except BadRequest as error:
            log.info("could not stop poll %s: %s", telegram_poll_id, error)
        if winner.product_id is None:
            await context.bot.send_message(winner.chat_id, context.t("poll-closed-no-votes"))
            continue
        await context.bot.send_message(
            winner.chat_id, context.t("poll-winner", votes=winner.votes, voters=winner.voters)
        )
        await product_handlers.send_card(context, chat_id=winner.chat_id, product_id=winner.product_id)


def register(app: App) -> None:
    """Install /poll, its picker buttons and the poll answers."""
    app.add_handler(CommandHandler("poll", poll_command))
    app.add_handler(CallbackQueryHandler(toggle, pattern=rf"^{TOGGLE}\d+$"))
    app.add_handler(CallbackQueryHandler(start_poll, pattern=rf"^{START}$"))
    app.add_handler(PollAnswerHandler(answer))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.VIA_BOT, shared_via_inline))
