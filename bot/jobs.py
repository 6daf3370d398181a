"""What runs on a schedule.

PTB's JobQueue only ticks. Due work lives in ``scheduled_tasks`` rows (see :mod:`core.tasks`): each tick
claims what is due, runs every task in its own unit of work and completes it in that same transaction.
A task kind maps to one function here; a recurring task returns when it is due next.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from catalog import searches
from core import tasks, updates, users
from core.db import Session
from handlers import style as style_handlers
from handlers.context import BotContext, Services

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
HOUSEKEEPING = "housekeeping"
HOUSEKEEPING_AT = time(3, 30)
HOUSEKEEPING_ZONE = ZoneInfo("Europe/Berlin")
KEEP_FINISHED_TASKS = timedelta(days=30)

Runner = Callable[[Session, Services, Bot, tasks.Task], Awaitable[datetime | None]]


def next_housekeeping(after: datetime) -> datetime:
    """Return the next 03:30 Berlin time after ``after``."""
    local = after.astimezone(HOUSEKEEPING_ZONE)
    candidate = datetime.combine(local.date(), HOUSEKEEPING_AT, tzinfo=HOUSEKEEPING_ZONE)
    if candidate <= local:
        candidate = datetime.combine(
            local.date() + timedelta(days=1), HOUSEKEEPING_AT, tzinfo=HOUSEKEEPING_ZONE
        )
    return candidate


async def housekeeping(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """Forget old update ids, old searches and long finished tasks; run again tomorrow."""
    now = services.clock.now()
    pruned_updates = await updates.prune(session, now=now)
    pruned_tasks = await tasks.prune_finished(session, now=now, older_than=KEEP_FINISHED_TASKS)
    pruned_searches = await searches.prune(session, now=now)
    log.info(
        "housekeeping: %d update ids, %d finished tasks and %d old searches removed",
        pruned_updates,
        pruned_tasks,
        pruned_searches,
    )
    return next_housekeeping(now)


async def style_reminder(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """Remind a user once that their style quiz is unfinished, in their language."""
    user = await users.get(session, user_id=int(task.key))
    if user is None or user.blocked_bot:
        return None
    translator = services.translator
    locale = user.locale(translator.locales, translator.default_locale)
    button = InlineKeyboardButton(
        translator.t(locale, "style-reminder-continue"), callback_data="sty:restart"
    )
    try:
        await bot.send_message(
            user.id, translator.t(locale, "style-reminder"), reply_markup=InlineKeyboardMarkup([[button]])
        )
    except Forbidden:
        await users.mark_blocked(session, user_id=user.id)
    return None


RUNNERS: dict[str, Runner] = {HOUSEKEEPING: housekeeping, style_handlers.REMINDER: style_reminder}


async def ensure_recurring(services: Services) -> None:
    """Schedule the recurring tasks once; several instances starting together add them only once."""
    async with services.db.unit_of_work() as session:
        await tasks.schedule(
            session, kind=HOUSEKEEPING, key="daily", due_at=next_housekeeping(services.clock.now())
        )


class DueWork:
    """Claims and runs due tasks; one per process, shared by the tick and the sandbox's clock."""

    def __init__(self, services: Services, bot: Bot, runners: dict[str, Runner] | None = None) -> None:
        self.services = services
        self.bot = bot
        self.runners = runners if runners is not None else RUNNERS
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        """Run everything that is due now."""
        async with self._lock:
            while batch := await self._claim():
                for task in batch:
                    await self._run_one(task)

    async def _claim(self) -> list[tasks.Task]:
        async with self.services.db.unit_of_work() as session:
            return await tasks.claim_due(
                session, worker=self.services.worker_id, now=self.services.clock.now()
            )

    async def _run_one(self, task: tasks.Task) -> None:
        worker, db = self.services.worker_id, self.services.db
        runner = self.runners.get(task.kind)
        try:
            if runner is None:
                raise LookupError(f"no runner for task kind {task.kind!r}")
            async with db.unit_of_work() as session:
                next_due = await runner(session, self.services, self.bot, task)
                await tasks.complete(
                    session, task=task, worker=worker, now=self.services.clock.now(), next_due_at=next_due
                )
        except Exception as error:
            log.exception("task %s (%s) failed", task.id, task.kind)
            async with db.unit_of_work() as session:
                await tasks.fail(
                    session,
                    task=task,
                    worker=worker,
                    now=self.services.clock.now(),
                    error="".join(traceback.format_exception_only(error)),
                )


async def tick(context: BotContext) -> None:
    """Run the due work (the JobQueue calls this every few seconds)."""
    job = context.job
    assert job is not None and isinstance(job.data, DueWork)
    await job.data.run()
