"""The cart: add from a product card (with colour and size), view, change, empty, go to checkout.

In a private chat it is the user's own cart; in a group it is the group's shared order, where each
member sees who added what and any member can check out.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from catalog import products
from core.i18n import Html
from handlers import checkout as checkout_handlers
from handlers.common import App, opened
from handlers.context import BotContext
from handlers.render import colours, money
from orders import carts, checkout, credits
from orders.states import Refused


def _group(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat is not None and chat.type in {"group", "supergroup"} else None


def variant_label(context: BotContext, colour: str, size: str) -> str:
    """Return "black · M" in the user's language (no size for one-size goods)."""
    shown = colours(context, [colour])
    return shown if size == "one size" else f"{shown} · {size}"


async def pick_variant(update: Update, context: BotContext) -> None:
    """Offer the product's colours and sizes in stock; add at once when there is only one."""
    query = update.callback_query
    assert query is not None and context.matches
    async with context.uow(read_only=True) as session:
        offered = await products.choice(
            session, product_id=int(context.matches[0].group(1)), locale=context.locale
        )
    choices = [variant for variant in offered.variants if variant.quantity > 0]
    if not choices:
        await query.answer(context.t("cart-error-out-of-stock", available=0), show_alert=True)
        return
    if len(choices) == 1:
        await _add(update, context, choices[0].id)
        return
    await query.answer()
    buttons = [
        InlineKeyboardButton(variant_label(context, v.colour, v.size), callback_data=f"cart:add:{v.id}")
        for v in choices
    ]
    rows = [buttons[start : start + 3] for start in range(0, len(buttons), 3)]
    assert query.message is not None
    await context.bot.send_message(
        query.message.chat.id,
        context.t("cart-pick-variant", title=offered.title),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def add(update: Update, context: BotContext) -> None:
    """Add the chosen variant."""
    assert context.matches
    await _add(update, context, int(context.matches[0].group(1)))


async def _add(update: Update, context: BotContext, variant_id: int) -> None:
    query = update.callback_query
    assert query is not None
    group = _group(update)
    try:
        async with context.uow() as session:
            added = await carts.put(
                session,
                user_id=query.from_user.id,
                variant_id=variant_id,
                group_chat_id=group,
                locale=context.locale,
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    key = "cart-added-group" if group is not None else "cart-added"
    await query.answer(
        context.t(
            key,
            title=added.title,
            variant=variant_label(context, added.colour, added.size),
            count=added.units,
        )
    )


async def show(update: Update, context: BotContext) -> None:
    """Show the cart (the group's order in a group) with its buttons."""
    if (where := await opened(update, context)) is None:
        return
    message, user = where
    text, keyboard = await _cart_view(context, user.id, _group(update))
    await message.reply_text(text, reply_markup=keyboard)


async def _cart_view(
    context: BotContext, user_id: int, group: int | None
) -> tuple[Html, InlineKeyboardMarkup | None]:
    async with context.uow() as session:
        cart = await carts.view(
            session, user_id=user_id, group_chat_id=group, locale=context.locale, now=context.now
        )
    if not cart.lines:
        key = "cart-group-empty" if group is not None else "cart-empty"
        return context.t(key, bot=context.bot.username or ""), None
    lines = [context.t("cart-title-group" if group is not None else "cart-title"), ""]
    rows = []
    for number, line in enumerate(cart.lines, start=1):
        text = context.t(
            "cart-line",
            number=number,
            title=line.title,
            variant=variant_label(context, line.colour, line.size),
            quantity=line.quantity,
            total=money(context, line.total.amount, line.total.currency),
        )
        if group is not None:
            text = context.t("cart-line-by", line=text, name=line.added_by_name)
        lines.append(text)
        if line.price_changed:
            lines.append(
                context.t(
                    "cart-line-price-changed",
                    before=money(context, line.price_when_added.amount, line.price_when_added.currency),
                    now=money(context, line.unit_price.amount, line.unit_price.currency),
                )
            )
        if line.added_by == user_id:
            rows.append(
                [
                    InlineKeyboardButton(
                        f"{number}: −", callback_data=f"cart:qty:{line.variant_id}:{line.quantity - 1}"
                    ),
                    InlineKeyboardButton(
                        f"{number}: +", callback_data=f"cart:qty:{line.variant_id}:{line.quantity + 1}"
                    ),
                    InlineKeyboardButton(f"{number}: 🗑", callback_data=f"cart:qty:{line.variant_id}:0"),
                ]
            )
    lines += [
        "",
        context.t("cart-subtotal", total=money(context, cart.subtotal.amount, cart.subtotal.currency)),
    ]
    if group is not None:
        rows.append(
            [InlineKeyboardButton(context.t("cart-checkout-share"), callback_data="cart:checkout:mine")]
        )
        rows.append(
            [
                InlineKeyboardButton(context.t("cart-clear"), callback_data="cart:clear"),
                InlineKeyboardButton(context.t("cart-checkout-all"), callback_data="cart:checkout"),
            ]
        )
    else:
        rows.append(
            [
                InlineKeyboardButton(context.t("cart-clear"), callback_data="cart:clear"),
                InlineKeyboardButton(context.t("cart-checkout"), callback_data="cart:checkout"),
            ]
        )
    return Html("\n".join(lines)), InlineKeyboardMarkup(rows)


async def change(update: Update, context: BotContext) -> None:
    """Change the quantity of one of the user's lines (0 removes it) and redraw the cart in place."""
    query = update.callback_query
    assert query is not None and context.matches
    variant_id, quantity = int(context.matches[0].group(1)), int(context.matches[0].group(2))
    group = _group(update)
    try:
        async with context.uow() as session:
            await carts.set_quantity(
                session,
                user_id=query.from_user.id,
                variant_id=variant_id,
                quantity=quantity,
                group_chat_id=group,
                now=context.now,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    text, keyboard = await _cart_view(context, query.from_user.id, group)
    await query.edit_message_text(text, reply_markup=keyboard)


async def clear(update: Update, context: BotContext) -> None:
    """Empty the cart."""
    query = update.callback_query
    assert query is not None
    async with context.uow() as session:
        await carts.empty(session, user_id=query.from_user.id, group_chat_id=_group(update))
    await query.answer()
    await query.edit_message_text(context.t("cart-cleared"))


async def start_checkout(update: Update, context: BotContext) -> None:
    """Send the invoice for the cart; in a group for the whole order or only the member's own share."""
    query = update.callback_query
    assert query is not None and query.message is not None and context.matches
    stars = context.services.payment_provider_token is None
    try:
        async with context.uow() as session:
            invoice = await checkout.start(
                session,
                user_id=query.from_user.id,
                chat_id=query.message.chat.id,
                group_chat_id=_group(update),
                locale=context.locale,
                now=context.now,
                stars=stars,
                own_share=context.matches[0].group(1) is not None,
            )
    except Refused as refused:
        await query.answer(context.t(refused.reason_key, **refused.args_), show_alert=True)
        return
    await query.answer()
    await checkout_handlers.send_invoice(
        context.bot, context.services, context.locale, query.message.chat.id, invoice
    )


async def voucher(update: Update, context: BotContext) -> None:
    """/voucher CODE: redeem a voucher; its credit or percentage comes off the next checkout."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text(context.t("voucher-usage"))
        return
    try:
        async with context.uow() as session:
            redeemed = await credits.redeem_voucher(
                session, user_id=user.id, code=context.args[0], now=context.now
            )
            balance = await credits.balance(
                session, user_id=user.id, currency=redeemed.credit.currency if redeemed.credit else "EUR"
            )
    except Refused as refused:
        await message.reply_text(context.t(refused.reason_key, **refused.args_))
        return
    if redeemed.credit is not None:
        text = context.t(
            "voucher-redeemed-credit",
            code=redeemed.code,
            credit=money(context, redeemed.credit.amount, redeemed.credit.currency),
            balance=money(context, balance.amount, balance.currency),
        )
    else:
        text = context.t("voucher-redeemed-percent", code=redeemed.code, percent=redeemed.percent or 0)
    await message.reply_text(text)


def register(app: App) -> None:
    """Install /cart, the cart buttons and /voucher."""
    app.add_handler(CommandHandler("cart", show))
    app.add_handler(CommandHandler("voucher", voucher))
    app.add_handler(CallbackQueryHandler(show, pattern=r"^menu:cart$"))
    app.add_handler(CallbackQueryHandler(pick_variant, pattern=r"^cart:pick:(\d+)$"))
    app.add_handler(CallbackQueryHandler(add, pattern=r"^cart:add:(\d+)$"))
    app.add_handler(CallbackQueryHandler(change, pattern=r"^cart:qty:(\d+):(\d+)$"))
    app.add_handler(CallbackQueryHandler(clear, pattern=r"^cart:clear$"))
    app.add_handler(CallbackQueryHandler(start_checkout, pattern=r"^cart:checkout(:mine)?$"))
