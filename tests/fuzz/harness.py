"""Around the running bot under fuzz: when an update is handled, what failed, whose rows changed."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from sqlalchemy import Table, or_, select
from telegram import Update

from bot.db import metadata
from core.db import Database
from handlers.common import App

# What the bot notes about drawing its own messages (when the counts were last shown) is nobody's data.
BOOKKEEPING = frozenset({"rendered_up", "rendered_down", "rendered_at", "render_due_at", "rendered_version"})
Rows = dict[str, list[str]]
# How long one update may take before the run counts it as stuck.
WAIT = 30.0


class Handled:
    """Tells when the bot has finished an update (its handlers and, on failure, the error handler).

    Updates are found by update_id, callback queries and inline queries also by their query id.
    """

    def __init__(self, application: App) -> None:
        self._events: dict[Hashable, asyncio.Event] = {}
        self.count = 0
        processor = application.update_processor
        original = processor.do_process_update

        async def tracked(update: object, coroutine: Awaitable[Any]) -> None:
            try:
                await original(update, coroutine)
            finally:
                self._finish(update)

        processor.do_process_update = tracked  # type: ignore[method-assign]

    def _event(self, key: Hashable) -> asyncio.Event:
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = asyncio.Event()
        return event

    def _finish(self, update: object) -> None:
        if not isinstance(update, Update):
            return
        self.count += 1
        self._event(("update", update.update_id)).set()
        if update.callback_query is not None:
            self._event(("callback_query", update.callback_query.id)).set()
        if update.inline_query is not None:
            self._event(("inline_query", update.inline_query.id)).set()

    async def update(self, update_id: int) -> None:
        """Wait until the update with that id is handled."""
        await asyncio.wait_for(self._event(("update", update_id)).wait(), WAIT)

    async def query(self, kind: str, query_id: str) -> None:
        """Wait until the callback or inline query with that id is handled."""
        await asyncio.wait_for(self._event((kind, query_id)).wait(), WAIT)


class Failures(logging.Handler):
    """Collects every log record at ERROR or above while installed on the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)

    def take(self, update_ids: set[int]) -> Failures:
        """Move the failures of these updates into a collection of their own and return it."""
        taken = Failures()
        taken.records = [record for record in self.records if _update_id(record) in update_ids]
        self.records = [record for record in self.records if _update_id(record) not in update_ids]
        return taken

    def describe(self, updates: Callable[[int], object] = lambda _: None, limit: int = 20) -> str:
        """Return one line per kind of failure (exception and where it was raised) with an example update."""
        kinds: dict[tuple[str, str], list[logging.LogRecord]] = {}
        for record in self.records:
            error = record.exc_info[1] if record.exc_info else None
            where = ""
            if error is not None:
                frames = [
                    frame for frame in traceback.extract_tb(error.__traceback__) if _ours(frame.filename)
                ]
                where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
            kinds.setdefault(
                (f"{type(error).__name__}: {error}"[:160] if error else record.getMessage(), where), []
            ).append(record)
        lines = []
        for (kind, where), records in list(kinds.items())[:limit]:
            example = _update_id(records[0])
            shown = updates(example) if isinstance(example, int) else None
            lines.append(f"{len(records)}x {kind} at {where}\n    {records[0].getMessage()}: {shown!r:.1200}")
        return "\n".join(lines)


def _update_id(record: logging.LogRecord) -> object:
    return record.args[0] if isinstance(record.args, tuple) and record.args else None


def _ours(filename: str) -> bool:
    return "site-packages" not in filename and "/tests/" not in filename


async def owned_rows(db: Database, *, user_ids: set[int], chat_ids: set[int]) -> Rows:
    """Return every row that belongs to these people and chats: reachable from them through foreign keys.

    A cart line belongs to the cart, the cart to its user or group; a claim on a group's wish belongs to the
    wish, so it counts as the group's data whoever made it.
    """
    keys: dict[str, set[Any]] = {"users": set(user_ids), "chats": set(chat_ids)}
    found: dict[str, dict[tuple[Any, ...], str]] = {}
    async with db.unit_of_work() as session:
        grown = True
        while grown:
            grown = False
            for table in metadata.sorted_tables:
                conditions = _conditions(table, keys)
                if not conditions:
                    continue
                rows = found.setdefault(table.name, {})
                kept = [column for column in table.columns if column.name not in BOOKKEEPING]
                result = await session.execute(select(*kept).where(or_(*conditions)))
                for row in result:
                    values = repr(tuple(row))
                    primary = tuple(row._mapping[column.name] for column in table.primary_key)
                    if primary not in rows:
                        grown = True
                    rows[primary] = values
                primary_key = list(table.primary_key)
                if len(primary_key) == 1 and table.name not in ("users", "chats"):
                    keys.setdefault(table.name, set()).update(key[0] for key in rows)
    return {name: sorted(rows.values()) for name, rows in found.items() if rows}


def _conditions(table: Table, keys: dict[str, set[Any]]) -> list[Any]:
    conditions: list[Any] = []
    if table.name in ("users", "chats"):
        conditions.append(table.c.id.in_(sorted(keys[table.name])))
    for foreign_key in table.foreign_keys:
        target = foreign_key.column
        primary = list(target.table.primary_key)
        wanted = keys.get(target.table.name)
        if wanted and len(primary) == 1 and primary[0] is target:
            conditions.append(foreign_key.parent.in_(sorted(wanted)))
    return conditions


def differences(before: Rows, after: Rows) -> list[str]:
    """Return, per table, the rows that appeared or disappeared (a changed row does both)."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        lines += [f"{name}: gone {row}" for row in sorted(old - new)]
        lines += [f"{name}: new {row}" for row in sorted(new - old)]
    return lines
