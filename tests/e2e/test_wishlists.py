"""Wishlists: add from a card, share into a group, claim gifts in secret, and price-drop alerts."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.sandbox import SandboxClient
from catalog import prices
from catalog.models import Product
from core.clock import Clock
from core.db import Database
from tests.e2e.conftest import Chat, buttons, private_chat

CLAIM_WORDS = ("schenk", "vergeben", "claim", "giving", "Lena", "Aylin", "🎁 Du", "reserv")


async def _products(db: Database, count: int) -> list[Product]:
    async with db.unit_of_work() as session:
        found = await session.scalars(
            select(Product).where(Product.active.is_(True)).order_by(Product.id).limit(count)
        )
        return list(found)


async def _wish(chat: Chat, product: Product) -> dict[str, Any]:
    """Open the product's card and tap ⭐; return the callback answer."""
    (card,) = await chat.say(f"/start p{product.id}")
    assert f"wl:add:{product.id}" in buttons(card)
    answer: dict[str, Any] = await chat.press(card, f"wl:add:{product.id}")
    return answer


async def _group_lists(sb: SandboxClient, group: dict[str, Any], user: Chat) -> list[dict[str, Any]]:
    sent = await sb.send(group["id"], user.user_id, "/wishlist")
    return await sb.wait(group["id"], after=sent["message_id"])


async def _friends(shop: SandboxClient) -> tuple[Chat, Chat, Chat, dict[str, Any]]:
    tom = await private_chat(shop, "Tom", "en")
    lena = await private_chat(shop, "Lena", "de")
    aylin = await private_chat(shop, "Aylin", "de")
    group = await shop.create_chat("group", [tom.user_id, lena.user_id, aylin.user_id], title="Freunde")
    for member in (tom, lena, aylin):  # the bot learns who is in the group from what they send there
        assert await _group_lists(shop, group, member)
    return tom, lena, aylin, group


async def test_shared_wishlist_claims_stay_hidden_from_the_owner(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    first, second = await _products(demo_catalog, 2)
    tom, lena, aylin, group = await _friends(shop)

    added = await _wish(tom, first)
    assert added["answer"]["text"] == f"⭐ {first.title_en} is on your wishlist."
    (mine,) = await tom.say("/wishlist")
    assert first.title_en in mine["text"] and "wl:share" in buttons(mine)
    picker = (await tom.press(mine, "wl:share", count=1))["messages"][0]
    assert buttons(picker) == {f"wl:to:{group['id']}": "Freunde"}
    shared = (await tom.press(picker, f"wl:to:{group['id']}", count=1))["messages"][0]
    assert "Tom's wishlist" in shared["text"]

    posted = next(m for m in await shop.messages(group["id"]) if "Tom's wishlist" in (m.get("text") or ""))
    assert first.title_en in posted["text"]
    (gift,) = [data for data in buttons(posted) if data.startswith("wl:gift:")]

    claimed = await shop.press(group["id"], posted["message_id"], lena.user_id, gift)
    assert claimed["answer"]["text"].startswith(f"🎁 Du schenkst {first.title_de}.")
    (private,) = await shop.wait(lena.chat_id, after=lena.last, count=1)
    assert "Deine Geschenke" in private["text"] and "du schenkst 1 (vergeben 1 von 1)" in private["text"]
    assert any(data.startswith("wl:rel:") for data in buttons(private))

    surprised = await shop.press(group["id"], posted["message_id"], tom.user_id, gift)
    assert surprised["answer"]["text"] == "This is your own wishlist – let yourself be surprised!"

    # What Tom can read: his private list and everything in the group.
    (mine,) = await tom.say("/wishlist")
    listed_again = [m for m in await _group_lists(shop, group, tom) if "Tom's wishlist" in m["text"]]
    assert listed_again[0]["text"] == posted["text"]
    assert buttons(listed_again[0]) == buttons(posted)
    for text in [mine["text"], *(m.get("text") or "" for m in await shop.messages(group["id"]))]:
        assert not any(word in text for word in CLAIM_WORDS), text
    edited = [m for m in await shop.messages(group["id"]) if m.get("edit_date")]
    assert edited == []

    # Two friends claim the last unit at the same moment: one gets it, the other is told it is taken.
    await _wish(tom, second)
    (fresh,) = [m for m in await _group_lists(shop, group, aylin) if "Tom's wishlist" in m["text"]]
    gift = _gift_button(fresh, second.title_de)
    answers = await asyncio.gather(
        shop.press(group["id"], fresh["message_id"], lena.user_id, gift),
        shop.press(group["id"], fresh["message_id"], aylin.user_id, gift),
    )
    texts = sorted(answer["answer"]["text"] for answer in answers)
    assert texts[0] == "Alle Stück sind schon vergeben."
    assert texts[1].startswith(f"🎁 Du schenkst {second.title_de}.")


def _gift_button(message: dict[str, Any], title: str) -> str:
    """Return the gift button of the wish titled ``title`` (lines and buttons share their numbers)."""
    lines = [line for line in message["text"].splitlines() if line[:1].isdigit()]
    number = next(line.split(".", 1)[0] for line in lines if title in line)
    return next(data for data, label in buttons(message).items() if label.startswith(f"🎁 {number}:"))


async def test_a_price_drop_is_announced_to_the_owner_once(
    shop: SandboxClient, demo_catalog: Database, clock: Clock
) -> None:
    (product,) = await _products(demo_catalog, 1)
    lena = await private_chat(shop, "Lena", "de")
    await _wish(lena, product)
    async with demo_catalog.unit_of_work() as session:
        await prices.set_price(
            session,
            product_id=product.id,
            price=(product.price * Decimal("0.8")).quantize(Decimal("0.01")),
            compare_at_price=None,
            now=clock.now(),
        )
    before = len(await shop.messages(lena.chat_id))
    await shop.advance_clock(3601)
    news = (await shop.messages(lena.chat_id))[before:]
    assert len(news) == 1
    assert news[0].get("photo"), "a price drop comes with its price history as a picture"
    assert news[0]["caption"].startswith(f"📉 {product.title_de} von deiner Wunschliste ist jetzt günstiger")

    await shop.advance_clock(3601)
    assert len(await shop.messages(lena.chat_id)) == before + 1


async def test_a_wish_gets_a_priority_and_a_note(shop: SandboxClient, demo_catalog: Database) -> None:
    (product,) = await _products(demo_catalog, 1)
    tom = await private_chat(shop, "Tom", "de")
    await _wish(tom, product)
    (mine,) = await tom.say("/wishlist")
    cycle = next(data for data in buttons(mine) if data.startswith("wl:prio:"))
    assert cycle.endswith(":3"), "a new wish has priority 2; the button moves it to 3"
    changed = await tom.press_and_see(mine, cycle)
    assert "wäre nett" in changed["text"]

    note_button = next(data for data in buttons(changed) if data.startswith("wl:note:"))
    asked = (await tom.press(changed, note_button, count=1))["messages"][0]
    assert asked["text"].startswith("📝 Notiz für Wunsch Nr. ")
    sent = await shop.send(
        tom.chat_id, tom.user_id, "Bitte in Größe M", reply_to_message_id=asked["message_id"]
    )
    (saved,) = await shop.wait(tom.chat_id, after=sent["message_id"])
    assert saved["text"].startswith("Notiz gespeichert.")
    (again,) = await tom.say("/wishlist")
    assert "Bitte in Größe M" in again["text"]
