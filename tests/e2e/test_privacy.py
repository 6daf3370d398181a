"""/privacy: overview, export as a JSON document, deletion only after confirmation."""

from __future__ import annotations

import json

import aiohttp

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from core import privacy, users
from core.db import Database
from tests.core.test_privacy_everything import QUIRINELLA, findings, scan
from tests.e2e.conftest import Chat, buttons, private_chat


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
    await tom.say("warm jacket size M under 150")
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
    assert [search["text"] for search in exported["searches"]] == ["warm jacket size M under 150"]
    assert set(privacy.sections()) <= set(exported), "every feature's section is in the document"


async def test_delete_asks_first_and_then_removes_everything(sb: SandboxClient, db: Database) -> None:
    aylin = await private_chat(sb, "Aylin", "de")
    (overview,) = await aylin.say("/privacy")
    confirm = await aylin.press_and_see(overview, "privacy:delete")
    assert confirm["text"].startswith("Möchtest du wirklich alle deine Daten löschen?")
    assert "Bestellungen bewahrt der Händler für seine Buchhaltung auf" in confirm["text"]

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


async def test_deleting_through_the_bot_leaves_no_row_that_names_the_person(
    sb: SandboxClient, db: Database
) -> None:
    someone = QUIRINELLA
    user = await sb.create_user(
        someone.person.first_name,
        user_id=someone.id,
        username=someone.person.username,
        language_code="de",
    )
    await sb.create_chat("private", [user["id"]])
    group = await sb.create_chat("group", [user["id"]], title="Nachbarschaft")
    quirinella = Chat(sb, someone.id, someone.id)
    sent = await sb.send(group["id"], someone.id, "/start")
    await sb.wait(group["id"], after=sent["message_id"])
    await quirinella.say("/start")
    await quirinella.say("/style")
    await quirinella.say(someone.wrote("rote Sneaker unter 80 €"))
    async with db.unit_of_work() as session:
        assert findings(await scan(session, someone)), "she is stored before she deletes her data"

    (overview,) = await quirinella.say("/privacy")
    confirm = await quirinella.press_and_see(overview, "privacy:delete")
    await quirinella.press_and_see(confirm, "privacy:delete:yes")

    async with db.unit_of_work() as session:
        left = findings(await scan(session, someone))
    assert not left, f"still naming her: {', '.join(left)}"
