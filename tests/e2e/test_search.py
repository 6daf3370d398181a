"""Searching in German and English, with typos; paging in place; cards; similar items; outfits by text."""

from __future__ import annotations

import re

from bot.sandbox import SandboxClient
from tests.e2e.conftest import buttons, private_chat

PRICE = re.compile(r"– (\d+),(\d\d)\xa0€")


async def test_a_german_request_with_a_typo_lists_matching_products(shop: SandboxClient) -> None:
    lena = await private_chat(shop, "Lena", "de")
    (results,) = await lena.say("schwarze Snaeker unter 120 €")

    assert results["text"].startswith("🔎 ")
    assert "für „schwarze Snaeker unter 120 €“" in results["text"]
    assert "Verstanden: Kategorie Sneaker · Farbe schwarz · bis 120,00\xa0€" in results["text"]
    lines = [line for line in results["text"].splitlines() if re.match(r"\d+\. ", line)]
    assert 1 <= len(lines) <= 5
    for line in lines:
        euros, cents = PRICE.search(line).groups()  # type: ignore[union-attr]
        assert int(euros) * 100 + int(cents) <= 12000
        assert "schwarz" in line.lower(), "every result has the colour asked for"
    assert all(data.startswith(("card:", "srch:")) for data in buttons(results))


async def test_an_english_request_pages_in_the_same_message(shop: SandboxClient) -> None:
    tom = await private_chat(shop, "Tom", "en")
    (results,) = await tom.say("jeans")
    assert "page 1 of" in results["text"]
    next_page = next(data for data, label in buttons(results).items() if label == "Next ▶")

    second = await tom.press_and_see(results, next_page)
    assert second["message_id"] == results["message_id"]
    assert "page 2 of" in second["text"]
    assert re.search(r"^6\. ", second["text"], re.MULTILINE)
    assert "◀ Back" in buttons(second).values()
    assert await shop.messages(tom.chat_id, after=results["message_id"]) == []


async def test_a_result_opens_its_card_and_similar_items(shop: SandboxClient) -> None:
    aylin = await private_chat(shop, "Aylin", "de")
    (results,) = await aylin.say("Lederjacke")
    first_card = next(data for data in buttons(results) if data.startswith("card:"))

    answer = await aylin.press(results, first_card, count=1)
    card = answer["messages"][0]
    assert card["photo"] and "Verfügbarkeit" in card["caption"]
    assert "Leder" in card["caption"]

    similar = await aylin.press(card, f"sim:{first_card.split(':')[1]}", count=1)
    listing = similar["messages"][0]
    assert listing["text"].startswith("🔁 Ähnlich wie")
    assert len([data for data in buttons(listing) if data.startswith("card:")]) >= 1


async def test_nothing_found_says_so_kindly(shop: SandboxClient) -> None:
    jonas = await private_chat(shop, "Jonas", "en")
    (none,) = await jonas.say("zzzzqqq")
    assert none["text"].startswith("Sorry, I found nothing for that.")


async def test_styling_requests_get_outfits(shop: SandboxClient) -> None:
    tom = await private_chat(shop, "Tom", "en")
    sent = await shop.send(tom.chat_id, tom.user_id, "style me for a wedding, 300 €")
    outfits = await shop.wait(tom.chat_id, after=sent["message_id"], count=2)
    assert outfits[0]["text"].startswith("✨ Outfit 1 – ")
    assert "wedding" in outfits[0]["text"].lower()

    # Without a style profile the answers end with a tip about /style; that tip may still be on its way.
    sent = await shop.send(tom.chat_id, tom.user_id, "Was passt zu meiner blauen Jeans?")
    answers = await shop.wait(tom.chat_id, after=sent["message_id"], count=2)
    assert any(answer["text"].startswith("✨ Outfit 1 – ") for answer in answers)
    assert any(answer["text"].startswith("💡 Tip: take the style quiz") for answer in answers)


async def test_inline_mode_posts_a_card_into_a_group(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    group = await shop.create_chat("group", [lena["id"], tom["id"]], title="Freunde")

    offered = await shop.inline(lena["id"], "sneaker", group["id"])
    results = offered["results"]
    assert 1 <= len(results) <= 50
    assert offered["next_offset"] == ""  # one page: the client asks for no more
    first = results[0]
    assert first["type"] == "photo" and first["photo_url"].endswith(".jpg")
    assert first["thumbnail_url"].startswith("http://127.0.0.1:")

    posted = await shop.choose(offered["inline_query_id"], first["id"])
    (message,) = [m for m in await shop.messages(group["id"]) if m["message_id"] == posted["message_id"]]
    assert message["via_bot"]["username"] == "kaufrunde_bot"
    assert "💶" in message["caption"]
    link = next(b["url"] for row in message["reply_markup"]["inline_keyboard"] for b in row if "url" in b)
    assert link == f"https://t.me/kaufrunde_bot?start=p{first['id']}"

    empty = await shop.inline(tom["id"], "", group["id"])
    assert empty["results"] == []
