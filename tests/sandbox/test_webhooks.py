"""Webhooks to several targets in turn, as a load balancer sends them; retries after failures and timeouts."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot

from bot.sandbox import SandboxClient

from .conftest import ALICE, Server, start

pytestmark = pytest.mark.usefixtures("people")

PUBLIC_URL = "https://shop.example/telegram/webhook"
SECRET = "s3cret-Token_1"


class Target:
    """A bot instance's webhook: records what reaches it and answers with the statuses it is given.

    ``None`` as an answer keeps the request waiting until the target closes, like a stuck instance.
    """

    def __init__(self, *answers: int | None) -> None:
        self.answers = list(answers)
        self.received: list[tuple[int, str | None]] = []
        self.url = ""
        self._closing = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        """Record the update and its secret header, then answer."""
        body = await request.json()
        self.received.append((body["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        status = self.answers.pop(0) if self.answers else 200
        if status is None:
            await self._closing.wait()
            status = 200
        return web.Response(status=status)

    def close(self) -> None:
        """Let waiting requests finish."""
        self._closing.set()


@asynccontextmanager
async def serving(*targets: Target) -> AsyncIterator[None]:
    """Run each target on its own port."""
    runners = []
    for target in targets:
        app = web.Application()
        app.router.add_post("/telegram/webhook", target.handle)
        runner, root = await start(app)
        target.url = f"{root}/telegram/webhook"
        runners.append(runner)
    try:
        yield
    finally:
        for target in targets:
            target.close()
        for runner in runners:
            await runner.cleanup()


def _attempts(deliveries: list[dict[str, Any]]) -> list[tuple[int, str, int | None]]:
    return [(item["update_id"], item["url"], item["status"]) for item in deliveries]


async def test_updates_go_to_the_targets_in_turn_with_the_secret(bot: Bot, sb: SandboxClient) -> None:
    one, two = Target(), Target()
    async with serving(one, two):
        assert await sb.set_webhook_targets([one.url, two.url]) == {"urls": [one.url, two.url], "timeout": 60}
        assert await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
        ids = [(await sb.send(ALICE, ALICE, f"Nachricht {n}"))["update_id"] for n in range(4)]

        assert await sb.wait_delivered() == {"pending_update_count": 0}
        assert one.received == [(ids[0], SECRET), (ids[2], SECRET)]
        assert two.received == [(ids[1], SECRET), (ids[3], SECRET)]
        assert _attempts(await sb.webhook_deliveries()) == [
            (ids[0], one.url, 200),
            (ids[1], two.url, 200),
            (ids[2], one.url, 200),
            (ids[3], two.url, 200),
        ]
        assert _attempts(await sb.webhook_deliveries(ids[1])) == [(ids[1], two.url, 200)]
        assert (await bot.get_webhook_info()).url == PUBLIC_URL, "the bot still has its one public URL"

        assert await bot.set_webhook(one.url, secret_token=SECRET)
        assert await sb.set_webhook_targets([]) == {"urls": [], "timeout": 60}
        last = await sb.send(ALICE, ALICE, "direkt")
        await sb.wait_delivered()
        assert one.received[-1] == (last["update_id"], SECRET), "without targets the webhook's URL gets it"


async def test_a_failed_delivery_is_retried_on_the_next_target(bot: Bot, sb: SandboxClient) -> None:
    one, two = Target(500), Target()
    async with serving(one, two):
        await sb.set_webhook_targets([one.url, two.url])
        await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
        first = await sb.send(ALICE, ALICE, "erst schief")
        second = await sb.send(ALICE, ALICE, "dann gut")

        await sb.wait_delivered()
        deliveries = await sb.webhook_deliveries()
        assert _attempts(deliveries) == [
            (first["update_id"], one.url, 500),
            (first["update_id"], two.url, 200),
            (second["update_id"], one.url, 200),
        ], "the same update again, to the next instance, before the next update"
        assert deliveries[0]["error"] == "Wrong response from the webhook: 500 Internal Server Error"
        assert "error" not in deliveries[1]
        info = await bot.get_webhook_info()
        assert info.last_error_message == deliveries[0]["error"]
        assert info.pending_update_count == 0


async def test_a_delivery_that_times_out_goes_to_the_next_target(bot: Bot, sb: SandboxClient) -> None:
    stuck, healthy = Target(None), Target()
    async with serving(stuck, healthy):
        await sb.set_webhook_targets([stuck.url, healthy.url], timeout=0.2)
        await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
        sent = await sb.send(ALICE, ALICE, "hallo?")

        await sb.wait_delivered()
        deliveries = await sb.webhook_deliveries(sent["update_id"])
        assert _attempts(deliveries) == [
            (sent["update_id"], stuck.url, None),
            (sent["update_id"], healthy.url, 200),
        ]
        assert deliveries[0]["error"] == "Read timeout expired"
        assert stuck.received == healthy.received == [(sent["update_id"], SECRET)], (
            "a slow instance may have the update too; the bot must not handle it twice"
        )


async def test_a_target_that_is_down_is_skipped_by_the_retry(bot: Bot, sb: SandboxClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}/telegram/webhook"
    healthy = Target()
    async with serving(healthy):
        await sb.set_webhook_targets([down, healthy.url])
        await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
        sent = await sb.send(ALICE, ALICE, "jemand da?")

        await sb.wait_delivered()
        failed, delivered = await sb.webhook_deliveries()
        assert (failed["url"], failed["status"]) == (down, None)
        assert failed["error"].startswith("Connection failed:")
        assert (delivered["update_id"], delivered["url"], delivered["status"]) == (
            sent["update_id"],
            healthy.url,
            200,
        )


async def test_waiting_for_delivery_returns_what_is_still_pending(bot: Bot, sb: SandboxClient) -> None:
    refusing = Target(*[503] * 100)
    async with serving(refusing):
        await sb.set_webhook_targets([refusing.url])
        await bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
        await sb.send(ALICE, ALICE, "niemand nimmt an")

        assert await sb.wait_delivered(timeout=0.3) == {"pending_update_count": 1}
        assert {item["status"] for item in await sb.webhook_deliveries()} == {503}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ([], "the body must be a JSON object"),
        ({"urls": "http://a.example/hook"}, "urls must be a list of http or https URLs"),
        ({"urls": ["ftp://a.example/hook"]}, "urls must be a list of http or https URLs"),
        ({}, "urls must be a list of http or https URLs"),
        ({"urls": [], "timeout": 0}, "timeout must be more than 0 and at most 300 seconds"),
        ({"urls": [], "timeout": 301}, "timeout must be more than 0 and at most 300 seconds"),
        ({"urls": [], "timeout": True}, "timeout must be more than 0 and at most 300 seconds"),
        ({"urls": [], "weight": 2}, "unknown fields: weight"),
    ],
)
async def test_bad_target_settings_are_refused(
    server: Server, sb: SandboxClient, body: Any, error: str
) -> None:
    async with aiohttp.ClientSession() as http:
        answer = await http.put(f"{server.root}/sandbox/api/webhook/targets", json=body)
        assert (answer.status, await answer.json()) == (400, {"error": error})
    assert await sb.webhook_targets() == {"urls": [], "timeout": 60}, "nothing half-applied"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/webhook/deliveries?update_id=eins", "query parameter update_id must be an integer"),
        ("/webhook/wait?timeout=-1", "timeout must be 0-300 seconds"),
        ("/webhook/wait?timeout=bald", "timeout must be 0-300 seconds"),
    ],
)
async def test_bad_queries_are_refused(server: Server, path: str, error: str) -> None:
    async with aiohttp.ClientSession() as http:
        answer = await http.get(f"{server.root}/sandbox/api{path}")
        assert (answer.status, await answer.json()) == (400, {"error": error})
