"""Payments: the bot sends invoices and answers shipping and pre-checkout queries; users pay."""

from __future__ import annotations

from typing import Any

from . import limits
from .errors import ClientError, bad_request
from .messages import send
from .params import Method, Params
from .state import JSON, Chat, Invoice, Message, Payment, Query, User
from .world import World

DEFAULT_ADDRESS = {
    "country_code": "DE",
    "state": "Berlin",
    "city": "Berlin",
    "street_line1": "Alexanderplatz 1",
    "street_line2": "",
    "post_code": "10178",
}
DEFAULT_PHONE = "+49301234567"


class Payments:
    """sendInvoice, answerShippingQuery, answerPreCheckoutQuery, refundStarPayment, and users' payments."""

    def __init__(self, world: World) -> None:
        self._world = world

    def bot_methods(self) -> dict[str, Method]:
        """Return the Bot API methods this module implements."""
        return {
            "sendInvoice": self.send_invoice,
            "answerShippingQuery": self.answer_shipping,
            "answerPreCheckoutQuery": self.answer_pre_checkout,
            "refundStarPayment": self.refund,
        }

    async def send_invoice(self, params: Params) -> JSON:
        """Send an invoice; without reply_markup it gets Telegram's Pay button."""
        world = self._world
        chat = world.writable_chat(params.get("chat_id"))
        currency = params.required_text("currency")
        provider_token = params.text("provider_token") or ""
        invoice = Invoice(
            title=params.required_text("title"),
            description=params.required_text("description"),
            payload=params.required_text("payload"),
            currency=currency,
            prices=[],
            provider_token=provider_token,
            start_parameter=params.text("start_parameter") or "",
            max_tip_amount=params.integer("max_tip_amount") or 0,
            is_flexible=params.flag("is_flexible"),
            need_name=params.flag("need_name"),
            need_phone_number=params.flag("need_phone_number"),
            need_email=params.flag("need_email"),
            need_shipping_address=params.flag("need_shipping_address"),
        )
        invoice.prices = limits.invoice(
            title=invoice.title,
            description=invoice.description,
            payload=invoice.payload,
            currency=currency,
            prices=params.get("prices"),
            provider_token=provider_token,
        )
        markup = (
            None
            if params.get("reply_markup") is not None
            else {"inline_keyboard": [[{"text": "Pay", "pay": True}]]}
        )
        return world.message_json(send(world, chat, params, {}, invoice=invoice, reply_markup=markup))

    async def answer_shipping(self, params: Params) -> bool:
        """Answer a shipping query with shipping options, or refuse it with an error message."""
        query = self._world.query(params.text("shipping_query_id"), "shipping_query")
        if params.flag("ok"):
            options = params.get("shipping_options")
            if not isinstance(options, list) or not options:
                raise bad_request("SHIPPING_OPTIONS_EMPTY")
            query.answer = {"ok": True, "shipping_options": [_shipping_option(option) for option in options]}
        else:
            query.answer = {"ok": False, "error_message": _error_message(params)}
        self._world.changes.notify()
        return True

    async def answer_pre_checkout(self, params: Params) -> bool:
        """Confirm a pre-checkout query, or refuse it with an error message."""
        query = self._world.query(params.text("pre_checkout_query_id"), "pre_checkout_query")
        query.answer = (
            {"ok": True} if params.flag("ok") else {"ok": False, "error_message": _error_message(params)}
        )
        self._world.changes.notify()
        return True

    async def refund(self, params: Params) -> bool:
        """Refund a Telegram Stars payment, once."""
        charge_id = params.required_text("telegram_payment_charge_id")
        payment = self._world.payments.get(charge_id)
        if (
            payment is None
            or payment.user_id != params.required_integer("user_id")
            or payment.currency != limits.STARS
        ):
            raise bad_request("CHARGE_NOT_FOUND")
        if payment.refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        payment.refunded = True
        self._world.changes.notify()
        return True

    async def pay(
        self,
        chat: Chat,
        message: Message,
        user: User,
        *,
        shipping_option_id: str | None,
        shipping_address: JSON | None,
        order_info: JSON | None,
        tip_amount: int,
        seconds: float,
    ) -> JSON:
        """Pay an invoice the way Telegram runs it: shipping query, pre-checkout query, successful payment."""
        invoice = message.invoice
        if invoice is None or message.deleted:
            raise ClientError(400, f"message {message.message_id} is not an invoice")
        self._world.find_member(chat, user.id)
        if user.id in invoice.paid_by:
            raise ClientError(409, f"user {user.id} already paid the invoice of message {message.message_id}")
        if not 0 <= tip_amount <= invoice.max_tip_amount:
            raise ClientError(400, f"tip_amount must be 0-{invoice.max_tip_amount}")
        address = shipping_address or (order_info or {}).get("shipping_address") or DEFAULT_ADDRESS
        info = order_info if order_info is not None else _order_info(invoice, user, address)
        invoice.paid_by.add(user.id)
        try:
            result = await self._checkout(
                chat, message, invoice, user, address, info, shipping_option_id, tip_amount, seconds
            )
        except BaseException:
            invoice.paid_by.discard(user.id)
            raise
        if result["status"] != "paid":
            invoice.paid_by.discard(user.id)
        return result

    async def shipping(
        self, chat: Chat, message: Message, user: User, *, shipping_address: JSON | None, seconds: float
    ) -> JSON:
        """Ask the bot for the shipping options of a flexible invoice, as Telegram's payment form does."""
        invoice = message.invoice
        if invoice is None or message.deleted:
            raise ClientError(400, f"message {message.message_id} is not an invoice")
        if not invoice.is_flexible:
            raise ClientError(400, f"the invoice of message {message.message_id} has fixed shipping")
        self._world.find_member(chat, user.id)
        return await self._ask_shipping(invoice, user, shipping_address or DEFAULT_ADDRESS, seconds)

    async def _ask_shipping(self, invoice: Invoice, user: User, address: JSON, seconds: float) -> JSON:
        query = Query(self._world.new_id(), "shipping_query", user.id)
        answer = await self._world.ask(
            query, {"invoice_payload": invoice.payload, "shipping_address": address}, seconds
        )
        if answer is None:
            return {
                "ok": False,
                "error_message": f"the bot did not answer the shipping query within {seconds:g} seconds",
            }
        return answer

    async def _checkout(
        self,
        chat: Chat,
        message: Message,
        invoice: Invoice,
        user: User,
        address: JSON,
        info: JSON,
        shipping_option_id: str | None,
        tip_amount: int,
        seconds: float,
    ) -> JSON:
        world = self._world
        total = invoice.total_amount + tip_amount
        checkout: JSON = {"currency": invoice.currency, "invoice_payload": invoice.payload}
        if invoice.is_flexible:
            shipping = await self._ask_shipping(invoice, user, address, seconds)
            if not shipping["ok"]:
                return _rejected(shipping["error_message"])
            option = _pick(shipping["shipping_options"], shipping_option_id)
            total += sum(price["amount"] for price in option["prices"])
            checkout["shipping_option_id"] = option["id"]
        if info:
            checkout["order_info"] = info
        limit = min(seconds, limits.PRE_CHECKOUT_SECONDS)
        pre_checkout = Query(world.new_id(), "pre_checkout_query", user.id)
        answer = await world.ask(pre_checkout, {**checkout, "total_amount": total}, limit)
        if answer is None:
            return _rejected(f"the bot did not answer the pre-checkout query within {limit:g} seconds")
        if not answer["ok"]:
            return _rejected(answer["error_message"])
        number = world.new_id()
        stars = invoice.currency == limits.STARS
        payment = Payment(
            telegram_payment_charge_id=f"stx{number}" if stars else f"tg_charge_{number}",
            provider_payment_charge_id="" if stars else f"provider_charge_{number}",
            user_id=user.id,
            chat_id=chat.id,
            message_id=message.message_id,
            currency=invoice.currency,
            total_amount=total,
            invoice_payload=invoice.payload,
        )
        world.payments[payment.telegram_payment_charge_id] = payment
        successful = {
            **checkout,
            "total_amount": total,
            "telegram_payment_charge_id": payment.telegram_payment_charge_id,
            "provider_payment_charge_id": payment.provider_payment_charge_id,
        }
        service = world.post(chat, user.id, {"successful_payment": successful})
        update_id = world.deliver(service)
        return {
            "status": "paid",
            "telegram_payment_charge_id": payment.telegram_payment_charge_id,
            "total_amount": total,
            "message_id": service.message_id,
            "update_id": update_id,
        }


def _shipping_option(option: Any) -> JSON:
    if (
        not isinstance(option, dict)
        or not isinstance(option.get("id"), str)
        or not option["id"]
        or not isinstance(option.get("title"), str)
    ):
        raise bad_request("SHIPPING_OPTION_INVALID")
    return {
        "id": option["id"],
        "title": option["title"],
        "prices": limits.labeled_prices(option.get("prices")),
    }


def _error_message(params: Params) -> str:
    message = params.text("error_message")
    if not message:
        raise bad_request("ERROR_MESSAGE_EMPTY")
    return message


def _pick(options: list[JSON], option_id: str | None) -> JSON:
    if option_id is None:
        return options[0]
    for option in options:
        if option["id"] == option_id:
            return option
    offered = ", ".join(option["id"] for option in options)
    raise ClientError(400, f"shipping option {option_id!r} was not offered (the bot offered: {offered})")


def _order_info(invoice: Invoice, user: User, address: JSON) -> JSON:
    info: JSON = {}
    if invoice.need_name:
        info["name"] = user.first_name
    if invoice.need_phone_number:
        info["phone_number"] = DEFAULT_PHONE
    if invoice.need_email:
        info["email"] = f"{user.username or f'user{user.id}'}@example.org"
    if invoice.need_shipping_address:
        info["shipping_address"] = address
    return info


def _rejected(error_message: str) -> JSON:
    return {"status": "rejected", "error_message": error_message}
