"""The broadcast outbox: one row per recipient, claimed in batches and marked in bulk.

A row's life::

    pending ──claim──▶ claimed ──start──▶ sending ──▶ sent | failed | blocked | unknown
       ▲                  │                  │
       └── lease ran out ─┘      retry ──────┘   (5xx, no connection: again later, with backoff)
    pending ──▶ cancelled     (the retailer stopped the broadcast)

A worker *claims* a batch (about half a second of sending) with a lease (``claimed_by``,
``claimed_until``) and, just before the Bot API calls, *starts* a few of them at a time (about a tenth of a
second of sending): both are committed before any call. After the answer a row becomes ``sent`` (Telegram
took the message), ``failed`` (Telegram refused it for good, or five attempts failed), ``blocked`` (the
person blocked the bot: 403) or ``unknown`` (the request went out and its answer was lost).

When a worker dies, its rows' leases run out. A ``claimed`` row was never handed to the Bot API, so it goes
back to ``pending`` and is sent by another worker. A ``sending`` row may have reached Telegram: it becomes
``unknown`` and is never sent again, so nobody receives a broadcast twice, and the stats count it on its
own. A crash therefore leaves as ``unknown`` only what was in flight, about a tenth of a second of sending.

Claims never hand a row to two workers: PostgreSQL picks candidates with ``FOR UPDATE SKIP LOCKED``; the
``UPDATE`` that claims them repeats the conditions, which is what protects SQLite (its writers are
serialised by ``BEGIN IMMEDIATE``). Every mark names the worker, so a worker whose lease was taken over
cannot overwrite what happened since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db import AutoId, Base, Session, UTCDateTime
from core.users import User

PENDING = "pending"
CLAIMED = "claimed"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
BLOCKED = "blocked"
UNKNOWN = "unknown"
CANCELLED = "cancelled"
STATUSES = (PENDING, CLAIMED, SENDING, SENT, FAILED, BLOCKED, UNKNOWN, CANCELLED)
OPEN = (PENDING, CLAIMED, SENDING)
HELD = (CLAIMED, SENDING)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5
BACKOFF = timedelta(seconds=2)
MAX_BATCH = 1000
LEASE_EXPIRED = "the send was in flight when its worker stopped"


class Recipient(Base):
    """One person a broadcast goes to, and where their message stands."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id"),
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{status}'" for status in STATUSES)), name="status"
        ),
        # Claims read pending rows in (due_at, id) order straight from this index.
        Index("ix_broadcast_recipients_status_due_at", "status", "due_at", "id"),
        Index("ix_broadcast_recipients_broadcast_id_status", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The recipient's language when the broadcast started: its buttons are labelled in it.
    locale: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the row may be claimed (later than its creation after a failed attempt).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(255))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A recipient handed to one worker to send to now."""

    id: int
    broadcast_id: int
    user_id: int
    locale: str
    attempts: int
    claimed_until: datetime
    # The person blocked the bot after the broadcast started: mark, do not send.
    blocked: bool


@dataclass(frozen=True, slots=True)
class Counts:
    """How many of a broadcast's recipients are in each state."""

    pending: int = 0
    claimed: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unknown: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        """Return the number of recipients."""
        return self.open + self.sent + self.failed + self.blocked + self.unknown + self.cancelled

    @property
    def open(self) -> int:
        """Return how many are still to be sent (or on their way)."""
        return self.pending + self.claimed + self.sending

    @property
    def done(self) -> int:
        """Return how many are finished, whatever the outcome."""
        return self.total - self.open


def _claimable(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Recipient.status == PENDING, Recipient.due_at <= now)


async def claim(
    session: Session, *, worker: str, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[Claimed]:
    """Claim up to ``limit`` due recipients for ``worker`` (commit, then :func:`start` them to send)."""
    limit = max(1, min(limit, MAX_BATCH))
    candidates = (
        await session.scalars(
            select(Recipient.id)
            .where(*_claimable(now))
            .order_by(Recipient.due_at, Recipient.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    if not candidates:
        return []
    rows = (
        await session.execute(
            update(Recipient)
            .where(Recipient.id.in_(candidates), *_claimable(now))
            .values(
                status=CLAIMED,
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=Recipient.attempts + 1,
            )
            .returning(
                Recipient.id,
                Recipient.broadcast_id,
                Recipient.user_id,
                Recipient.locale,
                Recipient.attempts,
                Recipient.claimed_until,
            )
            .execution_options(synchronize_session=False)
        )
    ).all()
    blocked = set(
        (
            await session.scalars(
                select(User.id).where(User.id.in_([row.user_id for row in rows]), User.blocked_bot.is_(True))
            )
        ).all()
    )
    claimed = [
        Claimed(
            id=row.id,
            broadcast_id=row.broadcast_id,
            user_id=row.user_id,
            locale=row.locale,
            attempts=row.attempts,
            claimed_until=row.claimed_until,
            blocked=row.user_id in blocked,
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda item: item.id)


def _mine(worker: str, ids: Iterable[int]) -> tuple[ColumnElement[bool], ...]:
    return (Recipient.id.in_(list(ids)), Recipient.claimed_by == worker, Recipient.status.in_(HELD))


async def start(session: Session, *, worker: str, ids: list[int]) -> list[int]:
    """Mark claimed rows as about to be sent (commit before the calls); return those still the worker's."""
    if not ids:
        return []
    rows = await session.execute(
        update(Recipient)
        .where(Recipient.id.in_(ids), Recipient.claimed_by == worker, Recipient.status == CLAIMED)
        .values(status=SENDING)
        .returning(Recipient.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(row_id for (row_id,) in rows)


async def _set(session: Session, worker: str, ids: list[int], **values: object) -> int:
    if not ids:
        return 0
    result = await session.execute(
        update(Recipient)
        .where(*_mine(worker, ids))
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def mark_sent(session: Session, *, worker: str, ids: list[int], now: datetime) -> int:
    """Record that Telegram accepted the messages; return how many rows were still the worker's."""
    return await _set(session, worker, ids, status=SENT, sent_at=now, error=None)


async def mark_blocked(session: Session, *, worker: str, ids: list[int]) -> int:
    """Record that these people blocked the bot (they are never tried again)."""
    return await _set(session, worker, ids, status=BLOCKED, error="blocked by the user")


async def mark_failed(session: Session, *, worker: str, ids: list[int], error: str) -> int:
    """Record that Telegram refused these messages for good."""
    return await _set(session, worker, ids, status=FAILED, error=error[:255])


async def mark_unknown(session: Session, *, worker: str, ids: list[int], error: str) -> int:
    """Record that these messages may or may not have arrived (the answer was lost): never resent."""
    return await _set(session, worker, ids, status=UNKNOWN, error=error[:255])


async def release(session: Session, *, worker: str, ids: list[int]) -> int:
    """Give back rows that were claimed but not sent (stopping, or a lease about to run out)."""
    return await _set(session, worker, ids, status=PENDING, attempts=Recipient.attempts - 1)


async def retry(
    session: Session, *, worker: str, rows: list[tuple[int, int]], error: str, now: datetime
) -> tuple[int, int]:
    """Try ``(id, attempts)`` rows again later with exponential backoff, or fail them after MAX_ATTEMPTS.

    Returns how many are to be retried and how many failed for good.
    """
    final = [row_id for row_id, attempts in rows if attempts >= MAX_ATTEMPTS]
    failed = await mark_failed(session, worker=worker, ids=final, error=error)
    later = Counter(attempts for _, attempts in rows if attempts < MAX_ATTEMPTS)
    retried = 0
    for attempts in later:
        ids = [row_id for row_id, tried in rows if tried == attempts]
        retried += await _set(
            session,
            worker,
            ids,
            status=PENDING,
            due_at=now + BACKOFF * 2 ** (attempts - 1),
            error=error[:255],
        )
    return retried, failed


async def expire_leases(session: Session, *, now: datetime) -> list[int]:
    """Settle rows whose lease ran out: ``claimed`` ones are due again, ``sending`` ones become ``unknown``.

    Returns the broadcasts that got an ``unknown`` recipient.
    """
    await session.execute(
        update(Recipient)
        .where(Recipient.status == CLAIMED, Recipient.claimed_until < now)
        .values(status=PENDING, claimed_by=None, claimed_until=None, attempts=Recipient.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        update(Recipient)
        .where(Recipient.status == SENDING, Recipient.claimed_until < now)
        .values(status=UNKNOWN, claimed_by=None, claimed_until=None, error=LEASE_EXPIRED)
        .returning(Recipient.broadcast_id)
        .execution_options(synchronize_session=False)
    )
    return sorted({broadcast_id for (broadcast_id,) in rows})


async def cancel_pending(session: Session, *, broadcast_id: int) -> int:
    """Take the broadcast's unsent recipients off the outbox; return how many."""
    result = await session.execute(
        update(Recipient)
        .where(Recipient.broadcast_id == broadcast_id, Recipient.status == PENDING)
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def counts(session: Session, *, broadcast_ids: list[int]) -> dict[int, Counts]:
    """Return, per broadcast, how many recipients are in each state."""
    tallies: dict[int, Counter[str]] = {broadcast_id: Counter() for broadcast_id in broadcast_ids}
    if broadcast_ids:
        rows = await session.execute(
            select(Recipient.broadcast_id, Recipient.status, func.count())
            .where(Recipient.broadcast_id.in_(broadcast_ids))
            .group_by(Recipient.broadcast_id, Recipient.status)
        )
        for broadcast_id, status, number in rows:
            tallies[broadcast_id][status] = number
    return {broadcast_id: Counts(**tally) for broadcast_id, tally in tallies.items()}


def has_open(broadcast_id_column: ColumnElement[int] | Mapped[int]) -> ColumnElement[bool]:
    """Return the SQL condition that a broadcast still has recipients to send to or in flight."""
    return exists().where(Recipient.broadcast_id == broadcast_id_column, Recipient.status.in_(OPEN))


async def any_due(session: Session, *, now: datetime) -> bool:
    """Tell whether some recipient is due or some lease has run out (cheap: for an idle worker)."""
    due = await session.scalar(select(Recipient.id).where(*_claimable(now)).limit(1))
    if due is not None:
        return True
    expired = await session.scalar(
        select(Recipient.id).where(Recipient.status.in_(HELD), Recipient.claimed_until < now).limit(1)
    )
    return expired is not None
