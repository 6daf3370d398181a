"""Rate limits and injected faults on the Bot API side, switched by ``PUT /sandbox/api/faults``.

Rate limits are token buckets measured in real (monotonic) time, since a bot that obeys ``retry_after``
waits real seconds: ``global_per_second`` messages overall, ``per_chat_per_second`` per private chat with
a burst of ``per_chat_burst``, and ``group_per_minute`` per group or supergroup.

Injected failures are drawn from ``error_codes``: an HTTP error status is answered as Telegram would answer
it; ``"timeout"`` holds the connection for ``hang_ms`` and then closes it without an answer, ``"drop"``
closes it at once. Every injected failure happens before the call is carried out, as when a proxy or the
network fails before Telegram got the request, so a client may always retry it.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from http import HTTPStatus
from typing import Any

from .errors import ApiError

_PHRASES = {400: "Bad Request: injected fault", 403: "Forbidden: injected fault"}
TIMEOUT = "timeout"
DROP = "drop"
NO_ANSWER = (TIMEOUT, DROP)
MAX_MS = 60_000


@dataclass
class FaultSettings:
    """The fault and rate limit settings in force; all off by default."""

    rate_limits: bool = False
    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: float = 20.0
    error_rate: float = 0.0
    error_codes: list[int | str] = field(default_factory=lambda: [500])
    delay_ms: int = 0
    hang_ms: int = 10_000
    blocked_user_ids: list[int] = field(default_factory=list)
    missing_methods: list[str] = field(default_factory=list)
    seed: int = 0

    @classmethod
    def from_json(cls, body: Any) -> FaultSettings:
        """Build settings from a ``PUT /faults`` body; omitted fields take their defaults."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(body) - known)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        settings = cls(**body)
        settings.check()
        return settings

    def check(self) -> None:
        """Raise ValueError when a value is out of range or of the wrong type."""
        if not isinstance(self.rate_limits, bool):
            raise ValueError("rate_limits must be a boolean")
        for name in ("global_per_second", "per_chat_per_second", "group_per_minute"):
            value = getattr(self, name)
            if not _number(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number")
        if not _integer(self.per_chat_burst) or self.per_chat_burst < 1:
            raise ValueError("per_chat_burst must be a positive integer")
        if not _number(self.error_rate) or not 0 <= self.error_rate <= 1:
            raise ValueError("error_rate must be a number from 0 to 1")
        if (
            not isinstance(self.error_codes, list)
            or not self.error_codes
            or not all(_fault_kind(code) for code in self.error_codes)
        ):
            raise ValueError(
                'error_codes must be a non-empty list of HTTP error statuses (400-599), "timeout" or "drop"'
            )
        for name in ("delay_ms", "hang_ms"):
            value = getattr(self, name)
            if not _integer(value) or not 0 <= value <= MAX_MS:
                raise ValueError(f"{name} must be an integer from 0 to {MAX_MS}")
        if not isinstance(self.blocked_user_ids, list) or not all(_integer(i) for i in self.blocked_user_ids):
            raise ValueError("blocked_user_ids must be a list of user ids")
        if not isinstance(self.missing_methods, list) or not all(
            isinstance(m, str) for m in self.missing_methods
        ):
            raise ValueError("missing_methods must be a list of Bot API method names")
        if not _integer(self.seed):
            raise ValueError("seed must be an integer")

    def to_json(self) -> dict[str, Any]:
        """Return the settings as the client API shows them."""
        return asdict(self)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fault_kind(value: Any) -> bool:
    return value in NO_ANSWER if isinstance(value, str) else _integer(value) and 400 <= value <= 599


@dataclass(frozen=True)
class Fault:
    """An injected failure: an error answer, or (``error`` None) no answer at all after ``hold`` seconds."""

    kind: int | str
    error: ApiError | None = None
    hold: float = 0.0


class _Bucket:
    def __init__(self, capacity: float, per_second: float, now: float) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second


class Faults:
    """Decide, per Bot API call, whether to delay it, fail it, or answer 429."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.settings = FaultSettings()
        self._random = random.Random(0)
        self._buckets: dict[tuple[str, int], _Bucket] = {}

    def configure(self, settings: FaultSettings) -> None:
        """Put new settings in force, resetting the random source and the rate counters."""
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._buckets.clear()

    @property
    def delay(self) -> float:
        """Return the seconds to wait before answering a call."""
        return self.settings.delay_ms / 1000

    def injected(self) -> Fault | None:
        """Return the failure to answer instead of carrying out a call, drawn with the seeded error_rate."""
        if self.settings.error_rate <= 0 or self._random.random() >= self.settings.error_rate:
            return None
        kind = self._random.choice(self.settings.error_codes)
        if isinstance(kind, str):  # "timeout" or "drop": no answer
            return Fault(kind, hold=self.settings.hang_ms / 1000 if kind == TIMEOUT else 0.0)
        if kind == HTTPStatus.TOO_MANY_REQUESTS:
            return Fault(kind, ApiError(kind, "Too Many Requests: retry after 1", retry_after=1))
        return Fault(kind, ApiError(kind, _PHRASES.get(kind) or HTTPStatus(kind).phrase))

    def is_missing(self, method: str) -> bool:
        """Tell whether the method is switched off, as on a Bot API server that lacks it (404)."""
        return method.lower() in {name.lower() for name in self.settings.missing_methods}

    def is_blocked(self, user_id: int) -> bool:
        """Tell whether the user blocked the bot."""
        return user_id in self.settings.blocked_user_ids

    def take(self, chat_id: int, *, private: bool) -> None:
        """Count one message to the chat, or raise 429 with retry_after when a limit is exceeded."""
        if not self.settings.rate_limits:
            return
        now = self._monotonic()
        settings = self.settings
        buckets = [self._bucket(("global", 0), settings.global_per_second, settings.global_per_second, now)]
        if private:
            buckets.append(
                self._bucket(("chat", chat_id), settings.per_chat_burst, settings.per_chat_per_second, now)
            )
        else:
            buckets.append(
                self._bucket(
                    ("group", chat_id), settings.group_per_minute, settings.group_per_minute / 60, now
                )
            )
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        for bucket in buckets:
            bucket.tokens -= 1

    def _bucket(self, key: tuple[str, int], capacity: float, per_second: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, per_second, now)
        return bucket
