"""The client API routes the playground needs: files, shipping options, live events, its texts, its page."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from telegram import Bot, Document, LabeledPrice, ShippingOption, Update

from bot.sandbox import DEMO_GROUP, DEMO_PEOPLE, Sandbox, SandboxClient
from core.i18n import Translator

from .conftest import ALICE, BotLoop, Server, png

pytestmark = pytest.mark.usefixtures("people")

ADDRESS = {
    "country_code": "DE",
    "state": "Hamburg",
    "city": "Hamburg",
    "street_line1": "Große Elbstraße 1",
    "street_line2": "",
    "post_code": "22767",
}


async def _get(server: Server, path: str) -> tuple[int, str, bytes]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.root + path, allow_redirects=False) as response,
    ):
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def _post(server: Server, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.post(server.root + path, json=body) as response:
        return response.status, await response.json()


async def test_files_are_served_with_their_type_and_url_photos_redirect(server: Server, bot: Bot) -> None:
    picture = png(8, 6)
    sent = await bot.send_photo(ALICE, picture)
    status, kind, body = await _get(server, f"/sandbox/api/files/{sent.photo[-1].file_id}")
    assert (status, kind, body) == (200, "image/png", picture)

    document = await bot.send_document(ALICE, b"GTIN;Menge\n4012345678901;2\n", filename="bestand.csv")
    assert isinstance(document.document, Document)
    status, kind, body = await _get(server, f"/sandbox/api/files/{document.document.file_id}")
    assert status == 200 and kind == "text/csv" and body.startswith(b"GTIN;")

    by_url = await bot.send_photo(ALICE, "https://shop.example/media/sneaker.jpg")
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{server.root}/sandbox/api/files/{by_url.photo[-1].file_id}", allow_redirects=False
        ) as response,
    ):
        assert response.status == 302
        assert response.headers["Location"] == "https://shop.example/media/sneaker.jpg"

    status, _, body = await _get(server, "/sandbox/api/files/AgACnothing")
    assert status == 404 and json.loads(body) == {"error": "file AgACnothing not found"}


async def test_shipping_runs_only_the_shipping_query(server: Server, bot: Bot, sb: SandboxClient) -> None:
    invoice = await bot.send_invoice(
        ALICE,
        "Jacke",
        "Winterjacke",
        "order:30",
        "EUR",
        [LabeledPrice("Jacke", 12900)],
        "p",
        is_flexible=True,
    )
    seen: list[str] = []

    async def handle(update: Update) -> None:
        if update.shipping_query is not None:
            seen.append(update.shipping_query.shipping_address.city)
            if update.shipping_query.shipping_address.country_code != "DE":
                await update.shipping_query.answer(ok=False, error_message="Nur nach Deutschland")
                return
            await update.shipping_query.answer(
                ok=True,
                shipping_options=[
                    ShippingOption("standard", "Standard", [LabeledPrice("Versand", 0)]),
                    ShippingOption("pickup:1", "Abholung", [LabeledPrice("Abholung", 0)]),
                ],
            )

    path = f"/sandbox/api/chats/{ALICE}/messages/{invoice.message_id}/shipping"
    async with BotLoop(bot, handle):
        status, offered = await _post(server, path, {"from_id": ALICE, "shipping_address": ADDRESS})
        assert status == 200 and offered["ok"] is True
        assert [option["id"] for option in offered["shipping_options"]] == ["standard", "pickup:1"]
        status, refused = await _post(
            server, path, {"from_id": ALICE, "shipping_address": ADDRESS | {"country_code": "AT"}}
        )
        assert (status, refused) == (200, {"ok": False, "error_message": "Nur nach Deutschland"})
    assert seen == ["Hamburg", "Hamburg"]
    assert await sb.payments() == [], "asking for shipping options pays nothing"
    (message,) = await sb.messages(ALICE)
    assert message["invoice_details"]["prices"] == [{"label": "Jacke", "amount": 12900}]
    assert message["invoice_details"]["is_flexible"] is True and message["invoice_details"]["paid_by"] == []

    fixed = await bot.send_invoice(
        ALICE, "Mütze", "Wollmütze", "order:31", "EUR", [LabeledPrice("M", 900)], "p"
    )
    status, error = await _post(
        server, f"/sandbox/api/chats/{ALICE}/messages/{fixed.message_id}/shipping", {"from_id": ALICE}
    )
    assert status == 400 and "fixed shipping" in error["error"]


async def _events(response: aiohttp.ClientResponse, count: int) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    name = ""
    while len(found) < count:
        line = (await response.content.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            found.append((name, json.loads(line.removeprefix("data: "))))
    return found


async def test_the_event_stream_reports_each_change(server: Server, bot: Bot, sb: SandboxClient) -> None:
    async with aiohttp.ClientSession() as http, http.get(server.root + "/sandbox/api/events") as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        assert await asyncio.wait_for(_events(response, 1), 5) == [("ready", {})]
        sent = await sb.send(ALICE, ALICE, "Hallo")
        assert await asyncio.wait_for(_events(response, 1), 5) == [
            ("message_created", {"chat_id": ALICE, "message_id": sent["message_id"]})
        ]
        reply = await bot.send_message(ALICE, "Hi Alice")
        await bot.edit_message_text("Hallo Alice", chat_id=ALICE, message_id=reply.message_id)
        await bot.delete_message(ALICE, reply.message_id)
        await sb.advance_clock(60)
        events = await asyncio.wait_for(_events(response, 2), 5)
        names = [name for name, _ in events]
        while "clock" not in names:
            events += await asyncio.wait_for(_events(response, 1), 5)
            names = [name for name, _ in events]
    assert names[0] == "message_created" or names[0] in {"message_edited", "message_deleted"}
    assert {"message_id": reply.message_id, "chat_id": ALICE} in [
        data for name, data in events if name != "clock"
    ]
    assert "clock" in names


async def test_the_texts_are_complete_in_german_and_english(server: Server) -> None:
    translator = Translator()
    texts: dict[str, dict[str, str]] = {}
    for locale in ("de", "en"):
        status, kind, body = await _get(server, f"/sandbox/api/i18n/{locale}")
        assert status == 200 and kind.startswith("application/json")
        texts[locale] = json.loads(body)
        assert all(key.startswith("playground-") for key in texts[locale])
        assert set(texts[locale]) == {key for key in translator.keys[locale] if key.startswith("playground-")}
    assert set(texts["de"]) == set(texts["en"]) and len(texts["de"]) > 30
    assert texts["de"]["playground-who-am-i"] == "Wer bin ich?"
    assert texts["en"]["playground-who-am-i"] == "Who am I?"
    status, _, _ = await _get(server, "/sandbox/api/i18n/xx")
    assert status == 404


async def test_the_page_and_its_assets_are_served(server: Server) -> None:
    status, kind, page = await _get(server, "/")
    assert status == 200 and kind.startswith("text/html")
    assert b'src="/playground/app.js"' in page and b"https://" not in page
    for asset, expected in (("app.js", "javascript"), ("style.css", "text/css")):
        status, kind, _ = await _get(server, f"/playground/{asset}")
        assert status == 200 and expected in kind


async def test_seeding_the_demo_people_is_idempotent(server: Server, sb: SandboxClient) -> None:
    sandbox: Sandbox = server.sandbox
    sandbox.seed_demo(retailer_id=700)
    sandbox.seed_demo(retailer_id=700)
    users = {user["id"]: user for user in await sb.users()}
    for user_id, name, language in DEMO_PEOPLE:
        assert (users[user_id]["first_name"], users[user_id]["language_code"]) == (name, language)
    assert users[700]["first_name"] == "Kaufrunde Laden"
    chats = await sb.chats()
    groups = [chat for chat in chats if chat["title"] == DEMO_GROUP]
    assert len(groups) == 1
    assert sorted(groups[0]["member_ids"]) == sorted(user_id for user_id, _, _ in DEMO_PEOPLE)
    private = {chat["id"] for chat in chats if chat["type"] == "private"}
    assert private >= {700, *(user_id for user_id, _, _ in DEMO_PEOPLE)}
