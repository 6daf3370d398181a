"""The bot's update queue: fetched by long polling, or pushed to a webhook until it takes them."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import aiohttp

from .errors import ApiError
from .state import JSON, Changes
from .webhooks import Webhook, WebhookDelivery

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
WEBHOOK_FIRST_RETRY = 0.1
WEBHOOK_MAX_RETRY = 2.0
_IDLE = 3600.0
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


@dataclass
class _Pending:
    update_id: int
    # A redelivered update is kept until it is handed out, even though the bot's offset is already past it.
    protected: bool = False


class UpdateQueue:
    """Hold the updates for the bot and hand them out once each, as Telegram does."""

    def __init__(self, changes: Changes, timestamp: Callable[[], int]) -> None:
        self._changes = changes
        self._timestamp = timestamp
        self.updates: dict[int, JSON] = {}
        self._pending: list[_Pending] = []
        self.allowed_updates: list[str] = []
        self.webhook: Webhook | None = None
        self.delivery = WebhookDelivery(changes, timestamp, lambda: self.pending_count)
        # Like Telegram after a quiet week, a new sandbox starts its update ids at a random point, so a bot
        # that remembers the ids it handled before a restart does not mistake new updates for old ones.
        self._next_id = secrets.randbelow(2**30) + 1
        self._poll_generation = 0
        self.polling = 0
        self._task: asyncio.Task[None] | None = None

    def allows(self, kind: str) -> bool:
        """Tell whether the bot's allowed_updates let this kind of update through."""
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED

    def push(self, kind: str, payload: JSON) -> int | None:
        """Queue a new update and return its update_id, or None when allowed_updates exclude it."""
        if not self.allows(kind):
            return None
        update_id = self._next_id
        self._next_id += 1
        self.updates[update_id] = {"update_id": update_id, kind: payload}
        self._pending.append(_Pending(update_id))
        self._changes.notify()
        return update_id

    def redeliver(self, update_id: int) -> bool:
        """Queue an earlier update once more, with the same update_id; False when there is none."""
        if update_id not in self.updates:
            return False
        self._pending.append(_Pending(update_id, protected=True))
        self._changes.notify()
        return True

    @property
    def pending_count(self) -> int:
        """Return how many updates wait for delivery."""
        return len(self._pending)

    def drop_pending(self) -> None:
        """Forget all updates that were not delivered yet."""
        self._pending.clear()
        self._changes.notify()

    async def get_updates(
        self, *, offset: int, limit: int, seconds: float, allowed_updates: list[str] | None
    ) -> list[JSON]:
        """Confirm the updates before ``offset``, then wait up to ``seconds`` for new ones."""
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates)
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._changes.notify()
        self.polling += 1
        try:
            await self._changes.wait_for(
                lambda: (
                    bool(self._pending) or generation != self._poll_generation or self.webhook is not None
                ),
                seconds,
            )
        finally:
            self.polling -= 1
        if generation != self._poll_generation:
            raise ApiError(409, OTHER_POLLER)
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        batch = sorted(self._pending, key=lambda pending: pending.update_id)[:limit]
        for pending in batch:
            pending.protected = False
        return [self.updates[pending.update_id] for pending in batch]

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            ordered = sorted(self._pending, key=lambda pending: pending.update_id)
            self._pending = ordered[offset:]
        elif offset > 0:
            self._pending = [p for p in self._pending if p.update_id >= offset or p.protected]

    def set_webhook(
        self, url: str, *, secret_token: str | None, max_connections: int, allowed_updates: list[str] | None
    ) -> None:
        """Set (or with an empty url remove) the webhook and start pushing updates to it."""
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates)
        self.webhook = Webhook(url, secret_token, max_connections) if url else None
        self._changes.notify()
        if self.webhook is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._deliver())

    def webhook_info(self) -> JSON:
        """Return the Telegram WebhookInfo object."""
        info: JSON = {"url": "", "has_custom_certificate": False, "pending_update_count": self.pending_count}
        webhook = self.webhook
        if webhook is None:
            return info
        info.update(url=webhook.url, max_connections=webhook.max_connections)
        if self.allowed_updates:
            info["allowed_updates"] = self.allowed_updates
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
        return info

    async def close(self) -> None:
        """Stop pushing to the webhook."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _deliver(self) -> None:
        retry = WEBHOOK_FIRST_RETRY
        async with aiohttp.ClientSession() as session:
            while not self._changes.closed:
                await self._changes.wait_for(lambda: self.webhook is not None and bool(self._pending), _IDLE)
                webhook = self.webhook
                if webhook is None or not self._pending:
                    continue
                pending = self._pending[0]
                error = await self.delivery.post(session, webhook, self.updates[pending.update_id])
                if error is None:
                    self._pending = [other for other in self._pending if other is not pending]
                    retry = WEBHOOK_FIRST_RETRY
                    self._changes.notify()
                    continue
                webhook.last_error_date = self._timestamp()
                webhook.last_error_message = error
                await self._changes.wait_for(partial(self._replaced, webhook), retry)
                retry = min(retry * 2, WEBHOOK_MAX_RETRY)

    def _replaced(self, webhook: Webhook) -> bool:
        return self.webhook is not webhook
