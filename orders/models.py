"""The orders schema: carts, checkouts and their reservations, orders with lines and history, refunds,
the credit ledger and vouchers.

Personal data goes with the user (ON DELETE CASCADE from ``users.id``) except orders and refunds: the
retailer must keep them for its books, so ``orders.user_id`` is set to NULL when the user is erased and
the order stays, without the link to the person.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import AutoId, Base, UTCDateTime

# Money is exact: Numeric(12, 2) beside an ISO 4217 code, never a float.
Amount = Numeric(12, 2)

ORDER_STATUSES = (
    "paid",
    "packed",
    "shipped",
    "out_for_delivery",
    "delivered",
    "ready_for_pickup",
    "picked_up",
    "cancelled",
    "refunded",
)
DELIVERIES = ("standard", "express", "pickup")
PAYMENT_METHODS = ("provider", "stars")
# "held": units kept for a group-buy participant; no invoice yet, so it cannot be paid before the close.
CHECKOUT_STATUSES = ("held", "pending", "paid")
# "cart": the frozen cart of one invoice; "group_buy": one participant's share of a group buy.
CHECKOUT_KINDS = ("cart", "group_buy")
REFUND_STATUSES = ("to_execute", "executed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Cart(Base):
    """A shopping cart: a user's own (``user_id``) or the shared cart of a group chat (``group_chat_id``)."""

    __tablename__ = "carts"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (group_chat_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    group_chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CartItem(Base):
    """Units of one variant in a cart, as added by one person, with the price at that moment."""

    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id", "added_by"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    price_when_added: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Checkout(Base):
    """A cart frozen for one invoice: what was offered at which price, until it is paid or expires."""

    __tablename__ = "checkouts"
    __table_args__ = (
        CheckConstraint(_one_of("status", CHECKOUT_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", CHECKOUT_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    payload: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="cart", server_default="cart")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The group whose shared cart is checked out; None for the personal cart.
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # [{"variant_id", "product_id", "sku", "title_de", "title_en", "colour", "size", "quantity",
    #   "unit_price" (a decimal string)}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(Amount)
    # Credit and voucher discount granted when the invoice was made; spent only on payment.
    discount: Mapped[Decimal] = mapped_column(Amount)
    # The part of the discount paid with the user's credit (the rest is a percentage voucher).
    credit: Mapped[Decimal] = mapped_column(Amount)
    voucher_redemption_id: Mapped[int | None] = mapped_column(
        ForeignKey("voucher_redemptions.id", ondelete="SET NULL")
    )
    payment_method: Mapped[str] = mapped_column(String(8))
    # The shipping options quoted for the buyer's address: {option id: price in minor units}.
    shipping_quotes: Mapped[dict[str, int] | None] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))


class Reservation(Base):
    """Units held for a checkout between pre-checkout and payment; nobody else can buy them meanwhile.

    ``store_id`` names the store for click & collect; home delivery reserves from the total stock.
    """

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_reservations_variant_id_expires_at", "variant_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Order(Base):
    """A paid order; kept for the retailer's books even when the buyer erases their data."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint(_one_of("delivery", DELIVERIES), name="delivery"),
        CheckConstraint(_one_of("payment_method", PAYMENT_METHODS), name="payment_method"),
        CheckConstraint("delivery <> 'pickup' OR store_id IS NOT NULL", name="pickup_store"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    # SET NULL, not CASCADE: erasing a user keeps their orders for the books, unlinked from them.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(24), index=True)
    delivery: Mapped[str] = mapped_column(String(8))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL"))
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(Amount)
    shipping: Mapped[Decimal] = mapped_column(Amount)
    discount: Mapped[Decimal] = mapped_column(Amount)
    total: Mapped[Decimal] = mapped_column(Amount)
    telegram_payment_charge_id: Mapped[str] = mapped_column(String(255), unique=True)
    provider_payment_charge_id: Mapped[str | None] = mapped_column(String(255))
    payment_method: Mapped[str] = mapped_column(String(8))
    locale: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderLine(Base):
    """One article of an order, copied at payment so it survives catalog changes."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(64))
    title_de: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    colour: Mapped[str] = mapped_column(String(24))
    size: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Amount)


class OrderEvent(Base):
    """One step of an order's history: the status it reached, when, by whom and why."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_id_at", "order_id", "at"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(255))
    actor: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Refund(Base):
    """A refund of an order: Stars are refunded by the bot ("executed"), provider payments by the
    retailer ("to_execute" until it confirms)."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint(_one_of("status", REFUND_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CreditEntry(Base):
    """A movement on a user's credit account (positive: granted, negative: spent); balance is the sum."""

    __tablename__ = "credit_entries"
    __table_args__ = (Index("ix_credit_entries_user_id_currency", "user_id", "currency"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Voucher(Base):
    """A promotion code worth a fixed amount (credited on redemption) or a percentage of one order."""

    __tablename__ = "vouchers"
    __table_args__ = (
        CheckConstraint("(amount IS NULL) <> (percent IS NULL)", name="amount_or_percent"),
        CheckConstraint("percent IS NULL OR (percent > 0 AND percent <= 100)", name="percent_range"),
        CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="uses_within_max"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    amount: Mapped[Decimal | None] = mapped_column(Amount)
    percent: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)


class VoucherRedemption(Base):
    """A user's redemption of a voucher (once per user and code); a percentage is spent by one order."""

    __tablename__ = "voucher_redemptions"
    __table_args__ = (UniqueConstraint("voucher_id", "user_id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
