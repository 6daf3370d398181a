"""👍/👎 on product cards in groups: one vote per person, changeable; counts edited in place, coalesced."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ChosenInlineResultHandler

from catalog import products
from handlers.common import App
from handlers.context import BotContext
from handlers.render import card_keyboard, open_in_bot
from social import votes
from social.errors import Refused

log = logging.getLogger(__name__)

# Telegram allows a message about one edit per second or so; counts are shown at most this often.
EDIT_INTERVAL = timedelta(seconds=2)
BOT_MESSAGE = re.compile(r"-?\d+:\d+")
# The vote buttons: the only buttons on cards posted through inline mode.
VOTE = re.compile(r"^vote:(\d+):(-?1)$")


def vote_row(product_id: int, tally: votes.Tally | None = None) -> list[InlineKeyboardButton]:
    """Return the 👍/👎 buttons with their counts."""
    up, down = (tally.up, tally.down) if tally else (0, 0)
    return [
        InlineKeyboardButton(f"👍 {up}", callback_data=f"vote:{product_id}:1"),
        InlineKeyboardButton(f"👎 {down}", callback_data=f"vote:{product_id}:-1"),
    ]


async def keyboard_for(
    context: BotContext, post: votes.PostRef, product_id: int, tally: votes.Tally | None = None
) -> InlineKeyboardMarkup:
    """Return the whole keyboard of a posted card: votes first, then the card's own buttons."""
    if not BOT_MESSAGE.fullmatch(post.message_key):
        return InlineKeyboardMarkup(
            [vote_row(product_id, tally), *open_in_bot(context, product_id).inline_keyboard]
        )
    async with context.uow() as session:
        card = await products.card(session, product_id=product_id, locale=context.locale)
    rows = card_keyboard(context, card, in_group=True).inline_keyboard if card else ()
    return InlineKeyboardMarkup([vote_row(product_id, tally), *rows])


def post_of(update: Update) -> votes.PostRef | None:
    """Return which posted card a button press or chosen inline result belongs to."""
    if update.callback_query is not None:
        query = update.callback_query
        if query.inline_message_id:
            return votes.PostRef.inline(inline_message_id=query.inline_message_id)
        if query.message is not None:
            return votes.PostRef.message(chat_id=query.message.chat.id, message_id=query.message.message_id)
    if update.chosen_inline_result is not None and update.chosen_inline_result.inline_message_id:
        return votes.PostRef.inline(inline_message_id=update.chosen_inline_result.inline_message_id)
    return None


async def shared_inline(update: Update, context: BotContext) -> None:
    """Remember a card posted through inline mode, so its votes are counted from the start."""
    chosen = update.chosen_inline_result
    post = post_of(update)
    if chosen is None or post is None or not chosen.result_id.isdigit():
        return
    try:
        async with context.uow() as session:
            await votes.share(
                session,
                post=post,
                product_id=int(chosen.result_id),
                shared_by=chosen.from_user.id,
                now=context.now,
            )
    except Refused:
        log.info("card %s was posted, but the product is gone", chosen.result_id)


async def vote(update: Update, context: BotContext) -> None:
    """Count a 👍/👎 (pressing your own vote again takes it back) and show the counts."""
    query = update.callback_query
    post = post_of(update)
    assert query is not None and context.matches and post is not None
    product_id, wanted = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            value = await votes.press(
                session,
                post=post,
                product_id=product_id,
                user_id=query.from_user.id,
                wanted=wanted,
                now=context.now,
            )
            edits = await votes.due_edits(session, now=context.now, min_interval=EDIT_INTERVAL, post=post)
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer(
        context.t("vote-counted-up" if value > 0 else "vote-counted-down" if value else "vote-taken-back")
    )
    shown = query.message.reply_markup if isinstance(query.message, Message) else None
    await show(context, edits, pressed=(post, shown) if shown else None)


async def show(
    context: BotContext,
    edits: list[votes.Edit],
    pressed: tuple[votes.PostRef, InlineKeyboardMarkup] | None = None,
) -> None:
    """Edit the counts on each card that is due; ``pressed`` is a card with the keyboard it shows now,
    whose other buttons stay as they are."""
    for edit in edits:
        if pressed is not None and edit.post == pressed[0] and pressed[1].inline_keyboard:
            rows = pressed[1].inline_keyboard[1:]
            markup = InlineKeyboardMarkup([vote_row(edit.tally.product_id, edit.tally), *rows])
        else:
            markup = await keyboard_for(context, edit.post, edit.tally.product_id, edit.tally)
        try:
            if BOT_MESSAGE.fullmatch(edit.post.message_key):
                chat_id, message_id = edit.post.message_key.rsplit(":", 1)
                await context.bot.edit_message_reply_markup(
                    int(chat_id), int(message_id), reply_markup=markup
                )
            else:
                await context.bot.edit_message_reply_markup(
                    inline_message_id=edit.post.message_key, reply_markup=markup
                )
        except BadRequest as error:
            log.info("could not show the votes on %s: %s", edit.post.message_key, error)


async def catch_up(context: BotContext) -> None:
    """Show the counts that were held back to respect Telegram's edit limits (a job runs this)."""
    async with context.uow() as session:
        edits = await votes.due_edits(session, now=context.now, min_interval=EDIT_INTERVAL)
    await show(context, edits)


def register(app: App) -> None:
    """Install the vote buttons and the record of cards posted through inline mode."""
    app.add_handler(CallbackQueryHandler(vote, pattern=VOTE))
    app.add_handler(ChosenInlineResultHandler(shared_inline))
