"""An async Python client for the sandbox's client API, one method per route, returning the parsed JSON.

async with SandboxClient("http://127.0.0.1:8080") as sb:
    alice = await sb.create_user("Alice", language_code="de")
    await sb.create_chat("private", [alice["id"]])
    sent = await sb.send(alice["id"], alice["id"], "/start")
    replies = await sb.wait(alice["id"], after=sent["message_id"], count=1)
"""

# ruff: noqa: ASYNC109 -- ``timeout`` is the server-side wait, sent as the routes' ``timeout`` parameter.
from __future__ import annotations

import base64
from types import TracebackType
from typing import Any

import aiohttp

JSON = dict[str, Any]
DEFAULT_TIMEOUT = 10.0
# How much longer than the server-side wait the HTTP request may take.
_GRACE = 30.0


class SandboxError(Exception):
    """The client API answered an error (4xx with ``{"error"}``)."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error


class SandboxClient:
    """Drive the sandbox's users: send, press, inline, vote, pay, read and wait, clock and faults."""

    def __init__(self, root: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self._api = root.rstrip("/") + "/sandbox/api"
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if the client opened it."""
        if self._session is not None and self._owns_session:
            await self._session.close()
            self._session = None

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        query: dict[str, str] | None = None,
        wait: float = 0.0,
    ) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=wait + _GRACE)
        async with self._session.request(
            method, self._api + path, json=body, params=query, timeout=timeout
        ) as response:
            data = await response.json()
            if response.status >= 400:
                raise SandboxError(
                    response.status, data.get("error", "") if isinstance(data, dict) else str(data)
                )
            return data

    async def create_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """Create a user; the id is chosen by the sandbox unless given."""
        body: JSON = {"first_name": first_name, "username": username, "language_code": language_code}
        if user_id is not None:
            body["id"] = user_id
        result: JSON = await self._call("POST", "/users", body=body)
        return result

    async def create_chat(self, chat_type: str, member_ids: list[int], *, title: str | None = None) -> JSON:
        """Create a private chat (id = the user's id), a group or a supergroup; groups contain the bot."""
        body = {"type": chat_type, "member_ids": member_ids, "title": title}
        result: JSON = await self._call("POST", "/chats", body=body)
        return result

    async def chats(self) -> list[JSON]:
        """List all chats."""
        result: list[JSON] = await self._call("GET", "/chats")
        return result

    async def users(self) -> list[JSON]:
        """List the users played through the client API."""
        result: list[JSON] = await self._call("GET", "/users")
        return result

    async def set_member(
        self, chat_id: int, user_id: int, status: str, *, from_id: int | None = None
    ) -> JSON:
        """Set a user's (or the bot's) status in a group: member, administrator, left or kicked."""
        body: JSON = {"user_id": user_id, "status": status, "from_id": from_id}
        result: JSON = await self._call("POST", f"/chats/{chat_id}/members", body=body)
        return result

    async def send(
        self,
        chat_id: int,
        from_id: int,
        text: str | None = None,
        *,
        photo: bytes | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Post a user's text or photo; return message_id and update_id (None when the bot won't see it)."""
        body: JSON = {
            "from_id": from_id,
            "text": text,
            "photo_base64": base64.b64encode(photo).decode() if photo is not None else None,
            "caption": caption,
            "reply_to_message_id": reply_to_message_id,
        }
        result: JSON = await self._call("POST", f"/chats/{chat_id}/messages", body=body)
        return result

    async def messages(self, chat_id: int, after: int = 0) -> list[JSON]:
        """Return the chat's messages after that id as they stand now, oldest first."""
        result: list[JSON] = await self._call(
            "GET", f"/chats/{chat_id}/messages", query={"after": str(after)}
        )
        return result

    async def wait(
        self,
        chat_id: int,
        after: int,
        count: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        sender: str = "bot",
    ) -> list[JSON]:
        """Wait until the bot (or with sender="any" anyone) has sent ``count`` messages after that id."""
        query = {"after": str(after), "count": str(count), "timeout": str(timeout), "sender": sender}
        result: list[JSON] = await self._call("GET", f"/chats/{chat_id}/wait", query=query, wait=timeout)
        return result

    async def wait_edit(
        self, chat_id: int, message_id: int, version: int, timeout: float = DEFAULT_TIMEOUT
    ) -> JSON:
        """Wait until a message changes past ``version`` (edits, deletion, pins, votes) and return it."""
        query = {"version": str(version), "timeout": str(timeout)}
        path = f"/chats/{chat_id}/messages/{message_id}/wait"
        result: JSON = await self._call("GET", path, query=query, wait=timeout)
        return result

    async def press(
        self,
        chat_id: int,
        message_id: int,
        from_id: int,
        callback_data: str,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> JSON:
        """Press an inline button and wait for the bot's answerCallbackQuery."""
        body = {"from_id": from_id, "callback_data": callback_data, "timeout": timeout}
        path = f"/chats/{chat_id}/messages/{message_id}/press"
        result: JSON = await self._call("POST", path, body=body, wait=timeout)
        return result

    async def inline(
        self, from_id: int, query: str, chat_id: int, *, offset: str = "", timeout: float = DEFAULT_TIMEOUT
    ) -> JSON:
        """Type an inline query in a chat and wait for the bot's results."""
        body = {"from_id": from_id, "query": query, "chat_id": chat_id, "offset": offset, "timeout": timeout}
        result: JSON = await self._call("POST", "/inline", body=body, wait=timeout)
        return result

    async def choose(self, inline_query_id: str, result_id: str) -> JSON:
        """Post an inline result into the query's chat via the bot."""
        result: JSON = await self._call(
            "POST", f"/inline/{inline_query_id}/choose", body={"result_id": result_id}
        )
        return result

    async def vote(self, poll_id: str, from_id: int, option_ids: list[int]) -> JSON:
        """Answer a poll (an empty list retracts the answer)."""
        body = {"from_id": from_id, "option_ids": option_ids}
        result: JSON = await self._call("POST", f"/polls/{poll_id}/vote", body=body)
        return result

    async def pay(
        self,
        chat_id: int,
        message_id: int,
        from_id: int,
        *,
        shipping_option_id: str | None = None,
        shipping_address: JSON | None = None,
        order_info: JSON | None = None,
        tip_amount: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> JSON:
        """Pay an invoice message: shipping query, pre-checkout query, successful payment."""
        body: JSON = {
            "from_id": from_id,
            "shipping_option_id": shipping_option_id,
            "shipping_address": shipping_address,
            "order_info": order_info,
            "tip_amount": tip_amount,
            "timeout": timeout,
        }
        path = f"/chats/{chat_id}/messages/{message_id}/pay"
        result: JSON = await self._call("POST", path, body=body, wait=2 * timeout)
        return result

    async def shipping(
        self,
        chat_id: int,
        message_id: int,
        from_id: int,
        *,
        shipping_address: JSON | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> JSON:
        """Ask the bot for a flexible invoice's shipping options; nothing is paid."""
        body: JSON = {"from_id": from_id, "shipping_address": shipping_address, "timeout": timeout}
        path = f"/chats/{chat_id}/messages/{message_id}/shipping"
        result: JSON = await self._call("POST", path, body=body, wait=timeout)
        return result

    async def payments(self) -> list[JSON]:
        """List the successful payments with their charge ids and refund state."""
        result: list[JSON] = await self._call("GET", "/payments")
        return result

    async def redeliver(self, update_id: int) -> JSON:
        """Deliver an earlier update once more, with the same update_id."""
        result: JSON = await self._call("POST", f"/updates/{update_id}/redeliver")
        return result

    async def bot_status(self) -> JSON:
        """Return the bot's account, how many getUpdates calls wait right now, and its webhook."""
        result: JSON = await self._call("GET", "/bot")
        return result

    async def calls(self, method: str | None = None, since: str | None = None) -> list[JSON]:
        """Return the Bot API calls the bot made, optionally of one method and since an ISO time."""
        query = {name: value for name, value in (("method", method), ("since", since)) if value is not None}
        result: list[JSON] = await self._call("GET", "/calls", query=query)
        return result

    async def clock(self) -> JSON:
        """Return the sandbox clock's time."""
        result: JSON = await self._call("GET", "/clock")
        return result

    async def advance_clock(self, seconds: float) -> JSON:
        """Move the clock forward and wait until the work that became due has run."""
        result: JSON = await self._call("POST", "/clock/advance", body={"seconds": seconds}, wait=60.0)
        return result

    async def faults(self) -> JSON:
        """Return the fault and rate limit settings in force."""
        result: JSON = await self._call("GET", "/faults")
        return result

    async def set_faults(self, **settings: Any) -> JSON:
        """Replace the fault and rate limit settings (omitted ones take their defaults)."""
        result: JSON = await self._call("PUT", "/faults", body=settings)
        return result

    async def webhook_targets(self) -> JSON:
        """Return the URLs the webhook is delivered to in turn (empty: the bot's webhook) and the timeout."""
        result: JSON = await self._call("GET", "/webhook/targets")
        return result

    async def set_webhook_targets(self, urls: list[str], *, timeout: float | None = None) -> JSON:
        """Deliver each update to the next of ``urls``, as a load balancer would; ``[]`` for the webhook."""
        body: JSON = {"urls": urls} | ({} if timeout is None else {"timeout": timeout})
        result: JSON = await self._call("PUT", "/webhook/targets", body=body)
        return result

    async def webhook_deliveries(self, update_id: int | None = None) -> list[JSON]:
        """Return every webhook delivery attempt (of one update), oldest first."""
        query = {} if update_id is None else {"update_id": str(update_id)}
        result: list[JSON] = await self._call("GET", "/webhook/deliveries", query=query)
        return result

    async def wait_delivered(self, timeout: float = DEFAULT_TIMEOUT) -> JSON:
        """Wait until no update waits for delivery; return how many still do."""
        query = {"timeout": str(timeout)}
        result: JSON = await self._call("GET", "/webhook/wait", query=query, wait=timeout)
        return result
