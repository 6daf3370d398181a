"""Starts and stops everything a bot process runs: database, HTTP server, sandbox, bot, schedule."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot import api as bot_api
from bot import app as bot_app
from bot import broadcasting, logs
from bot import db as bot_db
from bot import web as bot_web
from bot.config import SANDBOX_PROVIDER_TOKEN, Settings, sandbox_token
from bot.sandbox import DEMO_RETAILER_NAME, Sandbox
from catalog import demo, retailers
from catalog.search import Searcher
from core.clock import Clock
from core.db import Database
from core.i18n import Translator
from core.money import Money
from core.users import Person
from deals import offers as deal_offers
from handlers.common import App
from handlers.context import Services
from orders import credits, fulfilment
from orders.carriers import SIMULATED, Carriers, SimulatedCarrier
from social import groupbuys

log = logging.getLogger(__name__)

DEMO_VOUCHER = "WILLKOMMEN"
# The playground's retailer account "Kaufrunde Laden", an admin of the demo shop.
DEMO_RETAILER_ID = 700_000_001


@dataclass
class Runtime:
    """A running bot process; ``start`` and ``stop`` bring it up and down in order."""

    settings: Settings
    clock: Clock = field(default_factory=Clock)
    migrate: bool = True
    load_demo: bool = True
    db: Database | None = None
    sandbox: Sandbox | None = None
    application: App | None = None
    searcher: Searcher | None = None
    _runner: web.AppRunner | None = None
    _drawing: asyncio.Future[int] | None = None
    port: int = 0

    @property
    def url(self) -> str:
        """Return the base URL of this process's HTTP server."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Migrate, start the HTTP server (with the sandbox when embedded) and the bot."""
        settings = self.settings
        if self.migrate:
            await bot_db.migrate_async(settings.database_url)
        self.db = self.db or Database.from_url(settings.database_url)
        if settings.embedded and self.load_demo:
            async with self.db.unit_of_work() as session:
                # The pictures are drawn once the bot answers (a card needing one first draws it).
                summary = await demo.load(
                    session, media_dir=settings.media_dir, now=self.clock.now(), draw=False
                )
                await groupbuys.offer_demo(session, now=self.clock.now())
                await deal_offers.offer_demo(session, retailer_id=summary.retailer_id, now=self.clock.now())
                await credits.create_voucher(session, code=DEMO_VOUCHER, amount=Money(Decimal(10), "EUR"))
                owner = Person(id=DEMO_RETAILER_ID, first_name=DEMO_RETAILER_NAME, language_code="de")
                await retailers.ensure_owner(
                    session, retailer_slug=demo.RETAILER_SLUG, person=owner, now=self.clock.now()
                )
            log.info("demo catalog: %s; voucher %s worth 10 EUR", summary, DEMO_VOUCHER)
        token = (
            settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else sandbox_token()
        )
        self.port = _free_port(settings.http_host) if settings.http_port == 0 else settings.http_port
        self.searcher = searcher = await Searcher.load(self.db, clock=self.clock)
        services = Services(
            db=self.db,
            clock=self.clock,
            translator=Translator(default_locale=settings.default_locale),
            worker_id=f"{socket.gethostname()}-{os.getpid()}-{id(self):x}",
            media_dir=settings.media_dir,
            public_url=settings.public_base(self.port),
            searcher=searcher,
            carriers=await _carriers(self.db, self.clock),
            payment_provider_token=_provider_token(settings),
            admin_user_ids=frozenset(settings.admin_user_ids)
            | ({DEMO_RETAILER_ID} if settings.embedded and self.load_demo else frozenset()),
        )
        web_app = bot_web.create_app(services=services, media_dir=settings.media_dir)
        bot_api.setup(web_app, services)
        if settings.embedded:
            self.sandbox = Sandbox(clock=self.clock, bot_token=token)
            self.sandbox.setup(web_app)
            if self.load_demo:
                self.sandbox.seed_demo(retailer_id=DEMO_RETAILER_ID)
        api_url = f"http://127.0.0.1:{self.port}" if settings.embedded else settings.telegram_api_url
        polling = settings.webhook_url is None
        self.application = bot_app.build(
            services,
            token=token,
            api_url=api_url,
            polling=polling,
            broadcast_limits=broadcasting.Limits.from_settings(settings),
            rate_limit=settings.telegram_rate_limit,
            timeout=settings.telegram_timeout,
        )
        web_app[bot_web.APPLICATION_KEY] = self.application
        secret = _webhook_secret(settings, token)
        for known in (token, secret, services.payment_provider_token):
            logs.redactor.add(known)
        if not polling:
            bot_web.attach_webhook(
                web_app, application=self.application, secret=secret, path=_webhook_path(settings)
            )
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, settings.http_host, self.port).start()
        await self.application.initialize()
        await self.application.start()
        await bot_app.started(self.application)
        if self.sandbox is not None:
            self.sandbox.on_clock_advanced.append(bot_app.due_work(self.application).run)
        if polling:
            assert self.application.updater is not None
            await self.application.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=10)
        else:
            assert settings.webhook_url is not None
            await self.application.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
        if settings.embedded and self.load_demo:
            self._drawing = asyncio.ensure_future(asyncio.to_thread(demo.draw_missing, settings.media_dir))
            self._drawing.add_done_callback(_drawn)

    async def stop(self) -> None:
        """Stop the bot, then the HTTP server, then the database (once the demo's pictures are drawn)."""
        if self._drawing is not None:
            await asyncio.wait([self._drawing])
        if self.application is not None:
            if self.application.updater is not None and self.application.updater.running:
                await self.application.updater.stop()
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.searcher is not None:
            await self.searcher.close()
        if self.db is not None:
            await self.db.dispose()


def _drawn(drawing: asyncio.Future[int]) -> None:
    if not drawing.cancelled() and (failed := drawing.exception()) is not None:
        log.error("drawing the demo's pictures failed", exc_info=failed)
    elif not drawing.cancelled():
        log.info("demo pictures: %s drawn", drawing.result())


async def _carriers(db: Database, clock: Clock) -> Carriers:
    # Only the simulated carrier exists so far; a real carrier's adapter is registered here beside it.
    # The simulated one keeps its parcels in memory, so it is told again about those still on their way.
    simulated = SimulatedCarrier(clock)
    async with db.unit_of_work() as session:
        for tracking_number, shipped_at, town in await fulfilment.open_parcels(session, carrier=SIMULATED):
            simulated.register(tracking_number, shipped_at, town)
    registry = Carriers()
    registry.add(SIMULATED, simulated)
    return registry


def _provider_token(settings: Settings) -> str | None:
    # The sandbox takes any provider token, so the demo pays like a shop with a payment provider.
    if settings.payment_provider_token is not None:
        return settings.payment_provider_token.get_secret_value()
    return SANDBOX_PROVIDER_TOKEN if settings.embedded else None


def _webhook_secret(settings: Settings, token: str) -> str:
    # Derived from the token when not configured, so that every instance of one bot agrees on it.
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return hashlib.sha256(f"kaufrunde-webhook:{token}".encode()).hexdigest()


def _webhook_path(settings: Settings) -> str:
    path = urlsplit(settings.webhook_url or "").path
    return path if path not in {"", "/"} else bot_web.WEBHOOK_PATH


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
