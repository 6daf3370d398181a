"""Personal deals through the sandbox: opting in with buttons, a retailer's /deal, the rounds on the clock,
the cap, quiet hours in one's own time zone, a price drop with its chart, buying, muting and stopping."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
from PIL import Image
from sqlalchemy import select

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from catalog.models import Category, Product, Retailer
from core.db import Database
from deals import offers
from tests.e2e.conftest import RETAILER_ID, Chat, buttons, private_chat
from tests.e2e.test_checkout import _bought_and_shipped, private_chat_with_id

ROUND = 15 * 60
DAY = 24 * 3600


async def _products(db: Database, slug: str) -> list[Product]:
    """Return the category's products at their regular price (none on sale already)."""
    async with db.unit_of_work() as session:
        found = await session.scalars(
            select(Product)
            .join(Category, Category.id == Product.category_id)
            .where(Category.slug == slug, Product.active.is_(True), Product.compare_at_price.is_(None))
            .order_by(Product.id)
        )
        return list(found)


async def _ids(db: Database, *slugs: str) -> dict[str, int]:
    async with db.unit_of_work() as session:
        rows = await session.execute(select(Category.slug, Category.id).where(Category.slug.in_(slugs)))
        found = {slug: category_id for slug, category_id in rows}
        found["retailer"] = await session.scalar(select(Retailer.id)) or 0
    return found


def _text(message: dict[str, Any]) -> str:
    """Return a message's text or caption with Babel's non-breaking spaces as plain ones."""
    raw = message.get("text") or message.get("caption") or ""
    return str(raw).replace("\xa0", " ").replace("\u202f", " ")


async def _deal(retailer: Chat, command: str) -> dict[str, Any]:
    (answer,) = await retailer.say(command)
    assert _text(answer).startswith("✅ Angebot angelegt"), _text(answer)
    return answer


async def _opt_in(
    chat: Chat, retailer_id: int, *, categories: tuple[tuple[int, int], ...] = ()
) -> dict[str, Any]:
    """Turn deals on with the buttons, pick the shop, then categories (``(category, its parent)``)."""
    (settings,) = await chat.say("/deals")
    assert "dl:on" in buttons(settings)
    picker = await chat.press_and_see(settings, "dl:on")
    assert f"dl:r:{retailer_id}:1" in buttons(picker), "switching on asks for the shops first"
    picker = await chat.press_and_see(picker, f"dl:r:{retailer_id}:1")
    assert f"dl:r:{retailer_id}:0" in buttons(picker), "the shop is ticked now"
    settings = await chat.press_and_see(picker, "dl:home")
    for category, parent in categories:
        listing = await chat.press_and_see(settings, "dl:cat:0")
        listing = await chat.press_and_see(listing, f"dl:cat:{parent}")
        listing = await chat.press_and_see(listing, f"dl:c:{category}:1:{parent}")
        assert f"dl:c:{category}:0:{parent}" in buttons(listing), "the category is ticked now"
        settings = await chat.press_and_see(await chat.press_and_see(listing, "dl:cat:0"), "dl:home")
    return settings


async def _news(sb: SandboxClient, chat: Chat, seconds: float) -> list[dict[str, Any]]:
    """Advance the clock and return the bot's messages in the chat since the last look."""
    before = chat.last
    await sb.advance_clock(seconds)
    news = [message for message in await sb.messages(chat.chat_id, after=before) if message["from"]["is_bot"]]
    if news:
        chat.last = news[-1]["message_id"]
    return news


async def _mark(sb: SandboxClient, chat: Chat) -> None:
    messages = await sb.messages(chat.chat_id)
    chat.last = messages[-1]["message_id"] if messages else 0


async def test_opt_in_with_buttons_then_matching_deals_arrive_once_each_within_the_cap(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    ids = await _ids(demo_catalog, "women", "women-shoes", "women-sneakers")
    sneaker, boot, lamp = (
        (await _products(demo_catalog, "women-sneakers"))[0],
        (await _products(demo_catalog, "women-boots"))[0],
        (await _products(demo_catalog, "lamps"))[0],
    )
    lena = await private_chat(shop, "Lena", "de")
    settings = await _opt_in(lena, ids["retailer"], categories=((ids["women-shoes"], ids["women"]),))
    assert "✅ Eingeschaltet" in _text(settings) and "Kategorien: Schuhe" in _text(settings)
    cap = await lena.press_and_see(settings, "dl:cap")
    settings = await lena.press_and_see(cap, "dl:k:1:day")
    assert "höchstens eine Nachricht am Tag" in _text(settings)
    await _mark(shop, lena)

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Laden")
    await _deal(retailer, f"/deal {sneaker.sku} -20% 7d")
    await _deal(retailer, f"/deal {boot.sku} -10% 7d")
    await _deal(retailer, f"/deal {lamp.sku} -30% 7d")  # no shoe: Lena gets no lamps

    (first,) = await _news(shop, lena, ROUND)
    assert first.get("photo"), "a deal comes as the product's card with its picture"
    assert _text(first).startswith("🏷 −20 % bis"), _text(first)
    assert sneaker.title_de in _text(first)
    assert {
        f"cart:pick:{sneaker.id}",
        f"card:{sneaker.id}",
        f"dl:mute:{ids['women-sneakers']}",
        "dl:stop",
    } <= set(buttons(first))
    assert await _news(shop, lena, ROUND) == [], "one a day"
    (second,) = await _news(shop, lena, DAY)
    assert boot.title_de in _text(second) and _text(second).startswith("🏷 −10 %")
    assert await _news(shop, lena, DAY) == [], "nothing twice, and the lamp does not fit"


async def test_a_deal_waits_for_the_end_of_quiet_hours_in_the_persons_time_zone(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    ids = await _ids(demo_catalog)
    lamp = (await _products(demo_catalog, "lamps"))[0]
    tom = await private_chat(shop, "Tom", "en")
    settings = await _opt_in(tom, ids["retailer"])
    zones = await tom.press_and_see(settings, "dl:tz")
    settings = await tom.press_and_see(zones, "dl:z:5")
    assert "Quiet hours: 22:00–08:00 (America/New_York)" in _text(settings)
    await _mark(shop, tom)

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Laden")
    await _deal(retailer, f"/deal {lamp.sku} -30% 7d")
    assert await _news(shop, tom, ROUND) == [], "04:15 in New York: quiet"
    assert await _news(shop, tom, 3 * 3600) == [], "07:15 in New York: still quiet"
    (deal,) = await _news(shop, tom, 3600)
    assert _text(deal).startswith("🏷 −30 % until") and lamp.title_en in _text(deal)
    now = (await shop.clock())["now"]
    assert now.startswith("2026-11-23T13:"), "it came with the first round after 08:00 in New York"


async def test_a_price_drop_on_a_wish_is_one_picture_with_the_price_history_and_buys_at_the_new_price(
    shop: SandboxClient, demo_catalog: Database, runtime: Runtime
) -> None:
    ids = await _ids(demo_catalog)
    dress = (await _products(demo_catalog, "women-dresses"))[1]
    regular = dress.price
    lena = await private_chat(shop, "Lena", "de")
    mia = await private_chat(shop, "Mia", "de")  # no subscriber: she hears of drops on what she wished
    await _opt_in(lena, ids["retailer"])
    for person in (lena, mia):
        (card,) = await person.say(f"/start p{dress.id}")
        await person.press(card, f"wl:add:{dress.id}")
        await _mark(shop, person)

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Laden")
    await _deal(retailer, f"/deal {dress.sku} -25% 7d")
    (for_lena,) = await _news(shop, lena, ROUND)
    assert await _news(shop, mia, 0) == []
    deal_price = offers.deal_price(regular, 25)
    for message in (for_lena,):
        assert message.get("photo")
        assert _text(message).startswith(f"📉 {dress.title_de} von deiner Wunschliste ist jetzt günstiger")
        assert "🏷 −25 % bis" in _text(message)
    (for_mia,) = await _news(shop, mia, 3600)
    assert await _news(shop, lena, 0) == [], "one price drop, one message"
    assert _text(for_mia).startswith(f"📉 {dress.title_de} von deiner Wunschliste ist jetzt günstiger")
    assert "dl:stop" not in buttons(for_mia), "she never subscribed: nothing to stop"

    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{runtime.url}/sandbox/api/files/{for_mia['photo'][-1]['file_id']}") as response,
    ):
        picture = Image.open(io.BytesIO(await response.read()))
    assert (picture.format, picture.size) == ("PNG", (640, 320)), "the chart, not the product photo"

    answer = await mia.press(for_mia, f"cart:pick:{dress.id}", count=1)
    (variants,) = answer["messages"]
    first_variant = next(data for data in buttons(variants) if data.startswith("cart:add:"))
    await mia.press(variants, first_variant)
    (cart,) = await mia.say("/cart")
    assert f"{deal_price:.2f}".replace(".", ",") in _text(cart), "the cart charges the deal price"


async def test_one_tap_mutes_the_category_and_another_stops_every_deal(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    ids = await _ids(demo_catalog, "women-sneakers")
    first, second = (await _products(demo_catalog, "women-sneakers"))[:2]
    lamp, vase, mug = [(await _products(demo_catalog, slug))[0] for slug in ("lamps", "vases", "mugs")]
    lena = await private_chat(shop, "Lena", "de")
    settings = await _opt_in(lena, ids["retailer"])
    await lena.press_and_see(await lena.press_and_see(settings, "dl:cap"), "dl:k:3:day")
    await _mark(shop, lena)
    retailer = await private_chat_with_id(shop, RETAILER_ID, "Laden")
    await _deal(retailer, f"/deal {first.sku} -20% 7d")
    (deal,) = await _news(shop, lena, ROUND)
    muted = await lena.press(deal, f"dl:mute:{ids['women-sneakers']}")
    assert muted["answer"]["text"].startswith("🔕 Keine Angebote mehr für Sneaker")

    await _deal(retailer, f"/deal {second.sku} -20% 7d")
    await _deal(retailer, f"/deal {lamp.sku} -20% 7d")
    (lamp_deal,) = await _news(shop, lena, ROUND)
    assert lamp.title_de in _text(lamp_deal), "muted sneakers stay away, other things still come"
    stopped = await lena.press(lamp_deal, "dl:stop")
    assert stopped["answer"]["text"].startswith("✋ Du bekommst keine persönlichen Angebote mehr")
    again = await lena.press(lamp_deal, "dl:stop")
    assert again["answer"]["text"] == stopped["answer"]["text"], "pressing twice changes nothing"

    await _deal(retailer, f"/deal {vase.sku} -20% 7d")
    await _deal(retailer, f"/deal {mug.sku} -20% 7d")
    assert await _news(shop, lena, DAY) == []
    (settings,) = await lena.say("/deals")
    assert "Du bekommst keine persönlichen Angebote" in _text(settings) and "dl:on" in buttons(settings)


async def test_retailers_list_and_end_their_deals_in_the_chat_and_others_cannot(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    lamp = (await _products(demo_catalog, "lamps"))[0]
    regular = f"{lamp.price:.2f}".replace(".", ",")
    stranger = await private_chat(shop, "Jonas", "de")
    (refused,) = await stranger.say(f"/deal {lamp.sku} -20% 7d")
    assert _text(refused) == "Angebote legen nur Händler an."

    retailer = await private_chat_with_id(shop, RETAILER_ID, "Laden")
    (empty,) = await retailer.say("/deal")
    assert "Kein Angebot läuft oder ist geplant." in _text(empty) and "/deal SKU -20% 7d" in _text(empty)
    for command, expected in (
        ("/deal NOPE -20% 7d", "Keines deiner aktiven Produkte hat die SKU „NOPE“"),
        (f"/deal {lamp.sku} -95% 7d", "Der Rabatt ist eine ganze Prozentzahl von 1 bis 90"),
        (f"/deal {lamp.sku} -20% bald", "Wie lange soll es laufen?"),
        (
            "/deal Sneaker -20% 7d",
            "„Sneaker“ sind mehrere Kategorien; nenne eine davon: men-sneakers, women-sneakers",
        ),
    ):
        (answer,) = await retailer.say(command)
        assert _text(answer).startswith(expected), _text(answer)

    created = await _deal(retailer, f"/deal {lamp.sku} -20% 7d")
    await _deal(retailer, "/deal women-sneakers -15% 3d")
    (listed,) = await retailer.say("/deal")
    assert "Deine Angebote" in _text(listed) and "−20 %" in _text(listed) and "8 Produkte" in _text(listed)
    (end_button,) = [data for data in buttons(created) if data.startswith("dl:end:")]
    (card,) = await stranger.say(f"/start p{lamp.id}")
    assert f"💶 {regular}" in _text(card) and "(−20 %)" in _text(card), (
        "the card crosses out the regular price"
    )

    ended = await retailer.press(created, end_button, count=1)
    assert _text(ended["messages"][0]).startswith("⏹ Angebot beendet")
    again = await retailer.press(created, end_button)
    assert again["answer"]["text"].startswith("Angebot #")
    (card,) = await stranger.say(f"/start p{lamp.id}")
    assert f"💶 {regular}" in _text(card) and "(−20 %)" not in _text(card), "the regular price is back"


async def test_tracking_news_that_can_wait_keeps_to_the_customers_own_quiet_hours(
    shop: SandboxClient, demo_catalog: Database
) -> None:
    await shop.advance_clock(11 * 3600)  # 20:00 UTC, 21:00 in Berlin
    retailer = await private_chat_with_id(shop, RETAILER_ID, "Laden")
    jonas = await private_chat(shop, "Jonas", "en")
    mia = await private_chat(shop, "Mia", "en")
    # Quiet hours are chosen under /deals, without opting in to any deal.
    for chat, choice in ((jonas, "dl:q:off"), (mia, "dl:q:0:7")):
        (settings,) = await chat.say("/deals")
        await chat.press_and_see(await chat.press_and_see(settings, "dl:qh"), choice)
    numbers = {}
    for chat in (jonas, mia):
        _, numbers[chat.user_id], _ = await _bought_and_shipped(
            shop, demo_catalog, chat, retailer, "standard"
        )
        await _mark(shop, chat)

    def in_transit(news: list[dict[str, Any]], chat: Chat) -> bool:
        return any(_text(message) == f"Your order {numbers[chat.user_id]} is on its way." for message in news)

    # The parcels are in transit six hours later, at 03:00 in Berlin.
    assert in_transit(await _news(shop, jonas, 6.5 * 3600), jonas), "no quiet hours: at once, at night"
    assert not in_transit(await _news(shop, mia, 0), mia)
    assert in_transit(await _news(shop, mia, 4 * 3600), mia), "at 07:30 in Berlin: after her quiet hours end"
