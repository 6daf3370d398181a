"""Reviews behind the card: friends first, reported by a reader, hidden by the retailer."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox import SandboxClient
from catalog.models import Variant
from core.clock import Clock
from core.db import Database
from orders import fulfilment
from tests.e2e.conftest import RETAILER_ID, buttons, private_chat
from tests.e2e.test_checkout import private_chat_with_id
from tests.social.conftest import buy


async def test_a_reported_review_is_hidden_by_the_retailer_and_leaves_the_card(
    shop: SandboxClient, demo_catalog: Database, clock: Clock
) -> None:
    async with demo_catalog.unit_of_work() as session:
        variant = await session.scalar(
            select(Variant).where(Variant.gtin.is_not(None)).order_by(Variant.id).limit(1)
        )
    assert variant is not None and variant.gtin is not None
    product_id = variant.product_id

    # Lena and Aylin are friends in a group; Ben is a buyer they don't know.
    lena = await private_chat(shop, "Lena", "de")
    aylin = await private_chat(shop, "Aylin", "de")
    ben = await private_chat(shop, "Ben", "de")
    group = await shop.create_chat("group", [lena.user_id, aylin.user_id], title="Freundinnen")
    for member in (lena.user_id, aylin.user_id):
        hello = await shop.send(group["id"], member, "/start@kaufrunde_bot")
        await shop.wait(group["id"], after=hello["message_id"])
    await ben.say("/start")

    # Both bought and received the product and reviewed it (as the checkout test does through the bot).
    review_ids = {}
    async with demo_catalog.unit_of_work() as session:
        for buyer, stars, text in ((aylin, 2, "Totaler Mist, Finger weg!"), (ben, 4, "Passt gut.")):
            order_id = await buy(session, user_id=buyer.user_id, product_id=product_id, now=clock.now())
            await fulfilment.save_review(
                session, order_id=order_id, user_id=buyer.user_id, stars=stars, text=text, now=clock.now()
            )
            review_ids[buyer.user_id] = await session.scalar(
                select(fulfilment.Review.id).where(fulfilment.Review.order_id == order_id)
            )
    rude, fine = review_ids[aylin.user_id], review_ids[ben.user_id]

    (card,) = await lena.say(variant.gtin)
    assert "„Totaler Mist, Finger weg!“ – Aylin (2★)" in card["caption"]
    assert buttons(card)[f"rv:{product_id}"] == "💬 Bewertungen"

    listed = (await lena.press(card, f"rv:{product_id}", count=1))["messages"][0]
    text = listed["text"]
    assert text.index("Von Freund:innen") < text.index("Aylin") < text.index("weiteren") < text.index("Ben")
    assert "2★ Aylin: „Totaler Mist, Finger weg!“" in text and "4★ Ben: „Passt gut.“" in text
    assert set(buttons(listed)) == {f"rvr:{rude}", f"rvr:{fine}"}

    reasons = (await lena.press(listed, f"rvr:{rude}", count=1))["messages"][0]
    assert reasons["text"] == "⚠️ Warum meldest du diese Bewertung?"
    assert buttons(reasons)[f"rvr:{rude}:insult"] == "beleidigend"
    reported = await lena.press_and_see(reasons, f"rvr:{rude}:insult")
    assert reported["text"].startswith("Danke! Die Bewertung ist gemeldet")

    (refused,) = await lena.say("/reviews")
    assert refused["text"] == "Das können nur Händler:innen."

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Händlerin")
    (queue,) = await retailer.say("/reviews")
    assert "2★ Aylin: „Totaler Mist, Finger weg!“" in queue["text"]
    assert "1 Meldung: beleidigend" in queue["text"] and "Ben" not in queue["text"]
    emptied = await retailer.press_and_see(queue, f"rvh:{rude}")
    assert "Keine gemeldeten Bewertungen" in emptied["text"]

    (again,) = await lena.say(variant.gtin)
    assert "Aylin" not in again["caption"] and "Totaler Mist" not in again["caption"]
    assert "Käufer:innen: 4★ (1)" in again["caption"]
    relisted = (await lena.press(again, f"rv:{product_id}", count=1))["messages"][0]
    assert "Aylin" not in relisted["text"] and "Ben" in relisted["text"]
