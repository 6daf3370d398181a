"""Logs at DEBUG, for every logger, never carry secrets, payment data or what users wrote.

One shopper talks to the bot in webhook mode (the secret travels with every update), searches, starts it
with a deep link, writes a note, checks out, pays with a shipping address and gets the order confirmed.
Everything the process logged meanwhile is searched for the secrets, the charge ids, the address and the
texts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import logs
from bot.runner import Runtime
from bot.sandbox import SandboxClient
from catalog.models import Stock, Store, Variant
from core.clock import Clock
from core.db import Database
from orders.models import Order
from tests.e2e import conftest as e2e
from tests.e2e.conftest import buttons

BOT_WEBHOOK_SECRET = "webhook-secret-Quittenmus-3141"
PROVIDER_TOKEN = "284685063:TEST:Holunderbluete-2718"
ADDRESS = {
    "country_code": "DE",
    "state": "Brandenburg",
    "city": "Wendelstedt-Ost",
    "street_line1": "Holunderpfad 93",
    "street_line2": "Hinterhaus Quittengasse",
    "post_code": "39517",
}
ORDER_INFO = {
    "name": "Quirinella Zwetschgenbaum",
    "phone_number": "+49 170 5550199",
    "email": "quirinella@example.org",
    "shipping_address": ADDRESS,
}
SEARCH = "Sneaker für die Hochzeit meiner Cousine Pflaumenmus-Marker"
DEEP_LINK = "secret-voucher-code"


class Unfiltered(logging.Handler):
    """Keep every record as it was logged, before the bot's handler filters see it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's message."""
        self.lines.append(f"{record.name} {record.getMessage()}")


@pytest.fixture
def unfiltered() -> Iterator[Unfiltered]:
    """Set up the bot's logging for LOG_LEVEL=DEBUG, then turn every logger there is to DEBUG as well.

    Also give what was logged before any filter, to show that the libraries do log what the filters keep
    out of the bot's output.
    """
    manager = logging.Logger.manager
    root = logging.getLogger()
    levels = {
        name: logger.level
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_level, handlers = root.level, list(root.handlers)
    logs.setup("DEBUG")
    for name in list(manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.setLevel(logging.DEBUG)
    raw = Unfiltered()
    # In front of the bot's handlers, so it sees each record before the redaction rewrites it.
    root.handlers.insert(0, raw)
    yield raw
    root.removeHandler(raw)
    for handler in handlers:
        for installed in (logs.floors, logs.redactor):
            handler.removeFilter(installed)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    root.setLevel(root_level)


@pytest.fixture
async def webhook_shop(
    demo_catalog: Database, database_url: str, demo_media: Path, clock: Clock, unfiltered: Unfiltered
) -> AsyncIterator[Runtime]:
    """Run the bot in webhook mode with its own secret and payment provider token, the demo catalog loaded."""
    async with e2e.webhook_runtime(
        database_url,
        demo_media,
        clock,
        path="/hook/kaufrunde",
        webhook_secret=BOT_WEBHOOK_SECRET,
        payment_provider_token=PROVIDER_TOKEN,
    ) as running:
        assert running.searcher is not None
        await running.searcher.refresh()
        yield running


async def test_a_paid_order_leaves_no_secret_payment_data_or_text_in_the_logs(
    webhook_shop: Runtime, demo_catalog: Database, unfiltered: Unfiltered, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with SandboxClient(webhook_shop.url) as sb:
        user = await sb.create_user("Quirinella", username="quirinella_zw", language_code="de")
        await sb.create_chat("private", [user["id"]])
        chat = user["id"]

        sent = await sb.send(chat, chat, f"/start {DEEP_LINK}")
        await sb.wait(chat, after=sent["message_id"])
        sent = await sb.send(chat, chat, SEARCH)
        await _answer(sb, chat, sent["message_id"], lambda message: message.get("from", {}).get("is_bot"))

        variant = await _variant_in_stock(demo_catalog)
        assert variant.gtin is not None
        sent = await sb.send(chat, chat, variant.gtin)
        card = await _answer(sb, chat, sent["message_id"], _has(f"cart:pick:{variant.product_id}"))
        await sb.press(chat, card["message_id"], chat, f"cart:pick:{variant.product_id}")
        choice = await _answer(sb, chat, card["message_id"], _has(f"cart:add:{variant.id}"))
        await sb.press(chat, choice["message_id"], chat, f"cart:add:{variant.id}")
        sent = await sb.send(chat, chat, "/cart")
        cart = await _answer(sb, chat, sent["message_id"], _has("cart:checkout"))
        await sb.press(chat, cart["message_id"], chat, "cart:checkout")
        invoice = await _answer(sb, chat, cart["message_id"], lambda message: "invoice" in message)
        paid = await sb.pay(
            chat,
            invoice["message_id"],
            chat,
            shipping_option_id="standard",
            shipping_address=ADDRESS,
            order_info=ORDER_INFO,
        )
        assert paid["status"] == "paid"
        confirmation = await _answer(sb, chat, invoice["message_id"], lambda m: "KR-" in m.get("text", ""))
        assert confirmation["text"].startswith("✅")
        assert webhook_shop.application is not None
        token = webhook_shop.application.bot.token

    async with demo_catalog.unit_of_work() as session:
        order = (await session.execute(select(Order).where(Order.user_id == chat))).scalar_one()
    assert order.provider_payment_charge_id
    assert (
        order.shipping_address is not None
        and order.shipping_address["street_line1"] == ADDRESS["street_line1"]
    )

    logged = _everything_logged(caplog)
    forbidden = {
        "the bot token": token,
        "the bot token's secret part": token.split(":", 1)[1],
        "the webhook secret": BOT_WEBHOOK_SECRET,
        "the payment provider token": PROVIDER_TOKEN,
        "the Telegram charge id": paid["telegram_payment_charge_id"],
        "the provider charge id": order.provider_payment_charge_id,
        "the deep-link parameter": DEEP_LINK,
        "the search text": "Pflaumenmus-Marker",
        "the buyer's name": ORDER_INFO["name"],
        "the phone number": ORDER_INFO["phone_number"],
        "the e-mail address": ORDER_INFO["email"],
        **{f"the address ({field})": value for field, value in ADDRESS.items() if field != "country_code"},
    }
    leaks = [what for what, value in forbidden.items() if value and value in logged]
    assert not leaks, f"the logs show {', '.join(leaks)}"
    raw = "\n".join(unfiltered.lines)
    for telling in (
        "the bot token",
        "the search text",
        "the provider charge id",
        "the address (street_line1)",
    ):
        assert forbidden[telling] in raw, f"the libraries logged {telling}, or this test would prove nothing"


async def _answer(
    sb: SandboxClient, chat_id: int, after: int, wanted: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Return the newest message after ``after`` that is ``wanted``, waiting for up to eight messages."""
    for count in range(1, 9):
        found = [message for message in await sb.wait(chat_id, after=after, count=count) if wanted(message)]
        if found:
            return found[-1]
    raise AssertionError(f"no such message after {after}")


def _has(callback_data: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: callback_data in buttons(message)


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Return every captured record as the bot's handlers would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return caplog.text + "\n".join(formatter.format(record) for record in caplog.records)


async def _variant_in_stock(db: Database) -> Variant:
    async with db.unit_of_work() as session:
        store = await session.scalar(select(Store.id).where(Store.is_warehouse.is_(False)).limit(1))
        variant = await session.scalar(
            select(Variant)
            .join(Stock, Stock.variant_id == Variant.id)
            .where(Stock.store_id == store, Stock.quantity >= 2, Variant.gtin.is_not(None))
            .order_by(Variant.id)
            .limit(1)
        )
    assert variant is not None
    return variant


def test_a_library_below_its_floor_is_not_written_even_when_its_logger_is_set_lower() -> None:
    kept: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: kept.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(logs.LibraryFloors())
    for name, level in (("telegram.ext.ExtBot", logging.DEBUG), ("sqlalchemy.engine.Engine", logging.INFO)):
        handler.handle(
            logging.makeLogRecord({"name": name, "levelno": level, "msg": "text=%s", "args": ("hi",)})
        )
    handler.handle(
        logging.makeLogRecord({"name": "telegram.ext.Updater", "levelno": logging.ERROR, "msg": "x"})
    )
    handler.handle(logging.makeLogRecord({"name": "handlers.checkout", "levelno": logging.DEBUG, "msg": "y"}))
    assert kept == ["x", "y"]


def test_anything_shaped_like_a_token_is_redacted_without_being_registered() -> None:
    redactor = logs.RedactSecrets()
    bot_token = "123456789:AAFbCdEfGhIjKlMnOpQrStUvWxYz0123456"
    record = logging.makeLogRecord(
        {
            "msg": "POST /bot%s/sendInvoice provider_token=%s",
            "args": (bot_token, "284685063:LIVE:pk_live_Ab12"),
        }
    )
    redactor.filter(record)
    assert record.getMessage() == "POST /bot[redacted]/sendInvoice provider_token=[redacted]"
    kept = logging.makeLogRecord({"msg": "order KR-000123 at 2026-11-23 09:00:00, 15:30 window"})
    redactor.filter(kept)
    assert kept.getMessage() == "order KR-000123 at 2026-11-23 09:00:00, 15:30 window"
