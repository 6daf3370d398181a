"""Scheduled work as claimed database rows: each task runs once, also with several workers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import tasks
from core.clock import Clock
from core.db import Database


async def _schedule(db: Database, clock: Clock, key: str, minutes: int = 0) -> None:
    async with db.unit_of_work() as session:
        await tasks.schedule(
            session, kind="reminder", key=key, due_at=clock.now() + timedelta(minutes=minutes)
        )


async def _claim(db: Database, clock: Clock, worker: str) -> list[tasks.Task]:
    async with db.unit_of_work() as session:
        return await tasks.claim_due(session, worker=worker, now=clock.now())


async def test_a_task_is_scheduled_once_per_kind_and_key(db: Database, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        first = await tasks.schedule(session, kind="reminder", key="lena", due_at=clock.now())
        second = await tasks.schedule(session, kind="reminder", key="lena", due_at=clock.now())
    assert first and not second


async def test_only_due_tasks_are_claimed(db: Database, clock: Clock) -> None:
    await _schedule(db, clock, "now")
    await _schedule(db, clock, "later", minutes=3)

    assert [task.key for task in await _claim(db, clock, "a")] == ["now"]
    clock.advance(4 * 60)  # within the lease of the unfinished first task
    assert [task.key for task in await _claim(db, clock, "a")] == ["later"]


async def test_concurrent_workers_never_claim_the_same_task(db: Database, clock: Clock) -> None:
    for number in range(30):
        await _schedule(db, clock, f"t{number}")

    claims = await asyncio.gather(*(_claim(db, clock, f"worker-{n}") for n in range(4)))

    keys = [task.key for claimed in claims for task in claimed]
    assert len(keys) == len(set(keys)), "a task was claimed twice"
    leftovers = await _claim(db, clock, "late")
    assert len(keys) + len(leftovers) == 30


async def test_a_crashed_workers_task_is_taken_over_after_its_lease(db: Database, clock: Clock) -> None:
    await _schedule(db, clock, "x")
    (task,) = await _claim(db, clock, "crashed")
    assert await _claim(db, clock, "other") == []

    clock.advance(tasks.LEASE.total_seconds() + 1)
    (again,) = await _claim(db, clock, "other")

    assert again.id == task.id and again.attempts == 2
    async with db.unit_of_work() as session:
        await tasks.complete(session, task=again, worker="other", now=clock.now())


async def test_the_late_worker_cannot_complete_a_task_it_lost(db: Database, clock: Clock) -> None:
    await _schedule(db, clock, "x")
    (task,) = await _claim(db, clock, "slow")
    clock.advance(tasks.LEASE.total_seconds() + 1)
    await _claim(db, clock, "fast")

    with pytest.raises(tasks.LeaseLost):
        async with db.unit_of_work() as session:
            await tasks.complete(session, task=task, worker="slow", now=clock.now())


async def test_a_completed_task_does_not_run_again_and_a_recurring_one_moves_on(
    db: Database, clock: Clock
) -> None:
    await _schedule(db, clock, "once")
    async with db.unit_of_work() as session:
        await tasks.schedule(session, kind="daily", key="d", due_at=clock.now())
    for task in await _claim(db, clock, "w"):
        async with db.unit_of_work() as session:
            next_due = clock.now() + timedelta(days=1) if task.kind == "daily" else None
            await tasks.complete(session, task=task, worker="w", now=clock.now(), next_due_at=next_due)

    assert await _claim(db, clock, "w") == []
    clock.advance(86_400)
    assert [task.kind for task in await _claim(db, clock, "w")] == ["daily"]


async def test_a_failing_task_is_retried_with_backoff_then_given_up(db: Database, clock: Clock) -> None:
    await _schedule(db, clock, "flaky")
    retries = []
    for _ in range(tasks.MAX_ATTEMPTS):
        clock.advance(3600)
        (task,) = await _claim(db, clock, "w")
        async with db.unit_of_work() as session:
            retries.append(await tasks.fail(session, task=task, worker="w", now=clock.now(), error="boom"))
    clock.advance(86_400)

    assert retries == [True] * (tasks.MAX_ATTEMPTS - 1) + [False]
    assert await _claim(db, clock, "w") == []


async def test_finished_tasks_are_pruned_after_a_while(db: Database, clock: Clock) -> None:
    await _schedule(db, clock, "old")
    (task,) = await _claim(db, clock, "w")
    async with db.unit_of_work() as session:
        await tasks.complete(session, task=task, worker="w", now=clock.now())
    clock.advance(timedelta(days=31).total_seconds())
    async with db.unit_of_work() as session:
        assert await tasks.prune_finished(session, now=clock.now(), older_than=timedelta(days=30)) == 1


async def test_rescheduling_moves_a_pending_task_and_revives_a_finished_one(
    db: Database, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await tasks.reschedule(session, kind="reminder", key="lena", due_at=clock.now() + timedelta(hours=1))
        await tasks.reschedule(session, kind="reminder", key="lena", due_at=clock.now() + timedelta(hours=2))
        assert await tasks.next_due(session, kind="reminder", key="lena") == clock.now() + timedelta(hours=2)
        await tasks.cancel(session, kind="reminder", key="lena", now=clock.now())
        assert await tasks.next_due(session, kind="reminder", key="lena") is None
        await tasks.reschedule(session, kind="reminder", key="lena", due_at=clock.now() + timedelta(hours=3))
        assert await tasks.next_due(session, kind="reminder", key="lena") == clock.now() + timedelta(hours=3)
