"""The database as the application uses it: every model registered, migrations run with Alembic."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

import catalog.models
import catalog.retailers
import catalog.searches
import catalog.style
import core.chats
import core.tasks
import core.updates
import core.users
import deals.broadcasts
import deals.deliveries
import deals.offers
import deals.outbox
import deals.ratelimit
import deals.subscriptions
import orders.fulfilment
import orders.models
import social.groupbuys
import social.ideas
import social.polls
import social.recommendations
import social.referrals
import social.reviews
import social.votes
import social.wishlists
from core.db import Base, Database, normalize_url

MODEL_MODULES = (
    core.users,
    core.chats,
    core.updates,
    core.tasks,
    catalog.models,
    catalog.retailers,
    catalog.style,
    catalog.searches,
    orders.models,
    orders.fulfilment,
    social.votes,
    social.polls,
    social.recommendations,
    social.reviews,
    social.wishlists,
    social.ideas,
    social.groupbuys,
    social.referrals,
    deals.broadcasts,
    deals.outbox,
    deals.ratelimit,
    deals.subscriptions,
    deals.offers,
    deals.deliveries,
)
MIGRATIONS = Path(__file__).with_name("migrations")
# The PostgreSQL advisory lock every migration holds: "KRMIGR" in ASCII, used for nothing else.
MIGRATION_LOCK = 0x4B524D494752

metadata = Base.metadata


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for the database at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def ensure_sqlite_folder(url: str) -> None:
    """Create the folder of a SQLite file database if it is missing."""
    url = normalize_url(url)
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :].split("?")[0]).parent.mkdir(parents=True, exist_ok=True)


def lock_migrations(connection: Connection) -> None:
    """Make migrations of one PostgreSQL database wait for each other, until the migrating one commits.

    Alembic does not: two instances starting together would both create the same tables, and one would fail.
    The lock is taken in the migration's transaction, so the next one then finds the schema up to date.
    SQLite needs nothing more: the migrations run in one transaction (bot/migrations/env.py), whose
    ``BEGIN IMMEDIATE`` waits for the write lock of one migrating before.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def migrate(url: str, revision: str = "heads") -> None:
    """Upgrade the database at ``url`` to ``revision`` (blocking; call from a thread inside a loop)."""
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision``."""
    command.downgrade(alembic_config(url), revision)


async def migrate_async(url: str) -> None:
    """Upgrade to head without blocking the running event loop."""
    await asyncio.to_thread(migrate, url)


__all__ = [
    "MODEL_MODULES",
    "Database",
    "alembic_config",
    "downgrade",
    "lock_migrations",
    "metadata",
    "migrate",
    "migrate_async",
]
