"""/orders for customers; /order and /pickup for retailers; delivery windows and reviews."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import Bot, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from catalog import products
from core.db import Session
from core.i18n import Html, format_datetime, format_money, format_time
from core.users import DEFAULT_TIME_ZONE as SHOP_TIME_ZONE
from handlers import groupbuys as groupbuy_handlers
from handlers.common import App, RepliesTo, opened, retailer_scope
from handlers.context import SERVICES_KEY, BotContext, Services
from handlers.render import money, order_summary
from orders import checkout, fulfilment, states
from orders.carriers import SIMULATED, SimulatedCarrier
from orders.states import Refused
from social import groupbuys, referrals

log = logging.getLogger(__name__)

NUMBER = re.compile(r"KR-\d{6,}", re.IGNORECASE)
# The retailer's buttons: the step each one takes the order to.
STEPS = {"pack": "packed", "ship": "shipped", "ready": "ready_for_pickup", "refund": "refunded"}


async def list_orders(update: Update, context: BotContext) -> None:
    """List the user's orders, newest first, each with a button to its details."""
    if (where := await opened(update, context)) is None:
        return
    message, user = where
    async with context.uow() as session:
        found = await states.of_user(session, user_id=user.id, limit=10)
        joined = await groupbuys.of_user(session, user_id=user.id)
    if not found and not joined:
        await message.reply_text(context.t("orders-none"))
        return
    lines: list[str] = []
    if joined:
        lines += [context.t("orders-groupbuys-title"), ""]
        lines += [
            context.t(
                "orders-groupbuy-line",
                title=item.progress.title(context.locale),
                quantity=item.share.quantity,
                state=groupbuy_handlers.share_state(context, item.progress, item.share),
            )
            for item in joined
            if item.share is not None
        ]
        lines.append("")
    if not found:
        await message.reply_text(Html("\n".join(lines).strip()))
        return
    lines += [context.t("orders-title"), ""]
    lines += [
        context.t(
            "orders-item",
            number=order.number,
            date=format_datetime(order.created_at, context.locale, time_zone=SHOP_TIME_ZONE, style="short"),
            total=money(context, order.total.amount, order.total.currency),
            status=context.t(f"order-status-{order.status}"),
        )
        for order in found
    ]
    buttons = [
        [InlineKeyboardButton(f"📦 {order.number}", callback_data=f"ord:{order.id}")] for order in found
    ]
    await message.reply_text(Html("\n".join(lines)), reply_markup=InlineKeyboardMarkup(buttons))


async def detail(update: Update, context: BotContext) -> None:
    """Show one of the user's orders with its history (and a delivery window choice while on its way)."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    order_id = int(context.matches[0].group(1))
    async with context.uow() as session:
        order = await states.get(session, order_id=order_id)
        if order is None or order.user_id != query.from_user.id:
            await query.answer(context.t("order-unknown"), show_alert=True)
            return
        history = await states.history(session, order_id=order_id)
        store = await products.store(session, store_id=order.store_id) if order.store_id else None
    await query.answer()
    lines = [order_summary(context, order, store), "", context.t("order-history-title")]
    lines += [
        context.t(
            "order-history-line",
            at=format_datetime(event.at, context.locale, time_zone=SHOP_TIME_ZONE, style="short"),
            status=context.t(f"order-status-{event.status}"),
        )
        for event in history
    ]
    keyboard = None
    if order.status in {"shipped", "out_for_delivery"}:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(context.t("tracking-change-window"), callback_data=f"win:{order.id}")]]
        )
    await context.bot.send_message(query.message.chat.id, Html("\n".join(lines)), reply_markup=keyboard)


async def offer_windows(update: Update, context: BotContext) -> None:
    """Offer the delivery windows the carrier can still serve."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    order_id = int(context.matches[0].group(1))
    try:
        async with context.uow() as session:
            await _own_order(session, order_id, query.from_user.id)
            offered = await fulfilment.windows(
                session, order_id=order_id, carrier_lookup=context.services.carriers.carrier_for
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    buttons = [
        [
            InlineKeyboardButton(
                _window_label(context, window.start, window.end), callback_data=f"win:{order_id}:{window.id}"
            )
        ]
        for window in offered[:8]
    ]
    await context.bot.send_message(
        query.message.chat.id, context.t("tracking-pick-window"), reply_markup=InlineKeyboardMarkup(buttons)
    )


async def choose_window(update: Update, context: BotContext) -> None:
    """Tell the carrier the chosen window and confirm it."""
    query = update.callback_query
    assert query is not None and context.matches
    order_id, window_id = int(context.matches[0].group(1)), context.matches[0].group(2)
    try:
        async with context.uow() as session:
            await _own_order(session, order_id, query.from_user.id)
            window = await fulfilment.choose_window(
                session,
                order_id=order_id,
                window_id=window_id,
                carrier_lookup=context.services.carriers.carrier_for,
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        context.t("tracking-window-chosen", start=_at(context, window.start), end=_time(context, window.end))
    )


async def _own_order(session: Session, order_id: int, user_id: int) -> None:
    order = await states.get(session, order_id=order_id)
    if order is None or order.user_id != user_id:
        raise Refused("order-unknown")


def _at(context: BotContext, moment: datetime) -> str:
    return format_datetime(moment, context.locale, time_zone=SHOP_TIME_ZONE, style="short")


def _time(context: BotContext, moment: datetime) -> str:
    return format_time(moment, context.locale, time_zone=SHOP_TIME_ZONE)


def _window_label(context: BotContext, start: datetime, end: datetime) -> str:
    return f"{_at(context, start)} – {_time(context, end)}"


# --- Reviews -------------------------------------------------------------------------------------------


async def rate(update: Update, context: BotContext) -> None:
    """Store the stars and ask for a few words."""
    query = update.callback_query
    assert query is not None and context.matches and query.message is not None
    order_id, stars = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            await fulfilment.save_review(
                session,
                order_id=order_id,
                user_id=query.from_user.id,
                stars=stars,
                text=None,
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer(context.t("review-thanks", stars=stars))
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(
        query.message.chat.id, context.t("review-words-prompt"), reply_markup=ForceReply(selective=True)
    )


async def review_text(update: Update, context: BotContext) -> None:
    """Add the words the customer wrote in reply to the thanks for their stars, to their latest review."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.text is not None and user is not None
    async with context.uow() as session:
        latest = await states.of_user(session, user_id=user.id, limit=5)
        try:
            for order in latest:
                if order.status in fulfilment.RECEIVED:
                    await fulfilment.add_review_text(
                        session, order_id=order.id, user_id=user.id, text=message.text
                    )
                    break
        except Refused as refused:
            await message.reply_text(context.t(refused.reason_key, **refused.args_))
            return
    await message.reply_text(context.t("review-text-saved"))


# --- Retailers -------------------------------------------------------------------------------------------


async def manage(update: Update, context: BotContext) -> None:
    """/order KR-000123: show an order to a retailer with the next steps as buttons."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    scope = await retailer_scope(context, user.id)
    if scope is None:
        await message.reply_text(context.t("order-admin-only"))
        return
    number = NUMBER.search(" ".join(context.args or []))
    if number is None:
        await message.reply_text(context.t("order-admin-usage"))
        return
    async with context.uow() as session:
        order = await states.by_number(session, number=number.group(0))
        if order is not None and not scope.covers_all(await states.retailer_ids(session, order_id=order.id)):
            order = None  # another retailer's order is as unknown as one that does not exist
        store = await products.store(session, store_id=order.store_id) if order and order.store_id else None
    if order is None:
        await message.reply_text(context.t("order-unknown"))
        return
    await message.reply_text(
        order_summary(context, order, store), reply_markup=_admin_buttons(context, order)
    )


def _admin_buttons(context: BotContext, order: states.OrderView) -> InlineKeyboardMarkup | None:
    actions = {
        "packed": ("order-admin-pack", "pack"),
        "shipped": ("order-admin-ship", "ship"),
        "ready_for_pickup": ("order-admin-ready", "ready"),
        "refunded": ("order-admin-refund", "refund"),
    }
    allowed = states.TRANSITIONS.get(order.status, frozenset())
    pickup = order.delivery == "pickup"
    buttons = [
        InlineKeyboardButton(context.t(key), callback_data=f"adm:{action}:{order.id}")
        for status, (key, action) in actions.items()
        if status in allowed
        and not (pickup and status in states.HOME_DELIVERY_ONLY)
        and not (not pickup and status in states.PICKUP_ONLY)
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None


async def advance(update: Update, context: BotContext) -> None:
    """Move an order to its next step for a retailer and tell the customer."""
    query = update.callback_query
    assert query is not None and context.matches
    scope = await retailer_scope(context, query.from_user.id)
    if scope is None:
        await query.answer(context.t("order-admin-only"), show_alert=True)
        return
    action, order_id = context.matches[0].group(1), int(context.matches[0].group(2))
    try:
        async with context.uow() as session:
            if not scope.covers_all(await states.retailer_ids(session, order_id=order_id)):
                raise Refused("order-unknown")
            order = await step(
                session,
                bot=context.bot,
                services=context.services,
                order_id=order_id,
                to=STEPS[action],
                actor=f"retailer:{query.from_user.id}",
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        context.t("order-admin-done", number=order.number, status=context.t(f"order-status-{order.status}")),
        reply_markup=_admin_buttons(context, order),
    )


async def step(
    session: Session,
    *,
    bot: Bot,
    services: Services,
    order_id: int,
    to: str,
    actor: str,
    tracking_number: str | None = None,
    carrier: str = SIMULATED,
) -> states.OrderView:
    """Move an order to ``to`` (a value of :data:`STEPS`) as a retailer does and tell the customer.

    Shipping takes ``tracking_number`` from ``carrier`` (made up for the simulated carrier when not given).
    Raises ``Refused`` (e.g. ``IllegalTransition``) with nothing changed. The chat's buttons and the
    retailer API both come here, so the customer hears the same in either case.
    """
    if to == "packed":
        order = await states.advance(
            session, order_id=order_id, to="packed", now=services.clock.now(), actor=actor
        )
        await _tell(bot, order, services.translator.t(order.locale, "order-packed", number=order.number))
        return order
    if to == "shipped":
        return await _ship(bot, services, session, order_id, actor, tracking_number, carrier)
    if to == "ready_for_pickup":
        return await _ready(bot, services, session, order_id, actor)
    if to == "refunded":
        return await _refund(bot, services, session, order_id, actor)
    raise ValueError(f"no retailer step to {to}")


async def _ship(
    bot: Bot,
    services: Services,
    session: Session,
    order_id: int,
    actor: str,
    tracking_number: str | None,
    carrier_name: str,
) -> states.OrderView:
    now = services.clock.now()
    tracking = tracking_number or f"SIM{order_id:010d}"
    await fulfilment.ship(
        session, order_id=order_id, carrier=carrier_name, tracking_number=tracking, now=now, actor=actor
    )
    order = await states.get(session, order_id=order_id)
    assert order is not None
    carrier = services.carriers.carrier_for(carrier_name)
    if isinstance(carrier, SimulatedCarrier):
        carrier.register(tracking, now, (order.shipping_address or {}).get("city") or "")
    await _tell(
        bot,
        order,
        services.translator.t(order.locale, "order-shipped", number=order.number, tracking=tracking),
    )
    return order


async def _ready(
    bot: Bot, services: Services, session: Session, order_id: int, actor: str
) -> states.OrderView:
    ready = await fulfilment.ready_for_pickup(
        session, order_id=order_id, now=services.clock.now(), actor=actor
    )
    order = await states.get(session, order_id=order_id)
    assert order is not None
    caption = services.translator.t(
        order.locale,
        "pickup-ready",
        number=order.number,
        store=ready.store_name,
        address=f"{ready.store_address}, {ready.store_city}",
        code=ready.code,
        deadline=format_datetime(ready.deadline, order.locale, time_zone=SHOP_TIME_ZONE, style="short"),
    )
    try:
        await bot.send_photo(order.chat_id, fulfilment.pickup_qr(ready.code), caption=caption)
    except Forbidden as error:
        log.info("could not tell the customer of %s that it is ready: %s", order.number, error)
    return order


async def _refund(
    bot: Bot, services: Services, session: Session, order_id: int, actor: str
) -> states.OrderView:
    now = services.clock.now()
    refund = await checkout.refund(session, order_id=order_id, now=now, actor=actor)
    # A referral reward earned with this order is booked back from both sides.
    await referrals.take_back(session, order_id=order_id, now=now)
    if refund.by_bot and refund.user_id is not None:
        await bot.refund_star_payment(refund.user_id, refund.telegram_payment_charge_id)
    order = await states.get(session, order_id=order_id)
    assert order is not None
    amount = format_money(refund.amount.amount, refund.amount.currency, order.locale)
    await _tell(
        bot,
        order,
        services.translator.t(order.locale, "order-refunded", number=order.number, amount=amount),
    )
    return order


async def _tell(bot: Bot, order: states.OrderView, text: str) -> None:
    # A customer who blocked the bot cannot be told; the order moves on all the same.
    if order.chat_id == fulfilment.NO_CHAT:  # the customer erased their data; the order is anonymised
        return
    try:
        await bot.send_message(order.chat_id, text)
    except Forbidden as error:
        log.info("could not tell the customer of %s: %s", order.number, error)


async def collected(update: Update, context: BotContext) -> None:
    """/pickup KR-000123 CODE: a store hands over a click & collect order."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    scope = await retailer_scope(context, user.id)
    if scope is None:
        await message.reply_text(context.t("order-admin-only"))
        return
    words = context.args or []
    number = NUMBER.search(" ".join(words))
    code = words[-1] if len(words) >= 2 else ""
    try:
        async with context.uow() as session:
            order = await states.by_number(session, number=number.group(0)) if number else None
            if order is None:
                raise Refused("order-admin-usage")
            if not scope.covers_all(await states.retailer_ids(session, order_id=order.id)):
                raise Refused("order-unknown")
            await fulfilment.picked_up(
                session, order_id=order.id, code=code, now=context.now, actor=f"retailer:{user.id}"
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    await message.reply_text(
        context.t("order-admin-done", number=order.number, status=context.t("order-status-picked_up"))
    )


def register(app: App) -> None:
    """Install /orders, the order buttons, /order and /pickup for retailers, windows and reviews."""
    app.add_handler(CommandHandler("orders", list_orders))
    app.add_handler(CallbackQueryHandler(list_orders, pattern=r"^menu:orders$"))
    app.add_handler(CallbackQueryHandler(detail, pattern=r"^ord:(\d+)$"))
    app.add_handler(CallbackQueryHandler(offer_windows, pattern=r"^win:(\d+)$"))
    app.add_handler(CallbackQueryHandler(choose_window, pattern=r"^win:(\d+):([\w-]+)$"))
    app.add_handler(CallbackQueryHandler(rate, pattern=r"^rev:(\d+):([1-5])$"))
    app.add_handler(CommandHandler("order", manage))
    app.add_handler(CommandHandler("pickup", collected))
    app.add_handler(CallbackQueryHandler(advance, pattern=r"^adm:(pack|ship|ready|refund):(\d+)$"))
    thanks = RepliesTo(app.bot_data[SERVICES_KEY].translator, "review-words-prompt")
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & thanks, review_text))
