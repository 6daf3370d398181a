"""Group buys: a product bought together at a price that falls with the number of units.

A retailer *offers* tiers for a product (``1:50 5:42 10:35``: from 1 unit 50 €, from 5 units 42 €, from 10
units 35 €) with a minimum and optionally a maximum (its stock allocation). A member of a group, or a
retailer, *opens* a group buy of such a product in a group with a deadline; the group buy copies the
offer, so a later change of the offer never changes a running group buy.

Joining never oversells. The group buy row is locked (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serialises writers), the units are counted against the maximum, and the units are
held in the store stock through :func:`orders.checkout.hold`, which locks the stock rows and counts what
is free beside every other checkout and group buy. A join that does not fit is refused with the units
left, and the person may queue on the waiting list; when units are freed (someone leaves or lowers their
quantity before the deadline, or lets the payment deadline pass) the first people in line whose quantity
fits move up.

Closing runs once: the deadline is a scheduled task (:mod:`core.tasks`) and the close itself changes the
status with the group buy locked, so a second run, another instance or the opener's early close find it
closed. With the minimum reached, every participant's hold becomes payable at the price of the tier
reached (one price for all, fixed at the close: who pays late or not at all changes nobody else's price)
with a payment deadline; a second task releases what is unpaid then and offers it to the waiting list.
Otherwise the group buy is cancelled, every hold is released and nobody pays. A participant's payment is
an ordinary checkout (:mod:`orders.checkout`): one order per payment, also when Telegram repeats it.

The progress message in the group is edited in place; like vote counts (:mod:`social.votes`), a change
only marks it due, and :func:`due_renders` hands it out at most once per interval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Product, Stock, Variant
from core import privacy, tasks
from core.chats import ACTIVE_STATUSES, Membership
from core.db import AutoId, Base, Session, UTCDateTime
from core.money import Money
from orders import checkout
from orders.states import Refused as OrderRefused
from social.errors import Refused

CLOSE = "groupbuy-close"
PAYMENT_DEADLINE = "groupbuy-payment-deadline"
PAY_WITHIN = timedelta(hours=24)
# How long a hold outlives the deadline: the close normally runs within seconds, but a bot that was down
# for a while must still find the units held when it closes late.
HOLD_MARGIN = timedelta(days=7)
DEADLINE_DAYS = (1, 3, 7)
QUANTITY_MAX = 20
TIERS_MAX = 6
STATUSES = ("open", "payment", "done", "cancelled")
# joined: units held (and, after the close, invoiced); waiting: on the waiting list;
# left / lapsed (did not pay in time) / cancelled (the group buy was): no units.
PARTICIPANT_STATUSES = ("joined", "waiting", "left", "lapsed", "cancelled")
TIER = re.compile(
    r"(\d{1,4})(?:\s*-\s*(\d{1,4})|(\+))?\s*[:=]\s*(\d{1,6}(?:[.,]\d{1,2})?)\s*(?:€|eur)?", re.I
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class GroupBuyOffer(Base):
    """A retailer's price tiers for a product: ``[[from units, price], …]``, minimum and allocation."""

    __tablename__ = "group_buy_offers"
    __table_args__ = (
        CheckConstraint("min_units >= 1", name="min_positive"),
        CheckConstraint("max_units IS NULL OR max_units >= min_units", name="max_above_min"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    tiers: Mapped[list[list[Any]]] = mapped_column(JSON)
    min_units: Mapped[int] = mapped_column(Integer)
    max_units: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupBuy(Base):
    """One group buy in a group, with the terms copied from the offer and what its message shows."""

    __tablename__ = "group_buys"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        Index("ix_group_buys_chat_id_status", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    by_retailer: Mapped[bool] = mapped_column(Boolean, default=False)
    tiers: Mapped[list[list[Any]]] = mapped_column(JSON)
    min_units: Mapped[int] = mapped_column(Integer)
    max_units: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # The language of the messages in the group (the opener's): a group has no language of its own.
    locale: Mapped[str] = mapped_column(String(8))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Fixed at the close: the price of the tier reached, for every participant.
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The units joined when it closed: what a cancelled group buy reached, for everyone to see.
    units_at_close: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every change counts up ``version``; the message shows ``rendered_version`` (see the module docs).
    version: Mapped[int] = mapped_column(Integer, default=0)
    rendered_version: Mapped[int] = mapped_column(Integer, default=0)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    render_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupBuyParticipant(Base):
    """A person in a group buy (or on its waiting list) with one variant and a quantity."""

    __tablename__ = "group_buy_participants"
    __table_args__ = (
        UniqueConstraint("group_buy_id", "user_id"),
        CheckConstraint(f"quantity BETWEEN 1 AND {QUANTITY_MAX}", name="quantity_range"),
        CheckConstraint(_one_of("status", PARTICIPANT_STATUSES), name="status"),
        Index("ix_group_buy_participants_group_buy_id_status", "group_buy_id", "status"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    group_buy_id: Mapped[int] = mapped_column(ForeignKey("group_buys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    # The held units and, after the close, the invoice: a checkout of kind "group_buy".
    checkout_id: Mapped[int | None] = mapped_column(ForeignKey("checkouts.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(8))
    pay_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person joined or queued: the order of the waiting list.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Tier:
    """From ``units`` units on, each unit costs ``price``."""

    units: int
    price: Money


@dataclass(frozen=True, slots=True)
class Offer:
    """A retailer's tiers for a product."""

    product_id: int
    tiers: tuple[Tier, ...]
    min_units: int
    max_units: int | None


@dataclass(frozen=True, slots=True)
class Progress:
    """What the group buy's message shows."""

    id: int
    product_id: int
    title_de: str
    title_en: str
    chat_id: int
    message_id: int | None
    status: str
    tiers: tuple[Tier, ...]
    min_units: int
    max_units: int | None
    deadline: datetime
    units: int
    participants: int
    waiting: int
    paid_units: int
    opened_by: int | None
    price: Money | None
    locale: str

    def title(self, locale: str) -> str:
        """Return the product's title in ``locale``."""
        return self.title_en if locale == "en" else self.title_de

    @property
    def tier(self) -> Tier:
        """Return the tier the units reach now (the first tier while nobody has joined)."""
        return reached(self.tiers, self.units)

    @property
    def next_tier(self) -> Tier | None:
        """Return the next cheaper tier, if there is one (and it fits under the maximum)."""
        following = next((tier for tier in self.tiers if tier.price.amount < self.tier.price.amount), None)
        if following is None or (self.max_units is not None and following.units > self.max_units):
            return None
        return following

    @property
    def full(self) -> bool:
        """Tell whether the maximum is reached."""
        return self.max_units is not None and self.units >= self.max_units

    @property
    def left(self) -> int | None:
        """Return how many units can still be joined (None: no maximum)."""
        return None if self.max_units is None else max(self.max_units - self.units, 0)


@dataclass(frozen=True, slots=True)
class Share:
    """One person's part of a group buy, as they see it."""

    group_buy_id: int
    user_id: int
    variant_id: int
    colour: str
    size: str
    quantity: int
    status: str
    position: int | None = None
    paid: bool = False
    order_id: int | None = None
    pay_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class Invitation:
    """An invoice to send a participant: their group buy share at the tier price, due by ``pay_by``."""

    user_id: int
    locale: str
    invoice: checkout.Invoice
    pay_by: datetime
    moved_up: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """A private message for a person: a locale key with arguments, in their language."""

    user_id: int
    locale: str
    key: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a change of a group buy means for people: invoices to send and messages to tell."""

    progress: Progress
    invitations: tuple[Invitation, ...] = ()
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """A group buy in a list: for a participant, with their share; for retailers, with the outcome."""

    progress: Progress
    share: Share | None = None


def reached(tiers: tuple[Tier, ...], units: int) -> Tier:
    """Return the tier that ``units`` units reach (the first one below its threshold)."""
    return next((tier for tier in reversed(tiers) if tier.units <= units), tiers[0])


def parse_tiers(text: str, *, currency: str) -> tuple[Tier, ...]:
    """Read tiers such as ``1-4:50 5-9:42 10+:35`` (or ``1:50 5:42 10:35``) and check they make sense.

    The first tier starts at one unit, each next one later and cheaper; ranges must follow each other.
    """
    found = list(TIER.finditer(text))
    rest = TIER.sub("", text).replace(",", " ").replace(";", " ").strip()
    if not found or rest or len(found) > TIERS_MAX:
        raise Refused("groupbuy-error-tiers", max=TIERS_MAX)
    tiers: list[Tier] = []
    previous_end: int | None = None
    for number, match in enumerate(found, start=1):
        units, upto = int(match[1]), match[2]
        price = Money(Decimal(match[4].replace(",", ".")), currency)
        if match[3] and number != len(found):
            raise Refused("groupbuy-error-tiers-order")  # "10+" is the last tier
        if tiers and (units <= tiers[-1].units or price.amount >= tiers[-1].price.amount):
            raise Refused("groupbuy-error-tiers-order")
        if (upto is not None and int(upto) < units) or (
            previous_end is not None and previous_end + 1 != units
        ):
            raise Refused("groupbuy-error-tiers-order")
        previous_end = int(upto) if upto is not None else None
        tiers.append(Tier(units, price))
    if tiers[0].units != 1 or any(tier.price.amount <= 0 for tier in tiers):
        raise Refused("groupbuy-error-tiers-start")
    return tuple(tiers)


def _tiers_json(tiers: tuple[Tier, ...]) -> list[list[Any]]:
    return [[tier.units, str(tier.price.amount)] for tier in tiers]


def _tiers(rows: list[list[Any]], currency: str) -> tuple[Tier, ...]:
    return tuple(Tier(int(units), Money(Decimal(price), currency)) for units, price in rows)


async def set_offer(
    session: Session,
    *,
    product_id: int,
    tiers: tuple[Tier, ...],
    min_units: int,
    max_units: int | None,
    by: int | None,
    now: datetime,
) -> Offer:
    """Offer (or change) a product's tiers; running group buys keep the terms they opened with."""
    product = await session.get(Product, product_id)
    if product is None:
        raise Refused("groupbuy-error-unknown-product")
    if any(tier.price.currency != product.currency for tier in tiers):
        raise Refused("groupbuy-error-tiers-start")
    if min_units < 1 or (max_units is not None and max_units < min_units):
        raise Refused("groupbuy-error-limits")
    offer = await session.get(GroupBuyOffer, product_id)
    if offer is None:
        offer = GroupBuyOffer(product_id=product_id)
        session.add(offer)
    offer.tiers = _tiers_json(tiers)
    offer.min_units = min_units
    offer.max_units = max_units
    offer.currency = product.currency
    offer.updated_by = by
    offer.updated_at = now
    await session.flush()
    return Offer(product_id=product_id, tiers=tiers, min_units=min_units, max_units=max_units)


async def offer_demo(session: Session, *, now: datetime, by: int | None = None) -> int:
    """Give the demo shop's three best-stocked products tiers (-10 % from 5, -20 % from 10); once only."""
    if await session.scalar(select(func.count()).select_from(GroupBuyOffer)):
        return 0
    stocked = (
        select(Stock.variant_id.label("variant_id"), func.sum(Stock.quantity).label("units"))
        .group_by(Stock.variant_id)
        .subquery()
    )
    rows = await session.execute(
        select(Product.id, Product.price, Product.currency)
        .join(Variant, Variant.product_id == Product.id)
        .join(stocked, stocked.c.variant_id == Variant.id)
        .where(Product.active.is_(True))
        .group_by(Product.id, Product.price, Product.currency)
        .order_by(func.sum(stocked.c.units).desc(), Product.id)
        .limit(3)
    )
    count = 0
    for product_id, price, currency in rows:
        tiers = tuple(
            Tier(units, Money(Decimal(price) * share, currency).quantize())
            for units, share in ((1, Decimal(1)), (5, Decimal("0.9")), (10, Decimal("0.8")))
        )
        await set_offer(
            session, product_id=product_id, tiers=tiers, min_units=5, max_units=30, by=by, now=now
        )
        count += 1
    return count


async def offers(session: Session, *, product_ids: list[int] | None = None, limit: int = 10) -> list[Offer]:
    """Return the offers of active products (of ``product_ids``, or the newest ones)."""
    query = (
        select(GroupBuyOffer)
        .join(Product, Product.id == GroupBuyOffer.product_id)
        .where(Product.active.is_(True))
        .order_by(GroupBuyOffer.updated_at.desc(), GroupBuyOffer.product_id)
        .limit(limit)
    )
    if product_ids is not None:
        query = query.where(GroupBuyOffer.product_id.in_(product_ids))
    return [
        Offer(
            product_id=row.product_id,
            tiers=_tiers(row.tiers, row.currency),
            min_units=row.min_units,
            max_units=row.max_units,
        )
        for row in await session.scalars(query)
    ]


async def _is_member(session: Session, *, chat_id: int, user_id: int) -> bool:
    status = await session.scalar(
        select(Membership.status).where(Membership.chat_id == chat_id, Membership.user_id == user_id)
    )
    return status in ACTIVE_STATUSES


async def open(
    session: Session,
    *,
    product_id: int,
    chat_id: int,
    opened_by: int,
    by_retailer: bool,
    days: int,
    locale: str,
    now: datetime,
) -> Progress:
    """Open a group buy of an offered product in a group for ``days`` days; one per product and group."""
    if days not in DEADLINE_DAYS:
        raise Refused("groupbuy-error-deadline")
    if not by_retailer and not await _is_member(session, chat_id=chat_id, user_id=opened_by):
        raise Refused("groupbuy-error-not-member")
    offer = await session.get(GroupBuyOffer, product_id)
    product = await session.get(Product, product_id)
    if offer is None or product is None or not product.active:
        raise Refused("groupbuy-error-no-tiers")
    running = await session.scalar(
        select(GroupBuy.id).where(
            GroupBuy.chat_id == chat_id, GroupBuy.product_id == product_id, GroupBuy.status == "open"
        )
    )
    if running is not None:
        raise Refused("groupbuy-error-already-open", id=str(running))
    group_buy = GroupBuy(
        product_id=product_id,
        chat_id=chat_id,
        opened_by=opened_by,
        by_retailer=by_retailer,
        tiers=offer.tiers,
        min_units=offer.min_units,
        max_units=offer.max_units,
        currency=offer.currency,
        locale=locale,
        deadline=now + timedelta(days=days),
        status="open",
        pinned=False,
        version=0,
        rendered_version=0,
        created_at=now,
    )
    session.add(group_buy)
    await session.flush()
    await tasks.schedule(session, kind=CLOSE, key=str(group_buy.id), due_at=group_buy.deadline)
    return await progress(session, group_buy_id=group_buy.id)


async def attach_message(
    session: Session, *, group_buy_id: int, message_id: int, pinned: bool, now: datetime
) -> None:
    """Remember the group's progress message (and whether it is pinned) once it is sent."""
    await session.execute(
        update(GroupBuy)
        .where(GroupBuy.id == group_buy_id)
        .values(message_id=message_id, pinned=pinned, rendered_at=now)
    )


async def progress(session: Session, *, group_buy_id: int) -> Progress:
    """Return what the group buy's message shows now."""
    found = await _progress(session, [group_buy_id])
    if not found:
        raise Refused("groupbuy-error-unknown")
    return found[0]


async def _progress(session: Session, group_buy_ids: list[int]) -> list[Progress]:
    if not group_buy_ids:
        return []
    rows = await session.execute(
        select(GroupBuy, Product.title_de, Product.title_en)
        .join(Product, Product.id == GroupBuy.product_id)
        .where(GroupBuy.id.in_(group_buy_ids))
    )
    counts = await session.execute(
        select(
            GroupBuyParticipant.group_buy_id,
            GroupBuyParticipant.status,
            func.count(),
            func.coalesce(func.sum(GroupBuyParticipant.quantity), 0),
        )
        .where(
            GroupBuyParticipant.group_buy_id.in_(group_buy_ids),
            GroupBuyParticipant.status.in_(("joined", "waiting")),
        )
        .group_by(GroupBuyParticipant.group_buy_id, GroupBuyParticipant.status)
    )
    people: dict[tuple[int, str], tuple[int, int]] = {
        (group_buy_id, status): (int(count), int(units)) for group_buy_id, status, count, units in counts
    }
    paid = await _paid_units(session, group_buy_ids)
    found = {
        group_buy.id: Progress(
            id=group_buy.id,
            product_id=group_buy.product_id,
            title_de=title_de,
            title_en=title_en,
            chat_id=group_buy.chat_id,
            message_id=group_buy.message_id,
            status=group_buy.status,
            tiers=_tiers(group_buy.tiers, group_buy.currency),
            min_units=group_buy.min_units,
            max_units=group_buy.max_units,
            deadline=group_buy.deadline,
            units=(group_buy.units_at_close or 0)
            if group_buy.status == "cancelled"
            else people.get((group_buy.id, "joined"), (0, 0))[1],
            participants=people.get((group_buy.id, "joined"), (0, 0))[0],
            waiting=people.get((group_buy.id, "waiting"), (0, 0))[0],
            paid_units=paid.get(group_buy.id, 0),
            opened_by=group_buy.opened_by,
            price=Money(group_buy.price, group_buy.currency) if group_buy.price is not None else None,
            locale=group_buy.locale,
        )
        for group_buy, title_de, title_en in rows
    }
    return [found[group_buy_id] for group_buy_id in group_buy_ids if group_buy_id in found]


async def _paid_units(session: Session, group_buy_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(
            GroupBuyParticipant.group_buy_id, GroupBuyParticipant.checkout_id, GroupBuyParticipant.quantity
        ).where(
            GroupBuyParticipant.group_buy_id.in_(group_buy_ids),
            GroupBuyParticipant.status == "joined",
            GroupBuyParticipant.checkout_id.is_not(None),
        )
    )
    shares = list(rows)
    paid = await checkout.paid_orders(session, checkout_ids=[int(row.checkout_id) for row in shares])
    units: dict[int, int] = {}
    for group_buy_id, checkout_id, quantity in shares:
        if checkout_id in paid:
            units[group_buy_id] = units.get(group_buy_id, 0) + quantity
    return units


async def _locked(session: Session, group_buy_id: int) -> GroupBuy:
    group_buy = await session.get(GroupBuy, group_buy_id, with_for_update=True, populate_existing=True)
    if group_buy is None:
        raise Refused("groupbuy-error-unknown")
    return group_buy


async def _participant(session: Session, group_buy_id: int, user_id: int) -> GroupBuyParticipant | None:
    return await session.scalar(
        select(GroupBuyParticipant)
        .where(GroupBuyParticipant.group_buy_id == group_buy_id, GroupBuyParticipant.user_id == user_id)
        .execution_options(populate_existing=True)
    )


async def _joined_units(session: Session, group_buy_id: int, *, except_user: int | None = None) -> int:
    query = select(func.coalesce(func.sum(GroupBuyParticipant.quantity), 0)).where(
        GroupBuyParticipant.group_buy_id == group_buy_id, GroupBuyParticipant.status == "joined"
    )
    if except_user is not None:
        query = query.where(GroupBuyParticipant.user_id != except_user)
    return int(await session.scalar(query) or 0)


def _changed(group_buy: GroupBuy, now: datetime) -> None:
    group_buy.version += 1
    if group_buy.render_due_at is None:
        group_buy.render_due_at = now


async def _check_variant(session: Session, group_buy: GroupBuy, variant_id: int) -> None:
    product_id = await session.scalar(select(Variant.product_id).where(Variant.id == variant_id))
    if product_id != group_buy.product_id:
        raise Refused("groupbuy-error-unknown")


def _provisional_price(group_buy: GroupBuy, units: int) -> Money:
    """The price a hold is kept at until the close fixes it (the tier these units reach now)."""
    return reached(_tiers(group_buy.tiers, group_buy.currency), units).price


async def _hold(
    session: Session,
    group_buy: GroupBuy,
    *,
    user_id: int,
    variant_id: int,
    quantity: int,
    locale: str,
    now: datetime,
    checkout_id: int | None,
    units_after: int,
) -> int:
    """Hold the units in the stock; Refused("groupbuy-sold-out", available=…) when the stock has too few."""
    price = Money(group_buy.price, group_buy.currency) if group_buy.price is not None else None
    try:
        return await checkout.hold(
            session,
            user_id=user_id,
            variant_id=variant_id,
            quantity=quantity,
            unit_price=price or _provisional_price(group_buy, units_after),
            locale=locale,
            until=group_buy.deadline + HOLD_MARGIN if group_buy.status == "open" else now + PAY_WITHIN,
            now=now,
            checkout_id=checkout_id,
        )
    except OrderRefused as refused:
        if refused.reason_key == "checkout-error-sold-out":
            raise Refused("groupbuy-sold-out", available=int(refused.args_.get("available", 0))) from refused
        raise Refused("groupbuy-error-unavailable") from refused


async def _wish(
    session: Session, *, group_buy_id: int, user_id: int, variant_id: int, quantity: int
) -> tuple[GroupBuy, GroupBuyParticipant | None]:
    """Check a wish to join or queue (quantity, membership, variant) and return the locked group buy and the
    person's participation so far."""
    if not 1 <= quantity <= QUANTITY_MAX:
        raise Refused("groupbuy-error-quantity", max=QUANTITY_MAX)
    group_buy = await _locked(session, group_buy_id)
    if not await _is_member(session, chat_id=group_buy.chat_id, user_id=user_id):
        raise Refused("groupbuy-error-not-member")
    await _check_variant(session, group_buy, variant_id)
    return group_buy, await _participant(session, group_buy_id, user_id)


async def join(
    session: Session,
    *,
    group_buy_id: int,
    user_id: int,
    variant_id: int,
    quantity: int,
    locale: str,
    now: datetime,
) -> Outcome:
    """Join with a variant and quantity, or change one's share; never beyond the maximum or the stock.

    Lowering a share frees units, which go to the waiting list (see :func:`leave`).
    """
    group_buy, mine = await _wish(
        session, group_buy_id=group_buy_id, user_id=user_id, variant_id=variant_id, quantity=quantity
    )
    if group_buy.status != "open" or group_buy.deadline <= now:
        raise Refused("groupbuy-error-closed")
    others = await _joined_units(session, group_buy_id, except_user=user_id)
    if group_buy.max_units is not None and others + quantity > group_buy.max_units:
        raise Refused("groupbuy-sold-out", available=max(group_buy.max_units - others, 0))
    was_joined = mine is not None and mine.status == "joined"
    checkout_id = await _hold(
        session,
        group_buy,
        user_id=user_id,
        variant_id=variant_id,
        quantity=quantity,
        locale=locale,
        now=now,
        checkout_id=mine.checkout_id if was_joined and mine is not None else None,
        units_after=others + quantity,
    )
    freed = 0
    if mine is None:
        mine = GroupBuyParticipant(group_buy_id=group_buy_id, user_id=user_id, queued_at=now)
        session.add(mine)
    elif was_joined:
        freed = max(mine.quantity - quantity, 0)
    else:
        mine.queued_at = now
    mine.variant_id = variant_id
    mine.quantity = quantity
    mine.status = "joined"
    mine.checkout_id = checkout_id
    mine.locale = locale
    mine.updated_at = now
    _changed(group_buy, now)
    await session.flush()
    notices = await _move_up(session, group_buy, now=now) if freed else ()
    return Outcome(progress=await progress(session, group_buy_id=group_buy_id), notices=notices)


async def queue(
    session: Session,
    *,
    group_buy_id: int,
    user_id: int,
    variant_id: int,
    quantity: int,
    locale: str,
    now: datetime,
) -> Share:
    """Put the person on the waiting list with a variant and quantity (or change their place's wish)."""
    group_buy, mine = await _wish(
        session, group_buy_id=group_buy_id, user_id=user_id, variant_id=variant_id, quantity=quantity
    )
    if group_buy.status not in {"open", "payment"}:
        raise Refused("groupbuy-error-closed")
    if mine is not None and mine.status == "joined":
        raise Refused("groupbuy-error-already-in")
    if mine is None:
        mine = GroupBuyParticipant(group_buy_id=group_buy_id, user_id=user_id)
        session.add(mine)
    if mine.status != "waiting":
        mine.queued_at = now
    mine.variant_id = variant_id
    mine.quantity = quantity
    mine.status = "waiting"
    mine.checkout_id = None
    mine.locale = locale
    mine.updated_at = now
    _changed(group_buy, now)
    await session.flush()
    share = await _share(session, mine)
    assert share is not None
    return share


async def leave(session: Session, *, group_buy_id: int, user_id: int, now: datetime) -> Outcome:
    """Leave before the deadline (the waiting list: at any time); freed units move the line up."""
    group_buy = await _locked(session, group_buy_id)
    mine = await _participant(session, group_buy_id, user_id)
    if mine is None or mine.status not in {"joined", "waiting"}:
        raise Refused("groupbuy-error-not-in")
    if mine.status == "joined" and (group_buy.status != "open" or group_buy.deadline <= now):
        raise Refused("groupbuy-error-leave-closed")
    was_joined = mine.status == "joined"
    if mine.checkout_id is not None:
        await checkout.release(session, checkout_id=mine.checkout_id)
    mine.status = "left"
    mine.checkout_id = None
    mine.updated_at = now
    _changed(group_buy, now)
    await session.flush()
    notices = await _move_up(session, group_buy, now=now) if was_joined else ()
    return Outcome(progress=await progress(session, group_buy_id=group_buy_id), notices=notices)


async def _promote(session: Session, group_buy: GroupBuy, *, now: datetime) -> list[GroupBuyParticipant]:
    """Give free units to the waiting list in order: each first person whose quantity fits moves up."""
    moved: list[GroupBuyParticipant] = []
    waiting = await session.scalars(
        select(GroupBuyParticipant)
        .where(GroupBuyParticipant.group_buy_id == group_buy.id, GroupBuyParticipant.status == "waiting")
        .order_by(GroupBuyParticipant.queued_at, GroupBuyParticipant.id)
    )
    for person in list(waiting):
        units = await _joined_units(session, group_buy.id)
        if group_buy.max_units is not None and units + person.quantity > group_buy.max_units:
            continue
        try:
            person.checkout_id = await _hold(
                session,
                group_buy,
                user_id=person.user_id,
                variant_id=person.variant_id,
                quantity=person.quantity,
                locale=person.locale,
                now=now,
                checkout_id=None,
                units_after=units + person.quantity,
            )
        except Refused:
            continue
        person.status = "joined"
        person.updated_at = now
        await session.flush()
        moved.append(person)
    if moved:
        _changed(group_buy, now)
    return moved


async def _move_up(session: Session, group_buy: GroupBuy, *, now: datetime) -> tuple[Notice, ...]:
    """Move the waiting list up into units freed before the close."""
    if group_buy.status != "open":
        return ()
    return tuple(
        Notice(person.user_id, person.locale, "groupbuy-moved-up", {"quantity": person.quantity})
        for person in await _promote(session, group_buy, now=now)
    )


async def close(
    session: Session, *, group_buy_id: int, now: datetime, stars: bool, by_user: int | None = None
) -> Outcome | None:
    """Close the group buy at its deadline (or early, by its opener, once the maximum is reached).

    Returns None when it was closed already (the task ran before, or on another instance).
    """
    group_buy = await _locked(session, group_buy_id)
    if group_buy.status != "open":
        if by_user is not None:
            raise Refused("groupbuy-error-closed")
        return None
    units = await _joined_units(session, group_buy_id)
    if by_user is not None:
        if by_user != group_buy.opened_by:
            raise Refused("groupbuy-error-not-opener")
        if group_buy.max_units is None or units < group_buy.max_units:
            raise Refused("groupbuy-error-not-full")
        await tasks.cancel(session, kind=CLOSE, key=str(group_buy_id), now=now)
    group_buy.closed_at = now
    group_buy.units_at_close = units
    _changed(group_buy, now)
    people = list(
        await session.scalars(
            select(GroupBuyParticipant)
            .where(
                GroupBuyParticipant.group_buy_id == group_buy_id,
                GroupBuyParticipant.status.in_(("joined", "waiting")),
            )
            .order_by(GroupBuyParticipant.queued_at, GroupBuyParticipant.id)
        )
    )
    if units < group_buy.min_units:
        group_buy.status = "cancelled"
        notices = []
        for person in people:
            if person.checkout_id is not None:
                await checkout.release(session, checkout_id=person.checkout_id)
            person.status, person.checkout_id, person.updated_at = "cancelled", None, now
            notices.append(
                Notice(person.user_id, person.locale, "groupbuy-cancelled", {"min": group_buy.min_units})
            )
        await session.flush()
        return Outcome(progress=await progress(session, group_buy_id=group_buy_id), notices=tuple(notices))
    tier = reached(_tiers(group_buy.tiers, group_buy.currency), units)
    group_buy.status = "payment"
    group_buy.price = tier.price.amount
    invitations = [
        await _invite(session, person, price=tier.price, stars=stars, now=now)
        for person in people
        if person.status == "joined"
    ]
    await tasks.schedule(session, kind=PAYMENT_DEADLINE, key=str(group_buy_id), due_at=now + PAY_WITHIN)
    await session.flush()
    return Outcome(
        progress=await progress(session, group_buy_id=group_buy_id), invitations=tuple(invitations)
    )


async def _invite(
    session: Session,
    person: GroupBuyParticipant,
    *,
    price: Money,
    stars: bool,
    now: datetime,
    moved_up: bool = False,
) -> Invitation:
    assert person.checkout_id is not None
    pay_by = now + PAY_WITHIN
    invoice = await checkout.offer(
        session, checkout_id=person.checkout_id, unit_price=price, stars=stars, until=pay_by, now=now
    )
    person.pay_by = pay_by
    person.updated_at = now
    return Invitation(person.user_id, person.locale, invoice, pay_by, moved_up)


async def settle(
    session: Session, *, group_buy_id: int, now: datetime, stars: bool
) -> tuple[Outcome | None, datetime | None]:
    """At a payment deadline: release unpaid shares, offer their units to the waiting list at the same price.

    Returns what to tell, and when to look again (the next payment deadline), or None when all is settled.
    """
    group_buy = await _locked(session, group_buy_id)
    if group_buy.status != "payment" or group_buy.price is None:
        return None, None
    price = Money(group_buy.price, group_buy.currency)
    joined = list(
        await session.scalars(
            select(GroupBuyParticipant).where(
                GroupBuyParticipant.group_buy_id == group_buy_id, GroupBuyParticipant.status == "joined"
            )
        )
    )
    settled = set(
        await checkout.paid_orders(
            session, checkout_ids=[person.checkout_id for person in joined if person.checkout_id is not None]
        )
    )
    notices: list[Notice] = []
    for person in joined:
        if person.checkout_id in settled or person.pay_by is None or person.pay_by > now:
            continue
        if person.checkout_id is not None and not await checkout.release(
            session, checkout_id=person.checkout_id
        ):
            settled.add(person.checkout_id)  # paid at the last moment: the share stays
            continue
        person.status, person.checkout_id, person.updated_at = "lapsed", None, now
        notices.append(Notice(person.user_id, person.locale, "groupbuy-lapsed"))
    await session.flush()
    invitations = [
        await _invite(session, person, price=price, stars=stars, now=now, moved_up=True)
        for person in await _promote(session, group_buy, now=now)
    ]
    open_shares = [
        person.pay_by
        for person in joined
        if person.status == "joined" and person.checkout_id not in settled and person.pay_by is not None
    ] + [invitation.pay_by for invitation in invitations]
    if not open_shares:
        group_buy.status = "done"
        for person in await session.scalars(
            select(GroupBuyParticipant).where(
                GroupBuyParticipant.group_buy_id == group_buy_id, GroupBuyParticipant.status == "waiting"
            )
        ):
            person.status, person.updated_at = "cancelled", now
            notices.append(Notice(person.user_id, person.locale, "groupbuy-waiting-ended"))
    _changed(group_buy, now)
    await session.flush()
    outcome = Outcome(
        progress=await progress(session, group_buy_id=group_buy_id),
        invitations=tuple(invitations),
        notices=tuple(notices),
    )
    return outcome, min(open_shares) if open_shares else None


async def mine(session: Session, *, group_buy_id: int, user_id: int) -> Share | None:
    """Return the person's share of a group buy (or their place on its waiting list)."""
    person = await _participant(session, group_buy_id, user_id)
    return await _share(session, person) if person is not None else None


async def _share(session: Session, person: GroupBuyParticipant) -> Share | None:
    variant = await session.get(Variant, person.variant_id)
    if variant is None:
        return None
    position = None
    if person.status == "waiting":
        position = 1 + int(
            await session.scalar(
                select(func.count()).where(
                    GroupBuyParticipant.group_buy_id == person.group_buy_id,
                    GroupBuyParticipant.status == "waiting",
                    tuple_(GroupBuyParticipant.queued_at, GroupBuyParticipant.id)
                    < tuple_(person.queued_at, person.id),
                )
            )
            or 0
        )
    paid = (
        await checkout.paid_orders(session, checkout_ids=[person.checkout_id])
        if person.checkout_id is not None
        else {}
    )
    return Share(
        group_buy_id=person.group_buy_id,
        user_id=person.user_id,
        variant_id=person.variant_id,
        colour=variant.colour,
        size=variant.size,
        quantity=person.quantity,
        status=person.status,
        position=position,
        paid=person.checkout_id in paid,
        order_id=paid.get(person.checkout_id) if person.checkout_id is not None else None,
        pay_by=person.pay_by,
    )


async def of_user(session: Session, *, user_id: int, limit: int = 10) -> list[Summary]:
    """Return the person's group buys, newest first, each with their share."""
    people = list(
        await session.scalars(
            select(GroupBuyParticipant)
            .where(GroupBuyParticipant.user_id == user_id)
            .order_by(GroupBuyParticipant.group_buy_id.desc())
            .limit(limit)
        )
    )
    found = {item.id: item for item in await _progress(session, [person.group_buy_id for person in people])}
    summaries = []
    for person in people:
        share = await _share(session, person)
        if person.group_buy_id in found:
            summaries.append(Summary(progress=found[person.group_buy_id], share=share))
    return summaries


async def listing(session: Session, *, limit: int = 20, retailer_id: int | None = None) -> list[Summary]:
    """Return the newest group buys (of ``retailer_id``'s products, if given) with their outcome."""
    query = select(GroupBuy.id).order_by(GroupBuy.id.desc()).limit(limit)
    if retailer_id is not None:
        query = query.join(Product, Product.id == GroupBuy.product_id).where(
            Product.retailer_id == retailer_id
        )
    ids = list(await session.scalars(query))
    return [Summary(progress=item) for item in await _progress(session, ids)]


async def shares(session: Session, *, group_buy_id: int) -> list[Share]:
    """Return every participant and waiting person of a group buy (for retailers), in joining order."""
    people = await session.scalars(
        select(GroupBuyParticipant)
        .where(GroupBuyParticipant.group_buy_id == group_buy_id)
        .order_by(GroupBuyParticipant.queued_at, GroupBuyParticipant.id)
    )
    found = [await _share(session, person) for person in list(people)]
    return [share for share in found if share is not None]


async def due_renders(
    session: Session,
    *,
    now: datetime,
    min_interval: timedelta,
    group_buy_id: int | None = None,
    limit: int = 50,
) -> list[Progress]:
    """Claim the progress messages due for an edit (at most one per ``min_interval``) and return them."""
    query = (
        select(GroupBuy.id, GroupBuy.version)
        .where(
            GroupBuy.render_due_at <= now,
            GroupBuy.message_id.is_not(None),
            GroupBuy.rendered_at.is_(None) | (GroupBuy.rendered_at <= now - min_interval),
        )
        .order_by(GroupBuy.render_due_at, GroupBuy.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if group_buy_id is not None:
        query = query.where(GroupBuy.id == group_buy_id)
    claimed = list(await session.execute(query))
    for claimed_id, version in claimed:
        await session.execute(
            update(GroupBuy)
            .where(GroupBuy.id == claimed_id)
            .values(render_due_at=None, rendered_at=now, rendered_version=version)
            .execution_options(synchronize_session=False)
        )
    return await _progress(session, [claimed_id for claimed_id, _ in claimed])


@privacy.section("group_buys")
async def _export(session: Session, user_id: int) -> Any:
    people = await session.scalars(
        select(GroupBuyParticipant)
        .where(GroupBuyParticipant.user_id == user_id)
        .order_by(GroupBuyParticipant.queued_at, GroupBuyParticipant.id)
    )
    opened = await session.scalars(select(GroupBuy.id).where(GroupBuy.opened_by == user_id))
    return {
        "opened": list(opened),
        "shares": [
            {
                "group_buy_id": person.group_buy_id,
                "variant_id": person.variant_id,
                "quantity": person.quantity,
                "status": person.status,
                "since": person.queued_at.isoformat(),
            }
            for person in people
        ],
    }


@privacy.eraser("group_buys")
async def _erase(session: Session, user_id: int, now: datetime) -> None:
    # As if the person left: their held units go back, the line moves up (those who move up get their
    # invoice at the close like everybody), and the group's progress message shows the change.
    people = await session.scalars(
        select(GroupBuyParticipant.group_buy_id)
        .where(GroupBuyParticipant.user_id == user_id)
        .order_by(GroupBuyParticipant.group_buy_id)
    )
    for group_buy_id in list(people):
        group_buy = await _locked(session, group_buy_id)
        mine = await _participant(session, group_buy_id, user_id)
        assert mine is not None
        was_joined = mine.status == "joined"
        if mine.checkout_id is not None:
            await checkout.release(session, checkout_id=mine.checkout_id)
        await session.delete(mine)
        await session.flush()
        if group_buy.status in {"open", "payment"}:
            _changed(group_buy, now)
        if was_joined and group_buy.status == "open" and group_buy.deadline > now:
            await _promote(session, group_buy, now=now)


@privacy.section("group_buy_offers")
async def _export_offers(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(GroupBuyOffer.product_id, GroupBuyOffer.updated_at)
        .where(GroupBuyOffer.updated_by == user_id)
        .order_by(GroupBuyOffer.updated_at, GroupBuyOffer.product_id)
    )
    return [{"product_id": product_id, "at": at.isoformat()} for product_id, at in rows]
