"""Retailer broadcasts: compose, pick a segment, send now or at a time, follow the progress and the stats.

A broadcast is one message (sanitised HTML text, optionally a photo and a product button) from a retailer to
a segment of the people who opted in to that retailer's offers (``deals.subscriptions``: the retailer is
among their chosen ones and personal offers are switched on). Nobody else ever receives it. Segments narrow
the subscribers down to one language, an interest (a category or brand they chose), past buyers of the
retailer's products, or people who joined one of its group buys.

Life of a broadcast: ``draft`` (composed in the chat, remembered here, not in the bot's memory) →
``scheduled`` (a :mod:`core.tasks` task starts it) → ``sending`` (its recipients were written to the
outbox, :mod:`deals.outbox`, in one statement) → ``done``; a draft or a scheduled broadcast may be
``cancelled``, and stopping a broadcast that is sending cancels the recipients not sent yet.

Stats: delivered, failed, blocked and unknown come from the outbox; clicks are the recipients who pressed the
product button (once each); purchases are the orders of the broadcast's product (any product of the retailer
when it has none) that a recipient placed within :data:`ATTRIBUTION` after the message reached them, orders
cancelled or refunded left out. Every broadcast that reached the buyer within that time counts the order.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Brand, Category, Product, Retailer
from core import privacy, tasks, users
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.users import User
from deals import outbox, subscriptions
from deals.errors import Refused
from deals.subscriptions import DealBrand, DealCategory, DealRetailer
from orders.models import Order, OrderLine
from social.groupbuys import GroupBuy, GroupBuyParticipant

START = "broadcast-start"
ATTRIBUTION = timedelta(days=7)
MAX_TEXT = 4096
MAX_CAPTION = 1024
SCHEDULE_AHEAD = timedelta(days=60)

DRAFT = "draft"
SCHEDULED = "scheduled"
SENDING = "sending"
DONE = "done"
CANCELLED = "cancelled"
STATUSES = (DRAFT, SCHEDULED, SENDING, DONE, CANCELLED)
# The step of a draft composed in the chat: what the bot asked for last.
STEPS = ("text", "photo", "product", "ready")

ALL = "all"
LANGUAGE = "language"
INTEREST = "interest"
BUYERS = "buyers"
GROUP_BUY = "groupbuy"
SEGMENTS = (ALL, LANGUAGE, INTEREST, BUYERS, GROUP_BUY)
# Orders in these states were never a purchase.
NOT_BOUGHT = ("cancelled", "refunded")
_INTEREST = re.compile(r"^(category|brand):(\d{1,12})$")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Broadcast(Base):
    """One message from a retailer to a segment of its subscribers."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        CheckConstraint(_one_of("segment", SEGMENTS), name="segment"),
        CheckConstraint(_one_of("step", STEPS), name="step"),
        Index("ix_broadcasts_retailer_id_created_at", "retailer_id", "created_at"),
        Index("ix_broadcasts_created_by_status", "created_by", "status"),
        # Ids are never reused (a discarded draft's buttons must not reach a newer broadcast).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The language of the retailer's progress and stats messages.
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    # A photo sent in the chat (Telegram's file id), or one uploaded through the API (a file under the
    # media folder; its file id is kept once Telegram has it).
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    photo_path: Mapped[str | None] = mapped_column(String(255))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    segment: Mapped[str] = mapped_column(String(16), default=ALL)
    segment_value: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    step: Mapped[str] = mapped_column(String(8), default="text")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # The retailer's live progress message: where it is, when it was edited, what it shows.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_shown: Mapped[int] = mapped_column(Integer, default=-1)
    progress_final: Mapped[bool] = mapped_column(Boolean, default=False)


class BroadcastClick(Base):
    """A recipient who pressed the broadcast's product button (counted once per person)."""

    __tablename__ = "broadcast_clicks"

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    clicked_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Segment:
    """Who among the subscribers a broadcast goes to."""

    kind: str = ALL
    value: str | None = None

    @classmethod
    def of(cls, kind: str, value: str | None = None) -> Segment:
        """Return a checked segment, or raise :class:`Refused` naming the ``segment`` field."""
        value = value.strip() if isinstance(value, str) and value.strip() else None
        if kind not in SEGMENTS:
            raise Refused("broadcast-error-segment", field="segment")
        if kind == LANGUAGE and (value is None or not re.fullmatch(r"[a-z]{2}", value)):
            raise Refused("broadcast-error-segment-language", field="segment")
        if kind == INTEREST and (value is None or not _INTEREST.match(value)):
            raise Refused("broadcast-error-segment-interest", field="segment")
        if kind == GROUP_BUY and value is not None and not value.isdigit():
            raise Refused("broadcast-error-segment", field="segment")
        if kind in (ALL, BUYERS):
            value = None
        return cls(kind, value)


@dataclass(frozen=True, slots=True)
class ProductRef:
    """The product behind a broadcast's button."""

    id: int
    sku: str
    title_de: str
    title_en: str

    def title(self, locale: str) -> str:
        """Return the title in ``locale`` (German for anything but English)."""
        return self.title_en if locale == "en" else self.title_de


@dataclass(frozen=True, slots=True)
class View:
    """A broadcast as the retailer sees it."""

    id: int
    retailer_id: int
    created_by: int | None
    locale: str
    text: str
    has_photo: bool
    product: ProductRef | None
    segment: Segment
    status: str
    step: str
    created_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    total: int


@dataclass(frozen=True, slots=True)
class Content:
    """What the outbox sends for a broadcast."""

    id: int
    retailer_id: int
    text: str
    photo_file_id: str | None
    photo_path: str | None
    product_id: int | None


@dataclass(frozen=True, slots=True)
class Stats:
    """Where a broadcast's recipients stand, and what came of it."""

    counts: outbox.Counts
    clicks: int
    purchases: int


@dataclass(frozen=True, slots=True)
class Progress:
    """What the retailer's live progress message is to show now (``message_id`` None: send it first)."""

    broadcast_id: int
    chat_id: int
    message_id: int | None
    locale: str
    status: str
    counts: outbox.Counts
    final: bool


# Sanitising: Telegram's tags stay (with their allowed attributes), everything else shows as typed.

_SIMPLE_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre"})
_SIMPLE_TAGS |= {"tg-spoiler", "blockquote", "span", "a"}
_LINK = re.compile(r"^(?:https?://[^\s<>\"]+|tg://user\?id=\d+)$", re.IGNORECASE)
_LANGUAGE_CLASS = re.compile(r"^language-[\w+#.-]{1,32}$")


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.plain: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_data("\n")
            return
        opening = _opening(tag, dict(attrs))
        if opening is None:
            self.literal(self.get_starttag_text() or "")
            return
        self.out.append(opening)
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.handle_data("\n")
        else:
            self.literal(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            self.literal(f"</{tag}>")
            return
        while self.stack:
            opened = self.stack.pop()
            self.out.append(f"</{opened}>")
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))
        self.plain.append(data)

    def handle_comment(self, data: str) -> None:
        self.literal(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.literal(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.literal(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.literal(f"<![{data}]>")

    def literal(self, text: str) -> None:
        self.handle_data(text)

    def result(self) -> tuple[str, str]:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out), "".join(self.plain)


def _opening(tag: str, attrs: dict[str, str | None]) -> str | None:
    if tag not in _SIMPLE_TAGS:
        return None
    if tag == "a":
        href = (attrs.get("href") or "").strip()
        return f'<a href="{html.escape(href)}">' if _LINK.match(href) else None
    if tag == "span":
        return '<span class="tg-spoiler">' if attrs.get("class") == "tg-spoiler" else None
    if tag == "code" and _LANGUAGE_CLASS.match(attrs.get("class") or ""):
        return f'<code class="{html.escape(attrs["class"] or "")}">'
    if tag == "blockquote" and "expandable" in attrs:
        return "<blockquote expandable>"
    return f"<{tag}>"


def sanitise(text: str) -> tuple[str, str]:
    """Return the text as Telegram HTML that keeps only Telegram's tags, and its plain text.

    Allowed: ``b strong i em u ins s strike del code pre tg-spoiler blockquote``, ``span
    class="tg-spoiler"``, ``a href`` (web and ``tg://user`` links), ``code class="language-…"``,
    ``blockquote expandable``; ``<br>`` becomes a line break. Any other tag, a stray closing tag and a
    bare ``&`` or ``<`` show as typed; tags left open are closed at the end.
    """
    parser = _Sanitiser()
    parser.feed(text)
    return parser.result()


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def checked_text(text: str, *, photo: bool) -> str:
    """Return the sanitised text, or raise :class:`Refused` when it is empty or too long for Telegram."""
    markup, plain = sanitise(text)
    limit = MAX_CAPTION if photo else MAX_TEXT
    length = _utf16_len(plain.strip())
    if length == 0:
        raise Refused("broadcast-error-text-empty", field="text")
    if length > limit:
        raise Refused("broadcast-error-text-long", field="text", length=length, limit=limit)
    return markup


# Views.


async def _products(session: Session, product_ids: set[int]) -> dict[int, ProductRef]:
    if not product_ids:
        return {}
    rows = await session.execute(
        select(Product.id, Product.sku, Product.title_de, Product.title_en).where(Product.id.in_(product_ids))
    )
    return {row.id: ProductRef(row.id, row.sku, row.title_de, row.title_en) for row in rows}


def _view(row: Broadcast, product: ProductRef | None) -> View:
    return View(
        id=row.id,
        retailer_id=row.retailer_id,
        created_by=row.created_by,
        locale=row.locale,
        text=row.text,
        has_photo=bool(row.photo_file_id or row.photo_path),
        product=product,
        segment=Segment(row.segment, row.segment_value),
        status=row.status,
        step=row.step,
        created_at=row.created_at,
        scheduled_at=row.scheduled_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        total=row.total,
    )


async def _views(session: Session, rows: list[Broadcast]) -> list[View]:
    found = await _products(session, {row.product_id for row in rows if row.product_id is not None})
    return [_view(row, found.get(row.product_id) if row.product_id else None) for row in rows]


async def _row(
    session: Session, broadcast_id: int, retailer_id: int | None, *, lock: bool = False
) -> Broadcast:
    """Return the broadcast of the retailer (any retailer's for None: a platform administrator)."""
    query = select(Broadcast).where(Broadcast.id == broadcast_id)
    if retailer_id is not None:
        query = query.where(Broadcast.retailer_id == retailer_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()
    if row is None:
        raise Refused("broadcast-error-unknown", field="id")
    return row


async def get(session: Session, *, broadcast_id: int, retailer_id: int | None) -> View | None:
    """Return the broadcast if it belongs to the retailer (None: any retailer's), else None."""
    try:
        row = await _row(session, broadcast_id, retailer_id)
    except Refused:
        return None
    return (await _views(session, [row]))[0]


async def listing(session: Session, *, retailer_id: int, limit: int = 10, offset: int = 0) -> list[View]:
    """Return the retailer's broadcasts, newest first, drafts left out."""
    rows = (
        await session.scalars(
            select(Broadcast)
            .where(Broadcast.retailer_id == retailer_id, Broadcast.status != DRAFT)
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return await _views(session, list(rows))


# Composing.


async def start_draft(
    session: Session,
    *,
    retailer_id: int,
    created_by: int,
    locale: str,
    now: datetime,
    text: str | None = None,
) -> View:
    """Begin a new draft for the person (their earlier unfinished draft is dropped)."""
    await session.execute(
        delete(Broadcast).where(Broadcast.created_by == created_by, Broadcast.status == DRAFT)
    )
    row = Broadcast(
        retailer_id=retailer_id,
        created_by=created_by,
        locale=locale,
        text="",
        segment=ALL,
        status=DRAFT,
        step="text",
        created_at=now,
        total=0,
        progress_shown=-1,
        progress_final=False,
    )
    session.add(row)
    await session.flush()
    if text is not None:
        return await set_text(session, broadcast_id=row.id, retailer_id=retailer_id, text=text)
    return _view(row, None)


async def draft_of(session: Session, *, user_id: int) -> View | None:
    """Return the draft the person is composing, if any."""
    row = (
        await session.scalars(
            select(Broadcast)
            .where(Broadcast.created_by == user_id, Broadcast.status == DRAFT)
            .order_by(Broadcast.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (await _views(session, [row]))[0]


async def _draft(session: Session, broadcast_id: int, retailer_id: int | None) -> Broadcast:
    row = await _row(session, broadcast_id, retailer_id, lock=True)
    if row.status != DRAFT:
        raise Refused("broadcast-error-not-draft")
    return row


async def ask(session: Session, *, broadcast_id: int, retailer_id: int | None, step: str) -> None:
    """Remember what the bot asked the composer for (the next reply answers it)."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    row = await _draft(session, broadcast_id, retailer_id)
    row.step = step


async def set_text(session: Session, *, broadcast_id: int, retailer_id: int | None, text: str) -> View:
    """Set the draft's text (sanitised; it must fit a caption when the draft has a photo)."""
    row = await _draft(session, broadcast_id, retailer_id)
    row.text = checked_text(text, photo=bool(row.photo_file_id or row.photo_path))
    row.step = "ready"
    await session.flush()
    return (await _views(session, [row]))[0]


async def set_photo(
    session: Session, *, broadcast_id: int, retailer_id: int | None, file_id: str | None
) -> View:
    """Give the draft a photo (Telegram's file id), or take it away (None)."""
    row = await _draft(session, broadcast_id, retailer_id)
    if file_id is not None and row.text:
        checked_text(row.text, photo=True)
    row.photo_file_id, row.photo_path, row.step = file_id, None, "ready"
    await session.flush()
    return (await _views(session, [row]))[0]


async def product_of(
    session: Session, *, retailer_id: int, sku: str | None = None, product_id: int | None = None
) -> int:
    """Return the retailer's active product with that SKU or id, or raise :class:`Refused`."""
    query = select(Product.id).where(Product.retailer_id == retailer_id, Product.active.is_(True))
    if product_id is not None:
        query = query.where(Product.id == product_id)
    else:
        query = query.where(Product.sku == (sku or "").strip())
    found: int | None = await session.scalar(query.limit(1))
    if found is None:
        raise Refused("broadcast-error-product", field="product", sku=sku or str(product_id or ""))
    return found


async def set_product(
    session: Session, *, broadcast_id: int, retailer_id: int | None, sku: str | None
) -> View:
    """Put a button to one of the retailer's products under the draft (by SKU), or take it away (None)."""
    row = await _draft(session, broadcast_id, retailer_id)
    row.product_id = None if sku is None else await product_of(session, retailer_id=row.retailer_id, sku=sku)
    row.step = "ready"
    await session.flush()
    return (await _views(session, [row]))[0]


async def set_segment(
    session: Session, *, broadcast_id: int, retailer_id: int | None, segment: Segment
) -> View:
    """Choose who among the subscribers receives the draft."""
    row = await _draft(session, broadcast_id, retailer_id)
    await _check_segment(session, row.retailer_id, segment)
    row.segment, row.segment_value = segment.kind, segment.value
    await session.flush()
    return (await _views(session, [row]))[0]


async def _check_segment(session: Session, retailer_id: int, segment: Segment) -> None:
    if segment.kind == INTEREST and segment.value is not None:
        kind, number = segment.value.split(":")
        model: Any = Category if kind == "category" else Brand
        if await session.get(model, int(number)) is None:
            raise Refused("broadcast-error-segment-interest", field="segment")
    if segment.kind == GROUP_BUY and segment.value is not None:
        owner = await session.scalar(
            select(Product.retailer_id)
            .join(GroupBuy, GroupBuy.product_id == Product.id)
            .where(GroupBuy.id == int(segment.value))
        )
        if owner != retailer_id:
            raise Refused("broadcast-error-segment-groupbuy", field="segment")


async def create(
    session: Session,
    *,
    retailer_id: int,
    created_by: int | None,
    locale: str,
    text: str,
    segment: Segment,
    now: datetime,
    product_id: int | None = None,
    photo_path: str | None = None,
    send_at: datetime | None = None,
    locales: tuple[str, ...],
    default_locale: str,
) -> View:
    """Create a finished broadcast in one go (the API's way) and send it now or schedule it."""
    if product_id is not None:
        await product_of(session, retailer_id=retailer_id, product_id=product_id)
    await _check_segment(session, retailer_id, segment)
    row = Broadcast(
        retailer_id=retailer_id,
        created_by=created_by,
        locale=locale,
        text=checked_text(text, photo=photo_path is not None),
        photo_path=photo_path,
        product_id=product_id,
        segment=segment.kind,
        segment_value=segment.value,
        status=DRAFT,
        step="ready",
        created_at=now,
        total=0,
        progress_shown=-1,
        progress_final=False,
    )
    session.add(row)
    await session.flush()
    if send_at is None or send_at <= now:
        await begin(session, broadcast_id=row.id, now=now, locales=locales, default_locale=default_locale)
    else:
        await schedule(session, broadcast_id=row.id, retailer_id=retailer_id, at=send_at, now=now)
    return (await _views(session, [await _row(session, row.id, retailer_id)]))[0]


# Who receives it.


def locale_of(locales: tuple[str, ...], default_locale: str) -> ColumnElement[str]:
    """Return the SQL for a user's language: their choice, else Telegram's language, else the default."""
    telegram = func.lower(func.substr(User.language_code, 1, 2))
    return case(
        (User.language.in_(locales), User.language),
        (telegram.in_(locales), telegram),
        else_=literal(default_locale),
    )


async def _related_categories(session: Session, category_id: int) -> tuple[set[int], set[int]]:
    """Return the categories whose interest covers ``category_id`` or lies within it, and its ancestors."""
    parents = dict((await session.execute(select(Category.id, Category.parent_id))).all())
    ancestors: set[int] = set()
    current: int | None = category_id
    while current is not None and current not in ancestors:
        ancestors.add(current)
        current = parents.get(current)
    descendants = {category_id}
    grew = True
    while grew:
        more = {child for child, parent in parents.items() if parent in descendants} - descendants
        descendants |= more
        grew = bool(more)
    return ancestors | descendants, ancestors


async def audience(
    session: Session, *, retailer_id: int, segment: Segment, locales: tuple[str, ...], default_locale: str
) -> Any:
    """Return the SQL selecting ``(user id, language)`` of everyone the segment reaches."""
    language = locale_of(locales, default_locale)
    query = (
        select(User.id, language)
        .join(DealRetailer, DealRetailer.user_id == User.id)
        .where(
            DealRetailer.retailer_id == retailer_id,
            User.consent_personal_deals.is_(True),
            User.blocked_bot.is_(False),
        )
    )
    if segment.kind == LANGUAGE:
        query = query.where(language == segment.value)
    elif segment.kind == INTEREST and segment.value is not None:
        kind, number = segment.value.split(":")
        if kind == "brand":
            query = query.where(
                exists().where(DealBrand.user_id == User.id, DealBrand.brand_id == int(number))
            )
        else:
            related, covering = await _related_categories(session, int(number))
            query = query.where(
                exists().where(
                    DealCategory.user_id == User.id,
                    DealCategory.category_id.in_(related),
                    DealCategory.muted.is_(False),
                ),
                ~exists().where(
                    DealCategory.user_id == User.id,
                    DealCategory.category_id.in_(covering),
                    DealCategory.muted.is_(True),
                ),
            )
    elif segment.kind == BUYERS:
        query = query.where(
            exists()
            .where(Order.user_id == User.id, Order.status.notin_(NOT_BOUGHT))
            .where(OrderLine.order_id == Order.id, Product.id == OrderLine.product_id)
            .where(Product.retailer_id == retailer_id)
        )
    elif segment.kind == GROUP_BUY:
        joined = (
            exists()
            .where(GroupBuyParticipant.user_id == User.id, GroupBuyParticipant.status == "joined")
            .where(GroupBuy.id == GroupBuyParticipant.group_buy_id, Product.id == GroupBuy.product_id)
            .where(Product.retailer_id == retailer_id)
        )
        if segment.value is not None:
            joined = joined.where(GroupBuy.id == int(segment.value))
        query = query.where(joined)
    return query


async def audience_size(
    session: Session, *, retailer_id: int, segment: Segment, locales: tuple[str, ...], default_locale: str
) -> int:
    """Return how many people the segment reaches now."""
    query = await audience(
        session, retailer_id=retailer_id, segment=segment, locales=locales, default_locale=default_locale
    )
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def interests(session: Session, *, retailer_id: int) -> list[tuple[int, str, str]]:
    """Return the categories of the retailer's active products as ``(id, German, English)`` names."""
    rows = await session.execute(
        select(Category.id, Category.name_de, Category.name_en)
        .where(
            exists().where(
                Product.category_id == Category.id,
                Product.retailer_id == retailer_id,
                Product.active.is_(True),
            )
        )
        .order_by(Category.position, Category.id)
    )
    return [(row.id, row.name_de, row.name_en) for row in rows]


# Sending.


async def schedule(
    session: Session, *, broadcast_id: int, retailer_id: int | None, at: datetime, now: datetime
) -> View:
    """Send the draft at ``at`` (a scheduled task starts it); its text and segment are fixed from now."""
    row = await _row(session, broadcast_id, retailer_id, lock=True)
    if row.status not in (DRAFT, SCHEDULED):
        raise Refused("broadcast-error-not-draft")
    if not row.text:
        raise Refused("broadcast-error-text-empty", field="text")
    if at <= now or at > now + SCHEDULE_AHEAD:
        raise Refused("broadcast-error-send-at", field="send_at")
    row.status, row.scheduled_at, row.step = SCHEDULED, at, "ready"
    await tasks.reschedule(session, kind=START, key=str(row.id), due_at=at)
    await session.flush()
    return (await _views(session, [row]))[0]


async def begin(
    session: Session,
    *,
    broadcast_id: int,
    now: datetime,
    locales: tuple[str, ...],
    default_locale: str,
    retailer_id: int | None = None,
    progress_chat_id: int | None = None,
    progress_message_id: int | None = None,
) -> View | None:
    """Start sending: write every recipient of the segment to the outbox (one statement).

    Returns None when the broadcast is not a draft or scheduled any more (cancelled, or already started by
    another instance or a second press).
    """
    row = await _row(session, broadcast_id, retailer_id, lock=True)
    if row.status not in (DRAFT, SCHEDULED):
        return None
    if not row.text:
        raise Refused("broadcast-error-text-empty", field="text")
    query = await audience(
        session,
        retailer_id=row.retailer_id,
        segment=Segment(row.segment, row.segment_value),
        locales=locales,
        default_locale=default_locale,
    )
    # In the order of the user ids, so the outbox goes out in a stable order.
    rows = query.add_columns(
        literal(row.id), literal(outbox.PENDING), literal(0), literal(now, UTCDateTime())
    ).order_by(User.id)
    await session.execute(
        insert(outbox.Recipient).from_select(
            ["user_id", "locale", "broadcast_id", "status", "attempts", "due_at"], rows
        )
    )
    total = (await outbox.counts(session, broadcast_ids=[row.id]))[row.id].total
    row.total, row.started_at, row.step = total, now, "ready"
    row.status = SENDING if total else DONE
    row.finished_at = None if total else now
    if progress_chat_id is not None:
        row.progress_chat_id, row.progress_message_id = progress_chat_id, progress_message_id
        if progress_message_id is not None:  # the caller shows the start there itself, now
            row.progress_rendered_at, row.progress_shown = now, 0
    elif row.progress_chat_id is None and row.created_by is not None:
        row.progress_chat_id = row.created_by
    await session.flush()
    return (await _views(session, [row]))[0]


async def cancel(
    session: Session, *, broadcast_id: int, retailer_id: int | None, now: datetime
) -> View | None:
    """Call off a scheduled broadcast, stop one that is sending (the rest is not sent), or drop a draft."""
    row = await _row(session, broadcast_id, retailer_id, lock=True)
    if row.status in (DONE, CANCELLED):
        raise Refused("broadcast-error-finished")
    if row.status == DRAFT:
        await session.delete(row)
        await session.flush()
        return None
    if row.status == SCHEDULED:
        await tasks.cancel(session, kind=START, key=str(row.id), now=now)
    if row.status == SENDING:
        await outbox.cancel_pending(session, broadcast_id=row.id)
        if not (await outbox.counts(session, broadcast_ids=[row.id]))[row.id].open:
            row.finished_at = now
    else:
        row.finished_at = now
    row.status = CANCELLED
    await session.flush()
    return (await _views(session, [row]))[0]


async def contents(session: Session, *, broadcast_ids: list[int]) -> dict[int, Content]:
    """Return what to send for each broadcast."""
    rows = await session.scalars(select(Broadcast).where(Broadcast.id.in_(broadcast_ids)))
    return {
        row.id: Content(
            id=row.id,
            retailer_id=row.retailer_id,
            text=row.text,
            photo_file_id=row.photo_file_id,
            photo_path=row.photo_path,
            product_id=row.product_id,
        )
        for row in rows
    }


async def remember_photo(session: Session, *, broadcast_id: int, file_id: str) -> None:
    """Keep Telegram's id of the uploaded photo, so the other recipients get the id instead of the file."""
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(photo_file_id=file_id))


async def blocked(session: Session, *, pairs: list[tuple[int, int]], now: datetime) -> None:
    """Note that these ``(user, retailer)`` recipients blocked the bot: never try them again, unsubscribe."""
    for user_id, retailer_id in pairs:
        await users.mark_blocked(session, user_id=user_id)
        await subscriptions.choose_retailer(
            session, user_id=user_id, retailer_id=retailer_id, chosen=False, now=now
        )


async def finish(session: Session, *, broadcast_ids: list[int], now: datetime) -> list[int]:
    """Mark the broadcasts whose every recipient has an outcome as done; return them."""
    if not broadcast_ids:
        return []
    finished = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id.in_(broadcast_ids),
            Broadcast.status.in_((SENDING, CANCELLED)),
            Broadcast.finished_at.is_(None),
            ~outbox.has_open(Broadcast.id),
        )
        .values(
            status=case((Broadcast.status == SENDING, literal(DONE)), else_=Broadcast.status), finished_at=now
        )
        .returning(Broadcast.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(broadcast_id for (broadcast_id,) in finished)


async def unfinished(session: Session) -> list[int]:
    """Return the broadcasts that are sending, or stopped with messages still in flight."""
    rows = await session.scalars(
        select(Broadcast.id).where(
            Broadcast.status.in_((SENDING, CANCELLED)), Broadcast.finished_at.is_(None)
        )
    )
    return list(rows)


# Progress and stats.


async def due_progress(
    session: Session, *, now: datetime, min_interval: timedelta, limit: int = 20
) -> list[Progress]:
    """Claim the progress messages to send or edit now and record what they will show.

    A message is edited at most once per ``min_interval`` while its broadcast is sending; the last edit,
    when the broadcast is over, comes at once. Bot instances running this side by side never edit one
    message twice for the same change (rows are claimed with ``FOR UPDATE SKIP LOCKED``).
    """
    over = Broadcast.finished_at.is_not(None)
    rows = (
        (
            await session.execute(
                select(Broadcast)
                .where(
                    Broadcast.progress_chat_id.is_not(None),
                    Broadcast.progress_final.is_(False),
                    Broadcast.status.in_((SENDING, DONE, CANCELLED)),
                    Broadcast.started_at.is_not(None),
                    Broadcast.progress_rendered_at.is_(None)
                    | (Broadcast.progress_rendered_at <= now - min_interval)
                    | over,
                )
                .order_by(Broadcast.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        return []
    tallies = await outbox.counts(session, broadcast_ids=[row.id for row in rows])
    due: list[Progress] = []
    for row in rows:
        counts = tallies[row.id]
        final = row.finished_at is not None
        if not final and row.progress_message_id is not None and counts.done == row.progress_shown:
            continue
        assert row.progress_chat_id is not None
        due.append(
            Progress(
                broadcast_id=row.id,
                chat_id=row.progress_chat_id,
                message_id=row.progress_message_id,
                locale=row.locale,
                status=row.status,
                counts=counts,
                final=final,
            )
        )
        row.progress_rendered_at, row.progress_shown, row.progress_final = now, counts.done, final
    await session.flush()
    return due


async def attach_progress(session: Session, *, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """Remember the retailer's progress message, so it is edited from now on."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(progress_chat_id=chat_id, progress_message_id=message_id)
    )


async def progress_missed(session: Session, *, broadcast_id: int) -> None:
    """Note that the last progress message did not get through, so it is shown again."""
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(progress_final=False, progress_shown=-1)
    )


async def stats(session: Session, *, broadcast_ids: list[int]) -> dict[int, Stats]:
    """Return each broadcast's outcome: the outbox's counts, clicks and attributed purchases."""
    if not broadcast_ids:
        return {}
    tallies = await outbox.counts(session, broadcast_ids=broadcast_ids)
    clicks = dict(
        (
            await session.execute(
                select(BroadcastClick.broadcast_id, func.count())
                .where(BroadcastClick.broadcast_id.in_(broadcast_ids))
                .group_by(BroadcastClick.broadcast_id)
            )
        ).all()
    )
    purchases = await _purchases(session, broadcast_ids)
    return {
        broadcast_id: Stats(
            counts=tallies[broadcast_id],
            clicks=int(clicks.get(broadcast_id, 0)),
            purchases=len(purchases.get(broadcast_id, set())),
        )
        for broadcast_id in broadcast_ids
    }


async def _purchases(session: Session, broadcast_ids: list[int]) -> dict[int, set[int]]:
    r = outbox.Recipient
    product_matches = case(
        (Broadcast.product_id.is_not(None), OrderLine.product_id == Broadcast.product_id),
        else_=Product.retailer_id == Broadcast.retailer_id,
    )
    rows = await session.execute(
        select(r.broadcast_id, Order.id, Order.created_at, r.sent_at)
        .join(Broadcast, Broadcast.id == r.broadcast_id)
        .join(Order, Order.user_id == r.user_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            r.broadcast_id.in_(broadcast_ids),
            r.status == outbox.SENT,
            Order.created_at >= r.sent_at,
            Order.status.notin_(NOT_BOUGHT),
            product_matches,
        )
    )
    found: dict[int, set[int]] = {}
    for broadcast_id, order_id, ordered_at, sent_at in rows:
        if sent_at is not None and ordered_at < sent_at + ATTRIBUTION:
            found.setdefault(broadcast_id, set()).add(order_id)
    return found


# What recipients do.


async def _received(session: Session, broadcast_id: int, user_id: int) -> bool:
    return (
        await session.scalar(
            select(outbox.Recipient.id).where(
                outbox.Recipient.broadcast_id == broadcast_id,
                outbox.Recipient.user_id == user_id,
                outbox.Recipient.status.in_((outbox.SENT, outbox.UNKNOWN, outbox.SENDING)),
            )
        )
        is not None
    )


async def click(session: Session, *, broadcast_id: int, user_id: int, now: datetime) -> int | None:
    """Count a recipient's press on the product button (once per person); return the product to show.

    Presses by anyone who did not receive the broadcast (the retailer's own preview) show the product
    but are not counted.
    """
    product_id: int | None = await session.scalar(
        select(Broadcast.product_id).where(Broadcast.id == broadcast_id)
    )
    if product_id is not None and await _received(session, broadcast_id, user_id):
        await upsert(
            session,
            BroadcastClick.__table__,
            {"broadcast_id": broadcast_id, "user_id": user_id, "clicked_at": now},
            conflict=["broadcast_id", "user_id"],
        )
    return product_id


async def unsubscribe(session: Session, *, broadcast_id: int, user_id: int, now: datetime) -> str | None:
    """Stop the offers of the broadcast's retailer for this person; return the retailer's name."""
    row = (
        await session.execute(
            select(Retailer.id, Retailer.name)
            .join(Broadcast, Broadcast.retailer_id == Retailer.id)
            .where(Broadcast.id == broadcast_id)
        )
    ).one_or_none()
    if row is None or await session.get(User, user_id) is None:
        return None
    await subscriptions.choose_retailer(session, user_id=user_id, retailer_id=row.id, chosen=False, now=now)
    return str(row.name)


@privacy.section("broadcasts")
async def _export(session: Session, user_id: int) -> Any:
    r = outbox.Recipient
    received = await session.execute(
        select(Retailer.name, Broadcast.id, r.status, r.sent_at)
        .join(Broadcast, Broadcast.id == r.broadcast_id)
        .join(Retailer, Retailer.id == Broadcast.retailer_id)
        .where(r.user_id == user_id)
        .order_by(Broadcast.id)
    )
    clicked = set(
        (
            await session.scalars(
                select(BroadcastClick.broadcast_id).where(BroadcastClick.user_id == user_id)
            )
        ).all()
    )
    return [
        {
            "retailer": name,
            "broadcast": broadcast_id,
            "status": status,
            "sent_at": sent_at.isoformat() if sent_at else None,
            "clicked": broadcast_id in clicked,
        }
        for name, broadcast_id, status, sent_at in received
    ]


@privacy.eraser("broadcasts")
async def _erase(session: Session, user_id: int, now: datetime) -> None:
    # A broadcast stays the retailer's (created_by goes, SET NULL); its progress is no longer reported to
    # the erased staff member's private chat (its id is theirs).
    await session.execute(
        update(Broadcast)
        .where(Broadcast.progress_chat_id == user_id)
        .values(progress_chat_id=None, progress_message_id=None)
    )


@privacy.section("broadcasts_written")
async def _export_written(session: Session, user_id: int) -> Any:
    rows = await session.scalars(
        select(Broadcast).where(Broadcast.created_by == user_id).order_by(Broadcast.created_at, Broadcast.id)
    )
    return [
        {"broadcast": row.id, "text": row.text, "status": row.status, "at": row.created_at.isoformat()}
        for row in rows
    ]
