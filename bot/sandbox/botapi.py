"""The Bot API over HTTP, as python-telegram-bot and other clients call it.

``/bot{token}/{method}`` takes GET query parameters, ``application/x-www-form-urlencoded``,
``multipart/form-data`` (files) or ``application/json`` bodies, with case-insensitive method names, and
answers ``{"ok": true, "result": ...}`` or Telegram's error objects. Every call lands in the calls log.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
from typing import Any

from aiohttp import BodyPartReader, web

from . import limits
from .errors import ApiError, bad_request
from .faults import Fault
from .params import Method, Params, Upload, coerce
from .state import JSON, Call
from .world import World

SENDS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendpoll", "sendinvoice"})
EDITS = frozenset({"editmessagetext", "editmessagecaption", "editmessagereplymarkup"})
ANSWERS = frozenset(
    {"answercallbackquery", "answerinlinequery", "answershippingquery", "answerprecheckoutquery"}
)
# The calls injected failures hit: what users see and what answers them.
FAULTED = SENDS | EDITS | ANSWERS
SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
MAX_UPDATES_TIMEOUT = 50
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LANGUAGE = re.compile(r"^([a-z]{2})?$")


class BotApi:
    """Serve the Bot API for one bot token over the sandbox's world."""

    def __init__(self, world: World, token: str, methods: dict[str, Method]) -> None:
        self._world = world
        self._token = token
        own: dict[str, Method] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getFile": self.get_file,
        }
        self._methods = {name.lower(): (name, method) for name, method in (own | methods).items()}

    @property
    def method_names(self) -> list[str]:
        """Return the names of the implemented methods."""
        return sorted(name for name, _ in self._methods.values())

    def setup(self, app: web.Application) -> None:
        """Add the method and file download routes to the application."""
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._download)

    async def _handle(self, request: web.Request) -> web.Response:
        world = self._world
        requested = request.match_info["method"]
        name, method = self._methods.get(requested.lower(), (requested, None))
        params = Params({}, {})
        fault: Fault | None = None
        try:
            if request.match_info["token"] != self._token:
                raise ApiError(401, "Unauthorized")
            params = await _read(request)
            if world.faults.delay:
                await asyncio.sleep(world.faults.delay)
            if method is None or world.faults.is_missing(name):
                raise ApiError(404, "Not Found")
            fault = world.faults.injected() if name.lower() in FAULTED else None
            if fault is None:
                status, body = 200, {"ok": True, "result": await method(params)}
            elif fault.error is not None:
                raise fault.error
            else:
                return await self._no_answer(request, name, params, fault)
        except ApiError as exc:
            status, body = exc.status, exc.to_json()
        kind = None if fault is None else fault.kind
        world.record(
            Call(name, params.for_log(), status, world.clock.now(), body.get("description"), fault=kind)
        )
        return web.json_response(body, status=status)

    async def _no_answer(self, request: web.Request, name: str, params: Params, fault: Fault) -> web.Response:
        """Hold the connection for the fault's time (or until shutdown), then close it without an answer."""
        world = self._world
        world.record(Call(name, params.for_log(), None, world.clock.now(), fault=fault.kind))
        if fault.hold:
            await world.changes.wait_for(lambda: False, fault.hold)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=204)  # never reaches the client: its connection is closed

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self._token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        stored = self._world.files.by_path.get(request.match_info["file_path"])
        if stored is None or stored.data is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        content_type = (
            stored.mime_type or mimetypes.guess_type(stored.file_path)[0] or "application/octet-stream"
        )
        return web.Response(body=stored.data, content_type=content_type)

    async def get_me(self, params: Params) -> JSON:
        """Return the bot's User object with its capabilities."""
        return self._world.bot.to_json() | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self._world.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: Params) -> list[JSON]:
        """Long-poll for updates, confirming those before ``offset``."""
        limit = params.integer("limit", 100) or 100
        timeout = params.integer("timeout", 0) or 0
        return await self._world.updates.get_updates(
            offset=params.integer("offset", 0) or 0,
            limit=min(max(limit, 1), 100),
            seconds=min(max(timeout, 0), MAX_UPDATES_TIMEOUT),
            allowed_updates=_allowed_updates(params),
        )

    async def set_webhook(self, params: Params) -> bool:
        """Set the webhook the updates are pushed to (an empty url removes it)."""
        url = params.text("url") or ""
        if url and not re.match(r"^https?://[^/\s]+", url):
            raise bad_request("bad webhook: invalid URL")
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.integer("max_connections", 40) or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be 1-100")
        if params.flag("drop_pending_updates"):
            self._world.updates.drop_pending()
        self._world.updates.set_webhook(
            url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=_allowed_updates(params),
        )
        return True

    async def delete_webhook(self, params: Params) -> bool:
        """Remove the webhook, optionally dropping the updates not delivered yet."""
        if params.flag("drop_pending_updates"):
            self._world.updates.drop_pending()
        self._world.updates.set_webhook("", secret_token=None, max_connections=40, allowed_updates=None)
        return True

    async def get_webhook_info(self, params: Params) -> JSON:
        """Return the WebhookInfo."""
        return self._world.updates.webhook_info()

    async def set_my_commands(self, params: Params) -> bool:
        """Set the command list for a scope and language."""
        self._world.commands[_command_key(params)] = limits.commands(params.get("commands"))
        return True

    async def get_my_commands(self, params: Params) -> list[JSON]:
        """Return the command list of exactly that scope and language."""
        return self._world.commands.get(_command_key(params), [])

    async def delete_my_commands(self, params: Params) -> bool:
        """Delete the command list of a scope and language."""
        self._world.commands.pop(_command_key(params), None)
        return True

    async def set_chat_menu_button(self, params: Params) -> bool:
        """Accept a menu button for a chat or by default."""
        if params.get("chat_id") is not None:
            self._world.chat_for(params.get("chat_id"))
        button = params.get("menu_button")
        if button is not None and not (isinstance(button, dict) and isinstance(button.get("type"), str)):
            raise bad_request("can't parse menu button JSON object")
        return True

    async def get_file(self, params: Params) -> JSON:
        """Return a File whose file_path can be downloaded from ``/file/bot{token}/{file_path}``."""
        stored = self._world.files.by_id.get(params.required_text("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.data is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        return stored.to_json()


def _allowed_updates(params: Params) -> list[str] | None:
    value = params.get("allowed_updates")
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(kind, str) for kind in value)
    ):
        raise bad_request("can't parse allowed updates JSON object")
    return value


def _command_key(params: Params) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = params.text("language_code") or ""
    if not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


async def _read(request: web.Request) -> Params:
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("the JSON request body must be an object")
            raw.update(body)
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = bytes(await part.read())
                    uploads[part.name] = Upload(part.filename, part.headers.get("Content-Type"), data)
                else:
                    raw[part.name] = await part.text()
        else:
            raw.update(await request.post())
    return Params({name: coerce(name, value) for name, value in raw.items()}, uploads)
