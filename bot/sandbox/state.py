"""The records the sandbox keeps: users, chats, messages, polls, invoices, payments, queries, files, calls.

Everything lives in memory; a restart of the process starts an empty sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]

ACTIVE = frozenset({"creator", "administrator", "member"})


class Changes:
    """Wake everyone who waits for the sandbox to change; notified on every change."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.closed = False

    def notify(self) -> None:
        """Wake all current waiters so they check their condition again."""
        self._event.set()
        self._event = asyncio.Event()

    def close(self) -> None:
        """Release every waiter for good, so the server can shut down without waiting for timeouts."""
        self.closed = True
        self.notify()

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until ``predicate()`` holds (True), or ``seconds`` pass or the sandbox closes (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closed:
                return False
            event = self._event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return True


@dataclass
class User:
    """A Telegram user: one played through the client API, or the bot itself."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> JSON:
        """Return the Telegram User object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def to_client(self) -> JSON:
        """Return the user as the client API shows it."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "username": self.username,
            "language_code": self.language_code,
        }


@dataclass
class Invoice:
    """The invoice of a message sent with sendInvoice."""

    title: str
    description: str
    payload: str
    currency: str
    prices: list[JSON]
    provider_token: str
    start_parameter: str
    max_tip_amount: int
    is_flexible: bool
    need_name: bool
    need_phone_number: bool
    need_email: bool
    need_shipping_address: bool
    # Users who paid it, or are paying it right now.
    paid_by: set[int] = field(default_factory=set)

    @property
    def total_amount(self) -> int:
        """Return the sum of the invoice's prices in the currency's smallest unit."""
        return sum(price["amount"] for price in self.prices)

    def to_json(self) -> JSON:
        """Return the Telegram Invoice object."""
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter,
            "currency": self.currency,
            "total_amount": self.total_amount,
        }

    def details(self) -> JSON:
        """Return what a payment form shows beyond the Invoice object: line items, shipping, who paid."""
        return {
            "prices": [dict(price) for price in self.prices],
            "is_flexible": self.is_flexible,
            "need_shipping_address": self.need_shipping_address,
            "max_tip_amount": self.max_tip_amount,
            "paid_by": sorted(self.paid_by),
        }


@dataclass
class Message:
    """A message in a chat, as it stands now; ``content`` holds its Telegram content fields."""

    chat_id: int
    message_id: int
    from_id: int
    date: int
    content: JSON
    reply_markup: JSON | None = None
    reply_keyboard: JSON | None = None
    reply_to: int | None = None
    via_bot: bool = False
    edit_date: int | None = None
    deleted: bool = False
    pinned: bool = False
    version: int = 0
    inline_message_id: str | None = None
    poll_id: str | None = None
    invoice: Invoice | None = None


@dataclass
class Chat:
    """A private chat, group or supergroup, with its members' statuses and its messages."""

    id: int
    type: str
    title: str | None
    statuses: dict[int, str]
    bot_status: str
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def member_ids(self) -> list[int]:
        """Return the ids of the users (not the bot) who are members now."""
        return [user_id for user_id, status in self.statuses.items() if status in ACTIVE]

    def to_client(self) -> JSON:
        """Return the chat as the client API shows it."""
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "member_ids": self.member_ids,
            "bot_status": self.bot_status,
        }


@dataclass
class Poll:
    """A poll the bot sent, with every user's current answer."""

    id: str
    chat_id: int
    message_id: int
    question: str
    question_entities: list[JSON]
    options: list[JSON]
    is_anonymous: bool
    type: str
    allows_multiple_answers: bool
    allows_revoting: bool
    members_only: bool
    correct_option_ids: list[int]
    is_closed: bool = False
    votes: dict[int, list[int]] = field(default_factory=dict)

    def to_json(self) -> JSON:
        """Return the Telegram Poll object with the current counts."""
        counts = [0] * len(self.options)
        for option_ids in self.votes.values():
            for index in option_ids:
                counts[index] += 1
        data: JSON = {
            "id": self.id,
            "question": self.question,
            "options": [
                {**option, "voter_count": count, "persistent_id": str(index)}
                for index, (option, count) in enumerate(zip(self.options, counts, strict=True))
            ],
            "total_voter_count": sum(1 for option_ids in self.votes.values() if option_ids),
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": self.type,
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": self.allows_revoting,
            "members_only": self.members_only,
        }
        if self.question_entities:
            data["question_entities"] = self.question_entities
        if self.type == "quiz":
            data["correct_option_ids"] = self.correct_option_ids
        return data


@dataclass
class Payment:
    """A successful payment: its charge ids and whether it was refunded."""

    telegram_payment_charge_id: str
    provider_payment_charge_id: str
    user_id: int
    chat_id: int
    message_id: int
    currency: str
    total_amount: int
    invoice_payload: str
    refunded: bool = False

    def to_json(self) -> JSON:
        """Return the payment as the client API shows it."""
        return {
            "telegram_payment_charge_id": self.telegram_payment_charge_id,
            "provider_payment_charge_id": self.provider_payment_charge_id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "currency": self.currency,
            "total_amount": self.total_amount,
            "invoice_payload": self.invoice_payload,
            "refunded": self.refunded,
        }


@dataclass
class Query:
    """A query the bot is asked to answer: callback, inline, shipping or pre-checkout."""

    id: str
    kind: str
    from_id: int
    answer: JSON | None = None
    open: bool = True


@dataclass
class InlineQuery(Query):
    """An inline query, with the messages its answered results would post."""

    chat_id: int = 0
    query: str = ""
    contents: dict[str, tuple[JSON, JSON | None]] = field(default_factory=dict)


@dataclass
class StoredFile:
    """A file sent by the bot or a user; ``data`` is None for photos given by URL (never downloaded)."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None
    url: str | None = None
    width: int = 0
    height: int = 0
    file_name: str | None = None
    mime_type: str | None = None

    def _identity(self) -> JSON:
        data: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            data["file_size"] = len(self.data)
        return data

    def to_json(self) -> JSON:
        """Return the Telegram File object."""
        return self._identity() | {"file_path": self.file_path}

    def photo_size(self) -> JSON:
        """Return the Telegram PhotoSize object."""
        return self._identity() | {"width": self.width, "height": self.height}

    def document(self) -> JSON:
        """Return the Telegram Document object."""
        data = self._identity()
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


@dataclass
class Call:
    """One Bot API call the bot made, with the HTTP status it was answered with (None: no answer).

    ``fault`` is the injected failure (an ``error_codes`` entry) when the call was not carried out.
    """

    method: str
    params: JSON
    status: int | None
    at: datetime
    description: str | None = None
    fault: int | str | None = None

    def to_json(self) -> JSON:
        """Return the call as ``GET /calls`` shows it."""
        data: JSON = {
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "at": self.at.isoformat(),
        }
        if self.description is not None:
            data["description"] = self.description
        if self.fault is not None:
            data["fault"] = self.fault
        return data
