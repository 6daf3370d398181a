"""Rate limits and injected faults, switched by PUT /faults."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.sandbox import SandboxClient, SandboxError

from .conftest import ALICE, BOB, TOKEN, Server

pytestmark = pytest.mark.usefixtures("people")


async def test_faults_are_off_by_default_and_put_replaces_them(sb: SandboxClient) -> None:
    defaults = await sb.faults()
    assert (
        defaults["rate_limits"] is False and defaults["error_rate"] == 0 and defaults["error_codes"] == [500]
    )
    changed = await sb.set_faults(rate_limits=True, group_per_minute=5, blocked_user_ids=[BOB])
    assert (changed["rate_limits"], changed["group_per_minute"], changed["blocked_user_ids"]) == (
        True,
        5,
        [BOB],
    )
    assert await sb.faults() == changed
    assert await sb.set_faults() == defaults


async def test_a_private_chat_allows_a_burst_of_three_then_answers_429(
    server: Server, sb: SandboxClient
) -> None:
    await sb.set_faults(rate_limits=True)
    async with aiohttp.ClientSession() as http:
        statuses = []
        for number in range(4):
            async with http.post(
                f"{server.root}/bot{TOKEN}/sendMessage",
                data={"chat_id": str(ALICE), "text": f"Nachricht {number}"},
            ) as response:
                statuses.append(response.status)
                body = await response.json()
    assert statuses == [200, 200, 200, 429]
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    calls = await sb.calls("sendMessage")
    assert [call["status"] for call in calls] == [200, 200, 200, 429]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_groups_get_their_per_minute_limit_and_ptb_sees_retry_after(
    bot: Bot, sb: SandboxClient
) -> None:
    group = await sb.create_chat("group", [ALICE], title="Laut")
    await sb.set_faults(rate_limits=True, group_per_minute=2)
    await bot.send_message(group["id"], "eins")
    await bot.send_message(group["id"], "zwei")
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(group["id"], "drei")
    assert "retry in 30 seconds" in limited.value.message.lower()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_the_global_limit_spans_chats(bot: Bot, sb: SandboxClient) -> None:
    await sb.create_chat("private", [BOB])
    await sb.set_faults(rate_limits=True, global_per_second=2)
    await bot.send_message(ALICE, "eins")
    await bot.send_message(BOB, "zwei")
    with pytest.raises(RetryAfter):
        await bot.send_message(ALICE, "drei")


async def test_blocked_users_answer_403(bot: Bot, sb: SandboxClient) -> None:
    await sb.set_faults(blocked_user_ids=[ALICE])
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE, "Neue Angebote!")
    calls = await sb.calls("sendMessage")
    assert calls[-1]["status"] == 403


async def test_error_rate_one_fails_every_send_and_edit_with_the_given_codes(
    bot: Bot, sb: SandboxClient
) -> None:
    sent = await bot.send_message(ALICE, "vorher")
    await sb.set_faults(error_rate=1.0)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(ALICE, "kaputt")
    await sb.set_faults(error_rate=1.0, error_codes=[502])
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.edit_message_text("kaputt", ALICE, sent.message_id)
    assert (await bot.get_me()).id, "other methods are not affected"
    assert [call["status"] for call in await sb.calls("sendMessage")] == [200, 500]


@pytest.mark.parametrize(
    "settings",
    [
        {"error_rate": 1.5},
        {"error_codes": [200]},
        {"error_codes": []},
        {"delay_ms": -1},
        {"rate_limits": "yes"},
        {"global_per_second": 0},
        {"per_chat_burst": 0},
        {"blocked_user_ids": ["alice"]},
        {"unknown": 1},
    ],
)
async def test_invalid_fault_settings_are_refused(sb: SandboxClient, settings: dict[str, object]) -> None:
    with pytest.raises(SandboxError) as refused:
        await sb.set_faults(**settings)
    assert refused.value.status == 400
