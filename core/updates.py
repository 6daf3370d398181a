"""Telegram may deliver an update twice; each update id is accepted once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, delete
from sqlalchemy.orm import Mapped, mapped_column

from core import chats, users
from core.db import Base, Session, UTCDateTime, upsert

# Telegram only redelivers recent updates and restarts its ids after a quiet week.
KEEP_FOR = timedelta(days=3)


class ProcessedUpdate(Base):
    """An update id the bot has accepted."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


async def claim(session: Session, *, update_id: int, now: datetime) -> bool:
    """Accept the update; False when it was accepted before (a redelivery)."""
    inserted = await upsert(
        session,
        ProcessedUpdate.__table__,
        {"update_id": update_id, "received_at": now},
        conflict=["update_id"],
    )
    return inserted == 1


async def release(session: Session, *, update_id: int) -> None:
    """Forget the update after it failed, so that a redelivery is handled again."""
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.update_id == update_id))


async def prune(session: Session, *, now: datetime) -> int:
    """Drop update ids too old to be redelivered; return how many."""
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.received_at < now - KEEP_FOR)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def accept(
    session: Session,
    *,
    update_id: int,
    now: datetime,
    person: users.Person | None,
    chat: chats.ChatInfo | None,
    member_status: str | None = None,
) -> tuple[bool, users.UserView | None]:
    """Accept an update once and record who sent it from where.

    Returns ``(False, None)`` for a redelivered update, else ``(True, sender)``. ``member_status`` is
    the sender's status in a group when the update says it (chat member updates); a message in a group
    makes its sender a member.
    """
    if not await claim(session, update_id=update_id, now=now):
        return False, None
    if chat is not None:
        await chats.touch(session, chat=chat, now=now)
    if person is None:
        return True, None
    sender = await users.touch(session, person=person, now=now)
    if chat is not None and chat.is_group:
        await chats.set_membership(
            session, chat_id=chat.id, user_id=person.id, status=member_status or "member", now=now
        )
    return True, sender
