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
from contextlib import suppress
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot import broadcasting
from catalog import products, searches
from core import tasks, updates, users
from core.db import Session
from core.i18n import format_money
from deals import broadcasts, deliveries, offers, subscriptions
from deals.errors import Refused as DealRefused
from handlers import deals as deal_handlers
from handlers import groupbuys as groupbuy_handlers
from handlers import groups as group_handlers
from handlers import style as style_handlers
from handlers import wishlists as wishlist_handlers
from handlers.context import BotContext, Services
from handlers.render import notice_text
from orders import fulfilment
from social import groupbuys, referrals, wishlists

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
HOUSEKEEPING = "housekeeping"
HOUSEKEEPING_AT = time(3, 30)
HOUSEKEEPING_ZONE = ZoneInfo("Europe/Berlin")
KEEP_FINISHED_TASKS = timedelta(days=30)
TRACKING = "tracking-poll"
TRACKING_EVERY = timedelta(minutes=15)
WISHLIST_ALERTS = "wishlist-alerts"
WISHLIST_ALERTS_EVERY = timedelta(hours=1)
DEFERRED = "deferred-message"
DELIVERED_NOTICE = "tracking-delivered"
QUIET_ENDS = time(8, 0)
DEALS_ROUND = "deals-round"
DEALS_ROUND_EVERY = timedelta(minutes=15)
# When a round could not send everything (its batch was full), the next one comes this soon.
DEALS_MORE_SOON = timedelta(minutes=1)
# A round at once, for price drops the wishlist alerts just queued.
DEALS_SOON = "deals-soon"
PRICE_DROPS = frozenset({wishlists.PRICE_DROP, wishlists.PRICE_DROP_GIFT})

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
    """Forget old update ids, old searches and long finished tasks, anonymise the finished orders of
    erased customers; run again tomorrow."""
    now = services.clock.now()
    pruned_updates = await updates.prune(session, now=now)
    pruned_tasks = await tasks.prune_finished(session, now=now, older_than=KEEP_FINISHED_TASKS)
    pruned_searches = await searches.prune(session, now=now)
    anonymised = await fulfilment.anonymise_finished(session)
    log.info(
        "housekeeping: %d update ids, %d finished tasks and %d old searches removed, %d orders anonymised",
        pruned_updates,
        pruned_tasks,
        pruned_searches,
        anonymised,
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


async def track_parcels(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """Ask the carriers about every parcel on its way and tell each customer each change once."""
    now = services.clock.now()
    for notice in await fulfilment.poll(session, carrier_lookup=services.carriers.carrier_for, now=now):
        keyboard = None
        if notice.key == "tracking-out-for-delivery":
            label = services.translator.t(notice.locale, "tracking-change-window")
            keyboard = InlineKeyboardMarkup(
                [[InlineKeyboardButton(label, callback_data=f"win:{notice.order_id}")]]
            )
        text = notice_text(services.translator, notice)
        quiet = await _quiet_hours(session, notice.chat_id)
        if quiet.contains(now, notice.time_zone) and not notice.urgent:
            await tasks.schedule(
                session,
                kind=DEFERRED,
                key=f"{notice.order_id}:{notice.key}",
                due_at=_morning_after(now, notice.time_zone, quiet.ends or QUIET_ENDS),
                payload={"chat_id": notice.chat_id, "text": text},
            )
            continue
        await _send(session, bot, notice.chat_id, text, keyboard)
        if notice.key == DELIVERED_NOTICE:
            await _reward_referral(session, services, bot, notice.order_id)
    return now + TRACKING_EVERY


async def _quiet_hours(session: Session, chat_id: int) -> subscriptions.QuietHours:
    """Return the quiet hours a customer chose (a private chat's id is its user's), else 22 to 8."""
    if chat_id > 0:
        return await subscriptions.quiet_hours(session, user_id=chat_id)
    return subscriptions.QuietHours(*subscriptions.DEFAULT_QUIET)


async def pickup_reminder(
    session: Session, services: Services, bot: Bot, task: tasks.Task
) -> datetime | None:
    """Remind the customer the day before the pickup deadline."""
    notice = await fulfilment.pickup_reminder(session, order_id=int(task.key), now=services.clock.now())
    if notice is not None:
        await _send(session, bot, notice.chat_id, notice_text(services.translator, notice))
    return None


async def review_prompt(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """Ask once, after delivery or pickup, for a star rating and a few words."""
    # Picked-up orders come here too (a day after pickup); a reward is only ever booked once.
    await _reward_referral(session, services, bot, int(task.key))
    notice = await fulfilment.review_prompt(session, order_id=int(task.key))
    if notice is not None:
        stars = [
            InlineKeyboardButton("⭐" * count, callback_data=f"rev:{notice.order_id}:{count}")
            for count in range(1, 6)
        ]
        keyboard = InlineKeyboardMarkup([stars[:3], stars[3:]])
        await _send(session, bot, notice.chat_id, notice_text(services.translator, notice), keyboard)
    return None


async def deferred_message(
    session: Session, services: Services, bot: Bot, task: tasks.Task
) -> datetime | None:
    """Send a message that waited for the end of the customer's quiet hours."""
    await _send(session, bot, int(task.payload["chat_id"]), str(task.payload["text"]))
    return None


async def _reward_referral(session: Session, services: Services, bot: Bot, order_id: int) -> None:
    """Credit both sides of a referral for a friend's first received order and tell each of them."""
    rewards = await referrals.reward_first_purchase(
        session, order_id=order_id, now=services.clock.now(), amount=group_handlers.REFERRAL_REWARD
    )
    translator = services.translator
    for reward in rewards:
        user = await users.get(session, user_id=reward.user_id)
        if user is None or user.blocked_bot:
            continue
        locale = user.locale(translator.locales, translator.default_locale)
        amount = format_money(reward.amount.amount, reward.amount.currency, locale)
        key = "referral-reward-invited" if reward.invited else "referral-reward-inviter"
        await _send(session, bot, user.id, translator.t(locale, key, amount=amount))


async def wishlist_alerts(
    session: Session, services: Services, bot: Bot, task: tasks.Task
) -> datetime | None:
    """Tell owners and gift givers once about each return to stock; queue each price drop for the deals round.

    A price drop goes out as one message with its price chart, through the deals round: at most once per
    person and drop (a drop a deal made is that deal's message), never in quiet hours.
    """
    now = services.clock.now()
    translator = services.translator
    drops: list[deliveries.Drop] = []
    for alert in await wishlists.alerts_due(session, now=now):
        if alert.key in PRICE_DROPS:
            drops.append(
                deliveries.Drop(
                    user_id=alert.chat_id,
                    product_id=int(alert.args["product_id"]),
                    price_change_id=int(alert.args["change_id"]),
                    gift=alert.key == wishlists.PRICE_DROP_GIFT,
                )
            )
            continue
        user = await users.get(session, user_id=alert.chat_id)
        if user is None or user.blocked_bot:
            continue
        locale = user.locale(translator.locales, translator.default_locale)
        await _send(session, bot, alert.chat_id, wishlist_handlers.alert_text(translator, locale, alert))
    if await deliveries.queue_drops(session, drops=drops, now=now):
        await tasks.schedule(session, kind=DEALS_SOON, key=now.isoformat(timespec="seconds"), due_at=now)
    return now + WISHLIST_ALERTS_EVERY


async def deals_round(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """Send the deals and price drops due now: matched, ranked, capped, never in quiet hours, each once.

    The claims commit before anything is sent (see :mod:`deals.deliveries`), in units of work of their own;
    the task's session is touched only after them, so they never wait for it (SQLite's write lock).
    """
    now = services.clock.now()
    translator = services.translator
    async with services.db.unit_of_work() as claiming:
        claimed = await deliveries.plan(
            claiming, now=now, locales=translator.locales, default_locale=translator.default_locale
        )
    outcome = await deal_handlers.deliver(bot, services, claimed.deliveries)
    async with services.db.unit_of_work() as recording:
        await deliveries.record(
            recording, sent=outcome.sent, failed=outcome.failed, blocked=outcome.blocked, later=outcome.later
        )
        for picture_id, file_id in outcome.pictures:
            await products.remember_telegram_file(recording, picture_id=picture_id, file_id=file_id)
    if task.kind == DEALS_ROUND:
        return now + (DEALS_MORE_SOON if claimed.more else DEALS_ROUND_EVERY)
    if claimed.more:
        soon = now + DEALS_MORE_SOON
        await tasks.schedule(session, kind=DEALS_SOON, key=soon.isoformat(timespec="seconds"), due_at=soon)
    return None


async def deal_start(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """Start a deal at its time: its products get the deal price."""
    await offers.start(session, deal_id=int(task.key), now=services.clock.now())
    return None


async def deal_end(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
    """End a deal at its time: its products get their regular prices back."""
    with suppress(DealRefused):  # the deal is gone (its retailer was deleted)
        await offers.end(session, deal_id=int(task.key), now=services.clock.now())
    return None


async def close_group_buy(
    session: Session, services: Services, bot: Bot, task: tasks.Task
) -> datetime | None:
    """At a group buy's deadline: invoice everyone at the tier reached, or cancel it; tell the group."""
    outcome = await groupbuys.close(
        session,
        group_buy_id=int(task.key),
        now=services.clock.now(),
        stars=services.payment_provider_token is None,
    )
    if outcome is not None:
        await _tell_group_buy(session, services, bot, outcome)
    return None


async def group_buy_payment_deadline(
    session: Session, services: Services, bot: Bot, task: tasks.Task
) -> datetime | None:
    """At a payment deadline: release unpaid shares, invoice the waiting list; look again at the next one."""
    outcome, next_due = await groupbuys.settle(
        session,
        group_buy_id=int(task.key),
        now=services.clock.now(),
        stars=services.payment_provider_token is None,
    )
    if outcome is not None:
        await _tell_group_buy(session, services, bot, outcome)
    return next_due


async def _tell_group_buy(session: Session, services: Services, bot: Bot, outcome: groupbuys.Outcome) -> None:
    # The group's message is edited at once (the close is the news), the rest like any progress.
    for user_id in await groupbuy_handlers.tell(bot, services, outcome):
        await users.mark_blocked(session, user_id=user_id)
    shown = await groupbuys.due_renders(
        session,
        now=services.clock.now(),
        min_interval=timedelta(0),
        group_buy_id=outcome.progress.id,
    )
    await groupbuy_handlers.show_progress(bot, services, shown)


async def _send(
    session: Session, bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    try:
        await bot.send_message(chat_id, text, reply_markup=keyboard)
    except Forbidden:
        await users.mark_blocked(session, user_id=chat_id)


def _morning_after(now: datetime, time_zone: str, ends: time = QUIET_ENDS) -> datetime:
    local = now.astimezone(ZoneInfo(time_zone))
    morning = datetime.combine(local.date(), ends, tzinfo=local.tzinfo)
    return morning if morning > local else morning + timedelta(days=1)


RUNNERS: dict[str, Runner] = {
    HOUSEKEEPING: housekeeping,
    style_handlers.REMINDER: style_reminder,
    TRACKING: track_parcels,
    fulfilment.PICKUP_REMINDER: pickup_reminder,
    fulfilment.REVIEW_PROMPT: review_prompt,
    DEFERRED: deferred_message,
    WISHLIST_ALERTS: wishlist_alerts,
    groupbuys.CLOSE: close_group_buy,
    groupbuys.PAYMENT_DEADLINE: group_buy_payment_deadline,
    DEALS_ROUND: deals_round,
    DEALS_SOON: deals_round,
    offers.START: deal_start,
    offers.END: deal_end,
    broadcasts.START: broadcasting.start_scheduled,
}


async def ensure_recurring(services: Services) -> None:
    """Schedule the recurring tasks once; several instances starting together add them only once."""
    async with services.db.unit_of_work() as session:
        now = services.clock.now()
        await tasks.schedule(session, kind=HOUSEKEEPING, key="daily", due_at=next_housekeeping(now))
        await tasks.schedule(session, kind=TRACKING, key="all", due_at=now + TRACKING_EVERY)
        await tasks.schedule(session, kind=WISHLIST_ALERTS, key="all", due_at=now + WISHLIST_ALERTS_EVERY)
        await tasks.schedule(session, kind=DEALS_ROUND, key="all", due_at=now + DEALS_ROUND_EVERY)


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
