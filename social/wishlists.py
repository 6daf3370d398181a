"""Wishlists: a person's own and a group's, items with priority and note, gifts claimed per unit of
quantity, and price-drop and back-in-stock alerts.

Who sees a wishlist: a group's wishlist is seen by the group's active members; a personal one by its
owner and, while they are members, by the members of the groups it was shared into. Leaving a group ends
that access at once, since every function checks the membership as it is now.

Claims are a surprise: the owner's view carries no claim data at all, and the owner can neither claim nor
release (a refusal such as "all claimed" would tell them). A claim takes one unit (``unit`` 1…quantity);
the unique (item, unit) pair makes two members who claim the last unit at the same moment end with one
claim and one refusal.

Alerts: each item remembers the newest price change it was told about and whether it was last in stock.
A job compares with the catalog and moves these marks with guarded UPDATEs, so each change is announced
once, also when jobs run side by side. A personal wishlist's alerts go to the owner, a group wishlist's to
the member who added the item (in private: the bot does not speak in a group unasked), and to the
members who claimed the item while they can still see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import PriceChange, Product, Stock, Variant
from core import chats, privacy
from core.chats import ACTIVE_STATUSES, Membership
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.money import Money
from social.errors import Refused

NOTE_MAX = 140
TITLE_MAX = 64
QUANTITY_MAX = 99
PRIORITIES = (1, 2, 3)

PRICE_DROP = "wishlist-alert-price-drop"
PRICE_DROP_GIFT = "wishlist-alert-price-drop-gift"
BACK_IN_STOCK = "wishlist-alert-back-in-stock"
BACK_IN_STOCK_GIFT = "wishlist-alert-back-in-stock-gift"


class Wishlist(Base):
    """A wishlist of one person (``owner_id``) or of one group (``group_chat_id``)."""

    __tablename__ = "wishlists"
    __table_args__ = (CheckConstraint("(owner_id IS NULL) <> (group_chat_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    group_chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WishlistShare(Base):
    """A personal wishlist shared into a group under a title ("Toms Geburtstag")."""

    __tablename__ = "wishlist_shares"

    wishlist_id: Mapped[int] = mapped_column(ForeignKey("wishlists.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WishlistItem(Base):
    """A wished product (optionally one variant) with quantity, priority, note and what alerts last saw."""

    __tablename__ = "wishlist_items"
    __table_args__ = (
        CheckConstraint(f"quantity BETWEEN 1 AND {QUANTITY_MAX}", name="quantity_range"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    wishlist_id: Mapped[int] = mapped_column(ForeignKey("wishlists.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The newest price change already announced (or already there when the item was added).
    seen_price_change_id: Mapped[int | None] = mapped_column(BigInteger)
    in_stock: Mapped[bool] = mapped_column(Boolean)


class WishlistClaim(Base):
    """One unit of an item that a member will give."""

    __tablename__ = "wishlist_claims"
    __table_args__ = (UniqueConstraint("item_id", "unit"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("wishlist_items.id", ondelete="CASCADE"))
    unit: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class WishlistInfo:
    """A wishlist's identity: whose it is."""

    id: int
    owner_id: int | None
    group_chat_id: int | None


@dataclass(frozen=True, slots=True)
class Share:
    """A group a personal wishlist is shared into, under its title."""

    chat_id: int
    title: str


@dataclass(frozen=True, slots=True)
class Claims:
    """An item's claims as a member other than the owner sees them."""

    claimed: int
    by_you: int
    # Those who claimed and are members of a group through which the viewer sees the wishlist.
    claimer_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ItemView:
    """A wishlist item; ``claims`` is None in the owner's view, which never shows claims."""

    id: int
    product_id: int
    variant_id: int | None
    title_de: str
    title_en: str
    quantity: int
    priority: int
    note: str | None
    price: Money
    in_stock: bool
    claims: Claims | None

    def title(self, locale: str) -> str:
        """Return the title in ``locale`` (German for anything but English)."""
        return self.title_en if locale == "en" else self.title_de


@dataclass(frozen=True, slots=True)
class WishlistView:
    """A wishlist as one viewer may see it: the shares they can see and the items, best first."""

    id: int
    owner_id: int | None
    group_chat_id: int | None
    is_owner: bool
    shares: tuple[Share, ...]
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class Alert:
    """A message due to one private chat: a locale key and its arguments."""

    chat_id: int
    key: str
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Access:
    owner: bool
    # The groups through which the viewer sees the wishlist (for the owner: every share).
    chat_ids: tuple[int, ...]


def _in_stock() -> ColumnElement[bool]:
    """Tell, per item row, whether a store has the wished variant (or any variant of the product)."""
    return exists(
        select(Stock.variant_id)
        .join(Variant, Variant.id == Stock.variant_id)
        .where(
            Stock.quantity > 0,
            Variant.product_id == WishlistItem.product_id,
            or_(WishlistItem.variant_id.is_(None), Variant.id == WishlistItem.variant_id),
        )
    )


async def _member(session: Session, *, chat_id: int, user_id: int) -> bool:
    return user_id in await chats.member_ids(session, chat_id=chat_id)


async def _wishlist(session: Session, wishlist_id: int) -> Wishlist:
    wishlist = await session.get(Wishlist, wishlist_id)
    if wishlist is None:
        raise Refused("wishlist-error-unknown")
    return wishlist


async def _access(session: Session, wishlist: Wishlist, user_id: int) -> _Access:
    """Return how the user sees the wishlist, or refuse when they may not see it."""
    if wishlist.owner_id == user_id:
        shared = await session.scalars(
            select(WishlistShare.chat_id).where(WishlistShare.wishlist_id == wishlist.id)
        )
        return _Access(owner=True, chat_ids=tuple(shared))
    if wishlist.group_chat_id is not None:
        if await _member(session, chat_id=wishlist.group_chat_id, user_id=user_id):
            return _Access(owner=False, chat_ids=(wishlist.group_chat_id,))
        raise Refused("wishlist-error-not-allowed")
    through = tuple(
        await session.scalars(
            select(WishlistShare.chat_id)
            .join(Membership, Membership.chat_id == WishlistShare.chat_id)
            .where(
                WishlistShare.wishlist_id == wishlist.id,
                Membership.user_id == user_id,
                Membership.status.in_(ACTIVE_STATUSES),
            )
            .order_by(WishlistShare.chat_id)
        )
    )
    if not through:
        raise Refused("wishlist-error-not-allowed")
    return _Access(owner=False, chat_ids=through)


async def _editable(session: Session, wishlist: Wishlist, user_id: int) -> _Access:
    """Return how the user sees a wishlist whose items they may change (owner, or owning group's member)."""
    access = await _access(session, wishlist, user_id)
    if wishlist.group_chat_id is None and not access.owner:
        raise Refused("wishlist-error-not-allowed")
    return access


def _info(wishlist: Wishlist) -> WishlistInfo:
    return WishlistInfo(id=wishlist.id, owner_id=wishlist.owner_id, group_chat_id=wishlist.group_chat_id)


async def personal(session: Session, *, user_id: int, now: datetime) -> WishlistInfo:
    """Return the user's own wishlist, creating it on first use."""
    await upsert(
        session,
        Wishlist.__table__,
        {"owner_id": user_id, "group_chat_id": None, "created_at": now},
        conflict=["owner_id"],
    )
    wishlist = await session.scalar(select(Wishlist).where(Wishlist.owner_id == user_id))
    assert wishlist is not None
    return _info(wishlist)


async def of_group(session: Session, *, chat_id: int, user_id: int, now: datetime) -> WishlistInfo:
    """Return the group's wishlist for one of its members, creating it on first use."""
    if not await _member(session, chat_id=chat_id, user_id=user_id):
        raise Refused("wishlist-error-not-allowed")
    await upsert(
        session,
        Wishlist.__table__,
        {"owner_id": None, "group_chat_id": chat_id, "created_at": now},
        conflict=["group_chat_id"],
    )
    wishlist = await session.scalar(select(Wishlist).where(Wishlist.group_chat_id == chat_id))
    assert wishlist is not None
    return _info(wishlist)


async def in_group(
    session: Session, *, chat_id: int, viewer_id: int
) -> list[tuple[WishlistInfo, str | None]]:
    """Return the wishlists a group's member sees there: the group's own, then the shared ones by title."""
    if not await _member(session, chat_id=chat_id, user_id=viewer_id):
        raise Refused("wishlist-error-not-allowed")
    rows = await session.execute(
        select(Wishlist, WishlistShare.title)
        .outerjoin(
            WishlistShare, and_(WishlistShare.wishlist_id == Wishlist.id, WishlistShare.chat_id == chat_id)
        )
        .where(or_(Wishlist.group_chat_id == chat_id, WishlistShare.chat_id == chat_id))
        .order_by(Wishlist.owner_id.is_not(None), WishlistShare.title, Wishlist.id)
    )
    return [(_info(wishlist), title) for wishlist, title in rows]


async def share(
    session: Session, *, wishlist_id: int, user_id: int, chat_id: int, title: str, now: datetime
) -> Share:
    """Share the user's own wishlist into a group they are a member of, under ``title``."""
    wishlist = await _wishlist(session, wishlist_id)
    if wishlist.owner_id != user_id or not await _member(session, chat_id=chat_id, user_id=user_id):
        raise Refused("wishlist-error-not-allowed")
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX:
        raise Refused("wishlist-error-title", max=TITLE_MAX)
    await upsert(
        session,
        WishlistShare.__table__,
        {"wishlist_id": wishlist.id, "chat_id": chat_id, "title": title, "shared_at": now},
        conflict=["wishlist_id", "chat_id"],
        update=["title", "shared_at"],
    )
    return Share(chat_id=chat_id, title=title)


async def unshare(session: Session, *, wishlist_id: int, user_id: int, chat_id: int) -> bool:
    """Stop sharing the user's own wishlist into a group; True if it was shared there."""
    wishlist = await _wishlist(session, wishlist_id)
    if wishlist.owner_id != user_id:
        raise Refused("wishlist-error-not-allowed")
    result = await session.execute(
        delete(WishlistShare).where(
            WishlistShare.wishlist_id == wishlist.id, WishlistShare.chat_id == chat_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def add_item(
    session: Session,
    *,
    wishlist_id: int,
    user_id: int,
    product_id: int,
    now: datetime,
    variant_id: int | None = None,
    quantity: int = 1,
    priority: int = 2,
    note: str | None = None,
) -> ItemView:
    """Add a product (optionally one variant) to a wishlist the user may change."""
    wishlist = await _wishlist(session, wishlist_id)
    access = await _editable(session, wishlist, user_id)
    product = await session.get(Product, product_id)
    if product is None or not product.active:
        raise Refused("wishlist-error-unknown-product")
    if variant_id is not None:
        variant = await session.get(Variant, variant_id)
        if variant is None or variant.product_id != product_id:
            raise Refused("wishlist-error-unknown-product")
    if not 1 <= quantity <= QUANTITY_MAX:
        raise Refused("wishlist-error-quantity", max=QUANTITY_MAX)
    if priority not in PRIORITIES:
        raise Refused("wishlist-error-priority")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise Refused("wishlist-error-note-too-long", max=NOTE_MAX)
    subjects = [PriceChange.product_id == product_id]
    if variant_id is not None:
        subjects.append(PriceChange.variant_id == variant_id)
    latest_change = await session.scalar(select(func.max(PriceChange.id)).where(or_(*subjects)))
    item = WishlistItem(
        wishlist_id=wishlist.id,
        product_id=product_id,
        variant_id=variant_id,
        quantity=quantity,
        priority=priority,
        note=note,
        added_by=user_id,
        added_at=now,
        seen_price_change_id=latest_change,
        in_stock=False,
    )
    session.add(item)
    await session.flush()
    item.in_stock = bool(await session.scalar(select(_in_stock()).where(WishlistItem.id == item.id)))
    await session.flush()
    return (await _item_views(session, [item.id], access, user_id))[0]


async def update_item(
    session: Session, *, item_id: int, user_id: int, priority: int | None = None, note: str | None = None
) -> None:
    """Change a wish's priority (1–3) and/or note (empty text clears it) on a list the user may change."""
    item = await _item(session, item_id)
    await _editable(session, await _wishlist(session, item.wishlist_id), user_id)
    if priority is not None:
        if isinstance(priority, bool) or priority not in (1, 2, 3):
            raise Refused("wishlist-error-priority")
        item.priority = priority
    if note is not None:
        note = note.strip()
        if len(note) > NOTE_MAX:
            raise Refused("wishlist-error-note-too-long", max=NOTE_MAX)
        item.note = note or None
    await session.flush()


async def remove_item(session: Session, *, item_id: int, user_id: int) -> None:
    """Remove an item from a wishlist the user may change (its claims go with it)."""
    item = await _item(session, item_id)
    await _editable(session, await _wishlist(session, item.wishlist_id), user_id)
    await session.delete(item)
    await session.flush()


async def _item(session: Session, item_id: int) -> WishlistItem:
    item = await session.get(WishlistItem, item_id)
    if item is None:
        raise Refused("wishlist-error-unknown-item")
    return item


async def _claimer_access(session: Session, item_id: int, user_id: int) -> tuple[WishlistItem, _Access]:
    """Return the item and how a would-be claimer sees it; refuse the owner and outsiders alike."""
    item = await _item(session, item_id)
    access = await _access(session, await _wishlist(session, item.wishlist_id), user_id)
    if access.owner:
        raise Refused("wishlist-error-own-wishlist")
    return item, access


async def claim(session: Session, *, item_id: int, user_id: int, now: datetime) -> Claims:
    """Claim one more unit of an item as a gift; refuse when every unit is taken."""
    item, access = await _claimer_access(session, item_id, user_id)
    # A unit taken meanwhile by someone else makes the insert do nothing; look again for the next one.
    for _attempt in range(item.quantity):
        taken = set(await session.scalars(select(WishlistClaim.unit).where(WishlistClaim.item_id == item.id)))
        free = next((unit for unit in range(1, item.quantity + 1) if unit not in taken), None)
        if free is None:
            break
        inserted = await upsert(
            session,
            WishlistClaim.__table__,
            {"item_id": item.id, "unit": free, "user_id": user_id, "claimed_at": now},
            conflict=["item_id", "unit"],
        )
        if inserted:
            return await _claims_of(session, item.id, access, user_id)
    raise Refused("wishlist-error-all-claimed")


async def release(session: Session, *, item_id: int, user_id: int) -> Claims:
    """Give back one unit the user claimed."""
    item, access = await _claimer_access(session, item_id, user_id)
    unit = await session.scalar(
        select(WishlistClaim.id)
        .where(WishlistClaim.item_id == item.id, WishlistClaim.user_id == user_id)
        .order_by(WishlistClaim.unit.desc())
        .limit(1)
    )
    if unit is None:
        raise Refused("wishlist-error-not-claimed")
    await session.execute(delete(WishlistClaim).where(WishlistClaim.id == unit))
    return await _claims_of(session, item.id, access, user_id)


async def view(session: Session, *, wishlist_id: int, viewer_id: int) -> WishlistView:
    """Return the wishlist as the viewer may see it; the owner's view has no claim data."""
    wishlist = await _wishlist(session, wishlist_id)
    access = await _access(session, wishlist, viewer_id)
    shares = await session.execute(
        select(WishlistShare.chat_id, WishlistShare.title)
        .where(WishlistShare.wishlist_id == wishlist.id, WishlistShare.chat_id.in_(access.chat_ids))
        .order_by(WishlistShare.shared_at, WishlistShare.chat_id)
    )
    item_ids = await session.scalars(
        select(WishlistItem.id)
        .where(WishlistItem.wishlist_id == wishlist.id)
        .order_by(WishlistItem.priority, WishlistItem.added_at, WishlistItem.id)
    )
    return WishlistView(
        id=wishlist.id,
        owner_id=wishlist.owner_id,
        group_chat_id=wishlist.group_chat_id,
        is_owner=access.owner,
        shares=tuple(Share(chat_id=chat_id, title=title) for chat_id, title in shares),
        items=tuple(await _item_views(session, list(item_ids), access, viewer_id)),
    )


async def _item_views(
    session: Session, item_ids: list[int], access: _Access, viewer_id: int
) -> list[ItemView]:
    rows = await session.execute(
        select(
            WishlistItem,
            Product.title_de,
            Product.title_en,
            func.coalesce(Variant.price, Product.price),
            Product.currency,
            _in_stock(),
        )
        .join(Product, Product.id == WishlistItem.product_id)
        .outerjoin(Variant, Variant.id == WishlistItem.variant_id)
        .where(WishlistItem.id.in_(item_ids))
    )
    by_id = {
        item.id: (item, title_de, title_en, Money(price, currency), bool(stock))
        for item, title_de, title_en, price, currency, stock in rows
    }
    claims = {} if access.owner else await _claims(session, item_ids, access, viewer_id)
    return [
        ItemView(
            id=item.id,
            product_id=item.product_id,
            variant_id=item.variant_id,
            title_de=title_de,
            title_en=title_en,
            quantity=item.quantity,
            priority=item.priority,
            note=item.note,
            price=price,
            in_stock=stock,
            claims=None if access.owner else claims.get(item.id, Claims(claimed=0, by_you=0, claimer_ids=())),
        )
        for item, title_de, title_en, price, stock in (by_id[item_id] for item_id in item_ids)
    ]


async def _claims(
    session: Session, item_ids: Iterable[int], access: _Access, viewer_id: int
) -> dict[int, Claims]:
    """Count each item's claims; name only claimers who share a group with the viewer through this list."""
    visible = (
        exists()
        .where(
            Membership.user_id == WishlistClaim.user_id,
            Membership.chat_id.in_(access.chat_ids),
            Membership.status.in_(ACTIVE_STATUSES),
        )
        .correlate(WishlistClaim)
    )
    rows = await session.execute(
        select(WishlistClaim.item_id, WishlistClaim.user_id, func.count(), visible)
        .where(WishlistClaim.item_id.in_(list(item_ids)))
        .group_by(WishlistClaim.item_id, WishlistClaim.user_id)
        .order_by(WishlistClaim.item_id, WishlistClaim.user_id)
    )
    counts: dict[int, tuple[int, int, list[int]]] = {}
    for item_id, user_id, units, shown in rows:
        claimed, by_you, names = counts.get(item_id, (0, 0, []))
        if shown:
            names.append(user_id)
        counts[item_id] = (claimed + units, by_you + (units if user_id == viewer_id else 0), names)
    return {
        item_id: Claims(claimed=claimed, by_you=by_you, claimer_ids=tuple(names))
        for item_id, (claimed, by_you, names) in counts.items()
    }


async def _claims_of(session: Session, item_id: int, access: _Access, viewer_id: int) -> Claims:
    claims = await _claims(session, [item_id], access, viewer_id)
    return claims.get(item_id, Claims(claimed=0, by_you=0, claimer_ids=()))


async def alerts_due(session: Session, *, now: datetime) -> list[Alert]:
    """Return the price-drop and back-in-stock alerts not yet sent, marking them as sent."""
    return [*await _price_drops(session), *await _back_in_stock(session)]


async def _price_drops(session: Session) -> list[Alert]:
    newest: dict[str, Any] = {}
    for subject in (PriceChange.product_id, PriceChange.variant_id):
        newest[subject.key] = (
            select(subject.label("subject"), func.max(PriceChange.id).label("change_id"))
            .where(subject.is_not(None))
            .group_by(subject)
            .subquery()
        )
    by_product, by_variant = newest["product_id"], newest["variant_id"]
    # A variant with its own price follows its own history, any other item the product's.
    change_id = case((Variant.price.is_not(None), by_variant.c.change_id), else_=by_product.c.change_id)
    rows = await session.execute(
        select(WishlistItem.id, WishlistItem.seen_price_change_id, change_id)
        .outerjoin(Variant, Variant.id == WishlistItem.variant_id)
        .outerjoin(by_product, by_product.c.subject == WishlistItem.product_id)
        .outerjoin(by_variant, by_variant.c.subject == WishlistItem.variant_id)
        .where(change_id > func.coalesce(WishlistItem.seen_price_change_id, 0))
        .order_by(WishlistItem.id)
    )
    dropped: dict[int, PriceChange] = {}
    for item_id, seen, newest_id in rows.all():
        moved = await session.execute(
            update(WishlistItem)
            .where(
                WishlistItem.id == item_id, func.coalesce(WishlistItem.seen_price_change_id, 0) == (seen or 0)
            )
            .values(seen_price_change_id=newest_id)
        )
        change = await session.get(PriceChange, newest_id)
        if getattr(moved, "rowcount", 0) and change is not None and _is_drop(change):
            dropped[item_id] = change
    return await _alerts(
        session,
        {
            item_id: {
                "price": Money(change.price, change.currency),
                "previous_price": Money(change.previous_price or Decimal(0), change.currency),
                "change_id": change.id,
            }
            for item_id, change in dropped.items()
        },
        keys=(PRICE_DROP, PRICE_DROP_GIFT),
    )


def _is_drop(change: PriceChange) -> bool:
    return change.previous_price is not None and change.price < change.previous_price


async def _back_in_stock(session: Session) -> list[Alert]:
    in_stock = _in_stock()
    rows = await session.execute(
        select(WishlistItem.id, in_stock).where(WishlistItem.in_stock != in_stock).order_by(WishlistItem.id)
    )
    back: dict[int, dict[str, Any]] = {}
    for item_id, now_in_stock in rows.all():
        moved = await session.execute(
            update(WishlistItem)
            .where(WishlistItem.id == item_id, WishlistItem.in_stock == (not now_in_stock))
            .values(in_stock=bool(now_in_stock))
        )
        if getattr(moved, "rowcount", 0) and now_in_stock:
            back[item_id] = {}
    return await _alerts(session, back, keys=(BACK_IN_STOCK, BACK_IN_STOCK_GIFT))


async def _alerts(session: Session, news: dict[int, dict[str, Any]], *, keys: tuple[str, str]) -> list[Alert]:
    """Address each item's news to its owner (or, for a group's list, its adder) and to its claimers."""
    if not news:
        return []
    owner_key, gift_key = keys
    rows = await session.execute(
        select(WishlistItem, Wishlist, Product.title_de, Product.title_en)
        .join(Wishlist, Wishlist.id == WishlistItem.wishlist_id)
        .join(Product, Product.id == WishlistItem.product_id)
        .where(WishlistItem.id.in_(news))
        .order_by(WishlistItem.id)
    )
    claimers = await _claimers_with_access(session, list(news))
    alerts: list[Alert] = []
    for item, wishlist, title_de, title_en in rows:
        args = {
            "wishlist_id": wishlist.id,
            "product_id": item.product_id,
            "title_de": title_de,
            "title_en": title_en,
            **news[item.id],
        }
        owner = wishlist.owner_id
        if owner is None and item.added_by is not None and wishlist.group_chat_id is not None:
            owner = (
                item.added_by
                if await _member(session, chat_id=wishlist.group_chat_id, user_id=item.added_by)
                else None
            )
        if owner is not None:
            alerts.append(Alert(chat_id=owner, key=owner_key, args=args))
        alerts.extend(
            Alert(chat_id=user_id, key=gift_key, args=args) for user_id in claimers.get(item.id, ())
        )
    return alerts


async def _claimers_with_access(session: Session, item_ids: list[int]) -> dict[int, list[int]]:
    """Return who claimed each item among those who can still see its wishlist."""
    shared_into = select(WishlistShare.chat_id).where(WishlistShare.wishlist_id == Wishlist.id)
    rows = await session.execute(
        select(WishlistClaim.item_id, WishlistClaim.user_id)
        .distinct()
        .join(WishlistItem, WishlistItem.id == WishlistClaim.item_id)
        .join(Wishlist, Wishlist.id == WishlistItem.wishlist_id)
        .join(Membership, Membership.user_id == WishlistClaim.user_id)
        .where(
            WishlistClaim.item_id.in_(item_ids),
            Membership.status.in_(ACTIVE_STATUSES),
            or_(Membership.chat_id == Wishlist.group_chat_id, Membership.chat_id.in_(shared_into)),
        )
        .order_by(WishlistClaim.item_id, WishlistClaim.user_id)
    )
    claimers: dict[int, list[int]] = {}
    for item_id, user_id in rows:
        claimers.setdefault(item_id, []).append(user_id)
    return claimers


@privacy.section("wishlists")
async def _export(session: Session, user_id: int) -> Any:
    items = await session.execute(
        select(WishlistItem, Wishlist.owner_id)
        .join(Wishlist, Wishlist.id == WishlistItem.wishlist_id)
        .where(or_(Wishlist.owner_id == user_id, WishlistItem.added_by == user_id))
        .order_by(WishlistItem.added_at, WishlistItem.id)
    )
    shares = await session.execute(
        select(WishlistShare.chat_id, WishlistShare.title, WishlistShare.shared_at)
        .join(Wishlist, Wishlist.id == WishlistShare.wishlist_id)
        .where(Wishlist.owner_id == user_id)
        .order_by(WishlistShare.shared_at)
    )
    claims = await session.execute(
        select(WishlistClaim.item_id, WishlistClaim.unit, WishlistClaim.claimed_at)
        .where(WishlistClaim.user_id == user_id)
        .order_by(WishlistClaim.claimed_at, WishlistClaim.id)
    )
    return {
        "items": [
            {
                "own_wishlist": owner == user_id,
                "product_id": item.product_id,
                "variant_id": item.variant_id,
                "quantity": item.quantity,
                "priority": item.priority,
                "note": item.note,
                "added_at": item.added_at.isoformat(),
            }
            for item, owner in items
        ],
        "shared_into": [
            {"chat_id": chat_id, "title": title, "at": at.isoformat()} for chat_id, title, at in shares
        ],
        "gift_claims": [
            {"item_id": item_id, "unit": unit, "at": at.isoformat()} for item_id, unit, at in claims
        ],
    }


@privacy.eraser("wishlists")
async def _erase(session: Session, user_id: int, now: datetime) -> None:
    # A group's wishlist keeps what the person added, for the group; who added it goes (SET NULL) and so
    # does the note, their own words. Their own wishlist goes with them (CASCADE).
    await session.execute(update(WishlistItem).where(WishlistItem.added_by == user_id).values(note=None))
