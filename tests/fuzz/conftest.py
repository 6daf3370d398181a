"""The bot under fuzz: webhook mode with the embedded sandbox and the demo catalog, as fast as it can go."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runner import Runtime
from core.clock import Clock
from core.db import Database
from tests.e2e import conftest as e2e

SECRET = "kaufrunde-fuzz-secret"
HOOK = "/telegram/webhook"


@pytest.fixture
async def fuzz_runtime(
    demo_catalog: Database, database_url: str, demo_media: Path, clock: Clock
) -> AsyncIterator[Runtime]:
    """Run the bot in webhook mode beside the sandbox, with the demo catalog in its search index.

    The sandbox delivers its updates to the webhook, and raw bodies can be posted there with the secret.
    The bot's own rate limiter would keep it at Telegram's 30 messages a second and make ten thousand updates
    take minutes; the sandbox enforces no limits unless asked, so the limiter is off here, as in the
    benchmarks (bench/roundtrip.py measures the bot under Telegram's limits).
    """
    async with e2e.webhook_runtime(
        database_url, demo_media, clock, path=HOOK, webhook_secret=SECRET, telegram_rate_limit=False
    ) as running:
        yield running
