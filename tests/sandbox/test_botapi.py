"""The Bot API side, driven by python-telegram-bot's own Bot: messages, files, edits, commands, transport."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken

from bot.sandbox import SandboxClient

from .conftest import ALICE, BOB, BOT_ID, TOKEN, Server, png

pytestmark = pytest.mark.usefixtures("people")

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("👍 1", callback_data="vote:up:1")]])


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (BOT_ID, "kaufrunde_bot", "Kaufrunde", True)
    assert me.supports_inline_queries
    assert not me.can_read_all_group_messages


async def test_send_message_parses_html_into_entities_and_keeps_the_keyboard(
    bot: Bot, sb: SandboxClient
) -> None:
    sent = await bot.send_message(
        ALICE,
        "<b>Rote Sneaker</b> für <i>79,99 €</i> 😀 <a href='https://example.org/p/1'>ansehen</a>",
        parse_mode=ParseMode.HTML,
        reply_markup=KEYBOARD,
    )
    assert sent.text == "Rote Sneaker für 79,99 € 😀 ansehen"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        (MessageEntity.BOLD, 0, 12),
        (MessageEntity.ITALIC, 17, 7),
        (MessageEntity.TEXT_LINK, 28, 7),
    ]
    assert sent.entities[2].url == "https://example.org/p/1"
    assert sent.reply_markup == KEYBOARD
    assert sent.from_user is not None and sent.from_user.id == BOT_ID
    assert sent.date == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    [seen] = await sb.messages(ALICE)
    assert seen["text"] == sent.text and seen["reply_markup"]["inline_keyboard"][0][0]["text"] == "👍 1"


async def test_message_ids_increase_per_chat(bot: Bot, sb: SandboxClient) -> None:
    await sb.create_chat("private", [BOB])
    first = await bot.send_message(ALICE, "eins")
    second = await bot.send_message(ALICE, "zwei")
    other = await bot.send_message(BOB, "one")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)


async def test_reply_to_a_users_message_and_reply_keyboard(bot: Bot, sb: SandboxClient) -> None:
    asked = await sb.send(ALICE, ALICE, "Hallo")
    menu = ReplyKeyboardMarkup([["Warenkorb", "Bestellungen"]])
    sent = await bot.send_message(
        ALICE, "Hallo Alice", reply_to_message_id=asked["message_id"], reply_markup=menu
    )
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "Hallo"
    assert sent.reply_markup is None
    [_, seen] = await sb.messages(ALICE)
    assert seen["reply_keyboard"]["keyboard"] == [[{"text": "Warenkorb"}, {"text": "Bestellungen"}]]
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ALICE, "?", reply_to_message_id=99)


async def test_send_photo_upload_reads_the_size_and_can_be_downloaded(bot: Bot) -> None:
    image = png(40, 30)
    sent = await bot.send_photo(ALICE, image, caption="<b>Neu</b>", parse_mode=ParseMode.HTML)
    [size] = sent.photo
    assert (size.width, size.height, size.file_size) == (40, 30, len(image))
    assert sent.caption == "Neu" and sent.caption_entities[0].type == MessageEntity.BOLD
    file = await bot.get_file(size.file_id)
    assert bytes(await file.download_as_bytearray()) == image
    again = await bot.send_photo(ALICE, size.file_id)
    assert again.photo[0].file_unique_id == size.file_unique_id


async def test_send_document_and_photo_by_url(bot: Bot) -> None:
    document = await bot.send_document(ALICE, b"name;price\nSneaker;79.99\n", filename="katalog.csv")
    assert document.document is not None and document.document.file_name == "katalog.csv"
    assert document.document.mime_type == "text/csv"
    by_url = await bot.send_photo(ALICE, "https://shop.example/images/sneaker.jpg")
    assert (by_url.photo[0].width, by_url.photo[0].height) == (512, 512)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(ALICE, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ALICE, b"not an image")


async def test_edits_answer_the_message_and_refuse_unchanged_content(bot: Bot, sb: SandboxClient) -> None:
    sent = await bot.send_message(ALICE, "Stand: 1 Stimme", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Stand: <b>2</b> Stimmen", ALICE, sent.message_id, parse_mode="HTML")
    assert not isinstance(edited, bool)
    assert edited.text == "Stand: 2 Stimmen" and edited.edit_date is not None
    assert edited.reply_markup is None, "an edit without reply_markup removes the keyboard, as in Telegram"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Stand: <b>2</b> Stimmen", ALICE, sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=KEYBOARD)
    [seen] = await sb.messages(ALICE)
    assert seen["version"] == 2 and seen["reply_markup"] == KEYBOARD.to_dict()
    with pytest.raises(BadRequest, match=r"(?i)there is no caption in the message to edit"):
        await bot.edit_message_caption(ALICE, sent.message_id, caption="x")


async def test_edit_caption_of_a_photo(bot: Bot) -> None:
    sent = await bot.send_photo(ALICE, png(8, 8), caption="alt")
    edited = await bot.edit_message_caption(ALICE, sent.message_id, caption="<i>neu</i>", parse_mode="HTML")
    assert not isinstance(edited, bool) and edited.caption == "neu"
    with pytest.raises(BadRequest, match=r"(?i)there is no text in the message to edit"):
        await bot.edit_message_text("x", ALICE, sent.message_id)


async def test_users_messages_cannot_be_edited_by_the_bot(bot: Bot, sb: SandboxClient) -> None:
    sent = await sb.send(ALICE, ALICE, "meins")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("deins", ALICE, sent["message_id"])


async def test_deleted_messages_stay_visible_as_deleted_and_cannot_be_edited(
    bot: Bot, sb: SandboxClient
) -> None:
    sent = await bot.send_message(ALICE, "weg damit")
    assert await bot.delete_message(ALICE, sent.message_id)
    [seen] = await sb.messages(ALICE)
    assert seen["deleted"] is True and seen["text"] == "weg damit"
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("doch nicht", ALICE, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)


async def test_the_bot_deletes_others_messages_in_groups_only_as_administrator(
    bot: Bot, sb: SandboxClient
) -> None:
    group = await sb.create_chat("group", [ALICE, BOB], title="Familie")
    spam = await sb.send(group["id"], BOB, "/spam")
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(group["id"], spam["message_id"])
    await sb.set_member(group["id"], BOT_ID, "administrator", from_id=ALICE)
    assert await bot.delete_message(group["id"], spam["message_id"])


async def test_pinning_shows_in_get_chat_and_in_the_client_api(bot: Bot, sb: SandboxClient) -> None:
    first = await bot.send_message(ALICE, "Sammelbestellung: 3/10")
    second = await bot.send_message(ALICE, "Sammelbestellung: 5/10")
    await bot.pin_chat_message(ALICE, first.message_id)
    await bot.pin_chat_message(ALICE, second.message_id)
    chat = await bot.get_chat(ALICE)
    assert chat.pinned_message is not None and chat.pinned_message.message_id == second.message_id
    await bot.unpin_chat_message(ALICE)
    pinned = [message["message_id"] for message in await sb.messages(ALICE) if message.get("pinned")]
    assert pinned == [first.message_id]


async def test_only_an_administrator_bot_pins_in_a_group(bot: Bot, sb: SandboxClient) -> None:
    group = await sb.create_chat("group", [ALICE, BOB], title="WG")
    progress = await bot.send_message(group["id"], "Sammelbestellung: 3/10")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to manage pinned messages"):
        await bot.pin_chat_message(group["id"], progress.message_id)
    await sb.set_member(group["id"], BOT_ID, "administrator", from_id=ALICE)
    assert await bot.pin_chat_message(group["id"], progress.message_id)
    pinned = [message["message_id"] for message in await sb.messages(group["id"]) if message.get("pinned")]
    assert pinned == [progress.message_id]


async def test_sending_to_unknown_chats_and_users_without_a_chat(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-777, "hallo")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(BOB, "hallo")


async def test_chat_action_chat_and_member(bot: Bot, sb: SandboxClient) -> None:
    group = await sb.create_chat("supergroup", [ALICE, BOB], title="Sneakerheads")
    assert await bot.send_chat_action(ALICE, "typing")
    info = await bot.get_chat(group["id"])
    assert (info.type, info.title) == ("supergroup", "Sneakerheads")
    assert (await bot.get_chat_member(group["id"], ALICE)).status == "creator"
    assert (await bot.get_chat_member(group["id"], BOB)).status == "member"
    assert (await bot.get_chat_member(group["id"], BOT_ID)).status == "member"
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(group["id"], 999)


async def test_leave_chat_stops_sending(bot: Bot, sb: SandboxClient) -> None:
    group = await sb.create_chat("group", [ALICE], title="Alt")
    assert await bot.leave_chat(group["id"])
    [chat] = [chat for chat in await sb.chats() if chat["id"] == group["id"]]
    assert chat["bot_status"] == "left"
    with pytest.raises(Forbidden, match=r"(?i)bot is not a member of the group chat"):
        await bot.send_message(group["id"], "hallo?")


async def test_commands_are_kept_per_scope_and_language(bot: Bot) -> None:
    german = [BotCommand("start", "Loslegen"), BotCommand("warenkorb", "Warenkorb zeigen")]
    english = [BotCommand("start", "Get started")]
    groups = [BotCommand("poll", "Umfrage starten")]
    assert await bot.set_my_commands(german, language_code="de")
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(groups, scope=BotCommandScopeAllGroupChats(), language_code="de")
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["start", "warenkorb"]
    assert [c.description for c in await bot.get_my_commands()] == ["Get started"]
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="de") == tuple(
        groups
    )
    assert await bot.delete_my_commands(language_code="de")
    assert await bot.get_my_commands(language_code="de") == ()
    assert await bot.set_chat_menu_button()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad Command", "x")])


async def test_wrong_token_unknown_method_json_bodies_and_get(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.root}/bot123456789:WRONG/getMe") as response:
            assert response.status == 401
            assert await response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.post(f"{server.root}/bot{TOKEN}/sendSticker") as response:
            assert response.status == 404
        async with http.post(
            f"{server.root}/bot{TOKEN}/SENDMESSAGE", json={"chat_id": ALICE, "text": 42}
        ) as response:
            body = await response.json()
            assert body["ok"] and body["result"]["text"] == "42"
        async with http.get(
            f"{server.root}/bot{TOKEN}/sendMessage", params={"chat_id": ALICE, "text": "true"}
        ) as r:
            assert (await r.json())["result"]["text"] == "true", "text is never JSON-decoded"
    with pytest.raises(InvalidToken):
        await Bot("123456789:WRONG", base_url=f"{server.root}/bot").get_me()


async def test_calls_are_logged_without_the_token(bot: Bot, sb: SandboxClient) -> None:
    start = (await sb.clock())["now"]
    await bot.send_message(ALICE, "eins")
    with pytest.raises(BadRequest):
        await bot.send_message(ALICE, "")
    calls = await sb.calls("sendmessage", since=start)
    assert [(call["method"], call["status"]) for call in calls] == [
        ("sendMessage", 200),
        ("sendMessage", 400),
    ]
    assert calls[0]["params"] == {"chat_id": ALICE, "text": "eins"}
    assert calls[1]["description"] == "Bad Request: message text is empty"
    assert all(TOKEN not in str(call) for call in await sb.calls())
    assert await sb.calls("sendMessage", since="2030-01-01T00:00:00+00:00") == []


async def test_the_documentation_lists_every_implemented_method(server: Server) -> None:
    documentation = (Path(__file__).parents[2] / "docs" / "sandbox.md").read_text()
    assert [
        name for name in server.sandbox.bot_api.method_names if f"| `{name}` |" not in documentation
    ] == []
