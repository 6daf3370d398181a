"""Updates run concurrently across chats, in order within a chat; payment queries never wait for a chat."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.app import PerChatUpdateProcessor

USER = {"id": 7, "is_bot": False, "first_name": "Lena"}


def _message(update_id: int, chat_id: int) -> Update:
    chat = {"id": chat_id, "type": "private", "first_name": "Lena"}
    return Update.de_json(
        {"update_id": update_id, "message": {"message_id": update_id, "date": 0, "chat": chat, "from": USER}},
        None,
    )


def _pre_checkout(update_id: int) -> Update:
    query: dict[str, Any] = {
        "id": "q1",
        "from": USER,
        "currency": "EUR",
        "total_amount": 100,
        "invoice_payload": "p",
    }
    return Update.de_json({"update_id": update_id, "pre_checkout_query": query}, None)


async def test_a_busy_chat_blocks_neither_other_chats_nor_the_pre_checkout() -> None:
    processor = PerChatUpdateProcessor()
    release = asyncio.Event()
    done: list[str] = []

    async def slow() -> None:
        await release.wait()
        done.append("slow")

    async def quick(name: str) -> None:
        done.append(name)

    busy = asyncio.create_task(processor.process_update(_message(1, 7), slow()))
    same_chat = asyncio.create_task(processor.process_update(_message(2, 7), quick("same chat")))
    await asyncio.wait_for(processor.process_update(_message(3, 8), quick("other chat")), timeout=1)
    await asyncio.wait_for(processor.process_update(_pre_checkout(4), quick("pre-checkout")), timeout=1)
    assert done == ["other chat", "pre-checkout"], "the busy chat's next update waits its turn"

    release.set()
    await asyncio.gather(busy, same_chat)
    assert done == ["other chat", "pre-checkout", "slow", "same chat"]
