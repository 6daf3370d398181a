"""Scheduled work as database rows that a tick claims atomically.

The scheduler only ticks. What is due lives in ``scheduled_tasks``; a tick claims due rows with a lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional UPDATE everywhere), runs each in its own unit of
work and completes it in that same transaction, so a task's effects and its completion commit together.
Several bot instances, or a restart in the middle, never run a task twice: a crashed worker's lease
expires and another one takes the task over; its earlier transaction never committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.db import AutoId, Base, Session, UTCDateTime, upsert

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


class ScheduledTask(Base):
    """A piece of work due at a time; ``(kind, key)`` names it so it is never scheduled twice."""

    __tablename__ = "scheduled_tasks"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Task:
    """A claimed task, handed to the code that runs it."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


class LeaseLost(Exception):
    """The task's lease expired and another worker took it over."""


async def schedule(
    session: Session, *, kind: str, key: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> bool:
    """Schedule a task unless one with this kind and key exists; True if it was added."""
    inserted = await upsert(
        session,
        ScheduledTask.__table__,
        {
            "kind": kind,
            "key": key,
            "payload": payload or {},
            "due_at": due_at,
            "status": "pending",
            "attempts": 0,
        },
        conflict=["kind", "key"],
    )
    return inserted == 1


async def reschedule(
    session: Session, *, kind: str, key: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> None:
    """Schedule the named task at ``due_at``, moving it (or bringing a finished one back) if it exists."""
    result = await session.execute(
        update(ScheduledTask)
        .where(ScheduledTask.kind == kind, ScheduledTask.key == key)
        .values(
            due_at=due_at,
            payload=payload or {},
            status="pending",
            attempts=0,
            claimed_by=None,
            claimed_until=None,
            last_error=None,
            finished_at=None,
        )
    )
    if not getattr(result, "rowcount", 0):
        await schedule(session, kind=kind, key=key, due_at=due_at, payload=payload)


async def cancel(session: Session, *, kind: str, key: str, now: datetime) -> None:
    """Drop a pending task."""
    await session.execute(
        update(ScheduledTask)
        .where(ScheduledTask.kind == kind, ScheduledTask.key == key, ScheduledTask.status == "pending")
        .values(status="cancelled", finished_at=now)
    )


async def claim_due(session: Session, *, worker: str, now: datetime, limit: int = 20) -> list[Task]:
    """Claim up to ``limit`` due tasks for ``worker`` and return them (commit before running them)."""
    claimable = (
        ScheduledTask.status == "pending",
        ScheduledTask.due_at <= now,
        or_(ScheduledTask.claimed_until.is_(None), ScheduledTask.claimed_until < now),
    )
    candidates = await session.execute(
        select(ScheduledTask.id)
        .where(*claimable)
        .order_by(ScheduledTask.due_at, ScheduledTask.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[Task] = []
    for task_id in candidates.scalars().all():
        row = (
            await session.execute(
                update(ScheduledTask)
                .where(ScheduledTask.id == task_id, *claimable)
                .values(
                    claimed_by=worker,
                    claimed_until=now + LEASE,
                    attempts=ScheduledTask.attempts + 1,
                )
                .returning(
                    ScheduledTask.id,
                    ScheduledTask.kind,
                    ScheduledTask.key,
                    ScheduledTask.payload,
                    ScheduledTask.due_at,
                    ScheduledTask.attempts,
                )
            )
        ).one_or_none()
        if row is not None:
            claimed.append(
                Task(
                    id=row.id,
                    kind=row.kind,
                    key=row.key,
                    payload=dict(row.payload or {}),
                    due_at=row.due_at,
                    attempts=row.attempts,
                )
            )
    return claimed


async def complete(
    session: Session, *, task: Task, worker: str, now: datetime, next_due_at: datetime | None = None
) -> None:
    """Finish the task in the transaction that did its work, or move a recurring one to its next time."""
    values: dict[str, Any] = {"claimed_by": None, "claimed_until": None, "last_error": None}
    if next_due_at is None:
        values |= {"status": "done", "finished_at": now}
    else:
        values |= {"due_at": next_due_at, "attempts": 0}
    result = await session.execute(
        update(ScheduledTask)
        .where(
            ScheduledTask.id == task.id, ScheduledTask.claimed_by == worker, ScheduledTask.status == "pending"
        )
        .values(**values)
    )
    if not getattr(result, "rowcount", 0):
        raise LeaseLost(f"task {task.id} is no longer claimed by {worker}")


async def fail(session: Session, *, task: Task, worker: str, now: datetime, error: str) -> bool:
    """Record a failed run: retry later with backoff, or give up after MAX_ATTEMPTS; True if retried."""
    retry = task.attempts < MAX_ATTEMPTS
    values: dict[str, Any] = {"claimed_by": None, "claimed_until": None, "last_error": error[-2000:]}
    if retry:
        values["due_at"] = now + timedelta(minutes=2**task.attempts)
    else:
        values |= {"status": "failed", "finished_at": now}
    await session.execute(
        update(ScheduledTask)
        .where(ScheduledTask.id == task.id, ScheduledTask.claimed_by == worker)
        .values(**values)
    )
    return retry


async def next_due(session: Session, *, kind: str, key: str) -> datetime | None:
    """Return when the named pending task is due next, if it is scheduled."""
    due = await session.scalar(
        select(ScheduledTask.due_at).where(
            ScheduledTask.kind == kind, ScheduledTask.key == key, ScheduledTask.status == "pending"
        )
    )
    return due


async def prune_finished(session: Session, *, now: datetime, older_than: timedelta) -> int:
    """Delete finished, failed and cancelled tasks older than ``older_than``; return how many."""
    result = await session.execute(
        delete(ScheduledTask).where(
            ScheduledTask.status != "pending", ScheduledTask.finished_at < now - older_than
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
