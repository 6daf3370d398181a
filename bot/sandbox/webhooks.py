"""Webhook delivery: each update is POSTed to the bot's webhook until it is answered with 2xx.

Standing in for a load balancer in front of several bot instances, the client API may name several target
URLs (``PUT /sandbox/api/webhook/targets``): each attempt then goes to the next target in turn, so a retry
after a failure or a timeout reaches another instance, as a load balancer would send it. Every attempt is
logged (``GET /webhook/deliveries``); ``GET /webhook/wait`` waits until no update waits for delivery.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from .errors import ClientError
from .state import JSON, Changes

DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 300.0
DEFAULT_WAIT = 10.0
# What Telegram's getWebhookInfo shows when the webhook did not answer in time.
TIMEOUT_ERROR = "Read timeout expired"
_URL = re.compile(r"^https?://[^/\s]+")


@dataclass
class Webhook:
    """The webhook the bot set, with the last delivery error."""

    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to deliver an update: where to, and the HTTP status or the error."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    at: int

    def to_json(self) -> JSON:
        """Return the attempt as ``GET /webhook/deliveries`` shows it."""
        data: JSON = {
            "update_id": self.update_id,
            "url": self.url,
            "status": self.status,
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
        }
        if self.error is not None:
            data["error"] = self.error
        return data


class WebhookDelivery:
    """Where each update goes (the webhook, or the next target), how long an answer may take, and the log."""

    def __init__(self, changes: Changes, timestamp: Callable[[], int], pending: Callable[[], int]) -> None:
        self._changes = changes
        self._timestamp = timestamp
        self._pending = pending
        self.targets: list[str] = []
        self.timeout = DEFAULT_TIMEOUT
        self.log: list[Delivery] = []
        self._turn = 0

    def settings(self) -> JSON:
        """Return the targets and the timeout in force."""
        return {"urls": list(self.targets), "timeout": self.timeout}

    def configure(self, body: object) -> None:
        """Take the targets and timeout of a ``PUT /webhook/targets`` body; ValueError when invalid."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        unknown = sorted(set(body) - {"urls", "timeout"})
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        urls = body.get("urls")
        if not isinstance(urls, list) or not all(isinstance(url, str) and _URL.match(url) for url in urls):
            raise ValueError("urls must be a list of http or https URLs")
        timeout = body.get("timeout", DEFAULT_TIMEOUT)
        if not _seconds(timeout) or timeout == 0:
            raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
        self.targets = list(urls)
        self.timeout = float(timeout)
        self._turn = 0

    async def post(self, session: aiohttp.ClientSession, webhook: Webhook, update: JSON) -> str | None:
        """POST the update to the webhook or the next target; return None on 2xx, else the error."""
        url = webhook.url
        if self.targets:
            url = self.targets[self._turn % len(self.targets)]
            self._turn += 1
        headers = {"X-Telegram-Bot-Api-Secret-Token": webhook.secret_token} if webhook.secret_token else {}
        status: int | None = None
        try:
            async with session.post(
                url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                status, reason = response.status, response.reason
            error = None if 200 <= status < 300 else f"Wrong response from the webhook: {status} {reason}"
        except TimeoutError:
            error = TIMEOUT_ERROR
        except (aiohttp.ClientError, OSError) as exc:
            error = f"Connection failed: {exc}"
        self.log.append(Delivery(int(update["update_id"]), url, status, error, self._timestamp()))
        self._changes.notify()
        return error

    def add_routes(self, app: web.Application) -> None:
        """Add the client API routes of the webhook delivery."""
        app.router.add_get("/webhook/targets", self._get_targets)
        app.router.add_put("/webhook/targets", self._put_targets)
        app.router.add_get("/webhook/deliveries", self._deliveries)
        app.router.add_get("/webhook/wait", self._wait)

    async def _get_targets(self, request: web.Request) -> web.Response:
        return web.json_response(self.settings())

    async def _put_targets(self, request: web.Request) -> web.Response:
        try:
            self.configure(await request.json())
        except ValueError as exc:
            raise ClientError(400, str(exc)) from None
        self._changes.notify()
        return web.json_response(self.settings())

    async def _deliveries(self, request: web.Request) -> web.Response:
        raw = request.query.get("update_id")
        if raw is not None and not raw.lstrip("-").isdigit():
            raise ClientError(400, "query parameter update_id must be an integer")
        found = [item.to_json() for item in self.log if raw is None or item.update_id == int(raw)]
        return web.json_response(found)

    async def _wait(self, request: web.Request) -> web.Response:
        raw = request.query.get("timeout", str(DEFAULT_WAIT))
        try:
            seconds = float(raw)
        except ValueError:
            seconds = math.nan
        if not _seconds(seconds):
            raise ClientError(400, f"timeout must be 0-{MAX_TIMEOUT:g} seconds")
        await self._changes.wait_for(lambda: self._pending() == 0, seconds)
        return web.json_response({"pending_update_count": self._pending()})


def _seconds(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_TIMEOUT
    )
