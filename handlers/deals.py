"""Personal deals in the chat: /deals to opt in and choose, the deal messages, and a retailer's /deal.

/deals shows one message that is edited in place as the person picks retailers, categories, brands, a
maximum price, how often, quiet hours, time zone and language; every button sets a value (never toggles
blindly), so pressing it twice changes nothing. Every deal message carries a buy button and two one-tap
exits: mute that category, or stop personal deals altogether.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape, unescape

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from core import users
from core.i18n import Html, Translator, format_datetime, format_money
from core.money import Money
from core.users import DEFAULT_TIME_ZONE
from deals import charts, offers, subscriptions
from deals.deliveries import Delivery
from deals.errors import Refused
from deals.subscriptions import Choice, Preferences
from handlers.common import App, keyboard, opened, retailer_of, retailer_scope
from handlers.context import BotContext, Services

log = logging.getLogger(__name__)

ZONES = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/London",
    "Europe/Istanbul",
    "America/New_York",
)
QUIET_CHOICES = ((22, 8), (21, 7), (23, 9), (20, 8), (0, 7))
CAP_CHOICES = ((1, "day"), (2, "day"), (3, "day"), (1, "week"), (3, "week"))
PRICE_CHOICES = (25, 50, 100, 200)
LANGUAGES = ("de", "en")
PER_ROW = 2
LISTED = 10


# The settings message


@dataclass(frozen=True, slots=True)
class _Settings:
    """What the settings message shows: the choices and the names behind the ids."""

    chosen: Preferences
    retailers: list[Choice]
    brands: list[Choice]
    categories: list[Choice]
    muted: list[Choice]


async def _load(context: BotContext, user_id: int) -> _Settings:
    async with context.uow() as session:
        chosen = await subscriptions.get(session, user_id=user_id)
        return _Settings(
            chosen=chosen,
            retailers=await subscriptions.retailers(session),
            brands=await subscriptions.brands(session),
            categories=await subscriptions.named_categories(session, ids=chosen.category_ids),
            muted=await subscriptions.named_categories(session, ids=chosen.muted_category_ids),
        )


def _plain(text: str) -> str:
    """Return a translated text for a button or a callback answer, which Telegram shows unparsed."""
    return unescape(text)


def _listing(context: BotContext, names: Sequence[str], empty_key: str) -> str:
    return ", ".join(names) if names else context.t(empty_key)


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def _quiet(context: BotContext, quiet: subscriptions.QuietHours) -> Html:
    if not quiet.active or quiet.start is None or quiet.end is None:
        return context.t("deals-quiet-none")
    return context.t("deals-quiet-span", start=_hour(quiet.start), end=_hour(quiet.end))


def _cap(context: BotContext, cap: int, period: str) -> Html:
    return context.t(f"deals-cap-{period}", count=cap)


def overview_text(context: BotContext, settings: _Settings) -> Html:
    """Return the settings message: on or off, and every choice."""
    chosen, locale = settings.chosen, context.locale
    lines = [context.t("deals-title"), ""]
    if not chosen.subscribed:
        lines.append(context.t("deals-status-off"))
    elif not chosen.retailer_ids:
        lines.append(context.t("deals-status-no-retailer"))
    else:
        lines.append(context.t("deals-status-on"))
    lines.append("")
    shops = subscriptions.names(settings.retailers, chosen.retailer_ids, locale)
    lines.append(context.t("deals-line-retailers", value=_listing(context, shops, "deals-none-chosen")))
    categories = [choice.name(locale) for choice in settings.categories]
    lines.append(context.t("deals-line-categories", value=_listing(context, categories, "deals-all")))
    if settings.muted:
        lines.append(
            context.t("deals-line-muted", value=", ".join(choice.name(locale) for choice in settings.muted))
        )
    brands = subscriptions.names(settings.brands, chosen.brand_ids, locale)
    lines.append(context.t("deals-line-brands", value=_listing(context, brands, "deals-all")))
    price = (
        context.t("deals-price-any")
        if chosen.max_price is None
        else context.t(
            "deals-price-up-to",
            price=format_money(chosen.max_price.amount, chosen.max_price.currency, locale),
        )
    )
    lines.append(context.t("deals-line-price", value=price))
    lines.append(context.t("deals-line-cap", value=_cap(context, chosen.cap, chosen.cap_period)))
    lines.append(context.t("deals-line-quiet", value=_quiet(context, chosen.quiet), zone=chosen.time_zone))
    lines.append(context.t("deals-line-language", value=context.t(f"language-name-{locale}")))
    return Html("\n".join(lines))


def overview_keyboard(context: BotContext, chosen: Preferences) -> InlineKeyboardMarkup:
    """Return the settings' buttons: the switch, then one button per kind of choice."""
    switch = ("deals-turn-off", "dl:off") if chosen.subscribed else ("deals-turn-on", "dl:on")
    return keyboard(
        [(context.t(switch[0]), switch[1])],
        [(context.t("deals-button-retailers"), "dl:ret"), (context.t("deals-button-categories"), "dl:cat:0")],
        [(context.t("deals-button-brands"), "dl:br"), (context.t("deals-button-price"), "dl:max")],
        [(context.t("deals-button-cap"), "dl:cap"), (context.t("deals-button-quiet"), "dl:qh")],
        [(context.t("deals-button-zone"), "dl:tz"), (context.t("deals-button-language"), "dl:lang")],
    )


def _back(context: BotContext, data: str = "dl:home") -> tuple[str, str]:
    return (context.t("deals-button-back"), data)


def _rows(buttons: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    return [buttons[start : start + PER_ROW] for start in range(0, len(buttons), PER_ROW)]


def _mark(on: bool, label: str) -> str:
    return f"✅ {label}" if on else f"▫️ {label}"


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """Show the settings in the pressed message; the same content again is no error."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error):
            raise


async def _show_home(update: Update, context: BotContext, user_id: int) -> None:
    settings = await _load(context, user_id)
    await _edit(update, overview_text(context, settings), overview_keyboard(context, settings.chosen))


async def settings_command(update: Update, context: BotContext) -> None:
    """/deals: show the personal-deal settings (only in a private chat)."""
    if (where := await opened(update, context, private_only="deals-private-only")) is None:
        return
    message, user = where
    settings = await _load(context, user.id)
    await message.reply_text(
        overview_text(context, settings), reply_markup=overview_keyboard(context, settings.chosen)
    )


async def _answered(update: Update, context: BotContext) -> tuple[int, list[str]]:
    """Acknowledge the press; return who pressed and the pattern's groups."""
    query = update.callback_query
    assert query is not None and context.matches
    await query.answer()
    return query.from_user.id, [group or "" for group in context.matches[0].groups()]


async def _change(update: Update, context: BotContext, change: Awaitable[Preferences]) -> bool:
    """Await a change of the settings; tell the person why it was refused, if it was."""
    query = update.callback_query
    assert query is not None
    try:
        await change
    except Refused as refused:
        await query.answer(_plain(context.t(refused.reason_key, **refused.args_)), show_alert=True)
        return False
    await query.answer()
    return True


async def home(update: Update, context: BotContext) -> None:
    """Go back to the settings' overview."""
    user_id, _ = await _answered(update, context)
    await _show_home(update, context, user_id)


async def switch(update: Update, context: BotContext) -> None:
    """Turn personal deals on (then pick retailers, if none is picked yet) or off."""
    query = update.callback_query
    assert query is not None and context.matches
    on = context.matches[0].group(1) == "on"
    async with context.uow() as session:
        if on:
            chosen = await subscriptions.subscribe(session, user_id=query.from_user.id, now=context.now)
        else:
            chosen = await subscriptions.unsubscribe(session, user_id=query.from_user.id, now=context.now)
    await query.answer(context.t("deals-switched-on" if on else "deals-switched-off"))
    if on and not chosen.retailer_ids:
        await _show_retailers(update, context, query.from_user.id, hint=True)
        return
    await _show_home(update, context, query.from_user.id)


async def _show_retailers(update: Update, context: BotContext, user_id: int, *, hint: bool = False) -> None:
    settings = await _load(context, user_id)
    chosen = settings.chosen.retailer_ids
    buttons = [
        (
            _mark(choice.id in chosen, choice.name(context.locale)),
            f"dl:r:{choice.id}:{int(choice.id not in chosen)}",
        )
        for choice in settings.retailers
    ]
    text = context.t("deals-retailers-title") + ("\n\n" + context.t("deals-retailers-hint") if hint else "")
    await _edit(update, text, keyboard(*_rows(buttons), [_back(context)]))


async def retailers_menu(update: Update, context: BotContext) -> None:
    """List the retailers to get deals from."""
    user_id, _ = await _answered(update, context)
    await _show_retailers(update, context, user_id)


async def choose_retailer(update: Update, context: BotContext) -> None:
    """Agree, or no longer agree, to a retailer's deals."""
    query = update.callback_query
    assert query is not None and context.matches
    retailer_id, chosen = int(context.matches[0].group(1)), context.matches[0].group(2) == "1"
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.choose_retailer(
                session, user_id=query.from_user.id, retailer_id=retailer_id, chosen=chosen, now=context.now
            ),
        )
    if done:
        await _show_retailers(update, context, query.from_user.id)


async def _show_categories(update: Update, context: BotContext, user_id: int, parent_id: int) -> None:
    async with context.uow() as session:
        chosen = await subscriptions.get(session, user_id=user_id)
        listed = await subscriptions.categories(session, parent_id=parent_id or None)
        parent = await subscriptions.parent_of(session, category_id=parent_id) if parent_id else None
        named = await subscriptions.named_categories(session, ids=[parent_id]) if parent_id else []
    rows: list[list[tuple[str, str]]] = []
    if named:
        whole = named[0]
        rows.append(
            [
                (
                    _mark(
                        whole.id in chosen.category_ids,
                        _plain(context.t("deals-category-all-of", name=whole.name(context.locale))),
                    ),
                    f"dl:c:{whole.id}:{int(whole.id not in chosen.category_ids)}:{parent_id}",
                )
            ]
        )
    for choice in listed:
        on = choice.id in chosen.category_ids
        row = [(_mark(on, choice.name(context.locale)), f"dl:c:{choice.id}:{int(not on)}:{parent_id}")]
        if choice.has_children:
            row.append(
                (
                    _plain(context.t("deals-category-open", name=choice.name(context.locale))),
                    f"dl:cat:{choice.id}",
                )
            )
        rows.append(row)
    back = _back(
        context, f"dl:cat:{parent}" if parent_id and parent else "dl:cat:0" if parent_id else "dl:home"
    )
    title = (
        context.t("deals-categories-title", name=named[0].name(context.locale))
        if named
        else context.t("deals-categories-top")
    )
    await _edit(update, title, keyboard(*rows, [back]))


async def categories_menu(update: Update, context: BotContext) -> None:
    """List the categories under one (0: the top level) to pick interests."""
    user_id, groups = await _answered(update, context)
    await _show_categories(update, context, user_id, int(groups[0]))


async def choose_category(update: Update, context: BotContext) -> None:
    """Add a category to the interests, or take it out."""
    query = update.callback_query
    assert query is not None and context.matches
    category_id, chosen, parent_id = (int(context.matches[0].group(i)) for i in (1, 2, 3))
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.choose_category(
                session,
                user_id=query.from_user.id,
                category_id=category_id,
                chosen=bool(chosen),
                now=context.now,
            ),
        )
    if done:
        await _show_categories(update, context, query.from_user.id, parent_id)


async def _show_brands(update: Update, context: BotContext, user_id: int) -> None:
    settings = await _load(context, user_id)
    chosen = settings.chosen.brand_ids
    buttons = [
        (
            _mark(choice.id in chosen, choice.name(context.locale)),
            f"dl:b:{choice.id}:{int(choice.id not in chosen)}",
        )
        for choice in settings.brands
    ]
    await _edit(update, context.t("deals-brands-title"), keyboard(*_rows(buttons), [_back(context)]))


async def brands_menu(update: Update, context: BotContext) -> None:
    """List the brands to pick interests."""
    user_id, _ = await _answered(update, context)
    await _show_brands(update, context, user_id)


async def choose_brand(update: Update, context: BotContext) -> None:
    """Add a brand to the interests, or take it out."""
    query = update.callback_query
    assert query is not None and context.matches
    brand_id, chosen = int(context.matches[0].group(1)), context.matches[0].group(2) == "1"
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.choose_brand(
                session, user_id=query.from_user.id, brand_id=brand_id, chosen=chosen, now=context.now
            ),
        )
    if done:
        await _show_brands(update, context, query.from_user.id)


async def price_menu(update: Update, context: BotContext) -> None:
    """Offer the highest prices to choose from."""
    user_id, _ = await _answered(update, context)
    settings = await _load(context, user_id)
    current = settings.chosen.max_price
    buttons = [
        (
            _mark(
                current is not None and current.amount == euros,
                format_money(Decimal(euros), "EUR", context.locale),
            ),
            f"dl:m:{euros}",
        )
        for euros in PRICE_CHOICES
    ]
    buttons.append((_mark(current is None, context.t("deals-price-any")), "dl:m:0"))
    await _edit(update, context.t("deals-price-title"), keyboard(*_rows(buttons), [_back(context)]))


async def choose_price(update: Update, context: BotContext) -> None:
    """Keep the highest price of interest (0: any)."""
    query = update.callback_query
    assert query is not None and context.matches
    euros = int(context.matches[0].group(1))
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.set_max_price(
                session,
                user_id=query.from_user.id,
                max_price=Money(Decimal(euros), "EUR") if euros else None,
                now=context.now,
            ),
        )
    if done:
        await _show_home(update, context, query.from_user.id)


async def cap_menu(update: Update, context: BotContext) -> None:
    """Offer how many deal messages may come per day or week."""
    user_id, _ = await _answered(update, context)
    chosen = (await _load(context, user_id)).chosen
    buttons = [
        (
            _mark((cap, period) == (chosen.cap, chosen.cap_period), _cap(context, cap, period)),
            f"dl:k:{cap}:{period}",
        )
        for cap, period in CAP_CHOICES
    ]
    await _edit(
        update, context.t("deals-cap-title"), keyboard(*([button] for button in buttons), [_back(context)])
    )


async def choose_cap(update: Update, context: BotContext) -> None:
    """Keep the frequency cap."""
    query = update.callback_query
    assert query is not None and context.matches
    cap, period = int(context.matches[0].group(1)), context.matches[0].group(2)
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.set_cap(
                session, user_id=query.from_user.id, cap=cap, period=period, now=context.now
            ),
        )
    if done:
        await _show_home(update, context, query.from_user.id)


async def quiet_menu(update: Update, context: BotContext) -> None:
    """Offer quiet hours (in the person's time zone) or none."""
    user_id, _ = await _answered(update, context)
    quiet = (await _load(context, user_id)).chosen.quiet
    buttons = [
        (
            _mark(
                (quiet.start, quiet.end) == (start, end),
                context.t("deals-quiet-span", start=_hour(start), end=_hour(end)),
            ),
            f"dl:q:{start}:{end}",
        )
        for start, end in QUIET_CHOICES
    ]
    buttons.append((_mark(not quiet.active, context.t("deals-quiet-none")), "dl:q:off"))
    await _edit(update, context.t("deals-quiet-title"), keyboard(*_rows(buttons), [_back(context)]))


async def choose_quiet(update: Update, context: BotContext) -> None:
    """Keep the quiet hours."""
    query = update.callback_query
    assert query is not None and context.matches
    start, end = context.matches[0].group(1), context.matches[0].group(2)
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.set_quiet_hours(
                session,
                user_id=query.from_user.id,
                start=int(start) if start else None,
                end=int(end) if end else None,
                now=context.now,
            ),
        )
    if done:
        await _show_home(update, context, query.from_user.id)


async def zone_menu(update: Update, context: BotContext) -> None:
    """Offer time zones."""
    user_id, _ = await _answered(update, context)
    zone = (await _load(context, user_id)).chosen.time_zone
    buttons = [
        (_mark(name == zone, name.split("/")[-1].replace("_", " ")), f"dl:z:{index}")
        for index, name in enumerate(ZONES)
    ]
    await _edit(update, context.t("deals-zone-title", zone=zone), keyboard(*_rows(buttons), [_back(context)]))


async def choose_zone(update: Update, context: BotContext) -> None:
    """Keep the time zone."""
    query = update.callback_query
    assert query is not None and context.matches
    index = int(context.matches[0].group(1))
    if index >= len(ZONES):
        await query.answer(context.t("button-outdated"), show_alert=True)
        return
    async with context.uow() as session:
        done = await _change(
            update,
            context,
            subscriptions.set_time_zone(
                session, user_id=query.from_user.id, time_zone=ZONES[index], now=context.now
            ),
        )
    if done:
        await _show_home(update, context, query.from_user.id)


async def language_menu(update: Update, context: BotContext) -> None:
    """Offer the languages deal messages (and everything else) come in."""
    await _answered(update, context)
    buttons = [
        (_mark(language == context.locale, context.t(f"language-name-{language}")), f"dl:l:{language}")
        for language in LANGUAGES
    ]
    await _edit(update, context.t("deals-language-title"), keyboard(buttons, [_back(context)]))


async def choose_language(update: Update, context: BotContext) -> None:
    """Keep the language and show the settings in it."""
    query = update.callback_query
    assert query is not None and context.matches
    language = context.matches[0].group(1)
    async with context.uow() as session:
        await users.set_language(session, user_id=query.from_user.id, language=language)
    context.locale = language
    await query.answer()
    await _show_home(update, context, query.from_user.id)


# One-tap exits on every deal message


async def mute(update: Update, context: BotContext) -> None:
    """Mute the category of the deal message's product: no more deals of it."""
    query = update.callback_query
    assert query is not None and context.matches
    category_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        try:
            await subscriptions.mute_category(
                session, user_id=query.from_user.id, category_id=category_id, now=context.now
            )
        except Refused as refused:
            await query.answer(_plain(context.t(refused.reason_key, **refused.args_)), show_alert=True)
            return
        named = await subscriptions.named_categories(session, ids=[category_id])
    await query.answer(
        _plain(context.t("deals-muted", category=named[0].name(context.locale) if named else "")),
        show_alert=True,
    )


async def stop(update: Update, context: BotContext) -> None:
    """Stop every personal deal at once."""
    query = update.callback_query
    assert query is not None
    async with context.uow() as session:
        await subscriptions.unsubscribe(session, user_id=query.from_user.id, now=context.now)
    await query.answer(context.t("deals-stopped"), show_alert=True)


async def deal_products(update: Update, context: BotContext) -> None:
    """List the products of a category deal, each opening its card."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    await query.answer()
    async with context.uow() as session:
        listed = await offers.products_of(
            session, deal_id=int(context.matches[0].group(1)), locale=context.locale, limit=LISTED
        )
    if not listed:
        await context.bot.send_message(query.message.chat.id, context.t("deals-over"))
        return
    lines = [context.t("deals-products-title"), ""]
    lines += [
        context.t(
            "deals-product-line",
            number=number,
            title=item.title,
            price=format_money(item.price.amount, item.price.currency, context.locale),
            regular=format_money(item.regular.amount, item.regular.currency, context.locale),
        )
        for number, item in enumerate(listed, start=1)
    ]
    buttons = [(str(number), f"card:{item.product_id}") for number, item in enumerate(listed, start=1)]
    await context.bot.send_message(
        query.message.chat.id, Html("\n".join(lines)), reply_markup=keyboard(buttons)
    )


# Sending deal messages (the scheduled round calls this)


@dataclass
class Outcome:
    """What became of the claimed deliveries: sent, failed, refused for now (Telegram's flood control:
    surely not sent, so they may go out in a later round), who blocked the bot, pictures Telegram now has."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    later: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    pictures: list[tuple[int, str]] = field(default_factory=list)


def _until(delivery: Delivery) -> str:
    assert delivery.deal is not None
    return format_datetime(
        delivery.deal.ends_at, delivery.locale, time_zone=delivery.time_zone, style="short"
    )


def _price(money: Money | None, locale: str) -> str:
    return "" if money is None else format_money(money.amount, money.currency, locale)


def caption(translator: Translator, delivery: Delivery) -> Html:
    """Return a deal message's caption: what is cheaper and until when, then the product's card lines."""
    locale, card, deal = delivery.locale, delivery.card, delivery.deal

    def t(key: str, **args: str | int) -> Html:
        return translator.t(locale, key, **args)

    price, regular = _price(delivery.price, locale), _price(delivery.previous_price, locale)
    lines: list[str] = []
    if delivery.chart:
        key = "deals-drop-gift" if delivery.kind == "gift" else "deals-drop"
        lines.append(t(key, title=card.title, price=price, previous=regular))
        if deal is not None:
            lines.append(t("deals-drop-deal", percent=deal.percent, until=_until(delivery)))
    else:
        assert deal is not None
        if deal.on_category:
            lines.append(
                t(
                    "deals-headline-category",
                    percent=deal.percent,
                    category=deal.category(locale),
                    count=deal.products,
                    until=_until(delivery),
                )
            )
        else:
            lines.append(t("deals-headline", percent=deal.percent, until=_until(delivery)))
        lines.append("")
        lines.append(t("deals-card-title", title=card.title))
        lines.append(" · ".join(escape(part) for part in (card.brand, card.category) if part))
        lines.append(t("deals-card-price", price=price, regular=regular))
    lines.append(t("deals-in-stock") if card.in_stock else t("deals-sold-out"))
    return Html("\n".join(lines))


def message_keyboard(translator: Translator, delivery: Delivery) -> InlineKeyboardMarkup:
    """Return the buy button, the card's details, and on a subscriber's deal: mute its category, or stop.

    A price drop on a wish without a deal has no such exits: it is the wishlist's news, not a deal.
    """
    locale, card, deal = delivery.locale, delivery.card, delivery.deal

    def t(key: str, **args: str | int) -> str:
        return translator.t(locale, key, **args)

    rows = [[InlineKeyboardButton(t("deals-buy"), callback_data=f"cart:pick:{card.id}")]]
    more = [InlineKeyboardButton(t("deals-details"), callback_data=f"card:{card.id}")]
    if deal is not None and deal.on_category:
        more.append(
            InlineKeyboardButton(
                t("deals-all-products", count=deal.products), callback_data=f"dl:list:{deal.id}"
            )
        )
    rows.append(more)
    if delivery.subscribed and deal is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    _plain(t("deals-mute", category=deal.category(locale))),
                    callback_data=f"dl:mute:{deal.category_id}",
                ),
                InlineKeyboardButton(t("deals-stop"), callback_data="dl:stop"),
            ]
        )
    return InlineKeyboardMarkup(rows)


async def deliver(bot: Bot, services: Services, claimed: Sequence[Delivery]) -> Outcome:
    """Send each claimed delivery: the price chart for a wished product, else the product's picture."""
    outcome = Outcome()
    for delivery in claimed:
        try:
            await _send_one(bot, services, delivery, outcome)
        except Forbidden:
            outcome.failed.append(delivery.id)
            outcome.blocked.append(delivery.user_id)
            continue
        except RetryAfter:
            outcome.later.append(delivery.id)
            continue
        except TelegramError as error:
            # Not retried: after a timeout or a broken connection the message may have arrived after all.
            log.warning("deal message %s to %s not sent: %s", delivery.id, delivery.user_id, error)
            outcome.failed.append(delivery.id)
            continue
        outcome.sent.append(delivery.id)
    return outcome


async def _send_one(bot: Bot, services: Services, delivery: Delivery, outcome: Outcome) -> None:
    translator = services.translator
    text, markup = caption(translator, delivery), message_keyboard(translator, delivery)
    if delivery.chart:
        picture = await asyncio.to_thread(
            charts.price_history,
            delivery.history,
            now=services.clock.now(),
            currency=delivery.price.currency,
            locale=delivery.locale,
        )
        await bot.send_photo(delivery.user_id, picture, caption=text, reply_markup=markup)
        return
    photo = delivery.card.picture
    if photo is None:
        await bot.send_message(delivery.user_id, text, reply_markup=markup)
        return
    if photo.telegram_file_id is not None:
        try:
            await bot.send_photo(delivery.user_id, photo.telegram_file_id, caption=text, reply_markup=markup)
            return
        except BadRequest as error:
            log.info("cached picture %s refused (%s); uploading it again", photo.id, error)
    path = services.media_dir / photo.path
    sent = await bot.send_photo(delivery.user_id, path.read_bytes(), caption=text, reply_markup=markup)
    if sent.photo:
        outcome.pictures.append((photo.id, sent.photo[-1].file_id))


# Retailers: /deal


def _deal_line(context: BotContext, view: offers.DealView) -> Html:
    return context.t(
        "deal-line",
        id=str(view.id),
        percent=view.percent,
        name=view.name(context.locale),
        sku=view.sku or view.category_slug or "",
        status=context.t(f"deal-status-{view.status}"),
        starts=format_datetime(view.starts_at, context.locale, time_zone=DEFAULT_TIME_ZONE, style="short"),
        ends=format_datetime(view.ends_at, context.locale, time_zone=DEFAULT_TIME_ZONE, style="short"),
        count=view.products,
    )


async def _list_deals(context: BotContext, message: Message, retailer_id: int | None) -> None:
    async with context.uow() as session:
        listed = await offers.listing(session, retailer_id=retailer_id)
    if not listed:
        await message.reply_text(Html(context.t("deal-none") + "\n\n" + context.t("deal-usage")))
        return
    lines = [context.t("deal-list-title"), "", *(_deal_line(context, view) for view in listed)]
    rows = [
        [(context.t("deal-end-button", id=str(view.id)), f"dl:end:{view.id}")] for view in listed[:LISTED]
    ]
    await message.reply_text(Html("\n".join(lines)), reply_markup=keyboard(*rows))


async def deal_command(update: Update, context: BotContext) -> None:
    """/deal SKU-or-category -20% 7d: a retailer's deal; /deal lists them, /deal end ID ends one."""
    if (where := await opened(update, context, retailers_only="deal-retailers-only")) is None:
        return
    message, user = where
    args = context.args or []
    if not args:
        scope = await retailer_scope(context, user.id)
        await _list_deals(context, message, scope.retailer_id if scope is not None else None)
        return
    if args[0].lower() in {"end", "ende", "stop"} and len(args) == 2 and args[1].lstrip("#").isdigit():
        await _end(context, message, user.id, int(args[1].lstrip("#")))
        return
    account = await retailer_of(context, user.id)
    if account is None:
        await message.reply_text(context.t("deal-no-account"))
        return
    if len(args) < 3:
        await message.reply_text(context.t("deal-usage"))
        return
    try:
        async with context.uow() as session:
            percent = offers.parse_percent(args[-2])
            length = offers.parse_duration(args[-1])
            product_id, category_id = await offers.resolve(
                session, retailer_id=account.retailer_id, subject=" ".join(args[:-2])
            )
            view = await offers.create(
                session,
                retailer_id=account.retailer_id,
                product_id=product_id,
                category_id=category_id,
                percent=percent,
                starts_at=context.now,
                ends_at=context.now + length,
                created_by=user.id,
                now=context.now,
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    await message.reply_text(
        context.t("deal-created", line=_deal_line(context, view)),
        reply_markup=keyboard([(context.t("deal-end-button", id=str(view.id)), f"dl:end:{view.id}")]),
    )


async def _end(context: BotContext, message: Message, user_id: int, deal_id: int) -> None:
    scope = await retailer_scope(context, user_id)
    if scope is None:
        await message.reply_text(context.t("deal-retailers-only"))
        return
    try:
        async with context.uow() as session:
            view = await offers.end(session, deal_id=deal_id, now=context.now, retailer_id=scope.retailer_id)
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    await message.reply_text(context.t("deal-ended", line=_deal_line(context, view)))


async def end_button(update: Update, context: BotContext) -> None:
    """End a deal from its button (pressing again only says it is over)."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    scope = await retailer_scope(context, query.from_user.id)
    if scope is None:
        await query.answer(context.t("deal-retailers-only"), show_alert=True)
        return
    try:
        async with context.uow() as session:
            view = await offers.end(
                session,
                deal_id=int(context.matches[0].group(1)),
                now=context.now,
                retailer_id=scope.retailer_id,
            )
    except Refused as refused:
        await query.answer(_plain(context.t(refused.reason_key, **refused.args_)), show_alert=True)
        return
    await query.answer(context.t("deal-ended-short", id=str(view.id)))
    await context.bot.send_message(
        query.message.chat.id, context.t("deal-ended", line=_deal_line(context, view))
    )


def register(app: App) -> None:
    """Install /deals with its buttons, the buttons on deal messages, and the retailers' /deal."""
    app.add_handler(CommandHandler("deals", settings_command))
    app.add_handler(CommandHandler("deal", deal_command))
    for pattern, handler in (
        (r"^dl:home$", home),
        (r"^dl:(on|off)$", switch),
        (r"^dl:ret$", retailers_menu),
        (r"^dl:r:(\d+):([01])$", choose_retailer),
        (r"^dl:cat:(\d+)$", categories_menu),
        (r"^dl:c:(\d+):([01]):(\d+)$", choose_category),
        (r"^dl:br$", brands_menu),
        (r"^dl:b:(\d+):([01])$", choose_brand),
        (r"^dl:max$", price_menu),
        (r"^dl:m:(\d+)$", choose_price),
        (r"^dl:cap$", cap_menu),
        (r"^dl:k:(\d+):(day|week)$", choose_cap),
        (r"^dl:qh$", quiet_menu),
        (r"^dl:q:(?:(\d+):(\d+)|off)$", choose_quiet),
        (r"^dl:tz$", zone_menu),
        (r"^dl:z:(\d+)$", choose_zone),
        (r"^dl:lang$", language_menu),
        (r"^dl:l:(de|en)$", choose_language),
        (r"^dl:mute:(\d+)$", mute),
        (r"^dl:stop$", stop),
        (r"^dl:list:(\d+)$", deal_products),
        (r"^dl:end:(\d+)$", end_button),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern))
