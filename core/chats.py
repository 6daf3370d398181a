"""Chats the bot is in and who is a member of which group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Session, UTCDateTime, upsert

ACTIVE_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})


class Chat(Base):
    """A private chat or a group the bot takes part in."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Membership(Base):
    """A user's membership in a group chat."""

    __tablename__ = "memberships"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """What Telegram tells about a chat with each update."""

    id: int
    type: str
    title: str | None = None

    @property
    def is_group(self) -> bool:
        """Tell whether this is a group or supergroup."""
        return self.type in {"group", "supergroup"}


# What a touch updates of a known chat, and a membership of a known member.
TOUCHED = ["type", "title", "updated_at"]
MEMBERSHIP_SET = ["status", "updated_at"]


def touch_row(chat: ChatInfo, now: datetime) -> dict[str, Any]:
    """Return the chats row that :func:`touch` inserts (a known chat gets the ``TOUCHED`` columns of it)."""
    return {"id": chat.id, "type": chat.type, "title": chat.title, "created_at": now, "updated_at": now}


def membership_row(*, chat_id: int, user_id: int, status: str, now: datetime) -> dict[str, Any]:
    """Return the memberships row that :func:`set_membership` writes."""
    return {"chat_id": chat_id, "user_id": user_id, "status": status, "updated_at": now}


async def touch(session: Session, *, chat: ChatInfo, now: datetime) -> None:
    """Record the chat (creating it on first contact)."""
    await upsert(session, Chat.__table__, touch_row(chat, now), conflict=["id"], update=TOUCHED)


async def set_membership(session: Session, *, chat_id: int, user_id: int, status: str, now: datetime) -> None:
    """Record a user's status in a group (member, administrator, left, kicked…)."""
    row = membership_row(chat_id=chat_id, user_id=user_id, status=status, now=now)
    await upsert(session, Membership.__table__, row, conflict=["chat_id", "user_id"], update=MEMBERSHIP_SET)


async def member_ids(session: Session, *, chat_id: int) -> list[int]:
    """Return the ids of the chat's current members known to the bot."""
    rows = await session.execute(
        select(Membership.user_id)
        .where(Membership.chat_id == chat_id, Membership.status.in_(ACTIVE_STATUSES))
        .order_by(Membership.user_id)
    )
    return list(rows.scalars())


async def groups_of(session: Session, *, user_id: int) -> list[dict[str, object]]:
    """Return the groups a user is a member of (for their data export)."""
    rows = await session.execute(
        select(Chat.id, Chat.title, Membership.status)
        .join(Membership, Membership.chat_id == Chat.id)
        .where(Membership.user_id == user_id)
        .order_by(Chat.id)
    )
    return [{"chat_id": chat_id, "title": title, "status": status} for chat_id, title, status in rows]
