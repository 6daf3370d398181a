"""The broadcast rate limit shared by every bot instance on one PostgreSQL database.

Telegram counts a bot's messages, whichever instance sends them: two instances that each keep to 30 per
second send 60. So on PostgreSQL the budget lives in the database, one token bucket per row of
``rate_buckets``: :data:`OVERALL` for the bot's messages per second, :func:`group` for one group's messages
per minute. A row holds its tokens as of ``refilled_at``. Each take refills the bucket by PostgreSQL's clock
and takes from it in one atomic statement (an upsert, so the first take creates the row, full)::

    INSERT INTO rate_buckets (name, tokens, refilled_at) VALUES (:name, :capacity - :count, clock_timestamp())
    ON CONFLICT (name) DO UPDATE SET
        tokens = least(:capacity, tokens + :per_second * <seconds from greatest(refilled_at, paused_until)
                                                         to excluded.refilled_at, at least 0>) - :count,
        refilled_at = greatest(excluded.refilled_at, refilled_at, paused_until)
    RETURNING tokens, refilled_at, paused_until, clock_timestamp()

A take always succeeds, and may leave the bucket below zero: those tokens are reserved ahead, and the answer
says when they may be used (once the refill has paid them back), so a taker waits once instead of asking
again and again. Callers take a few tokens at a time (a tenth of a second's worth: 3 at 30/s, so an instance
asks ten times a second, not thirty) and the capacity is that small too, so however the instances
interleave, the messages in any window of ``L`` seconds are at most ``capacity + per_second × L``.

A 429 pauses a bucket (:func:`pause`, ``paused_until``): until then it does not refill, and every take,
whichever instance makes it, is told to wait for the end of the pause.

Decisions:

- The clock is PostgreSQL's (``clock_timestamp()``), not the bot's :class:`core.clock.Clock`: Telegram's
  limits run in real time, the bot's clock may be frozen (tests), and the hosts' clocks may differ. The
  refill counts up to the moment in the proposed row (``excluded.refilled_at``), read before the row lock is
  waited for: a taker that waited for another one refills less and waits longer, never the other way round.
  The wait is counted from the ``clock_timestamp()`` of the answer, which is no later than when the caller
  starts waiting.
- SQLite (one process only) needs none of this; the bot keeps its limits in memory there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Double, Interval, String, extract, func, literal
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, Session, UTCDateTime

OVERALL = "overall"


class RateBucket(Base):
    """One token bucket of the shared rate limit."""

    __tablename__ = "rate_buckets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Below zero when tokens are reserved ahead of the refill.
    tokens: Mapped[float] = mapped_column(Double)
    # The moment ``tokens`` is counted at (PostgreSQL's clock).
    refilled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # After a 429: no token before then, and no refill either.
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Grant:
    """When the tokens of one take may be used."""

    ready_at: datetime  # by the database's clock
    wait: float  # seconds from the answer until ready_at (0: at once)
    paused_for: float  # seconds left of a pause (0: none)


def group(chat_id: int) -> str:
    """Return the name of a group's bucket (its messages per minute)."""
    return f"group:{chat_id}"


def _now() -> ColumnElement[datetime]:
    return func.clock_timestamp(type_=UTCDateTime)


def _seconds(interval: ColumnElement[timedelta]) -> ColumnElement[float]:
    return extract("epoch", interval).cast(Double)


async def take(session: Session, *, name: str, count: int, capacity: float, per_second: float) -> Grant:
    """Take ``count`` tokens from the bucket ``name`` (refilled at ``per_second``, holding ``capacity``).

    The tokens are the caller's once the grant's ``wait`` has passed. Commit right away: the row stays
    locked for the other instances until then.
    """
    if not 0 < count <= capacity:
        raise ValueError("take between 1 and the bucket's capacity at a time")
    capacity, per_second = float(capacity), float(per_second)
    bucket = RateBucket.__table__.c
    statement = insert(RateBucket).values(
        name=name, tokens=capacity - count, refilled_at=_now(), paused_until=None
    )
    now = statement.excluded.refilled_at
    since = func.greatest(bucket.refilled_at, bucket.paused_until, type_=UTCDateTime)
    refilled = bucket.tokens + func.greatest(0.0, _seconds(now - since)) * per_second
    upsert = statement.on_conflict_do_update(
        index_elements=[bucket.name],
        set_={
            "tokens": func.least(capacity, refilled, type_=Double) - count,
            "refilled_at": func.greatest(now, since, type_=UTCDateTime),
        },
    ).returning(bucket.tokens, bucket.refilled_at, bucket.paused_until, _now())
    tokens, refilled_at, paused_until, answered_at = (await session.execute(upsert)).one()
    ready_at = refilled_at + timedelta(seconds=max(0.0, -tokens) / per_second)
    paused_for = (paused_until - answered_at).total_seconds() if paused_until is not None else 0.0
    return Grant(
        ready_at=ready_at,
        wait=max(0.0, (ready_at - answered_at).total_seconds()),
        paused_for=max(0.0, paused_for),
    )


async def pause(session: Session, *, name: str, seconds: float) -> None:
    """Hold the bucket back for ``seconds`` from now (Telegram's retry_after): every taker waits."""
    bucket = RateBucket.__table__.c
    until = _now() + literal(timedelta(seconds=seconds), Interval())
    statement = insert(RateBucket).values(name=name, tokens=0.0, refilled_at=_now(), paused_until=until)
    statement = statement.on_conflict_do_update(
        index_elements=[bucket.name],
        set_={
            # Whatever was left is not sent in a burst when the pause ends.
            "tokens": func.least(bucket.tokens, 0.0, type_=Double),
            "paused_until": func.greatest(
                bucket.paused_until, statement.excluded.paused_until, type_=UTCDateTime
            ),
        },
    )
    await session.execute(statement)
