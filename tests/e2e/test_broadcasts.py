"""Broadcasts through the sandbox: a retailer composes and sends in the chat, subscribers receive it once,
Telegram's 429 and 403 answers, a crash in the middle, and one retailer never reaching another's."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image
from sqlalchemy import select

from bot import app as bot_app
from bot import broadcasting
from bot.config import Settings
from bot.runner import Runtime
from bot.sandbox import Sandbox, SandboxClient
from bot.sandbox.html import entity_text
from catalog import retailers
from catalog.demo import RETAILER_SLUG
from catalog.models import Product, Retailer
from core import users
from core.clock import Clock
from core.db import Database, Session
from deals import broadcasts, outbox, subscriptions
from tests.e2e.conftest import Chat, buttons, private_chat, settings_for

DRAFT = re.compile(r"bcc:(\d+):")
TOKEN = "7000000009:SANDBOX-broadcasts"


@dataclass
class Shop:
    """The demo retailer's member Dana, a rival shop's member Yusuf, subscribers and people who are not."""

    sb: SandboxClient
    db: Database
    retailer: Chat
    rival: Chat
    retailer_id: int
    rival_id: int
    product: Product
    subscribers: dict[str, Chat]
    others: dict[str, Chat]


async def _chat(sb: SandboxClient, name: str, language: str) -> Chat:
    chat = await private_chat(sb, name, language)
    await chat.say("/start")
    return chat


async def _setup(sb: SandboxClient, db: Database, clock: Clock) -> Shop:
    dana, yusuf = await _chat(sb, "Dana", "de"), await _chat(sb, "Yusuf", "en")
    subscribers = {
        name: await _chat(sb, name, lang) for name, lang in (("Lena", "de"), ("Tom", "en"), ("Aylin", "de"))
    }
    others = {name: await _chat(sb, name, lang) for name, lang in (("Mia", "en"), ("Jonas", "de"))}
    now = clock.now()
    async with db.unit_of_work() as session:
        demo_id = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
        assert demo_id is not None
        invite = await retailers.invite(
            session, retailer_id=demo_id, role="owner", created_by=dana.user_id, now=now
        )
        await retailers.redeem(session, code=invite.code, user_id=dana.user_id, now=now)
        rival = await retailers.create(session, name="Yusufs Laden", created_by=yusuf.user_id, now=now)
        await retailers.redeem(session, code=rival.code, user_id=yusuf.user_id, now=now)
        for chat in subscribers.values():
            await _subscribe(session, chat.user_id, demo_id, clock)
        await _subscribe(session, others["Jonas"].user_id, rival.retailer_id, clock)
        product = await session.scalar(
            select(Product).where(Product.retailer_id == demo_id).order_by(Product.id)
        )
        assert product is not None
    return Shop(sb, db, dana, yusuf, demo_id, rival.retailer_id, product, subscribers, others)


async def _subscribe(session: Session, user_id: int, retailer_id: int, clock: Clock) -> None:
    """Opt the person in to the retailer's offers, as /deals does."""
    await subscriptions.subscribe(session, user_id=user_id, now=clock.now())
    await subscriptions.choose_retailer(
        session, user_id=user_id, retailer_id=retailer_id, chosen=True, now=clock.now()
    )


async def _crowd(sb: SandboxClient, db: Database, clock: Clock, retailer_id: int, size: int) -> list[Chat]:
    """Make ``size`` customers with private chats who subscribe to the retailer (without a /start each)."""
    crowd = [await private_chat(sb, f"Kunde{number}", "de") for number in range(size)]
    async with db.unit_of_work() as session:
        for chat in crowd:
            person = users.Person(id=chat.user_id, first_name=f"Kunde{chat.user_id}", language_code="de")
            await users.touch(session, person=person, now=clock.now())
            await _subscribe(session, chat.user_id, retailer_id, clock)
    return crowd


@pytest.fixture
async def world(shop: SandboxClient, runtime: Runtime, clock: Clock) -> Shop:
    """The demo catalog with Dana (its owner), Yusuf (a rival shop's owner) and five customers."""
    assert runtime.db is not None
    return await _setup(shop, runtime.db, clock)


def _text(message: dict[str, Any]) -> str:
    return (
        str(message.get("text") or message.get("caption") or "").replace("\xa0", " ").replace("\u202f", " ")
    )


async def _reply(chat: Chat, question: dict[str, Any], text: str) -> dict[str, Any]:
    """Answer the bot's forced-reply question and return its next message."""
    sent = await chat.sb.send(chat.chat_id, chat.user_id, text, reply_to_message_id=question["message_id"])
    (answer,) = await chat.sb.wait(chat.chat_id, after=sent["message_id"])
    return answer


async def _until(sb: SandboxClient, chat_id: int, message: dict[str, Any], marker: str) -> dict[str, Any]:
    """Wait for the edits of a message until its text contains ``marker``."""
    for _ in range(40):
        if marker in _text(message):
            return message
        message = await sb.wait_edit(chat_id, message["message_id"], version=message["version"], timeout=15)
    raise AssertionError(f"{marker!r} never showed: {_text(message)!r}")


async def _compose(world: Shop, text: str) -> tuple[int, dict[str, Any]]:
    """Start /broadcast as Dana, answer the text question and return the draft's id and card."""
    return await _compose_as(world.retailer, text)


async def _compose_as(chat: Chat, text: str) -> tuple[int, dict[str, Any]]:
    (question,) = await chat.say("/broadcast")
    assert question["reply_keyboard"]["force_reply"] is True
    card = await _reply(chat, question, text)
    match = DRAFT.search(" ".join(buttons(card)))
    assert match is not None, _text(card)
    return int(match.group(1)), card


async def _broadcast_messages(sb: SandboxClient, chat_id: int, marker: str) -> list[dict[str, Any]]:
    return [message for message in await sb.messages(chat_id) if marker in _text(message)]


async def test_a_retailer_composes_previews_and_sends_to_its_subscribers_only(world: Shop) -> None:
    sb, dana = world.sb, world.retailer
    broadcast_id, card = await _compose(world, "<b>Winterschlussverkauf</b> bis Sonntag <blink> & mehr")
    assert "Winterschlussverkauf bis Sonntag <blink> & mehr" in _text(card)
    bold = [entity_text(card["text"], entity) for entity in card["entities"] if entity["type"] == "bold"]
    assert "Winterschlussverkauf" in bold
    assert "An: 👥 Alle Abonnent:innen – 3 Personen" in _text(card)

    (ask_sku,) = (await dana.press(card, f"bcc:{broadcast_id}:product", count=1))["messages"]
    wrong = await _reply(dana, ask_sku, "GIBT-ES-NICHT")
    assert _text(wrong) == "Einen aktiven Artikel „GIBT-ES-NICHT“ hast du nicht."
    card = await _reply(dana, ask_sku, world.product.sku)
    assert f"Knopf zum Artikel: {world.product.title_de}" in _text(card)

    picker = await dana.press_and_see(card, f"bcc:{broadcast_id}:seg")
    card = await dana.press_and_see(picker, f"bcc:{broadcast_id}:set:language-en")
    assert "An: 🗣 Alle auf Englisch – eine Person" in _text(card)
    picker = await dana.press_and_see(card, f"bcc:{broadcast_id}:seg")
    card = await dana.press_and_see(picker, f"bcc:{broadcast_id}:set:all")

    preview = await dana.press(card, f"bcc:{broadcast_id}:preview", count=1)
    assert preview["answer"]["text"] == "So sieht es bei deinen Empfänger:innen aus."
    (shown,) = preview["messages"]
    assert _text(shown).startswith("Winterschlussverkauf")
    assert set(buttons(shown)) == {f"bc:{broadcast_id}:{world.product.id}", f"bcx:{broadcast_id}"}

    progress = await dana.press_and_see(card, f"bcc:{broadcast_id}:now")
    assert "Geht jetzt an 3 Personen" in _text(progress)
    done = await _until(sb, dana.chat_id, progress, "ist raus")
    assert "✅ Zugestellt: 3 · ❌ Fehlgeschlagen: 0 · 🚫 Bot blockiert: 0" in _text(done)

    for name, chat in world.subscribers.items():
        (received,) = await _broadcast_messages(sb, chat.chat_id, "Winterschlussverkauf")
        label = "🛍 See the product" if name == "Tom" else "🛍 Zum Artikel"
        assert buttons(received)[f"bc:{broadcast_id}:{world.product.id}"] == label
    for chat in (*world.others.values(), world.rival):
        assert await _broadcast_messages(sb, chat.chat_id, "Winterschlussverkauf") == []
    assert buttons(done) == {}, "the progress message has no buttons left to send it twice"

    lena = world.subscribers["Lena"]
    (received,) = await _broadcast_messages(sb, lena.chat_id, "Winterschlussverkauf")
    for _ in range(2):
        opened = await lena.press(received, f"bc:{broadcast_id}:{world.product.id}", count=1)
        assert world.product.title_de in _text(opened["messages"][0])
    (listed,) = await dana.say("/broadcasts")
    assert f"#{broadcast_id}" in _text(listed) and "3/3 zugestellt · 👆 1 · 🛒 0" in _text(listed)

    tom = world.subscribers["Tom"]
    (received,) = await _broadcast_messages(sb, tom.chat_id, "Winterschlussverkauf")
    answer = await tom.press(received, f"bcx:{broadcast_id}")
    assert answer["answer"]["text"].startswith("Done: you will get no more offers from Kaufrunde Demo.")
    async with world.db.unit_of_work() as session:
        assert world.retailer_id not in (await subscriptions.get(session, user_id=tom.user_id)).retailer_ids


def _deliverer(runtime: Runtime) -> broadcasting.Deliverer:
    assert runtime.application is not None
    return bot_app.delivery(runtime.application)


async def test_a_scheduled_broadcast_gets_through_429_5xx_and_403_exactly_once(
    world: Shop, runtime: Runtime, clock: Clock
) -> None:
    sb, dana = world.sb, world.retailer
    crowd = await _crowd(sb, world.db, clock, world.retailer_id, 9)
    receivers = [*world.subscribers.values(), *crowd]
    blocked = crowd[-1]
    broadcast_id, card = await _compose(world, "Nur heute: <i>alles reduziert</i>")
    scheduled = await dana.press_and_see(card, f"bcc:{broadcast_id}:in1h")
    assert _text(scheduled).startswith(f"⏰ Rundschreiben #{broadcast_id} geht am")
    before = len(await sb.calls("sendMessage"))  # the clock stands still: count, do not compare times

    await sb.set_faults(
        rate_limits=True,
        global_per_second=4,
        error_rate=0.1,
        error_codes=[500, 502],
        blocked_user_ids=[blocked.user_id],
        seed=7,
    )
    await sb.advance_clock(3600)
    for _ in range(outbox.MAX_ATTEMPTS * 2):
        await _deliverer(runtime).until_idle()
        async with world.db.unit_of_work() as session:
            left = (await outbox.counts(session, broadcast_ids=[broadcast_id]))[broadcast_id].open
        if not left:
            break
        await sb.advance_clock(outbox.BACKOFF.total_seconds() * 2**outbox.MAX_ATTEMPTS)  # retries are due
    (progress,) = await sb.wait(dana.chat_id, after=scheduled["message_id"], count=1)
    done = await _until(sb, dana.chat_id, progress, "ist raus")
    await sb.set_faults()

    for chat in receivers:
        expected = 0 if chat is blocked else 1
        assert len(await _broadcast_messages(sb, chat.chat_id, "alles reduziert")) == expected, chat.user_id
    to_people = [
        call for call in (await sb.calls("sendMessage"))[before:] if call["params"]["chat_id"] != dana.chat_id
    ]
    assert {429, 200} <= {call["status"] for call in to_people}, "the sandbox's rate limit was hit"
    tried = [call["status"] for call in to_people if call["params"]["chat_id"] == blocked.user_id]
    assert tried[-1] == 403 and tried.count(403) == 1 and 200 not in tried, tried  # a 5xx may come first
    assert f"✅ Zugestellt: {len(receivers) - 1} · ❌ Fehlgeschlagen: 0 · 🚫 Bot blockiert: 1" in _text(done)
    async with world.db.unit_of_work() as session:
        person = await users.get(session, user_id=blocked.user_id)
        assert person is not None and person.blocked_bot
        assert (
            world.retailer_id not in (await subscriptions.get(session, user_id=blocked.user_id)).retailer_ids
        )

    second_id, card = await _compose(world, "Noch einmal")
    await _until(sb, dana.chat_id, await dana.press_and_see(card, f"bcc:{second_id}:now"), "ist raus")
    again = [
        call
        for call in (await sb.calls("sendMessage"))[before:]
        if call["params"]["chat_id"] == blocked.user_id
    ]
    assert len(again) == len(tried), "someone who blocked the bot is never tried again"


async def test_retailers_reach_only_their_own_subscribers_broadcasts_and_products(
    world: Shop, clock: Clock
) -> None:
    sb, dana, yusuf = world.sb, world.retailer, world.rival
    (card,) = await yusuf.say("/broadcast Yusufs\n<b>Gartenwoche</b>")
    assert "Yusufs\nGartenwoche" in _text(card)
    yusuf_id = int(DRAFT.search(" ".join(buttons(card))).group(1))  # type: ignore[union-attr]
    assert "To: 👥 All subscribers – one person" in _text(card)
    (ask_sku,) = (await yusuf.press(card, f"bcc:{yusuf_id}:product", count=1))["messages"]
    refused = await _reply(yusuf, ask_sku, world.product.sku)
    assert _text(refused) == f"You have no active product “{world.product.sku}”."
    progress = await yusuf.press_and_see(card, f"bcc:{yusuf_id}:now")
    await _until(sb, yusuf.chat_id, progress, "is out")
    assert len(await _broadcast_messages(sb, world.others["Jonas"].chat_id, "Gartenwoche")) == 1
    for chat in (*world.subscribers.values(), world.others["Mia"], dana):
        assert await _broadcast_messages(sb, chat.chat_id, "Gartenwoche") == []

    (mine,) = await dana.say("/broadcasts")
    assert _text(mine) == "Noch keine Rundschreiben. Mit /broadcast schreibst du das erste."
    (theirs,) = await yusuf.say("/broadcasts")
    assert f"#{yusuf_id}" in _text(theirs) and "1/1 delivered" in _text(theirs)
    (outsider,) = await world.others["Mia"].say("/broadcast")
    assert _text(outsider).startswith("Broadcasts are for retailer accounts.")

    # A staff member who left the shop keeps the chat, not the rights: the old card's buttons do nothing.
    sam = await _chat(sb, "Sam", "de")
    async with world.db.unit_of_work() as session:
        invite = await retailers.invite(
            session, retailer_id=world.retailer_id, role="staff", created_by=dana.user_id, now=clock.now()
        )
        await retailers.redeem(session, code=invite.code, user_id=sam.user_id, now=clock.now())
    sam_id, sam_card = await _compose_as(sam, "Sams Entwurf")
    async with world.db.unit_of_work() as session:
        await retailers.remove(session, retailer_id=world.retailer_id, user_id=sam.user_id)
    answer = await sam.press(sam_card, f"bcc:{sam_id}:now")
    assert answer["answer"]["text"].startswith("Rundschreiben gibt es für Händler-Konten.")
    async with world.db.unit_of_work() as session:
        view = await broadcasts.get(session, broadcast_id=sam_id, retailer_id=world.retailer_id)
    assert view is not None and view.status == broadcasts.DRAFT, "nothing was sent"


def _png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), "tomato").save(picture, "PNG")
    return picture.getvalue()


async def test_a_photo_with_a_caption_goes_to_everyone_and_is_uploaded_once(world: Shop) -> None:
    sb, dana = world.sb, world.retailer
    broadcast_id, card = await _compose(world, "Neu im Laden: " + "sehr " * 250)
    (ask_photo,) = (await dana.press(card, f"bcc:{broadcast_id}:photo", count=1))["messages"]
    sent = await sb.send(
        dana.chat_id, dana.user_id, photo=_png(), reply_to_message_id=ask_photo["message_id"]
    )
    (too_long,) = await sb.wait(dana.chat_id, after=sent["message_id"])
    assert _text(too_long).startswith("Der Text ist mit 1.263 Zeichen zu lang: höchstens 1.024")
    (ask_text,) = (await dana.press(card, f"bcc:{broadcast_id}:text", count=1))["messages"]
    await _reply(dana, ask_text, "Neu im <b>Laden</b>")
    sent = await sb.send(
        dana.chat_id, dana.user_id, photo=_png(), reply_to_message_id=ask_photo["message_id"]
    )
    (card,) = await sb.wait(dana.chat_id, after=sent["message_id"])
    assert "📷 Mit Foto" in _text(card)

    before = len(await sb.calls("sendPhoto"))
    progress = await dana.press_and_see(card, f"bcc:{broadcast_id}:now")
    await _until(sb, dana.chat_id, progress, "ist raus")
    for chat in world.subscribers.values():
        (received,) = await _broadcast_messages(sb, chat.chat_id, "Neu im Laden")
        assert received["photo"] and received["caption"] == "Neu im Laden"
    photos = (await sb.calls("sendPhoto"))[before:]
    assert len(photos) == 3 and all(isinstance(call["params"]["photo"], str) for call in photos), (
        "the retailer's photo goes out by Telegram's file id, never uploaded again"
    )


async def test_progress_is_edited_at_most_every_few_seconds_and_ends_with_the_stats(
    db: Database, demo_catalog: Database, database_url: str, demo_media: Path, clock: Clock
) -> None:
    slow = settings_for(database_url, demo_media, broadcast_rate_per_second=4)
    running = Runtime(slow, clock=clock, migrate=False, load_demo=False)
    await running.start()
    try:
        async with SandboxClient(running.url) as sb:
            world = await _setup(sb, db, clock)
            crowd = await _crowd(sb, db, clock, world.retailer_id, 17)
            broadcast_id, card = await _compose(world, "Langsam, aber sicher")
            progress = await world.retailer.press_and_see(card, f"bcc:{broadcast_id}:now")
            assert "Geht jetzt an 20 Personen" in _text(progress)
            await sb.wait(crowd[2].chat_id, after=0, count=1)
            clock.advance(1)
            unchanged = await sb.messages(world.retailer.chat_id, after=progress["message_id"] - 1)
            assert unchanged[0]["version"] == progress["version"], "not edited again within three seconds"
            clock.advance(2)
            edited = await sb.wait_edit(
                world.retailer.chat_id, progress["message_id"], version=progress["version"]
            )
            counted = re.search(r"✅ (\d+) von 20 verschickt", _text(edited))
            assert counted is not None and 0 < int(counted.group(1)) < 20, _text(edited)
            assert "⏱ Noch etwa" in _text(edited)
            done = await _until(sb, world.retailer.chat_id, edited, "ist raus")
            assert "✅ Zugestellt: 20" in _text(done) and "👆 Klicks: 0 · 🛒 Käufe in 7 Tagen: 0" in _text(
                done
            )
            assert done["version"] == progress["version"] + 2, "one edit per three seconds, and the last one"
    finally:
        await running.stop()


# The HTTP API.


@dataclass
class Keys:
    """API keys of the demo retailer and the rival."""

    url: str
    demo: str
    rival: str


@pytest.fixture
async def keys(world: Shop, runtime: Runtime, clock: Clock) -> Keys:
    """Give Dana's and Yusuf's retailers an API key each."""
    async with world.db.unit_of_work() as session:
        demo = await retailers.create_api_key(
            session, retailer_id=world.retailer_id, created_by=None, now=clock.now()
        )
        rival = await retailers.create_api_key(
            session, retailer_id=world.rival_id, created_by=None, now=clock.now()
        )
    return Keys(runtime.url, demo, rival)


async def _api(method: str, url: str, key: str, body: Any = None) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, json=body, headers={"Authorization": f"Bearer {key}"}) as response,
    ):
        return response.status, await response.json()


async def test_the_api_sends_reports_and_keeps_retailers_apart(world: Shop, keys: Keys) -> None:
    api = f"{keys.url}/api/v1/broadcasts"
    status, bad = await _api("POST", api, keys.demo, {"text": "x", "segment": {"kind": "everyone"}})
    assert (status, bad["field"]) == (422, "segment")
    status, bad = await _api("POST", api, keys.demo, {"text": "<b></b>"})
    assert (status, bad["field"], bad["error"]) == (422, "text", "The broadcast needs a text.")
    status, bad = await _api("POST", api, keys.rival, {"text": "Hi", "product_sku": world.product.sku})
    assert (status, bad["field"]) == (422, "product")
    status, bad = await _api("POST", api, keys.demo, {"text": "Hi", "send_at": "tomorrow"})
    assert (status, bad["field"]) == (422, "send_at")

    status, created = await _api(
        "POST",
        api,
        keys.demo,
        {"text": "API <b>Sale</b> <x>", "product_sku": world.product.sku, "segment": "all"},
    )
    assert status == 201, created
    assert created["text"] == "API <b>Sale</b> &lt;x&gt;" and created["recipients"] == 3
    for chat in world.subscribers.values():
        (received,) = await world.sb.wait(chat.chat_id, after=chat.last, count=1)
        assert _text(received) == "API Sale <x>"

    status, shown = await _api("GET", f"{api}/{created['id']}", keys.demo)
    assert status == 200 and shown["id"] == created["id"]
    status, missing = await _api("GET", f"{api}/{created['id']}", keys.rival)
    assert (status, missing["field"]) == (404, "id")
    status, listed = await _api("GET", api, keys.rival)
    assert status == 200 and listed["broadcasts"] == []
    status, foreign = await _api("POST", f"{api}/{created['id']}/cancel", keys.rival)
    assert (status, foreign["field"]) == (404, "id")
    status, mine = await _api("GET", api, keys.demo)
    assert [item["id"] for item in mine["broadcasts"]] == [created["id"]]
    for chat in (*world.others.values(), world.rival):
        assert await _broadcast_messages(world.sb, chat.chat_id, "API Sale") == []


async def test_the_api_schedules_cancels_and_uploads_a_photo_once(
    world: Shop, keys: Keys, clock: Clock
) -> None:
    api = f"{keys.url}/api/v1/broadcasts"
    later = (clock.now() + timedelta(hours=2)).isoformat()
    status, planned = await _api(
        "POST",
        api,
        keys.demo,
        {"text": "Bald", "send_at": later, "segment": {"kind": "language", "value": "en"}},
    )
    assert (status, planned["status"], planned["scheduled_at"]) == (201, "scheduled", later)
    status, cancelled = await _api("POST", f"{api}/{planned['id']}/cancel", keys.demo)
    assert (status, cancelled["status"]) == (200, "cancelled")
    status, again = await _api("POST", f"{api}/{planned['id']}/cancel", keys.demo)
    assert (status, again["field"]) == (409, "status")
    status, bad = await _api("POST", api, keys.demo, {"text": "Foto", "photo_base64": "bm90IGEgcGljdHVyZQ=="})
    assert (status, bad["field"]) == (422, "photo_base64")

    before = len(await world.sb.calls("sendPhoto"))
    photo = base64.b64encode(_png()).decode()
    status, created = await _api("POST", api, keys.demo, {"text": "Mit <i>Bild</i>", "photo_base64": photo})
    assert status == 201 and created["has_photo"], created
    for chat in world.subscribers.values():
        (received,) = await world.sb.wait(chat.chat_id, after=chat.last, count=1)
        assert received["photo"] and received["caption"] == "Mit Bild"
    photos = (await world.sb.calls("sendPhoto"))[before:]
    uploads = [call for call in photos if isinstance(call["params"]["photo"], dict)]
    assert len(photos) == 3 and len(uploads) == 1, "uploaded once, then sent by Telegram's file id"
    await world.sb.advance_clock(3 * 3600)
    assert await _broadcast_messages(world.sb, world.subscribers["Tom"].chat_id, "Bald") == []


# A crash in the middle.


@dataclass
class Outside:
    """A sandbox in a server of its own, so the bot can die and start again while the users stay."""

    root: str
    sandbox: Sandbox


@pytest.fixture
async def outside(clock: Clock) -> AsyncIterator[Outside]:
    """Run the sandbox on its own, as Telegram would be."""
    sandbox = Sandbox(clock=clock, bot_token=TOKEN)
    app = web.Application()
    sandbox.setup(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield Outside(f"http://{host}:{port}", sandbox)
    await runner.cleanup()


def _bot_settings(database_url: str, media: Path, outside: Outside) -> Settings:
    return settings_for(
        database_url,
        media,
        telegram_bot_token=TOKEN,
        telegram_api_url=outside.root,
        broadcast_rate_per_second=25,
    )


async def test_a_crash_in_the_middle_loses_nobody_and_sends_nobody_a_second_message(
    db: Database, demo_catalog: Database, database_url: str, demo_media: Path, clock: Clock, outside: Outside
) -> None:
    async with SandboxClient(outside.root) as sb:
        first = Runtime(
            _bot_settings(database_url, demo_media, outside), clock=clock, migrate=False, load_demo=False
        )
        await first.start()
        try:
            world = await _setup(sb, db, clock)
            crowd = await _crowd(sb, db, clock, world.retailer_id, 40)
            await sb.set_faults(delay_ms=300)
            async with db.unit_of_work() as session:
                created = await broadcasts.create(
                    session,
                    retailer_id=world.retailer_id,
                    created_by=world.retailer.user_id,
                    locale="de",
                    text="Absturz-Test",
                    segment=broadcasts.Segment(),
                    now=clock.now(),
                    locales=("de", "en"),
                    default_locale="de",
                )
            receivers = [*world.subscribers.values(), *crowd]
            assert created.total == len(receivers)
            await sb.wait(crowd[10].chat_id, after=0, count=1, timeout=20)

            deliverer = _deliverer(first)
            assert deliverer.task is not None
            deliverer.task.cancel()  # the process dies: nothing after this point runs
            with pytest.raises(asyncio.CancelledError):
                await deliverer.task
        finally:
            await first.stop()
        async with db.unit_of_work() as session:
            at_crash = (await outbox.counts(session, broadcast_ids=[created.id]))[created.id]
        assert at_crash.sending > 0 and at_crash.pending > 0, at_crash

        await sb.set_faults()
        second = Runtime(
            _bot_settings(database_url, demo_media, outside), clock=clock, migrate=False, load_demo=False
        )
        await second.start()
        try:
            await _deliverer(second).until_idle()
            async with db.unit_of_work() as session:
                resumed = (await outbox.counts(session, broadcast_ids=[created.id]))[created.id]
            assert resumed.pending == 0, "what was not claimed went out at once"
            assert (resumed.claimed, resumed.sending) == (at_crash.claimed, at_crash.sending), "leases hold"
            clock.advance(outbox.LEASE.total_seconds() + 1)
            await _deliverer(second).until_idle()
            (progress,) = [
                m for m in await sb.messages(world.retailer.chat_id) if "Rundschreiben #" in _text(m)
            ]
            done = await _until(sb, world.retailer.chat_id, progress, "ist raus")
        finally:
            await second.stop()

    async with db.unit_of_work() as session:
        rows = dict(
            (
                await session.execute(
                    select(outbox.Recipient.user_id, outbox.Recipient.status).where(
                        outbox.Recipient.broadcast_id == created.id
                    )
                )
            ).all()
        )
        final = (await outbox.counts(session, broadcast_ids=[created.id]))[created.id]
    received = {
        chat.user_id: len(await _broadcast_messages(sb, chat.chat_id, "Absturz-Test")) for chat in receivers
    }
    assert set(received.values()) <= {0, 1}, "nobody gets the broadcast twice"
    assert all(received[user] == 1 for user, status in rows.items() if status == outbox.SENT)
    assert all(status in (outbox.SENT, outbox.UNKNOWN) for status in rows.values())
    assert final.unknown == at_crash.sending and final.sent + final.unknown == final.total == len(receivers)
    assert final.sent <= sum(received.values()) <= final.sent + final.unknown
    assert f"❔ Ungewiss: {final.unknown}" in _text(done)
