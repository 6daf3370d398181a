"""Users acting through the client API while the bot answers with PTB: presses, inline mode, polls, clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import (
    Bot,
    ChosenInlineResult,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultPhoto,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest

from bot.sandbox import SandboxClient, SandboxError
from core.clock import Clock

from .conftest import ALICE, BOB, BOT_ID, CAROL, BotLoop, Server, updates

pytestmark = pytest.mark.usefixtures("people")


def buttons(*data: str) -> InlineKeyboardMarkup:
    """Return a one-row keyboard with a callback button per data string."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(item, callback_data=item) for item in data]])


async def test_press_delivers_the_current_message_and_waits_for_the_answer(
    bot: Bot, sb: SandboxClient
) -> None:
    sent = await bot.send_message(ALICE, "Rote Sneaker", reply_markup=buttons("wl:add:1", "cart:add:1"))

    async def handle(update: Update) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None and query.data == "wl:add:1"
        assert query.message.message_id == sent.message_id and query.from_user.id == ALICE
        await query.answer("Gemerkt!", show_alert=True)
        await query.edit_message_text("Rote Sneaker ✓ auf der Wunschliste")

    async with BotLoop(bot, handle):
        pressed = await sb.press(ALICE, sent.message_id, ALICE, "wl:add:1")
        assert pressed["answer"] == {"text": "Gemerkt!", "show_alert": True}
        edited = await sb.wait_edit(ALICE, sent.message_id, version=0)
    assert edited["text"] == "Rote Sneaker ✓ auf der Wunschliste" and "edit_date" in edited


async def test_an_unanswered_press_returns_null_and_a_late_answer_is_too_old(
    bot: Bot, sb: SandboxClient
) -> None:
    sent = await bot.send_message(ALICE, "Frage", reply_markup=buttons("ja"))
    pressed = await sb.press(ALICE, sent.message_id, ALICE, "ja", timeout=0.2)
    assert pressed["answer"] is None
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(pressed["callback_query_id"])
    with pytest.raises(SandboxError) as refused:
        await sb.press(ALICE, sent.message_id, ALICE, "nein")
    assert refused.value.status == 400


async def test_inline_results_are_posted_via_the_bot_and_edited_by_inline_message_id(
    bot: Bot, sb: SandboxClient
) -> None:
    group = await sb.create_chat("group", [ALICE, BOB], title="Sneakerheads")
    gid = group["id"]
    chosen: list[ChosenInlineResult] = []
    edit_results: list[object] = []

    async def handle(update: Update) -> None:
        if update.inline_query is not None:
            assert (update.inline_query.query, update.inline_query.chat_type) == ("sneaker", "group")
            article = InlineQueryResultArticle(
                "p1",
                "Rote Sneaker",
                InputTextMessageContent("<b>Rote Sneaker</b> 79,99 €", parse_mode="HTML"),
                reply_markup=buttons("vote:p1:up"),
            )
            photo = InlineQueryResultPhoto(
                "p2",
                "https://shop.example/p2.jpg",
                "https://shop.example/p2-thumb.jpg",
                caption="Blaue Sneaker",
            )
            await update.inline_query.answer([article, photo], cache_time=0, is_personal=True)
        elif update.chosen_inline_result is not None:
            chosen.append(update.chosen_inline_result)
        elif update.callback_query is not None:
            query = update.callback_query
            assert query.message is None and query.inline_message_id is not None
            await query.answer("Danke!")
            edit_results.append(await query.edit_message_text("<b>Rote Sneaker</b> 👍 1", parse_mode="HTML"))

    async with BotLoop(bot, handle):
        offered = await sb.inline(ALICE, "sneaker", gid)
        assert [result["id"] for result in offered["results"]] == ["p1", "p2"]
        with pytest.raises(SandboxError) as unknown:
            await sb.choose(offered["inline_query_id"], "p9")
        assert unknown.value.status == 400
        posted = await sb.choose(offered["inline_query_id"], "p1")
        [message] = await sb.messages(gid, after=posted["message_id"] - 1)
        assert message["from"]["id"] == ALICE and message["via_bot"]["id"] == BOT_ID
        assert message["text"] == "Rote Sneaker 79,99 €" and message["entities"][0]["type"] == "bold"
        assert message["inline_message_id"] == posted["inline_message_id"]
        pressed = await sb.press(gid, posted["message_id"], BOB, "vote:p1:up")
        assert pressed["answer"]["text"] == "Danke!"
        edited = await sb.wait_edit(gid, posted["message_id"], version=message["version"])
        photo = await sb.choose(offered["inline_query_id"], "p2")
    assert edited["text"] == "Rote Sneaker 👍 1" and edit_results == [True]
    assert [(c.result_id, c.inline_message_id, c.query) for c in chosen] == [
        ("p1", posted["inline_message_id"], "sneaker")
    ]
    assert photo["inline_message_id"] is None
    [photo_message] = await sb.messages(gid, after=photo["message_id"] - 1)
    assert photo_message["caption"] == "Blaue Sneaker" and photo_message["photo"][0]["width"] == 512


async def test_an_unanswered_inline_query_has_no_results(sb: SandboxClient) -> None:
    offered = await sb.inline(ALICE, "jacke", ALICE, timeout=0.2)
    assert offered["results"] == []
    with pytest.raises(SandboxError) as refused:
        await sb.choose(offered["inline_query_id"], "p1")
    assert refused.value.status == 400


async def test_poll_answers_and_counts_reach_the_bot(bot: Bot, sb: SandboxClient) -> None:
    group = await sb.create_chat("group", [ALICE, BOB, CAROL], title="Jacken")
    gid = group["id"]
    offset = max(update.update_id for update in await updates(bot)) + 1
    sent = await bot.send_poll(
        gid, "Welche Jacke?", ["Blau", "Rot", "Grün"], is_anonymous=False, allows_multiple_answers=True
    )
    assert sent.poll is not None
    poll_id = sent.poll.id
    await sb.vote(poll_id, ALICE, [0, 2])
    await sb.vote(poll_id, BOB, [1])
    result = await sb.vote(poll_id, ALICE, [])
    assert [option["voter_count"] for option in result["poll"]["options"]] == [0, 1, 0]
    received = await updates(bot, offset=offset)
    answers = [
        (u.poll_answer.user.id, u.poll_answer.option_ids)
        for u in received
        if u.poll_answer and u.poll_answer.user
    ]
    assert answers == [(ALICE, (0, 2)), (BOB, (1,)), (ALICE, ())]
    states = [u.poll for u in received if u.poll is not None]
    assert [s.total_voter_count for s in states] == [1, 2, 1]
    stopped = await bot.stop_poll(gid, sent.message_id)
    assert stopped.is_closed and [o.voter_count for o in stopped.options] == [0, 1, 0]
    with pytest.raises(SandboxError) as refused:
        await sb.vote(poll_id, CAROL, [0])
    assert refused.value.status == 400
    with pytest.raises(BadRequest, match=r"(?i)poll has already been closed"):
        await bot.stop_poll(gid, sent.message_id)
    [message] = await sb.messages(gid, after=sent.message_id - 1)
    assert message["poll"]["is_closed"] is True


async def test_anonymous_polls_send_no_answers_and_quizzes_cannot_be_revoted(
    bot: Bot, sb: SandboxClient
) -> None:
    anonymous = await bot.send_poll(ALICE, "Farbe?", ["Schwarz", "Weiß"])
    quiz = await bot.send_poll(ALICE, "Baujahr?", ["1985", "1990"], type="quiz", correct_option_ids=[1])
    assert anonymous.poll is not None and quiz.poll is not None
    await sb.vote(anonymous.poll.id, ALICE, [1])
    await sb.vote(quiz.poll.id, ALICE, [0])
    received = await updates(bot)
    assert [u.poll_answer for u in received if u.poll_answer] == []
    assert [u.poll.id for u in received if u.poll] == [anonymous.poll.id, quiz.poll.id]
    with pytest.raises(SandboxError, match="does not allow changing"):
        await sb.vote(quiz.poll.id, ALICE, [1])


async def test_clock_advance_moves_dates_and_awaits_the_due_work(
    server: Server, bot: Bot, sb: SandboxClient, clock: Clock
) -> None:
    ran: list[datetime] = []

    async def due() -> None:
        ran.append(clock.now())
        await bot.send_message(ALICE, "Deine Bestellung ist unterwegs")

    server.sandbox.on_clock_advanced.append(due)
    assert (await sb.clock())["now"] == "2026-03-02T12:00:00+00:00"
    advanced = await sb.advance_clock(3600)
    assert advanced["now"] == "2026-03-02T13:00:00+00:00"
    assert ran == [datetime(2026, 3, 2, 13, 0, tzinfo=UTC)]
    [message] = await sb.messages(ALICE)
    assert message["date"] == int(datetime(2026, 3, 2, 13, 0, tzinfo=UTC).timestamp())
