"""Group buys through the sandbox: a retailer offers tiers, five friends open, join, change, leave and pay."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from bot.sandbox import SandboxClient
from catalog.models import Product, Stock, Store, Variant
from core.db import Database
from orders.models import Order
from tests.e2e.conftest import RETAILER_ID, Chat, buttons, private_chat

PROGRESS = re.compile(r"gb:join:(\d+)")


@dataclass
class Group:
    """Five friends with private chats with the bot and one group chat."""

    sb: SandboxClient
    chat_id: int
    members: dict[str, Chat]


async def _product(db: Database, *, units: int) -> tuple[Product, Variant]:
    """Take a demo product, leave it one variant in stock with exactly ``units`` units in the warehouse."""
    async with db.unit_of_work() as session:
        product = await session.scalar(select(Product).order_by(Product.id).limit(1))
        assert product is not None
        variant = await session.scalar(
            select(Variant).where(Variant.product_id == product.id).order_by(Variant.id).limit(1)
        )
        assert variant is not None
        warehouse = await session.scalar(select(Store.id).where(Store.is_warehouse.is_(True)))
        await session.execute(
            update(Stock)
            .where(Stock.variant_id.in_(select(Variant.id).where(Variant.product_id == product.id)))
            .values(quantity=0)
        )
        await session.execute(
            update(Stock)
            .where(Stock.variant_id == variant.id, Stock.store_id == warehouse)
            .values(quantity=units)
        )
    return product, variant


async def _group(sb: SandboxClient) -> Group:
    members = {
        name: await private_chat(sb, name, language)
        for name, language in (("Lena", "de"), ("Tom", "en"), ("Aylin", "de"), ("Jonas", "de"), ("Mia", "en"))
    }
    group = await sb.create_chat("group", [chat.user_id for chat in members.values()], title="WG")
    return Group(sb, group["id"], members)


async def _offer(sb: SandboxClient, product: Product, tiers: str) -> None:
    retailer = await private_chat_for(sb, RETAILER_ID)
    (answer,) = await retailer.say(f"/tiers {product.sku} {tiers}")
    assert _text(answer).startswith("✅"), _text(answer)


async def private_chat_for(sb: SandboxClient, user_id: int) -> Chat:
    await sb.create_user("Laden", user_id=user_id, language_code="de")
    await sb.create_chat("private", [user_id])
    return Chat(sb, user_id, user_id)


async def _open(group: Group, opener: str, product: Product, days: int = 3) -> dict[str, Any]:
    """Open a group buy with /groupbuy SKU and return the group's progress message."""
    sb, lena = group.sb, group.members[opener]
    sent = await sb.send(group.chat_id, lena.user_id, f"/groupbuy {product.sku}")
    (picker,) = await sb.wait(group.chat_id, after=sent["message_id"])
    await sb.press(group.chat_id, picker["message_id"], lena.user_id, f"gb:new:{product.id}")
    picker = await sb.wait_edit(group.chat_id, picker["message_id"], version=picker["version"])
    assert "from 5 units" in _text(picker) or "ab 5 Stück" in _text(picker)
    await sb.press(group.chat_id, picker["message_id"], lena.user_id, f"gb:open:{product.id}:{days}")
    (progress,) = await sb.wait(group.chat_id, after=picker["message_id"])
    return progress


async def _join(
    group: Group, name: str, progress: dict[str, Any], variant: Variant, quantity: int
) -> dict[str, Any]:
    """Press "join" in the group, pick the variant and quantity in private; return the private answer."""
    sb, person = group.sb, group.members[name]
    group_buy_id = PROGRESS.search(" ".join(buttons(progress))).group(1)  # type: ignore[union-attr]
    before = await _last(sb, person.chat_id)
    answer = await sb.press(group.chat_id, progress["message_id"], person.user_id, f"gb:join:{group_buy_id}")
    assert answer["answer"]["text"] in {"Ich habe dir privat geschrieben.", "I've written to you privately."}
    (question,) = await sb.wait(person.chat_id, after=before)
    if f"gb:v:{group_buy_id}:{variant.id}" in buttons(question):
        await sb.press(
            person.chat_id, question["message_id"], person.user_id, f"gb:v:{group_buy_id}:{variant.id}"
        )
        question = await sb.wait_edit(person.chat_id, question["message_id"], version=question["version"])
    return await _choose(group, name, question, f"gb:q:{group_buy_id}:{variant.id}:{quantity}")


def _text(message: dict[str, Any]) -> str:
    """Return a message's text with Babel's non-breaking spaces as plain ones."""
    return str(message["text"]).replace("\xa0", " ").replace("\u202f", " ")


async def _last(sb: SandboxClient, chat_id: int) -> int:
    messages = await sb.messages(chat_id)
    return messages[-1]["message_id"] if messages else 0


async def _choose(group: Group, name: str, question: dict[str, Any], data: str) -> dict[str, Any]:
    sb, person = group.sb, group.members[name]
    await sb.press(person.chat_id, question["message_id"], person.user_id, data)
    return await sb.wait_edit(person.chat_id, question["message_id"], version=question["version"])


async def _progress_after(sb: SandboxClient, group: Group, progress: dict[str, Any]) -> dict[str, Any]:
    """Let the coalescing interval pass and return the progress message once it shows the change."""
    await sb.advance_clock(3)
    return await sb.wait_edit(group.chat_id, progress["message_id"], version=progress["version"])


async def test_open_join_change_leave_wait_and_pay_at_the_tier_reached(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    product, variant = await _product(demo_catalog, units=50)
    await _offer(shop, product, "1-4:50 5-9:42 10+:35 min 5 max 8")
    group = await _group(shop)
    await shop.set_member(group.chat_id, (await shop.bot_status())["id"], "administrator")

    progress = await _open(group, "Lena", product)
    assert _text(progress).startswith("👥 Sammelbestellung:")
    assert "Noch 5 Stück bis zum Minimum von 5" in _text(progress)
    progress = await shop.wait_edit(group.chat_id, progress["message_id"], version=progress["version"])
    assert progress.get("pinned") is True, "the bot may pin as an administrator"

    joined = await _join(group, "Lena", progress, variant, 2)
    assert _text(joined).startswith("✅ Du bist dabei: 2×")
    assert "je 50,00 €" in _text(joined)
    progress = await _progress_after(shop, group, progress)
    assert "📦 2 Stück von 1 Person · jetzt je 50,00 €" in _text(progress)
    assert "Noch 3 Stück, dann sinkt der Preis auf 42,00 €" in _text(progress)

    await _join(group, "Tom", progress, variant, 2)
    await _join(group, "Aylin", progress, variant, 1)
    progress = await _progress_after(shop, group, progress)
    assert "📦 5 Stück von 3 Personen · jetzt je 42,00 €" in _text(progress), "the tier changes at 5 units"
    assert "Minimum von 5 erreicht" in _text(progress)
    assert "▸ ab 5 Stück: je 42,00 €" in _text(progress)

    # Tom changes his quantity, Aylin leaves: 2 + 3 = 5 units.
    await _join(group, "Tom", progress, variant, 3)
    left = await shop.press(
        group.members["Aylin"].chat_id,
        (await shop.messages(group.members["Aylin"].chat_id))[-1]["message_id"],
        group.members["Aylin"].user_id,
        "gb:leave:" + PROGRESS.search(" ".join(buttons(progress))).group(1),  # type: ignore[union-attr]
    )
    assert left["answer"] is not None
    await _join(group, "Mia", progress, variant, 3)
    progress = await _progress_after(shop, group, progress)
    assert "📦 8 Stück von 3 Personen" in _text(progress)
    assert "Alle Stück sind vergeben" in _text(progress)

    # Jonas wants 2 but all 8 are taken: sold out, onto the waiting list.
    sold_out = await _join(group, "Jonas", progress, variant, 2)
    assert _text(sold_out).startswith("🔒 Ausverkauft: nur noch 0 Stück frei.")
    group_buy_id = PROGRESS.search(" ".join(buttons(progress))).group(1)  # type: ignore[union-attr]
    queued = await _choose(group, "Jonas", sold_out, f"gb:wl:{group_buy_id}:{variant.id}:2")
    assert _text(queued).startswith("⏳ Du bist Nummer 1 auf der Warteliste")

    # Mia leaves: Jonas moves up and is told.
    jonas = group.members["Jonas"]
    before = await _last(shop, jonas.chat_id)
    mia = group.members["Mia"]
    mia_share = (await shop.messages(mia.chat_id))[-1]
    await shop.press(mia.chat_id, mia_share["message_id"], mia.user_id, f"gb:leave:{group_buy_id}")
    (moved_up,) = await shop.wait(jonas.chat_id, after=before)
    assert _text(moved_up).startswith("🎉 Es ist etwas frei geworden: du bist jetzt mit 2 Stück")
    progress = await _progress_after(shop, group, progress)
    assert "📦 7 Stück von 3 Personen" in _text(progress)

    # The deadline: everyone is invoiced at the tier reached (7 units: 42 € each).
    lena = group.members["Lena"]
    last_seen = {name: await _last(shop, chat.chat_id) for name, chat in group.members.items()}
    await shop.advance_clock(3 * 24 * 3600)
    note, invoice = await shop.wait(lena.chat_id, after=last_seen["Lena"], count=2)
    assert _text(note).startswith("👥 Die Sammelbestellung für")
    assert invoice["invoice"]["total_amount"] == 2 * 4200
    (_, tom_invoice) = await shop.wait(group.members["Tom"].chat_id, after=last_seen["Tom"], count=2)
    assert tom_invoice["invoice"]["total_amount"] == 3 * 4200
    assert await shop.messages(group.members["Aylin"].chat_id, after=last_seen["Aylin"]) == []
    progress = await shop.wait_edit(group.chat_id, progress["message_id"], version=progress["version"])
    assert "✅ Sie kommt zustande: 7 Stück zu je 42,00 €" in _text(progress)

    paid = await shop.pay(lena.chat_id, invoice["message_id"], lena.user_id, shipping_option_id="standard")
    assert paid["status"] == "paid"
    (confirmation,) = await shop.wait(lena.chat_id, after=invoice["message_id"] + 1)
    assert _text(confirmation).startswith("✅ Danke! Deine Bestellung KR-")
    await shop.redeliver(paid["update_id"])
    (orders,) = await lena.say("/orders")
    assert "👥 <b>" not in _text(orders) and "Deine Sammelbestellungen" in _text(orders)
    assert "· 2× · bezahlt" in _text(orders)
    async with demo_catalog.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Order)) == 1, (
            "one order, also when repeated"
        )

    # Tom and Jonas don't pay within 24 hours: their units are released, and nobody else is waiting.
    tom = group.members["Tom"]
    before_tom = await _last(shop, tom.chat_id)
    await shop.advance_clock(24 * 3600 + 60)
    (lapsed,) = await shop.wait(tom.chat_id, after=before_tom)
    assert _text(lapsed).startswith("⌛ The payment deadline for")
    progress = await shop.wait_edit(group.chat_id, progress["message_id"], version=progress["version"])
    assert "✅ Fertig: 2 Stück gemeinsam gekauft, zu je 42,00 €." in _text(progress)
    assert progress.get("pinned") is not True, "the finished group buy is unpinned"


async def test_minimum_missed_cancels_and_nobody_pays(shop: SandboxClient, demo_catalog: Database) -> None:
    product, variant = await _product(demo_catalog, units=20)
    await _offer(shop, product, "1:50 5:42 10:35 min 10")
    group = await _group(shop)
    progress = await _open(group, "Tom", product, days=1)
    assert _text(progress).startswith("👥 Group buy:")
    assert progress.get("pinned") is not True, "a plain member bot may not pin"
    await _join(group, "Tom", progress, variant, 3)
    await _join(group, "Lena", progress, variant, 2)
    lena = group.members["Lena"]
    before = await _last(shop, lena.chat_id)

    await shop.advance_clock(24 * 3600)

    (cancelled,) = await shop.wait(lena.chat_id, after=before)
    assert _text(cancelled).startswith("❌ Die Sammelbestellung für")
    assert "Du zahlst nichts" in _text(cancelled)
    progress = await shop.wait_edit(group.chat_id, progress["message_id"], version=progress["version"])
    assert "Only 5 of the 10 units needed came together" in _text(progress)
    assert buttons(progress) == {}
    assert not any("invoice" in m for m in await shop.messages(lena.chat_id, after=before))
    async with demo_catalog.unit_of_work() as session:
        assert (
            await session.scalar(
                select(Stock.quantity).where(Stock.variant_id == variant.id, Stock.quantity > 0)
            )
            == 20
        )


async def test_joining_without_a_private_chat_gets_a_link_to_start_one(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    product, _ = await _product(demo_catalog, units=10)
    await _offer(shop, product, "1:50 5:42")
    group = await _group(shop)
    stranger = await shop.create_user("Noah", language_code="en")
    await shop.set_member(group.chat_id, stranger["id"], "member")
    progress = await _open(group, "Lena", product)
    group_buy_id = PROGRESS.search(" ".join(buttons(progress))).group(1)  # type: ignore[union-attr]

    answer = await shop.press(
        group.chat_id, progress["message_id"], stranger["id"], f"gb:join:{group_buy_id}"
    )

    assert answer["answer"]["text"] == "Start a chat with me first – then you can join."
    assert answer["answer"]["url"].endswith(f"?start=gb{group_buy_id}")
    await shop.create_chat("private", [stranger["id"]])
    noah = Chat(shop, stranger["id"], stranger["id"])
    (question,) = await noah.say(f"/start gb{group_buy_id}")
    assert "how many?" in _text(question) or "which one" in _text(question)


async def test_retailers_set_tiers_and_follow_their_group_buys(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    product, variant = await _product(demo_catalog, units=10)
    retailer = await private_chat_for(shop, RETAILER_ID)
    (usage,) = await retailer.say(f"/tiers {product.sku}")
    assert _text(usage).startswith("So geht es als Händler: /tiers")
    (unordered,) = await retailer.say(f"/tiers {product.sku} 1:40 5:45")
    assert _text(unordered).startswith("Jede Staffel beginnt, wo die vorige endet, und ist günstiger")
    (unknown,) = await retailer.say("/tiers NOPE-1 1:40 5:35")
    assert _text(unknown) == "Einen Artikel mit der Nummer NOPE-1 kenne ich nicht."
    (offered,) = await retailer.say(f"/tiers {product.sku} 1-4:50 5+:40 max 6")
    assert "Kommt ab 5 Stück zustande, höchstens 6 Stück." in _text(offered)

    group = await _group(shop)
    customer = group.members["Mia"]
    (hint,) = await customer.say("/groupbuy")
    assert _text(hint) == "Group buys happen in groups: write /groupbuy there."
    (refused,) = await customer.say("/tiers X 1:5")
    assert _text(refused) == "Only retailers may do that."
    progress = await _open(group, "Mia", product)
    await _join(group, "Mia", progress, variant, 4)
    await _join(group, "Jonas", progress, variant, 2)

    (listing,) = await retailer.say("/groupbuys")
    assert "#" in _text(listing) and "läuft · 6 Stück von 2 Personen · je 40,00 €" in _text(listing)
    (data,) = [key for key in buttons(listing) if key.startswith("gb:adm:")]
    answer = await retailer.press(listing, data, count=1)
    detail = _text(answer["messages"][0])
    assert "Mia: 4×" in detail and "Jonas: 2×" in detail and "dabei, bis" in detail

    # The group buy is full: only its opener may close it early, and it is invoiced at once.
    progress = await _progress_after(shop, group, progress)
    group_buy_id = data.removeprefix("gb:adm:")
    assert f"gb:close:{group_buy_id}" in buttons(progress)
    jonas = group.members["Jonas"]
    not_opener = await shop.press(
        group.chat_id, progress["message_id"], jonas.user_id, f"gb:close:{group_buy_id}"
    )
    assert (
        not_opener["answer"]["text"]
        == "Vorzeitig abschließen kann nur, wer die Sammelbestellung gestartet hat."
    )
    before = await _last(shop, customer.chat_id)
    await shop.press(group.chat_id, progress["message_id"], customer.user_id, f"gb:close:{group_buy_id}")
    _, invoice = await shop.wait(customer.chat_id, after=before, count=2)
    assert invoice["invoice"]["total_amount"] == 4 * 4000
