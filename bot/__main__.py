"""Command line: ``python -m bot [run|migrate|demo-data]``."""

from __future__ import annotations

import asyncio
import gc
import signal

import click

from bot import db as bot_db
from bot import logs
from bot.cli_catalog import import_catalog
from bot.cli_search import search
from bot.config import Settings
from bot.runner import Runtime
from catalog import demo
from core.clock import Clock
from core.db import Database


def _settings() -> Settings:
    settings = Settings()
    logs.setup(settings.log_level)
    return settings


@click.group(invoke_without_command=True)
@click.pass_context
def cli(context: click.Context) -> None:
    """Kaufrunde, the Telegram bot for shopping together. Without a command: run."""
    if context.invoked_subcommand is None:
        context.invoke(run)


@cli.command()
def run() -> None:
    """Run the bot.

    Without TELEGRAM_BOT_TOKEN: the embedded default (SQLite, demo catalog, local Bot API sandbox and
    its page at http://HTTP_HOST:HTTP_PORT/). With a token: long polling, or webhook mode when
    WEBHOOK_URL is set. Migrates the database first. Stop with Ctrl+C.
    """
    asyncio.run(_serve(_settings()))


async def _serve(settings: Settings) -> None:
    runtime = Runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start()
    # What starting built lives as long as the process (the search index, SQLAlchemy's and
    # python-telegram-bot's objects, the translations): kept out of the collector's sight, a full collection
    # no longer walks all of it while chats wait; under load that paused the bot for up to 280 ms
    # (bench/README.md, "Updates per second"). No collection first: one here found no garbage and held up
    # the first answer by 0.1 s.
    gc.freeze()
    try:
        if settings.embedded:
            click.echo(
                f"Kaufrunde is running with its local Telegram sandbox.\n"
                f"  Open {runtime.url}/ in your browser; the sandbox API is at {runtime.url}/sandbox/api\n"
                f"  Press Ctrl+C to stop."
            )
        else:
            mode = f"webhook at {settings.webhook_url}" if settings.webhook_url else "long polling"
            click.echo(f"Kaufrunde is running against {settings.telegram_api_url} ({mode}). Ctrl+C stops it.")
        await stop.wait()
    finally:
        await runtime.stop()


@cli.command()
def migrate() -> None:
    """Upgrade the database at DATABASE_URL to the newest schema (Alembic upgrade head)."""
    settings = _settings()
    bot_db.migrate(settings.database_url)
    click.echo("The database schema is up to date.")


@cli.command("demo-data")
def demo_data() -> None:
    """Load the demo catalog (fashion and home, three stores) into DATABASE_URL; safe to run twice."""
    settings = _settings()
    bot_db.migrate(settings.database_url)
    summary = asyncio.run(_load_demo(settings))
    click.echo(f"Demo catalog loaded: {summary} in {settings.media_dir}")


async def _load_demo(settings: Settings) -> demo.DemoSummary:
    database = Database.from_url(settings.database_url)
    try:
        async with database.unit_of_work() as session:
            return await demo.load(session, media_dir=settings.media_dir, now=Clock().now())
    finally:
        await database.dispose()


cli.add_command(search)
cli.add_command(import_catalog)

if __name__ == "__main__":
    cli(prog_name="python -m bot")
