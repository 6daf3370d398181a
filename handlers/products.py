"""Product cards: opened from search results, deep links and barcodes (typed or photographed)."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from catalog import barcodes, demo, products
from handlers.common import App
from handlers.context import BotContext
from handlers.render import card_caption, card_keyboard
from handlers.votes import vote_row
from social import reviews, votes

log = logging.getLogger(__name__)

BARCODE = r"^\s*(?:@\w+\s+)?(\d{8,14})\s*$"


async def send_card(
    context: BotContext, *, chat_id: int, product_id: int, shared_by: int | None = None
) -> Message:
    """Send the product card (in a group with vote buttons, counted from the start)."""
    viewer = shared_by if shared_by is not None else chat_id if chat_id > 0 else None
    sent = await _send_card(context, chat_id=chat_id, product_id=product_id, viewer_id=viewer)
    if chat_id < 0 and (sent.photo or sent.reply_markup):
        async with context.uow() as session:
            await votes.share(
                session,
                post=votes.PostRef.message(chat_id=chat_id, message_id=sent.message_id),
                product_id=product_id,
                shared_by=shared_by,
                now=context.now,
            )
    return sent


async def _send_card(context: BotContext, *, chat_id: int, product_id: int, viewer_id: int | None) -> Message:
    """Send the product card as a photo (or text when it has none), reusing Telegram's picture id."""
    async with context.uow(read_only=True) as session:
        card = await products.card(session, product_id=product_id, locale=context.locale)
        rating = (
            await reviews.summary(session, product_id=product_id, viewer_id=viewer_id)
            if card is not None and viewer_id is not None
            else None
        )
    if card is None:
        return await context.bot.send_message(chat_id, context.t("card-unknown"))
    in_group = chat_id < 0
    has_reviews = rating is not None and rating.all_count > 0
    caption = card_caption(context, card, rating)
    keyboard = card_keyboard(context, card, in_group=in_group, has_reviews=has_reviews)
    if in_group:
        keyboard = InlineKeyboardMarkup([vote_row(card.id), *keyboard.inline_keyboard])
    picture = card.picture
    if picture is None:
        return await context.bot.send_message(chat_id, caption, reply_markup=keyboard)
    if picture.telegram_file_id is not None:
        try:
            return await context.bot.send_photo(
                chat_id, picture.telegram_file_id, caption=caption, reply_markup=keyboard
            )
        except BadRequest as error:
            log.info("cached picture %s refused (%s); uploading it again", picture.id, error)
    media_dir = context.services.media_dir
    path = media_dir / picture.path
    if not path.is_file():  # a demo picture not drawn yet in the first seconds of the first start
        await asyncio.to_thread(demo.draw_picture, media_dir=media_dir, path=picture.path)
    sent = await context.bot.send_photo(chat_id, path.read_bytes(), caption=caption, reply_markup=keyboard)
    if sent.photo:
        async with context.uow() as session:
            await products.remember_telegram_file(
                session, picture_id=picture.id, file_id=sent.photo[-1].file_id
            )
    return sent


async def open_card(update: Update, context: BotContext) -> None:
    """Open the card of the product behind a result button."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    await query.answer()
    await send_card(
        context,
        chat_id=query.message.chat.id,
        product_id=int(context.matches[0].group(1)),
        shared_by=query.from_user.id,
    )


async def typed_barcode(update: Update, context: BotContext) -> None:
    """Look up a product by the barcode number the user typed."""
    message = update.effective_message
    assert message is not None and context.matches
    await _show_barcode(context, message, [context.matches[0].group(1)])


async def photographed_barcode(update: Update, context: BotContext) -> None:
    """Read the barcode on a photo and show that product."""
    message = update.effective_message
    assert message is not None and message.photo
    photo = await message.photo[-1].get_file()
    codes = barcodes.decode(bytes(await photo.download_as_bytearray()))
    if not codes:
        await message.reply_text(context.t("barcode-unreadable"))
        return
    await _show_barcode(context, message, codes)


async def _show_barcode(context: BotContext, message: Message, codes: list[str]) -> None:
    async with context.uow() as session:
        for code in codes:
            found = await products.by_gtin(session, gtin=code)
            if found is not None:
                break
    if found is None:
        await message.reply_text(context.t("barcode-not-found", code=codes[0]))
        return
    await send_card(
        context,
        chat_id=message.chat.id,
        product_id=found[0],
        shared_by=message.from_user.id if message.from_user else None,
    )


def register(app: App) -> None:
    """Install card buttons and barcode lookups (private chats, or mentioning the bot in a group)."""
    app.add_handler(CallbackQueryHandler(open_card, pattern=r"^card:(\d+)$"))
    addressed = filters.ChatType.PRIVATE | filters.Entity("mention")
    app.add_handler(MessageHandler(addressed & filters.Regex(BARCODE), typed_barcode))
    # A card the user posted from inline mode carries the product's photo, not a barcode.
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.PHOTO & ~filters.VIA_BOT, photographed_barcode)
    )
