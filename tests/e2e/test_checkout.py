"""Cart, checkout with Telegram Payments, home delivery and click & collect, tracking, pickup, review."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from bot.sandbox import SandboxClient
from catalog.models import Product, Stock, Store, Variant
from core.db import Database
from core.money import Money
from orders import credits
from tests.e2e.conftest import RETAILER_ID, Chat, buttons, private_chat

ORDER_NUMBER = re.compile(r"KR-\d{6}")


async def _in_stock_everywhere(db: Database) -> tuple[Product, Variant]:
    """Find a variant with stock in every store, so click & collect is offered everywhere."""
    async with db.unit_of_work() as session:
        stores = await session.scalar(select(Store.id).where(Store.is_warehouse.is_(False)).limit(1))
        assert stores is not None
        row = (
            await session.execute(
                select(Product, Variant)
                .join(Variant, Variant.product_id == Product.id)
                .join(Stock, Stock.variant_id == Variant.id)
                .where(Stock.store_id == stores, Stock.quantity >= 2, Variant.gtin.is_not(None))
                .order_by(Product.price.desc(), Variant.id)
                .limit(1)
            )
        ).one()
    return row[0], row[1]


async def _add_to_cart(chat: Chat, variant: Variant) -> dict[str, Any]:
    assert variant.gtin is not None
    (card,) = await chat.say(variant.gtin)
    answer = await chat.press(card, f"cart:pick:{variant.product_id}")
    if answer["answer"] and (answer["answer"]["text"] or "").startswith("✓"):
        return answer
    (choice,) = await chat.sb.wait(chat.chat_id, after=card["message_id"])
    assert f"cart:add:{variant.id}" in buttons(choice)
    return await chat.press(choice, f"cart:add:{variant.id}")


async def _checkout(chat: Chat) -> dict[str, Any]:
    (cart,) = await chat.say("/cart")
    answer = await chat.press(cart, "cart:checkout", count=1)
    invoice: dict[str, Any] = answer["messages"][0]
    assert invoice["invoice"]["currency"] == "EUR"
    return invoice


async def test_home_delivery_from_card_to_confirmation(shop: SandboxClient, demo_catalog: Database) -> None:
    product, variant = await _in_stock_everywhere(demo_catalog)
    lena = await private_chat(shop, "Lena", "de")
    added = await _add_to_cart(lena, variant)
    assert added["answer"]["text"].startswith(f"✓ {product.title_de}")

    (cart,) = await lena.say("/cart")
    assert cart["text"].startswith("🛒 Dein Warenkorb")
    assert f"1. {product.title_de}" in cart["text"] and "× 1" in cart["text"]
    assert "Summe:" in cart["text"]

    invoice = (await lena.press(cart, "cart:checkout", count=1))["messages"][0]
    assert invoice["invoice"]["title"].startswith(product.title_de[:20])
    paid = await shop.pay(lena.chat_id, invoice["message_id"], lena.user_id, shipping_option_id="standard")
    assert paid["status"] == "paid"

    (confirmation,) = await shop.wait(lena.chat_id, after=invoice["message_id"] + 1)
    assert confirmation["text"].startswith("✅ Danke! Deine Bestellung KR-")
    assert "Standardversand an" in confirmation["text"]

    await shop.redeliver(paid["update_id"])
    (help_text,) = await lena.say("/help")
    assert [m["message_id"] for m in await shop.messages(lena.chat_id, after=confirmation["message_id"])] == [
        help_text["message_id"] - 1,
        help_text["message_id"],
    ], "the payment delivered twice is confirmed once"
    (empty,) = await lena.say("/cart")
    assert empty["text"].startswith("Dein Warenkorb ist leer.")

    (orders,) = await lena.say("/orders")
    assert len(ORDER_NUMBER.findall(orders["text"])) == 1 and "bezahlt" in orders["text"]


async def test_pre_checkout_is_refused_when_the_stock_ran_out(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    _, variant = await _in_stock_everywhere(demo_catalog)
    tom = await private_chat(shop, "Tom", "en")
    await _add_to_cart(tom, variant)
    invoice = await _checkout(tom)
    async with demo_catalog.unit_of_work() as session:
        await session.execute(update(Stock).where(Stock.variant_id == variant.id).values(quantity=0))

    paid = await shop.pay(tom.chat_id, invoice["message_id"], tom.user_id, shipping_option_id="standard")

    assert paid["status"] == "rejected"
    assert (
        "left" in paid["error_message"]
        or "no longer" in paid["error_message"]
        or "sold out" in paid["error_message"]
    )
    (orders,) = await tom.say("/orders")
    assert orders["text"] == "You haven't ordered anything yet."


async def test_click_and_collect_with_pickup_code_reminder_and_review(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    _, variant = await _in_stock_everywhere(demo_catalog)
    aylin = await private_chat(shop, "Aylin", "de")
    await _add_to_cart(aylin, variant)
    invoice = await _checkout(aylin)
    async with demo_catalog.unit_of_work() as session:
        store_id = await session.scalar(
            select(Stock.store_id)
            .join(Store, Store.id == Stock.store_id)
            .where(Stock.variant_id == variant.id, Stock.quantity > 0, Store.is_warehouse.is_(False))
            .order_by(Stock.store_id)
            .limit(1)
        )
    paid = await shop.pay(
        aylin.chat_id, invoice["message_id"], aylin.user_id, shipping_option_id=f"pickup:{store_id}"
    )
    assert paid["status"] == "paid"
    (confirmation,) = await shop.wait(aylin.chat_id, after=invoice["message_id"] + 1)
    assert "🏬 Abholung in" in confirmation["text"]
    number = ORDER_NUMBER.search(confirmation["text"]).group(0)  # type: ignore[union-attr]

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Händlerin")
    (manage,) = await retailer.say(f"/order {number}")
    assert set(buttons(manage)) >= {f"adm:ready:{confirmation_order_id(manage)}"}
    last = (await shop.messages(aylin.chat_id))[-1]["message_id"]
    await retailer.press(manage, f"adm:ready:{confirmation_order_id(manage)}")
    (ready,) = await shop.wait(aylin.chat_id, after=last)
    assert ready["photo"], "the pickup code comes as a QR code"
    code = re.search(r"Code: ([A-Z0-9]{6})", ready["caption"]).group(1)  # type: ignore[union-attr]

    await shop.advance_clock(timedelta(days=6, hours=2).total_seconds())
    reminder = (await shop.messages(aylin.chat_id, after=ready["message_id"]))[-1]
    assert reminder["text"].startswith(f"Deine Bestellung {number} liegt in")

    (wrong,) = await retailer.say(f"/pickup {number} AAAAAA")
    assert wrong["text"] == "Der Abholcode passt nicht zu dieser Bestellung."
    (done,) = await retailer.say(f"/pickup {number} {code}")
    assert "abgeholt" in done["text"]

    await shop.advance_clock(timedelta(days=1, hours=1).total_seconds())
    prompt = (await shop.messages(aylin.chat_id, after=reminder["message_id"]))[-1]
    assert prompt["text"].startswith(f"Wie zufrieden bist du mit deiner Bestellung {number}?")
    stars = await aylin.press(prompt, f"rev:{confirmation_order_id(manage)}:5", count=1)
    assert stars["answer"]["text"] == "Danke für deine 5 Sterne!"
    words = stars["messages"][0]
    sent = await shop.send(
        aylin.chat_id, aylin.user_id, "Super Beratung im Laden!", reply_to_message_id=words["message_id"]
    )
    (saved,) = await shop.wait(aylin.chat_id, after=sent["message_id"])
    assert saved["text"] == "Danke, deine Bewertung ist gespeichert. 💛"

    # Lena, in a group with Aylin, sees her friend's rating first on the product card.
    lena = await private_chat(shop, "Lena", "de")
    group = await shop.create_chat("group", [lena.user_id, aylin.user_id], title="Freundinnen")
    for member in (lena.user_id, aylin.user_id):
        hello = await shop.send(group["id"], member, "/start@kaufrunde_bot")
        await shop.wait(group["id"], after=hello["message_id"])
    assert variant.gtin is not None
    (card,) = await lena.say(variant.gtin)
    assert "⭐ 1 Freund:in: 5★ · alle Käufer:innen: 5★ (1)" in card["caption"]
    assert "💬 „Super Beratung im Laden!“ – Aylin (5★)" in card["caption"]


async def test_tracking_messages_follow_the_parcel_and_the_window_can_change(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    jonas = await private_chat(shop, "Jonas", "en")
    retailer = await private_chat_with_id(shop, RETAILER_ID, "Retailer")
    confirmation, number, order_id = await _bought_and_shipped(shop, demo_catalog, jonas, retailer, "express")
    shipped = (await shop.messages(jonas.chat_id, after=confirmation["message_id"]))[-1]
    assert shipped["text"].startswith(f"🚚 Your order {number} is on its way.")

    await shop.advance_clock(timedelta(hours=7).total_seconds())
    news = [m["text"] for m in await shop.messages(jonas.chat_id, after=shipped["message_id"])]
    assert any(text.startswith(f"Your order {number} is on its way") for text in news)

    (orders,) = await jonas.say("/orders")
    detail = (await jonas.press(orders, f"ord:{order_id}", count=1))["messages"][0]
    assert "History" in detail["text"] and "shipped" in detail["text"]
    windows = (await jonas.press(detail, f"win:{order_id}", count=1))["messages"][0]
    choice = sorted(data for data in buttons(windows) if data.startswith(f"win:{order_id}:"))[-1]
    chosen = await jonas.press_and_see(windows, choice)
    assert chosen["text"].startswith("✓ New time window:")

    await shop.advance_clock(timedelta(days=3).total_seconds())
    later = [m["text"] for m in await shop.messages(jonas.chat_id, after=chosen["message_id"])]
    assert any(text.startswith(f"Your order {number} has been delivered.") for text in later)
    assert len([text for text in later if "has been delivered" in text]) == 1


async def _bought_and_shipped(
    shop: SandboxClient, db: Database, buyer: Chat, retailer: Chat, shipping: str
) -> tuple[dict[str, Any], str, int]:
    """Let the buyer pay for a product shipped home and the retailer pack and ship it.

    Returns the order confirmation, the order number and the order id.
    """
    _, variant = await _in_stock_everywhere(db)
    await _add_to_cart(buyer, variant)
    invoice = await _checkout(buyer)
    await shop.pay(buyer.chat_id, invoice["message_id"], buyer.user_id, shipping_option_id=shipping)
    (confirmation,) = await shop.wait(buyer.chat_id, after=invoice["message_id"] + 1)
    number = ORDER_NUMBER.search(confirmation["text"]).group(0)  # type: ignore[union-attr]
    (manage,) = await retailer.say(f"/order {number}")
    order_id = confirmation_order_id(manage)
    packed = await retailer.press_and_see(manage, f"adm:pack:{order_id}")
    await retailer.press_and_see(packed, f"adm:ship:{order_id}")
    return confirmation, number, order_id


async def private_chat_with_id(sb: SandboxClient, user_id: int, name: str) -> Chat:
    """Create a user with a given id (the configured retailer) and their private chat."""
    user = await sb.create_user(name, user_id=user_id, language_code="de")
    await sb.create_chat("private", [user["id"]])
    return Chat(sb, user["id"], user["id"])


def confirmation_order_id(manage: dict[str, Any]) -> int:
    """Read the order id from the retailer's buttons."""
    data = next(iter(buttons(manage)))
    return int(data.rsplit(":", 1)[1])


async def test_a_group_order_shows_who_added_what_and_each_can_pay_their_share(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    _, variant = await _in_stock_everywhere(demo_catalog)
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    group = await shop.create_chat("group", [lena["id"], tom["id"]], title="WG")
    assert variant.gtin is not None
    for member in (lena, tom):
        sent = await shop.send(group["id"], member["id"], f"@kaufrunde_bot {variant.gtin}")
        (card,) = await shop.wait(group["id"], after=sent["message_id"])
        assert buttons(card)[f"cart:pick:{variant.product_id}"] in {
            "🛒 Zur Gruppenbestellung",
            "🛒 Add to group order",
        }
        answer = await shop.press(
            group["id"], card["message_id"], member["id"], f"cart:pick:{variant.product_id}"
        )
        if not (answer["answer"] and (answer["answer"]["text"] or "").startswith("✓")):
            (choice,) = await shop.wait(group["id"], after=card["message_id"])
            await shop.press(group["id"], choice["message_id"], member["id"], f"cart:add:{variant.id}")

    sent = await shop.send(group["id"], tom["id"], "/cart")
    (cart,) = await shop.wait(group["id"], after=sent["message_id"])
    assert cart["text"].startswith("🛒 Group order")
    assert "by Lena" in cart["text"] and "by Tom" in cart["text"]
    answer = await shop.press(group["id"], cart["message_id"], tom["id"], "cart:checkout:mine")
    assert answer["answer"] is not None
    (invoice,) = await shop.wait(group["id"], after=cart["message_id"])
    paid = await shop.pay(group["id"], invoice["message_id"], tom["id"], shipping_option_id="standard")
    assert paid["status"] == "paid"

    sent = await shop.send(group["id"], lena["id"], "/cart")
    (left,) = await shop.wait(group["id"], after=sent["message_id"], count=1)
    while not left["text"].startswith("🛒"):
        (left,) = await shop.wait(group["id"], after=left["message_id"])
    assert "von Lena" in left["text"] and "von Tom" not in left["text"]


async def test_a_voucher_becomes_credit_that_comes_off_the_invoice(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    async with demo_catalog.unit_of_work() as session:
        await credits.create_voucher(
            session, code="WILLKOMMEN", amount=Money(Decimal(10), "EUR"), max_uses=100
        )
    _, variant = await _in_stock_everywhere(demo_catalog)
    tom = await private_chat(shop, "Tom", "en")
    (unknown,) = await tom.say("/voucher NOPE")
    assert unknown["text"] == "Voucher code NOPE does not exist."
    (redeemed,) = await tom.say("/voucher willkommen")
    assert redeemed["text"].startswith("🎁 Voucher WILLKOMMEN redeemed: €10.00 credit.")
    (again,) = await tom.say("/voucher WILLKOMMEN")
    assert again["text"] == "You already redeemed WILLKOMMEN."

    await _add_to_cart(tom, variant)
    invoice = await _checkout(tom)
    paid = await shop.pay(tom.chat_id, invoice["message_id"], tom.user_id, shipping_option_id="standard")
    assert paid["status"] == "paid"
    (confirmation,) = await shop.wait(tom.chat_id, after=invoice["message_id"] + 1)
    assert "Credit & vouchers: −€10.00" in confirmation["text"]


async def test_a_referral_is_rewarded_when_the_first_order_arrives_and_booked_back_on_refund(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    lena = await private_chat(shop, "Lena", "de")
    (invite,) = await lena.say("/invite")
    parameter = re.search(r"start=(ref-[\w-]+)", invite["text"]).group(1)  # type: ignore[union-attr]
    ben = await private_chat(shop, "Ben", "en")
    await ben.say(f"/start {parameter}")

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Händlerin")
    _, number, order_id = await _bought_and_shipped(shop, demo_catalog, ben, retailer, "standard")
    (credits_before,) = await lena.say("/credits")
    assert credits_before["text"].startswith("Du hast noch kein Guthaben.")

    await shop.advance_clock(timedelta(days=3).total_seconds())
    rewards = [m["text"] for m in await shop.messages(lena.chat_id, after=credits_before["message_id"])]
    assert any(
        text.startswith("🎁 Dein eingeladener Freund hat zum ersten Mal bestellt: 5,00") for text in rewards
    )
    (balance,) = await lena.say("/credits")
    assert "5,00" in balance["text"]

    (manage,) = await retailer.say(f"/order {number}")
    await retailer.press_and_see(manage, f"adm:refund:{order_id}")
    (balance,) = await lena.say("/credits")
    assert balance["text"].startswith("💰 Dein Guthaben: 0,00"), balance["text"]
