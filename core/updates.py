"""Telegram may deliver an update twice; each update id is accepted once."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.orm import Mapped, mapped_column

from core import chats, users
from core.db import Base, Session, UTCDateTime, execute_core, guarded_upsert, upsert

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

    Every update runs this first, in a unit of work of its own: on PostgreSQL it is one statement (so the
    gate's unit of work can be ``alone``: one round trip where there were six), on SQLite, whose statements
    cost no round trip, one statement each.
    """
    status = member_status or "member"
    group = chat if chat is not None and chat.is_group else None
    if session.get_bind().dialect.name == "postgresql":
        return await _accept_at_once(
            session,
            {"update_id": update_id, "received_at": now},
            chat=chats.touch_row(chat, now) if chat is not None else None,
            sender=users.seen_row(person, now) if person is not None else None,
            membership=chats.membership_row(chat_id=group.id, user_id=person.id, status=status, now=now)
            if group is not None and person is not None
            else None,
        )
    if not await claim(session, update_id=update_id, now=now):
        return False, None
    if chat is not None:
        await chats.touch(session, chat=chat, now=now)
    if person is None:
        return True, None
    sender = await users.touch(session, person=person, now=now)
    if group is not None:
        await chats.set_membership(session, chat_id=group.id, user_id=person.id, status=status, now=now)
    return True, sender


Row = dict[str, Any]


async def _accept_at_once(
    session: Session, claimed: Row, *, chat: Row | None, sender: Row | None, membership: Row | None
) -> tuple[bool, users.UserView | None]:
    # The claim and the upserts as data-modifying CTEs of one statement: each upsert takes its row from the
    # claim's, so a redelivery (the claim inserts nothing) changes nothing. The foreign keys of a membership
    # are checked at the end of the statement, after its chat and user are in.
    rows = {"": claimed, "chat_": chat, "sender_": sender, "member_": membership}
    given = {prefix: row for prefix, row in rows.items() if row is not None}
    statement = _at_once(tuple((prefix, tuple(row)) for prefix, row in given.items()))
    parameters = {prefix + name: value for prefix, row in given.items() for name, value in row.items()}
    found = (await execute_core(session, statement, parameters)).first()
    if found is None:
        return False, None
    return True, users.UserView(*found) if sender is not None else None


_UPSERTED = {
    "chat_": (chats.Chat.__table__, ["id"], chats.TOUCHED, ()),
    "sender_": (users.User.__table__, ["id"], users.SEEN, users.VIEWED),
    "member_": (chats.Membership.__table__, ["chat_id", "user_id"], chats.MEMBERSHIP_SET, ()),
}


@functools.cache
def _at_once(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> Any:
    """Build the statement of :func:`_accept_at_once` once for each shape (which rows, which columns)."""
    table: Any = ProcessedUpdate.__table__
    claimed = (
        postgresql_insert(table)
        .values({name: bindparam(name, type_=table.c[name].type) for name in ("update_id", "received_at")})
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(table.c.update_id)
        .cte("claimed")
    )
    parts = {}
    for prefix, columns in shape[1:]:
        upserted, conflict, update, back = _UPSERTED[prefix]
        part = guarded_upsert(
            upserted, columns, guard=claimed, prefix=prefix, conflict=conflict, update=update, returning=back
        )
        parts[prefix] = part.cte(prefix.rstrip("_"))
    sender = parts.pop("sender_", None)
    found = select(*sender.c) if sender is not None else select(claimed.c.update_id)
    return found.add_cte(*parts.values())
