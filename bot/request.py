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

Calls go over aiohttp (:class:`AiohttpRequest`, one pool of keep-alive connections), which broadcasts use
too; python-telegram-bot's default httpx transport cost the bot about 2 ms of CPU more per call.

``getUpdates`` (long polling) goes over aiohttp too, in a request object of its own, and is not repeated
here: python-telegram-bot's updater repeats it with a backoff of its own, and an unconfirmed update is
simply fetched again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

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
CONNECTIONS = 256


@dataclass(frozen=True)
class Backoff:
    """How often to try a call and how long to wait between tries: doubling from ``first`` up to ``cap``."""

    attempts: int = 5
    first: float = 0.25
    cap: float = 4.0

    def delay(self, retry: int, jitter: float) -> float:
        """Return the wait before retry ``retry`` (from 1); ``jitter`` in [0, 1) keeps 50-100 % of it."""
        return min(self.cap, self.first * 2.0 ** (retry - 1)) * (0.5 + jitter / 2)


class NotSent(NetworkError):
    """The request never reached the Bot API server (no connection): safe to send again."""


class AnswerLost(TimedOut):
    """The request went out but no answer came back: the message may have arrived."""


class AiohttpRequest(BaseRequest):
    """PTB's network layer over aiohttp: a pool of keep-alive connections shared by all senders."""

    def __init__(self, *, connections: int = CONNECTIONS, read_timeout: float = 20.0) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Return the default seconds to wait for an answer."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the connection pool."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=self._read_timeout),
            )

    async def shutdown(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        """Send one Bot API request and return its status and body."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialised")
        # getUpdates waits up to its long-polling timeout plus the usual read timeout, which PTB passes here.
        options: dict[str, Any] = {}
        if isinstance(read_timeout, int | float):
            options["timeout"] = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=read_timeout)
        if request_data is not None and request_data.multipart_data:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            options["data"] = form
        elif request_data is not None:
            # One JSON body, as the Bot API accepts: cheaper to write and to read than a form whose values
            # are each JSON text, URL-quoted.
            options["json"] = request_data.parameters
        try:
            async with self._session.request(method, url, **options) as response:
                return response.status, await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            raise NotSent(f"no connection to the Bot API: {error}") from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise AnswerLost(f"no answer from the Bot API: {error!r}") from error


class RetryingRequest(BaseRequest):
    """A request that repeats a call after a timeout, a lost connection or a 5xx answer of its ``inner`` one.

    The main bot wraps an :class:`AiohttpRequest` (python-telegram-bot's default httpx transport costs the
    bot about 2 ms of CPU per call more: bench/README.md).
    """

    def __init__(
        self,
        inner: BaseRequest,
        *,
        backoff: Backoff | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.inner = inner
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        self._jitter = jitter

    @property
    def read_timeout(self) -> float | None:
        """Return the inner request's seconds to wait for an answer."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Set up the inner request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Tear down the inner request."""
        await self.inner.shutdown()

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
                status, payload = await self.inner.do_request(
                    url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
                )
            except NetworkError as error:  # TimedOut included: no answer came
                if attempt == attempts:
                    raise
                reason = _reason(error)
                maybe_done = maybe_done or not _not_sent(error)
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


def _not_sent(error: NetworkError) -> bool:
    return isinstance(error, NotSent) or isinstance(error.__cause__, _NOT_SENT)


def _reason(error: NetworkError) -> str:
    cause = error.__cause__
    timeout = isinstance(cause, httpx.TimeoutException | TimeoutError | aiohttp.ServerTimeoutError)
    return "timeout" if timeout else type(cause or error).__name__


def _took_effect(name: str, payload: bytes) -> bool:
    expected = TOOK_EFFECT.get(name.lower())
    if expected is None:
        return False
    try:
        description = json.loads(payload).get("description", "")
    except (ValueError, AttributeError):
        return False
    return isinstance(description, str) and expected in description.lower()
