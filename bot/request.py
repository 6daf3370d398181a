"""The main bot's Bot API requests: repeated with exponential backoff and jitter when the network fails.

A call is repeated when no answer came (a timeout, a refused or dropped connection) or the answer was a
5xx. 429 is left to the rate limiter, which waits ``retry_after``; every other 4xx is final.

Telegram gives no idempotency keys, so a repeat can meet its own first attempt when that one was carried
out after all and only its answer was lost. For answers to queries and for edits the repeat tells: "query is
too old" and "message is not modified" (or "message to delete not found") after such a loss mean the first
attempt took effect, and are taken as success. A repeated send cannot tell and would show twice; that needs
Telegram to act and the answer to be lost on the way back, and the sandbox never carries out a call whose
answer it withholds (docs/sandbox.md, "Time and faults"). An invoice shown twice is still paid once: both
carry the same checkout, and its pre-checkout refuses a second payment.

``getUpdates`` is not repeated here: python-telegram-bot's updater repeats it with a backoff of its own,
and an unconfirmed update is simply fetched again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

TIMEOUT = 5.0
# What a repeat answers when its lost first attempt took effect, by method.
TOOK_EFFECT = {
    "answercallbackquery": "query is too old",
    "answerinlinequery": "query is too old",
    "answershippingquery": "query is too old",
    "answerprecheckoutquery": "query is too old",
    "editmessagetext": "message is not modified",
    "editmessagecaption": "message is not modified",
    "editmessagereplymarkup": "message is not modified",
    "deletemessage": "message to delete not found",
}
DONE = b'{"ok": true, "result": true}'
# Failures that happen before the request leaves: such an attempt was surely not carried out.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Backoff:
    """How often to try a call and how long to wait between tries: doubling from ``first`` up to ``cap``."""

    attempts: int = 5
    first: float = 0.25
    cap: float = 4.0

    def delay(self, retry: int, jitter: float) -> float:
        """Return the wait before retry ``retry`` (from 1); ``jitter`` in [0, 1) keeps 50-100 % of it."""
        return min(self.cap, self.first * 2.0 ** (retry - 1)) * (0.5 + jitter / 2)


class RetryingRequest(HTTPXRequest):
    """PTB's HTTPX request that repeats a call after a timeout, a lost connection or a 5xx answer."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT,
        backoff: Backoff | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        **options: Any,
    ) -> None:
        super().__init__(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, **options)
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        self._jitter = jitter

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request, repeating it while it fails for reasons a repeat can cure."""
        name = url.rsplit("/", 1)[-1]  # the method; the URL itself holds the token and is never logged
        attempts = self.backoff.attempts
        maybe_done = False  # an earlier attempt may have been carried out although its answer was lost
        attempt = 1
        while True:
            try:
                status, payload = await super().do_request(
                    url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
                )
            except NetworkError as error:  # TimedOut included: no answer came
                if attempt == attempts:
                    raise
                reason = _reason(error)
                maybe_done = maybe_done or not isinstance(error.__cause__, _NOT_SENT)
            else:
                if status < 500 or attempt == attempts:
                    if maybe_done and status == 400 and _took_effect(name, payload):
                        log.info("Bot API %s: the earlier attempt took effect", name)
                        return 200, DONE
                    return status, payload
                reason = f"HTTP {status}"
                maybe_done = True
            delay = self.backoff.delay(attempt, self._jitter())
            log.warning(
                "Bot API %s failed (%s), attempt %d of %d; retrying in %.2f s",
                name,
                reason,
                attempt,
                attempts,
                delay,
            )
            await self._sleep(delay)
            attempt += 1


def _reason(error: NetworkError) -> str:
    cause = error.__cause__
    return "timeout" if isinstance(cause, httpx.TimeoutException) else type(cause or error).__name__


def _took_effect(name: str, payload: bytes) -> bool:
    expected = TOOK_EFFECT.get(name.lower())
    if expected is None:
        return False
    try:
        description = json.loads(payload).get("description", "")
    except (ValueError, AttributeError):
        return False
    return isinstance(description, str) and expected in description.lower()
