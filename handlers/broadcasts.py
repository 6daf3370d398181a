"""Broadcasts in the chat: retailers compose with /broadcast and follow them with /broadcasts.

Composing is a draft in the database (``deals.broadcasts``), not in the bot's memory: the text, the photo and
the product's SKU are asked for with a forced reply, and the draft card's buttons add the rest (segment,
preview, send now, in an hour or tomorrow at ten, cancel). Recipients' messages carry a product button
(``bc:<broadcast>:<product>``: counted once per person, then the product card) and an unsubscribe button
(``bcx:<broadcast>``). The sending itself runs in the background (``bot.broadcasting``).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from catalog.retailers import Scope
from core import users
from core.i18n import Html, Translator, format_datetime, format_duration
from core.users import DEFAULT_TIME_ZONE
from deals import broadcasts
from deals.broadcasts import Segment
from deals.errors import Refused
from handlers import products as product_handlers
from handlers.common import App, RepliesTo, keyboard, opened, retailer_of, retailer_scope
from handlers.context import SERVICES_KEY, BotContext

# bot_data key of the background delivery's wake-up (``bot.broadcasting`` puts it there).
WAKE_KEY = "broadcast_wake"
SCHEDULE_AT = time(10, 0)
LIST_LIMIT = 10
INTEREST_BUTTONS = 12
FORMATTING = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
    }
)


class Shown(Protocol):
    """A broadcast's id and product, all the recipients' buttons need."""

    @property
    def id(self) -> int:
        """The broadcast."""

    @property
    def product_id(self) -> int | None:
        """The product of the button, if any."""


def wake(bot_data: MutableMapping[Any, Any]) -> None:
    """Tell this process's broadcast delivery to look for work now."""
    woken = bot_data.get(WAKE_KEY)
    if callable(woken):
        woken()


# What recipients and the retailer see.


def recipient_keyboard(translator: Translator, locale: str, content: Shown) -> InlineKeyboardMarkup:
    """Return the buttons under a broadcast message: the product (if any) and unsubscribe."""
    rows = []
    if content.product_id is not None:
        label = translator.t(locale, "broadcast-recipient-product")
        rows.append([InlineKeyboardButton(label, callback_data=f"bc:{content.id}:{content.product_id}")])
    label = translator.t(locale, "broadcast-recipient-unsubscribe")
    rows.append([InlineKeyboardButton(label, callback_data=f"bcx:{content.id}")])
    return InlineKeyboardMarkup(rows)


def stats_lines(translator: Translator, locale: str, stats: broadcasts.Stats) -> list[Html]:
    """Return the outcome of a broadcast: delivered, failed, blocked, unknown, clicks and purchases."""
    counts = stats.counts
    lines = [
        translator.t(
            locale,
            "broadcast-stats-delivery",
            sent=counts.sent,
            failed=counts.failed,
            blocked=counts.blocked,
        )
    ]
    if counts.unknown:
        lines.append(translator.t(locale, "broadcast-stats-unknown", unknown=counts.unknown))
    if counts.cancelled:
        lines.append(translator.t(locale, "broadcast-stats-cancelled", cancelled=counts.cancelled))
    lines.append(
        translator.t(locale, "broadcast-stats-results", clicks=stats.clicks, purchases=stats.purchases)
    )
    return lines


def progress_text(
    translator: Translator,
    progress: broadcasts.Progress,
    *,
    stats: broadcasts.Stats | None,
    per_second: float,
) -> Html:
    """Return the retailer's live progress message (or the final stats once the broadcast is over)."""
    locale, counts = progress.locale, progress.counts
    if progress.final and stats is not None:
        key = (
            "broadcast-progress-stopped"
            if progress.status == broadcasts.CANCELLED
            else "broadcast-progress-done"
        )
        lines = [translator.t(locale, key, id=str(progress.broadcast_id), total=counts.total)]
        lines += stats_lines(translator, locale, stats)
        return Html("\n".join(lines))
    left = timedelta(seconds=max(1, round(counts.open / per_second)))
    return Html(
        "\n".join(
            [
                translator.t(locale, "broadcast-progress-title", id=str(progress.broadcast_id)),
                translator.t(
                    locale,
                    "broadcast-progress-sending",
                    done=counts.sent,
                    total=counts.total,
                    failed=counts.failed + counts.blocked,
                ),
                translator.t(locale, "broadcast-progress-eta", left=format_duration(left, locale)),
            ]
        )
    )


def segment_name(context: BotContext, segment: Segment, interest: str | None = None) -> Html:
    """Return who a segment reaches, in the retailer's words."""
    if segment.kind == broadcasts.LANGUAGE:
        return context.t(
            "broadcast-segment-language", language=context.t(f"broadcast-language-{segment.value}")
        )
    if segment.kind == broadcasts.INTEREST:
        return context.t("broadcast-segment-interest", interest=interest or segment.value or "")
    if segment.kind == broadcasts.GROUP_BUY and segment.value:
        return context.t("broadcast-segment-groupbuy-one", id=segment.value)
    return context.t(f"broadcast-segment-{segment.kind}")


async def _card(context: BotContext, draft: broadcasts.View) -> tuple[Html, InlineKeyboardMarkup]:
    """Return the draft card: what the broadcast looks like so far and what to do with it."""
    services = context.services
    async with context.uow() as session:
        count = await broadcasts.audience_size(
            session,
            retailer_id=draft.retailer_id,
            segment=draft.segment,
            locales=services.translator.locales,
            default_locale=services.translator.default_locale,
        )
        interest = await _interest_name(session, context, draft.retailer_id, draft.segment)
    lines = [
        context.t("broadcast-draft-title", id=str(draft.id)),
        Html(draft.text) if draft.text else context.t("broadcast-draft-no-text"),
        Html(""),
        context.t("broadcast-draft-photo-yes" if draft.has_photo else "broadcast-draft-photo-no"),
        context.t("broadcast-draft-product", title=draft.product.title(context.locale))
        if draft.product
        else context.t("broadcast-draft-no-product"),
        context.t(
            "broadcast-draft-segment", segment=segment_name(context, draft.segment, interest), count=count
        ),
    ]
    prefix = f"bcc:{draft.id}"
    photo = (
        ("broadcast-button-photo-remove", "nophoto")
        if draft.has_photo
        else ("broadcast-button-photo", "photo")
    )
    product = (
        ("broadcast-button-product-remove", "noproduct")
        if draft.product
        else ("broadcast-button-product", "product")
    )
    rows = [
        [
            (context.t("broadcast-button-text"), f"{prefix}:text"),
            (context.t(photo[0]), f"{prefix}:{photo[1]}"),
        ],
        [
            (context.t(product[0]), f"{prefix}:{product[1]}"),
            (context.t("broadcast-button-segment"), f"{prefix}:seg"),
        ],
        [(context.t("broadcast-button-preview"), f"{prefix}:preview")],
        [(context.t("broadcast-button-now"), f"{prefix}:now")],
        [
            (context.t("broadcast-button-in-hour"), f"{prefix}:in1h"),
            (context.t("broadcast-button-tomorrow"), f"{prefix}:tomorrow"),
        ],
        [(context.t("broadcast-button-cancel"), f"{prefix}:cancel")],
    ]
    return Html("\n".join(lines)), keyboard(*rows)


async def _interest_name(session: Any, context: BotContext, retailer_id: int, segment: Segment) -> str | None:
    if segment.kind != broadcasts.INTEREST or segment.value is None:
        return None
    found = await broadcasts.interests(session, retailer_id=retailer_id)
    wanted = int(segment.value.split(":")[1])
    for category_id, name_de, name_en in found:
        if category_id == wanted:
            return name_en if context.locale == "en" else name_de
    return segment.value


def _refusal(context: BotContext, refused: Refused) -> Html:
    return context.t(refused.reason_key, **refused.args_)


def _composed_text(message: Message) -> str:
    """Return what the retailer wrote as HTML: Telegram's formatting if they used it, else the typed tags."""
    if any(entity.type in FORMATTING for entity in message.entities):
        return message.text_html
    return message.text or ""


# Composing.


async def broadcast_command(update: Update, context: BotContext) -> None:
    """/broadcast [text]: start a new broadcast (asking for the text unless it came with the command)."""
    if (where := await opened(update, context, private_only="broadcast-private-only")) is None:
        return
    message, user = where
    account = await retailer_of(context, user.id)
    if account is None:
        await message.reply_text(context.t("broadcast-retailers-only"))
        return
    typed = _composed_text(message).split(maxsplit=1)
    text = typed[1].strip() if len(typed) > 1 else ""
    try:
        async with context.uow() as session:
            draft = await broadcasts.start_draft(
                session,
                retailer_id=account.retailer_id,
                created_by=user.id,
                locale=context.locale,
                now=context.now,
                text=text or None,
            )
    except Refused as refused:
        await message.reply_text(_refusal(context, refused))
        return
    if not draft.text:
        await message.reply_text(context.t("broadcast-ask-text"), reply_markup=ForceReply(selective=True))
        return
    await _show_card(context, message, draft)


async def _show_card(context: BotContext, message: Message, draft: broadcasts.View) -> None:
    text, markup = await _card(context, draft)
    await message.reply_text(text, reply_markup=markup)


async def _replied_draft(update: Update, context: BotContext) -> tuple[Message, broadcasts.View] | None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    async with context.uow() as session:
        draft = await broadcasts.draft_of(session, user_id=user.id)
    if draft is None or await retailer_of(context, user.id) is None:
        await message.reply_text(context.t("broadcast-no-draft"))
        return None
    return message, draft


async def compose_text(update: Update, context: BotContext) -> None:
    """Take the reply to "write the text" as the draft's text."""
    if (found := await _replied_draft(update, context)) is None:
        return
    message, draft = found
    await _change(
        context,
        message,
        lambda session: broadcasts.set_text(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, text=_composed_text(message)
        ),
    )


async def compose_photo(update: Update, context: BotContext) -> None:
    """Take the photo sent as the reply to "send a photo"."""
    if (found := await _replied_draft(update, context)) is None:
        return
    message, draft = found
    file_id = message.photo[-1].file_id
    await _change(
        context,
        message,
        lambda session: broadcasts.set_photo(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, file_id=file_id
        ),
    )


async def compose_product(update: Update, context: BotContext) -> None:
    """Take the SKU sent as the reply to "which product" for the draft's button."""
    if (found := await _replied_draft(update, context)) is None:
        return
    message, draft = found
    sku = (message.text or "").strip()
    await _change(
        context,
        message,
        lambda session: broadcasts.set_product(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, sku=sku
        ),
    )


async def _change(context: BotContext, message: Message, change: Callable[[Any], Any]) -> None:
    try:
        async with context.uow() as session:
            draft = await change(session)
    except Refused as refused:
        await message.reply_text(_refusal(context, refused))
        return
    await _show_card(context, message, draft)


async def _scope(update: Update, context: BotContext) -> Scope | None:
    query = update.callback_query
    assert query is not None
    scope = await retailer_scope(context, query.from_user.id)
    if scope is None:
        await query.answer(context.t("broadcast-retailers-only"), show_alert=True)
    return scope


async def compose_action(update: Update, context: BotContext) -> None:
    """Handle the draft card's buttons (``bcc:<id>:<action>[:<argument>]``)."""
    query = update.callback_query
    assert query is not None and context.matches and isinstance(query.message, Message)
    if (scope := await _scope(update, context)) is None:
        return
    broadcast_id, action, argument = (
        int(context.matches[0].group(1)),
        context.matches[0].group(2),
        context.matches[0].group(3),
    )
    retailer_id = scope.retailer_id
    async with context.uow() as session:
        draft = await broadcasts.get(session, broadcast_id=broadcast_id, retailer_id=retailer_id)
    if draft is None:
        await query.answer(context.t("broadcast-error-unknown"), show_alert=True)
        return
    handler = _ACTIONS.get(action)
    if handler is None:
        await query.answer()
        return
    try:
        await handler(update, context, draft, argument)
    except Refused as refused:
        await query.answer(_refusal(context, refused), show_alert=True)


async def _ask(update: Update, context: BotContext, draft: broadcasts.View, step: str, key: str) -> None:
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    async with context.uow() as session:
        await broadcasts.ask(session, broadcast_id=draft.id, retailer_id=draft.retailer_id, step=step)
    await query.answer()
    await query.message.reply_text(context.t(key), reply_markup=ForceReply(selective=True))


async def _edit_card(update: Update, context: BotContext, draft: broadcasts.View) -> None:
    query = update.callback_query
    assert query is not None
    text, markup = await _card(context, draft)
    await query.answer()
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def _ask_text(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    await _ask(update, context, draft, "text", "broadcast-ask-text")


async def _ask_photo(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    await _ask(update, context, draft, "photo", "broadcast-ask-photo")


async def _ask_product(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    await _ask(update, context, draft, "product", "broadcast-ask-product")


async def _no_photo(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    async with context.uow() as session:
        changed = await broadcasts.set_photo(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, file_id=None
        )
    await _edit_card(update, context, changed)


async def _no_product(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    async with context.uow() as session:
        changed = await broadcasts.set_product(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, sku=None
        )
    await _edit_card(update, context, changed)


async def _segments(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    """Show the segment picker in place of the card."""
    query = update.callback_query
    assert query is not None
    if draft.status != broadcasts.DRAFT:
        raise Refused("broadcast-error-not-draft")
    prefix = f"bcc:{draft.id}"
    languages = [
        (context.t(f"broadcast-language-{locale}"), f"{prefix}:set:language-{locale}")
        for locale in context.services.translator.locales
    ]
    rows = [
        [(context.t("broadcast-segment-all"), f"{prefix}:set:all")],
        languages,
        [(context.t("broadcast-segment-buyers"), f"{prefix}:set:buyers")],
        [(context.t("broadcast-segment-groupbuy"), f"{prefix}:set:groupbuy")],
        [(context.t("broadcast-button-interest"), f"{prefix}:int")],
        [(context.t("broadcast-button-back"), f"{prefix}:back")],
    ]
    await query.answer()
    await query.edit_message_text(context.t("broadcast-pick-segment"), reply_markup=keyboard(*rows))


async def _interests(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    """Show the categories of the retailer's products to pick an interest."""
    query = update.callback_query
    assert query is not None
    async with context.uow() as session:
        found = await broadcasts.interests(session, retailer_id=draft.retailer_id)
    prefix = f"bcc:{draft.id}"
    buttons = [
        (name_en if context.locale == "en" else name_de, f"{prefix}:set:category-{category_id}")
        for category_id, name_de, name_en in found[:INTEREST_BUTTONS]
    ]
    rows = [buttons[start : start + 2] for start in range(0, len(buttons), 2)]
    rows.append([(context.t("broadcast-button-back"), f"{prefix}:seg")])
    await query.answer()
    await query.edit_message_text(context.t("broadcast-pick-interest"), reply_markup=keyboard(*rows))


def _segment_of(argument: str | None) -> Segment:
    kind, _, value = (argument or "").partition("-")
    if kind == "category":
        return Segment.of(broadcasts.INTEREST, f"category:{value}")
    return Segment.of(kind, value or None)


async def _set_segment(
    update: Update, context: BotContext, draft: broadcasts.View, argument: str | None
) -> None:
    async with context.uow() as session:
        changed = await broadcasts.set_segment(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, segment=_segment_of(argument)
        )
    await _edit_card(update, context, changed)


async def _back(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    if draft.status != broadcasts.DRAFT:
        raise Refused("broadcast-error-not-draft")
    await _edit_card(update, context, draft)


async def _preview(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    """Send the broadcast to the retailer exactly as recipients will see it."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    if not draft.text:
        raise Refused("broadcast-error-text-empty")
    async with context.uow() as session:
        content = (await broadcasts.contents(session, broadcast_ids=[draft.id]))[draft.id]
    markup = recipient_keyboard(context.services.translator, context.locale, content)
    await query.answer(context.t("broadcast-preview-sent"))
    chat_id = query.message.chat.id
    if content.photo_file_id:
        await context.bot.send_photo(
            chat_id, content.photo_file_id, caption=content.text, reply_markup=markup
        )
    else:
        await context.bot.send_message(chat_id, content.text, reply_markup=markup)


async def _send_now(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    """Start sending; the draft card becomes the live progress message."""
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    translator = context.services.translator
    async with context.uow() as session:
        if draft.status == broadcasts.DRAFT and not await broadcasts.audience_size(
            session,
            retailer_id=draft.retailer_id,
            segment=draft.segment,
            locales=translator.locales,
            default_locale=translator.default_locale,
        ):
            raise Refused("broadcast-error-nobody")
        started = await broadcasts.begin(
            session,
            broadcast_id=draft.id,
            retailer_id=draft.retailer_id,
            now=context.now,
            locales=translator.locales,
            default_locale=translator.default_locale,
            progress_chat_id=query.message.chat.id,
            progress_message_id=query.message.message_id,
        )
    if started is None:
        raise Refused("broadcast-error-not-draft")
    await query.answer()
    await query.edit_message_text(
        Html(
            "\n".join(
                [
                    context.t("broadcast-progress-title", id=str(started.id)),
                    context.t("broadcast-progress-starting", total=started.total),
                ]
            )
        )
    )
    wake(context.bot_data)


async def _schedule(update: Update, context: BotContext, draft: broadcasts.View, when: datetime) -> None:
    query = update.callback_query
    assert query is not None
    async with context.uow() as session:
        scheduled = await broadcasts.schedule(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, at=when, now=context.now
        )
        zone = await _time_zone(session, query.from_user.id)
    await query.answer()
    await query.edit_message_text(
        context.t(
            "broadcast-scheduled",
            id=str(scheduled.id),
            when=format_datetime(when, context.locale, time_zone=zone, style="short"),
        ),
        reply_markup=keyboard([(context.t("broadcast-button-cancel"), f"bcc:{draft.id}:cancel")]),
    )


async def _time_zone(session: Any, user_id: int) -> str:
    person = await users.get(session, user_id=user_id)
    return person.time_zone if person is not None else DEFAULT_TIME_ZONE


async def _in_an_hour(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    await _schedule(update, context, draft, context.now + timedelta(hours=1))


async def _tomorrow(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    query = update.callback_query
    assert query is not None
    async with context.uow() as session:
        zone = ZoneInfo(await _time_zone(session, query.from_user.id))
    local = context.now.astimezone(zone)
    await _schedule(
        update, context, draft, datetime.combine(local.date() + timedelta(days=1), SCHEDULE_AT, zone)
    )


async def _cancel(update: Update, context: BotContext, draft: broadcasts.View, _: str | None) -> None:
    """Drop the draft, call off the scheduled broadcast, or stop the one that is sending."""
    query = update.callback_query
    assert query is not None
    async with context.uow() as session:
        cancelled = await broadcasts.cancel(
            session, broadcast_id=draft.id, retailer_id=draft.retailer_id, now=context.now
        )
    await query.answer()
    key = "broadcast-discarded" if cancelled is None else "broadcast-cancelled"
    await query.edit_message_text(context.t(key, id=str(draft.id)))
    wake(context.bot_data)


_ACTIONS = {
    "text": _ask_text,
    "photo": _ask_photo,
    "nophoto": _no_photo,
    "product": _ask_product,
    "noproduct": _no_product,
    "seg": _segments,
    "int": _interests,
    "set": _set_segment,
    "back": _back,
    "preview": _preview,
    "now": _send_now,
    "in1h": _in_an_hour,
    "tomorrow": _tomorrow,
    "cancel": _cancel,
    "stop": _cancel,
}


# Following them.


def _line(context: BotContext, view: broadcasts.View, stats: broadcasts.Stats) -> Html:
    moment = view.started_at or view.scheduled_at or view.created_at
    return context.t(
        "broadcasts-line",
        id=str(view.id),
        when=format_datetime(moment, context.locale, time_zone=DEFAULT_TIME_ZONE, style="short"),
        status=context.t(f"broadcast-status-{view.status}"),
        sent=stats.counts.sent,
        total=view.total,
        clicks=stats.clicks,
        purchases=stats.purchases,
    )


async def list_command(update: Update, context: BotContext) -> None:
    """/broadcasts: the retailer's latest broadcasts with their stats."""
    if (where := await opened(update, context, private_only="broadcast-private-only")) is None:
        return
    message, user = where
    account = await retailer_of(context, user.id)
    if account is None:
        await message.reply_text(context.t("broadcast-retailers-only"))
        return
    async with context.uow() as session:
        found = await broadcasts.listing(session, retailer_id=account.retailer_id, limit=LIST_LIMIT)
        stats = await broadcasts.stats(session, broadcast_ids=[view.id for view in found])
    if not found:
        await message.reply_text(context.t("broadcasts-none"))
        return
    lines = [
        context.t("broadcasts-title", retailer=account.name),
        "",
        *(_line(context, v, stats[v.id]) for v in found),
    ]
    buttons = [(f"📊 #{view.id}", f"bcs:{view.id}") for view in found]
    rows = [buttons[start : start + 5] for start in range(0, len(buttons), 5)]
    await message.reply_text(Html("\n".join(lines)), reply_markup=keyboard(*rows))


async def show_stats(update: Update, context: BotContext) -> None:
    """Show one broadcast with its text and stats (``bcs:<id>``), with a stop button while it runs."""
    query = update.callback_query
    assert query is not None and context.matches and isinstance(query.message, Message)
    if (scope := await _scope(update, context)) is None:
        return
    broadcast_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        view = await broadcasts.get(session, broadcast_id=broadcast_id, retailer_id=scope.retailer_id)
        stats = await broadcasts.stats(session, broadcast_ids=[broadcast_id]) if view else {}
    if view is None:
        await query.answer(context.t("broadcast-error-unknown"), show_alert=True)
        return
    await query.answer()
    translator = context.services.translator
    lines = [_line(context, view, stats[view.id]), Html(""), Html(view.text), Html("")]
    lines += stats_lines(translator, context.locale, stats[view.id])
    markup = None
    if view.status in (broadcasts.SCHEDULED, broadcasts.SENDING):
        markup = keyboard([(context.t("broadcast-button-stop"), f"bcc:{view.id}:stop")])
    await context.bot.send_message(query.message.chat.id, Html("\n".join(lines)), reply_markup=markup)


# Recipients.


async def clicked(update: Update, context: BotContext) -> None:
    """Count the press on a broadcast's product button and show the product card."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    broadcast_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        product_id = await broadcasts.click(
            session, broadcast_id=broadcast_id, user_id=query.from_user.id, now=context.now
        )
    if product_id is None:
        await query.answer(context.t("card-unknown"), show_alert=True)
        return
    await query.answer()
    await product_handlers.send_card(
        context, chat_id=query.message.chat.id, product_id=product_id, shared_by=query.from_user.id
    )


async def unsubscribed(update: Update, context: BotContext) -> None:
    """Stop the broadcast's retailer's offers for the person who pressed "unsubscribe"."""
    query = update.callback_query
    assert query is not None and context.matches
    async with context.uow() as session:
        retailer = await broadcasts.unsubscribe(
            session,
            broadcast_id=int(context.matches[0].group(1)),
            user_id=query.from_user.id,
            now=context.now,
        )
    key = "broadcast-unsubscribed" if retailer is not None else "broadcast-error-unknown"
    await query.answer(context.t(key, retailer=retailer or ""), show_alert=True)


def register(app: App) -> None:
    """Install /broadcast, /broadcasts, the draft's questions and buttons, and the recipients' buttons."""
    translator = app.bot_data[SERVICES_KEY].translator
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("broadcast", broadcast_command))
    app.add_handler(CommandHandler("broadcasts", list_command))
    app.add_handler(
        MessageHandler(
            private & filters.TEXT & ~filters.COMMAND & RepliesTo(translator, "broadcast-ask-text"),
            compose_text,
        )
    )
    app.add_handler(
        MessageHandler(private & filters.PHOTO & RepliesTo(translator, "broadcast-ask-photo"), compose_photo)
    )
    app.add_handler(
        MessageHandler(
            private & filters.TEXT & RepliesTo(translator, "broadcast-ask-product"), compose_product
        )
    )
    app.add_handler(
        CallbackQueryHandler(compose_action, pattern=r"^bcc:(\d+):([a-z0-9]+)(?::([a-z0-9-]+))?$")
    )
    app.add_handler(CallbackQueryHandler(show_stats, pattern=r"^bcs:(\d+)$"))
    app.add_handler(CallbackQueryHandler(clicked, pattern=r"^bc:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(unsubscribed, pattern=r"^bcx:(\d+)$"))
