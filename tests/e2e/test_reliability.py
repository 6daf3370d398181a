"""Updates delivered twice change nothing; failures get an apology; webhooks; the demo clock runs due work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot import app as bot_app
from bot import jobs
from bot.runner import Runtime
from bot.sandbox import SandboxClient
from core import privacy, tasks, updates
from core.clock import Clock
from core.db import Database
from handlers.context import SERVICES_KEY
from tests.e2e.conftest import free_port, private_chat, settings_for


async def test_a_redelivered_update_changes_nothing(sb: SandboxClient) -> None:
    lena = await private_chat(sb, "Lena", "de")
    sent = await sb.send(lena.chat_id, lena.user_id, "/start")
    (greeting,) = await sb.wait(lena.chat_id, after=sent["message_id"])

    await sb.redeliver(sent["update_id"])
    (help_text,) = await lena.say("/help")

    after_greeting = await sb.messages(lena.chat_id, after=greeting["message_id"])
    assert [message["text"][:20] for message in after_greeting] == ["/help", help_text["text"][:20]]


async def test_a_failure_gets_an_apology_and_the_log_gets_the_update(
    sb: SandboxClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(privacy, "summary", broken)
    tom = await private_chat(sb, "Tom", "en")
    sent = await sb.send(tom.chat_id, tom.user_id, "/privacy")
    (apology,) = await sb.wait(tom.chat_id, after=sent["message_id"])

    assert apology["text"] == "Sorry, something went wrong on my side. 🙈 Please try again in a moment."
    failure = next(record for record in caplog.records if record.name == "handlers.errors")
    assert failure.getMessage() == f"update {sent['update_id']} failed"
    assert failure.exc_info is not None and "database on fire" in str(failure.exc_info[1])

    monkeypatch.undo()
    await sb.redeliver(sent["update_id"])
    (overview,) = await sb.wait(tom.chat_id, after=apology["message_id"])
    assert overview["text"].startswith("Your data at Kaufrunde"), (
        "a failed update is handled when redelivered"
    )


async def test_the_demo_clock_runs_due_work_before_it_answers(
    sb: SandboxClient, db: Database, clock: Clock
) -> None:
    lena = await private_chat(sb, "Lena", "de")
    sent = await sb.send(lena.chat_id, lena.user_id, "/start")
    await sb.wait(lena.chat_id, after=sent["message_id"])
    sent_update = sent["update_id"]
    async with db.unit_of_work() as session:
        first_run = await tasks.next_due(session, kind=jobs.HOUSEKEEPING, key="daily")
    assert first_run is not None and first_run > clock.now()

    await sb.advance_clock(timedelta(days=4).total_seconds())

    async with db.unit_of_work() as session:
        next_run = await tasks.next_due(session, kind=jobs.HOUSEKEEPING, key="daily")
        accepted_again = await updates.claim(session, update_id=sent_update, now=clock.now())
    assert next_run is not None and next_run > clock.now() > first_run
    assert accepted_again, "housekeeping forgot update ids too old to be redelivered"


async def test_webhook_mode_receives_updates_and_refuses_a_wrong_secret(
    db: Database, database_url: str, media_dir: Path, clock: Clock
) -> None:
    port = free_port()
    settings = settings_for(
        database_url, media_dir, http_port=port, webhook_url=f"http://127.0.0.1:{port}/hook/kaufrunde"
    )
    running = Runtime(settings, clock=clock, migrate=False, load_demo=False)
    await running.start()
    try:
        async with SandboxClient(running.url) as sb:
            status = await sb.bot_status()
            assert status["webhook"]["url"] == settings.webhook_url
            tom = await private_chat(sb, "Tom", "en")
            (greeting,) = await tom.say("/start")
            assert greeting["text"].startswith("Hi Tom!")
            async with aiohttp.ClientSession() as http:
                forged = await http.post(
                    f"{running.url}/hook/kaufrunde",
                    json={"update_id": 99, "message": {}},
                    headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
                )
                assert forged.status == 403
    finally:
        await running.stop()


async def test_a_missing_optional_method_is_logged_and_the_bot_keeps_running(
    sb: SandboxClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    await sb.set_faults(missing_methods=["setMyCommands"])
    assert runtime.application is not None
    await bot_app.set_commands(runtime.application, runtime.application.bot_data[SERVICES_KEY])

    warning = next(record for record in caplog.records if record.name == "bot.app")
    assert "setMyCommands (default) failed, the bot keeps running" in warning.getMessage()
    tom = await private_chat(sb, "Tom", "en")
    (greeting,) = await tom.say("/start")
    assert greeting["text"].startswith("Hi Tom!")
