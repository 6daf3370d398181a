"""Getting orders to the customer: shipments and their tracking, delivery windows, click & collect
pickups with their codes, and the review the customer is asked for once the order has arrived.

Every status change of an order goes through :func:`orders.states.advance`. Tracking news reaches the
customer as :class:`Notice` values (a locale key and its arguments); each carrier event is stored once
and marked notified in the transaction that returns its notice, so it is announced exactly once.
"""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import segno
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Store
from core import privacy, tasks
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.users import DEFAULT_TIME_ZONE, User
from orders import states
from orders.carriers import CarrierEvent, CarrierLookup, DeliveryWindow, WindowUnavailable
from orders.models import Order, OrderEvent, Refund

log = logging.getLogger(__name__)

PICKUP_REMINDER = "pickup-reminder"
REVIEW_PROMPT = "review-prompt"

PICKUP_DAYS = 7
# Stores keep parcels until the end of the seventh day in their own (German) time.
STORE_TIME_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
# The reminder comes in the morning of the day before the last day, not at midnight.
REMINDER_AT = time(10)
# No 0/O, 1/I: the code is read aloud at the counter and typed in by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
QR_SCALE = 12

REVIEW_PROMPT_AFTER = timedelta(days=1)
REVIEW_TEXT_MAX = 500
RECEIVED = frozenset({"delivered", "picked_up"})

QUIET_FROM = time(22)
QUIET_UNTIL = time(8)

# The order status a carrier event moves the order to, and the statuses of an order on its way.
STATUS_FOR_EVENT = {"out_for_delivery": "out_for_delivery", "delivered": "delivered"}
ON_THE_WAY = frozenset({"shipped", "out_for_delivery"})
# Events of the delivery day are sent at once, even in the customer's quiet hours.
DELIVERY_DAY_EVENTS = frozenset({"out_for_delivery", "delivered", "delivery_failed"})
NOTICE_KEYS = {
    "label_created": "tracking-label-created",
    "in_transit": "tracking-in-transit",
    "out_for_delivery": "tracking-out-for-delivery",
    "delivered": "tracking-delivered",
    "delivery_failed": "tracking-delivery-failed",
}


class Shipment(Base):
    """An order's parcel with a carrier; tracked until it is delivered (``closed_at``)."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    carrier: Mapped[str] = mapped_column(String(32))
    tracking_number: Mapped[str] = mapped_column(String(64), unique=True)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_event_code: Mapped[str | None] = mapped_column(String(32))
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class ShipmentEvent(Base):
    """A carrier event of a shipment, stored once; ``notified_at`` says when the customer was told."""

    __tablename__ = "shipment_events"
    __table_args__ = (UniqueConstraint("shipment_id", "code", "at"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(128))
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Pickup(Base):
    """A click & collect order waiting in its store; the code is unique among uncollected pickups."""

    __tablename__ = "pickups"
    __table_args__ = (
        Index(
            "uq_pickups_open_code",
            "code",
            unique=True,
            sqlite_where=text("picked_up_at IS NULL"),
            postgresql_where=text("picked_up_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Review(Base):
    """A customer's star rating and short review of an order they received; one per order."""

    __tablename__ = "reviews"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(String(REVIEW_TEXT_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


NoticeArg = str | int | datetime


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for the customer of an order: a locale key with its arguments.

    Datetime arguments are shown in ``time_zone``; an ``urgent`` notice is sent even in quiet hours.
    """

    order_id: int
    chat_id: int
    locale: str
    key: str
    args: Mapping[str, NoticeArg]
    urgent: bool
    time_zone: str


@dataclass(frozen=True, slots=True)
class ShipmentView:
    """An order's parcel and its delivery window."""

    order_id: int
    carrier: str
    tracking_number: str
    window_start: datetime | None
    window_end: datetime | None
    last_event_code: str | None
    last_event_at: datetime | None
    shipped_at: datetime
    delivered: bool


@dataclass(frozen=True, slots=True)
class PickupView:
    """A click & collect order ready in its store."""

    order_id: int
    order_number: str
    code: str
    store_name: str
    store_address: str
    store_city: str
    opening_hours: str | None
    ready_at: datetime
    deadline: datetime
    picked_up_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A customer's review of an order."""

    order_id: int
    user_id: int
    stars: int
    text: str | None
    created_at: datetime


class TrackingNumberTaken(states.Refused):
    """Another shipment already has this tracking number."""


class TrackingRefused(states.Refused):
    """The order has no parcel on its way, or its delivery window cannot be changed."""


class WrongPickupCode(states.Refused):
    """The pickup code does not belong to the order, or the order is not waiting for pickup."""


class InvalidReview(states.Refused):
    """The review cannot be stored (see ``reason_key``)."""


def is_quiet(
    now: datetime,
    time_zone: str,
    *,
    quiet_from: time | None = QUIET_FROM,
    quiet_until: time | None = QUIET_UNTIL,
) -> bool:
    """Return whether ``now`` falls in the quiet hours of ``time_zone`` (22:00–08:00 unless others are given;
    None or an empty span: never quiet)."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return False
    local = now.astimezone(ZoneInfo(time_zone)).time()
    if quiet_from < quiet_until:
        return quiet_from <= local < quiet_until
    return local >= quiet_from or local < quiet_until


# Shipping and tracking


async def ship(
    session: Session, *, order_id: int, carrier: str, tracking_number: str, now: datetime, actor: str | None
) -> ShipmentView:
    """Hand the order to ``carrier`` under ``tracking_number`` and start tracking it."""
    tracking_number = tracking_number.strip()
    taken = await session.scalar(select(Shipment.id).where(Shipment.tracking_number == tracking_number))
    if taken is not None:
        raise TrackingNumberTaken("tracking-error-number-taken", tracking_number=tracking_number)
    await states.advance(session, order_id=order_id, to="shipped", now=now, actor=actor, note=tracking_number)
    row = Shipment(order_id=order_id, carrier=carrier, tracking_number=tracking_number, shipped_at=now)
    session.add(row)
    await session.flush()
    return _shipment_view(row)


async def shipment(session: Session, *, order_id: int) -> ShipmentView | None:
    """Return the order's parcel, or None when it was not shipped."""
    row = await session.scalar(select(Shipment).where(Shipment.order_id == order_id))
    return None if row is None else _shipment_view(row)


async def poll(
    session: Session, *, carrier_lookup: CarrierLookup, now: datetime, batch: int = 100
) -> list[Notice]:
    """Ask the carriers about every parcel on its way and return one notice per new event.

    Shipments are read in batches by id and locked for this unit of work; another instance polling at
    the same time skips them (PostgreSQL) or waits for this one to commit (SQLite), and then finds their
    events stored already.
    """
    notices: list[Notice] = []
    after = 0
    while True:
        shipments = list(
            await session.scalars(
                select(Shipment)
                .where(Shipment.closed_at.is_(None), Shipment.id > after)
                .order_by(Shipment.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        )
        if not shipments:
            return notices
        recipients = await _recipients(session, [row.order_id for row in shipments])
        for row in shipments:
            notices += await _track(session, row, recipients[row.order_id], carrier_lookup, now)
        after = shipments[-1].id


async def windows(session: Session, *, order_id: int, carrier_lookup: CarrierLookup) -> list[DeliveryWindow]:
    """Return the delivery windows the customer can pick for the order's parcel."""
    row = await _active_shipment(session, order_id)
    return await carrier_lookup(row.carrier).windows(row.tracking_number)


async def choose_window(
    session: Session, *, order_id: int, window_id: str, carrier_lookup: CarrierLookup, now: datetime
) -> DeliveryWindow:
    """Have the carrier deliver the order's parcel in window ``window_id``; return the confirmed window."""
    row = await _active_shipment(session, order_id)
    try:
        window = await carrier_lookup(row.carrier).choose_window(row.tracking_number, window_id)
    except WindowUnavailable:
        raise TrackingRefused("tracking-error-window-unavailable") from None
    row.window_start, row.window_end, row.window_chosen_at = window.start, window.end, now
    await session.flush()
    return window


# Click & collect


async def ready_for_pickup(
    session: Session, *, order_id: int, now: datetime, actor: str | None
) -> PickupView:
    """Mark the order ready in its store, give it a pickup code and schedule the deadline reminder."""
    await states.advance(session, order_id=order_id, to="ready_for_pickup", now=now, actor=actor)
    last_day = now.astimezone(STORE_TIME_ZONE).date() + timedelta(days=PICKUP_DAYS)
    deadline = datetime.combine(last_day, time(23, 59, 59), tzinfo=STORE_TIME_ZONE)
    row = Pickup(order_id=order_id, code=await _free_code(session), ready_at=now, deadline=deadline)
    session.add(row)
    await session.flush()
    reminder_at = datetime.combine(last_day - timedelta(days=1), REMINDER_AT, tzinfo=STORE_TIME_ZONE)
    await tasks.schedule(session, kind=PICKUP_REMINDER, key=str(order_id), due_at=reminder_at)
    view = await pickup(session, order_id=order_id)
    assert view is not None
    return view


async def pickup(session: Session, *, order_id: int) -> PickupView | None:
    """Return the order's pickup with its code and store, or None for an order not made ready."""
    row = (
        await session.execute(
            select(Pickup, Order.number, Store)
            .join(Order, Order.id == Pickup.order_id)
            .join(Store, Store.id == Order.store_id)
            .where(Pickup.order_id == order_id)
        )
    ).one_or_none()
    if row is None:
        return None
    found, number, store = row
    return PickupView(
        order_id=found.order_id,
        order_number=number,
        code=found.code,
        store_name=store.name,
        store_address=store.address,
        store_city=store.city,
        opening_hours=store.opening_hours,
        ready_at=found.ready_at,
        deadline=found.deadline,
        picked_up_at=found.picked_up_at,
    )


def pickup_qr(code: str) -> bytes:
    """Render the pickup code as a QR code picture (PNG) that a store's scanner reads off a phone."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


async def picked_up(
    session: Session, *, order_id: int, code: str, now: datetime, actor: str | None
) -> PickupView:
    """Hand the order over against its pickup code and ask the customer for a review later."""
    row = await session.scalar(
        select(Pickup).where(Pickup.order_id == order_id, Pickup.picked_up_at.is_(None)).with_for_update()
    )
    if row is None or row.code != code.strip().upper():
        raise WrongPickupCode("pickup-error-wrong-code")
    await states.advance(session, order_id=order_id, to="picked_up", now=now, actor=actor)
    row.picked_up_at = now
    await session.flush()
    await review_prompt_due(session, order_id=order_id, now=now)
    view = await pickup(session, order_id=order_id)
    assert view is not None
    return view


async def pickup_reminder(session: Session, *, order_id: int, now: datetime) -> Notice | None:
    """Return the reminder that the order waits in its store until the deadline, if it still waits."""
    view = await pickup(session, order_id=order_id)
    if view is None or view.deadline <= now:
        return None
    recipient = (await _recipients(session, [order_id]))[order_id]
    if recipient.status != "ready_for_pickup":
        return None
    return recipient.notice(
        "pickup-reminder",
        {
            "number": view.order_number,
            "code": view.code,
            "store": view.store_name,
            "address": view.store_address,
            "deadline": view.deadline,
        },
    )


# Reviews


async def review_prompt_due(session: Session, *, order_id: int, now: datetime) -> bool:
    """Schedule the one request for a review of a received order; True if it was not scheduled yet."""
    return await tasks.schedule(
        session, kind=REVIEW_PROMPT, key=str(order_id), due_at=now + REVIEW_PROMPT_AFTER
    )


async def review_prompt(session: Session, *, order_id: int) -> Notice | None:
    """Return the request to rate a received order, unless it was reviewed or cannot be reviewed."""
    recipients = await _recipients(session, [order_id])
    recipient = recipients.get(order_id)
    if recipient is None or recipient.user_id is None or recipient.status not in RECEIVED:
        return None
    if await session.scalar(select(Review.id).where(Review.order_id == order_id)) is not None:
        return None
    return recipient.notice("review-prompt", {"number": recipient.number})


async def save_review(
    session: Session, *, order_id: int, user_id: int, stars: int, text: str | None, now: datetime
) -> ReviewView:
    """Store the customer's rating (1–5 stars) and optional short review of a received order, once."""
    order = await states.get(session, order_id=order_id)
    if order is None or order.user_id != user_id or order.status not in RECEIVED:
        raise InvalidReview("review-error-not-received")
    if isinstance(stars, bool) or not 1 <= stars <= 5:
        raise InvalidReview("review-error-stars")
    text = (text or "").strip() or None
    if text is not None and len(text) > REVIEW_TEXT_MAX:
        raise InvalidReview("review-error-too-long", max=REVIEW_TEXT_MAX)
    inserted = await upsert(
        session,
        Review.__table__,
        {"order_id": order_id, "user_id": user_id, "stars": stars, "text": text, "created_at": now},
        conflict=["order_id"],
    )
    if not inserted:
        raise InvalidReview("review-error-exists")
    return ReviewView(order_id=order_id, user_id=user_id, stars=stars, text=text, created_at=now)


async def open_parcels(session: Session, *, carrier: str) -> list[tuple[str, datetime, str]]:
    """Return ``(tracking number, shipped at, town)`` of a carrier's parcels still on their way."""
    rows = await session.execute(
        select(Shipment.tracking_number, Shipment.shipped_at, Order.shipping_address)
        .join(Order, Order.id == Shipment.order_id)
        .where(Shipment.carrier == carrier, Shipment.closed_at.is_(None))
        .order_by(Shipment.id)
    )
    return [(number, shipped_at, (address or {}).get("city") or "") for number, shipped_at, address in rows]


async def add_review_text(session: Session, *, order_id: int, user_id: int, text: str) -> ReviewView:
    """Add the short text to a review that so far has only its stars."""
    text = text.strip()
    if len(text) > REVIEW_TEXT_MAX:
        raise InvalidReview("review-error-too-long", max=REVIEW_TEXT_MAX)
    review = await session.scalar(
        select(Review).where(Review.order_id == order_id, Review.user_id == user_id).with_for_update()
    )
    if review is None:
        raise InvalidReview("review-error-not-received")
    if review.text:
        raise InvalidReview("review-error-exists")
    review.text = text or None
    await session.flush()
    return ReviewView(review.order_id, review.user_id, review.stars, review.text, review.created_at)


@privacy.section("reviews")
async def _export_reviews(session: Session, user_id: int) -> Any:
    rows = await session.scalars(select(Review).where(Review.user_id == user_id).order_by(Review.created_at))
    return [
        {"order_id": row.order_id, "stars": row.stars, "text": row.text, "at": row.created_at.isoformat()}
        for row in rows
    ]


# Personal data: orders stay for the retailer's books (ten years in Germany), without their customer.

# After these nothing more is delivered or collected; a refund needs no address and no chat.
FINISHED = frozenset({"delivered", "picked_up", "cancelled", "refunded"})
# The chat of an anonymised order: Telegram never gives a chat the id 0, so nothing is ever sent there.
NO_CHAT = 0
# How an order's history and its refund name the staff member who acted (see handlers/orders.py).
STAFF_ACTOR = "retailer:{user_id}"
STAFF_ERASED = "retailer"


async def anonymise(session: Session, *, order_ids: list[int]) -> None:
    """Strip the customer from orders kept for the books: no chat, of the address only the country (VAT is
    owed where the goods went), no notes in the history, no places in the parcel's events.

    Amounts, lines, dates, the delivery method, the store and the payment references stay.
    """
    if not order_ids:
        return
    for order in await session.scalars(select(Order).where(Order.id.in_(order_ids))):
        order.chat_id = NO_CHAT
        country = (order.shipping_address or {}).get("country_code")
        order.shipping_address = {"country_code": country} if country else None
    await session.execute(update(OrderEvent).where(OrderEvent.order_id.in_(order_ids)).values(note=None))
    shipments = select(Shipment.id).where(Shipment.order_id.in_(order_ids))
    await session.execute(
        update(ShipmentEvent).where(ShipmentEvent.shipment_id.in_(shipments)).values(location=None)
    )
    await session.flush()


async def anonymise_finished(session: Session) -> int:
    """Anonymise the orders that were still on their way when their customer erased their data and are
    finished now; forget the messages that waited for such a customer. Return how many orders."""
    rows = (
        await session.execute(
            select(Order.id, Order.chat_id).where(
                Order.user_id.is_(None), Order.chat_id != NO_CHAT, Order.status.in_(FINISHED)
            )
        )
    ).all()
    await anonymise(session, order_ids=[order_id for order_id, _ in rows])
    # A private chat's id is its user's; unless that person has come back, nothing may still be sent there.
    for chat_id in {chat_id for _, chat_id in rows if chat_id > 0}:
        if await session.get(User, chat_id) is None:
            await privacy.forget_tasks(session, person_id=chat_id)
    return len(rows)


@privacy.section("order_steps")
async def _export_steps(session: Session, user_id: int) -> Any:
    # What a staff member did to orders: the steps of their history, the refunds.
    staff = STAFF_ACTOR.format(user_id=user_id)
    steps = await session.execute(
        select(Order.number, OrderEvent.status, OrderEvent.at)
        .join(Order, Order.id == OrderEvent.order_id)
        .where(OrderEvent.actor == staff)
        .order_by(OrderEvent.at, OrderEvent.id)
    )
    refunds = await session.execute(
        select(Order.number, Refund.created_at)
        .join(Order, Order.id == Refund.order_id)
        .where(Refund.actor == staff)
        .order_by(Refund.created_at)
    )
    return {
        "steps": [{"order": number, "status": status, "at": at.isoformat()} for number, status, at in steps],
        "refunds": [{"order": number, "at": at.isoformat()} for number, at in refunds],
    }


@privacy.eraser("orders")
async def _erase(session: Session, user_id: int, now: datetime) -> None:
    # Orders still on their way keep the chat and the address until they are finished (the customer paid
    # for them); the daily housekeeping anonymises them then, see anonymise_finished. user_id goes now
    # (ON DELETE SET NULL).
    finished = await session.scalars(
        select(Order.id).where(Order.user_id == user_id, Order.status.in_(FINISHED))
    )
    await anonymise(session, order_ids=list(finished))
    staff = STAFF_ACTOR.format(user_id=user_id)
    await session.execute(update(OrderEvent).where(OrderEvent.actor == staff).values(actor=STAFF_ERASED))
    await session.execute(update(Refund).where(Refund.actor == staff).values(actor=STAFF_ERASED))


# Internals


@dataclass(frozen=True, slots=True)
class _Recipient:
    order_id: int
    number: str
    user_id: int | None
    chat_id: int
    locale: str
    status: str
    time_zone: str

    def notice(self, key: str, args: Mapping[str, NoticeArg], *, urgent: bool = False) -> Notice:
        return Notice(self.order_id, self.chat_id, self.locale, key, args, urgent, self.time_zone)


async def _recipients(session: Session, order_ids: list[int]) -> dict[int, _Recipient]:
    rows = await session.execute(
        select(
            Order.id,
            Order.number,
            Order.user_id,
            Order.chat_id,
            Order.locale,
            Order.status,
            User.time_zone,
        )
        .outerjoin(User, User.id == Order.user_id)
        .where(Order.id.in_(order_ids))
    )
    return {
        row.id: _Recipient(
            row.id,
            row.number,
            row.user_id,
            row.chat_id,
            row.locale,
            row.status,
            row.time_zone or DEFAULT_TIME_ZONE,
        )
        for row in rows
    }


async def _track(
    session: Session, row: Shipment, recipient: _Recipient, carrier_lookup: CarrierLookup, now: datetime
) -> list[Notice]:
    try:
        reported = await carrier_lookup(row.carrier).get_status(row.tracking_number)
    except Exception:
        # One carrier's outage or an unknown parcel must not hold up the other shipments.
        log.exception("tracking %s with %s failed", row.tracking_number, row.carrier)
        return []
    rows = await session.execute(
        select(ShipmentEvent.code, ShipmentEvent.at).where(ShipmentEvent.shipment_id == row.id)
    )
    stored = {(code, at) for code, at in rows}
    notices: list[Notice] = []
    status = recipient.status
    for event in sorted(reported, key=lambda event: event.at):
        if (event.code, event.at) in stored:
            continue
        stored.add((event.code, event.at))
        _store_event(session, row, event, now)
        target = STATUS_FOR_EVENT.get(event.code)
        if target is not None and target in states.TRANSITIONS[status]:
            status = (
                await states.advance(
                    session, order_id=row.order_id, to=target, now=now, actor=row.carrier, note=event.location
                )
            ).status
        if event.code == "delivered":
            await review_prompt_due(session, order_id=row.order_id, now=now)
        notices.append(_event_notice(recipient, event))
    if status not in ON_THE_WAY:
        row.closed_at = now
    await session.flush()
    return notices


def _store_event(session: Session, row: Shipment, event: CarrierEvent, now: datetime) -> None:
    session.add(
        ShipmentEvent(
            shipment_id=row.id,
            code=event.code,
            at=event.at,
            location=event.location,
            window_start=event.window_start,
            window_end=event.window_end,
            notified_at=now,
        )
    )
    row.last_event_code, row.last_event_at = event.code, event.at
    if event.window_start is not None and event.window_end is not None:
        row.window_start, row.window_end = event.window_start, event.window_end


def _event_notice(recipient: _Recipient, event: CarrierEvent) -> Notice:
    args: dict[str, NoticeArg] = {"number": recipient.number}
    if event.window_start is not None and event.window_end is not None:
        args |= {"window_start": event.window_start, "window_end": event.window_end}
    return recipient.notice(NOTICE_KEYS[event.code], args, urgent=event.code in DELIVERY_DAY_EVENTS)


async def _active_shipment(session: Session, order_id: int) -> Shipment:
    row = await session.scalar(
        select(Shipment).where(Shipment.order_id == order_id, Shipment.closed_at.is_(None))
    )
    if row is None:
        raise TrackingRefused("tracking-error-no-shipment")
    return row


async def _free_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        clash = await session.scalar(
            select(Pickup.id).where(Pickup.code == code, Pickup.picked_up_at.is_(None))
        )
        if clash is None:
            return code


def _shipment_view(row: Shipment) -> ShipmentView:
    return ShipmentView(
        order_id=row.order_id,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        window_start=row.window_start,
        window_end=row.window_end,
        last_event_code=row.last_event_code,
        last_event_at=row.last_event_at,
        shipped_at=row.shipped_at,
        delivered=row.last_event_code == "delivered",
    )
