"""Deals: a retailer's discount on one of its products, or on a category of them, from a start to an end.

A deal is real: when it starts, the price of every product it covers goes down by its percentage (through
:func:`catalog.prices.set_price`, so the history records it, the card shows the regular price crossed out,
and the cart and checkout charge the deal price); when it ends, each product gets its regular price back,
unless the retailer changed the price in the meantime. A product takes part in one running deal at a time
(a partial unique index on the running items), and deals of one retailer whose products overlap in time
are refused. Products whose variants carry prices of their own are left out: a percentage of the product
price would not reach them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    exists,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog import prices
from catalog.models import Category, PriceChange, Product, Variant
from core import privacy, tasks
from core.db import AutoId, Base, Session, UTCDateTime
from core.money import Money
from deals import matching
from deals.errors import Refused

START = "deal-start"
END = "deal-end"
PERCENT_MIN, PERCENT_MAX = 1, 90
SHORTEST = timedelta(hours=1)
LONGEST = timedelta(days=90)
# How far ahead a deal may be planned.
PLANNED_AHEAD = timedelta(days=90)
# A start a moment in the past (a slow request) counts as "now".
LEEWAY = timedelta(minutes=5)
STATUSES = ("scheduled", "running", "ended", "cancelled")
OPEN = ("scheduled", "running")
_CENT = Decimal("0.01")
PERCENT = re.compile(r"^[-−–]?\s*(\d{1,3})\s*%?$")
DURATION = re.compile(r"^(\d{1,4})\s*([hdw])$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class Deal(Base):
    """A retailer's discount on a product or a category, with its start and end."""

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (category_id IS NULL)", name="one_subject"),
        CheckConstraint(f"percent BETWEEN {PERCENT_MIN} AND {PERCENT_MAX}", name="percent_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('scheduled', 'running', 'ended', 'cancelled')", name="status"),
        Index("ix_deals_retailer_id_status", "retailer_id", "status"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    percent: Mapped[int] = mapped_column(SmallInteger)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DealItem(Base):
    """A product a running (or past) deal lowered: its regular price, the deal price and that price change."""

    __tablename__ = "deal_items"
    __table_args__ = (
        Index(
            "uq_deal_items_active_product",
            "product_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    regular_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    regular_compare_at: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    deal_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    # The price change the deal made, so a wishlist's price-drop alert knows it came from this deal.
    price_change_id: Mapped[int | None] = mapped_column(
        ForeignKey("price_changes.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True, slots=True)
class DealView:
    """A deal as its retailer (and the API) sees it."""

    id: int
    retailer_id: int
    product_id: int | None
    sku: str | None
    category_id: int | None
    category_slug: str | None
    name_de: str
    name_en: str
    percent: int
    starts_at: datetime
    ends_at: datetime
    status: str
    products: int
    created_at: datetime
    ended_at: datetime | None

    def name(self, locale: str) -> str:
        """Return the product's title or the category's name in ``locale``."""
        return self.name_en if locale == "en" else self.name_de


def parse_percent(value: str) -> int:
    """Read a discount such as "-20%", "20 %" or "20" as a whole percentage."""
    found = PERCENT.match(value.strip())
    if found is None or not PERCENT_MIN <= int(found[1]) <= PERCENT_MAX:
        raise Refused("deal-error-percent", field="percent", min=PERCENT_MIN, max=PERCENT_MAX)
    return int(found[1])


def parse_duration(value: str) -> timedelta:
    """Read a duration such as "7d", "24h" or "2w"."""
    found = DURATION.match(value.strip())
    if found is None:
        raise Refused("deal-error-duration", field="ends_at")
    return int(found[1]) * _UNITS[found[2].lower()]


def deal_price(price: Decimal, percent: int) -> Decimal:
    """Return the price lowered by ``percent``, rounded to the cent."""
    return (price * (100 - percent) / 100).quantize(_CENT, rounding=ROUND_HALF_UP)


async def category_tree(session: Session) -> dict[int, int | None]:
    """Return every category's parent."""
    rows = await session.execute(select(Category.id, Category.parent_id))
    return {category_id: parent_id for category_id, parent_id in rows}


def _subtree(tree: dict[int, int | None], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for node, parent in tree.items():
        children.setdefault(parent, []).append(node)
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        found.add(node)
        stack.extend(children.get(node, ()))
    return found


def ancestors(tree: dict[int, int | None], category_id: int) -> list[int]:
    """Return the category and its parents up to the top of the tree."""
    path: list[int] = []
    node: int | None = category_id
    while node is not None and node not in path:
        path.append(node)
        node = tree.get(node)
    return path


async def _covered(
    session: Session, *, retailer_id: int, product_id: int | None, category_id: int | None
) -> set[int]:
    """Return the retailer's active products a deal on this subject lowers now."""
    query = select(Product.id).where(
        Product.retailer_id == retailer_id,
        Product.active.is_(True),
        ~exists().where(Variant.product_id == Product.id, Variant.price.is_not(None)),
    )
    if product_id is not None:
        query = query.where(Product.id == product_id)
    else:
        assert category_id is not None
        query = query.where(Product.category_id.in_(_subtree(await category_tree(session), category_id)))
    return set(await session.scalars(query))


async def product_by_sku(session: Session, *, retailer_id: int, sku: str) -> int | None:
    """Return the retailer's active product with this SKU."""
    found: int | None = await session.scalar(
        select(Product.id).where(
            Product.retailer_id == retailer_id, Product.sku == sku.strip(), Product.active.is_(True)
        )
    )
    return found


async def category_by_slug(session: Session, *, slug: str) -> int | None:
    """Return the category with this slug (any case)."""
    found: int | None = await session.scalar(
        select(Category.id).where(func.lower(Category.slug) == slug.strip().lower())
    )
    return found


async def resolve(session: Session, *, retailer_id: int, subject: str) -> tuple[int | None, int | None]:
    """Return ``(product id, None)`` for one of the retailer's SKUs, or ``(None, category id)`` for a
    category (its slug, or its German or English name) in which the retailer has active products."""
    subject = subject.strip()
    product_id = await product_by_sku(session, retailer_id=retailer_id, sku=subject)
    if product_id is not None:
        return product_id, None
    exact = await category_by_slug(session, slug=subject)
    lowered = subject.lower()
    found = (
        [exact]
        if exact is not None
        else list(
            await session.scalars(
                select(Category.id)
                .where(or_(func.lower(Category.name_de) == lowered, func.lower(Category.name_en) == lowered))
                .order_by(Category.id)
            )
        )
    )
    candidates = [
        category_id
        for category_id in found
        if await _covered(session, retailer_id=retailer_id, product_id=None, category_id=category_id)
    ]
    if len(candidates) == 1:
        return None, candidates[0]
    if len(candidates) > 1:
        slugs = await session.scalars(
            select(Category.slug).where(Category.id.in_(candidates)).order_by(Category.slug)
        )
        raise Refused("deal-error-ambiguous", field="category", subject=subject, choices=", ".join(slugs))
    raise Refused("deal-error-unknown-subject", field="sku", subject=subject)


async def create(
    session: Session,
    *,
    retailer_id: int,
    percent: int,
    starts_at: datetime,
    ends_at: datetime,
    created_by: int | None,
    now: datetime,
    product_id: int | None = None,
    category_id: int | None = None,
) -> DealView:
    """Create a deal of the retailer on its product or on a category of its products; start it when due."""
    if (product_id is None) == (category_id is None):
        raise Refused("deal-error-subject", field="sku")
    if not PERCENT_MIN <= percent <= PERCENT_MAX:
        raise Refused("deal-error-percent", field="percent", min=PERCENT_MIN, max=PERCENT_MAX)
    starts_at = max(starts_at, now) if starts_at >= now - LEEWAY else starts_at
    if starts_at < now:
        raise Refused("deal-error-start-past", field="starts_at")
    if starts_at > now + PLANNED_AHEAD:
        raise Refused("deal-error-start-far", field="starts_at", days=PLANNED_AHEAD.days)
    if not SHORTEST <= ends_at - starts_at <= LONGEST:
        raise Refused("deal-error-length", field="ends_at", days=LONGEST.days)
    if product_id is not None:
        product = await session.get(Product, product_id)
        if product is None or product.retailer_id != retailer_id or not product.active:
            raise Refused("deal-error-unknown-subject", field="sku", subject=str(product_id))
    elif await session.get(Category, category_id) is None:
        raise Refused("deal-error-unknown-category", field="category")
    covered = await _covered(session, retailer_id=retailer_id, product_id=product_id, category_id=category_id)
    if not covered:
        raise Refused("deal-error-nothing-covered", field="sku" if product_id is not None else "category")
    clash = await _overlapping(
        session, retailer_id=retailer_id, starts_at=starts_at, ends_at=ends_at, covered=covered
    )
    if clash is not None:
        raise Refused(
            "deal-error-overlap", field="sku" if product_id is not None else "category", id=str(clash)
        )
    deal = Deal(
        retailer_id=retailer_id,
        product_id=product_id,
        category_id=category_id,
        percent=percent,
        starts_at=starts_at,
        ends_at=ends_at,
        status="scheduled",
        created_by=created_by,
        created_at=now,
    )
    session.add(deal)
    await session.flush()
    await tasks.schedule(session, kind=END, key=str(deal.id), due_at=ends_at)
    if starts_at <= now:
        await _apply(session, deal, now)
    else:
        await tasks.schedule(session, kind=START, key=str(deal.id), due_at=starts_at)
    view = await get(session, deal_id=deal.id, retailer_id=retailer_id)
    assert view is not None
    return view


async def _overlapping(
    session: Session, *, retailer_id: int, starts_at: datetime, ends_at: datetime, covered: set[int]
) -> int | None:
    """Return an open deal of the retailer that covers one of these products at the same time."""
    others = await session.scalars(
        select(Deal)
        .where(
            Deal.retailer_id == retailer_id,
            Deal.status.in_(OPEN),
            Deal.starts_at < ends_at,
            Deal.ends_at > starts_at,
        )
        .order_by(Deal.id)
    )
    for other in others:
        theirs = await _covered(
            session, retailer_id=retailer_id, product_id=other.product_id, category_id=other.category_id
        )
        if theirs & covered:
            return other.id
    return None


async def start(session: Session, *, deal_id: int, now: datetime) -> DealView | None:
    """Start a scheduled deal at its time: lower the prices of what it covers (a second call does nothing)."""
    deal = await session.get(Deal, deal_id, with_for_update=True, populate_existing=True)
    if deal is None or deal.status != "scheduled":
        return None
    await _apply(session, deal, now)
    return await get(session, deal_id=deal.id, retailer_id=deal.retailer_id)


async def _apply(session: Session, deal: Deal, now: datetime) -> None:
    covered = await _covered(
        session, retailer_id=deal.retailer_id, product_id=deal.product_id, category_id=deal.category_id
    )
    taken = set(
        await session.scalars(
            select(DealItem.product_id).where(DealItem.active.is_(True), DealItem.product_id.in_(covered))
        )
    )
    for product_id in sorted(covered - taken):
        product = await session.get(Product, product_id, with_for_update=True, populate_existing=True)
        assert product is not None
        lowered = deal_price(product.price, deal.percent)
        if lowered <= 0 or lowered >= product.price:
            continue
        regular_compare_at = product.compare_at_price
        compare_at = max(regular_compare_at or product.price, product.price)
        regular = product.price
        await prices.set_price(
            session, product_id=product_id, price=lowered, compare_at_price=compare_at, now=now
        )
        change_id = await session.scalar(
            select(func.max(PriceChange.id)).where(PriceChange.product_id == product_id)
        )
        session.add(
            DealItem(
                deal_id=deal.id,
                product_id=product_id,
                regular_price=regular,
                regular_compare_at=regular_compare_at,
                deal_price=lowered,
                currency=product.currency,
                price_change_id=change_id,
                active=True,
            )
        )
    deal.status = "running"
    await session.flush()


async def end(session: Session, *, deal_id: int, now: datetime, retailer_id: int | None = None) -> DealView:
    """End a deal now (or at its end): give every product its regular price back; a second call does nothing.

    With ``retailer_id`` only that retailer's deal can be ended (another's is unknown to it).
    """
    deal = await session.get(Deal, deal_id, with_for_update=True, populate_existing=True)
    if deal is None or (retailer_id is not None and deal.retailer_id != retailer_id):
        raise Refused("deal-error-unknown", field="id")
    if deal.status in OPEN:
        items = await session.scalars(
            select(DealItem)
            .where(DealItem.deal_id == deal.id, DealItem.active.is_(True))
            .order_by(DealItem.product_id)
        )
        for item in items:
            product = await session.get(
                Product, item.product_id, with_for_update=True, populate_existing=True
            )
            # A price the retailer changed during the deal stays as they set it.
            if product is not None and product.price == item.deal_price:
                await prices.set_price(
                    session,
                    product_id=item.product_id,
                    price=item.regular_price,
                    compare_at_price=item.regular_compare_at,
                    now=now,
                )
            item.active = False
        deal.status = "ended" if deal.status == "running" else "cancelled"
        deal.ended_at = now
        await session.flush()
        await tasks.cancel(session, kind=START, key=str(deal.id), now=now)
        if now < deal.ends_at:  # ended early; at its end it is the END task that runs this
            await tasks.cancel(session, kind=END, key=str(deal.id), now=now)
    view = await get(session, deal_id=deal.id, retailer_id=deal.retailer_id)
    assert view is not None
    return view


async def get(session: Session, *, deal_id: int, retailer_id: int | None) -> DealView | None:
    """Return the deal, or None when there is none (or it is another retailer's, given ``retailer_id``)."""
    views = await _views(session, Deal.id == deal_id)
    if not views or (retailer_id is not None and views[0].retailer_id != retailer_id):
        return None
    return views[0]


async def listing(
    session: Session, *, retailer_id: int | None, past: bool = False, limit: int = 20
) -> list[DealView]:
    """Return the retailer's scheduled and running deals (``past``: ended ones too), soonest end first."""
    conditions: list[ColumnElement[bool]] = [] if past else [Deal.status.in_(OPEN)]
    if retailer_id is not None:
        conditions.append(Deal.retailer_id == retailer_id)
    return await _views(session, *conditions, limit=limit)


async def _views(
    session: Session, *conditions: ColumnElement[bool], limit: int | None = None
) -> list[DealView]:
    subject = Product.__table__.alias("subject")
    count = select(func.count()).where(DealItem.deal_id == Deal.id).correlate(Deal).scalar_subquery()
    query = (
        select(
            Deal,
            subject.c.sku,
            subject.c.title_de,
            subject.c.title_en,
            Category.slug,
            Category.name_de,
            Category.name_en,
            count,
        )
        .outerjoin(subject, subject.c.id == Deal.product_id)
        .outerjoin(Category, Category.id == Deal.category_id)
        .where(*conditions)
        .order_by(Deal.status.in_(("ended", "cancelled")), Deal.ends_at, Deal.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = await session.execute(query)
    return [
        DealView(
            id=deal.id,
            retailer_id=deal.retailer_id,
            product_id=deal.product_id,
            sku=sku,
            category_id=deal.category_id,
            category_slug=slug,
            name_de=title_de if deal.product_id is not None else name_de,
            name_en=title_en if deal.product_id is not None else name_en,
            percent=deal.percent,
            starts_at=deal.starts_at,
            ends_at=deal.ends_at,
            status=deal.status,
            products=int(items or 0),
            created_at=deal.created_at,
            ended_at=deal.ended_at,
        )
        for deal, sku, title_de, title_en, slug, name_de, name_en, items in rows
    ]


async def deal_of_change(session: Session, *, price_change_ids: Collection[int]) -> dict[int, int]:
    """Return, for the price changes a deal made, which deal made them."""
    if not price_change_ids:
        return {}
    rows = await session.execute(
        select(DealItem.price_change_id, DealItem.deal_id).where(
            DealItem.price_change_id.in_(list(price_change_ids))
        )
    )
    return {change_id: deal_id for change_id, deal_id in rows if change_id is not None}


async def running(session: Session, *, now: datetime) -> list[matching.DealFacts]:
    """Return what matching needs to know about every running deal: retailer, categories, brands, prices."""
    tree = await category_tree(session)
    rows = await session.execute(
        select(
            Deal,
            DealItem.product_id,
            Product.brand_id,
            Product.category_id,
            DealItem.deal_price,
            DealItem.currency,
        )
        .join(DealItem, DealItem.deal_id == Deal.id)
        .join(Product, Product.id == DealItem.product_id)
        .where(Deal.status == "running", Deal.starts_at <= now, Deal.ends_at > now, DealItem.active.is_(True))
        .order_by(Deal.id, DealItem.deal_price, DealItem.product_id)
    )
    grouped: dict[int, tuple[Deal, list[matching.Item]]] = {}
    for deal, product_id, brand_id, category_id, price, currency in rows:
        entry = grouped.setdefault(deal.id, (deal, []))
        entry[1].append(
            matching.Item(
                product_id=product_id,
                brand_id=brand_id,
                category_ids=tuple(ancestors(tree, category_id)),
                price_cents=int(price * 100),
                currency=currency,
            )
        )
    return [
        matching.DealFacts(
            id=deal.id,
            retailer_id=deal.retailer_id,
            category_id=deal.category_id if deal.category_id is not None else items[0].category_ids[0],
            percent=deal.percent,
            ends_at=deal.ends_at,
            items=tuple(items),
        )
        for deal, items in grouped.values()
    ]


async def offer_demo(session: Session, *, retailer_id: int, now: datetime) -> int:
    """Give the demo shop two deals for a week (a product and a category) unless it has one running; once."""
    if await session.scalar(
        select(Deal.id).where(Deal.retailer_id == retailer_id, Deal.status.in_(OPEN)).limit(1)
    ):
        return 0
    ends = now + timedelta(days=7)
    count = 0
    for percent, subject in (
        (20, await _demo_product(session, retailer_id)),
        (15, await _demo_category(session, retailer_id)),
    ):
        if subject is None:
            continue
        product_id, category_id = subject
        try:
            await create(
                session,
                retailer_id=retailer_id,
                product_id=product_id,
                category_id=category_id,
                percent=percent,
                starts_at=now,
                ends_at=ends,
                created_by=None,
                now=now,
            )
        except Refused:
            continue
        count += 1
    return count


async def _demo_product(session: Session, retailer_id: int) -> tuple[int | None, int | None] | None:
    product_id = await session.scalar(
        select(Product.id)
        .where(
            Product.retailer_id == retailer_id, Product.active.is_(True), Product.compare_at_price.is_(None)
        )
        .order_by(Product.id)
        .limit(1)
    )
    return None if product_id is None else (product_id, None)


async def _demo_category(session: Session, retailer_id: int) -> tuple[int | None, int | None] | None:
    # A leaf far from the product deal's: the last category that has products.
    category_id = await session.scalar(
        select(Product.category_id)
        .where(Product.retailer_id == retailer_id, Product.active.is_(True))
        .order_by(Product.category_id.desc())
        .limit(1)
    )
    return None if category_id is None else (None, category_id)


@dataclass(frozen=True, slots=True)
class DealProduct:
    """A product a running deal lowered, with the deal price and the regular one."""

    product_id: int
    title: str
    price: Money
    regular: Money


async def products_of(session: Session, *, deal_id: int, locale: str, limit: int) -> list[DealProduct]:
    """Return the products a running deal lowers now, cheapest first (none once it ended)."""
    rows = await session.execute(
        select(DealItem, Product.title_de, Product.title_en)
        .join(Product, Product.id == DealItem.product_id)
        .where(DealItem.deal_id == deal_id, DealItem.active.is_(True), Product.active.is_(True))
        .order_by(DealItem.deal_price, DealItem.product_id)
        .limit(limit)
    )
    return [
        DealProduct(
            product_id=item.product_id,
            title=title_en if locale == "en" else title_de,
            price=Money(item.deal_price, item.currency),
            regular=Money(item.regular_price, item.currency),
        )
        for item, title_de, title_en in rows
    ]


@privacy.section("deals_created")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.scalars(
        select(Deal).where(Deal.created_by == user_id).order_by(Deal.created_at, Deal.id)
    )
    return [
        {"deal_id": row.id, "percent": row.percent, "status": row.status, "at": row.created_at.isoformat()}
        for row in rows
    ]
