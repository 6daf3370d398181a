"""The simulated carrier: a parcel's fixed timeline on the bot's clock, and picking a delivery window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import Clock
from orders.carriers import (
    SIMULATED,
    Carriers,
    SimulatedCarrier,
    UnknownCarrier,
    UnknownParcel,
    WindowUnavailable,
)

# The clock fixture starts on Monday 2026-11-23 at 09:00 UTC, 10:00 in Berlin.
TUESDAY_0800_BERLIN = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def _utc(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


async def _codes(carrier: SimulatedCarrier, tracking_number: str = "SIM1") -> list[str]:
    return [event.code for event in await carrier.get_status(tracking_number)]


def _move_to(clock: Clock, moment: datetime) -> None:
    clock.advance((moment - clock.now()).total_seconds())


async def test_a_parcel_goes_through_its_timeline_as_the_clock_moves(clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carrier.register("SIM1", clock.now(), "Berlin")

    assert await _codes(carrier) == ["label_created"]
    clock.advance(6 * 3600 - 1)
    assert await _codes(carrier) == ["label_created"]
    clock.advance(1)
    assert await _codes(carrier) == ["label_created", "in_transit"]

    _move_to(clock, TUESDAY_0800_BERLIN)
    events = await carrier.get_status("SIM1")
    assert [event.code for event in events][-1] == "out_for_delivery"
    announced = events[-1]
    assert (announced.window_start, announced.window_end) == (_utc(24, 9), _utc(24, 11))
    assert announced.location == "Berlin"

    _move_to(clock, _utc(24, 10))
    assert await _codes(carrier) == ["label_created", "in_transit", "out_for_delivery", "delivered"]
    assert (await carrier.get_status("SIM1"))[-1].at == _utc(24, 10)


async def test_the_same_hand_over_always_gives_the_same_events(clock: Clock) -> None:
    first, second = SimulatedCarrier(clock), SimulatedCarrier(clock)
    for carrier in (first, second):
        carrier.register("SIM1", clock.now(), "Köln")
    clock.advance(3 * 24 * 3600)

    assert await first.get_status("SIM1") == await second.get_status("SIM1")


async def test_windows_are_two_hour_slots_of_the_delivery_day_and_the_next(clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carrier.register("SIM1", clock.now(), "Berlin")

    windows = await carrier.windows("SIM1")

    assert [window.id for window in windows[:2]] == ["2026-11-24T08", "2026-11-24T10"]
    assert len(windows) == 12 and windows[-1].id == "2026-11-25T18"
    assert all(window.end - window.start == timedelta(hours=2) for window in windows)


async def test_choosing_another_window_moves_the_delivery(clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carrier.register("SIM1", clock.now(), "Berlin")

    chosen = await carrier.choose_window("SIM1", "2026-11-25T14")

    assert (chosen.start, chosen.end) == (_utc(25, 13), _utc(25, 15))
    _move_to(clock, _utc(24, 23))
    assert await _codes(carrier) == ["label_created", "in_transit"]
    assert (await carrier.windows("SIM1"))[0].id == "2026-11-25T08"
    _move_to(clock, _utc(25, 14))
    events = await carrier.get_status("SIM1")
    assert [(event.code, event.at) for event in events[2:]] == [
        ("out_for_delivery", _utc(25, 7)),
        ("delivered", _utc(25, 14)),
    ]
    assert (events[2].window_start, events[2].window_end) == (chosen.start, chosen.end)


async def test_once_out_for_delivery_only_that_days_later_slots_are_left(clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carrier.register("SIM1", clock.now(), "Berlin")
    _move_to(clock, _utc(24, 8))  # 09:00 in Berlin, the van has left

    windows = [window.id for window in await carrier.windows("SIM1")]

    assert windows == ["2026-11-24T10", "2026-11-24T12", "2026-11-24T14", "2026-11-24T16", "2026-11-24T18"]
    with pytest.raises(WindowUnavailable):
        await carrier.choose_window("SIM1", "2026-11-25T10")
    await carrier.choose_window("SIM1", "2026-11-24T16")
    _move_to(clock, _utc(24, 16))
    assert await _codes(carrier) == ["label_created", "in_transit", "out_for_delivery", "delivered"]
    assert await carrier.windows("SIM1") == []


async def test_unknown_parcels_and_carriers_are_reported(clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carriers = Carriers()
    carriers.add(SIMULATED, carrier)

    assert carriers.carrier_for(SIMULATED) is carrier
    with pytest.raises(UnknownCarrier):
        carriers.carrier_for("dhl")
    with pytest.raises(UnknownParcel):
        await carrier.get_status("nobody")
