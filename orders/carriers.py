"""Carriers: the adapter interface for parcel tracking and the simulated carrier of the demo.

A carrier reports a parcel's events (label created, in transit, out for delivery, delivered, delivery
failed), offers delivery windows and confirms the window a customer picks. Real carriers are added as
further adapters under their own name in :class:`Carriers`.

The simulated carrier moves every parcel along a fixed timeline, measured on the bot's clock from the
moment it was handed over (all local times in the carrier's time zone, Europe/Berlin by default):

* ``label_created`` when the parcel is handed over,
* ``in_transit`` six hours later,
* ``out_for_delivery`` at 08:00 on the delivery day (the day after the hand-over), announcing the
  window 10:00–12:00,
* ``delivered`` one hour after the window starts.

Windows are two-hour slots from 08:00 to 20:00 on the delivery day and the day after; a day's slots can
be picked until its parcels leave the depot at 08:00, and only slots that have not started. Picking one
moves the delivery into it; once the parcel is out for delivery only that day's later slots are left.
The timeline has no randomness: the same hand-over always gives the same events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from core.clock import Clock

EVENT_CODES = ("label_created", "in_transit", "out_for_delivery", "delivered", "delivery_failed")
SIMULATED = "simulated"


@dataclass(frozen=True, slots=True)
class DeliveryWindow:
    """A time span in which a parcel is delivered; ``id`` names it when the customer picks it."""

    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class CarrierEvent:
    """Something that happened to a parcel, as the carrier reports it."""

    code: str
    at: datetime
    location: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None


class Carrier(Protocol):
    """What the bot needs from a carrier."""

    async def get_status(self, tracking_number: str) -> list[CarrierEvent]:
        """Return the parcel's events so far, oldest first."""
        ...

    async def windows(self, tracking_number: str) -> list[DeliveryWindow]:
        """Return the delivery windows the customer can still pick."""
        ...

    async def choose_window(self, tracking_number: str, window_id: str) -> DeliveryWindow:
        """Move the delivery into the window ``window_id`` and return it as confirmed."""
        ...


CarrierLookup = Callable[[str], Carrier]


class UnknownParcel(LookupError):
    """The carrier does not know this tracking number."""


class UnknownCarrier(LookupError):
    """No carrier is registered under this name."""


class WindowUnavailable(ValueError):
    """The delivery window can no longer be picked."""


class Carriers:
    """The carriers the bot tracks parcels with, by name."""

    def __init__(self) -> None:
        self._by_name: dict[str, Carrier] = {}

    def add(self, name: str, carrier: Carrier) -> None:
        """Register ``carrier`` under ``name``."""
        self._by_name[name] = carrier

    def carrier_for(self, name: str) -> Carrier:
        """Return the carrier registered under ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownCarrier(name) from None


@dataclass(slots=True)
class _Parcel:
    shipped_at: datetime
    destination: str
    window: DeliveryWindow


class SimulatedCarrier:
    """A carrier that delivers every parcel on a fixed timeline (see the module documentation)."""

    IN_TRANSIT_AFTER = timedelta(hours=6)
    OUT_FOR_DELIVERY_AT = time(8)
    ANNOUNCED_WINDOW_AT = time(10)
    WINDOW_LENGTH = timedelta(hours=2)
    SLOTS = tuple(time(hour) for hour in range(8, 20, 2))
    DELIVERED_AFTER_WINDOW_START = timedelta(hours=1)

    def __init__(self, clock: Clock, *, time_zone: str = "Europe/Berlin") -> None:
        self._clock = clock
        self._zone = ZoneInfo(time_zone)
        self._parcels: dict[str, _Parcel] = {}

    def register(self, tracking_number: str, shipped_at: datetime, destination: str) -> None:
        """Accept a parcel handed over at ``shipped_at`` for ``destination`` (a town)."""
        self._parcels[tracking_number] = _Parcel(
            shipped_at, destination, self._window(self._delivery_day(shipped_at), self.ANNOUNCED_WINDOW_AT)
        )

    async def get_status(self, tracking_number: str) -> list[CarrierEvent]:
        """Return the parcel's events up to the clock's time, oldest first."""
        parcel = self._parcel(tracking_number)
        now = self._clock.now()
        return [event for event in self._timeline(parcel) if event.at <= now]

    async def windows(self, tracking_number: str) -> list[DeliveryWindow]:
        """Return the slots the parcel can still be delivered in."""
        parcel = self._parcel(tracking_number)
        now = self._clock.now()
        if now >= self._delivered_at(parcel):
            return []
        if now >= self._out_for_delivery_at(parcel):
            days: tuple[date, ...] = (parcel.window.start.astimezone(self._zone).date(),)
        else:
            delivery_day = self._delivery_day(parcel.shipped_at)
            days = tuple(
                day
                for day in (delivery_day, delivery_day + timedelta(days=1))
                if now < self._loading_time(day)
            )
        slots = (self._window(day, slot) for day in days for slot in self.SLOTS)
        return [window for window in slots if window.start > now]

    async def choose_window(self, tracking_number: str, window_id: str) -> DeliveryWindow:
        """Deliver the parcel in the slot ``window_id`` and return it."""
        parcel = self._parcel(tracking_number)
        for window in await self.windows(tracking_number):
            if window.id == window_id:
                parcel.window = window
                return window
        raise WindowUnavailable(window_id)

    def _parcel(self, tracking_number: str) -> _Parcel:
        try:
            return self._parcels[tracking_number]
        except KeyError:
            raise UnknownParcel(tracking_number) from None

    def _window(self, day: date, start: time) -> DeliveryWindow:
        begins = datetime.combine(day, start, tzinfo=self._zone)
        return DeliveryWindow(
            id=f"{day.isoformat()}T{start.hour:02d}", start=begins, end=begins + self.WINDOW_LENGTH
        )

    def _delivery_day(self, shipped_at: datetime) -> date:
        return shipped_at.astimezone(self._zone).date() + timedelta(days=1)

    def _loading_time(self, day: date) -> datetime:
        return datetime.combine(day, self.OUT_FOR_DELIVERY_AT, tzinfo=self._zone)

    def _out_for_delivery_at(self, parcel: _Parcel) -> datetime:
        return self._loading_time(parcel.window.start.astimezone(self._zone).date())

    def _delivered_at(self, parcel: _Parcel) -> datetime:
        return parcel.window.start + self.DELIVERED_AFTER_WINDOW_START

    def _timeline(self, parcel: _Parcel) -> list[CarrierEvent]:
        window = parcel.window
        return [
            CarrierEvent("label_created", parcel.shipped_at),
            CarrierEvent("in_transit", parcel.shipped_at + self.IN_TRANSIT_AFTER),
            CarrierEvent(
                "out_for_delivery",
                self._out_for_delivery_at(parcel),
                parcel.destination,
                window.start,
                window.end,
            ),
            CarrierEvent("delivered", self._delivered_at(parcel), parcel.destination),
        ]
