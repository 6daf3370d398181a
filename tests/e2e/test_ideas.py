"""The ideas board: propose in a group, vote with counts edited in place, top ideas, adoption with reward."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.sandbox import SandboxClient
from catalog.models import Product
from core.db import Database
from tests.e2e.conftest import RETAILER_ID, Chat, buttons, private_chat


def _counts(message: dict[str, Any]) -> list[str]:
    return list(buttons(message).values())


async def test_an_idea_is_voted_on_and_adopted_with_a_reward(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    lena = await private_chat(shop, "Lena", "de")
    tom = await private_chat(shop, "Tom", "en")
    group = await shop.create_chat("group", [lena.user_id, tom.user_id], title="Freunde")

    sent = await shop.send(group["id"], lena.user_id, "/idea Regenjacke mit Handytasche")
    (idea,) = await shop.wait(group["id"], after=sent["message_id"])
    assert "Regenjacke mit Handytasche" in idea["text"]
    assert _counts(idea) == ["👍 0", "👎 0"]
    up, down = list(buttons(idea))
    idea_id = int(up.split(":")[1])

    sent = await shop.send(group["id"], tom.user_id, "/ideas")  # Tom speaks once, so the bot knows him
    await shop.wait(group["id"], after=sent["message_id"])
    answer = await shop.press(group["id"], idea["message_id"], tom.user_id, up)
    assert answer["answer"]["text"] == "👍 Your vote is counted."
    idea = await shop.wait_edit(group["id"], idea["message_id"], version=idea["version"])
    assert _counts(idea) == ["👍 1", "👎 0"]
    await shop.press(group["id"], idea["message_id"], lena.user_id, down)
    idea = await shop.wait_edit(group["id"], idea["message_id"], version=idea["version"])
    assert _counts(idea) == ["👍 1", "👎 1"]
    taken_back = await shop.press(group["id"], idea["message_id"], lena.user_id, down)
    assert taken_back["answer"]["text"] == "Deine Stimme ist zurückgenommen."
    idea = await shop.wait_edit(group["id"], idea["message_id"], version=idea["version"])
    assert _counts(idea) == ["👍 1", "👎 0"]

    sent = await shop.send(group["id"], lena.user_id, "/ideas")
    (board,) = await shop.wait(group["id"], after=sent["message_id"])
    assert f"#{idea_id} Regenjacke mit Handytasche · 👍 1 👎 0" in board["text"]

    (refused,) = await tom.say("/topideas")
    assert refused["text"] == "Only retailers can do that."
    retailer = await _retailer(shop)
    (top,) = await retailer.say("/topideas")
    assert f"#{idea_id} Regenjacke mit Handytasche · 👍 1 👎 0" in top["text"]
    (commented,) = await retailer.say(f"/comment {idea_id} Gute Idee, wir prüfen Stoffe!")
    assert commented["text"] == f"Dein Kommentar steht jetzt bei Idee Nr. {idea_id}."
    sent = await shop.send(group["id"], tom.user_id, "/ideas")
    (board,) = await shop.wait(group["id"], after=sent["message_id"])
    assert "🏪 Retailer: Gute Idee, wir prüfen Stoffe!" in board["text"]

    async with demo_catalog.unit_of_work() as session:
        product = await session.scalar(select(Product).order_by(Product.id).limit(1))
        assert product is not None
    (unknown,) = await retailer.say(f"/adopt {idea_id} NO-SUCH-SKU")
    assert unknown["text"] == "Ein aktives Produkt mit der SKU „NO-SUCH-SKU“ finde ich nicht."
    (adopted,) = await retailer.say(f"/adopt {idea_id} {product.sku}")
    assert adopted["text"].startswith(f"✅ Idee #{idea_id} ist jetzt Produkt {product.id}")
    (told,) = await shop.wait(lena.chat_id, after=0)
    assert (
        told["text"]
        == f"🎉 Deine Idee #{idea_id} wird ein echtes Produkt! Als Dank bekommst du 10,00\xa0€ Guthaben."
    )
    (again,) = await retailer.say(f"/adopt {idea_id} {product.id}")
    assert "keine zweite Prämie" in again["text"]
    async with demo_catalog.unit_of_work() as session:
        assert (await session.get(Product, product.id, populate_existing=True)).community_designed  # type: ignore[union-attr]


async def test_a_private_idea_is_listed_for_its_author_only(shop: SandboxClient) -> None:
    tom = await private_chat(shop, "Tom", "en")
    (usage,) = await tom.say("/idea")
    assert usage["text"].startswith("Write your idea after the command")
    (idea,) = await tom.say("/idea Socks that never lose their partner")
    assert "Socks that never lose their partner" in idea["text"]
    (mine,) = await tom.say("/ideas")
    assert "Socks that never lose their partner · 👍 0 👎 0" in mine["text"]
    lena = await private_chat(shop, "Lena", "de")
    (other,) = await lena.say("/ideas")
    assert "Socks" not in other["text"]


async def _retailer(shop: SandboxClient) -> Chat:
    user = await shop.create_user("Händlerin", user_id=RETAILER_ID, language_code="de")
    await shop.create_chat("private", [user["id"]])
    return Chat(shop, user["id"], user["id"])
