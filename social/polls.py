"""Polls between two to ten products in a group, as native Telegram polls, and their winners.

The candidates are the group's recent shares (see :mod:`social.votes`) or a search's hits. The handler
sends the Telegram poll and then stores it with :func:`start`; Telegram's poll answers come in through
:func:`record_answer`. A poll closes at ``closes_at`` (a job asks :func:`due_to_close`) or when someone
stops it; :func:`close` names the winner once: the most chosen product, ties going to the product shared
first in the group (then to the earlier option).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    SmallInteger,
    String,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Product
from core import privacy
from core.db import AutoId, Base, Session, UTCDateTime
from social.errors import Refused
from social.votes import ProductPost

MIN_OPTIONS = 2
MAX_OPTIONS = 10
RECENT = timedelta(days=7)
# Telegram cuts poll options at 100 characters.
OPTION_MAX = 100


class Poll(Base):
    """A Telegram poll between products in a group."""

    __tablename__ = "product_polls"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    telegram_poll_id: Mapped[str] = mapped_column(String(64), unique=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PollOption(Base):
    """One option of a poll: the product behind Telegram's option number."""

    __tablename__ = "product_poll_options"

    poll_id: Mapped[int] = mapped_column(ForeignKey("product_polls.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)


class PollAnswer(Base):
    """An option a person chose in a poll."""

    __tablename__ = "product_poll_answers"

    poll_id: Mapped[int] = mapped_column(ForeignKey("product_polls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Option:
    """A product offered in a poll, with its title as the poll shows it."""

    product_id: int
    title: str


@dataclass(frozen=True, slots=True)
class PollView:
    """A stored poll: where it is and when it closes."""

    id: int
    telegram_poll_id: str
    chat_id: int
    message_id: int
    product_ids: tuple[int, ...]
    closes_at: datetime


@dataclass(frozen=True, slots=True)
class Winner:
    """How a poll ended: the winning product (None when nobody answered), its votes and how many answered."""

    poll_id: int
    chat_id: int
    message_id: int
    product_id: int | None
    votes: int
    voters: int


async def candidates(session: Session, *, chat_id: int, now: datetime, locale: str) -> list[Option]:
    """Return the products shared in the group in the last week, most recently shared first (at most ten)."""
    latest = func.max(ProductPost.created_at)
    rows = await session.execute(
        select(ProductPost.product_id)
        .join(Product, Product.id == ProductPost.product_id)
        .where(ProductPost.chat_id == chat_id, ProductPost.created_at >= now - RECENT, Product.active)
        .group_by(ProductPost.product_id)
        .order_by(latest.desc(), ProductPost.product_id)
        .limit(MAX_OPTIONS)
    )
    return await _options(session, list(rows.scalars()), locale)


async def options(session: Session, *, product_ids: list[int], locale: str) -> list[Option]:
    """Check the products chosen for a poll (2–10 different, existing ones) and return their titles."""
    chosen = _checked(product_ids)
    found = await _options(session, chosen, locale)
    if len(found) != len(chosen):
        raise Refused("poll-error-unknown-product")
    return found


async def start(
    session: Session,
    *,
    telegram_poll_id: str,
    chat_id: int,
    message_id: int,
    product_ids: list[int],
    opened_by: int | None,
    closes_at: datetime,
    now: datetime,
) -> PollView:
    """Store a poll the bot has sent, its options in Telegram's order."""
    chosen = _checked(product_ids)
    if closes_at <= now:
        raise Refused("poll-error-closes-in-past")
    poll = Poll(
        telegram_poll_id=telegram_poll_id,
        chat_id=chat_id,
        message_id=message_id,
        opened_by=opened_by,
        opened_at=now,
        closes_at=closes_at,
    )
    session.add(poll)
    await session.flush()
    await session.execute(
        insert(PollOption),
        [{"poll_id": poll.id, "position": n, "product_id": product} for n, product in enumerate(chosen)],
    )
    return PollView(poll.id, telegram_poll_id, chat_id, message_id, tuple(chosen), closes_at)


async def record_answer(
    session: Session, *, telegram_poll_id: str, user_id: int, option_ids: list[int], now: datetime
) -> bool:
    """Replace a person's answer to an open poll (no options: taken back); False if the poll is not open."""
    poll = await session.scalar(
        select(Poll).where(Poll.telegram_poll_id == telegram_poll_id, Poll.closed_at.is_(None))
    )
    if poll is None:
        return False
    positions = set(
        await session.scalars(
            select(PollOption.position).where(
                PollOption.poll_id == poll.id, PollOption.position.in_(set(option_ids))
            )
        )
    )
    await session.execute(
        delete(PollAnswer).where(PollAnswer.poll_id == poll.id, PollAnswer.user_id == user_id)
    )
    if positions:
        await session.execute(
            insert(PollAnswer),
            [
                {"poll_id": poll.id, "user_id": user_id, "position": position, "answered_at": now}
                for position in sorted(positions)
            ],
        )
    return True


async def due_to_close(session: Session, *, now: datetime) -> list[str]:
    """Return the Telegram ids of open polls whose time is up."""
    rows = await session.scalars(
        select(Poll.telegram_poll_id)
        .where(Poll.closed_at.is_(None), Poll.closes_at <= now)
        .order_by(Poll.closes_at, Poll.id)
    )
    return list(rows)


async def close(session: Session, *, telegram_poll_id: str, now: datetime) -> Winner | None:
    """Close a poll and return its winner; None if it was closed already."""
    poll = await session.scalar(select(Poll).where(Poll.telegram_poll_id == telegram_poll_id))
    if poll is None:
        raise Refused("poll-error-unknown")
    claimed = await session.execute(
        update(Poll)
        .where(Poll.id == poll.id, Poll.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        return None
    voters = await session.scalar(
        select(func.count(func.distinct(PollAnswer.user_id))).where(PollAnswer.poll_id == poll.id)
    )
    first_shared = (
        select(func.min(ProductPost.created_at))
        .where(ProductPost.chat_id == poll.chat_id, ProductPost.product_id == PollOption.product_id)
        .scalar_subquery()
    )
    votes = func.count(PollAnswer.user_id)
    best = (
        await session.execute(
            select(PollOption.product_id, votes)
            .outerjoin(
                PollAnswer,
                (PollAnswer.poll_id == PollOption.poll_id) & (PollAnswer.position == PollOption.position),
            )
            .where(PollOption.poll_id == poll.id)
            .group_by(PollOption.position, PollOption.product_id)
            .order_by(votes.desc(), first_shared.is_(None), first_shared, PollOption.position)
            .limit(1)
        )
    ).one()
    product_id, count = best
    return Winner(
        poll_id=poll.id,
        chat_id=poll.chat_id,
        message_id=poll.message_id,
        product_id=product_id if count else None,
        votes=count,
        voters=voters or 0,
    )


def _checked(product_ids: list[int]) -> list[int]:
    chosen = list(dict.fromkeys(product_ids))
    if len(chosen) != len(product_ids) or not MIN_OPTIONS <= len(chosen) <= MAX_OPTIONS:
        raise Refused("poll-error-options", min=MIN_OPTIONS, max=MAX_OPTIONS)
    return chosen


async def _options(session: Session, product_ids: list[int], locale: str) -> list[Option]:
    title = Product.title_en if locale == "en" else Product.title_de
    rows = await session.execute(select(Product.id, title).where(Product.id.in_(product_ids)))
    titles = {product: text for product, text in rows}
    return [Option(product, titles[product][:OPTION_MAX]) for product in product_ids if product in titles]


@privacy.section("poll_answers")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(Poll.chat_id, PollOption.product_id, PollAnswer.answered_at)
        .join(Poll, Poll.id == PollAnswer.poll_id)
        .join(
            PollOption,
            (PollOption.poll_id == PollAnswer.poll_id) & (PollOption.position == PollAnswer.position),
        )
        .where(PollAnswer.user_id == user_id)
        .order_by(PollAnswer.answered_at, PollOption.position)
    )
    return [
        {"chat_id": chat_id, "product_id": product_id, "at": at.isoformat()}
        for chat_id, product_id, at in rows
    ]


@privacy.section("polls_opened")
async def _export_opened(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(Poll.chat_id, Poll.opened_at)
        .where(Poll.opened_by == user_id)
        .order_by(Poll.opened_at, Poll.id)
    )
    return [{"chat_id": chat_id, "at": at.isoformat()} for chat_id, at in rows]
