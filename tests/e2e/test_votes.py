"""Votes on product cards in a group: one per person, changeable, counts edited in place."""

from __future__ import annotations

from typing import Any

from bot.sandbox import SandboxClient
from tests.e2e.conftest import card_in_group


def _counts(message: dict[str, Any]) -> list[str]:
    return [button["text"] for button in message["reply_markup"]["inline_keyboard"][0]]


async def test_votes_on_a_card_shared_through_inline_mode(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    group = await shop.create_chat("group", [lena["id"], tom["id"]], title="Freunde")
    offered = await shop.inline(lena["id"], "sneaker", group["id"])
    first = offered["results"][0]
    posted = await shop.choose(offered["inline_query_id"], first["id"])
    card = next(m for m in await shop.messages(group["id"]) if m["message_id"] == posted["message_id"])
    assert _counts(card) == ["👍 0", "👎 0"]

    answer = await shop.press(group["id"], card["message_id"], tom["id"], f"vote:{first['id']}:1")
    assert answer["answer"]["text"] == "👍 Your vote is counted."
    card = await shop.wait_edit(group["id"], card["message_id"], version=card["version"])
    assert _counts(card) == ["👍 1", "👎 0"]

    await shop.advance_clock(3)
    await shop.press(group["id"], card["message_id"], lena["id"], f"vote:{first['id']}:-1")
    card = await shop.wait_edit(group["id"], card["message_id"], version=card["version"])
    assert _counts(card) == ["👍 1", "👎 1"]

    await shop.advance_clock(3)
    taken_back = await shop.press(group["id"], card["message_id"], tom["id"], f"vote:{first['id']}:1")
    assert taken_back["answer"]["text"] == "Your vote is taken back."
    card = await shop.wait_edit(group["id"], card["message_id"], version=card["version"])
    assert _counts(card) == ["👍 0", "👎 1"]


async def test_a_card_opened_in_a_group_has_vote_buttons_too(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    group = await shop.create_chat("group", [lena["id"]], title="Freunde")
    card, product_id = await card_in_group(shop, lena["id"], group["id"])
    assert _counts(card) == ["👍 0", "👎 0"]
    await shop.press(group["id"], card["message_id"], lena["id"], f"vote:{product_id}:1")
    card = await shop.wait_edit(group["id"], card["message_id"], version=card["version"])
    assert _counts(card) == ["👍 1", "👎 0"]


async def test_a_vote_on_a_card_the_bot_posted_changes_only_the_counts(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    group = await shop.create_chat("group", [lena["id"], tom["id"]], title="Freunde")
    card, product_id = await card_in_group(shop, lena["id"], group["id"])
    rows = card["reply_markup"]["inline_keyboard"]
    assert _counts(card) == ["👍 0", "👎 0"]

    # Tom writes in English; the card's other buttons stay in the German Lena saw it posted in.
    answer = await shop.press(group["id"], card["message_id"], tom["id"], f"vote:{product_id}:1")
    assert answer["answer"]["text"] == "👍 Your vote is counted."
    edited = await shop.wait_edit(group["id"], card["message_id"], version=card["version"])
    assert _counts(edited) == ["👍 1", "👎 0"]
    assert edited["reply_markup"]["inline_keyboard"][1:] == rows[1:]
