"""Database base, engine and the unit of work.

Repositories and services flush, never commit: the unit of work opened at the edge (one per update,
one per job) commits or rolls back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC as _UTC
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, bindparam, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

from core import sqlite_inline

Session = AsyncSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; constraint names are stable for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(_UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give back aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)


# Surrogate keys: 64-bit on PostgreSQL; SQLite only autoincrements an INTEGER PRIMARY KEY.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


def normalize_url(url: str) -> str:
    """Pick the async driver for plain ``sqlite://`` and ``postgresql://`` URLs."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def create_engine(url: str, *, inline: bool = False, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets foreign keys, WAL and a busy timeout, a server a closed check.

    ``inline`` (SQLite files only): the engine's connections run in the event loop's thread instead of
    aiosqlite's, for brief units of work (:mod:`core.sqlite_inline`).
    """
    url = normalize_url(url)
    if url.startswith("sqlite"):
        if inline:
            path = make_url(url).database or ""
            kwargs.setdefault("async_creator", lambda: sqlite_inline.connect(path))
        else:
            kwargs.setdefault("connect_args", {"timeout": 30})
        # A pooled connection is rolled back when it goes back to the pool, by default. Every unit of work
        # has committed or rolled back by then, so on SQLite, where each call to the driver crosses to its
        # thread and back, that is a tenth of a millisecond or more spent for nothing on every unit of work.
        kwargs.setdefault("pool_reset_on_return", None)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas_inline if inline else _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_inline if inline else _sqlite_begin_immediate)
    elif not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _closed_by_the_server)
    return engine


def _closed_by_the_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # A database server ends connections (a restart, a failover, an operator): a pooled connection the
    # server has closed is replaced as it is handed out, so the first update afterwards gets a fresh one
    # instead of failing. asyncpg notices the close as it happens, so asking costs no round trip, where
    # SQLAlchemy's pool_pre_ping costs one per unit of work (0.27 ms of CPU, three per update).
    # A link broken without a word from the server fails the first statement (a ping would wait as long), and
    # the pool then replaces every connection it holds.
    is_closed = getattr(dbapi_connection.driver_connection, "is_closed", None)
    if is_closed is not None and is_closed():
        raise DisconnectionError("the database server closed the connection")


def is_sqlite_file(url: str) -> bool:
    """Tell whether ``url`` names an SQLite database in a file (not in memory)."""
    parsed = make_url(normalize_url(url))
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE below takes the write lock
    # up front: concurrent units of work then queue instead of failing with "database is locked".
    dbapi_connection.isolation_level = None
    _pragmas(dbapi_connection, "PRAGMA busy_timeout=30000")


def _sqlite_pragmas_inline(dbapi_connection: Any, _record: Any) -> None:
    # As above, but SQLite must never sleep in the event loop: its busy timeout stays 0, and BEGIN IMMEDIATE
    # waits for other writers asynchronously (sqlite_inline.InlineConnection.begin).
    _pragmas(dbapi_connection)


def _pragmas(dbapi_connection: Any, *more: str) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("PRAGMA foreign_keys=ON", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", *more):
        cursor.execute(pragma)
    cursor.close()


def _reading(connection: Any) -> bool:
    return bool(connection.get_execution_options().get(_READ_ONLY, False))


def _sqlite_begin_immediate(connection: Any) -> None:
    # A unit of work that only reads takes no lock: in WAL mode it reads its snapshot beside the writer.
    # Were it to write, SQLite could refuse it at once (its snapshot is stale): only where nothing writes.
    statement = "BEGIN" if _reading(connection) else "BEGIN IMMEDIATE"
    # Straight to the driver: one round trip to its thread, where SQLAlchemy's statement path makes three
    # (cursor, execute, close) and an execution context, for every unit of work.
    try:
        await_only(connection.connection.driver_connection.execute_fetchall(statement))
    except sqlite3.Error as error:
        raise OperationalError(statement, None, error) from error


def _sqlite_begin_inline(connection: Any) -> None:
    immediate = not _reading(connection)
    try:
        if immediate and (turn := sqlite_inline.CURRENT_TURN.get()) is not None:
            await_only(turn.take())
        await_only(connection.connection.driver_connection.begin(immediate=immediate))
    except sqlite3.Error as error:
        raise OperationalError("BEGIN IMMEDIATE" if immediate else "BEGIN", None, error) from error


_READ_ONLY = "kaufrunde_read_only"


class Database:
    """The engine and its sessions; :meth:`unit_of_work` is the only place that commits.

    On an SQLite file there is a second engine, in the event loop's thread, for the brief units of work.
    """

    def __init__(self, engine: AsyncEngine, inline: AsyncEngine | None = None) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
        self._inline = inline
        self._brief_sessions = (
            async_sessionmaker(inline, expire_on_commit=False, autoflush=True) if inline else self._sessions
        )
        self._turns = sqlite_inline.WriterTurns() if inline else None

    @property
    def brief_engine(self) -> AsyncEngine:
        """Return the engine of the brief units of work (the only engine but on an SQLite file)."""
        return self._inline or self.engine

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        """Build a database from its URL."""
        inline = create_engine(url, inline=True, **kwargs) if is_sqlite_file(url) else None
        return cls(create_engine(url, **kwargs), inline)

    @asynccontextmanager
    async def unit_of_work(
        self, *, read_only: bool = False, brief: bool = False, alone: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """Open a transaction; commit when the block ends, roll back when it raises.

        ``read_only`` promises that the block only reads: on SQLite it then waits for no writer (and must
        not write). Everywhere else each unit of work takes SQLite's write lock up front, so that
        concurrent ones queue instead of failing.

        ``brief`` promises a few quick statements, as an update's handler runs: on an SQLite file they run
        in the event loop's thread, which spares the driver's thread round trips but stops every chat while
        a statement runs. Whatever may take long (imports, index builds, job rounds, exports of many rows)
        keeps the default.

        ``alone`` promises that on PostgreSQL the block runs a single statement, which is atomic by itself:
        there it runs without BEGIN and COMMIT (two round trips). A brief ``read_only`` block runs so too:
        under READ COMMITTED each statement reads its own snapshot inside a transaction as well, so its
        reads see the same (a server-side cursor would need a transaction; long reads aren't brief).
        """
        if not brief or read_only or self._turns is None:
            async with (self._brief_sessions if brief else self._sessions)() as session, session.begin():
                options: dict[str, Any] = {_READ_ONLY: True} if read_only else {}
                if (alone or (brief and read_only)) and self.engine.dialect.name == "postgresql":
                    options["isolation_level"] = "AUTOCOMMIT"
                if options:
                    await session.connection(execution_options=options)
                yield session
            return
        # A brief writer on SQLite: its turn among the process's writers is taken at its first statement
        # (the BEGIN IMMEDIATE listener finds it here) and given back however the unit of work ends.
        turn = self._turns.turn()
        token = sqlite_inline.CURRENT_TURN.set(turn)
        try:
            async with self._brief_sessions() as session, session.begin():
                yield session
        finally:
            sqlite_inline.CURRENT_TURN.reset(token)
            turn.give_back()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self._inline is not None:
            await self._inline.dispose()


async def upsert(
    session: AsyncSession,
    table: Any,
    values: dict[str, Any],
    *,
    conflict: list[str],
    update: list[str] | None = None,
) -> int:
    """Insert a row, or on a conflict of ``conflict`` update the ``update`` columns (none: do nothing).

    Returns the number of rows inserted or updated (0 when the row existed and nothing was updated).
    """
    statement = upsert_statement(session, table, tuple(values), conflict=conflict, update=update)
    result = await execute_core(session, statement, values)
    return int(getattr(result, "rowcount", 0) or 0)


def guarded_upsert(
    table: Any,
    columns: tuple[str, ...],
    *,
    guard: Any,
    prefix: str,
    conflict: list[str],
    update: list[str],
    returning: tuple[str, ...] = (),
) -> Any:
    """Return PostgreSQL's upsert of one row that happens only if the ``guard`` CTE has a row: a part of
    one statement made of several (data-modifying CTEs, :mod:`core.updates`).

    The row's values are the bound parameters named ``prefix`` + column; it gives back the ``returning``
    columns of the row inserted or updated.
    """
    values = select(*(bindparam(prefix + name, type_=table.c[name].type) for name in columns))
    statement = postgresql_insert(table).from_select(list(columns), values.select_from(guard))
    statement = statement.on_conflict_do_update(
        index_elements=conflict, set_={name: statement.excluded[name] for name in update}
    )
    return statement.returning(*(table.c[name] for name in returning)) if returning else statement


async def execute_core(session: AsyncSession, statement: Any, parameters: dict[str, Any]) -> Any:
    """Run a Core statement on the session's connection, past the ORM's layer (what is pending is flushed
    first, as the session would): for the statements every update runs."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await (await session.connection()).execute(statement, parameters)


_UPSERTS: dict[tuple[object, ...], Any] = {}


def upsert_statement(
    session: AsyncSession,
    table: Any,
    columns: tuple[str, ...],
    *,
    conflict: list[str],
    update: list[str] | None = None,
    returning: tuple[str, ...] = (),
) -> Any:
    """Return the insert-or-update statement of :func:`upsert`, to run with the values as parameters;
    it gives back the ``returning`` columns of the row inserted or updated.

    Built once per table and columns: upserts run with every update (the update id, the sender, the chat),
    and building the statement and its cache key again each time costs more than running it.
    """
    dialect = session.get_bind().dialect.name
    key = (dialect, table, columns, tuple(conflict), tuple(update or ()), returning)
    statement = _UPSERTS.get(key)
    if statement is None:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(table)
        if update:
            statement = statement.on_conflict_do_update(
                index_elements=conflict, set_={name: statement.excluded[name] for name in update}
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=conflict)
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
        statement = _UPSERTS.setdefault(key, statement)
    return statement


async def upsert_many(
    session: AsyncSession,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    conflict: list[str],
    update: list[str] | None = None,
    returning: list[str] | None = None,
) -> list[tuple[Any, ...]]:
    """Insert many rows at once, updating the ``update`` columns (none: nothing) of rows that conflict.

    Every row names the same columns. ``table`` is a Core table, so the rows skip the ORM's unit of work:
    this is the bulk path of imports. Returns the ``returning`` columns of the rows inserted or updated.
    """
    if not rows:
        return []
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=conflict, set_={name: statement.excluded[name] for name in update}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=conflict)
    if not returning:
        await session.execute(statement, rows)
        return []
    result = await session.execute(statement.returning(*(table.c[name] for name in returning)), rows)
    return [tuple(row) for row in result]
