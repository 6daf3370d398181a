"""Free-text shopping requests: search results with paging, similar items, inline mode, outfit requests."""

from __future__ import annotations

import math
import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, InlineQueryHandler, MessageHandler, filters

from catalog import products, searches, style
from catalog import search as catalog_search
from catalog.query import Query, parse
from catalog.search import Result
from core.money import Money
from handlers.common import App
from handlers.context import BotContext
from handlers.render import colours, money, open_in_bot, results_view, search_understood, short
from handlers.style import send_outfits
from handlers.votes import vote_row

PAGE_SIZE = 5
INLINE_PAGE = 50
# How much of a request the results repeat: a long one would leave no room for the results.
QUERY_SHOWN = 80


async def search_text(update: Update, context: BotContext) -> None:
    """Answer a shopping request: products, or outfits when the user asks to be styled."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.text is None or user is None:
        return
    text = _without_mention(message.text, context.bot.username)
    if not text:
        await message.reply_text(context.t("fallback-text"))
        return
    query = parse(text, lexicon=context.services.searcher.lexicon, locale=context.locale)
    if query.intent != "search":
        await _styled(update, context, query)
        return
    async with context.uow(alone=True) as session:  # one INSERT
        saved = await searches.save(
            session,
            user_id=user.id,
            chat_id=message.chat.id,
            text=text,
            locale=context.locale,
            now=context.now,
        )
    reply, keyboard = await _page(context, saved.id, query, page=0)
    await message.reply_text(reply, reply_markup=keyboard)


async def turn_page(update: Update, context: BotContext) -> None:
    """Show another page of a search in the same message."""
    callback = update.callback_query
    assert callback is not None and context.matches
    search_id, page = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    async with context.uow() as session:
        saved = await searches.get(session, search_id=search_id)
    if saved is None:
        await callback.answer(context.t("search-expired"), show_alert=True)
        return
    await callback.answer()
    query = parse(saved.text, lexicon=context.services.searcher.lexicon, locale=saved.locale)
    reply, keyboard = await _page(context, saved.id, query, page=page)
    await callback.edit_message_text(reply, reply_markup=keyboard)


async def _page(
    context: BotContext, search_id: int, query: Query, *, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await context.services.searcher.search(query, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    async with context.uow(read_only=True) as session:
        listed = await catalog_search.results(session, hits=found.hits, locale=context.locale)
        category = (
            await products.category_name(session, key=query.category, locale=context.locale)
            if query.category
            else None
        )
    understood = search_understood(context, query, category)
    if not listed:
        key = "search-none-filtered" if understood else "search-none"
        return context.t(key, filters=understood), None
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    header = context.t(
        "search-results", count=found.total, query=short(query.text, QUERY_SHOWN), page=page + 1, pages=pages
    )
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(context.t("search-previous"), callback_data=f"srch:{search_id}:{page - 1}")
        )
    if page + 1 < pages:
        navigation.append(
            InlineKeyboardButton(context.t("search-next"), callback_data=f"srch:{search_id}:{page + 1}")
        )
    return results_view(
        context, header, understood, listed, first_number=page * PAGE_SIZE + 1, navigation=navigation
    )


async def similar(update: Update, context: BotContext) -> None:
    """List products like the one on the card."""
    callback = update.callback_query
    assert callback is not None and context.matches and callback.message is not None
    await callback.answer()
    product_id = int(context.matches[0].group(1))
    hits = await context.services.searcher.similar(product_id=product_id, limit=PAGE_SIZE)
    async with context.uow(read_only=True) as session:
        listed = await catalog_search.results(session, hits=hits, locale=context.locale)
        card = await products.card(session, product_id=product_id, locale=context.locale)
    if not listed or card is None:
        await context.bot.send_message(callback.message.chat.id, context.t("similar-none"))
        return
    reply, keyboard = results_view(
        context, context.t("similar-title", title=card.title), "", listed, first_number=1
    )
    await context.bot.send_message(callback.message.chat.id, reply, reply_markup=keyboard)


async def pair(update: Update, context: BotContext) -> None:
    """Suggest outfits around the product on the card ("what goes with this?")."""
    callback = update.callback_query
    assert callback is not None and context.matches and callback.message is not None
    await callback.answer()
    anchor = style.Anchor(product_id=int(context.matches[0].group(1)))
    await _send_styled(
        context, callback.message.chat.id, callback.from_user.id, occasion=None, budget=None, anchor=anchor
    )


async def _send_styled(
    context: BotContext,
    chat_id: int,
    user_id: int,
    *,
    occasion: str | None,
    budget: Money | None,
    anchor: style.Anchor | None,
) -> None:
    async with context.uow() as session:
        profile = await style.get(session, user_id=user_id)
        try:
            found = await style.outfits(
                session,
                occasion=occasion or (profile.occasion if profile and anchor is None else None),
                budget=budget,
                profile=profile,
                now=context.now,
                anchor=anchor,
            )
        except ValueError:
            await context.bot.send_message(chat_id, context.t("outfit-pairing-unknown"))
            return
    await send_outfits(
        context, chat_id=chat_id, outfits=found, budget=budget, sizes_known=profile is not None
    )


async def _styled(update: Update, context: BotContext, query: Query) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    budget = Money(query.max_price, style.QUIZ_CURRENCY) if query.max_price is not None else None
    anchor = None
    if query.intent == "pairing":
        if query.category is None:
            await message.reply_text(context.t("outfit-pairing-unknown"))
            return
        anchor = style.Anchor(category=query.category, colour=query.colors[0] if query.colors else None)
    await _send_styled(
        context, message.chat.id, user.id, occasion=query.occasion, budget=budget, anchor=anchor
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """Offer product cards to post into any chat (``@bot sneaker``)."""
    inline = update.inline_query
    assert inline is not None
    text = inline.query.strip()
    hint = InlineQueryResultsButton(text=context.t("inline-hint"), start_parameter="inline")
    if not text:
        await inline.answer([], button=hint, cache_time=5, is_personal=True)
        return
    # The offset is a next_offset this bot gave; anything else (from a modified client) starts at the top.
    offset = int(inline.offset) if inline.offset.isdecimal() and len(inline.offset) <= 6 else 0
    query = parse(text, lexicon=context.services.searcher.lexicon, locale=context.locale)
    found = await context.services.searcher.search(query, limit=INLINE_PAGE, offset=offset)
    async with context.uow(read_only=True) as session:
        listed = await catalog_search.results(session, hits=found.hits, locale=context.locale)
        pictures = await products.pictures(session, product_ids=[result.product_id for result in listed])
    articles = [_inline_result(context, result, pictures.get(result.product_id)) for result in listed]
    more = offset + INLINE_PAGE < found.total
    await inline.answer(
        articles,
        cache_time=30,
        is_personal=True,
        # None, not "": with Defaults set, python-telegram-bot turns an empty string into an empty list (it
        # takes any empty sequence for a list of poll options), which Telegram would store as the text "[]".
        next_offset=str(offset + INLINE_PAGE) if more else None,
        button=None
        if articles
        else InlineQueryResultsButton(text=context.t("inline-none"), start_parameter="inline"),
    )


def _inline_result(
    context: BotContext, result: Result, picture: products.Picture | None
) -> InlineQueryResultPhoto | InlineQueryResultCachedPhoto | InlineQueryResultArticle:
    caption = context.t(
        "inline-caption",
        title=result.title,
        brand=result.brand or "",
        price=money(context, result.price, result.currency),
        colours=colours(context, result.colors),
        sizes=", ".join(result.sizes),
    )
    keyboard = InlineKeyboardMarkup(
        [vote_row(result.product_id), *open_in_bot(context, result.product_id).inline_keyboard]
    )
    description = context.t(
        "inline-description", price=money(context, result.price, result.currency), brand=result.brand or ""
    )
    result_id = str(result.product_id)
    if picture is not None and picture.telegram_file_id:
        return InlineQueryResultCachedPhoto(
            result_id,
            picture.telegram_file_id,
            title=result.title,
            description=description,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
    if picture is not None:
        base = context.services.public_url
        return InlineQueryResultPhoto(
            result_id,
            photo_url=f"{base}/photos/640/{picture.path}.jpg",
            thumbnail_url=f"{base}/photos/160/{picture.path}.jpg",
            title=result.title,
            description=description,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
    return InlineQueryResultArticle(
        result_id,
        result.title,
        InputTextMessageContent(caption, parse_mode=ParseMode.HTML),
        description=description,
        reply_markup=keyboard,
    )


def _without_mention(text: str, username: str | None) -> str:
    return (
        re.sub(rf"@{re.escape(username or '')}\b", " ", text, flags=re.IGNORECASE).strip()
        if username
        else text.strip()
    )


def register(app: App) -> None:
    """Install the search: private text, mentions and replies in groups, paging, similar, inline mode."""
    addressed = filters.ChatType.PRIVATE | filters.Entity("mention") | filters.REPLY
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & addressed, search_text))
    app.add_handler(CallbackQueryHandler(turn_page, pattern=r"^srch:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(similar, pattern=r"^sim:(\d+)$"))
    app.add_handler(CallbackQueryHandler(pair, pattern=r"^pair:(\d+)$"))
    app.add_handler(InlineQueryHandler(inline_query))
