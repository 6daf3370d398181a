"""Subscriptions to personal deals: who opted in, from which retailers, with which interests and limits.

Nobody gets a deal without opting in: ``users.consent_personal_deals`` is the switch, and deals come only
from the retailers the person picked. Interests narrow what matches: categories (a category covers its
subcategories), brands and a maximum price; a muted category never matches. The cap limits the deal
messages in any 24 hours (or 7 days). Quiet hours, in the person's own time zone, hold deal messages back
until they end; order tracking keeps to them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    SmallInteger,
    String,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Brand, Category, Product, Retailer
from core import privacy
from core.db import Base, Session, UTCDateTime, upsert
from core.money import Money
from core.users import User
from deals.errors import Refused
from orders import fulfilment

PERIODS = ("day", "week")
CAP_MAX = 10
DEFAULT_CAP = 1
DEFAULT_PERIOD = "day"
DEFAULT_QUIET = (22, 8)
DEFAULT_CURRENCY = "EUR"


class DealPreference(Base):
    """A person's limits for deal messages: the cap, quiet hours and the highest price of interest."""

    __tablename__ = "deal_preferences"
    __table_args__ = (
        CheckConstraint(f"cap BETWEEN 1 AND {CAP_MAX}", name="cap_range"),
        CheckConstraint("cap_period IN ('day', 'week')", name="cap_period"),
        CheckConstraint("(quiet_from IS NULL) = (quiet_until IS NULL)", name="quiet_both"),
        CheckConstraint("quiet_from IS NULL OR quiet_from BETWEEN 0 AND 23", name="quiet_from_hour"),
        CheckConstraint("quiet_until IS NULL OR quiet_until BETWEEN 0 AND 23", name="quiet_until_hour"),
        CheckConstraint("max_price IS NULL OR max_price > 0", name="max_price_positive"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    cap: Mapped[int] = mapped_column(SmallInteger)
    cap_period: Mapped[str] = mapped_column(String(4))
    # Hours of the day in the person's time zone; both NULL: no quiet hours.
    quiet_from: Mapped[int | None] = mapped_column(SmallInteger)
    quiet_until: Mapped[int | None] = mapped_column(SmallInteger)
    max_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DealRetailer(Base):
    """A retailer whose deals the person agreed to get."""

    __tablename__ = "deal_retailers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(
        ForeignKey("retailers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DealCategory(Base):
    """A category the person is interested in, or (``muted``) never wants deals for."""

    __tablename__ = "deal_categories"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    muted: Mapped[bool] = mapped_column(Boolean)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DealBrand(Base):
    """A brand the person is interested in."""

    __tablename__ = "deal_brands"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From which hour until which hour of the person's day nothing that can wait is sent (None: never)."""

    start: int | None
    end: int | None

    @property
    def active(self) -> bool:
        """Tell whether there are quiet hours at all."""
        return self.start is not None and self.end is not None and self.start != self.end

    @property
    def ends(self) -> time | None:
        """Return the time of day the quiet hours end."""
        return time(self.end) if self.active and self.end is not None else None

    def contains(self, now: datetime, time_zone: str) -> bool:
        """Tell whether ``now`` falls in these quiet hours of ``time_zone``."""
        if not self.active or self.start is None or self.end is None:
            return False
        return fulfilment.is_quiet(now, time_zone, quiet_from=time(self.start), quiet_until=time(self.end))


@dataclass(frozen=True, slots=True)
class Preferences:
    """Everything a person chose about personal deals."""

    user_id: int
    subscribed: bool
    retailer_ids: frozenset[int]
    category_ids: frozenset[int]
    muted_category_ids: frozenset[int]
    brand_ids: frozenset[int]
    max_price: Money | None
    cap: int
    cap_period: str
    quiet: QuietHours
    time_zone: str
    language: str | None

    @property
    def active(self) -> bool:
        """Tell whether deals can reach the person: opted in and at least one retailer chosen."""
        return self.subscribed and bool(self.retailer_ids)


@dataclass(frozen=True, slots=True)
class Choice:
    """Something to pick in the settings: a retailer, brand or category (with or without subcategories)."""

    id: int
    name_de: str
    name_en: str
    has_children: bool = False

    def name(self, locale: str) -> str:
        """Return the name in ``locale`` (German for anything but English)."""
        return self.name_en if locale == "en" else self.name_de


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_time_zone(name: str) -> bool:
    """Tell whether ``name`` is an IANA time zone ("Europe/Berlin")."""
    return name in _zones()


async def _ensure(session: Session, user_id: int, now: datetime) -> DealPreference:
    if await session.get(User, user_id) is None:
        raise Refused("deals-error-unknown-user")
    await upsert(
        session,
        DealPreference.__table__,
        {
            "user_id": user_id,
            "cap": DEFAULT_CAP,
            "cap_period": DEFAULT_PERIOD,
            "quiet_from": DEFAULT_QUIET[0],
            "quiet_until": DEFAULT_QUIET[1],
            "max_price": None,
            "currency": DEFAULT_CURRENCY,
            "updated_at": now,
        },
        conflict=["user_id"],
    )
    row = await session.get(DealPreference, user_id, populate_existing=True)
    assert row is not None
    return row


async def get(session: Session, *, user_id: int) -> Preferences:
    """Return the person's choices (the defaults where they chose nothing yet)."""
    user = await session.get(User, user_id)
    if user is None:
        raise Refused("deals-error-unknown-user")
    row = await session.get(DealPreference, user_id)
    categories = (
        await session.execute(
            select(DealCategory.category_id, DealCategory.muted).where(DealCategory.user_id == user_id)
        )
    ).all()
    retailer_ids = await session.scalars(
        select(DealRetailer.retailer_id).where(DealRetailer.user_id == user_id)
    )
    brand_ids = await session.scalars(select(DealBrand.brand_id).where(DealBrand.user_id == user_id))
    quiet = QuietHours(*DEFAULT_QUIET) if row is None else QuietHours(row.quiet_from, row.quiet_until)
    return Preferences(
        user_id=user_id,
        subscribed=user.consent_personal_deals,
        retailer_ids=frozenset(retailer_ids),
        category_ids=frozenset(category for category, muted in categories if not muted),
        muted_category_ids=frozenset(category for category, muted in categories if muted),
        brand_ids=frozenset(brand_ids),
        max_price=Money(row.max_price, row.currency) if row is not None and row.max_price else None,
        cap=row.cap if row is not None else DEFAULT_CAP,
        cap_period=row.cap_period if row is not None else DEFAULT_PERIOD,
        quiet=quiet,
        time_zone=user.time_zone,
        language=user.language,
    )


async def subscribe(session: Session, *, user_id: int, now: datetime) -> Preferences:
    """Opt in to personal deals (from the retailers the person picks)."""
    await _ensure(session, user_id, now)
    await session.execute(update(User).where(User.id == user_id).values(consent_personal_deals=True))
    return await get(session, user_id=user_id)


async def unsubscribe(session: Session, *, user_id: int, now: datetime) -> Preferences:
    """Stop every personal deal; the choices stay for when the person opts in again."""
    await session.execute(update(User).where(User.id == user_id).values(consent_personal_deals=False))
    return await get(session, user_id=user_id)


async def choose_retailer(
    session: Session, *, user_id: int, retailer_id: int, chosen: bool, now: datetime
) -> Preferences:
    """Agree (or no longer agree) to get the retailer's deals."""
    await _ensure(session, user_id, now)
    if chosen:
        if await session.get(Retailer, retailer_id) is None:
            raise Refused("deals-error-unknown-retailer")
        await upsert(
            session,
            DealRetailer.__table__,
            {"user_id": user_id, "retailer_id": retailer_id, "chosen_at": now},
            conflict=["user_id", "retailer_id"],
        )
    else:
        await session.execute(
            delete(DealRetailer).where(
                DealRetailer.user_id == user_id, DealRetailer.retailer_id == retailer_id
            )
        )
    return await get(session, user_id=user_id)


async def choose_category(
    session: Session, *, user_id: int, category_id: int, chosen: bool, now: datetime
) -> Preferences:
    """Add a category to the person's interests (lifting a mute), or take it out again."""
    await _ensure(session, user_id, now)
    if chosen:
        await _set_category(session, user_id, category_id, muted=False, now=now)
    else:
        await session.execute(
            delete(DealCategory).where(
                DealCategory.user_id == user_id, DealCategory.category_id == category_id
            )
        )
    return await get(session, user_id=user_id)


async def mute_category(session: Session, *, user_id: int, category_id: int, now: datetime) -> Preferences:
    """Never send the person deals of this category (or its subcategories) again."""
    await _ensure(session, user_id, now)
    await _set_category(session, user_id, category_id, muted=True, now=now)
    return await get(session, user_id=user_id)


async def _set_category(
    session: Session, user_id: int, category_id: int, *, muted: bool, now: datetime
) -> None:
    if await session.get(Category, category_id) is None:
        raise Refused("deals-error-unknown-category")
    await upsert(
        session,
        DealCategory.__table__,
        {"user_id": user_id, "category_id": category_id, "muted": muted, "chosen_at": now},
        conflict=["user_id", "category_id"],
        update=["muted", "chosen_at"],
    )


async def choose_brand(
    session: Session, *, user_id: int, brand_id: int, chosen: bool, now: datetime
) -> Preferences:
    """Add a brand to the person's interests, or take it out again."""
    await _ensure(session, user_id, now)
    if chosen:
        if await session.get(Brand, brand_id) is None:
            raise Refused("deals-error-unknown-brand")
        await upsert(
            session,
            DealBrand.__table__,
            {"user_id": user_id, "brand_id": brand_id, "chosen_at": now},
            conflict=["user_id", "brand_id"],
        )
    else:
        await session.execute(
            delete(DealBrand).where(DealBrand.user_id == user_id, DealBrand.brand_id == brand_id)
        )
    return await get(session, user_id=user_id)


async def set_max_price(
    session: Session, *, user_id: int, max_price: Money | None, now: datetime
) -> Preferences:
    """Only send deals at or below ``max_price`` (None: any price)."""
    row = await _ensure(session, user_id, now)
    if max_price is not None and max_price.amount <= 0:
        raise Refused("deals-error-max-price", field="max_price")
    row.max_price = None if max_price is None else max_price.quantize().amount
    row.currency = DEFAULT_CURRENCY if max_price is None else max_price.currency
    row.updated_at = now
    await session.flush()
    return await get(session, user_id=user_id)


async def set_cap(session: Session, *, user_id: int, cap: int, period: str, now: datetime) -> Preferences:
    """Send at most ``cap`` deal messages per ``period`` (``day``: any 24 hours, ``week``: any 7 days)."""
    if not 1 <= cap <= CAP_MAX or period not in PERIODS:
        raise Refused("deals-error-cap", max=CAP_MAX)
    row = await _ensure(session, user_id, now)
    row.cap, row.cap_period, row.updated_at = cap, period, now
    await session.flush()
    return await get(session, user_id=user_id)


async def set_quiet_hours(
    session: Session, *, user_id: int, start: int | None, end: int | None, now: datetime
) -> Preferences:
    """Keep deals (and tracking news that can wait) back from ``start`` to ``end`` o'clock (None: never)."""
    if (start is None) != (end is None) or (
        start is not None and end is not None and (not 0 <= start <= 23 or not 0 <= end <= 23 or start == end)
    ):
        raise Refused("deals-error-quiet-hours")
    row = await _ensure(session, user_id, now)
    row.quiet_from, row.quiet_until, row.updated_at = start, end, now
    await session.flush()
    return await get(session, user_id=user_id)


async def set_time_zone(session: Session, *, user_id: int, time_zone: str, now: datetime) -> Preferences:
    """Keep the person's time zone (quiet hours and times in messages follow it)."""
    if not valid_time_zone(time_zone):
        raise Refused("deals-error-time-zone", zone=time_zone)
    await _ensure(session, user_id, now)
    await session.execute(update(User).where(User.id == user_id).values(time_zone=time_zone))
    return await get(session, user_id=user_id)


async def quiet_hours(session: Session, *, user_id: int) -> QuietHours:
    """Return the person's quiet hours (22 to 8 o'clock until they choose others)."""
    row = (
        await session.execute(
            select(DealPreference.quiet_from, DealPreference.quiet_until).where(
                DealPreference.user_id == user_id
            )
        )
    ).one_or_none()
    return QuietHours(*DEFAULT_QUIET) if row is None else QuietHours(row[0], row[1])


async def retailers(session: Session) -> list[Choice]:
    """Return the retailers with active products, whose deals a person can agree to get."""
    rows = await session.execute(
        select(Retailer.id, Retailer.name)
        .where(exists().where(Product.retailer_id == Retailer.id, Product.active.is_(True)))
        .order_by(Retailer.name, Retailer.id)
    )
    return [Choice(retailer_id, name, name) for retailer_id, name in rows]


async def categories(session: Session, *, parent_id: int | None) -> list[Choice]:
    """Return the categories under ``parent_id`` (None: the top level), in the catalog's order."""
    child = Category.__table__.alias("child")
    rows = await session.execute(
        select(
            Category.id,
            Category.name_de,
            Category.name_en,
            exists().where(child.c.parent_id == Category.id),
        )
        .where(Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id)
        .order_by(Category.position, Category.id)
    )
    return [Choice(cid, de, en, bool(children)) for cid, de, en, children in rows]


async def named_categories(session: Session, *, ids: Iterable[int]) -> list[Choice]:
    """Return the categories with these ids, in the catalog's order."""
    wanted = list(ids)
    if not wanted:
        return []
    rows = await session.execute(
        select(Category.id, Category.name_de, Category.name_en)
        .where(Category.id.in_(wanted))
        .order_by(Category.position, Category.id)
    )
    return [Choice(cid, de, en) for cid, de, en in rows]


async def parent_of(session: Session, *, category_id: int) -> int | None:
    """Return the category's parent, or None at the top level."""
    parent: int | None = await session.scalar(select(Category.parent_id).where(Category.id == category_id))
    return parent


async def brands(session: Session) -> list[Choice]:
    """Return the brands that active products carry."""
    rows = await session.execute(
        select(Brand.id, Brand.name)
        .where(exists().where(Product.brand_id == Brand.id, Product.active.is_(True)))
        .order_by(func.lower(Brand.name))
    )
    return [Choice(brand_id, name, name) for brand_id, name in rows]


def names(choices: Iterable[Choice], ids: Iterable[int], locale: str) -> list[str]:
    """Return the names of the chosen ones among ``choices``, in the order of ``choices``."""
    wanted = set(ids)
    return [choice.name(locale) for choice in choices if choice.id in wanted]


@privacy.section("personal_deals")
async def _export(session: Session, user_id: int) -> Any:
    if await session.get(User, user_id) is None:
        return None
    chosen = await get(session, user_id=user_id)
    return {
        "subscribed": chosen.subscribed,
        "retailer_ids": sorted(chosen.retailer_ids),
        "category_ids": sorted(chosen.category_ids),
        "muted_category_ids": sorted(chosen.muted_category_ids),
        "brand_ids": sorted(chosen.brand_ids),
        "max_price": None
        if chosen.max_price is None
        else {"amount": str(chosen.max_price.amount), "currency": chosen.max_price.currency},
        "cap": {"messages": chosen.cap, "per": chosen.cap_period},
        "quiet_hours": {"from": chosen.quiet.start, "until": chosen.quiet.end},
        "time_zone": chosen.time_zone,
    }
