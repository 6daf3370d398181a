"""Several instances starting at once all migrate: the migrations run once, and no start fails."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory

from bot.db import alembic_config
from core.db import create_engine

# A database test: `make test-db` runs it on PostgreSQL, where the lock matters (on a database of its own).
pytestmark = pytest.mark.db

STARTS = 3
# Each start is its own process, as each instance is: Alembic keeps its migration context in module globals.
MIGRATE = "import sys; from bot.db import migrate; migrate(sys.argv[1])"


def test_instances_that_migrate_at_the_same_time_all_start(scratch_url: str) -> None:
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, scratch_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
        for _ in range(STARTS)
    ]
    outcomes = [(start.wait(timeout=120), start.communicate()[0]) for start in starts]

    assert [status for status, _ in outcomes] == [0] * STARTS, "\n".join(output for _, output in outcomes)
    heads = set(ScriptDirectory.from_config(alembic_config(scratch_url)).get_heads())
    assert asyncio.run(_versions(scratch_url)) == heads


async def _versions(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        rows = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        versions = {str(row[0]) for row in rows}
    await engine.dispose()
    return versions
