"""Recommending a product to a friend: from a card in a group to the friend's private chat.

Only people who are both still members of the group the recommendation is made in can recommend to each
other; nobody recommends to themselves, and the same product goes from one person to another at most once
within a day (a unique day column also stops two taps at the same moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, aliased, mapped_column

from catalog.models import Product
from core import chats, privacy
from core.chats import Chat
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.users import User
from social.errors import Refused

NOTE_MAX = 200
AGAIN_AFTER = timedelta(days=1)
INBOX = 20


class Recommendation(Base):
    """A product one member recommended to another, with an optional note."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("sender_id", "recipient_id", "product_id", "day"),
        Index("ix_recommendations_recipient_id_created_at", "recipient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Member:
    """Someone a member can recommend to."""

    user_id: int
    first_name: str


@dataclass(frozen=True, slots=True)
class RecommendationView:
    """A recommendation as the recipient sees it: who, what, where and why."""

    id: int
    sender_id: int
    sender_name: str
    recipient_id: int
    product_id: int
    chat_title: str | None
    note: str | None
    created_at: datetime


async def recipients(session: Session, *, chat_id: int, user_id: int) -> list[Member]:
    """Return the group's other members the user can recommend to, by first name."""
    members = await chats.member_ids(session, chat_id=chat_id)
    if user_id not in members:
        return []
    others = [member for member in members if member != user_id]
    rows = await session.execute(
        select(User.id, User.first_name).where(User.id.in_(others)).order_by(User.first_name, User.id)
    )
    return [Member(*row) for row in rows]


async def recommend(
    session: Session,
    *,
    chat_id: int,
    sender_id: int,
    recipient_id: int,
    product_id: int,
    note: str | None,
    now: datetime,
) -> RecommendationView:
    """Recommend a product to another member of the group, with an optional note of up to 200 characters."""
    if sender_id == recipient_id:
        raise Refused("recommend-error-self")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise Refused("recommend-error-note-too-long", max=NOTE_MAX)
    members = set(await chats.member_ids(session, chat_id=chat_id))
    if sender_id not in members or recipient_id not in members:
        raise Refused("recommend-error-not-in-group")
    if await session.scalar(select(Product.id).where(Product.id == product_id)) is None:
        raise Refused("recommend-error-unknown-product")
    recent = await session.scalar(
        select(Recommendation.id).where(
            Recommendation.sender_id == sender_id,
            Recommendation.recipient_id == recipient_id,
            Recommendation.product_id == product_id,
            Recommendation.created_at > now - AGAIN_AFTER,
        )
    )
    values = {
        "sender_id": sender_id,
        "recipient_id": recipient_id,
        "product_id": product_id,
        "chat_id": chat_id,
        "note": note,
        "day": now.date(),
        "created_at": now,
    }
    if recent is not None or not await upsert(
        session, Recommendation.__table__, values, conflict=["sender_id", "recipient_id", "product_id", "day"]
    ):
        raise Refused("recommend-error-duplicate")
    views = await _views(
        session,
        Recommendation.sender_id == sender_id,
        Recommendation.recipient_id == recipient_id,
        Recommendation.product_id == product_id,
        Recommendation.day == now.date(),
    )
    return views[0]


async def inbox(session: Session, *, user_id: int, limit: int = INBOX) -> list[RecommendationView]:
    """Return the recommendations the user received, newest first."""
    return await _views(session, Recommendation.recipient_id == user_id, limit=limit)


async def _views(session: Session, *conditions: Any, limit: int | None = None) -> list[RecommendationView]:
    sender = aliased(User)
    rows = await session.execute(
        select(
            Recommendation.id,
            Recommendation.sender_id,
            sender.first_name,
            Recommendation.recipient_id,
            Recommendation.product_id,
            Chat.title,
            Recommendation.note,
            Recommendation.created_at,
        )
        .join(sender, sender.id == Recommendation.sender_id)
        .outerjoin(Chat, Chat.id == Recommendation.chat_id)
        .where(*conditions)
        .order_by(Recommendation.created_at.desc(), Recommendation.id.desc())
        .limit(limit)
    )
    return [RecommendationView(*row) for row in rows]


@privacy.section("recommendations")
async def _export(session: Session, user_id: int) -> Any:
    rows = await session.execute(
        select(Recommendation)
        .where((Recommendation.sender_id == user_id) | (Recommendation.recipient_id == user_id))
        .order_by(Recommendation.created_at, Recommendation.id)
    )
    return [
        {
            "direction": "sent" if row.sender_id == user_id else "received",
            "other_user_id": row.recipient_id if row.sender_id == user_id else row.sender_id,
            "product_id": row.product_id,
            "chat_id": row.chat_id,
            "note": row.note,
            "at": row.created_at.isoformat(),
        }
        for row in rows.scalars()
    ]
