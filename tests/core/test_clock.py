"""The one clock moves forward only, frozen or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import Clock


def test_a_frozen_clock_moves_only_when_advanced() -> None:
    clock = Clock()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock.freeze(start)
    assert clock.now() == start
    assert clock.advance(90) == start + timedelta(seconds=90)


def test_a_running_clock_keeps_its_offset() -> None:
    clock = Clock()
    before = clock.now()
    clock.advance(3600)
    assert clock.now() - before >= timedelta(hours=1)
    assert clock.now().tzinfo is not None


def test_the_clock_never_goes_back() -> None:
    with pytest.raises(ValueError):
        Clock().advance(-1)
