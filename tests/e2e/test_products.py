"""Product cards from deep links and barcodes, typed or photographed, in German and English."""

from __future__ import annotations

import io

import aiohttp
from PIL import Image
from sqlalchemy import select

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from catalog.models import Product, ProductImage, Variant
from core.db import Database
from tests.catalog.test_barcodes import photo_of_barcode
from tests.e2e.conftest import buttons, private_chat


async def _jeans(db: Database) -> tuple[Product, Variant]:
    async with db.unit_of_work() as session:
        row = (
            await session.execute(
                select(Product, Variant)
                .join(Variant, Variant.product_id == Product.id)
                .where(Product.title_en.contains("Jeans"), Variant.gtin.is_not(None))
                .order_by(Product.id, Variant.id)
                .limit(1)
            )
        ).one()
    return row[0], row[1]


async def test_a_typed_barcode_opens_the_product_card(sb: SandboxClient, demo_catalog: Database) -> None:
    jeans, variant = await _jeans(demo_catalog)
    lena = await private_chat(sb, "Lena", "de")
    assert variant.gtin is not None
    (card,) = await lena.say(variant.gtin)

    assert card["photo"], "the card comes with the product's picture"
    assert card["caption"].startswith(jeans.title_de)
    assert "💶" in card["caption"] and "Verfügbarkeit" in card["caption"]
    assert "Online:" in card["caption"]
    assert set(buttons(card)) == {
        f"cart:pick:{jeans.id}",
        f"pair:{jeans.id}",
        f"wl:add:{jeans.id}",
        f"sim:{jeans.id}",
    }
    share = card["reply_markup"]["inline_keyboard"][2][1]
    assert share["switch_inline_query"] == jeans.sku

    answer = await lena.press(card, f"pair:{jeans.id}", count=1)
    outfit = answer["messages"][0]
    assert outfit["text"].startswith("✨ Outfit 1 – ")
    assert jeans.title_de in outfit["text"], "the outfits are built around the jeans"


async def test_the_second_card_reuses_the_uploaded_picture(sb: SandboxClient, demo_catalog: Database) -> None:
    jeans, variant = await _jeans(demo_catalog)
    tom = await private_chat(sb, "Tom", "en")
    assert variant.gtin is not None
    (first,) = await tom.say(variant.gtin)
    (second,) = await tom.say(f"/start p{jeans.id}")

    assert second["caption"].startswith(jeans.title_en) and "Availability" in second["caption"]
    assert second["photo"][-1]["file_id"] == first["photo"][-1]["file_id"]
    photos = [call["params"]["photo"] for call in await sb.calls("sendPhoto")]
    assert isinstance(photos[0], dict) and photos[0]["size"] > 1000, "the first card uploads the picture"
    assert photos[1] == first["photo"][-1]["file_id"], "the second card sends Telegram's id of it"


async def test_a_photographed_barcode_is_read(sb: SandboxClient, demo_catalog: Database) -> None:
    jeans, variant = await _jeans(demo_catalog)
    aylin = await private_chat(sb, "Aylin", "de")
    assert variant.gtin is not None
    sent = await sb.send(aylin.chat_id, aylin.user_id, photo=photo_of_barcode(variant.gtin, angle=8))
    (card,) = await sb.wait(aylin.chat_id, after=sent["message_id"])
    assert card["caption"].startswith(jeans.title_de)


async def test_unknown_and_unreadable_barcodes_get_a_clear_answer(
    sb: SandboxClient, demo_catalog: Database
) -> None:
    jonas = await private_chat(sb, "Jonas", "en")
    (unknown,) = await jonas.say("4006381333931")
    assert unknown["text"] == "I don't know a product with the barcode 4006381333931."

    sent = await sb.send(jonas.chat_id, jonas.user_id, photo=photo_of_barcode("4006381333931")[:400])
    (unreadable,) = await sb.wait(jonas.chat_id, after=sent["message_id"])
    assert unreadable["text"].startswith("I couldn't find a barcode in that photo.")


async def test_pictures_are_served_as_jpeg_for_telegram(runtime: Runtime, demo_catalog: Database) -> None:
    async with demo_catalog.unit_of_work() as session:
        path = await session.scalar(select(ProductImage.path).limit(1))
    assert path is not None
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{runtime.url}/photos/160/{path}.jpg") as response:
            assert response.status == 200
            picture = Image.open(io.BytesIO(await response.read()))
            assert picture.format == "JPEG" and max(picture.size) == 160
        async with http.get(f"{runtime.url}/photos/640/..%2F..%2Fetc%2Fpasswd.jpg") as escape:
            assert escape.status == 404
        async with http.get(f"{runtime.url}/photos/640/missing.png.jpg") as missing:
            assert missing.status == 404


async def test_a_card_whose_demo_picture_is_not_drawn_yet_draws_it(
    sb: SandboxClient, runtime: Runtime, demo_catalog: Database
) -> None:
    jeans, variant = await _jeans(demo_catalog)
    async with demo_catalog.unit_of_work() as session:
        path = await session.scalar(select(ProductImage.path).where(ProductImage.product_id == jeans.id))
    assert path is not None
    picture = runtime.settings.media_dir / path
    picture.unlink()  # as in the first seconds of the first start, before the pictures are drawn
    mia = await private_chat(sb, "Mia", "en")
    assert variant.gtin is not None
    (card,) = await mia.say(variant.gtin)

    assert card["photo"], "the card comes with the product's picture"
    assert picture.is_file()
