"""Browser fixtures: the real bot and sandbox with the demo people; headless Chromium on the playground."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from bot.runner import Runtime
from core.clock import Clock
from core.db import Database
from tests.e2e.conftest import RETAILER_ID, settings_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture
async def playground(
    demo_catalog: Database, database_url: str, demo_media: Path, clock: Clock
) -> AsyncIterator[Runtime]:
    """Run the bot and the sandbox with the demo catalog and the playground's demo people."""
    running = Runtime(settings_for(database_url, demo_media), clock=clock, migrate=False, load_demo=False)
    await running.start()
    assert running.searcher is not None and running.sandbox is not None
    await running.searcher.refresh()
    running.sandbox.seed_demo(retailer_id=RETAILER_ID)
    yield running
    await running.stop()


@pytest.fixture
def chromium() -> Path:
    """Give Debian's Chromium, or skip loudly when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: playground browser tests NOT run")
    ARTIFACTS.mkdir(exist_ok=True)
    return CHROMIUM


@pytest.fixture
async def page(chromium: Path, playground: Runtime) -> AsyncIterator[Page]:
    """Open the playground in headless Chromium (German browser language, laptop-sized window)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 820}, locale="de-DE")
        # The browser's actions and the assertions on what the page shows wait up to 15 s alike (Playwright's
        # assertions wait 5 s by default): in a full run Chromium, the bot and the sandbox share two cores
        # with the rest of the suite, and an answer that once took over 5 s failed the test. How fast the bot
        # answers is measured by bench/, not here.
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        opened = await context.new_page()
        await opened.goto(playground.url)
        yield opened
        await context.close()
        await browser.close()
