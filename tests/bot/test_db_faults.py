"""Database faults: the connection drops in the middle of a payment's transaction, or every pooled connection
dies between two updates (a database restart). Nothing is half-written, the user is told, the bot goes on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from catalog.models import Product, Stock, Variant
from core.db import Database, create_engine
from core.i18n import Translator
from orders.models import CartItem, Checkout, Order, OrderLine, Reservation
from tests.e2e.conftest import Chat, buttons, private_chat


@dataclass
class Cut:
    """Drops the database connection that is about to run a statement beginning with ``prefix``, once.

    On PostgreSQL the server ends the connection's backend (``pg_terminate_backend``), as when the server
    restarts or an operator ends it; on SQLite the driver's connection is closed under the transaction. Either
    way the statement then fails as on a lost connection, in the middle of the transaction, and the pool must
    throw that connection away.
    """

    engine: AsyncEngine
    prefix: str
    done: bool = False

    def _before(self, connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        if self.done or not statement.lstrip().upper().startswith(self.prefix):
            return
        self.done = True
        if connection.dialect.name == "postgresql":
            with suppress(DBAPIError, ConnectionError):
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        else:
            connection.connection.dbapi_connection.close()

    @contextmanager
    def armed(self) -> Iterator[Cut]:
        """Cut the connection at the next such statement while the block runs."""
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._before)
        try:
            yield self
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", self._before)


async def _stocked_variant(db: Database) -> tuple[Product, Variant]:
    async with db.unit_of_work() as session:
        row = (
            await session.execute(
                select(Product, Variant)
                .join(Variant, Variant.product_id == Product.id)
                .join(Stock, Stock.variant_id == Variant.id)
                .where(Product.active.is_(True), Stock.quantity >= 3)
                .order_by(Product.id, Variant.id)
                .limit(1)
            )
        ).one()
    return row[0], row[1]


async def _add_to_cart(chat: Chat, product: Product) -> None:
    (card,) = await chat.say(f"/start p{product.id}")
    answer = await chat.press(card, f"cart:pick:{product.id}")
    if not (answer["answer"] and (answer["answer"]["text"] or "").startswith("✓")):
        (choice,) = await chat.sb.wait(chat.chat_id, after=card["message_id"])
        await chat.press(choice, next(iter(buttons(choice))))


@dataclass(frozen=True)
class Books:
    """What a payment changes: orders and their lines, stock, reservations, the cart, the checkout."""

    orders: int
    order_lines: int
    units: int
    reservations: int
    cart_lines: int
    paid_checkouts: int


async def _books(db: Database, user_id: int) -> Books:
    async with db.unit_of_work() as session:

        async def count(statement: Any) -> int:
            return int(await session.scalar(statement) or 0)

        return Books(
            orders=await count(select(func.count()).select_from(Order)),
            order_lines=await count(select(func.count()).select_from(OrderLine)),
            units=await count(select(func.sum(Stock.quantity))),
            reservations=await count(select(func.count()).select_from(Reservation)),
            cart_lines=await count(
                select(func.count()).select_from(CartItem).where(CartItem.added_by == user_id)
            ),
            paid_checkouts=await count(
                select(func.count()).select_from(Checkout).where(Checkout.status == "paid")
            ),
        )


async def test_a_connection_lost_in_the_middle_of_a_payment_leaves_nothing_half_written(
    shop: SandboxClient, runtime: Runtime, demo_catalog: Database
) -> None:
    assert runtime.db is not None
    product, _ = await _stocked_variant(demo_catalog)
    lena = await private_chat(shop, "Lena", "de")
    await _add_to_cart(lena, product)
    (cart,) = await lena.say("/cart")
    invoice = (await lena.press(cart, "cart:checkout", count=1))["messages"][0]
    before = await _books(demo_catalog, lena.user_id)

    # The payment's transaction has taken the units from stock, dropped the reservations, emptied the cart
    # and written the order when the connection goes, just before the order's lines.
    with Cut(runtime.db.brief_engine, "INSERT INTO ORDER_LINES").armed() as cut:
        paid = await shop.pay(lena.chat_id, invoice["message_id"], lena.user_id)
        assert paid["status"] == "paid"
        (answer,) = await shop.wait(lena.chat_id, after=paid["message_id"])
    assert cut.done, "the connection was cut"

    assert answer["text"] == Translator().t("de", "error-apology"), "Lena is told to try again"
    after = await _books(demo_catalog, lena.user_id)
    assert after.orders == before.orders and after.order_lines == before.order_lines, "no order, no lines"
    assert after.units == before.units, "no unit left the stock"
    assert after.cart_lines == before.cart_lines, "the cart is as it was"
    assert after.paid_checkouts == before.paid_checkouts
    assert after.reservations >= 1, "the units stay reserved for the payment, as after pre-checkout"

    (help_text,) = await lena.say("/help")
    assert "/start" in help_text["text"], "the next update is handled on a fresh connection"
    await shop.redeliver(paid["update_id"])
    (confirmation,) = await shop.wait(lena.chat_id, after=help_text["message_id"])
    assert confirmation["text"].startswith("✅ Danke! Deine Bestellung KR-"), confirmation["text"][:80]
    done = await _books(demo_catalog, lena.user_id)
    assert (done.orders, done.units, done.cart_lines) == (before.orders + 1, before.units - 1, 0)


async def test_the_bot_answers_the_first_update_after_every_pooled_connection_died(
    sb: SandboxClient, runtime: Runtime, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("only a database server can drop every connection at once; SQLite has no server")
    assert runtime.db is not None
    tom = await private_chat(sb, "Tom", "en")
    (greeting,) = await tom.say("/start")
    assert greeting["text"].startswith("Hi Tom!")

    await _terminate_all(database_url)

    (help_text,) = await tom.say("/help")
    assert "/start" in help_text["text"], "the first update after the restart is handled, not apologised for"


async def _terminate_all(database_url: str) -> None:
    """End every other connection to the database, as a restart of the server does."""
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as connection:
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    await admin.dispose()
