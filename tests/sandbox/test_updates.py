"""Updates: long polling, webhooks, redelivery, privacy mode and membership updates."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, MessageEntity
from telegram.error import Conflict

from bot.sandbox import Sandbox, SandboxClient
from core.clock import Clock

from .conftest import ALICE, BOB, BOT_ID, CAROL, TOKEN, Server, png, start, until_polling, updates

pytestmark = pytest.mark.usefixtures("people")


async def test_long_poll_waits_for_a_message_posted_by_a_user(bot: Bot, sb: SandboxClient) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await until_polling(sb)
    sent = await sb.send(ALICE, ALICE, "/start angebot")
    [update] = await polling
    assert update.update_id == sent["update_id"]
    assert update.message is not None and update.message.text == "/start angebot"
    assert update.message.from_user is not None and update.message.from_user.language_code == "de"
    assert update.message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert update.message.chat.type == "private"


async def test_offset_confirms_updates(bot: Bot, sb: SandboxClient) -> None:
    first = await sb.send(ALICE, ALICE, "eins")
    second = await sb.send(ALICE, ALICE, "zwei")
    assert [u.update_id for u in await updates(bot)] == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in await updates(bot, offset=second["update_id"])] == [second["update_id"]]
    assert await updates(bot, offset=second["update_id"] + 1, seconds=0) == ()


async def test_user_photo_reaches_the_bot_and_can_be_downloaded(bot: Bot, sb: SandboxClient) -> None:
    image = png(20, 10)
    await sb.send(ALICE, ALICE, photo=image, caption="Passt das zu /outfit?")
    [update] = await updates(bot)
    assert update.message is not None and update.message.caption == "Passt das zu /outfit?"
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (20, 10)
    downloaded = await (await bot.get_file(photo.file_id)).download_as_bytearray()
    assert bytes(downloaded) == image


async def test_redelivery_gives_the_same_update_again(bot: Bot, sb: SandboxClient) -> None:
    sent = await sb.send(ALICE, ALICE, "einmal")
    [first] = await updates(bot)
    assert await updates(bot, offset=first.update_id + 1, seconds=0) == ()
    assert await sb.redeliver(first.update_id) == {"update_id": first.update_id}
    [again] = await updates(bot, offset=first.update_id + 1)
    assert again.update_id == first.update_id == sent["update_id"]
    assert again.to_dict() == first.to_dict()
    assert await updates(bot, offset=first.update_id + 1, seconds=0) == ()


async def test_a_second_poller_terminates_the_first(bot: Bot, sb: SandboxClient, server: Server) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await until_polling(sb)
    async with Bot(TOKEN, base_url=f"{server.root}/bot") as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first


async def test_webhook_gets_updates_with_the_secret_and_is_retried_until_it_answers_2xx(
    bot: Bot, sb: SandboxClient
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    statuses = [500]
    changed = asyncio.Condition()

    async def webhook(request: web.Request) -> web.Response:
        async with changed:
            received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
            changed.notify_all()
        return web.Response(status=statuses.pop(0) if statuses else 200)

    async def until_received(count: int) -> None:
        async with changed:
            await asyncio.wait_for(changed.wait_for(lambda: len(received) >= count), 5)

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner, root = await start(app)
    try:
        assert await bot.set_webhook(f"{root}/hook", secret_token="s3cret-Token_1")
        with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        first = await sb.send(ALICE, ALICE, "über den Webhook")
        second = await sb.send(ALICE, ALICE, "und noch einer")
        await until_received(3)
        assert [secret for secret, _ in received] == ["s3cret-Token_1"] * 3
        ids = [body["update_id"] for _, body in received]
        assert ids == [first["update_id"], first["update_id"], second["update_id"]]
        info = await bot.get_webhook_info()
        assert info.url == f"{root}/hook" and info.pending_update_count == 0
        assert info.last_error_message is not None and "500" in info.last_error_message
        await sb.redeliver(second["update_id"])
        await until_received(4)
        assert received[3][1] == received[2][1]
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()


async def test_drop_pending_updates(bot: Bot, sb: SandboxClient) -> None:
    await sb.send(ALICE, ALICE, "alt")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await updates(bot, seconds=0) == ()


async def test_privacy_mode_lets_through_commands_mentions_replies_and_service_messages(
    bot: Bot, sb: SandboxClient
) -> None:
    group = await sb.create_chat("group", [ALICE, BOB], title="Familie")
    gid = group["id"]
    [created] = [u for u in await updates(bot) if u.my_chat_member is not None]
    assert created.my_chat_member is not None and created.my_chat_member.new_chat_member.status == "member"
    seen_before = {u.update_id for u in await updates(bot, seconds=0)}
    ignored = await sb.send(gid, ALICE, "wer kommt mit?")
    command = await sb.send(gid, BOB, "/poll@kaufrunde_bot Jacken")
    plain_command = await sb.send(gid, BOB, "/wunschliste")
    other_bot = await sb.send(gid, BOB, "/start@other_bot")
    mention = await sb.send(gid, ALICE, "frag mal @Kaufrunde_Bot nach Jacken")
    answer = await bot.send_message(gid, "Welche Größe?")
    reply = await sb.send(gid, ALICE, "M bitte", reply_to_message_id=answer.message_id)
    reply_to_user = await sb.send(gid, BOB, "ich auch", reply_to_message_id=ignored["message_id"])
    assert (
        ignored["update_id"] is None and other_bot["update_id"] is None and reply_to_user["update_id"] is None
    )
    delivered = [u for u in await updates(bot, seconds=0) if u.update_id not in seen_before]
    assert [u.update_id for u in delivered] == [
        command["update_id"],
        plain_command["update_id"],
        mention["update_id"],
        reply["update_id"],
    ]
    mentioned = delivered[2].message
    assert mentioned is not None and MessageEntity.MENTION in {e.type for e in mentioned.entities}
    await sb.set_member(gid, BOT_ID, "administrator", from_id=ALICE)
    assert (await sb.send(gid, BOB, "jetzt liest der Bot alles"))["update_id"] is not None


async def test_without_privacy_mode_the_bot_reads_everything(clock: Clock) -> None:
    sandbox = Sandbox(clock=clock, bot_token=TOKEN, privacy_mode=False)
    app = web.Application()
    sandbox.setup(app)
    runner, root = await start(app)
    try:
        async with SandboxClient(root) as client:
            await client.create_user("Alice", user_id=ALICE)
            group = await client.create_chat("supergroup", [ALICE], title="Offen")
            assert (await client.send(group["id"], ALICE, "einfach so"))["update_id"] is not None
        async with Bot(TOKEN, base_url=f"{root}/bot") as ptb:
            assert (await ptb.get_me()).can_read_all_group_messages
    finally:
        await runner.cleanup()


async def test_member_changes_send_chat_member_only_when_allowed(bot: Bot, sb: SandboxClient) -> None:
    group = await sb.create_chat("group", [ALICE], title="Wichteln")
    gid = group["id"]
    start_offset = max(u.update_id for u in await updates(bot)) + 1
    await sb.set_member(gid, BOB, "member")
    default = await updates(bot, offset=start_offset, seconds=0)
    assert [u.message.new_chat_members[0].id for u in default if u.message is not None] == [BOB]
    assert all(u.chat_member is None for u in default)
    start_offset = max(u.update_id for u in default) + 1
    await bot.get_updates(offset=start_offset, timeout=0, allowed_updates=["message", "chat_member"])
    changed = await sb.set_member(gid, CAROL, "administrator", from_id=ALICE)
    assert changed["member_ids"] == [ALICE, BOB, CAROL]
    [promoted, joined] = await updates(bot, offset=start_offset)
    assert promoted.chat_member is not None
    assert promoted.chat_member.new_chat_member.status == "administrator"
    assert promoted.chat_member.from_user.id == ALICE
    assert joined.message is not None and joined.message.new_chat_members[0].id == CAROL


async def test_removing_the_bot_sends_my_chat_member(bot: Bot, sb: SandboxClient) -> None:
    group = await sb.create_chat("group", [ALICE], title="Weg")
    offset = max(u.update_id for u in await updates(bot)) + 1
    await sb.set_member(group["id"], BOT_ID, "kicked", from_id=ALICE)
    [kicked] = await updates(bot, offset=offset)
    assert kicked.my_chat_member is not None
    assert kicked.my_chat_member.new_chat_member.status == "kicked"
    assert (await sb.chats())[-1]["bot_status"] == "kicked"
