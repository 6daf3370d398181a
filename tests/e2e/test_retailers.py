"""Retailer accounts in the chat: an admin creates a retailer, its owner joins and invites staff, API keys,
and a member of one retailer never sees or changes another retailer's orders, reviews or group buys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from bot.sandbox import SandboxClient
from catalog import retailers
from catalog.demo import RETAILER_SLUG
from catalog.models import Product, Retailer
from core import chats, users
from core.clock import Clock
from core.db import Database
from core.money import Money
from orders import fulfilment
from orders.models import Order
from social import groupbuys, reviews
from tests.e2e.conftest import RETAILER_ID, Chat, buttons, private_chat
from tests.e2e.test_checkout import private_chat_with_id
from tests.social.conftest import buy

CODE = re.compile(r"R-[A-Za-z0-9_-]{12}")
KEY = re.compile(r"kr_[A-Za-z0-9_-]{32}")


def _code(message: dict[str, Any]) -> str:
    found = CODE.search(message["text"])
    assert found is not None, message["text"]
    return found.group(0)


async def test_an_admin_creates_a_retailer_whose_owner_joins_and_invites_staff(
    runtime: Any, sb: SandboxClient
) -> None:
    admin = await private_chat_with_id(sb, RETAILER_ID, "Ada")
    olga = await private_chat(sb, "Olga", "de")
    sami = await private_chat(sb, "Sami", "en")
    sven = await private_chat(sb, "Sven", "en")

    (refused,) = await sven.say("/retailer new Sven's Shop")
    assert refused["text"] == "Only platform administrators can create retailers."
    (nameless,) = await admin.say("/retailer new")
    assert nameless["text"].startswith("Gib dem Händler einen Namen mit mindestens zwei Zeichen")
    (created,) = await admin.say("/retailer new Müller Mode")
    assert created["text"].startswith("🏪 Händler Müller Mode angelegt.")
    owner_code = _code(created)

    (none,) = await olga.say("/retailer")
    assert none["text"].startswith("Du handelst für keinen Händler.")
    (wrong,) = await olga.say("/retailer R-000000000000")
    assert wrong["text"] == "Dieser Code ist unbekannt, schon benutzt oder abgelaufen. Bitte um einen neuen."
    (joined,) = await olga.say(f"/retailer {owner_code}")
    assert joined["text"].startswith("✅ Willkommen! Du handelst jetzt für Müller Mode als Inhaber:in.")
    (again,) = await sven.say(f"/retailer {owner_code}")
    assert again["text"] == "This code is unknown, used already or expired. Ask for a new one."

    (invited,) = await olga.say("/retailer invite")
    assert invited["text"].startswith("🔑 Ein Einmal-Code für neue Mitarbeitende von Müller Mode")
    (staff,) = await sami.say(f"/retailer {_code(invited)}")
    assert staff["text"].startswith("✅ Welcome! You now act for Müller Mode as staff.")
    (twice,) = await sami.say(f"/retailer {owner_code}")
    assert twice["text"].startswith("You act for a retailer already")
    (not_owner,) = await sami.say("/retailer invite")
    assert not_owner["text"] == "Only the retailer's owner can do that."

    (account,) = await olga.say("/retailer")
    assert account["text"].startswith("🏪 Müller Mode – du bist Inhaber:in.")
    assert (
        "· Olga (Inhaber:in" in account["text"]
        and f"· Sami (Mitarbeiter:in, ID {sami.user_id})" in account["text"]
    )
    (usage,) = await olga.say("/retailer dance")
    assert usage["text"].startswith("So geht /retailer:")

    group = await sb.create_chat("group", [olga.user_id], title="Laden-Team")
    sent = await sb.send(group["id"], olga.user_id, "/apikey@kaufrunde_bot")
    (private_only,) = await sb.wait(group["id"], after=sent["message_id"])
    assert private_only["text"].startswith("Händlerkonten verwaltest du im privaten Chat mit mir")

    (no_key,) = await sami.say("/apikey")
    assert no_key["text"] == "Only the retailer's owner can do that."
    (key_message,) = await olga.say("/apikey")
    assert key_message["text"].startswith("🔐 Ein neuer API-Schlüssel für Müller Mode")
    key = KEY.search(key_message["text"])
    assert key is not None and "/api/v1" in key_message["text"]
    async with runtime.db.unit_of_work() as session:
        found = await retailers.by_api_key(session, key=key.group(0))
    assert found is not None and found.name == "Müller Mode"
    (unknown_key,) = await olga.say("/apikey revoke kr_nothing")
    assert unknown_key["text"].startswith("Kein Schlüssel in Gebrauch beginnt mit kr_nothing.")
    (revoked,) = await olga.say("/apikey revoke")
    assert revoked["text"] == "Ein Schlüssel gesperrt: Er funktioniert nicht mehr."

    (removed,) = await olga.say(f"/retailer remove {sami.user_id}")
    assert removed["text"] == f"Nutzer:in {sami.user_id} arbeitet nicht mehr für deinen Händler."
    (gone,) = await sami.say("/reviews")
    assert gone["text"] == "Only retailers can do that."


@dataclass
class TwoShops:
    """The demo shop with its member Dana and a second retailer with its member Yusuf."""

    dana: Chat
    yusuf: Chat
    order_number: str
    review_id: int
    group_buy_id: int
    product: Product


async def _two_shops(shop: SandboxClient, db: Database, clock: Clock) -> TwoShops:
    dana = await private_chat(shop, "Dana", "en")
    yusuf = await private_chat(shop, "Yusuf", "en")
    buyer = await private_chat(shop, "Bea", "en")
    reader = await private_chat(shop, "Rita", "en")
    for chat in (dana, yusuf, buyer, reader):
        await chat.say("/start")
    now = clock.now()
    async with db.unit_of_work() as session:
        demo_id = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
        assert demo_id is not None
        for member, retailer_id in ((dana, demo_id), (yusuf, None)):
            if retailer_id is None:
                invite = await retailers.create(
                    session, name="Yusufs Laden", created_by=dana.user_id, now=now
                )
            else:
                invite = await retailers.invite(
                    session, retailer_id=retailer_id, role="owner", created_by=dana.user_id, now=now
                )
            await retailers.redeem(session, code=invite.code, user_id=member.user_id, now=now)
        product = await session.scalar(select(Product).order_by(Product.id).limit(1))
        assert product is not None
        paid = await buy(session, user_id=buyer.user_id, product_id=product.id, now=now, status="paid")
        await session.execute(update(Order).where(Order.id == paid).values(number="KR-000777"))
        delivered = await buy(session, user_id=buyer.user_id, product_id=product.id, now=now)
        await fulfilment.save_review(
            session, order_id=delivered, user_id=buyer.user_id, stars=1, text="Schlecht!", now=now
        )
        review_id = await session.scalar(
            select(fulfilment.Review.id).where(fulfilment.Review.order_id == delivered)
        )
        assert review_id is not None
        await reviews.report(session, review_id=review_id, reporter_id=reader.user_id, reason="spam", now=now)
        tiers = groupbuys.parse_tiers("1:50 5:40", currency=product.currency)
        await groupbuys.set_offer(
            session, product_id=product.id, tiers=tiers, min_units=5, max_units=None, by=None, now=now
        )
        await chats.touch(session, chat=chats.ChatInfo(id=-4777, type="group", title="Freunde"), now=now)
        await users.touch(session, person=users.Person(id=buyer.user_id, first_name="Bea"), now=now)
        await chats.set_membership(session, chat_id=-4777, user_id=buyer.user_id, status="member", now=now)
        progress = await groupbuys.open(
            session,
            product_id=product.id,
            chat_id=-4777,
            opened_by=buyer.user_id,
            by_retailer=False,
            days=3,
            locale="en",
            now=now,
        )
    return TwoShops(dana, yusuf, "KR-000777", review_id, progress.id, product)


async def test_a_retailer_sees_and_changes_only_its_own_orders(
    shop: SandboxClient, demo_catalog: Database, clock: Clock
) -> None:
    shops = await _two_shops(shop, demo_catalog, clock)

    (foreign,) = await shops.yusuf.say(f"/order {shops.order_number}")
    assert foreign["text"] == "I can't find this order." and not buttons(foreign)
    (pickup,) = await shops.yusuf.say(f"/pickup {shops.order_number} ABCDEF")
    assert pickup["text"] == "I can't find this order."

    (own,) = await shops.dana.say(f"/order {shops.order_number}")
    pack = next(data for data in buttons(own) if data.startswith("adm:pack:"))
    packed = await shops.dana.press_and_see(own, pack)
    assert packed["text"] == f"Order {shops.order_number}: now packed."


async def test_a_retailer_moderates_only_reviews_of_its_own_orders(
    shop: SandboxClient, demo_catalog: Database, clock: Clock
) -> None:
    shops = await _two_shops(shop, demo_catalog, clock)

    (empty,) = await shops.yusuf.say("/reviews")
    assert "Schlecht!" not in empty["text"] and not buttons(empty)
    (queue,) = await shops.dana.say("/reviews")
    assert "Schlecht!" in queue["text"] and f"rvh:{shops.review_id}" in buttons(queue)


async def test_a_retailer_lists_and_prices_only_its_own_group_buys(
    shop: SandboxClient, demo_catalog: Database, clock: Clock
) -> None:
    shops = await _two_shops(shop, demo_catalog, clock)

    (none,) = await shops.yusuf.say("/groupbuys")
    assert none["text"] == "No group buys yet." or f"#{shops.group_buy_id}" not in none["text"]
    (tiers,) = await shops.yusuf.say(f"/tiers {shops.product.sku} 1:30 5:20")
    assert tiers["text"] == f"I don't know a product with the SKU {shops.product.sku}."
    async with demo_catalog.unit_of_work() as session:
        offer = await groupbuys.offers(session, product_ids=[shops.product.id])
    assert offer[0].tiers[0].price == Money(Decimal(50), "EUR"), "another retailer's tiers stay"

    (listing,) = await shops.dana.say("/groupbuys")
    assert f"gb:adm:{shops.group_buy_id}" in buttons(listing)
    (priced,) = await shops.dana.say(f"/tiers {shops.product.sku} 1:30 5:20")
    assert "30" in priced["text"]
