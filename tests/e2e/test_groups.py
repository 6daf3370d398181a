"""Shopping together in a group: polls with a winner, the week's top, recommendations, invite links."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox import SandboxClient
from tests.e2e.conftest import buttons, card_in_group, private_chat

DAY = 24 * 60 * 60


async def _share_inline(shop: SandboxClient, user_id: int, chat_id: int, query: str, number: int) -> str:
    offered = await shop.inline(user_id, query, chat_id)
    result = offered["results"][number]
    await shop.choose(offered["inline_query_id"], result["id"])
    return str(result["id"])


async def _command(shop: SandboxClient, chat_id: int, user_id: int, text: str) -> dict[str, Any]:
    sent = await shop.send(chat_id, user_id, text)
    (answer,) = await shop.wait(chat_id, after=sent["message_id"])
    return answer


async def test_a_poll_between_shared_products_ends_with_the_winner_and_its_card(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    mia = await shop.create_user("Mia", language_code="de")
    group = await shop.create_chat("group", [lena["id"], tom["id"], mia["id"]], title="Freunde")
    first = await _share_inline(shop, lena["id"], group["id"], "sneaker", 0)
    second = await _share_inline(shop, tom["id"], group["id"], "sneaker", 1)

    picker = await _command(shop, group["id"], lena["id"], "/poll")
    assert "Welche Produkte" in picker["text"]
    assert {f"poll:t:{first}", f"poll:t:{second}", "poll:go"} <= set(buttons(picker))
    refused = await shop.press(group["id"], picker["message_id"], lena["id"], "poll:go")
    assert "2 bis 10" in refused["answer"]["text"]
    for product in (first, second):
        await shop.press(group["id"], picker["message_id"], lena["id"], f"poll:t:{product}")
        picker = await shop.wait_edit(group["id"], picker["message_id"], version=picker["version"])
    assert sum(label.startswith("✅") for label in buttons(picker).values()) == 2
    await shop.press(group["id"], picker["message_id"], lena["id"], "poll:go")
    (poll_message,) = await shop.wait(group["id"], after=picker["message_id"])
    poll = poll_message["poll"]
    assert poll["question"] == "Welches nehmen wir?"
    assert len(poll["options"]) == 2 and not poll["is_anonymous"]

    await shop.vote(poll["id"], tom["id"], [1])
    await shop.vote(poll["id"], mia["id"], [1])
    await shop.vote(poll["id"], lena["id"], [0])
    await shop.advance_clock(DAY + 60)
    winner, card = await shop.wait(group["id"], after=poll_message["message_id"], count=2, timeout=20)
    assert "Gewonnen" in winner["text"] and "2 Stimmen" in winner["text"] and "3 Personen" in winner["text"]
    assert f"vote:{second}:1" in buttons(card)
    stopped = next(
        m for m in await shop.messages(group["id"]) if m["message_id"] == poll_message["message_id"]
    )
    assert stopped["poll"]["is_closed"]


async def test_poll_needs_two_shared_products_and_a_group(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="en")
    group = await shop.create_chat("group", [lena["id"]], title="Friends")
    answer = await _command(shop, group["id"], lena["id"], "/poll")
    assert "Share at least 2 products" in answer["text"]
    chat = await private_chat(shop, "Tom", "de")
    (answer,) = await chat.say("/poll")
    assert "Umfragen gibt es in Gruppen" in answer["text"]


async def test_top_lists_what_the_group_liked_this_week(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="en")
    tom = await shop.create_user("Tom", language_code="de")
    group = await shop.create_chat("group", [lena["id"], tom["id"]], title="Friends")
    card, product = await card_in_group(shop, lena["id"], group["id"])
    await shop.press(group["id"], card["message_id"], tom["id"], f"vote:{product}:1")
    top = await _command(shop, group["id"], lena["id"], "/top")
    assert "This group's week" in top["text"] and "Most 👍" in top["text"]
    assert "1. " in top["text"] and "(1)" in top["text"]
    top_de = await _command(shop, group["id"], tom["id"], "/top")
    assert "Meiste 👍" in top_de["text"] and "Meistgekauft" in top_de["text"]


async def test_a_recommendation_reaches_the_friend_privately_with_the_note(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    mia = await shop.create_user("Mia", language_code="de")
    group = await shop.create_chat("group", [lena["id"], tom["id"], mia["id"]], title="Freunde")
    await shop.create_chat("private", [tom["id"]])
    await shop.send(tom["id"], tom["id"], "/start")
    await shop.wait(tom["id"], after=0)
    card, product = await card_in_group(shop, lena["id"], group["id"])
    assert buttons(card)[f"rec:{product}"] == "💌 Empfehlen"
    alone = await shop.press(group["id"], card["message_id"], lena["id"], f"rec:{product}")
    assert "noch niemand" in alone["answer"]["text"]
    # The bot knows the members who have taken part in the group.
    for friend in (tom, mia):
        await shop.press(group["id"], card["message_id"], friend["id"], f"vote:{product}:1")

    await shop.press(group["id"], card["message_id"], lena["id"], f"rec:{product}")
    (pick,) = await shop.wait(group["id"], after=card["message_id"])
    assert set(buttons(pick).values()) == {"Tom", "Mia"}
    await shop.press(group["id"], pick["message_id"], lena["id"], f"rec:to:{product}:{tom['id']}")
    (prompt,) = await shop.wait(group["id"], after=pick["message_id"])
    assert prompt["text"] == "💌 Deine Notiz zur Empfehlung:"
    before = (await shop.messages(tom["id"]))[-1]["message_id"]
    sent = await shop.send(
        group["id"], lena["id"], "Passt zu deiner Jacke!", reply_to_message_id=prompt["message_id"]
    )
    (done,) = await shop.wait(group["id"], after=sent["message_id"])
    assert "an Tom ist unterwegs" in done["text"]
    note, tom_card = await shop.wait(tom["id"], after=before, count=2)
    assert "Lena recommends this to you" in note["text"] and "Passt zu deiner Jacke!" in note["text"]
    assert "Freunde" in note["text"]
    assert f"cart:pick:{product}" in buttons(tom_card) and f"rec:{product}" not in buttons(tom_card)

    again = await shop.press(group["id"], card["message_id"], lena["id"], f"rec:{product}")
    assert again["answer"] is not None
    (pick,) = await shop.wait(group["id"], after=done["message_id"])
    await shop.press(group["id"], pick["message_id"], lena["id"], f"rec:to:{product}:{mia['id']}")
    pick = await shop.wait_edit(group["id"], pick["message_id"], version=pick["version"])
    await shop.press(group["id"], pick["message_id"], lena["id"], f"rec:go:{product}:{mia['id']}")
    pick = await shop.wait_edit(group["id"], pick["message_id"], version=pick["version"])
    assert "Mia hat noch nie mit mir geschrieben" in pick["text"]


async def test_invite_link_counts_the_friend_who_started_through_it(shop: SandboxClient) -> None:
    lena = await private_chat(shop, "Lena", "de")
    (invite,) = await lena.say("/invite")
    found = re.search(r"https://t\.me/kaufrunde_bot\?start=(ref-[\w-]+)", invite["text"])
    assert found is not None and "Eingeladen: 0" in invite["text"] and "5,00" in invite["text"]
    ben = await private_chat(shop, "Ben", "en")
    await ben.say(f"/start {found[1]}")
    (invite,) = await lena.say("/invite")
    assert "Eingeladen: 1" in invite["text"] and "Prämie verdient: 0" in invite["text"]
    (credit,) = await ben.say("/credits")
    assert "no credit yet" in credit["text"]


async def test_a_poll_can_start_from_a_search(shop: SandboxClient) -> None:
    lena = await shop.create_user("Lena", language_code="de")
    tom = await shop.create_user("Tom", language_code="en")
    group = await shop.create_chat("group", [lena["id"], tom["id"]], title="Freunde")
    sent = await shop.send(group["id"], lena["id"], "/poll@kaufrunde_bot Sneaker")
    (picker,) = await shop.wait(group["id"], after=sent["message_id"])
    toggles = [
        button["callback_data"]
        for row in picker["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith("poll:t:")
    ]
    assert 2 <= len(toggles) <= 10
    assert all(
        "neaker" in button["text"] or "schuh" in button["text"].lower()
        for row in picker["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith("poll:t:")
    )
