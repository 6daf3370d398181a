"""The client API under ``/sandbox/api``: it plays the users, reads their chats, moves the clock, sets faults.

Waiting calls return as soon as their condition holds, or after ``timeout`` seconds (query or body
parameter, default 10) with what there is. Errors are 4xx with ``{"error": "..."}``.
"""

from __future__ import annotations

import math
import mimetypes
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from core.i18n import Translator

from . import events
from .callbacks import Callbacks
from .chats import Chats
from .errors import ClientError
from .faults import FaultSettings
from .inline import Inline
from .messages import Messages
from .payments import Payments
from .polls import Polls
from .state import JSON, Chat, Message
from .world import World

DEFAULT_TIMEOUT = 10.0
PLAYGROUND_PREFIX = "playground-"
MAX_TIMEOUT = 300.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ClientError as exc:
        return web.json_response({"error": exc.message}, status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason}, status=exc.status)


class Body:
    """A request's JSON object body with typed access; wrong or missing fields are 400s."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def read(cls, request: web.Request) -> Body:
        """Read the JSON object body (an empty body is an empty object)."""
        if not request.can_read_body:
            return cls({})
        try:
            values = await request.json()
        except ValueError:
            raise ClientError(400, "the body must be JSON") from None
        if not isinstance(values, dict):
            raise ClientError(400, "the body must be a JSON object")
        return cls(values)

    def get(self, name: str) -> Any:
        """Return a field, None when absent."""
        return self.values.get(name)

    def integer(self, name: str) -> int:
        """Return a required integer field."""
        value = self.values.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ClientError(400, f"{name} must be an integer")
        return value

    def optional_integer(self, name: str) -> int | None:
        """Return an optional integer field."""
        return None if self.values.get(name) is None else self.integer(name)

    def text(self, name: str) -> str:
        """Return a required string field."""
        value = self.values.get(name)
        if not isinstance(value, str):
            raise ClientError(400, f"{name} must be a string")
        return value

    def optional_text(self, name: str) -> str | None:
        """Return an optional string field."""
        return None if self.values.get(name) is None else self.text(name)

    def optional_object(self, name: str) -> JSON | None:
        """Return an optional JSON object field."""
        value = self.values.get(name)
        if value is not None and not isinstance(value, dict):
            raise ClientError(400, f"{name} must be an object")
        return value


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise ClientError(400, f"{name} must be an integer") from None


def _query_int(request: web.Request, name: str, default: int | None = None) -> int:
    raw = request.query.get(name)
    if raw is None:
        if default is None:
            raise ClientError(400, f"query parameter {name} is required")
        return default
    try:
        return int(raw)
    except ValueError:
        raise ClientError(400, f"query parameter {name} must be an integer") from None


def _timeout(request: web.Request, body: Body | None = None) -> float:
    raw = request.query.get("timeout")
    value: Any = raw if raw is not None else (body.get("timeout") if body is not None else None)
    if value is None:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ClientError(400, "timeout must be a number of seconds") from None
    if not 0 <= seconds <= MAX_TIMEOUT or not math.isfinite(seconds):
        raise ClientError(400, f"timeout must be 0-{MAX_TIMEOUT:g} seconds")
    return seconds


def _since(request: web.Request) -> datetime | None:
    raw = request.query.get("since")
    if raw is None:
        return None
    try:
        # A "+" of an offset arrives as a space when the query string was not encoded.
        moment = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise ClientError(400, "since must be an ISO 8601 time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class ClientApi:
    """The routes of the client API."""

    def __init__(
        self,
        world: World,
        *,
        chats: Chats,
        messages: Messages,
        callbacks: Callbacks,
        inline: Inline,
        polls: Polls,
        payments: Payments,
        on_clock_advanced: list[Callable[[], Awaitable[None]]],
    ) -> None:
        self._world = world
        self._chats = chats
        self._messages = messages
        self._callbacks = callbacks
        self._inline = inline
        self._polls = polls
        self._payments = payments
        self._on_clock_advanced = on_clock_advanced
        self._clock_moves = 0
        self._translator: Translator | None = None

    def app(self) -> web.Application:
        """Return the client API as an application to mount under ``/sandbox/api``."""
        app = web.Application(middlewares=[_errors])
        app.router.add_post("/users", self.create_user)
        app.router.add_get("/users", self.list_users)
        app.router.add_post("/chats", self.create_chat)
        app.router.add_get("/chats", self.list_chats)
        app.router.add_post("/chats/{chat_id}/members", self.set_member)
        app.router.add_post("/chats/{chat_id}/messages", self.send)
        app.router.add_get("/chats/{chat_id}/messages", self.messages)
        app.router.add_get("/chats/{chat_id}/wait", self.wait)
        app.router.add_get("/chats/{chat_id}/messages/{message_id}/wait", self.wait_message)
        app.router.add_post("/chats/{chat_id}/messages/{message_id}/press", self.press)
        app.router.add_post("/chats/{chat_id}/messages/{message_id}/pay", self.pay)
        app.router.add_post("/chats/{chat_id}/messages/{message_id}/shipping", self.shipping)
        app.router.add_get("/files/{file_id}", self.file)
        app.router.add_get("/events", self.events)
        app.router.add_get("/i18n/{locale}", self.i18n)
        app.router.add_post("/inline", self.inline)
        app.router.add_post("/inline/{inline_query_id}/choose", self.choose)
        app.router.add_post("/polls/{poll_id}/vote", self.vote)
        app.router.add_post("/updates/{update_id}/redeliver", self.redeliver)
        app.router.add_get("/bot", self.bot)
        app.router.add_get("/calls", self.calls)
        app.router.add_get("/payments", self.payments)
        app.router.add_get("/clock", self.clock)
        app.router.add_post("/clock/advance", self.advance_clock)
        app.router.add_get("/faults", self.faults)
        app.router.add_put("/faults", self.set_faults)
        self._world.updates.delivery.add_routes(app)
        return app

    def _chat(self, request: web.Request) -> Chat:
        return self._world.find_chat(_path_int(request, "chat_id"))

    def _message(self, request: web.Request) -> tuple[Chat, Message]:
        chat = self._chat(request)
        return chat, self._world.find_message(chat, _path_int(request, "message_id"))

    async def create_user(self, request: web.Request) -> web.Response:
        """POST /users."""
        body = await Body.read(request)
        user = self._chats.create_user(
            user_id=body.optional_integer("id"),
            first_name=body.get("first_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
        )
        return web.json_response(user, status=201)

    async def list_users(self, request: web.Request) -> web.Response:
        """GET /users: the users played through the client API (not the bot)."""
        world = self._world
        return web.json_response(
            [user.to_client() for user in world.users.values() if user.id != world.bot.id]
        )

    async def create_chat(self, request: web.Request) -> web.Response:
        """POST /chats."""
        body = await Body.read(request)
        chat = self._chats.create_chat(
            kind=body.get("type"), title=body.get("title"), member_ids=body.get("member_ids")
        )
        return web.json_response(chat, status=201)

    async def list_chats(self, request: web.Request) -> web.Response:
        """GET /chats."""
        return web.json_response([chat.to_client() for chat in self._world.chats.values()])

    async def set_member(self, request: web.Request) -> web.Response:
        """POST /chats/{chat_id}/members."""
        chat = self._chat(request)
        body = await Body.read(request)
        result = self._chats.set_member(
            chat,
            user_id=body.integer("user_id"),
            status=body.get("status"),
            from_id=body.optional_integer("from_id"),
        )
        return web.json_response(result)

    async def send(self, request: web.Request) -> web.Response:
        """POST /chats/{chat_id}/messages."""
        chat = self._chat(request)
        body = await Body.read(request)
        user = self._world.find_member(chat, body.integer("from_id"))
        result = self._messages.post_from_user(
            chat,
            user,
            text=body.optional_text("text"),
            photo_base64=body.optional_text("photo_base64"),
            caption=body.optional_text("caption"),
            reply_to_message_id=body.optional_integer("reply_to_message_id"),
        )
        return web.json_response(result, status=201)

    async def messages(self, request: web.Request) -> web.Response:
        """GET /chats/{chat_id}/messages?after=."""
        chat = self._chat(request)
        after = _query_int(request, "after", 0)
        found = [message for message in chat.messages.values() if message.message_id > after]
        return web.json_response([self._world.message_json(message, client=True) for message in found])

    async def wait(self, request: web.Request) -> web.Response:
        """GET /chats/{chat_id}/wait?after=&count=&timeout=&sender=bot|any."""
        world = self._world
        chat = self._chat(request)
        after = _query_int(request, "after", 0)
        count = _query_int(request, "count", 1)
        sender = request.query.get("sender", "bot")
        if sender not in ("bot", "any"):
            raise ClientError(400, "sender must be bot or any")

        def found() -> list[Message]:
            return [
                message
                for message in chat.messages.values()
                if message.message_id > after and (sender == "any" or message.from_id == world.bot.id)
            ]

        await world.changes.wait_for(lambda: len(found()) >= count, _timeout(request))
        return web.json_response([world.message_json(message, client=True) for message in found()])

    async def wait_message(self, request: web.Request) -> web.Response:
        """GET /chats/{chat_id}/messages/{message_id}/wait?version=&timeout=."""
        _, message = self._message(request)
        version = _query_int(request, "version")
        await self._world.changes.wait_for(lambda: message.version > version, _timeout(request))
        return web.json_response(self._world.message_json(message, client=True))

    async def press(self, request: web.Request) -> web.Response:
        """POST /chats/{chat_id}/messages/{message_id}/press."""
        chat, message = self._message(request)
        body = await Body.read(request)
        user = self._world.find_member(chat, body.integer("from_id"))
        result = await self._callbacks.press(
            chat, message, user, body.text("callback_data"), _timeout(request, body)
        )
        return web.json_response(result)

    async def pay(self, request: web.Request) -> web.Response:
        """POST /chats/{chat_id}/messages/{message_id}/pay."""
        chat, message = self._message(request)
        body = await Body.read(request)
        user = self._world.find_user(body.integer("from_id"))
        result = await self._payments.pay(
            chat,
            message,
            user,
            shipping_option_id=body.optional_text("shipping_option_id"),
            shipping_address=_address(body.optional_object("shipping_address")),
            order_info=body.optional_object("order_info"),
            tip_amount=body.optional_integer("tip_amount") or 0,
            seconds=_timeout(request, body),
        )
        return web.json_response(result)

    async def shipping(self, request: web.Request) -> web.Response:
        """POST /chats/{chat_id}/messages/{message_id}/shipping: only the shipping query of a payment."""
        chat, message = self._message(request)
        body = await Body.read(request)
        user = self._world.find_user(body.integer("from_id"))
        result = await self._payments.shipping(
            chat,
            message,
            user,
            shipping_address=_address(body.optional_object("shipping_address")),
            seconds=_timeout(request, body),
        )
        return web.json_response(result)

    async def file(self, request: web.Request) -> web.StreamResponse:
        """GET /files/{file_id}: a stored file's bytes, or a redirect to the URL a photo was sent by."""
        file_id = request.match_info["file_id"]
        stored = self._world.files.by_id.get(file_id)
        if stored is None:
            raise ClientError(404, f"file {file_id} not found")
        if stored.data is None:
            raise web.HTTPFound(stored.url or "")
        content_type = (
            stored.mime_type or mimetypes.guess_type(stored.file_path)[0] or "application/octet-stream"
        )
        headers = {"Cache-Control": "max-age=86400, immutable"}
        if stored.file_name:
            headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name)}"
        return web.Response(body=stored.data, content_type=content_type, headers=headers)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """GET /events: server-sent events, one per change (see docs/sandbox.md)."""
        return await events.stream(self._world, request, lambda: self._clock_moves)

    async def i18n(self, request: web.Request) -> web.Response:
        """GET /i18n/{locale}: the playground's own texts in that language."""
        if self._translator is None:
            self._translator = Translator(default_locale="de")
        translator = self._translator
        locale = request.match_info["locale"]
        if locale not in translator.locales:
            raise ClientError(404, f"no texts for locale {locale!r}")
        keys = sorted(key for key in translator.keys[locale] if key.startswith(PLAYGROUND_PREFIX))
        return web.json_response({key: str(translator.t(locale, key)) for key in keys})

    async def inline(self, request: web.Request) -> web.Response:
        """POST /inline."""
        body = await Body.read(request)
        user = self._world.find_user(body.integer("from_id"))
        chat = self._world.find_chat(body.integer("chat_id"))
        result = await self._inline.ask(
            user, chat, body.text("query"), body.optional_text("offset") or "", _timeout(request, body)
        )
        return web.json_response(result)

    async def choose(self, request: web.Request) -> web.Response:
        """POST /inline/{inline_query_id}/choose."""
        body = await Body.read(request)
        result = self._inline.choose(request.match_info["inline_query_id"], body.text("result_id"))
        return web.json_response(result, status=201)

    async def vote(self, request: web.Request) -> web.Response:
        """POST /polls/{poll_id}/vote."""
        body = await Body.read(request)
        result = self._polls.vote(
            request.match_info["poll_id"], body.integer("from_id"), body.get("option_ids")
        )
        return web.json_response(result)

    async def redeliver(self, request: web.Request) -> web.Response:
        """POST /updates/{update_id}/redeliver."""
        update_id = _path_int(request, "update_id")
        if not self._world.updates.redeliver(update_id):
            raise ClientError(404, f"update {update_id} not found")
        return web.json_response({"update_id": update_id})

    async def bot(self, request: web.Request) -> web.Response:
        """GET /bot: the bot's account and how it is connected."""
        world = self._world
        return web.json_response(
            world.bot.to_json()
            | {
                "privacy_mode": world.privacy_mode,
                "polling": world.updates.polling,
                "webhook": world.updates.webhook_info(),
            }
        )

    async def calls(self, request: web.Request) -> web.Response:
        """GET /calls?method=&since=."""
        method = request.query.get("method", "").lower()
        since = _since(request)
        found = [
            call.to_json()
            for call in self._world.calls
            if (not method or call.method.lower() == method) and (since is None or call.at >= since)
        ]
        return web.json_response(found)

    async def payments(self, request: web.Request) -> web.Response:
        """GET /payments."""
        return web.json_response([payment.to_json() for payment in self._world.payments.values()])

    async def clock(self, request: web.Request) -> web.Response:
        """GET /clock."""
        return web.json_response({"now": self._world.clock.now().isoformat()})

    async def advance_clock(self, request: web.Request) -> web.Response:
        """POST /clock/advance: move the clock, then run the work that became due."""
        body = await Body.read(request)
        seconds = body.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds < math.inf:
            raise ClientError(400, "seconds must be a non-negative number")
        self._world.clock.advance(seconds)
        self._clock_moves += 1
        self._world.changes.notify()
        for callback in self._on_clock_advanced:
            await callback()
        return web.json_response({"now": self._world.clock.now().isoformat()})

    async def faults(self, request: web.Request) -> web.Response:
        """GET /faults."""
        return web.json_response(self._world.faults.settings.to_json())

    async def set_faults(self, request: web.Request) -> web.Response:
        """PUT /faults: replace all settings; omitted fields take their defaults."""
        body = await Body.read(request)
        try:
            settings = FaultSettings.from_json(body.values)
        except (TypeError, ValueError) as exc:
            raise ClientError(400, str(exc)) from None
        self._world.faults.configure(settings)
        return web.json_response(settings.to_json())


ADDRESS_FIELDS = ("country_code", "state", "city", "street_line1", "street_line2", "post_code")


def _address(value: JSON | None) -> JSON | None:
    if value is not None and not all(isinstance(value.get(name), str) for name in ADDRESS_FIELDS):
        raise ClientError(400, f"shipping_address needs the string fields {', '.join(ADDRESS_FIELDS)}")
    return value
