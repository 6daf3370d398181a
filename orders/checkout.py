"""Checkout through Telegram Payments: invoice data, shipping options, pre-checkout, payment, refunds.

The flow follows Telegram's: :func:`start` freezes the cart into a checkout and returns what
``sendInvoice`` needs; :func:`shipping_options` answers the shipping query; :func:`pre_checkout`
revalidates prices, amount and stock and reserves the units; :func:`complete` turns the payment into
exactly one order per ``telegram_payment_charge_id``.

Shipping (prices in the shop currency, EUR):
  Germany standard 4.90, express 9.90; Austria and Switzerland 9.90 / 19.90; the rest of the EU
  12.90 / 24.90; no home delivery elsewhere. Standard delivery is free from 75.00 of goods (before
  discounts). Click & collect is free in every store (never the warehouse) that has every item in stock.

Telegram Stars (XTR): one price line, the amount to pay converted at the fixed rate ``STARS_PER_EUR``
and rounded up to a whole Star. Telegram asks no shipping address for Stars, so Stars orders are
standard orders with free shipping (digital goods and tests).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update

from catalog.models import Product, Stock, Store, Variant
from core.db import Session
from core.money import Money
from orders import carts, credits, states
from orders.models import Checkout, Order, OrderLine, Reservation
from orders.models import Refund as RefundRow
from orders.states import OrderView, Refused

CHECKOUT_TTL = timedelta(minutes=30)
# Telegram sends the payment within seconds of an approved pre-checkout; the margin covers retries.
RESERVATION_TTL = timedelta(minutes=10)
STARS = "XTR"
STARS_PER_EUR = Decimal(50)
MAX_LINES = 20
TITLE_LIMIT = 32
DESCRIPTION_LIMIT = 255
PAYLOAD_BYTES = 24  # 32 URL-safe characters; Telegram allows 128 bytes.

FREE_STANDARD_FROM = Decimal("75.00")
# (standard, express) per destination zone; countries outside every zone get click & collect only.
SHIPPING_PRICES: dict[str, tuple[Decimal, Decimal]] = {
    "domestic": (Decimal("4.90"), Decimal("9.90")),
    "neighbours": (Decimal("9.90"), Decimal("19.90")),
    "eu": (Decimal("12.90"), Decimal("24.90")),
}
EU_COUNTRIES = "BE BG CY CZ DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
ZONES = {"DE": "domestic", "AT": "neighbours", "CH": "neighbours"} | dict.fromkeys(
    EU_COUNTRIES.split(" "), "eu"
)
PICKUP_PREFIX = "pickup:"
GROUP_BUY = "group_buy"
HELD = "held"
# Raised by complete when the units went to someone else after all: the caller refunds the payment.
PAID_BUT_SOLD_OUT = "payment-error-sold-out"


@dataclass(frozen=True, slots=True)
class Price:
    """One price line of an invoice: a locale key for its label with arguments, and minor units."""

    label_key: str
    amount: int
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invoice:
    """What ``sendInvoice`` needs; title and description are made of product titles, within limits."""

    title: str
    description: str
    payload: str
    currency: str
    prices: tuple[Price, ...]
    need_shipping_address: bool
    is_flexible: bool

    @property
    def total_amount(self) -> int:
        """Return the sum of the price lines in minor units."""
        return sum(price.amount for price in self.prices)


@dataclass(frozen=True, slots=True)
class ShippingOption:
    """A way to receive the order: its id, a locale key with arguments for its label, and its price."""

    id: str
    label_key: str
    price: Money
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def prices(self) -> tuple[Price, ...]:
        """Return the option's price lines for ``answerShippingQuery``."""
        return (Price(self.label_key, self.price.minor, self.args),)


@dataclass(frozen=True, slots=True)
class PreCheckoutResult:
    """The answer to a pre-checkout query: ok, or the reason as a locale key with arguments."""

    ok: bool
    reason_key: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Refund:
    """What has to happen for a refund: Stars go back through ``refundStarPayment`` by the bot
    (``user_id`` and ``telegram_payment_charge_id``), provider payments are executed by the retailer."""

    order_id: int
    number: str
    payment_method: str
    amount: Money
    user_id: int | None
    telegram_payment_charge_id: str
    status: str

    @property
    def by_bot(self) -> bool:
        """Tell whether the bot calls ``refundStarPayment`` now."""
        return self.payment_method == "stars"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lines(items: list[carts.Item]) -> list[dict[str, Any]]:
    merged: dict[int, dict[str, Any]] = {}
    for item in items:
        line = merged.setdefault(
            item.variant_id,
            {
                "variant_id": item.variant_id,
                "product_id": item.product_id,
                "sku": item.sku,
                "title_de": item.title_de,
                "title_en": item.title_en,
                "colour": item.colour,
                "size": item.size,
                "quantity": 0,
                "unit_price": str(item.unit_price.amount),
                "added_by": {},
            },
        )
        line["quantity"] += item.quantity
        # Who put how many units in the cart, so that paying takes exactly these units out of it.
        line["added_by"][str(item.added_by)] = line["added_by"].get(str(item.added_by), 0) + item.quantity
    return list(merged.values())


def _title(line: dict[str, Any], locale: str) -> str:
    return str(line["title_en"] if locale == "en" else line["title_de"])


def _to_pay(checkout: Checkout) -> Money:
    return Money(checkout.subtotal - checkout.discount, checkout.currency)


def _stars(amount: Money) -> int:
    return max(1, math.ceil(amount.amount * STARS_PER_EUR))


def _invoice(checkout: Checkout) -> Invoice:
    lines, locale = checkout.lines, checkout.locale
    first = _title(lines[0], locale)
    title = _shorten(first if len(lines) == 1 else f"{first} +{len(lines) - 1}", TITLE_LIMIT)
    description = _shorten(
        ", ".join(
            f"{line['quantity']}× {_title(line, locale)} ({line['size']}, {line['colour']})" for line in lines
        ),
        DESCRIPTION_LIMIT,
    )
    if checkout.payment_method == "stars":
        prices: tuple[Price, ...] = (Price("invoice-total", _stars(_to_pay(checkout))),)
    else:
        prices = tuple(
            Price(
                "invoice-line",
                (Money(Decimal(line["unit_price"]), checkout.currency) * line["quantity"]).minor,
                {
                    "title": _title(line, locale),
                    "size": line["size"],
                    "colour": line["colour"],
                    "quantity": line["quantity"],
                },
            )
            for line in lines
        )
        if checkout.discount > 0:
            prices += (Price("invoice-discount", -Money(checkout.discount, checkout.currency).minor),)
    physical = checkout.payment_method == "provider"
    return Invoice(
        title=title,
        description=description,
        payload=checkout.payload,
        currency=STARS if checkout.payment_method == "stars" else checkout.currency,
        prices=prices,
        need_shipping_address=physical,
        is_flexible=physical,
    )


async def _check_stock(
    session: Session, *, checkout: Checkout, store_id: int | None, now: datetime, reason_key: str
) -> None:
    """Raise ``reason_key`` unless every line is available overall and, for pickup, in the store."""
    variant_ids = [line["variant_id"] for line in checkout.lines]
    for store in (None, store_id) if store_id is not None else (None,):
        units = await carts.available(
            session, variant_ids=variant_ids, now=now, store_id=store, exclude_checkout_id=checkout.id
        )
        for line in checkout.lines:
            if units[line["variant_id"]] < line["quantity"]:
                raise Refused(
                    reason_key,
                    title=_title(line, checkout.locale),
                    available=max(units[line["variant_id"]], 0),
                )


async def start(
    session: Session,
    *,
    user_id: int,
    chat_id: int,
    group_chat_id: int | None = None,
    locale: str,
    now: datetime,
    stars: bool = False,
    own_share: bool = False,
) -> Invoice:
    """Freeze the cart into a checkout valid for 30 minutes and return the invoice to send.

    In a group cart ``own_share`` takes only the lines the user added: each member pays their share.
    """
    items = await carts.items(session, user_id=user_id, group_chat_id=group_chat_id)
    if own_share:
        items = [item for item in items if item.added_by == user_id]
    if not items:
        raise Refused("checkout-error-empty-cart")
    lines = _lines(items)
    if len(lines) > MAX_LINES:
        raise Refused("checkout-error-too-many-items", max=MAX_LINES)
    subtotal = carts.total(items)
    discount = await credits.discount(session, user_id=user_id, subtotal=subtotal, now=now)
    checkout = Checkout(
        payload=secrets.token_urlsafe(PAYLOAD_BYTES),
        user_id=user_id,
        chat_id=chat_id,
        group_chat_id=group_chat_id,
        lines=lines,
        currency=subtotal.currency,
        subtotal=subtotal.amount,
        discount=discount.total.amount,
        credit=discount.credit.amount,
        voucher_redemption_id=discount.voucher_redemption_id,
        payment_method="stars" if stars else "provider",
        locale=locale,
        status="pending",
        created_at=now,
        expires_at=now + CHECKOUT_TTL,
    )
    session.add(checkout)
    await session.flush()
    await _check_stock(
        session, checkout=checkout, store_id=None, now=now, reason_key="checkout-error-out-of-stock"
    )
    return _invoice(checkout)


async def _pickup_stores(
    session: Session, *, checkout: Checkout, now: datetime
) -> list[tuple[int, str, str]]:
    needed = {line["variant_id"]: line["quantity"] for line in checkout.lines}
    stock = await session.execute(
        select(Store.id, Store.name, Store.city, Stock.variant_id, Stock.quantity)
        .join(Stock, Stock.store_id == Store.id)
        .where(Stock.variant_id.in_(needed), Store.is_warehouse.is_(False))
    )
    held = await session.execute(
        select(Reservation.store_id, Reservation.variant_id, func.sum(Reservation.quantity))
        .where(
            Reservation.variant_id.in_(needed),
            Reservation.store_id.is_not(None),
            Reservation.expires_at > now,
            Reservation.checkout_id != checkout.id,
        )
        .group_by(Reservation.store_id, Reservation.variant_id)
    )
    reserved = {(store_id, variant_id): int(quantity) for store_id, variant_id, quantity in held}
    stores: dict[int, tuple[str, str]] = {}
    covered: dict[int, int] = {}
    for store_id, name, city, variant_id, quantity in stock:
        stores[store_id] = (name, city)
        if quantity - reserved.get((store_id, variant_id), 0) >= needed[variant_id]:
            covered[store_id] = covered.get(store_id, 0) + 1
    return sorted(
        (store_id, *stores[store_id]) for store_id, count in covered.items() if count == len(needed)
    )


async def _open_checkout(
    session: Session, *, payload: str, user_id: int | None, now: datetime, lock: bool
) -> Checkout:
    query = select(Checkout).where(Checkout.payload == payload).execution_options(populate_existing=True)
    checkout = await session.scalar(query.with_for_update() if lock else query)
    if checkout is None or (user_id is not None and checkout.user_id != user_id):
        raise Refused("checkout-error-unknown")
    if checkout.status == "paid":
        raise Refused("checkout-error-already-paid")
    if checkout.status == HELD or checkout.expires_at < now:
        raise Refused("checkout-error-expired")
    return checkout


async def shipping_options(
    session: Session, *, payload: str, country_code: str, now: datetime
) -> list[ShippingOption]:
    """Return the delivery choices for the checkout and the buyer's country, and remember their prices."""
    checkout = await _open_checkout(session, payload=payload, user_id=None, now=now, lock=False)
    options: list[ShippingOption] = []
    zone = ZONES.get(country_code.upper())
    if zone is not None:
        standard, express = SHIPPING_PRICES[zone]
        if checkout.subtotal >= FREE_STANDARD_FROM:
            standard = Decimal(0)
        options += [
            ShippingOption("standard", "shipping-standard", Money(standard, checkout.currency)),
            ShippingOption("express", "shipping-express", Money(express, checkout.currency)),
        ]
    options += [
        ShippingOption(
            f"{PICKUP_PREFIX}{store_id}",
            "shipping-pickup",
            Money(Decimal(0), checkout.currency),
            {"store": name, "city": city},
        )
        for store_id, name, city in await _pickup_stores(session, checkout=checkout, now=now)
    ]
    checkout.shipping_quotes = {option.id: option.price.minor for option in options}
    await session.flush()
    return options


def _delivery(checkout: Checkout, shipping_option_id: str | None) -> tuple[str, int | None, Money]:
    """Return the delivery kind, the pickup store and the shipping price the buyer chose."""
    if checkout.payment_method == "stars":
        return "standard", None, Money(Decimal(0), checkout.currency)
    quotes = checkout.shipping_quotes or {}
    if shipping_option_id is None or shipping_option_id not in quotes:
        raise Refused("checkout-error-shipping")
    price = Money.from_minor(quotes[shipping_option_id], checkout.currency)
    if shipping_option_id.startswith(PICKUP_PREFIX):
        return "pickup", int(shipping_option_id.removeprefix(PICKUP_PREFIX)), price
    return shipping_option_id, None, price


async def _lock_stock(session: Session, *, checkout: Checkout) -> list[tuple[int, int, bool, int]]:
    """Lock the stock rows of the checkout's variants (in one order everywhere) and return them."""
    return await _lock_variants(session, variant_ids=[line["variant_id"] for line in checkout.lines])


async def _lock_variants(session: Session, *, variant_ids: list[int]) -> list[tuple[int, int, bool, int]]:
    rows = await session.execute(
        select(Stock.store_id, Stock.variant_id, Store.is_warehouse, Stock.quantity)
        .join(Store, Store.id == Stock.store_id)
        .where(Stock.variant_id.in_(variant_ids))
        .order_by(Stock.variant_id, Stock.store_id)
        .with_for_update(of=Stock)
    )
    return [
        (store_id, variant_id, is_warehouse, quantity)
        for store_id, variant_id, is_warehouse, quantity in rows
    ]


async def _check_prices(session: Session, *, checkout: Checkout) -> None:
    """Refuse products no longer sold and, except for a group buy's agreed tier price, changed prices."""
    rows = await session.execute(
        select(Variant.id, func.coalesce(Variant.price, Product.price), Product.active)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.id.in_([line["variant_id"] for line in checkout.lines]))
    )
    now_prices = {variant_id: (Decimal(price), active) for variant_id, price, active in rows}
    for line in checkout.lines:
        price, active = now_prices.get(line["variant_id"], (None, False))
        if not active:
            raise Refused("checkout-error-unavailable", title=_title(line, checkout.locale))
        if checkout.kind != GROUP_BUY and price != Decimal(line["unit_price"]):
            raise Refused("checkout-error-price-changed", title=_title(line, checkout.locale))


async def pre_checkout(
    session: Session,
    *,
    payload: str,
    user_id: int,
    total_amount: int,
    currency: str,
    shipping_option_id: str | None,
    now: datetime,
) -> PreCheckoutResult:
    """Revalidate the checkout (owner, expiry, prices, amount, credit, stock) and reserve its units."""
    try:
        checkout = await _open_checkout(session, payload=payload, user_id=user_id, now=now, lock=True)
        invoice = _invoice(checkout)
        _, store_id, shipping = _delivery(checkout, shipping_option_id)
        if currency != invoice.currency or total_amount != invoice.total_amount + shipping.minor:
            raise Refused("checkout-error-amount")
        await _check_prices(session, checkout=checkout)
        credit = await credits.balance(session, user_id=user_id, currency=checkout.currency)
        if credit.amount < checkout.credit:
            raise Refused("checkout-error-credit-changed")
        await _lock_stock(session, checkout=checkout)
        await _check_stock(
            session, checkout=checkout, store_id=store_id, now=now, reason_key="checkout-error-sold-out"
        )
    except Refused as refused:
        return PreCheckoutResult(ok=False, reason_key=refused.reason_key, args=refused.args_)
    await session.execute(delete(Reservation).where(Reservation.checkout_id == checkout.id))
    held_until = now + RESERVATION_TTL
    if checkout.kind == GROUP_BUY:  # the participant's units stay theirs until the payment deadline
        held_until = max(held_until, checkout.expires_at)
    session.add_all(
        Reservation(
            checkout_id=checkout.id,
            variant_id=line["variant_id"],
            store_id=store_id,
            quantity=line["quantity"],
            expires_at=held_until,
        )
        for line in checkout.lines
    )
    await session.flush()
    return PreCheckoutResult(ok=True)


async def _take(session: Session, *, store_id: int, variant_id: int, quantity: int, title: str) -> None:
    taken = await session.execute(
        update(Stock)
        .where(Stock.store_id == store_id, Stock.variant_id == variant_id, Stock.quantity >= quantity)
        .values(quantity=Stock.quantity - quantity)
    )
    if not getattr(taken, "rowcount", 0):
        raise Refused(PAID_BUT_SOLD_OUT, title=title)


async def _decrement(
    session: Session,
    *,
    checkout: Checkout,
    store_id: int | None,
    stock: list[tuple[int, int, bool, int]],
    now: datetime,
) -> None:
    """Take the units from the pickup store, or from the warehouse first and then the stores."""
    held = await session.execute(
        select(Reservation.store_id, Reservation.variant_id, func.sum(Reservation.quantity))
        .where(
            Reservation.variant_id.in_([line["variant_id"] for line in checkout.lines]),
            Reservation.store_id.is_not(None),
            Reservation.expires_at > now,
            Reservation.checkout_id != checkout.id,
        )
        .group_by(Reservation.store_id, Reservation.variant_id)
    )
    reserved = {(store, variant): int(quantity) for store, variant, quantity in held}
    for line in checkout.lines:
        variant_id, missing, title = line["variant_id"], line["quantity"], _title(line, checkout.locale)
        if store_id is not None:
            await _take(session, store_id=store_id, variant_id=variant_id, quantity=missing, title=title)
            continue
        # Warehouse first (False sorts before True after negation), then stores in id order.
        sources = sorted(
            (not is_warehouse, store, quantity - reserved.get((store, variant), 0))
            for store, variant, is_warehouse, quantity in stock
            if variant == variant_id
        )
        for _, store, free in sources:
            quantity = min(free, missing)
            if quantity > 0:
                await _take(session, store_id=store, variant_id=variant_id, quantity=quantity, title=title)
                missing -= quantity
        if missing:
            raise Refused(PAID_BUT_SOLD_OUT, title=title)


async def complete(
    session: Session,
    *,
    payload: str,
    user_id: int,
    chat_id: int,
    telegram_payment_charge_id: str,
    provider_payment_charge_id: str | None,
    total_amount: int,
    currency: str,
    shipping_option_id: str | None,
    shipping_address: dict[str, Any] | None,
    now: datetime,
) -> OrderView:
    """Turn a successful payment into its order, once per charge id; a repeated update returns it again.

    Raises Refused when the units are gone (a reservation expired long before the payment): the caller
    then refunds the payment.
    """
    # Locking the checkout first makes a duplicate delivery of the same payment wait for the first one,
    # which then has written the order this call finds.
    checkout = await session.scalar(
        select(Checkout)
        .where(Checkout.payload == payload)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    existing = await session.scalar(
        select(Order).where(Order.telegram_payment_charge_id == telegram_payment_charge_id)
    )
    if existing is not None:
        return (await states.views(session, [existing]))[0]
    if checkout is None or checkout.user_id != user_id:
        raise Refused("checkout-error-unknown")
    if checkout.status == "paid":
        raise Refused("checkout-error-already-paid")
    if checkout.status == HELD:
        raise Refused("checkout-error-expired")
    delivery, store_id, shipping = _delivery(checkout, shipping_option_id)
    stock = await _lock_stock(session, checkout=checkout)
    await _check_stock(session, checkout=checkout, store_id=store_id, now=now, reason_key=PAID_BUT_SOLD_OUT)
    await _decrement(session, checkout=checkout, store_id=store_id, stock=stock, now=now)
    await session.execute(delete(Reservation).where(Reservation.checkout_id == checkout.id))
    await carts.settle(
        session,
        user_id=checkout.user_id,
        group_chat_id=checkout.group_chat_id,
        paid=[
            (int(line["variant_id"]), int(added_by), int(quantity))
            for line in checkout.lines
            for added_by, quantity in line.get("added_by", {}).items()
        ],
    )
    order = Order(
        number=f"KR-{checkout.id:06d}",
        user_id=user_id,
        chat_id=chat_id,
        status="paid",
        delivery=delivery,
        store_id=store_id,
        shipping_address=shipping_address if delivery != "pickup" else None,
        currency=checkout.currency,
        subtotal=checkout.subtotal,
        shipping=shipping.amount,
        discount=checkout.discount,
        total=(_to_pay(checkout) + shipping).amount,
        telegram_payment_charge_id=telegram_payment_charge_id,
        provider_payment_charge_id=provider_payment_charge_id,
        payment_method=checkout.payment_method,
        locale=checkout.locale,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    await session.flush()
    session.add_all(
        OrderLine(
            order_id=order.id,
            variant_id=line["variant_id"],
            product_id=line["product_id"],
            sku=line["sku"],
            title_de=line["title_de"],
            title_en=line["title_en"],
            colour=line["colour"],
            size=line["size"],
            quantity=line["quantity"],
            unit_price=Decimal(line["unit_price"]),
        )
        for line in checkout.lines
    )
    states.record(session, order_id=order.id, status="paid", now=now, actor=None, note=None)
    await credits.spend(
        session,
        user_id=user_id,
        credit=Money(checkout.credit, checkout.currency),
        voucher_redemption_id=checkout.voucher_redemption_id,
        order_id=order.id,
        number=order.number,
        now=now,
    )
    checkout.status = "paid"
    checkout.order_id = order.id
    await session.flush()
    return (await states.views(session, [order]))[0]


async def hold(
    session: Session,
    *,
    user_id: int,
    variant_id: int,
    quantity: int,
    unit_price: Money,
    locale: str,
    until: datetime,
    now: datetime,
    checkout_id: int | None = None,
) -> int:
    """Keep ``quantity`` units of a variant for a group-buy participant until ``until``; no invoice yet.

    Changes the participant's existing hold when ``checkout_id`` is given. The stock rows are locked and
    the free units counted in this transaction, so holds, checkouts and other group buys never oversell;
    raises Refused("checkout-error-sold-out", available=…) when too few are free. Returns the checkout id.
    """
    row = (
        await session.execute(
            select(Variant, Product.title_de, Product.title_en)
            .join(Product, Product.id == Variant.product_id)
            .where(Variant.id == variant_id, Product.active.is_(True))
        )
    ).one_or_none()
    if row is None:
        raise Refused("checkout-error-unavailable", title="")
    variant, title_de, title_en = row
    line = {
        "variant_id": variant.id,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "title_de": title_de,
        "title_en": title_en,
        "colour": variant.colour,
        "size": variant.size,
        "quantity": quantity,
        "unit_price": str(unit_price.amount),
    }
    await _lock_variants(session, variant_ids=[variant_id])
    free = (
        await carts.available(session, variant_ids=[variant_id], now=now, exclude_checkout_id=checkout_id)
    )[variant_id]
    if free < quantity:
        raise Refused("checkout-error-sold-out", title=title_de, available=max(free, 0))
    checkout = await session.get(Checkout, checkout_id) if checkout_id is not None else None
    if checkout is None:
        checkout = Checkout(
            payload=secrets.token_urlsafe(PAYLOAD_BYTES),
            kind=GROUP_BUY,
            user_id=user_id,
            chat_id=user_id,
            discount=Decimal(0),
            credit=Decimal(0),
            payment_method="provider",
            status=HELD,
            created_at=now,
        )
        session.add(checkout)
    checkout.lines = [line]
    checkout.currency = unit_price.currency
    checkout.subtotal = (unit_price * quantity).amount
    checkout.locale = locale
    checkout.expires_at = until
    await session.flush()
    await session.execute(delete(Reservation).where(Reservation.checkout_id == checkout.id))
    session.add(
        Reservation(checkout_id=checkout.id, variant_id=variant_id, quantity=quantity, expires_at=until)
    )
    await session.flush()
    return checkout.id


async def release(session: Session, *, checkout_id: int) -> bool:
    """Give a group-buy participant's held units back and void their invoice; False if it is paid."""
    result = await session.execute(
        delete(Checkout).where(Checkout.id == checkout_id, Checkout.status != "paid")
    )
    return bool(getattr(result, "rowcount", 0))


async def offer(
    session: Session, *, checkout_id: int, unit_price: Money, stars: bool, until: datetime, now: datetime
) -> Invoice:
    """Make a held group-buy share payable at ``unit_price`` until ``until`` and return its invoice.

    The user's credit and voucher come off as in any checkout; the units stay held until ``until``.
    """
    checkout = await session.get(Checkout, checkout_id, with_for_update=True, populate_existing=True)
    if checkout is None or checkout.kind != GROUP_BUY or checkout.status == "paid":
        raise Refused("checkout-error-unknown")
    line = dict(checkout.lines[0]) | {"unit_price": str(unit_price.amount)}
    subtotal = unit_price * int(line["quantity"])
    discount = await credits.discount(session, user_id=checkout.user_id, subtotal=subtotal, now=now)
    checkout.lines = [line]
    checkout.subtotal = subtotal.amount
    checkout.discount = discount.total.amount
    checkout.credit = discount.credit.amount
    checkout.voucher_redemption_id = discount.voucher_redemption_id
    checkout.payment_method = "stars" if stars else "provider"
    checkout.status = "pending"
    checkout.expires_at = until
    await session.execute(
        update(Reservation).where(Reservation.checkout_id == checkout.id).values(expires_at=until)
    )
    await session.flush()
    return _invoice(checkout)


async def paid_orders(session: Session, *, checkout_ids: list[int]) -> dict[int, int]:
    """Return ``{checkout id: order id}`` for those of the checkouts that are paid."""
    rows = await session.execute(
        select(Checkout.id, Checkout.order_id).where(Checkout.id.in_(checkout_ids), Checkout.status == "paid")
    )
    return {checkout_id: order_id for checkout_id, order_id in rows if order_id is not None}


async def refund(session: Session, *, order_id: int, now: datetime, actor: str | None) -> Refund:
    """Mark the order refunded and record the refund: executed by the bot for Stars, else by the retailer."""
    order = await states.advance(session, order_id=order_id, to="refunded", now=now, actor=actor)
    status = "executed" if order.payment_method == "stars" else "to_execute"
    session.add(
        RefundRow(
            order_id=order.id,
            amount=order.total.amount,
            currency=order.currency,
            status=status,
            actor=actor,
            created_at=now,
        )
    )
    await session.flush()
    return Refund(
        order_id=order.id,
        number=order.number,
        payment_method=order.payment_method,
        amount=order.total,
        user_id=order.user_id,
        telegram_payment_charge_id=order.telegram_payment_charge_id,
        status=status,
    )
