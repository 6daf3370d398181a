"""Telegram Payments: the shipping query, the pre-checkout query and the successful payment."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, LabeledPrice, ShippingOption, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, PreCheckoutQueryHandler, ShippingQueryHandler, filters

from catalog import products
from handlers.common import App
from handlers.context import BotContext, Services
from handlers.render import order_summary
from orders import checkout
from orders.states import Refused

log = logging.getLogger(__name__)


async def shipping(update: Update, context: BotContext) -> None:
    """Offer home delivery by country and click & collect in the stores that have everything."""
    query = update.shipping_query
    assert query is not None
    try:
        async with context.uow() as session:
            options = await checkout.shipping_options(
                session,
                payload=query.invoice_payload,
                country_code=query.shipping_address.country_code,
                now=context.now,
            )
    except Refused as refused:  # an invoice whose checkout expired, was paid or was deleted
        await query.answer(ok=False, error_message=context.t(refused.reason_key, **refused.args_))
        return
    if not options:
        await query.answer(ok=False, error_message=context.t("checkout-error-shipping"))
        return
    await query.answer(
        ok=True,
        shipping_options=[
            ShippingOption(
                option.id,
                context.t(option.label_key, **option.args)[:64],
                [LabeledPrice(context.t(p.label_key, **p.args)[:64], p.amount) for p in option.prices],
            )
            for option in options
        ],
    )


async def pre_checkout(update: Update, context: BotContext) -> None:
    """Check stock and prices once more and reserve the units; answer within Telegram's 10 seconds."""
    query = update.pre_checkout_query
    assert query is not None
    async with context.uow() as session:
        result = await checkout.pre_checkout(
            session,
            payload=query.invoice_payload,
            user_id=query.from_user.id,
            total_amount=query.total_amount,
            currency=query.currency,
            shipping_option_id=query.shipping_option_id,
            now=context.now,
        )
    if result.ok:
        await query.answer(ok=True)
    else:
        await query.answer(
            ok=False, error_message=context.t(result.reason_key or "checkout-error-unknown", **result.args)
        )


async def paid(update: Update, context: BotContext) -> None:
    """Turn the payment into an order (once per charge) and confirm it with its details."""
    message = update.effective_message
    assert message is not None and message.successful_payment is not None and message.from_user is not None
    payment = message.successful_payment
    address = payment.order_info.shipping_address if payment.order_info else None
    try:
        async with context.uow() as session:
            order = await checkout.complete(
                session,
                payload=payment.invoice_payload,
                user_id=message.from_user.id,
                chat_id=message.chat.id,
                telegram_payment_charge_id=payment.telegram_payment_charge_id,
                provider_payment_charge_id=payment.provider_payment_charge_id,
                total_amount=payment.total_amount,
                currency=payment.currency,
                shipping_option_id=payment.shipping_option_id,
                shipping_address=address.to_dict() if address is not None else None,
                now=context.now,
            )
            store = await products.store(session, store_id=order.store_id) if order.store_id else None
    except Refused as refused:
        await _refund_sold_out(update, context, refused)
        return
    await message.reply_text(order_summary(context, order, store, confirmed=True))


async def _refund_sold_out(update: Update, context: BotContext, refused: Refused) -> None:
    message = update.effective_message
    assert message is not None and message.successful_payment is not None and message.from_user is not None
    payment = message.successful_payment
    log.warning("payment %s could not become an order: %s", payment.invoice_payload, refused.reason_key)
    if payment.currency == checkout.STARS:
        try:
            await context.bot.refund_star_payment(message.from_user.id, payment.telegram_payment_charge_id)
        except TelegramError:
            log.exception("refunding a Stars payment failed")
    await message.reply_text(context.t(refused.reason_key, **refused.args_))


async def send_invoice(
    bot: Bot, services: Services, locale: str, chat_id: int, invoice: checkout.Invoice
) -> None:
    """Send an invoice: with the provider token for physical goods, else in Telegram Stars."""
    stars = services.payment_provider_token is None
    translator = services.translator

    def label(key: str, args: dict[str, Any]) -> str:
        if "colour" in args:
            args = args | {"colour": translator.t(locale, f"colour-{args['colour']}")}
        return translator.t(locale, key, **args)[:64]

    await bot.send_invoice(
        chat_id=chat_id,
        title=invoice.title,
        description=invoice.description,
        payload=invoice.payload,
        provider_token=None if stars else services.payment_provider_token,
        currency=invoice.currency,
        prices=[LabeledPrice(label(price.label_key, price.args), price.amount) for price in invoice.prices],
        need_name=not stars,
        need_shipping_address=invoice.need_shipping_address,
        is_flexible=invoice.is_flexible,
    )


def register(app: App) -> None:
    """Install the payment handlers."""
    app.add_handler(ShippingQueryHandler(shipping))
    app.add_handler(PreCheckoutQueryHandler(pre_checkout))
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, paid))
