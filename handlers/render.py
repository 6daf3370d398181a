"""Turns domain data into message text and keyboards, always from locale keys (HTML-safe)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from catalog.products import ProductCard, StoreInfo
from catalog.query import Query
from catalog.search import Result
from catalog.style import Outfit
from core.i18n import Html, Translator, format_datetime, format_money, format_number, format_time
from handlers.context import BotContext
from orders.fulfilment import Notice
from orders.states import OrderView
from social.reviews import RatingSummary

CAPTION_LIMIT = 1024


def short(text: str, limit: int = 40) -> str:
    """Cut text to ``limit`` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def money(context: BotContext, amount: Decimal, currency: str) -> str:
    """Format an amount for the user's locale."""
    return format_money(amount, currency, context.locale)


def colours(context: BotContext, names: tuple[str, ...] | list[str]) -> str:
    """Return colour names in the user's language, comma-separated."""
    return ", ".join(context.t(f"colour-{name}") for name in names)


def price_line(context: BotContext, card: ProductCard) -> Html:
    """Return the price, with the crossed-out regular price during a sale."""
    now = money(context, card.price, card.currency)
    if card.compare_at_price is None or card.compare_at_price <= card.price:
        return context.t("card-price", price=now)
    saving = (1 - card.price / card.compare_at_price) * 100
    percent = int(saving.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return context.t(
        "card-price-sale",
        before=money(context, card.compare_at_price, card.currency),
        price=now,
        percent=percent,
    )


def card_caption(context: BotContext, card: ProductCard, rating: RatingSummary | None = None) -> Html:
    """Return the card's caption: title, brand, price, friends-first rating, colours, sizes, stock."""
    lines: list[str] = [f"<b>{escape(card.title)}</b>"]
    lines.append(" · ".join(escape(part) for part in (card.brand, card.category) if part))
    lines.append(price_line(context, card))
    if rating is not None and rating.all_count:
        lines += rating_lines(context, rating)
    if card.colours:
        lines.append(context.t("card-colours", colours=colours(context, card.colours)))
    if card.sizes and card.sizes != ("one size",):
        lines.append(context.t("card-sizes", sizes=", ".join(card.sizes)))
    if not card.active:
        lines.append(context.t("card-archived"))
    elif card.in_stock:
        lines.append(context.t("card-stock-title"))
        for store in card.stores:
            if store.is_warehouse:
                lines.append(context.t("card-stock-online", quantity=store.quantity))
            else:
                lines.append(context.t("card-stock-store", store=store.name, quantity=store.quantity))
    else:
        lines.append(context.t("card-sold-out"))
    caption = "\n".join(lines)
    description = f"\n\n<i>{escape(card.description)}</i>" if card.description else ""
    return Html(caption + description if len(caption) + len(description) <= CAPTION_LIMIT else caption)


def rating_lines(context: BotContext, rating: RatingSummary) -> list[Html]:
    """Return the ratings, friends first ("2 friends: 4.5★ · all buyers: 4.1★ (12)"), and friends' words."""
    every = format_number(rating.all_average or Decimal(0), context.locale)
    if rating.friends_count:
        lines = [
            context.t(
                "card-rating-friends",
                friends=rating.friends_count,
                friends_average=format_number(rating.friends_average or Decimal(0), context.locale),
                average=every,
                count=rating.all_count,
            )
        ]
    else:
        lines = [context.t("card-rating", average=every, count=rating.all_count)]
    for review in [review for review in rating.friends_reviews if review.text][:2]:
        lines.append(
            context.t("card-rating-quote", text=review.text or "", name=review.first_name, stars=review.stars)
        )
    return lines


def card_keyboard(
    context: BotContext, card: ProductCard, *, in_group: bool = False, has_reviews: bool = False
) -> InlineKeyboardMarkup:
    """Return the card's buttons: cart (the group's in a group), reviews, pairs, wishlist, similar, share."""
    cart = "card-add-to-group-cart" if in_group else "card-add-to-cart"
    recommend = (
        [[InlineKeyboardButton(context.t("card-recommend"), callback_data=f"rec:{card.id}")]]
        if in_group
        else []
    )
    reviews = (
        [[InlineKeyboardButton(context.t("card-reviews"), callback_data=f"rv:{card.id}")]]
        if has_reviews
        else []
    )
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(context.t(cart), callback_data=f"cart:pick:{card.id}")],
            *recommend,
            *reviews,
            [
                InlineKeyboardButton(context.t("card-pair"), callback_data=f"pair:{card.id}"),
                InlineKeyboardButton(context.t("card-wishlist"), callback_data=f"wl:add:{card.id}"),
            ],
            [
                InlineKeyboardButton(context.t("card-similar"), callback_data=f"sim:{card.id}"),
                InlineKeyboardButton(context.t("card-share"), switch_inline_query=card.sku),
            ],
        ]
    )


def open_in_bot(context: BotContext, product_id: int) -> InlineKeyboardMarkup:
    """Return the button under a card posted into a group: it opens the card in a private chat."""
    link = f"https://t.me/{context.bot.username}?start=p{product_id}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(context.t("card-open-in-bot"), url=link)]])


def outfit_text(context: BotContext, number: int, outfit: Outfit) -> Html:
    """Return an outfit: its total, why it works, and each piece with colour, size and price."""
    reason = outfit.reason
    lines = [
        context.t(
            "outfit-title", number=number, total=money(context, outfit.total.amount, outfit.total.currency)
        ),
        f"<i>{context.t(reason.key, **{name: context.t(value) for name, value in reason.args.items()})}</i>",
    ]
    for item in outfit.items:
        size = "" if item.size == "one size" else f", {item.size}"
        lines.append(
            context.t(
                "outfit-item",
                title=item.title_de if context.locale == "de" else item.title_en,
                colour=context.t(f"colour-{item.colour}"),
                size=size,
                price=money(context, item.price, item.currency),
            )
        )
    return Html("\n".join(lines))


def search_understood(context: BotContext, query: Query, category: str | None) -> str:
    """Return the filters read from a request ("category sneakers · colour red · up to €80.00"), or ""."""
    parts = []
    if category:
        parts.append(context.t("search-filter-category", value=category))
    if query.colors:
        parts.append(context.t("search-filter-colours", value=colours(context, query.colors)))
    if query.size:
        parts.append(context.t("search-filter-size", value=query.size))
    if query.brand:
        parts.append(context.t("search-filter-brand", value=query.brand))
    if query.occasion:
        parts.append(context.t("search-filter-occasion", value=context.t(f"style-occasion-{query.occasion}")))
    if query.min_price is not None:
        parts.append(context.t("search-filter-min", value=money(context, query.min_price, "EUR")))
    if query.max_price is not None:
        parts.append(context.t("search-filter-max", value=money(context, query.max_price, "EUR")))
    return " · ".join(parts)


def results_view(
    context: BotContext,
    header: str,
    understood: str,
    listed: list[Result],
    *,
    first_number: int,
    navigation: list[InlineKeyboardButton] | None = None,
) -> tuple[Html, InlineKeyboardMarkup]:
    """Return a numbered product list with one button per product and the paging buttons."""
    lines = [header]
    if understood:
        lines.append(context.t("search-understood", filters=Html(understood)))
    lines.append("")
    for number, result in enumerate(listed, start=first_number):
        lines.append(
            context.t(
                "search-result-line",
                number=number,
                title=result.title,
                price=money(context, result.price, result.currency),
                stock="" if result.in_stock else context.t("search-result-sold-out"),
            )
        )
    cards = [
        InlineKeyboardButton(str(number), callback_data=f"card:{result.product_id}")
        for number, result in enumerate(listed, start=first_number)
    ]
    rows = [cards, navigation] if navigation else [cards]
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


def order_summary(
    context: BotContext, order: OrderView, store: StoreInfo | None, *, confirmed: bool = False
) -> Html:
    """Return an order: number, status, items, amounts, and where it goes or where to pick it up."""
    lines = [
        context.t("order-confirmed", number=order.number)
        if confirmed
        else context.t(
            "order-heading", number=order.number, status=context.t(f"order-status-{order.status}")
        ),
        "",
    ]
    for line in order.lines:
        lines.append(
            context.t(
                "order-line",
                quantity=line.quantity,
                title=line.title(context.locale),
                variant=colours(context, [line.colour])
                if line.size == "one size"
                else f"{colours(context, [line.colour])}, {line.size}",
                price=money(context, line.total.amount, line.total.currency),
            )
        )
    amounts = [("order-subtotal", order.subtotal), ("order-shipping", order.shipping)]
    if order.discount.amount:
        amounts.append(("order-discount", order.discount))
    amounts.append(("order-total", order.total))
    lines.append("")
    lines += [context.t(key, amount=money(context, value.amount, value.currency)) for key, value in amounts]
    lines.append("")
    if order.delivery == "pickup" and store is not None:
        lines.append(
            context.t(
                "order-pickup-at", store=store.name, address=store.address, hours=store.opening_hours or ""
            )
        )
    else:
        address = order.shipping_address or {}
        where = ", ".join(
            str(part)
            for part in (address.get("street_line1"), address.get("post_code"), address.get("city"))
            if part
        )
        lines.append(context.t(f"order-delivery-{order.delivery}", address=where))
    return Html("\n".join(lines))


def notice_text(translator: Translator, notice: Notice) -> Html:
    """Render an order notice in its customer's language; window times as times of day, others as dates."""
    args: dict[str, str | int] = {}
    for name, value in notice.args.items():
        if isinstance(value, datetime):
            args[name] = (
                format_time(value, notice.locale, time_zone=notice.time_zone)
                if name.startswith("window")
                else format_datetime(value, notice.locale, time_zone=notice.time_zone, style="short")
            )
        else:
            args[name] = value
    return translator.t(notice.locale, notice.key, **args)
