"""/start, /help, /language and the fallbacks, in German and English, driven through the sandbox."""

from __future__ import annotations

from bot.sandbox import SandboxClient
from core import users
from core.db import Database
from tests.e2e.conftest import buttons, private_chat


async def test_start_greets_in_german_with_the_menu(sb: SandboxClient) -> None:
    lena = await private_chat(sb, "Lena", "de")
    (greeting,) = await lena.say("/start")
    assert greeting["text"].startswith("Hallo Lena! 👋 Ich bin Kaufrunde")
    assert buttons(greeting) == {
        "menu:cart": "🛒 Warenkorb",
        "menu:orders": "📦 Bestellungen",
        "menu:style": "✨ Stilberatung",
        "menu:help": "❓ Hilfe",
        "menu:language": "🌐 Sprache",
        "menu:privacy": "🔒 Meine Daten",
    }
    assert {"type": "bold", "offset": 23, "length": 9} in greeting["entities"]


async def test_start_greets_in_english_and_the_help_button_works(sb: SandboxClient) -> None:
    tom = await private_chat(sb, "Tom", "en-GB")
    (greeting,) = await tom.say("/start")
    assert greeting["text"].startswith("Hi Tom! 👋 I'm Kaufrunde")

    answer = await tom.press(greeting, "menu:help", count=1)
    assert answer["messages"][0]["text"].startswith("How Kaufrunde works")
    assert "/privacy" in answer["messages"][0]["text"]


async def test_a_name_with_markup_is_shown_as_written(sb: SandboxClient) -> None:
    odd = await private_chat(sb, "<b>Jo & Co</b>", "de")
    (greeting,) = await odd.say("/start")
    assert greeting["text"].startswith("Hallo <b>Jo & Co</b>!")


async def test_the_deep_link_parameter_is_kept(sb: SandboxClient, db: Database) -> None:
    aylin = await private_chat(sb, "Aylin", "de")
    await aylin.say("/start ref-tom")
    async with db.unit_of_work() as session:
        stored = await users.get(session, user_id=aylin.user_id)
    assert stored is not None and stored.start_parameter == "ref-tom"


async def test_language_switch_is_remembered(sb: SandboxClient) -> None:
    jonas = await private_chat(sb, "Jonas", "de")
    (chooser,) = await jonas.say("/language")
    assert chooser["text"] == "Welche Sprache soll ich sprechen?"
    assert set(buttons(chooser)) == {"lang:de", "lang:en"}

    switched = await jonas.press_and_see(chooser, "lang:en")
    assert switched["text"] == "Got it, from now on I'll speak English. 🇬🇧"
    (help_text,) = await jonas.say("/help")
    assert help_text["text"].startswith("How Kaufrunde works")

    commands = await sb.calls("setMyCommands")
    personal = [
        call for call in commands if (call["params"].get("scope") or {}).get("chat_id") == jonas.chat_id
    ]
    assert personal and "Choose a language" in str(personal[-1]["params"]["commands"])


async def test_commands_are_published_in_both_languages(sb: SandboxClient) -> None:
    calls = await sb.calls("setMyCommands")
    by_language = {call["params"].get("language_code"): str(call["params"]["commands"]) for call in calls}
    assert "Sprache wählen" in by_language["de"]
    assert "Choose a language" in by_language["en"]
    assert "Sprache wählen" in by_language[None]


async def test_unknown_commands_and_free_text_get_a_helpful_answer(sb: SandboxClient) -> None:
    lena = await private_chat(sb, "Lena", "de")
    (unknown,) = await lena.say("/fliegen")
    assert unknown["text"] == "Den Befehl /fliegen kenne ich nicht. Mit /help siehst du, was ich kann."
    (text,) = await lena.say("Hallo, wie geht's?")
    assert "/help" in text["text"]

    photo = await sb.send(lena.chat_id, lena.user_id, photo=_png(), caption=None)
    (answer,) = await sb.wait(lena.chat_id, after=photo["message_id"])
    assert answer["text"].startswith("Auf dem Foto konnte ich keinen Barcode erkennen.")


async def test_in_a_group_the_bot_answers_only_when_addressed(sb: SandboxClient) -> None:
    lena = await sb.create_user("Lena", language_code="de")
    tom = await sb.create_user("Tom", language_code="en")
    group = await sb.create_chat("group", [lena["id"], tom["id"]], title="Freunde")

    start = await sb.send(group["id"], tom["id"], "/start@kaufrunde_bot")
    (hello,) = await sb.wait(group["id"], after=start["message_id"])
    assert hello["text"].startswith("Hello everyone!")

    await sb.send(group["id"], lena["id"], "/weather@otherbot")
    await sb.send(group["id"], lena["id"], "Was meint ihr zu den Schuhen?")
    mention = await sb.send(group["id"], lena["id"], "@kaufrunde_bot hallo")
    replies = await sb.wait(group["id"], after=hello["message_id"])
    assert len(replies) == 1
    assert replies[0]["reply_to_message"]["message_id"] == mention["message_id"]
    assert "/help" in replies[0]["text"]


async def test_privacy_is_only_shown_in_private(sb: SandboxClient) -> None:
    lena = await sb.create_user("Lena", language_code="de")
    group = await sb.create_chat("group", [lena["id"]], title="Freunde")
    sent = await sb.send(group["id"], lena["id"], "/privacy")
    (answer,) = await sb.wait(group["id"], after=sent["message_id"])
    assert answer["text"] == "Deine Daten zeige ich dir nur im privaten Chat. Schreib mir direkt: /privacy"


async def test_an_old_button_gets_a_clear_answer(sb: SandboxClient) -> None:
    tom = await private_chat(sb, "Tom", "en")
    (greeting,) = await tom.say("/start")
    answer = await sb.press(tom.chat_id, greeting["message_id"], tom.user_id, "menu:help")
    assert answer["answer"] is not None


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()
