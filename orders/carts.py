"""Carts: a personal cart per user and a shared cart per group chat, where each line records who added it.

A line keeps the price at the moment it was added, so the cart can show a price change before paying.
Stock is checked on adding: available units are the stock of every store (the warehouse included) minus
the units reserved by checkouts that are being paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update

from catalog.models import Product, Stock, Variant
from core import privacy
from core.db import Session, upsert
from core.money import Money
from core.users import User
from orders.models import Cart, CartItem, Checkout, Reservation
from orders.states import Refused

# The shop's currency, used for the totals of an empty cart.
CURRENCY = "EUR"


@dataclass(frozen=True, slots=True)
class Item:
    """A cart line with everything checkout needs to snapshot it."""

    variant_id: int
    product_id: int
    sku: str
    title_de: str
    title_en: str
    colour: str
    size: str
    quantity: int
    unit_price: Money
    price_when_added: Money
    added_by: int
    added_by_name: str

    def title(self, locale: str) -> str:
        """Return the title in ``locale`` (German for anything but English)."""
        return self.title_en if locale == "en" else self.title_de


@dataclass(frozen=True, slots=True)
class CartLine:
    """A cart line as the cart shows it."""

    variant_id: int
    product_id: int
    title: str
    colour: str
    size: str
    quantity: int
    unit_price: Money
    price_when_added: Money
    added_by: int
    added_by_name: str
    available: int

    @property
    def total(self) -> Money:
        """Return the current unit price times the quantity."""
        return self.unit_price * self.quantity

    @property
    def price_changed(self) -> bool:
        """Tell whether the price differs from the one when the line was added."""
        return self.unit_price != self.price_when_added


@dataclass(frozen=True, slots=True)
class CartView:
    """A cart with its lines and totals."""

    lines: tuple[CartLine, ...]
    subtotal: Money

    @property
    def units(self) -> int:
        """Return how many units the cart holds."""
        return sum(line.quantity for line in self.lines)

    @property
    def price_changed(self) -> bool:
        """Tell whether any line's price changed since it was added."""
        return any(line.price_changed for line in self.lines)


def _owner(user_id: int, group_chat_id: int | None) -> tuple[str, int]:
    return ("group_chat_id", group_chat_id) if group_chat_id is not None else ("user_id", user_id)


async def _cart_id(session: Session, *, user_id: int, group_chat_id: int | None) -> int | None:
    column, value = _owner(user_id, group_chat_id)
    return await session.scalar(select(Cart.id).where(getattr(Cart, column) == value))


async def _ensure_cart(session: Session, *, user_id: int, group_chat_id: int | None, now: datetime) -> int:
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    if cart_id is not None:
        return cart_id
    column, value = _owner(user_id, group_chat_id)
    await upsert(session, Cart.__table__, {column: value, "created_at": now}, conflict=[column])
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    assert cart_id is not None
    return cart_id


async def available(
    session: Session,
    *,
    variant_ids: list[int],
    now: datetime,
    store_id: int | None = None,
    exclude_checkout_id: int | None = None,
) -> dict[int, int]:
    """Return the units of each variant nobody has reserved: in all stores, or in ``store_id`` only."""
    stock = select(Stock.variant_id, func.sum(Stock.quantity)).where(Stock.variant_id.in_(variant_ids))
    held = select(Reservation.variant_id, func.sum(Reservation.quantity)).where(
        Reservation.variant_id.in_(variant_ids), Reservation.expires_at > now
    )
    if store_id is not None:
        stock = stock.where(Stock.store_id == store_id)
        held = held.where(Reservation.store_id == store_id)
    if exclude_checkout_id is not None:
        held = held.where(Reservation.checkout_id != exclude_checkout_id)
    units = {variant_id: 0 for variant_id in variant_ids}
    for variant_id, quantity in await session.execute(stock.group_by(Stock.variant_id)):
        units[variant_id] = int(quantity)
    for variant_id, quantity in await session.execute(held.group_by(Reservation.variant_id)):
        units[variant_id] -= int(quantity)
    return units


@dataclass(frozen=True, slots=True)
class Added:
    """What the cart says after adding: the variant's title in the locale, colour and size, and the units the
    whole cart holds now."""

    title: str
    colour: str
    size: str
    units: int


async def _offered(session: Session, *, variant_id: int) -> tuple[Money, Any]:
    """Return the variant's price now and its titles, colour and size; refuse what cannot be bought."""
    row = (
        await session.execute(
            select(
                func.coalesce(Variant.price, Product.price),
                Product.currency,
                Product.active,
                Product.title_de,
                Product.title_en,
                Variant.colour,
                Variant.size,
            )
            .join(Product, Product.id == Variant.product_id)
            .where(Variant.id == variant_id)
        )
    ).one_or_none()
    if row is None:
        raise Refused("cart-error-unknown-variant")
    if not row.active:
        raise Refused("cart-error-unavailable")
    return Money(Decimal(row[0]), row.currency), row


async def _in_cart(session: Session, *, cart_id: int, variant_id: int) -> int:
    quantity = await session.scalar(
        select(func.coalesce(func.sum(CartItem.quantity), 0)).where(
            CartItem.cart_id == cart_id, CartItem.variant_id == variant_id
        )
    )
    return int(quantity or 0)


async def _check_stock(session: Session, *, variant_id: int, wanted: int, now: datetime) -> None:
    units = (await available(session, variant_ids=[variant_id], now=now))[variant_id]
    if wanted > units:
        raise Refused("cart-error-out-of-stock", available=max(units, 0))


async def _mine(session: Session, *, cart_id: int, variant_id: int, user_id: int) -> CartItem | None:
    return await session.scalar(
        select(CartItem).where(
            CartItem.cart_id == cart_id, CartItem.variant_id == variant_id, CartItem.added_by == user_id
        )
    )


async def add(
    session: Session,
    *,
    user_id: int,
    variant_id: int,
    quantity: int = 1,
    group_chat_id: int | None = None,
    now: datetime,
) -> int:
    """Add units of a variant to the user's cart (or the group's); return the user's units of it."""
    mine, _, _ = await _add(
        session,
        user_id=user_id,
        variant_id=variant_id,
        quantity=quantity,
        group_chat_id=group_chat_id,
        now=now,
    )
    return mine


async def put(
    session: Session,
    *,
    user_id: int,
    variant_id: int,
    group_chat_id: int | None = None,
    locale: str,
    now: datetime,
) -> Added:
    """Add one unit of a variant like :func:`add`, and tell what the user is shown for it."""
    _, units, variant = await _add(
        session, user_id=user_id, variant_id=variant_id, quantity=1, group_chat_id=group_chat_id, now=now
    )
    title = variant.title_en if locale == "en" else variant.title_de
    return Added(title=title, colour=variant.colour, size=variant.size, units=units)


async def _add(
    session: Session,
    *,
    user_id: int,
    variant_id: int,
    quantity: int,
    group_chat_id: int | None,
    now: datetime,
) -> tuple[int, int, Any]:
    """Add the units; return the user's units of the variant, the cart's units, and the variant's row."""
    if quantity < 1:
        raise Refused("cart-error-quantity")
    price, variant = await _offered(session, variant_id=variant_id)
    cart_id = await _ensure_cart(session, user_id=user_id, group_chat_id=group_chat_id, now=now)
    # The cart's lines in one query: their currencies, the units of this variant, the user's own line.
    lines = (
        await session.execute(
            select(CartItem.id, CartItem.currency, CartItem.variant_id, CartItem.added_by, CartItem.quantity)
            .where(CartItem.cart_id == cart_id)
            .order_by(CartItem.id)
        )
    ).all()
    if {line.currency for line in lines} - {price.currency}:
        raise Refused("cart-error-currency")
    in_cart = sum(line.quantity for line in lines if line.variant_id == variant_id)
    in_cart_total = sum(line.quantity for line in lines)
    await _check_stock(session, variant_id=variant_id, wanted=in_cart + quantity, now=now)
    mine = next((line for line in lines if line.variant_id == variant_id and line.added_by == user_id), None)
    if mine is None:
        session.add(
            CartItem(
                cart_id=cart_id,
                variant_id=variant_id,
                added_by=user_id,
                quantity=quantity,
                price_when_added=price.amount,
                currency=price.currency,
                added_at=now,
            )
        )
        await session.flush()
        return quantity, in_cart_total + quantity, variant
    units = mine.quantity + quantity
    # An ORM update: a line read earlier in this unit of work shows the new quantity too.
    await session.execute(update(CartItem).where(CartItem.id == mine.id).values(quantity=units))
    return units, in_cart_total + quantity, variant


async def set_quantity(
    session: Session,
    *,
    user_id: int,
    variant_id: int,
    quantity: int,
    group_chat_id: int | None = None,
    now: datetime,
) -> int:
    """Set the units of a variant the user has in the cart (0 removes it); return the new quantity."""
    if quantity <= 0:
        await remove(session, user_id=user_id, variant_id=variant_id, group_chat_id=group_chat_id)
        return 0
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    item = (
        None
        if cart_id is None
        else await _mine(session, cart_id=cart_id, variant_id=variant_id, user_id=user_id)
    )
    if cart_id is None or item is None:
        raise Refused("cart-error-not-in-cart")
    if quantity > item.quantity:
        in_cart = await _in_cart(session, cart_id=cart_id, variant_id=variant_id)
        await _check_stock(session, variant_id=variant_id, wanted=in_cart - item.quantity + quantity, now=now)
    item.quantity = quantity
    await session.flush()
    return quantity


async def remove(
    session: Session, *, user_id: int, variant_id: int, group_chat_id: int | None = None
) -> bool:
    """Remove the user's line of a variant from the cart; True if there was one."""
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    if cart_id is None:
        return False
    result = await session.execute(
        delete(CartItem).where(
            CartItem.cart_id == cart_id, CartItem.variant_id == variant_id, CartItem.added_by == user_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def empty(session: Session, *, user_id: int, group_chat_id: int | None = None) -> int:
    """Remove every line of the cart (the whole group cart for a group); return how many there were."""
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    if cart_id is None:
        return 0
    result = await session.execute(delete(CartItem).where(CartItem.cart_id == cart_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def settle(
    session: Session, *, user_id: int, group_chat_id: int | None, paid: list[tuple[int, int, int]]
) -> None:
    """Take paid units ``(variant_id, added_by, quantity)`` out of the cart; what was added since stays."""
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    if cart_id is None:
        return
    for variant_id, added_by, quantity in paid:
        item = await _mine(session, cart_id=cart_id, variant_id=variant_id, user_id=added_by)
        if item is None:
            continue
        if item.quantity <= quantity:
            await session.delete(item)
        else:
            item.quantity -= quantity
    await session.flush()


async def items(session: Session, *, user_id: int, group_chat_id: int | None = None) -> list[Item]:
    """Return the cart's lines with current and original prices, in the order they were added."""
    cart_id = await _cart_id(session, user_id=user_id, group_chat_id=group_chat_id)
    if cart_id is None:
        return []
    rows = await session.execute(
        select(
            CartItem,
            Variant,
            Product.title_de,
            Product.title_en,
            Product.currency,
            func.coalesce(Variant.price, Product.price),
            User.first_name,
        )
        .join(Variant, Variant.id == CartItem.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(User, User.id == CartItem.added_by)
        .where(CartItem.cart_id == cart_id)
        .order_by(CartItem.added_at, CartItem.id)
    )
    return [
        Item(
            variant_id=variant.id,
            product_id=variant.product_id,
            sku=variant.sku,
            title_de=title_de,
            title_en=title_en,
            colour=variant.colour,
            size=variant.size,
            quantity=item.quantity,
            unit_price=Money(Decimal(price), currency),
            price_when_added=Money(item.price_when_added, item.currency),
            added_by=item.added_by,
            added_by_name=first_name,
        )
        for item, variant, title_de, title_en, currency, price, first_name in rows
    ]


def total(lines: list[Item]) -> Money:
    """Return the sum of the lines at their current prices."""
    currency = lines[0].unit_price.currency if lines else CURRENCY
    return sum((line.unit_price * line.quantity for line in lines), Money(Decimal(0), currency)).quantize()


async def view(
    session: Session, *, user_id: int, group_chat_id: int | None = None, locale: str, now: datetime
) -> CartView:
    """Return the cart as the user sees it: titles in ``locale``, prices now and when added, stock."""
    lines = await items(session, user_id=user_id, group_chat_id=group_chat_id)
    units = await available(session, variant_ids=sorted({line.variant_id for line in lines}), now=now)
    return CartView(
        lines=tuple(
            CartLine(
                variant_id=line.variant_id,
                product_id=line.product_id,
                title=line.title(locale),
                colour=line.colour,
                size=line.size,
                quantity=line.quantity,
                unit_price=line.unit_price,
                price_when_added=line.price_when_added,
                added_by=line.added_by,
                added_by_name=line.added_by_name,
                available=max(units[line.variant_id], 0),
            )
            for line in lines
        ),
        subtotal=total(lines),
    )


@privacy.section("cart")
async def _export(session: Session, user_id: int) -> Any:
    items = await session.execute(
        select(CartItem, Cart.group_chat_id, Variant.sku)
        .join(Cart, Cart.id == CartItem.cart_id)
        .join(Variant, Variant.id == CartItem.variant_id)
        .where(CartItem.added_by == user_id)
        .order_by(CartItem.added_at, CartItem.id)
    )
    checkouts = await session.scalars(
        select(Checkout).where(Checkout.user_id == user_id).order_by(Checkout.created_at, Checkout.id)
    )
    return {
        "items": [
            {
                "group_chat_id": group_chat_id,
                "sku": sku,
                "quantity": item.quantity,
                "price_when_added": {"amount": str(item.price_when_added), "currency": item.currency},
                "added_at": item.added_at.isoformat(),
            }
            for item, group_chat_id, sku in items
        ],
        "checkouts": [
            {
                "kind": row.kind,
                "status": row.status,
                "group_chat_id": row.group_chat_id,
                "subtotal": {"amount": str(row.subtotal), "currency": row.currency},
                "lines": [{"sku": line.get("sku"), "quantity": line.get("quantity")} for line in row.lines],
                "created_at": row.created_at.isoformat(),
            }
            for row in checkouts
        ],
    }
