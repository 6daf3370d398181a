"""Wishlists: add from a card, the personal list, sharing it into a group, and gifts claimed in secret.

The owner of a list never learns about claims: a list posted into a group carries no claim data at all,
and a claim is confirmed only in the callback answer and in the claimer's private chat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from core import chats
from core.i18n import Html, Translator, format_money
from core.money import Money
from handlers.common import App, RepliesStartingWith, RepliesTo, is_private, keyboard, opened
from handlers.context import SERVICES_KEY, BotContext
from handlers.render import money
from social import wishlists
from social.errors import Refused

log = logging.getLogger(__name__)

NAME_IN_TITLE_MAX = 40
BUTTONS_PER_ROW = 4
SHARE_CHAT_KEY = "wishlist_share_chat"
# The note question names the wish ("… Nr. 12 …"), so any bot instance can match the answer to it.
ITEM_NUMBER = re.compile(r"(\d+)")


def _line(context: BotContext, number: int, item: wishlists.ItemView) -> str:
    """Return one wish: number, title, price, priority, stock and note; never claims."""
    line: str = context.t(
        "wishlist-item",
        number=number,
        title=item.title(context.locale),
        price=money(context, item.price.amount, item.price.currency),
        priority=context.t(f"wishlist-priority-{item.priority}"),
    )
    if not item.in_stock:
        line += context.t("wishlist-item-sold-out")
    if item.note:
        line += "\n" + context.t("wishlist-item-note", note=item.note)
    return line


def _text(context: BotContext, header: str, items: Iterable[wishlists.ItemView], empty_key: str) -> Html:
    lines = [_line(context, number, item) for number, item in enumerate(items, start=1)]
    return Html("\n".join([header, "", *lines] if lines else [header, "", context.t(empty_key)]))


def _rows(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup | None:
    """Return the buttons four to a row; none without buttons (Telegram refuses an empty keyboard)."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [buttons[start : start + BUTTONS_PER_ROW] for start in range(0, len(buttons), BUTTONS_PER_ROW)]
    )


def _personal(context: BotContext, view: wishlists.WishlistView) -> tuple[Html, InlineKeyboardMarkup]:
    """Return the owner's own list with remove buttons and the share button."""
    header: str = context.t("wishlist-mine-title")
    if view.shares:
        header += "\n" + context.t("wishlist-shared-as", titles=", ".join(s.title for s in view.shares))
    per_item = [
        [
            InlineKeyboardButton(
                context.t("wishlist-priority-button", number=number, stars="⭐" * (4 - item.priority)),
                callback_data=f"wl:prio:{item.id}:{item.priority % 3 + 1}",
            ),
            InlineKeyboardButton(
                context.t("wishlist-note-button", number=number), callback_data=f"wl:note:{item.id}"
            ),
            InlineKeyboardButton(
                context.t("wishlist-remove-button", number=number), callback_data=f"wl:rm:{item.id}"
            ),
        ]
        for number, item in enumerate(view.items, start=1)
    ]
    share = [InlineKeyboardButton(context.t("wishlist-share-button"), callback_data="wl:share")]
    return _text(context, header, view.items, "wishlist-mine-empty"), InlineKeyboardMarkup([*per_item, share])


def _in_group(
    context: BotContext, view: wishlists.WishlistView, title: str | None
) -> tuple[Html, InlineKeyboardMarkup | None]:
    """Return a list as posted into a group: the same for every reader, with a gift button per wish."""
    header = context.t("wishlist-shared-title", title=title) if title else context.t("wishlist-group-title")
    gifts = [
        InlineKeyboardButton(
            context.t("wishlist-claim-button", number=number), callback_data=f"wl:gift:{view.id}:{item.id}"
        )
        for number, item in enumerate(view.items, start=1)
    ]
    return _text(context, header, view.items, "wishlist-group-empty-list"), _rows(gifts)


def _gifts(context: BotContext, view: wishlists.WishlistView) -> tuple[Html, InlineKeyboardMarkup | None]:
    """Return, for the claimer's private chat, what they give from one list, with release buttons."""
    title = view.shares[0].title if view.shares else context.t("wishlist-group-title")
    lines = [context.t("wishlist-gifts-title", title=title), ""]
    release = []
    for number, item in enumerate(view.items, start=1):
        claims = item.claims
        if claims is None or not claims.by_you:
            continue
        lines.append(
            context.t(
                "wishlist-gift-line",
                number=number,
                title=item.title(context.locale),
                mine=claims.by_you,
                claimed=claims.claimed,
                quantity=item.quantity,
            )
        )
        release.append(
            InlineKeyboardButton(
                context.t("wishlist-release-button", number=number),
                callback_data=f"wl:rel:{view.id}:{item.id}",
            )
        )
    if not release:
        lines.append(context.t("wishlist-gifts-none"))
    return Html("\n".join(lines)), _rows(release)


async def add(update: Update, context: BotContext) -> None:
    """Add the card's product to the personal wishlist (in a private chat) or the group's (in a group)."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None and context.matches
    private = is_private(update)
    try:
        async with context.uow() as session:
            wishlist = (
                await wishlists.personal(session, user_id=query.from_user.id, now=context.now)
                if private
                else await wishlists.of_group(
                    session, chat_id=chat.id, user_id=query.from_user.id, now=context.now
                )
            )
            item = await wishlists.add_item(
                session,
                wishlist_id=wishlist.id,
                user_id=query.from_user.id,
                product_id=int(context.matches[0].group(1)),
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    key = "wishlist-added" if private else "wishlist-added-group"
    await query.answer(context.t(key, title=item.title(context.locale)))


async def show(update: Update, context: BotContext) -> None:
    """Show the personal list in a private chat; in a group, the group's list and those shared into it."""
    where = await opened(update, context)
    if where is None:
        return
    message, user = where
    if is_private(update):
        async with context.uow() as session:
            info = await wishlists.personal(session, user_id=user.id, now=context.now)
            view = await wishlists.view(session, wishlist_id=info.id, viewer_id=user.id)
        text, markup = _personal(context, view)
        await message.reply_text(text, reply_markup=markup)
        return
    try:
        async with context.uow() as session:
            lists = [
                (await wishlists.view(session, wishlist_id=info.id, viewer_id=user.id), title)
                for info, title in await wishlists.in_group(
                    session, chat_id=message.chat.id, viewer_id=user.id
                )
            ]
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    shown = [(view, title) for view, title in lists if view.items]
    if not shown:
        await message.reply_text(context.t("wishlist-group-empty"))
    for view, title in shown:
        listing, gifts = _in_group(context, view, title)
        await message.reply_text(listing, reply_markup=gifts)


async def remove(update: Update, context: BotContext) -> None:
    """Remove a wish from the personal list and show the list again."""
    query = update.callback_query
    assert query is not None and context.matches
    try:
        async with context.uow() as session:
            await wishlists.remove_item(
                session, item_id=int(context.matches[0].group(1)), user_id=query.from_user.id
            )
            info = await wishlists.personal(session, user_id=query.from_user.id, now=context.now)
            view = await wishlists.view(session, wishlist_id=info.id, viewer_id=query.from_user.id)
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer(context.t("wishlist-removed"))
    text, markup = _personal(context, view)
    await query.edit_message_text(text, reply_markup=markup)


async def prioritise(update: Update, context: BotContext) -> None:
    """Give a wish another priority (the button cycles 1 → 2 → 3) and show the list again."""
    query = update.callback_query
    assert query is not None and context.matches
    item_id, priority = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            await wishlists.update_item(
                session, item_id=item_id, user_id=query.from_user.id, priority=priority
            )
            info = await wishlists.personal(session, user_id=query.from_user.id, now=context.now)
            view = await wishlists.view(session, wishlist_id=info.id, viewer_id=query.from_user.id)
    except Refused as refused:
        await _refuse(update, context, refused)
        return
    await query.answer(context.t(f"wishlist-priority-{priority}"))
    text, markup = _personal(context, view)
    await query.edit_message_text(text, reply_markup=markup)


async def ask_note(update: Update, context: BotContext) -> None:
    """Ask for a wish's note; the question names the wish, so the answer finds it again."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    await query.answer()
    await context.bot.send_message(
        query.message.chat.id,
        context.t("wishlist-note-prompt", item=context.matches[0].group(1), max=wishlists.NOTE_MAX),
        reply_markup=ForceReply(selective=True),
    )


async def note(update: Update, context: BotContext) -> None:
    """Store the note the user replied to the note question with."""
    message = update.effective_message
    assert message is not None and message.text is not None and message.reply_to_message is not None
    assert update.effective_user is not None
    found = ITEM_NUMBER.search(message.reply_to_message.text or "")
    if found is None:
        return
    try:
        async with context.uow() as session:
            await wishlists.update_item(
                session,
                item_id=int(found.group(1)),
                user_id=update.effective_user.id,
                note="" if message.text.strip() == "-" else message.text,
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    await message.reply_text(context.t("wishlist-note-saved"))


async def pick_group(update: Update, context: BotContext) -> None:
    """Offer the groups the user shares with the bot to share the personal list into."""
    where = await opened(update, context)
    if where is None:
        return
    message, user = where
    async with context.uow() as session:
        groups = await chats.groups_of(session, user_id=user.id)
    choices = [
        (str(group["title"] or group["chat_id"]), f"wl:to:{group['chat_id']}")
        for group in groups
        if group["status"] in chats.ACTIVE_STATUSES and int(str(group["chat_id"])) < 0
    ]
    if not choices:
        await message.reply_text(context.t("wishlist-share-no-groups"))
        return
    await message.reply_text(context.t("wishlist-share-pick"), reply_markup=keyboard(*([c] for c in choices)))


async def share_default(update: Update, context: BotContext) -> None:
    """Share the personal list into the chosen group under a default title and post it there."""
    query = update.callback_query
    assert query is not None and context.matches
    name = query.from_user.first_name[:NAME_IN_TITLE_MAX]
    chat_id = int(context.matches[0].group(1))
    shared = await _share(update, context, chat_id, context.t("wishlist-default-title", name=name))
    if shared is None:
        return
    view, title = shared
    await query.answer()
    text, markup = _in_group(context, view, title)
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    assert query.message is not None
    await context.bot.send_message(
        query.message.chat.id,
        context.t("wishlist-shared", title=title),
        reply_markup=keyboard([(context.t("wishlist-rename-button"), f"wl:ttl:{chat_id}")]),
    )


async def ask_title(update: Update, context: BotContext) -> None:
    """Ask for another title for a shared list."""
    query = update.callback_query
    assert query is not None and context.matches and context.user_data is not None
    await query.answer()
    context.user_data[SHARE_CHAT_KEY] = int(context.matches[0].group(1))
    assert query.message is not None
    await context.bot.send_message(
        query.message.chat.id, context.t("wishlist-share-ask-title"), reply_markup=ForceReply()
    )


async def rename(update: Update, context: BotContext) -> None:
    """Share the list again under the title the user typed."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    chat_id = context.user_data.pop(SHARE_CHAT_KEY, None)
    if chat_id is None:
        await message.reply_text(context.t("wishlist-share-expired"))
        return
    shared = await _share(update, context, int(chat_id), message.text)
    if shared is not None:
        await message.reply_text(context.t("wishlist-shared", title=shared[1]))


async def _share(
    update: Update, context: BotContext, chat_id: int, title: str
) -> tuple[wishlists.WishlistView, str] | None:
    """Share the user's personal list into a group; on refusal tell them and return None."""
    user = update.effective_user
    assert user is not None
    try:
        async with context.uow() as session:
            info = await wishlists.personal(session, user_id=user.id, now=context.now)
            share = await wishlists.share(
                session, wishlist_id=info.id, user_id=user.id, chat_id=chat_id, title=title, now=context.now
            )
            view = await wishlists.view(session, wishlist_id=info.id, viewer_id=user.id)
    except Refused as refused:
        await _refuse(update, context, refused)
        return None
    return view, share.title


async def _refuse(update: Update, context: BotContext, refused: Refused) -> None:
    text = context.t(refused.reason_key, **refused.args_)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def claim(update: Update, context: BotContext) -> None:
    """Claim one unit as a gift; confirm only to the claimer (callback answer and private chat)."""
    query = update.callback_query
    assert query is not None and context.matches
    wishlist_id, item_id = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            await wishlists.claim(session, item_id=item_id, user_id=query.from_user.id, now=context.now)
            view = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=query.from_user.id)
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    item = next((item for item in view.items if item.id == item_id), None)
    title = item.title(context.locale) if item else ""
    await query.answer(context.t("wishlist-claimed", title=title), show_alert=True)
    text, markup = _gifts(context, view)
    try:
        await context.bot.send_message(query.from_user.id, text, reply_markup=markup)
    except TelegramError as error:
        log.info("could not tell %s about their gift privately: %s", query.from_user.id, error)


async def release(update: Update, context: BotContext) -> None:
    """Give back a claimed unit and show the claimer's gifts again."""
    query = update.callback_query
    assert query is not None and context.matches
    wishlist_id, item_id = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            await wishlists.release(session, item_id=item_id, user_id=query.from_user.id)
            view = await wishlists.view(session, wishlist_id=wishlist_id, viewer_id=query.from_user.id)
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer(context.t("wishlist-released"))
    text, markup = _gifts(context, view)
    await query.edit_message_text(text, reply_markup=markup)


def alert_text(translator: Translator, locale: str, alert: wishlists.Alert) -> Html:
    """Render a price-drop or back-in-stock alert in the recipient's language."""
    args: dict[str, str | int] = {
        name: format_money(value.amount, value.currency, locale)
        for name, value in alert.args.items()
        if isinstance(value, Money)
    }
    args["title"] = str(alert.args["title_en" if locale == "en" else "title_de"])
    return translator.t(locale, alert.key, **args)


def register(app: App) -> None:
    """Install the wishlist command, the card button, sharing and the gift buttons."""
    translator = app.bot_data[SERVICES_KEY].translator
    app.add_handler(CommandHandler("wishlist", show))
    app.add_handler(CallbackQueryHandler(add, pattern=r"^wl:add:(\d+)$"))
    app.add_handler(CallbackQueryHandler(remove, pattern=r"^wl:rm:(\d+)$"))
    app.add_handler(CallbackQueryHandler(prioritise, pattern=r"^wl:prio:(\d+):([1-3])$"))
    app.add_handler(CallbackQueryHandler(ask_note, pattern=r"^wl:note:(\d+)$"))
    note_asked = RepliesStartingWith(translator, "wishlist-note-prompt", item=0, max=0)
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & note_asked, note))
    app.add_handler(CallbackQueryHandler(pick_group, pattern=r"^wl:share$"))
    app.add_handler(CallbackQueryHandler(share_default, pattern=r"^wl:to:(-\d+)$"))
    app.add_handler(CallbackQueryHandler(ask_title, pattern=r"^wl:ttl:(-\d+)$"))
    app.add_handler(CallbackQueryHandler(claim, pattern=r"^wl:gift:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(release, pattern=r"^wl:rel:(\d+):(\d+)$"))
    asked = RepliesTo(translator, "wishlist-share-ask-title")
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & asked, rename))
