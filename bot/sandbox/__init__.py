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

__all__ = ["DEMO_GROUP", "DEMO_PEOPLE", "DEMO_RETAILER_NAME", "Sandbox", "SandboxClient", "SandboxError"]

# The playground's friends: (user id, first name, Telegram language).
DEMO_PEOPLE = (
    (200_001, "Lena", "de"),
    (200_002, "Tom", "en"),
    (200_003, "Aylin", "de"),
    (200_004, "Jonas", "en"),
)
DEMO_GROUP = "Freundeskreis"
DEMO_RETAILER_NAME = "Kaufrunde Laden"


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
        self._chats = chats = Chats(self.world)
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
        self._page = Page()

    def setup(self, app: web.Application) -> None:
        """Add the Bot API routes (/bot{token}/{method}, /file/bot{token}/{file_path}), the client API
        (/sandbox/api/...) and the playground (/ and /playground/...) to the given application."""
        self.bot_api.setup(app)
        app.add_subapp("/sandbox/api", self._client_api.app())
        self._page.setup(app)
        app.on_shutdown.append(self._shutdown)

    def seed_demo(self, *, retailer_id: int) -> None:
        """Create the playground's demo people, their private chats, their group and the retailer (once)."""
        world = self.world
        for user_id, name, language in (*DEMO_PEOPLE, (retailer_id, DEMO_RETAILER_NAME, "de")):
            if user_id not in world.users:
                self._chats.create_user(
                    user_id=user_id, first_name=name, username=None, language_code=language
                )
            if user_id not in world.chats:
                self._chats.create_chat(kind="private", title=None, member_ids=[user_id])
        if not any(chat.title == DEMO_GROUP for chat in world.chats.values()):
            self._chats.create_chat(
                kind="group", title=DEMO_GROUP, member_ids=[user_id for user_id, _, _ in DEMO_PEOPLE]
            )

    async def _shutdown(self, app: web.Application) -> None:
        self.world.changes.close()
        await self.world.updates.close()
