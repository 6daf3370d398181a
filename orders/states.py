"""The order state machine, the order as the rest of the bot sees it, and its history.

Home delivery:  paid → packed → shipped → (out_for_delivery →) delivered
Click & collect: paid → ready_for_pickup → picked_up
An order can be cancelled until it leaves the shop (paid, packed, ready_for_pickup); money comes back
through ``refunded``, reachable from paid, cancelled, delivered and picked_up (a return). ``refunded``
is final. Delivery steps are refused for pickup orders and pickup steps for home delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select

from catalog.models import Product, Store
from core import privacy
from core.db import Session
from core.money import Money
from orders.models import Order, OrderEvent, OrderLine

TRANSITIONS: dict[str, frozenset[str]] = {
    "paid": frozenset({"packed", "ready_for_pickup", "cancelled", "refunded"}),
    "packed": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"out_for_delivery", "delivered"}),
    "out_for_delivery": frozenset({"delivered"}),
    "delivered": frozenset({"refunded"}),
    "ready_for_pickup": frozenset({"picked_up", "cancelled"}),
    "picked_up": frozenset({"refunded"}),
    "cancelled": frozenset({"refunded"}),
    "refunded": frozenset(),
}
HOME_DELIVERY_ONLY = frozenset({"packed", "shipped", "out_for_delivery", "delivered"})
PICKUP_ONLY = frozenset({"ready_for_pickup", "picked_up"})


class Refused(ValueError):
    """A request the shop turns down; ``reason_key`` names the locale text, ``args`` fill it in."""

    def __init__(self, reason_key: str, **args: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.args_ = args


class IllegalTransition(Refused):
    """The order cannot move from its status to the requested one."""


class UnknownOrder(LookupError):
    """No order has this id."""


@dataclass(frozen=True, slots=True)
class LineView:
    """One article of an order."""

    variant_id: int | None
    product_id: int | None
    sku: str
    title_de: str
    title_en: str
    colour: str
    size: str
    quantity: int
    unit_price: Money

    def title(self, locale: str) -> str:
        """Return the title in ``locale`` (German for anything but English)."""
        return self.title_en if locale == "en" else self.title_de

    @property
    def total(self) -> Money:
        """Return unit price times quantity."""
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with its lines."""

    id: int
    number: str
    user_id: int | None
    chat_id: int
    status: str
    delivery: str
    store_id: int | None
    shipping_address: dict[str, Any] | None
    subtotal: Money
    shipping: Money
    discount: Money
    total: Money
    telegram_payment_charge_id: str
    provider_payment_charge_id: str | None
    payment_method: str
    locale: str
    created_at: datetime
    updated_at: datetime
    lines: tuple[LineView, ...]

    @property
    def currency(self) -> str:
        """Return the currency every amount of the order is in."""
        return self.total.currency


@dataclass(frozen=True, slots=True)
class EventView:
    """One step of an order's history."""

    status: str
    note: str | None
    actor: str | None
    at: datetime


async def views(session: Session, orders: list[Order]) -> list[OrderView]:
    """Turn order rows into views, loading all their lines in one query."""
    if not orders:
        return []
    lines: dict[int, list[LineView]] = {order.id: [] for order in orders}
    rows = await session.scalars(
        select(OrderLine).where(OrderLine.order_id.in_(lines)).order_by(OrderLine.order_id, OrderLine.id)
    )
    currencies = {order.id: order.currency for order in orders}
    for line in rows:
        lines[line.order_id].append(
            LineView(
                variant_id=line.variant_id,
                product_id=line.product_id,
                sku=line.sku,
                title_de=line.title_de,
                title_en=line.title_en,
                colour=line.colour,
                size=line.size,
                quantity=line.quantity,
                unit_price=Money(line.unit_price, currencies[line.order_id]),
            )
        )
    return [
        OrderView(
            id=order.id,
            number=order.number,
            user_id=order.user_id,
            chat_id=order.chat_id,
            status=order.status,
            delivery=order.delivery,
            store_id=order.store_id,
            shipping_address=order.shipping_address,
            subtotal=Money(order.subtotal, order.currency),
            shipping=Money(order.shipping, order.currency),
            discount=Money(order.discount, order.currency),
            total=Money(order.total, order.currency),
            telegram_payment_charge_id=order.telegram_payment_charge_id,
            provider_payment_charge_id=order.provider_payment_charge_id,
            payment_method=order.payment_method,
            locale=order.locale,
            created_at=order.created_at,
            updated_at=order.updated_at,
            lines=tuple(lines[order.id]),
        )
        for order in orders
    ]


def record(
    session: Session, *, order_id: int, status: str, now: datetime, actor: str | None, note: str | None
) -> None:
    """Add a step to the order's history (flushed with the unit of work)."""
    session.add(OrderEvent(order_id=order_id, status=status, note=note, actor=actor, at=now))


def _check(order: Order, to: str) -> None:
    """Raise IllegalTransition unless ``order`` may move to ``to``."""
    allowed = TRANSITIONS.get(order.status, frozenset())
    wrong_kind = to in (PICKUP_ONLY if order.delivery != "pickup" else HOME_DELIVERY_ONLY)
    if to not in allowed or wrong_kind:
        raise IllegalTransition(
            "order-error-illegal-transition", number=order.number, status=order.status, to=to
        )


async def advance(
    session: Session,
    *,
    order_id: int,
    to: str,
    now: datetime,
    actor: str | None = None,
    note: str | None = None,
) -> OrderView:
    """Move the order to status ``to`` and record it in its history, or raise IllegalTransition."""
    # The row lock makes a second, concurrent advance wait and then see the new status.
    order = await session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None:
        raise UnknownOrder(order_id)
    _check(order, to)
    order.status = to
    order.updated_at = now
    record(session, order_id=order.id, status=to, now=now, actor=actor, note=note)
    await session.flush()
    return (await views(session, [order]))[0]


async def get(session: Session, *, order_id: int) -> OrderView | None:
    """Return the order with its lines, or None."""
    order = await session.get(Order, order_id)
    return None if order is None else (await views(session, [order]))[0]


async def by_number(session: Session, *, number: str) -> OrderView | None:
    """Return the order with this reference (e.g. ``KR-000123``, case-insensitive), or None."""
    order = await session.scalar(select(Order).where(Order.number == number.strip().upper()))
    return None if order is None else (await views(session, [order]))[0]


async def of_user(session: Session, *, user_id: int, limit: int = 20) -> list[OrderView]:
    """Return the user's latest orders, newest first."""
    rows = await session.scalars(
        select(Order)
        .where(Order.user_id == user_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return await views(session, list(rows))


async def history(session: Session, *, order_id: int) -> list[EventView]:
    """Return the order's steps, oldest first."""
    rows = await session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.at, OrderEvent.id)
    )
    return [EventView(status=row.status, note=row.note, actor=row.actor, at=row.at) for row in rows]


async def retailer_ids(session: Session, *, order_id: int) -> set[int]:
    """Return the retailers an order belongs to: those of its articles and of its pickup store.

    A retailer manages an order only when it is the order's one retailer (see ``catalog.retailers.Scope``).
    """
    products = await session.scalars(
        select(Product.retailer_id)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .where(OrderLine.order_id == order_id)
        .distinct()
    )
    stores = await session.scalars(
        select(Store.retailer_id).join(Order, Order.store_id == Store.id).where(Order.id == order_id)
    )
    return {*products, *stores}


def owned_by(retailer_id: int) -> ColumnElement[bool]:
    """Return a condition on ``Order`` that holds for the orders of ``retailer_id`` alone."""
    lines = (
        select(OrderLine.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == Order.id)
    )
    foreign_store = select(Store.id).where(Store.id == Order.store_id, Store.retailer_id != retailer_id)
    return (
        exists(lines.where(Product.retailer_id == retailer_id))
        & ~exists(lines.where(Product.retailer_id != retailer_id))
        & ~exists(foreign_store)
    )


async def of_retailer(
    session: Session,
    *,
    retailer_id: int,
    statuses: frozenset[str] | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[OrderView]:
    """Return the retailer's orders, newest first (older than ``before_id``, if given)."""
    query = select(Order).where(owned_by(retailer_id)).order_by(Order.id.desc()).limit(limit)
    if statuses is not None:
        query = query.where(Order.status.in_(statuses))
    if before_id is not None:
        query = query.where(Order.id < before_id)
    return await views(session, list(await session.scalars(query)))


def _money(value: Money) -> dict[str, str]:
    return {"amount": str(value.amount), "currency": value.currency}


@privacy.section("orders")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.scalars(
        select(Order).where(Order.user_id == user_id).order_by(Order.created_at, Order.id)
    )
    return [
        {
            "number": order.number,
            "status": order.status,
            "delivery": order.delivery,
            "shipping_address": order.shipping_address,
            "subtotal": _money(order.subtotal),
            "shipping": _money(order.shipping),
            "discount": _money(order.discount),
            "total": _money(order.total),
            "payment_method": order.payment_method,
            "created_at": order.created_at.isoformat(),
            "lines": [
                {
                    "sku": line.sku,
                    "title": line.title(order.locale),
                    "colour": line.colour,
                    "size": line.size,
                    "quantity": line.quantity,
                    "unit_price": _money(line.unit_price),
                }
                for line in order.lines
            ],
        }
        for order in await views(session, list(rows))
    ]
