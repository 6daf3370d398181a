"""The one clock everything reads.

Production code reads :class:`Clock.now`; tests and the sandbox's demo clock move it forward with
:meth:`Clock.advance` instead of sleeping. All times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time plus an offset that can only move forward."""

    def __init__(self, *, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self._offset = _aware(start) - datetime.now(UTC)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """Return the current time (UTC, aware)."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        step = timedelta(seconds=seconds)
        if self._frozen is not None:
            self._frozen += step
        else:
            self._offset += step
        return self.now()

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock at ``at`` (default: now); it then moves only through :meth:`advance`."""
        self._frozen = _aware(at) if at is not None else self.now()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
