"""Shared fixtures: a migrated test database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url

from bot.db import metadata, migrate
from core.clock import Clock
from core.db import Database, Session, create_engine, normalize_url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate the test database once per run and return its URL."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = normalize_url(url)
    migrate(url)
    yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """Give a database whose tables are emptied after the test."""
    database = Database.from_url(database_url)
    yield database
    async with database.unit_of_work() as session:
        for table in reversed(metadata.sorted_tables):
            await session.execute(delete(table))
    await database.dispose()


@pytest.fixture
async def session(db: Database) -> AsyncIterator[Session]:
    """Give one unit of work for a domain test; it commits when the test passes."""
    async with db.unit_of_work() as unit:
        yield unit


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """Give an empty database of the same kind as the test database."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if not configured or not normalize_url(configured).startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
        return
    base = make_url(normalize_url(configured))
    name = f"{base.database}_scratch"
    server = base.set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}"'))
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def clock() -> Clock:
    """Give a frozen clock at a fixed moment that tests move with ``advance``."""
    from datetime import UTC, datetime

    frozen = Clock()
    frozen.freeze(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    return frozen


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """Give an empty folder for generated product images."""
    folder = tmp_path / "media"
    folder.mkdir()
    return folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the database, so ``pytest -m db`` runs them on another backend."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture(scope="session")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Give a media folder shared by the whole run, so the demo pictures are drawn once."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture
async def demo_catalog(db: Database, demo_media: Path, clock: Clock) -> Database:
    """Load the demo catalog into the test database (emptied again after the test)."""
    from catalog import demo

    async with db.unit_of_work() as session:
        await demo.load(session, media_dir=demo_media, now=clock.now())
    return db
