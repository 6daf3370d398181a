"""The sandbox: a local stand-in for the Telegram Bot API, plus a client API that plays the users.

The bot talks to it over HTTP exactly as to Telegram (python-telegram-bot with
``base_url=f"{root}/bot"`` and ``base_file_url=f"{root}/file/bot"``); tests, benchmarks, scripts and the
playground drive the users through ``/sandbox/api`` (see docs/sandbox.md). All state is kept in memory
and is lost when the process stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from core.clock import Clock

from .botapi import BotApi
from .callbacks import Callbacks
from .chats import Chats
from .client import SandboxClient, SandboxError
from .clientapi import ClientApi
from .inline import Inline
from .messages import Messages
from .page import Page
from .payments import Payments
from .polls import Polls
from .state import User
from .world import World

__all__ = ["Sandbox", "SandboxClient", "SandboxError"]


class Sandbox:
    """The sandbox server component; :meth:`setup` adds its routes to an aiohttp application."""

    def __init__(
        self,
        *,
        clock: Clock,
        bot_token: str,
        bot_username: str = "kaufrunde_bot",
        bot_first_name: str = "Kaufrunde",
        privacy_mode: bool = True,
    ) -> None:
        bot_id, separator, _ = bot_token.partition(":")
        if not separator or not bot_id.isdigit():
            raise ValueError("bot_token must look like '123456789:SECRET'")
        self.on_clock_advanced: list[Callable[[], Awaitable[None]]] = []
        self.world = World(
            clock=clock,
            bot=User(int(bot_id), bot_first_name, bot_username, is_bot=True),
            privacy_mode=privacy_mode,
        )
        chats = Chats(self.world)
        messages = Messages(self.world)
        callbacks = Callbacks(self.world)
        inline = Inline(self.world)
        polls = Polls(self.world)
        payments = Payments(self.world)
        methods = (
            chats.bot_methods()
            | messages.bot_methods()
            | callbacks.bot_methods()
            | inline.bot_methods()
            | polls.bot_methods()
            | payments.bot_methods()
        )
        self.bot_api = BotApi(self.world, bot_token, methods)
        self._client_api = ClientApi(
            self.world,
            chats=chats,
            messages=messages,
            callbacks=callbacks,
            inline=inline,
            polls=polls,
            payments=payments,
            on_clock_advanced=self.on_clock_advanced,
        )
        self._page = Page(self.world)

    def setup(self, app: web.Application) -> None:
        """Add the Bot API routes (/bot{token}/{method}, /file/bot{token}/{file_path}), the client API
        (/sandbox/api/...) and the page at / to the given application."""
        self.bot_api.setup(app)
        app.add_subapp("/sandbox/api", self._client_api.app())
        app.router.add_get("/", self._page.show)
        app.on_shutdown.append(self._shutdown)

    async def _shutdown(self, app: web.Application) -> None:
        self.world.changes.close()
        await self.world.updates.close()
