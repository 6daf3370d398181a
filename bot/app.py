"""Builds the python-telegram-bot Application: handlers, defaults, rate limiter, startup calls."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, BaseUpdateProcessor, ContextTypes, Defaults

from bot import broadcasting, jobs
from bot import request as bot_request
from handlers import (
    broadcasts,
    cart,
    checkout,
    deals,
    errors,
    fallback,
    groupbuys,
    groups,
    ideas,
    language,
    orders,
    polls,
    privacy,
    products,
    retailers,
    reviews,
    search,
    start,
    style,
    updates,
    votes,
    wishlists,
)
from handlers.commands import bot_commands
from handlers.common import App
from handlers.context import SERVICES_KEY, BotContext, Services

log = logging.getLogger(__name__)

# Feature modules in the order their handlers are tried; the fallback always comes last.
FEATURES = (
    start,
    language,
    privacy,
    style,
    cart,
    checkout,
    orders,
    groupbuys,
    votes,
    polls,
    groups,
    wishlists,
    ideas,
    reviews,
    retailers,
    deals,
    broadcasts,
    products,
    search,
)
DUE_WORK_KEY = "due_work"
DELIVERY_KEY = "broadcast_delivery"


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Handle updates concurrently, but one at a time per chat, so a busy chat blocks nobody else.

    Pre-checkout and shipping queries skip the chat's queue: Telegram wants their answer within seconds.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handling under its chat's lock."""
        chat = update.effective_chat if isinstance(update, Update) else None
        urgent = isinstance(update, Update) and (update.pre_checkout_query or update.shipping_query)
        if chat is None or urgent:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def build(
    services: Services,
    *,
    token: str,
    api_url: str,
    polling: bool,
    broadcast_limits: broadcasting.Limits | None = None,
    rate_limit: bool = True,
    timeout: float = bot_request.TIMEOUT,
) -> App:
    """Build the application that talks to the Bot API at ``api_url`` (Telegram's or the sandbox); with
    ``rate_limit`` its calls keep to Telegram's limits. Calls wait ``timeout`` seconds for their answer and
    are repeated after a timeout, a lost connection or a 5xx (bot.request)."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .request(bot_request.RetryingRequest(bot_request.AiohttpRequest(read_timeout=timeout)))
        # Long polling: one connection, waiting as long as each getUpdates asks (PTB's default is httpx).
        .get_updates_request(bot_request.AiohttpRequest(connections=1, read_timeout=timeout))
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Without rate_limit no call waits (0 turns PTB's limits off); a 429 is still retried.
        .rate_limiter(
            AIORateLimiter(max_retries=3)
            if rate_limit
            else AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
        )
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if not polling:
        builder = builder.updater(None)
    application: App = builder.build()  # type: ignore[assignment]
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[DUE_WORK_KEY] = jobs.DueWork(services, application.bot)
    # Broadcasts go through their own Bot and rate limiter (see bot.broadcasting).
    delivery = broadcasting.Deliverer(
        services, token=token, api_url=api_url, limits=broadcast_limits or broadcasting.Limits()
    )
    application.bot_data[DELIVERY_KEY] = delivery
    application.bot_data[broadcasts.WAKE_KEY] = delivery.wake
    updates.register(application)
    for feature in FEATURES:
        feature.register(application)
    fallback.register(application)
    errors.register(application)
    return application


async def started(application: App) -> None:
    """Publish the commands and start the schedule (call after ``application.start()``)."""
    services: Services = application.bot_data[SERVICES_KEY]
    await set_commands(application, services)
    await jobs.ensure_recurring(services)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        jobs.tick, interval=jobs.TICK_SECONDS, first=1.0, data=due_work(application), name="due-work"
    )
    application.job_queue.run_repeating(
        votes.catch_up, interval=votes.EDIT_INTERVAL.total_seconds(), first=1.0, name="vote-counts"
    )
    application.job_queue.run_repeating(
        groupbuys.catch_up,
        interval=groupbuys.EDIT_INTERVAL.total_seconds(),
        first=1.0,
        name="group-buy-progress",
    )
    application.job_queue.run_repeating(
        polls.close_due, interval=polls.CLOSE_CHECK_SECONDS, first=1.0, name="poll-close"
    )
    delivery(application).start(application)


def delivery(application: App) -> broadcasting.Deliverer:
    """Return the application's broadcast delivery."""
    deliverer = application.bot_data[DELIVERY_KEY]
    assert isinstance(deliverer, broadcasting.Deliverer)
    return deliverer


def due_work(application: App) -> jobs.DueWork:
    """Return the application's runner of due scheduled work."""
    work = application.bot_data[DUE_WORK_KEY]
    assert isinstance(work, jobs.DueWork)
    return work


async def set_commands(application: App, services: Services) -> None:
    """Publish the command list in every language; a Bot API server without it does not stop the bot."""
    translator = services.translator
    calls = [(translator.default_locale, None)] + [(locale, locale) for locale in translator.locales]
    for locale, language_code in calls:
        try:
            await application.bot.set_my_commands(
                bot_commands(translator, locale), language_code=language_code
            )
        except TelegramError as error:
            log.warning(
                "setMyCommands (%s) failed, the bot keeps running: %s", language_code or "default", error
            )
            return
