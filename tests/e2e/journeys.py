"""The main journeys of Kaufrunde's users as steps, each checking what the user sees along the way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.sandbox import SandboxClient
from tests.e2e.conftest import Chat, buttons, private_chat

ORDER_NUMBER = re.compile(r"KR-\d{6}")


def text(message: dict[str, Any]) -> str:
    """Return what a message says: its text or its caption."""
    return str(message.get("text") or message.get("caption") or "")


async def first_conversation(sb: SandboxClient, name: str) -> Chat:
    """Meet the bot in German with /start, then switch to English with /language."""
    chat = await private_chat(sb, name, "de")
    (greeting,) = await chat.say("/start")
    assert greeting["text"].startswith(f"Hallo {name}! 👋 Ich bin Kaufrunde")
    (chooser,) = await chat.say("/language")
    assert chooser["text"] == "Welche Sprache soll ich sprechen?"
    switched = await chat.press_and_see(chooser, "lang:en")
    assert switched["text"] == "Got it, from now on I'll speak English. 🇬🇧"
    return chat


@dataclass(frozen=True)
class Picked:
    """A product put in the cart, and whether the bot asked for its colour and size first."""

    product_id: int
    asked_variant: bool


async def search_to_cart(chat: Chat, query: str) -> Picked:
    """Search, open the first result's card and put the product in the cart."""
    (results,) = await chat.say(query)
    assert results["text"].startswith("🔎 ")
    opened = next(data for data in buttons(results) if data.startswith("card:"))
    card = (await chat.press(results, opened, count=1))["messages"][0]
    assert card["photo"] and "Availability" in card["caption"]
    product_id = int(opened.split(":")[1])
    answer = await chat.press(card, f"cart:pick:{product_id}")
    asked = not (answer["answer"] and (answer["answer"]["text"] or "").startswith("✓"))
    if asked:
        (choice,) = await chat.sb.wait(chat.chat_id, after=card["message_id"])
        variant = next(data for data in buttons(choice) if data.startswith("cart:add:"))
        answer = await chat.press(choice, variant)
    assert answer["answer"]["text"].startswith("✓") and "is in your cart" in answer["answer"]["text"]
    return Picked(product_id, asked)


async def checkout_and_pay(chat: Chat) -> str:
    """Check the cart out, pay the invoice with standard shipping and return the confirmed order number."""
    (cart,) = await chat.say("/cart")
    assert cart["text"].startswith("🛒 Your cart")
    invoice = (await chat.press(cart, "cart:checkout", count=1))["messages"][0]
    assert invoice["invoice"]["currency"] == "EUR"
    paid = await chat.sb.pay(chat.chat_id, invoice["message_id"], chat.user_id, shipping_option_id="standard")
    assert paid["status"] == "paid", paid
    (confirmation,) = await chat.sb.wait(chat.chat_id, after=paid["message_id"])
    assert confirmation["text"].startswith("✅ Thank you! Your order KR-")
    return ORDER_NUMBER.search(confirmation["text"]).group(0)  # type: ignore[union-attr]


async def orders(chat: Chat) -> list[str]:
    """Return the order numbers /orders lists."""
    (listing,) = await chat.say("/orders")
    assert listing["text"].startswith("📦 Your orders")
    return ORDER_NUMBER.findall(listing["text"])


async def wish(chat: Chat, product_id: int) -> str:
    """Open a product's card through its deep link and add it to the wishlist; return /wishlist's text."""
    (card,) = await chat.say(f"/start p{product_id}")
    answer = await chat.press(card, f"wl:add:{product_id}")
    title = card["caption"].split("\n", 1)[0]
    assert answer["answer"]["text"] == f"⭐ {title} is on your wishlist."
    (listing,) = await chat.say("/wishlist")
    assert listing["text"].startswith("⭐ Your wishlist")
    return str(listing["text"])


async def group_vote(sb: SandboxClient, poster: Chat, voters: list[Chat]) -> int:
    """Share a card into a new group through inline mode, everyone votes 👍 and sees the count; return the
    group's id."""
    members = [poster.user_id, *(voter.user_id for voter in voters)]
    group = await sb.create_chat("group", members, title="Freunde")
    offered = await sb.inline(poster.user_id, "sneaker", group["id"])
    first = offered["results"][0]
    posted = await sb.choose(offered["inline_query_id"], first["id"])
    card = next(m for m in await sb.messages(group["id"]) if m["message_id"] == posted["message_id"])
    for count, voter in enumerate(voters, start=1):
        await sb.advance_clock(3)  # the count on a card is edited at most every two seconds
        answer = await sb.press(group["id"], card["message_id"], voter.user_id, f"vote:{first['id']}:1")
        assert answer["answer"]["text"] == "👍 Your vote is counted."
        card = await sb.wait_edit(group["id"], card["message_id"], version=card["version"])
        assert [button["text"] for button in card["reply_markup"]["inline_keyboard"][0]] == [
            f"👍 {count}",
            "👎 0",
        ]
    return int(group["id"])
