"""The main bot's Bot API calls are repeated after timeouts, lost connections and 5xx, never after a 4xx."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.request import AiohttpRequest, Backoff, RetryingRequest

TOKEN = "123456789:SECRET-token-value"
ME = {"id": 123456789, "is_bot": True, "first_name": "Kaufrunde", "username": "kaufrunde_bot"}
SENT = {"message_id": 7, "date": 0, "chat": {"id": 501, "type": "private"}, "text": "Hallo"}
Step = Callable[[httpx.Request], httpx.Response]


def ok(result: object) -> Step:
    """Answer with a result."""
    return lambda request: httpx.Response(200, json={"ok": True, "result": result})


def error(status: int, description: str, **parameters: object) -> Step:
    """Answer with a Bot API error."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return lambda request: httpx.Response(status, json=body)


def fail(kind: type[httpx.TransportError]) -> Step:
    """Fail without an answer, as httpx does on a timeout or a lost connection."""

    def step(request: httpx.Request) -> httpx.Response:
        raise kind("no answer", request=request)

    return step


class Api:
    """A scripted Bot API: each method answers with its steps in turn, and every call is counted."""

    def __init__(self) -> None:
        self.steps: dict[str, list[Step]] = {"getMe": [ok(ME)]}
        self.calls: list[str] = []
        self.delays: list[float] = []

    def script(self, method: str, *steps: Step) -> None:
        """Answer ``method`` with these steps, the last one from then on."""
        self.steps[method] = list(steps)

    def handle(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        self.calls.append(method)
        steps = self.steps[method]
        return (steps.pop(0) if len(steps) > 1 else steps[0])(request)

    async def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    def count(self, method: str) -> int:
        """Return how often ``method`` was called."""
        return self.calls.count(method)


@pytest.fixture
def api() -> Api:
    """Give an empty scripted Bot API."""
    return Api()


@pytest.fixture
async def bot(api: Api) -> AsyncIterator[Bot]:
    """Give PTB's Bot on a retrying request against the scripted API, with jitter fixed at its middle."""
    inner = HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(api.handle)})
    request = RetryingRequest(inner, sleep=api.sleep, jitter=lambda: 0.5)
    async with Bot(TOKEN, request=request) as ptb:
        yield ptb


async def test_timeouts_lost_connections_and_5xx_are_repeated_with_growing_waits(
    bot: Bot, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.request")
    api.script(
        "sendMessage",
        error(502, "Bad Gateway"),
        fail(httpx.ReadTimeout),
        fail(httpx.RemoteProtocolError),
        error(500, "Internal Server Error"),
        ok(SENT),
    )

    sent = await bot.send_message(501, "Hallo")

    assert sent.message_id == 7 and api.count("sendMessage") == 5
    assert api.delays == [0.1875, 0.375, 0.75, 1.5], "doubling from 0.25 s, jitter keeping 75 %"
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == [
        "Bot API sendMessage failed (HTTP 502), attempt 1 of 5; retrying in 0.19 s",
        "Bot API sendMessage failed (timeout), attempt 2 of 5; retrying in 0.38 s",
        "Bot API sendMessage failed (RemoteProtocolError), attempt 3 of 5; retrying in 0.75 s",
        "Bot API sendMessage failed (HTTP 500), attempt 4 of 5; retrying in 1.50 s",
    ]
    assert "SECRET" not in caplog.text


async def test_the_last_failure_stands_after_five_attempts(bot: Bot, api: Api) -> None:
    api.script("sendMessage", error(500, "Internal Server Error"))
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(501, "Hallo")
    api.script("editMessageText", fail(httpx.ReadTimeout))
    with pytest.raises(TimedOut):
        await bot.edit_message_text("Hallo", chat_id=501, message_id=7)
    assert (api.count("sendMessage"), api.count("editMessageText")) == (5, 5)


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        (error(400, "Bad Request: message text is empty"), BadRequest),
        (error(403, "Forbidden: bot was blocked by the user"), Forbidden),
        (error(429, "Too Many Requests: retry after 3", retry_after=3), RetryAfter),
    ],
)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_4xx_is_never_repeated_here(
    bot: Bot, api: Api, answer: Step, raised: type[Exception]
) -> None:
    api.script("sendMessage", answer)
    with pytest.raises(raised):
        await bot.send_message(501, "Hallo")
    assert api.count("sendMessage") == 1 and api.delays == [], "429 is the rate limiter's to repeat"


async def test_a_repeat_that_finds_its_lost_first_attempt_done_succeeds(bot: Bot, api: Api) -> None:
    too_old = error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    not_modified = error(400, "Bad Request: message is not modified: specified new message content and …")
    api.script("answerCallbackQuery", fail(httpx.ReadTimeout), too_old)
    api.script("editMessageText", error(502, "Bad Gateway"), not_modified)
    api.script(
        "deleteMessage",
        fail(httpx.RemoteProtocolError),
        error(400, "Bad Request: message to delete not found"),
    )

    assert await bot.answer_callback_query("42", text="Gemerkt!") is True
    assert await bot.edit_message_text("Hallo", chat_id=501, message_id=7) is True
    assert await bot.delete_message(501, 7) is True
    assert [api.count(name) for name in ("answerCallbackQuery", "editMessageText", "deleteMessage")] == [
        2,
        2,
        2,
    ]


async def test_the_same_answers_are_errors_when_no_earlier_attempt_can_have_been_carried_out(
    bot: Bot, api: Api
) -> None:
    too_old = error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    api.script("answerCallbackQuery", too_old)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("42")
    api.script("answerCallbackQuery", fail(httpx.ConnectError), too_old)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("43")
    api.script("sendMessage", fail(httpx.ReadTimeout), error(400, "Bad Request: message is not modified"))
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.send_message(501, "Hallo")


def test_the_wait_is_capped_and_jittered() -> None:
    backoff = Backoff(attempts=10, first=0.25, cap=4.0)
    assert [backoff.delay(retry, 0.0) for retry in (1, 2, 3)] == [0.125, 0.25, 0.5]
    assert backoff.delay(9, 0.999) <= 4.0 and backoff.delay(9, 0.0) == 2.0


def test_the_timeout_is_how_long_a_call_waits_for_its_answer() -> None:
    assert RetryingRequest(AiohttpRequest(read_timeout=1.5)).read_timeout == 1.5


async def test_long_polling_waits_as_long_as_get_updates_asks_and_other_calls_do_not() -> None:
    answers = {"getMe": ME, "getUpdates": [], "sendMessage": SENT}

    async def slow(request: web.Request) -> web.Response:
        method = request.path.rsplit("/", 1)[-1]
        if method != "getMe":
            await asyncio.sleep(0.8)
        return web.json_response({"ok": True, "result": answers[method]})

    app = web.Application()
    app.router.add_post("/{path:.*}", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    bot = Bot(
        TOKEN,
        base_url=f"http://127.0.0.1:{port}/bot",
        request=AiohttpRequest(read_timeout=0.3),
        get_updates_request=AiohttpRequest(connections=1, read_timeout=0.3),
    )
    try:
        async with bot:
            # getUpdates may wait its long-polling timeout plus the read timeout (PTB passes the sum).
            assert await bot.get_updates(timeout=1) == ()
            with pytest.raises(TimedOut):
                await bot.send_message(501, "Hallo")
    finally:
        await runner.cleanup()
