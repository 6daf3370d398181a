"""SQLite in the event loop's thread, for the brief units of work of updates.

aiosqlite runs every call in a thread of its connection: four round trips per statement, about 0.1 ms of CPU
each on a small machine, which was most of what an update cost on SQLite beyond PostgreSQL (bench/README.md,
"Updates per second"). An update's statements take microseconds on SQLite, so its units of work call the
sqlite3 module directly, through an object shaped like aiosqlite's connection that SQLAlchemy's aiosqlite
dialect drives (given as ``async_creator``). Two rules keep the event loop from ever waiting on SQLite:

- the connection's busy timeout is 0, so SQLite never sleeps in the loop: a BEGIN IMMEDIATE refused because
  another connection writes (a job or an import on aiosqlite's threads, another process) is tried again
  after an asynchronous pause, until the usual busy timeout has passed;
- the process's brief writers take turns (:class:`WriterTurns`) at their BEGIN IMMEDIATE, in order of
  arrival, so they wait for each other without trying.

Long work (catalog imports, the search index, job rounds, broadcasts, the HTTP API) keeps aiosqlite's
threads: see :meth:`core.db.Database.unit_of_work`.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT = 30.0
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


class InlineCursor:
    """A sqlite3 cursor behind aiosqlite's awaitable methods; each call runs at once."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        """Run one statement."""
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(
        self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]
    ) -> InlineCursor:
        """Run one statement for each set of parameters."""
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        """Return the next row."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Return the next rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """Return the remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Close the cursor."""
        self._cursor.close()

    @property
    def description(self) -> Any:
        """Describe the columns of the last query."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Return the rows the last statement changed."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """Return the last inserted row's id."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Return how many rows fetchmany gives by default."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Takes what SQLAlchemy's adapter puts on aiosqlite's queue of calls (to set the isolation level) and
    runs it at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting adapter, which raises it
            future.set_exception(error)


class InlineConnection:
    """A sqlite3 connection with the part of aiosqlite's interface SQLAlchemy's dialect uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        # SQLAlchemy reads ``_connection`` to tell an open connection from a closed one.
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        """Return sqlite3's isolation level (None: transactions are begun explicitly)."""
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        """Open a cursor."""
        return InlineCursor(self._conn.cursor())

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """Run one statement and return its rows."""
        return self._conn.execute(sql, parameters).fetchall()

    async def begin(self, *, immediate: bool, busy_timeout: float = BUSY_TIMEOUT) -> None:
        """Begin a transaction; an immediate one waits, without blocking the loop, for other writers."""
        if not immediate:
            self._conn.execute("BEGIN")
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + busy_timeout
        pause = _FIRST_PAUSE
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or loop.time() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    async def commit(self) -> None:
        """Commit."""
        self._conn.commit()

    async def rollback(self) -> None:
        """Roll back."""
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register an SQL function."""
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        """Close the connection (again: nothing)."""
        self.stop()

    def stop(self) -> None:
        """Close the connection at once; SQLAlchemy calls this to terminate it."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


async def connect(path: str) -> InlineConnection:
    """Open ``path``; SQLite itself never waits for a lock on this connection (see the module's notes)."""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    return InlineConnection(connection)


class WriterTurns:
    """The process's brief writers on one SQLite file take turns, in order of arrival.

    A unit of work takes its turn at its BEGIN IMMEDIATE (its first statement) and gives it back when it
    ends, however it ends (:meth:`core.db.Database.unit_of_work`). One that waits longer than the busy
    timeout (behind a writer that never ends, or nested in another writing one of the same task) fails as on
    SQLite's own busy timeout, with "database is locked".
    """

    def __init__(self, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.busy_timeout = busy_timeout
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    def turn(self) -> Turn:
        """Return a turn for one unit of work, not yet taken."""
        return Turn(self)

    async def _take(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            # One lock per event loop: a loop's lock cannot be awaited from another (tests run several).
            for closed in [other for other in self._locks if other.is_closed()]:
                del self._locks[closed]
            lock = self._locks[loop] = asyncio.Lock()
        try:
            async with asyncio.timeout(self.busy_timeout):
                await lock.acquire()
        except TimeoutError as error:
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError("BEGIN IMMEDIATE", None, locked) from error
        return lock


class Turn:
    """One unit of work's turn among the writers, held in :data:`CURRENT_TURN` while the unit of work runs."""

    __slots__ = ("_lock", "_turns")

    def __init__(self, turns: WriterTurns) -> None:
        self._turns = turns
        self._lock: asyncio.Lock | None = None

    async def take(self) -> None:
        """Wait for the turn (at most the busy timeout)."""
        if self._lock is None:
            self._lock = await self._turns._take()

    def give_back(self) -> None:
        """Let the next writer go on (nothing when the turn was never taken)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None


CURRENT_TURN: ContextVar[Turn | None] = ContextVar("kaufrunde_sqlite_turn", default=None)
