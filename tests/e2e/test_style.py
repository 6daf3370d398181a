"""/style: the quiz with buttons, the profile, outfit ideas, a typed budget, the reminder."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox import SandboxClient
from core.db import Database
from tests.e2e.conftest import Chat, buttons, private_chat


async def _answer(lena: Chat, message: dict[str, Any], data: str) -> dict[str, Any]:
    assert data in buttons(message), f"{data} is not offered: {sorted(buttons(message))}"
    return await lena.press_and_see(message, data)


async def _take_quiz(lena: Chat) -> dict[str, Any]:
    (question,) = await lena.say("/style")
    assert question["text"].startswith("Wofür suchst du ein Outfit?")
    assert "Frage 1 von 7" in question["text"]
    question = await _answer(lena, question, "sty:0:a:wedding")
    assert question["text"].startswith("Welche Stile magst du?")
    question = await _answer(lena, question, "sty:1:t:elegant")
    assert buttons(question)["sty:1:t:elegant"] == "✓ Elegant"
    question = await _answer(lena, question, "sty:1:next")
    question = await _answer(lena, question, "sty:2:t:pink")
    question = await _answer(lena, question, "sty:2:next")
    assert question["text"].startswith("Deine Größe bei Oberteilen?")
    question = await _answer(lena, question, "sty:3:a:M")
    question = await _answer(lena, question, "sty:4:a:50")
    question = await _answer(lena, question, "sty:5:a:43")
    assert question["text"].startswith("Wie viel darf ein Outfit kosten?")
    return question


async def test_the_quiz_builds_a_profile_and_outfits_follow_it(
    sb: SandboxClient, demo_catalog: Database
) -> None:
    lena = await private_chat(sb, "Lena", "de")
    budget_question = await _take_quiz(lena)
    profile = await _answer(lena, budget_question, "sty:6:a:200")

    text = profile["text"]
    assert text.startswith("✅ Dein Stilprofil ist gespeichert.")
    for expected in (
        "Anlass: Hochzeit",
        "Stile: Elegant",
        "nicht trägst: Rosa",
        "Oberteile M, Hosen 50, Schuhe 43",
    ):
        assert expected in text
    assert "Budget: 200,00\xa0€" in text
    assert set(buttons(profile)) == {"sty:outfits", "sty:restart", "sty:delete"}

    answer = await lena.press(profile, "sty:outfits", count=1)
    first = answer["messages"][0]
    assert first["text"].startswith("✨ Outfit 1 – ")
    assert "Für den Anlass „Hochzeit“" in first["text"] or "Stil" in first["text"]
    assert first["text"].count("• ") >= 2
    assert all(data.startswith("card:") for data in buttons(first))


async def test_a_typed_budget_is_understood_or_explained(sb: SandboxClient, demo_catalog: Database) -> None:
    tom = await private_chat(sb, "Tom", "en")
    (question,) = await tom.say("/style")
    for step, data in enumerate(
        ("sty:0:skip", "sty:1:next", "sty:2:next", "sty:3:skip", "sty:4:skip", "sty:5:skip")
    ):
        assert data in buttons(question), step
        question = await tom.press_and_see(question, data)
    assert question["text"].startswith("How much may an outfit cost?")

    answer = await tom.press(question, "sty:6:type", count=1)
    prompt = answer["messages"][0]
    assert prompt["text"].startswith("What is the most an outfit may cost?")

    wrong = await sb.send(tom.chat_id, tom.user_id, "lots", reply_to_message_id=prompt["message_id"])
    (explained,) = await sb.wait(tom.chat_id, after=wrong["message_id"])
    assert explained["text"].startswith("I can't read “lots” as an amount.")

    typed = await sb.send(tom.chat_id, tom.user_id, "149,90 €", reply_to_message_id=prompt["message_id"])
    (saved,) = await sb.wait(tom.chat_id, after=typed["message_id"])
    assert saved["text"].startswith("✅ Your style profile is saved.")
    assert "Budget: €149.90" in saved["text"]


async def test_the_profile_can_be_deleted(sb: SandboxClient, demo_catalog: Database) -> None:
    aylin = await private_chat(sb, "Aylin", "de")
    profile = await _answer(aylin, await _take_quiz(aylin), "sty:6:a:any")
    assert "Budget: –" in profile["text"]
    deleted = await aylin.press_and_see(profile, "sty:delete")
    assert deleted["text"] == "Dein Stilprofil ist gelöscht."
    (again,) = await aylin.say("/style")
    assert again["text"].startswith("Wofür suchst du ein Outfit?")


async def test_an_unfinished_quiz_is_remembered_once_a_day_later(
    sb: SandboxClient, demo_catalog: Database
) -> None:
    jonas = await private_chat(sb, "Jonas", "en")
    (question,) = await jonas.say("/style")
    await sb.advance_clock(timedelta(hours=23).total_seconds())
    assert await sb.messages(jonas.chat_id, after=question["message_id"]) == []

    await sb.advance_clock(timedelta(hours=2).total_seconds())
    (reminder,) = await sb.messages(jonas.chat_id, after=question["message_id"])
    assert reminder["text"].startswith("You haven't finished the style quiz yet.")
    await sb.advance_clock(timedelta(days=2).total_seconds())
    assert len(await sb.messages(jonas.chat_id, after=question["message_id"])) == 1

    restarted = await jonas.press_and_see(reminder, "sty:restart")
    assert restarted["text"].startswith("What are you dressing for?")
