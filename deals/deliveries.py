"""Sending deals and price drops: each person gets each deal (and each price drop) at most once.

A round (a scheduled task, run by one worker at a time) plans what goes out now: the running deals that
fit each subscriber (:mod:`deals.matching`) and the queued price drops on wishlist items, ranked, at most
the room left under each subscriber's cap, nothing to anyone in their quiet hours. Every message to send is
*claimed* first: a ``deal_deliveries`` row (unique per person and deal, and per person and price change)
is inserted, or a queued one moved, to ``sending`` — and that transaction commits before anything is sent.
After sending, another transaction marks each row ``sent`` or ``failed``.

Crash window, decided for "never twice": a process that dies after the claim committed and before the
message left loses that message (the row stays ``sending`` and counts as delivered); one that dies after
sending but before marking it ``sent`` has sent it once, and the row says ``sending``. Nothing is ever sent
twice, also with several instances, since a second claim of the same row finds it taken. Only what
Telegram's flood control refused (surely not sent) is given back for a later round (:func:`record`).

Price drops on wishlist items come from the wishlist alerts (:func:`social.wishlists.alerts_due`) and are
queued here, so one price drop is one message: a drop made by a deal is queued as that deal, and whichever
comes first — the round's match or the wishlist's alert — is the only message. A queued drop is sent to
anyone who wished the item (subscriber or not), in their quiet hours it waits, and for subscribers it counts
against the cap like a deal, ranked first. A drop whose price went up again before it could be sent is
dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from catalog import prices, products
from catalog.models import Category, PriceChange, Product
from catalog.prices import PricePoint
from catalog.products import ProductCard
from core import privacy, users
from core.chats import ACTIVE_STATUSES, Membership
from core.db import AutoId, Base, Session, UTCDateTime
from core.money import Money
from core.users import User
from deals import matching, offers, subscriptions
from deals.offers import Deal, DealItem
from deals.subscriptions import DealBrand, DealCategory, DealPreference, DealRetailer, QuietHours
from orders.models import Order, OrderLine
from social.votes import PostVote, ProductPost
from social.wishlists import Wishlist, WishlistItem

WINDOWS = {"day": timedelta(days=1), "week": timedelta(days=7)}
# Statuses that count as delivered: for the once-only rule and for the cap.
OUT = ("sending", "sent")
ROUND_LIMIT = 300
# Orders that did not end up with the customer say nothing about what they like.
NOT_BOUGHT = ("cancelled", "refunded")


class DealDelivery(Base):
    """A deal or a price drop for one person: queued, being sent, sent, failed, or dropped as stale."""

    __tablename__ = "deal_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "deal_id"),
        UniqueConstraint("user_id", "price_change_id"),
        CheckConstraint("deal_id IS NOT NULL OR price_change_id IS NOT NULL", name="subject"),
        CheckConstraint("kind IN ('deal', 'drop', 'gift')", name="kind"),
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'dropped')", name="status"),
        Index("ix_deal_deliveries_status_user_id", "status", "user_id"),
        Index("ix_deal_deliveries_user_id_sent_at", "user_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    price_change_id: Mapped[int | None] = mapped_column(ForeignKey("price_changes.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8))
    score: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class DealInfo:
    """What a message says about the deal behind it."""

    id: int
    percent: int
    ends_at: datetime
    category_id: int
    category_de: str
    category_en: str
    on_category: bool
    products: int

    def category(self, locale: str) -> str:
        """Return the deal's category name in ``locale``."""
        return self.category_en if locale == "en" else self.category_de


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed message, with everything needed to write it: nothing more is read to send it."""

    id: int
    user_id: int
    locale: str
    time_zone: str
    kind: str
    subscribed: bool
    # Show the price history: the product is on the person's wishlist (or is their gift).
    chart: bool
    card: ProductCard
    price: Money
    previous_price: Money | None
    deal: DealInfo | None
    history: tuple[PricePoint, ...]


@dataclass(frozen=True, slots=True)
class Round:
    """What one round claimed, and whether more is waiting (the next round comes soon)."""

    deliveries: tuple[Delivery, ...]
    more: bool


@dataclass(frozen=True, slots=True)
class Drop:
    """A price drop on a wished item for one person (``gift``: an item they claimed as a gift)."""

    user_id: int
    product_id: int
    price_change_id: int
    gift: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    """A recipient as the round sees them."""

    user_id: int
    locale: str
    time_zone: str
    quiet: QuietHours
    subscribed: bool
    room: int | None


def _insert(session: Session) -> Any:
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def queue_drops(session: Session, *, drops: Iterable[Drop], now: datetime) -> int:
    """Queue price drops on wished items (a drop a deal made is queued as that deal); return how many."""
    drops = list(drops)
    deal_of = await offers.deal_of_change(session, price_change_ids={drop.price_change_id for drop in drops})
    queued = 0
    for drop in drops:
        statement = (
            _insert(session)(DealDelivery)
            .values(
                user_id=drop.user_id,
                deal_id=deal_of.get(drop.price_change_id),
                price_change_id=drop.price_change_id,
                product_id=drop.product_id,
                kind="gift" if drop.gift else "drop",
                status="queued",
                score=matching.WEIGHTS["wished"],
                queued_at=now,
            )
            .on_conflict_do_nothing()
        )
        result = await session.execute(statement)
        queued += int(getattr(result, "rowcount", 0) or 0)
    return queued


async def plan(
    session: Session, *, now: datetime, locales: Sequence[str], default_locale: str, limit: int = ROUND_LIMIT
) -> Round:
    """Claim what goes out now (see the module's description) and return it ready to be written."""
    facts = await offers.running(session, now=now)
    product_ids = {item.product_id for deal in facts for item in deal.items}
    wished_by = await _wished_by(session, product_ids)
    index = matching.DealIndex(facts, await _engaged(session, product_ids, wished_by))
    people = await _people(session, now=now, locales=locales, default_locale=default_locale)
    queued = await _queued(session)
    for user_id in set(queued) - set(people):
        found = await _person(session, user_id, now=now, locales=locales, default_locale=default_locale)
        if found is not None:
            people[user_id] = found
    profiles = await _profiles(session, people)
    delivered = await _delivered(session, [deal.id for deal in facts])
    signals = await _signals(session, set(profiles), wished_by)
    claimed: list[tuple[int, Person, matching.Pick | None]] = []
    more = False
    for user_id in sorted(set(profiles) | set(queued)):
        person = people.get(user_id)
        if person is None or person.quiet.contains(now, person.time_zone):
            continue
        waiting = queued.get(user_id, [])
        room = person.room if person.room is not None else len(waiting)
        chosen: list[tuple[int | None, matching.Pick | None]] = [(row_id, None) for row_id in waiting[:room]]
        if user_id in profiles and room > len(chosen):
            picks = matching.rank(
                index,
                replace(profiles[user_id], room=room - len(chosen)),
                delivered=delivered.get(user_id, ()),
                signals=signals.get(user_id),
            )
            chosen += [(None, pick) for pick in picks]
        for row_id, pick in chosen:
            if len(claimed) >= limit:
                more = True
                break
            taken = await _claim(session, user_id, row_id, pick, now)
            if taken is not None:
                claimed.append((taken, person, pick))
        if more:
            break
    ready = [
        delivery
        for delivery_id, person, pick in claimed
        if (delivery := await _delivery(session, delivery_id, person, pick, now)) is not None
    ]
    return Round(deliveries=tuple(ready), more=more)


async def _claim(
    session: Session, user_id: int, row_id: int | None, pick: matching.Pick | None, now: datetime
) -> int | None:
    """Take a queued row, or insert a new one for a pick; None when another round got there first."""
    if row_id is not None:
        moved = await session.execute(
            update(DealDelivery)
            .where(DealDelivery.id == row_id, DealDelivery.status == "queued")
            .values(status="sending", sent_at=now)
        )
        return row_id if getattr(moved, "rowcount", 0) else None
    assert pick is not None
    inserted = await session.execute(
        _insert(session)(DealDelivery)
        .values(
            user_id=user_id,
            deal_id=pick.deal_id,
            price_change_id=None,
            product_id=pick.product_id,
            kind="deal",
            status="sending",
            score=pick.score,
            queued_at=now,
            sent_at=now,
        )
        .on_conflict_do_nothing()
        .returning(DealDelivery.id)
    )
    found: int | None = inserted.scalar_one_or_none()
    return found


async def _delivery(
    session: Session, delivery_id: int, person: Person, pick: matching.Pick | None, now: datetime
) -> Delivery | None:
    """Read what the message needs; a stale drop or an ended deal is marked dropped instead."""
    row = await session.get(DealDelivery, delivery_id)
    assert row is not None
    card = await products.card(session, product_id=row.product_id, locale=person.locale)
    deal = await _deal_info(session, row.deal_id, now) if row.deal_id is not None else None
    price: Money | None = None
    previous: Money | None = None
    if deal is not None:
        item = await session.get(DealItem, (deal.id, row.product_id))
        if item is not None and item.active:
            price, previous = Money(item.deal_price, item.currency), Money(item.regular_price, item.currency)
    elif row.price_change_id is not None:
        change = await session.get(PriceChange, row.price_change_id)
        if change is not None and card is not None and card.price <= change.price:
            price = Money(change.price, change.currency)
            previous = Money(change.previous_price, change.currency) if change.previous_price else None
    if card is None or price is None or not card.active or (row.deal_id is not None and deal is None):
        row.status = "dropped"
        await session.flush()
        return None
    chart = row.kind in {"drop", "gift"} or (pick is not None and pick.wished)
    history = tuple(await prices.history(session, product_id=row.product_id)) if chart else ()
    return Delivery(
        id=row.id,
        user_id=person.user_id,
        locale=person.locale,
        time_zone=person.time_zone,
        kind=row.kind,
        subscribed=person.subscribed,
        chart=chart,
        card=card,
        price=price,
        previous_price=previous,
        deal=deal,
        history=history,
    )


async def _deal_info(session: Session, deal_id: int, now: datetime) -> DealInfo | None:
    deal = await session.get(Deal, deal_id)
    if deal is None or deal.status != "running" or deal.ends_at <= now:
        return None
    category_id = deal.category_id
    if category_id is None:
        category_id = await session.scalar(select(Product.category_id).where(Product.id == deal.product_id))
    category = await session.get(Category, category_id)
    assert category is not None
    count = await session.scalar(
        select(func.count()).where(DealItem.deal_id == deal.id, DealItem.active.is_(True))
    )
    return DealInfo(
        id=deal.id,
        percent=deal.percent,
        ends_at=deal.ends_at,
        category_id=category.id,
        category_de=category.name_de,
        category_en=category.name_en,
        on_category=deal.category_id is not None,
        products=int(count or 0),
    )


async def record(
    session: Session,
    *,
    sent: Collection[int],
    failed: Collection[int],
    blocked: Collection[int],
    later: Collection[int] = (),
) -> None:
    """Mark claimed rows sent or failed, and the people who blocked the bot; give back what surely did not
    go out (``later``): a queued drop is queued again, a matched deal may be matched again."""
    if sent:
        await session.execute(
            update(DealDelivery).where(DealDelivery.id.in_(list(sent))).values(status="sent")
        )
    if failed:
        await session.execute(
            update(DealDelivery).where(DealDelivery.id.in_(list(failed))).values(status="failed")
        )
    if later:
        await session.execute(
            update(DealDelivery)
            .where(DealDelivery.id.in_(list(later)), DealDelivery.price_change_id.is_not(None))
            .values(status="queued", sent_at=None)
        )
        await session.execute(
            delete(DealDelivery).where(
                DealDelivery.id.in_(list(later)), DealDelivery.price_change_id.is_(None)
            )
        )
    for user_id in blocked:
        await users.mark_blocked(session, user_id=user_id)


def _locale(language: str | None, language_code: str | None, locales: Sequence[str], default: str) -> str:
    for candidate in (language, (language_code or "").split("-")[0].lower()):
        if candidate and candidate in locales:
            return candidate
    return default


async def _people(
    session: Session, *, now: datetime, locales: Sequence[str], default_locale: str
) -> dict[int, Person]:
    """Return every subscriber who picked a retailer, with the room left under their cap."""
    picked = select(DealRetailer.user_id).distinct().subquery()
    rows = await session.execute(
        select(
            User.id,
            User.language,
            User.language_code,
            User.time_zone,
            DealPreference.cap,
            DealPreference.cap_period,
            DealPreference.quiet_from,
            DealPreference.quiet_until,
        )
        .join(picked, picked.c.user_id == User.id)
        .outerjoin(DealPreference, DealPreference.user_id == User.id)
        .where(User.consent_personal_deals.is_(True), User.blocked_bot.is_(False))
    )
    used = await _used(session, now)
    people: dict[int, Person] = {}
    for user_id, language, code, zone, cap, period, quiet_from, quiet_until in rows:
        day, week = used.get(user_id, (0, 0))
        if period is None:  # opted in without choosing anything yet: the defaults
            cap, period, quiet = (
                subscriptions.DEFAULT_CAP,
                subscriptions.DEFAULT_PERIOD,
                QuietHours(*subscriptions.DEFAULT_QUIET),
            )
        else:
            quiet = QuietHours(quiet_from, quiet_until)
        people[user_id] = Person(
            user_id=user_id,
            locale=_locale(language, code, locales, default_locale),
            time_zone=zone,
            quiet=quiet,
            subscribed=True,
            room=max(0, cap - (week if period == "week" else day)),
        )
    return people


async def _person(
    session: Session, user_id: int, *, now: datetime, locales: Sequence[str], default_locale: str
) -> Person | None:
    """Return someone with a queued price drop who is no subscriber (no cap for them, quiet hours kept)."""
    user = await users.get(session, user_id=user_id)
    if user is None or user.blocked_bot:
        return None
    return Person(
        user_id=user_id,
        locale=user.locale(tuple(locales), default_locale),
        time_zone=user.time_zone,
        quiet=await subscriptions.quiet_hours(session, user_id=user_id),
        subscribed=user.consent_personal_deals,
        room=None,
    )


async def _used(session: Session, now: datetime) -> dict[int, tuple[int, int]]:
    """Return, per person, the messages of the last 24 hours and of the last 7 days."""
    rows = await session.execute(
        select(
            DealDelivery.user_id,
            func.sum(case((DealDelivery.sent_at > now - WINDOWS["day"], 1), else_=0)),
            func.count(),
        )
        .where(DealDelivery.status.in_(OUT), DealDelivery.sent_at > now - WINDOWS["week"])
        .group_by(DealDelivery.user_id)
    )
    return {user_id: (int(day or 0), int(week or 0)) for user_id, day, week in rows}


async def _queued(session: Session) -> dict[int, list[int]]:
    """Return the queued rows per person, best first."""
    rows = await session.execute(
        select(DealDelivery.user_id, DealDelivery.id)
        .where(DealDelivery.status == "queued")
        .order_by(DealDelivery.user_id, DealDelivery.score.desc(), DealDelivery.id)
    )
    queued: dict[int, list[int]] = {}
    for user_id, row_id in rows:
        queued.setdefault(user_id, []).append(row_id)
    return queued


async def _profiles(session: Session, people: dict[int, Person]) -> dict[int, matching.Profile]:
    """Return the filters of the subscribers among ``people``."""
    subscribers = {
        user_id for user_id, person in people.items() if person.subscribed and person.room is not None
    }
    retailers: dict[int, set[int]] = {}
    for user_id, retailer_id in await session.execute(select(DealRetailer.user_id, DealRetailer.retailer_id)):
        if user_id in subscribers:
            retailers.setdefault(user_id, set()).add(retailer_id)
    chosen: dict[int, set[int]] = {}
    muted: dict[int, set[int]] = {}
    for user_id, category_id, is_muted in await session.execute(
        select(DealCategory.user_id, DealCategory.category_id, DealCategory.muted)
    ):
        if user_id in subscribers:
            (muted if is_muted else chosen).setdefault(user_id, set()).add(category_id)
    brands: dict[int, set[int]] = {}
    for user_id, brand_id in await session.execute(select(DealBrand.user_id, DealBrand.brand_id)):
        if user_id in subscribers:
            brands.setdefault(user_id, set()).add(brand_id)
    limits = {
        user_id: (price, currency)
        for user_id, price, currency in await session.execute(
            select(DealPreference.user_id, DealPreference.max_price, DealPreference.currency).where(
                DealPreference.max_price.is_not(None)
            )
        )
    }
    profiles: dict[int, matching.Profile] = {}
    for user_id in subscribers & set(retailers):
        price, currency = limits.get(user_id, (None, subscriptions.DEFAULT_CURRENCY))
        profiles[user_id] = matching.Profile(
            user_id=user_id,
            retailer_ids=frozenset(retailers[user_id]),
            category_ids=frozenset(chosen.get(user_id, ())),
            brand_ids=frozenset(brands.get(user_id, ())),
            muted_category_ids=frozenset(muted.get(user_id, ())),
            max_price_cents=None if price is None else int(Decimal(price) * 100),
            currency=currency,
            room=people[user_id].room or 0,
        )
    return profiles


async def _delivered(session: Session, deal_ids: list[int]) -> dict[int, set[int]]:
    """Return, per person, the running deals they had (or have queued) already."""
    if not deal_ids:
        return {}
    delivered: dict[int, set[int]] = {}
    rows = await session.execute(
        select(DealDelivery.user_id, DealDelivery.deal_id).where(DealDelivery.deal_id.in_(deal_ids))
    )
    for user_id, deal_id in rows:
        if deal_id is not None:
            delivered.setdefault(user_id, set()).add(deal_id)
    return delivered


async def _wished_by(session: Session, product_ids: set[int]) -> dict[int, set[int]]:
    """Return, per product of a running deal, who has it on a wishlist (the owner, or who added it)."""
    if not product_ids:
        return {}
    rows = await session.execute(
        select(WishlistItem.product_id, func.coalesce(Wishlist.owner_id, WishlistItem.added_by))
        .join(Wishlist, Wishlist.id == WishlistItem.wishlist_id)
        .where(WishlistItem.product_id.in_(product_ids))
    )
    wished: dict[int, set[int]] = {}
    for product_id, user_id in rows:
        if user_id is not None:
            wished.setdefault(product_id, set()).add(user_id)
    return wished


async def _engaged(
    session: Session, product_ids: set[int], wished_by: dict[int, set[int]]
) -> dict[int, set[int]]:
    """Return, per product of a running deal, who wished, bought or liked it."""
    engaged = {product_id: set(people) for product_id, people in wished_by.items()}
    if not product_ids:
        return engaged
    bought = await session.execute(
        select(OrderLine.product_id, Order.user_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.product_id.in_(product_ids), Order.user_id.is_not(None), Order.status.not_in(NOT_BOUGHT)
        )
    )
    liked = await session.execute(
        select(ProductPost.product_id, PostVote.user_id)
        .join(PostVote, PostVote.post_id == ProductPost.id)
        .where(ProductPost.product_id.in_(product_ids), PostVote.value == 1)
    )
    for product_id, user_id in [*bought, *liked]:
        if product_id is not None and user_id is not None:
            engaged.setdefault(product_id, set()).add(user_id)
    return engaged


async def _signals(
    session: Session, user_ids: set[int], wished_by: dict[int, set[int]]
) -> dict[int, matching.Signals]:
    """Return the ranking signals of the subscribers: their wishes, friends and past purchases."""
    if not user_ids:
        return {}
    wished: dict[int, set[int]] = {}
    for product_id, people in wished_by.items():
        for user_id in people & user_ids:
            wished.setdefault(user_id, set()).add(product_id)
    groups: dict[int, set[int]] = {}
    for chat_id, user_id in await session.execute(
        select(Membership.chat_id, Membership.user_id).where(Membership.status.in_(ACTIVE_STATUSES))
    ):
        groups.setdefault(chat_id, set()).add(user_id)
    friends: dict[int, set[int]] = {}
    for members in groups.values():
        for user_id in members & user_ids:
            friends.setdefault(user_id, set()).update(members - {user_id})
    tree = await offers.category_tree(session)
    bought_categories: dict[int, set[int]] = {}
    bought_brands: dict[int, set[int]] = {}
    for buyer, category_id, brand_id in await session.execute(
        select(Order.user_id, Product.category_id, Product.brand_id)
        .distinct()
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.user_id.is_not(None), Order.status.not_in(NOT_BOUGHT))
    ):
        if buyer in user_ids:
            bought_categories.setdefault(buyer, set()).update(offers.ancestors(tree, category_id))
            if brand_id is not None:
                bought_brands.setdefault(buyer, set()).add(brand_id)
    return {
        user_id: matching.Signals(
            wished=frozenset(wished.get(user_id, ())),
            friends=frozenset(friends.get(user_id, ())),
            bought_categories=frozenset(bought_categories.get(user_id, ())),
            bought_brands=frozenset(bought_brands.get(user_id, ())),
        )
        for user_id in user_ids
    }


@privacy.section("deal_messages")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.scalars(
        select(DealDelivery)
        .where(DealDelivery.user_id == user_id)
        .order_by(DealDelivery.queued_at, DealDelivery.id)
    )
    return [
        {
            "deal_id": row.deal_id,
            "product_id": row.product_id,
            "kind": row.kind,
            "status": row.status,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        }
        for row in rows
    ]
