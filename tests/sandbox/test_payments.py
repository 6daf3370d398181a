"""Payments: invoices, shipping and pre-checkout queries answered by the bot, successful payments, refunds."""

from __future__ import annotations

import pytest
from telegram import Bot, LabeledPrice, ShippingOption, Update
from telegram.error import BadRequest

from bot.sandbox import SandboxClient, SandboxError

from .conftest import ALICE, BotLoop

pytestmark = pytest.mark.usefixtures("people")

SHOES = [LabeledPrice("Sneaker", 7999)]
OPTIONS = [
    ShippingOption("standard", "Standard", [LabeledPrice("Versand", 499)]),
    ShippingOption("express", "Express", [LabeledPrice("Express", 999)]),
]


async def test_flexible_invoice_runs_shipping_pre_checkout_and_successful_payment(
    bot: Bot, sb: SandboxClient
) -> None:
    invoice = await bot.send_invoice(
        ALICE,
        "Rote Sneaker",
        "Sneaker in Größe 42",
        "order:17",
        "EUR",
        SHOES,
        provider_token="sandbox-provider",
        is_flexible=True,
        need_name=True,
        need_shipping_address=True,
    )
    assert invoice.invoice is not None and invoice.invoice.total_amount == 7999
    checked: list[tuple[str | None, int]] = []

    async def handle(update: Update) -> None:
        if update.shipping_query is not None:
            assert update.shipping_query.shipping_address.country_code == "DE"
            await update.shipping_query.answer(ok=True, shipping_options=OPTIONS)
        elif update.pre_checkout_query is not None:
            query = update.pre_checkout_query
            assert query.order_info is not None and query.order_info.name == "Alice"
            checked.append((query.shipping_option_id, query.total_amount))
            await query.answer(ok=True)
        elif update.message is not None and update.message.successful_payment is not None:
            payment = update.message.successful_payment
            await update.message.reply_text(f"Danke! Bestellung {payment.invoice_payload} ist bezahlt.")

    async with BotLoop(bot, handle):
        paid = await sb.pay(ALICE, invoice.message_id, ALICE, shipping_option_id="express")
        assert paid["status"] == "paid" and paid["total_amount"] == 7999 + 999
        [thanks] = await sb.wait(ALICE, after=paid["message_id"], count=1)
    assert checked == [("express", 8998)]
    assert thanks["text"] == "Danke! Bestellung order:17 ist bezahlt."
    [service, _] = await sb.messages(ALICE, after=paid["message_id"] - 1)
    successful = service["successful_payment"]
    assert service["from"]["id"] == ALICE
    assert successful["telegram_payment_charge_id"] == paid["telegram_payment_charge_id"]
    assert successful["provider_payment_charge_id"] and successful["shipping_option_id"] == "express"
    with pytest.raises(SandboxError) as twice:
        await sb.pay(ALICE, invoice.message_id, ALICE)
    assert twice.value.status == 409


async def test_the_bot_can_refuse_shipping_or_checkout(bot: Bot, sb: SandboxClient) -> None:
    flexible = await bot.send_invoice(
        ALICE, "Jacke", "Winterjacke", "order:18", "EUR", SHOES, provider_token="p", is_flexible=True
    )
    plain = await bot.send_invoice(ALICE, "Mütze", "Wollmütze", "order:19", "EUR", SHOES, provider_token="p")

    async def handle(update: Update) -> None:
        if update.shipping_query is not None:
            await update.shipping_query.answer(ok=False, error_message="Kein Versand nach Berlin")
        elif update.pre_checkout_query is not None:
            await update.pre_checkout_query.answer(ok=False, error_message="Leider ausverkauft")

    async with BotLoop(bot, handle):
        shipping = await sb.pay(ALICE, flexible.message_id, ALICE)
        checkout = await sb.pay(ALICE, plain.message_id, ALICE)
    assert shipping == {"status": "rejected", "error_message": "Kein Versand nach Berlin"}
    assert checkout == {"status": "rejected", "error_message": "Leider ausverkauft"}


async def test_an_unanswered_pre_checkout_is_rejected(bot: Bot, sb: SandboxClient) -> None:
    invoice = await bot.send_invoice(
        ALICE, "Schal", "Roter Schal", "order:20", "EUR", SHOES, provider_token="p"
    )
    rejected = await sb.pay(ALICE, invoice.message_id, ALICE, timeout=0.2)
    assert rejected == {
        "status": "rejected",
        "error_message": "the bot did not answer the pre-checkout query within 0.2 seconds",
    }
    assert await sb.payments() == []


async def test_stars_payment_is_refunded_once(bot: Bot, sb: SandboxClient) -> None:
    invoice = await bot.send_invoice(
        ALICE, "Gutschein", "10-€-Gutschein", "voucher:1", "XTR", [LabeledPrice("G", 50)]
    )

    async def handle(update: Update) -> None:
        if update.pre_checkout_query is not None:
            assert update.pre_checkout_query.currency == "XTR"
            await update.pre_checkout_query.answer(ok=True)

    async with BotLoop(bot, handle):
        paid = await sb.pay(ALICE, invoice.message_id, ALICE)
    charge = paid["telegram_payment_charge_id"]
    assert await bot.refund_star_payment(ALICE, charge)
    with pytest.raises(BadRequest, match=r"(?i)CHARGE_ALREADY_REFUNDED"):
        await bot.refund_star_payment(ALICE, charge)
    with pytest.raises(BadRequest, match=r"(?i)CHARGE_NOT_FOUND"):
        await bot.refund_star_payment(ALICE, "no-such-charge")
    [payment] = await sb.payments()
    assert (payment["telegram_payment_charge_id"], payment["refunded"], payment["total_amount"]) == (
        charge,
        True,
        50,
    )


async def test_a_shipping_option_the_bot_did_not_offer_is_refused(bot: Bot, sb: SandboxClient) -> None:
    invoice = await bot.send_invoice(
        ALICE, "Jacke", "Winterjacke", "order:21", "EUR", SHOES, provider_token="p", is_flexible=True
    )

    async def handle(update: Update) -> None:
        if update.shipping_query is not None:
            await update.shipping_query.answer(ok=True, shipping_options=OPTIONS)

    async with BotLoop(bot, handle):
        with pytest.raises(SandboxError) as refused:
            await sb.pay(ALICE, invoice.message_id, ALICE, shipping_option_id="drone")
    assert refused.value.status == 400 and "standard, express" in refused.value.error
