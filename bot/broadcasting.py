"""Broadcast delivery: the outbox (:mod:`deals.outbox`) sent through the Bot API within Telegram's limits.

One :class:`Deliverer` runs in the background of every bot process. It claims due recipients in batches,
hands them to a pool of senders that each wait for the :class:`RateLimiter` (overall, per chat, per group),
and records the answers in bulk, so the database does a few statements per batch, not per message.

Decisions:

- Broadcasts use their own :class:`telegram.Bot` with :class:`AiohttpRequest`, not the application's bot:
  the application's bot goes through PTB's ``AIORateLimiter`` (which retries a 429 by itself and knows nothing
  of the outbox), and its httpx connection pool spends most of its time on bookkeeping at a few hundred
  requests per second. Here the limiter is ours, a 429 pauses every sender for its ``retry_after``, and
  aiohttp carries well over a thousand requests per second from one process.
- A message whose request was on its way when the answer was lost (a read timeout, a dropped connection, a
  crash) is ``unknown`` and never sent again; 5xx answers and requests that never left (no connection) are
  retried with backoff; 403 marks the person as having blocked the bot and unsubscribes them from the
  retailer; any other refusal fails the message.
- The limits are the bot's, as Telegram counts them. On PostgreSQL, where several instances may run, the
  overall and per-group limits are token buckets in the database (:mod:`deals.ratelimit`) that every
  instance takes from, a tenth of a second's worth at a time; a 429 pauses them for all. On SQLite (one
  process) they stay in memory. The per-chat limit is always in memory: a person gets one message per
  broadcast, from the one instance that claimed them. Without an answer from the shared limit nothing is
  sent; the rows go back to the outbox.
- Stopping the bot (``Application.stop``) stops claiming, gives back what was claimed but not sent, and
  waits for the requests in flight; a crash leaves at most one queue of claimed rows (about a second of
  sending) that end up ``unknown`` once their lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest

from bot.config import Settings
from bot.request import AiohttpRequest, AnswerLost, NotSent
from core import tasks
from core.db import Database, Session
from deals import broadcasts, outbox, ratelimit
from handlers import broadcasts as broadcast_handlers
from handlers.common import App
from handlers.context import Services

log = logging.getLogger(__name__)

# Claim about this many seconds of sending at a time; the queue holds at most two claims.
CLAIM_SECONDS = 0.5
# Start (mark as on their way) about this many seconds of sending at a time, just before the calls.
START_SECONDS = 0.1
# The overall limit lets this many seconds' worth of messages go at once (Telegram counts per second); on
# PostgreSQL it is also what an instance takes from the shared limit at a time.
BURST_SECONDS = 0.1
# The shared limit of a group lets one message go at once: 20 per minute never becomes 20 plus a burst.
GROUP_CAPACITY = 1.0
FLUSH_SECONDS = 0.2
IDLE_SECONDS = 1.0
WATCH_SECONDS = 0.1
PROGRESS_SECONDS = 1.0
RECOVER_SECONDS = 5.0
# Progress edits to the retailer's message come at most this often (by the bot's clock).
PROGRESS_INTERVAL = timedelta(seconds=3)
# Do not start a send whose lease ends within this margin; give the row back instead.
LEASE_MARGIN = timedelta(seconds=10)
MAX_THROTTLED = 20
MAX_SENDERS = 256


@dataclass(frozen=True, slots=True)
class Limits:
    """How fast broadcasts may go: Telegram's limits, or the paid broadcast rate with ``paid``."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    paid: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """Return the limits configured with the BROADCAST_* variables."""
        return cls(
            per_second=settings.broadcast_rate_per_second,
            per_chat_per_second=settings.broadcast_per_chat_per_second,
            group_per_minute=settings.broadcast_group_per_minute,
            paid=settings.broadcast_paid,
        )

    @property
    def batch(self) -> int:
        """Return how many recipients to claim at once."""
        return max(1, min(outbox.MAX_BATCH, round(self.per_second * CLAIM_SECONDS)))

    @property
    def step(self) -> int:
        """Return how many claimed recipients to start at once."""
        return max(1, min(self.batch, round(self.per_second * START_SECONDS)))

    @property
    def senders(self) -> int:
        """Return how many requests may be in flight at once."""
        return max(8, min(MAX_SENDERS, round(self.per_second / 5)))


# The limits.


class _Keyed:
    """One leaky bucket per chat, forgotten once it has run empty."""

    def __init__(self, max_rate: float, period: float) -> None:
        self._max_rate, self._period = max_rate, period
        self._limiters: dict[int, AsyncLimiter] = {}
        self._pruned = time.monotonic()

    async def acquire(self, key: int) -> None:
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = AsyncLimiter(self._max_rate, self._period)
        await limiter.acquire()
        if time.monotonic() - self._pruned > 10 * self._period + 10:
            self._prune()

    def _prune(self) -> None:
        self._pruned = time.monotonic()
        for key in [key for key, limiter in self._limiters.items() if limiter.has_capacity(limiter.max_rate)]:
            del self._limiters[key]


class Unavailable(Exception):
    """The shared rate limit could not be asked (its database is out of reach): send nothing now."""


class _Budget(Protocol):
    """The overall and per-group limits: kept in this process, or shared through the database."""

    async def overall(self, count: int) -> tuple[float, float]:
        """Take ``count`` messages' worth; return the seconds still to wait and those left of a pause."""

    async def group(self, chat_id: int) -> tuple[float, float]:
        """Take one message to the group; return the seconds still to wait and those left of a pause."""

    async def pause(self, seconds: float) -> None:
        """Hold back every sender that shares the budget (after a 429)."""


class _LocalBudget:
    """The limits of one process (SQLite: the only one there is)."""

    def __init__(self, limits: Limits, burst: int) -> None:
        self._overall = AsyncLimiter(burst, burst / limits.per_second)
        self._groups = _Keyed(limits.group_per_minute, 60.0)

    async def overall(self, count: int) -> tuple[float, float]:
        await self._overall.acquire(count)
        return 0.0, 0.0

    async def group(self, chat_id: int) -> tuple[float, float]:
        await self._groups.acquire(chat_id)
        return 0.0, 0.0

    async def pause(self, seconds: float) -> None:
        return None


class _SharedBudget:
    """The limits of every instance on one PostgreSQL database, as token buckets in it (deals.ratelimit)."""

    def __init__(self, limits: Limits, burst: int, db: Database) -> None:
        self._db = db
        self._burst, self._per_second = burst, limits.per_second
        self._group_per_second = limits.group_per_minute / 60

    async def overall(self, count: int) -> tuple[float, float]:
        return await self._take(ratelimit.OVERALL, count, self._burst, self._per_second)

    async def group(self, chat_id: int) -> tuple[float, float]:
        return await self._take(ratelimit.group(chat_id), 1, GROUP_CAPACITY, self._group_per_second)

    async def pause(self, seconds: float) -> None:
        try:
            async with self._db.unit_of_work() as session:
                await ratelimit.pause(session, name=ratelimit.OVERALL, seconds=seconds)
        except (SQLAlchemyError, OSError) as error:
            log.warning("broadcasts: the other instances were not told of a %.1f s pause: %s", seconds, error)

    async def _take(self, name: str, count: int, capacity: float, per_second: float) -> tuple[float, float]:
        try:
            async with self._db.unit_of_work() as session:
                grant = await ratelimit.take(
                    session, name=name, count=count, capacity=capacity, per_second=per_second
                )
        except (SQLAlchemyError, OSError) as error:
            raise Unavailable(f"the shared rate limit is out of reach: {error}") from error
        return grant.wait, grant.paused_for


class RateLimiter:
    """Keep broadcasts within the limits: overall per second, per private chat, per group per minute.

    With ``shared`` (a PostgreSQL database) the overall and per-group limits are the bot's, shared by every
    instance on that database; without, this process's. The per-chat limit is always the process's own: a
    person gets one message per broadcast, from whichever instance claimed them.
    :meth:`pause` (after a 429) holds every sender back until ``retry_after`` has passed, on every instance
    sharing the limits from its next take on.
    """

    def __init__(self, limits: Limits, *, shared: Database | None = None) -> None:
        self._burst = max(1, round(limits.per_second * BURST_SECONDS))
        self._budget: _Budget = (
            _LocalBudget(limits, self._burst)
            if shared is None
            else _SharedBudget(limits, self._burst, shared)
        )
        chat_burst = 1.0
        self._chats = _Keyed(chat_burst, chat_burst / limits.per_chat_per_second)
        self._resume_at = 0.0
        # One take of the overall limit at a time: the next one is made once the last one's messages may go.
        self._turn = asyncio.Lock()

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to ``chat_id`` may go now."""
        await self.chat(chat_id)
        await self.overall()

    async def overall(self, count: int = 1) -> None:
        """Wait until ``count`` messages may go now under the overall limit (and for the end of a pause)."""
        await self._paused()
        async with self._turn:
            for start in range(0, count, self._burst):
                await self._wait(await self._budget.overall(min(self._burst, count - start)))
        await self._paused()

    async def chat(self, chat_id: int) -> None:
        """Wait until the chat (a person's, or a group's) may get a message."""
        if chat_id > 0:
            await self._chats.acquire(chat_id)
        else:
            await self._wait(await self._budget.group(chat_id))
        await self._paused()

    async def pause(self, seconds: float) -> None:
        """Hold every sender back for ``seconds`` (Telegram's retry_after)."""
        self._hold(seconds)
        await self._budget.pause(seconds)

    @property
    def paused_for(self) -> float:
        """Return the seconds left of the pause (0 when not paused)."""
        return max(0.0, self._resume_at - time.monotonic())

    async def wait_out_pause(self) -> None:
        """Return once no pause (after a 429) holds the senders back."""
        await self._paused()

    def _hold(self, seconds: float) -> None:
        self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    async def _wait(self, answer: tuple[float, float]) -> None:
        wait, paused_for = answer
        if paused_for:
            self._hold(paused_for)
        if wait:
            await asyncio.sleep(wait)

    async def _paused(self) -> None:
        left = self.paused_for
        while left > 0:
            await asyncio.sleep(left)
            left = self.paused_for


def _retry_after(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# Delivery.


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one send."""

    kind: str  # sent | blocked | failed | retry | unknown | release
    error: str = ""


_SENT, _BLOCKED, _FAILED, _RETRY, _UNKNOWN, _RELEASE = (
    "sent",
    "blocked",
    "failed",
    "retry",
    "unknown",
    "release",
)


@dataclass
class _Broadcast:
    content: broadcasts.Content
    keyboards: dict[str, InlineKeyboardMarkup | None] = field(default_factory=dict)
    photo: asyncio.Lock = field(default_factory=asyncio.Lock)


class Deliverer:
    """Sends the outbox of every broadcast from this process, together with other processes doing the same."""

    def __init__(
        self,
        services: Services,
        *,
        token: str,
        api_url: str,
        limits: Limits,
        request: BaseRequest | None = None,
    ) -> None:
        self.services = services
        self.limits = limits
        self.worker = f"{services.worker_id}-broadcasts"[:64]
        self.bot = Bot(
            token,
            base_url=f"{api_url}/bot",
            base_file_url=f"{api_url}/file/bot",
            request=request or AiohttpRequest(connections=limits.senders),
        )
        # Only PostgreSQL runs several instances: there the limits live in the database, for all of them.
        shared = services.db.engine.dialect.name == "postgresql"
        self.limiter = RateLimiter(limits, shared=services.db if shared else None)
        self.task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        # Claimed rows wait in _queue; started ones, paced by the overall limit, in _ready.
        self._queue: asyncio.Queue[outbox.Claimed | None] = asyncio.Queue()
        self._ready: asyncio.Queue[outbox.Claimed | None] = asyncio.Queue()
        self._closing = False
        self._results: list[tuple[outbox.Claimed, Outcome]] = []
        self._flush_wanted = asyncio.Event()
        self._broadcasts: dict[int, _Broadcast] = {}
        self._last_recovery = 0.0
        self._last_progress = 0.0
        self._busy = 0
        self._idle = asyncio.Event()
        self._recover_now = False

    def wake(self) -> None:
        """Look for work now (a broadcast was just started)."""
        self._wake.set()

    async def until_idle(self) -> None:
        """Return once nothing is due, queued, in flight or unrecorded, and run-out leases are settled."""
        self._idle.clear()
        self._recover_now = True
        self.wake()
        await self._idle.wait()

    def start(self, application: App) -> None:
        """Run in the background until the application stops."""
        self.task = application.create_task(self.run(lambda: application.running), name="broadcast-delivery")

    async def run(self, running: Callable[[], bool]) -> None:
        """Deliver until ``running()`` turns false, then stop cleanly: nothing claimed is left behind."""
        while running():
            try:
                await self.bot.initialize()
                break
            except TelegramError as error:
                log.warning("broadcast delivery cannot reach the Bot API yet: %s", error)
                await asyncio.sleep(IDLE_SECONDS)
        else:
            return
        senders = [asyncio.create_task(self._sender()) for _ in range(self.limits.senders)]
        dispatcher = asyncio.create_task(self._dispatcher())
        recorder = asyncio.create_task(self._recorder())
        watcher = asyncio.create_task(self._watch(running))
        try:
            await self._claimer()
            self._give_back(self._queue)
            self._queue.put_nowait(None)
            await dispatcher
            for _ in senders:
                self._ready.put_nowait(None)
            await asyncio.gather(*senders)
            self._closing = True
            self._flush_wanted.set()
            await recorder
        finally:
            for task in (*senders, dispatcher, recorder, watcher):
                task.cancel()
            with contextlib.suppress(Exception):
                await self.bot.shutdown()

    async def _watch(self, running: Callable[[], bool]) -> None:
        # PTB's Application has no event for "stopping"; its flag is cheap to look at.
        while True:
            if not running():
                break
            await asyncio.sleep(WATCH_SECONDS)
        self._stopping = True
        self._wake.set()

    # Claiming.

    async def _claimer(self) -> None:
        batch, idle = self.limits.batch, True
        while not self._stopping:
            if self._queue.qsize() >= batch:
                await self._rest(FLUSH_SECONDS)
                continue
            try:
                since = time.monotonic() - self._last_recovery
                if self._recover_now or since > (IDLE_SECONDS if idle else RECOVER_SECONDS):
                    self._recover_now = False
                    await self._recover()
                claimed = await self._claim(batch)
                idle = not claimed
                await self._learn({row.broadcast_id for row in claimed})
            except Exception:
                log.exception("broadcast delivery: claiming failed; trying again")
                await self._rest(IDLE_SECONDS)
                continue
            if not claimed:
                if self._settled():
                    self._idle.set()
                await self._rest(IDLE_SECONDS)
                continue
            for row in claimed:
                self._queue.put_nowait(row)

    async def _rest(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _claim(self, batch: int) -> list[outbox.Claimed]:
        async with self.services.db.unit_of_work() as session:
            return await outbox.claim(session, worker=self.worker, now=self.services.clock.now(), limit=batch)

    async def _recover(self) -> None:
        self._last_recovery = time.monotonic()
        now = self.services.clock.now()
        async with self.services.db.unit_of_work() as session:
            expired = await outbox.expire_leases(session, now=now)
            open_ones = await broadcasts.unfinished(session)
            finished = await broadcasts.finish(session, broadcast_ids=sorted({*expired, *open_ones}), now=now)
        if expired:
            log.warning("broadcasts %s: sends in flight when a worker stopped are counted unknown", expired)
        if finished:
            self._flush_wanted.set()

    async def _learn(self, broadcast_ids: set[int]) -> None:
        missing = sorted(broadcast_ids - set(self._broadcasts))
        if not missing:
            return
        async with self.services.db.unit_of_work() as session:
            found = await broadcasts.contents(session, broadcast_ids=missing)
        for broadcast_id, content in found.items():
            self._broadcasts[broadcast_id] = _Broadcast(content)

    def _settled(self) -> bool:
        return (
            self._queue.empty()
            and self._ready.empty()
            and not self._busy
            and not self._results
            and not self._recover_now
        )

    def _give_back(self, queue: asyncio.Queue[outbox.Claimed | None]) -> None:
        while not queue.empty():
            row = queue.get_nowait()
            if row is not None:
                self._results.append((row, Outcome(_RELEASE)))

    # Starting: a few claimed rows at a time become "sending" (committed), then go out at the overall pace.

    async def _dispatcher(self) -> None:
        step = self.limits.step
        while True:
            first = await self._queue.get()
            if first is None:
                return
            rows = [first]
            while len(rows) < step and not self._queue.empty():
                row = self._queue.get_nowait()
                if row is None:
                    self._queue.put_nowait(None)
                    break
                rows.append(row)
            self._busy += 1
            try:
                await self._dispatch(rows)
            finally:
                self._busy -= 1

    async def _dispatch(self, rows: list[outbox.Claimed]) -> None:
        for row in rows:
            if row.blocked:
                self._results.append((row, Outcome(_BLOCKED)))
        wanted = [row for row in rows if not row.blocked]
        await self.limiter.wait_out_pause()
        try:
            async with self.services.db.unit_of_work() as session:
                started = set(await outbox.start(session, worker=self.worker, ids=[row.id for row in wanted]))
        except Exception:
            log.exception("broadcast delivery: starting failed; the rows go back")
            self._results.extend((row, Outcome(_RELEASE)) for row in wanted)
            return
        going = [row for row in wanted if row.id in started]  # else the lease ran out: another worker has it
        if self._stopping:
            self._results.extend((row, Outcome(_RELEASE)) for row in going)
            return
        try:
            await self.limiter.overall(len(going))
        except Unavailable as error:
            log.warning("broadcast delivery: %s; the rows go back", error)
            self._results.extend((row, Outcome(_RELEASE)) for row in going)
            await asyncio.sleep(IDLE_SECONDS)
            return
        for row in going:
            self._ready.put_nowait(row)

    # Sending.

    async def _sender(self) -> None:
        while True:
            row = await self._ready.get()
            if row is None:
                return
            self._busy += 1
            try:
                outcome = await self._deliver(row)
            except Exception as error:  # a bug or a missing photo file must not stop the sender
                log.exception("broadcast %s: sending to %s failed", row.broadcast_id, row.user_id)
                outcome = Outcome(_FAILED, repr(error))
            self._results.append((row, outcome))
            self._busy -= 1
            if len(self._results) >= self.limits.batch:
                self._flush_wanted.set()

    async def _deliver(self, row: outbox.Claimed) -> Outcome:
        if row.blocked:
            return Outcome(_BLOCKED)
        known = self._broadcasts.get(row.broadcast_id)
        if known is None:
            return Outcome(_RELEASE)
        for attempt in range(MAX_THROTTLED):
            try:
                if attempt:  # sending again after a 429 is another message under the overall limit
                    await self.limiter.overall()
                await self.limiter.chat(row.user_id)
            except Unavailable:
                return Outcome(_RELEASE)
            if self._stopping or self.services.clock.now() > row.claimed_until - LEASE_MARGIN:
                return Outcome(_RELEASE)
            try:
                await self._send(row, known)
            except RetryAfter as error:
                await self.limiter.pause(_retry_after(error))
                continue
            except Forbidden as error:
                return Outcome(_BLOCKED, error.message)
            except BadRequest as error:
                return Outcome(_FAILED, error.message)
            except (NotSent, AnswerLost) as error:
                return Outcome(_RETRY if isinstance(error, NotSent) else _UNKNOWN, error.message)
            except TimedOut as error:
                return Outcome(_UNKNOWN, error.message)
            except NetworkError as error:  # a 5xx answer: Telegram did not take the message
                return Outcome(_RETRY, error.message)
            except TelegramError as error:
                return Outcome(_FAILED, error.message)
            return Outcome(_SENT)
        return Outcome(_RELEASE)

    async def _send(self, row: outbox.Claimed, known: _Broadcast) -> Message:
        content = known.content
        keyboard = self._keyboard(known, row.locale)
        common: dict[str, Any] = {"parse_mode": ParseMode.HTML, "reply_markup": keyboard}
        if self.limits.paid:
            common["allow_paid_broadcast"] = True
        if content.photo_file_id is None and content.photo_path is None:
            return await self.bot.send_message(row.user_id, content.text, **common)
        async with known.photo if known.content.photo_file_id is None else contextlib.nullcontext():
            photo: str | bytes | None = known.content.photo_file_id
            if photo is None:
                assert content.photo_path is not None
                photo = await asyncio.to_thread((self.services.media_dir / content.photo_path).read_bytes)
            sent = await self.bot.send_photo(row.user_id, photo, caption=content.text, **common)
            if known.content.photo_file_id is None and sent.photo:
                await self._remember_photo(known, sent.photo[-1].file_id)
            return sent

    async def _remember_photo(self, known: _Broadcast, file_id: str) -> None:
        content = known.content
        known.content = broadcasts.Content(
            id=content.id,
            retailer_id=content.retailer_id,
            text=content.text,
            photo_file_id=file_id,
            photo_path=content.photo_path,
            product_id=content.product_id,
        )
        async with self.services.db.unit_of_work() as session:
            await broadcasts.remember_photo(session, broadcast_id=content.id, file_id=file_id)

    def _keyboard(self, known: _Broadcast, locale: str) -> InlineKeyboardMarkup | None:
        if locale not in known.keyboards:
            known.keyboards[locale] = broadcast_handlers.recipient_keyboard(
                self.services.translator, locale, known.content
            )
        return known.keyboards[locale]

    # Recording.

    async def _recorder(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flush_wanted.wait(), FLUSH_SECONDS)
            self._flush_wanted.clear()
            closing = self._closing
            try:
                finished = await self._flush()
                if finished or closing or time.monotonic() - self._last_progress > PROGRESS_SECONDS:
                    await self._progress()
            except Exception:
                log.exception("broadcast delivery: recording failed; trying again")
                await asyncio.sleep(IDLE_SECONDS)
                continue
            if closing and not self._results:
                return

    async def _flush(self) -> list[int]:
        results, self._results = self._results, []
        if not results:
            return []
        self._busy += 1
        try:
            finished = await self._record(results)
        except Exception:
            self._results = results + self._results
            raise
        finally:
            self._busy -= 1
        for broadcast_id in finished:
            self._broadcasts.pop(broadcast_id, None)
        return finished

    async def _record(self, results: list[tuple[outbox.Claimed, Outcome]]) -> list[int]:
        by_kind: dict[str, list[tuple[outbox.Claimed, Outcome]]] = defaultdict(list)
        for row, outcome in results:
            by_kind[outcome.kind].append((row, outcome))
        now, worker = self.services.clock.now(), self.worker
        touched = sorted({row.broadcast_id for row, _ in results})
        async with self.services.db.unit_of_work() as session:
            await outbox.mark_sent(session, worker=worker, ids=[row.id for row, _ in by_kind[_SENT]], now=now)
            await outbox.release(session, worker=worker, ids=[row.id for row, _ in by_kind[_RELEASE]])
            await self._mark_blocked(session, by_kind[_BLOCKED], now)
            for error, ids in _by_error(by_kind[_FAILED]).items():
                await outbox.mark_failed(session, worker=worker, ids=ids, error=error)
            for error, ids in _by_error(by_kind[_UNKNOWN]).items():
                await outbox.mark_unknown(session, worker=worker, ids=ids, error=error)
            for error, rows in _by_error(by_kind[_RETRY], attempts=True).items():
                await outbox.retry(session, worker=worker, rows=rows, error=error, now=now)
            finished = await broadcasts.finish(session, broadcast_ids=touched, now=now)
        return finished

    async def _mark_blocked(
        self, session: Session, rows: list[tuple[outbox.Claimed, Outcome]], now: datetime
    ) -> None:
        ids = [row.id for row, _ in rows]
        if not ids:
            return
        await outbox.mark_blocked(session, worker=self.worker, ids=ids)
        pairs = [
            (row.user_id, known.content.retailer_id)
            for row, _ in rows
            if (known := self._broadcasts.get(row.broadcast_id)) is not None
        ]
        await broadcasts.blocked(session, pairs=pairs, now=now)

    # The retailer's progress message.

    async def _progress(self) -> None:
        self._last_progress = time.monotonic()
        async with self.services.db.unit_of_work() as session:
            due = await broadcasts.due_progress(
                session, now=self.services.clock.now(), min_interval=PROGRESS_INTERVAL
            )
            for progress in due:
                if progress.final:
                    self._broadcasts.pop(progress.broadcast_id, None)
            stats = await broadcasts.stats(session, broadcast_ids=[p.broadcast_id for p in due if p.final])
        for progress in due:
            await self._show(progress, stats.get(progress.broadcast_id))

    async def _show(self, progress: broadcasts.Progress, stats: broadcasts.Stats | None) -> None:
        text = broadcast_handlers.progress_text(
            self.services.translator, progress, stats=stats, per_second=self.limits.per_second
        )
        try:
            await self.limiter.acquire(progress.chat_id)
        except Unavailable as error:
            log.warning("broadcast %s: progress not shown: %s", progress.broadcast_id, error)
            await self._missed(progress)
            return
        try:
            if progress.message_id is None:
                sent = await self.bot.send_message(progress.chat_id, text, parse_mode=ParseMode.HTML)
                async with self.services.db.unit_of_work() as session:
                    await broadcasts.attach_progress(
                        session,
                        broadcast_id=progress.broadcast_id,
                        chat_id=progress.chat_id,
                        message_id=sent.message_id,
                    )
            else:
                await self.bot.edit_message_text(
                    text, chat_id=progress.chat_id, message_id=progress.message_id, parse_mode=ParseMode.HTML
                )
        except BadRequest as error:
            if "not modified" not in error.message:
                log.warning("broadcast %s: progress not shown: %s", progress.broadcast_id, error)
        except TelegramError as error:
            log.warning("broadcast %s: progress not shown: %s", progress.broadcast_id, error)
            if isinstance(error, RetryAfter):
                await self.limiter.pause(_retry_after(error))
            if isinstance(error, RetryAfter | NetworkError):
                await self._missed(progress)

    async def _missed(self, progress: broadcasts.Progress) -> None:
        # The final stats must arrive: after a 429, a 5xx or no word from the rate limit, they are shown again
        # on the next round.
        if progress.final:
            async with self.services.db.unit_of_work() as session:
                await broadcasts.progress_missed(session, broadcast_id=progress.broadcast_id)


def _by_error(rows: list[tuple[outbox.Claimed, Outcome]], *, attempts: bool = False) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row, outcome in rows:
        grouped[outcome.error or outcome.kind].append((row.id, row.attempts) if attempts else row.id)
    return grouped


async def start_scheduled(
    session: Session, services: Services, bot: Bot, task: tasks.Task
) -> datetime | None:
    """Start a scheduled broadcast: fill its outbox (the deliverers pick it up)."""
    await broadcasts.begin(
        session,
        broadcast_id=int(task.key),
        now=services.clock.now(),
        locales=services.translator.locales,
        default_locale=services.translator.default_locale,
    )
    return None
