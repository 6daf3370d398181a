"""/privacy: overview, export as a JSON document, deletion only after confirmation."""

from __future__ import annotations

import json

import aiohttp

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from core import users
from core.db import Database
from tests.e2e.conftest import buttons, private_chat


async def test_overview_lists_what_is_stored(sb: SandboxClient) -> None:
    lena = await private_chat(sb, "Lena", "de")
    group = await sb.create_chat("group", [lena.user_id], title="Freunde")
    sent = await sb.send(group["id"], lena.user_id, "/start")
    await sb.wait(group["id"], after=sent["message_id"])

    (overview,) = await lena.say("/privacy")
    assert overview["text"].startswith("Deine Daten bei Kaufrunde")
    assert "deinen Telegram-Namen (Lena)" in overview["text"]
    assert "(eine Gruppe)" in overview["text"]
    assert "persönliche Angebote aus, Angebote von Händlern aus" in overview["text"]
    assert set(buttons(overview)) == {"privacy:export", "privacy:delete"}


async def test_export_sends_every_stored_fact_as_a_json_document(sb: SandboxClient, runtime: Runtime) -> None:
    tom = await private_chat(sb, "Tom", "en")
    (overview,) = await tom.say("/privacy")
    answer = await tom.press(overview, "privacy:export", count=1)
    document = answer["messages"][0]
    assert document["caption"] == "Here is all the data I have stored about you."
    assert document["document"]["file_name"] == f"kaufrunde-{tom.user_id}.json"

    async with aiohttp.ClientSession() as http:
        info = await sb.calls("sendDocument")
        assert info, "the export must be sent as a document"
        file_id = document["document"]["file_id"]
        bot = runtime.application
        assert bot is not None
        telegram_file = await bot.bot.get_file(file_id)
        async with http.get(telegram_file.file_path or "") as response:
            exported = json.loads(await response.read())
    assert exported["user_id"] == tom.user_id
    assert exported["profile"]["first_name"] == "Tom"
    assert exported["profile"]["telegram_language"] == "en"
    assert exported["groups"] == []


async def test_delete_asks_first_and_then_removes_everything(sb: SandboxClient, db: Database) -> None:
    aylin = await private_chat(sb, "Aylin", "de")
    (overview,) = await aylin.say("/privacy")
    confirm = await aylin.press_and_see(overview, "privacy:delete")
    assert confirm["text"].startswith("Möchtest du wirklich alle deine Daten löschen?")

    cancelled = await aylin.press_and_see(confirm, "privacy:delete:no")
    assert cancelled["text"] == "Gut, es bleibt alles, wie es ist."
    assert cancelled.get("reply_markup") is None
    async with db.unit_of_work() as session:
        assert await users.get(session, user_id=aylin.user_id) is not None

    (overview,) = await aylin.say("/privacy")
    confirm = await aylin.press_and_see(overview, "privacy:delete")
    deleted = await aylin.press_and_see(confirm, "privacy:delete:yes")
    assert deleted["text"].startswith("Deine Daten sind gelöscht.")
    async with db.unit_of_work() as session:
        assert await users.get(session, user_id=aylin.user_id) is None
