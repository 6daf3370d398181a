"""Fulfilment: tracking pushes each carrier event once, delivery windows, click & collect codes and QR,
the pickup reminder and the review request, each exactly once."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from catalog.models import Retailer, Store
from core import tasks, users
from core.clock import Clock
from core.db import Database, Session
from orders import fulfilment, states
from orders.carriers import (
    SIMULATED,
    Carrier,
    CarrierEvent,
    Carriers,
    DeliveryWindow,
    SimulatedCarrier,
    WindowUnavailable,
)
from orders.fulfilment import Notice
from orders.models import Order

LENA = 7001


def _utc(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _move_to(clock: Clock, moment: datetime) -> None:
    clock.advance((moment - clock.now()).total_seconds())


async def _order(session: Session, clock: Clock, *, pickup: bool = False, locale: str = "de") -> int:
    """Create a paid order of Lena's (home delivery packed for shipping, or click & collect)."""
    await users.touch(session, person=users.Person(LENA, "Lena", language_code=locale), now=clock.now())
    number = await session.scalar(select(func.count()).select_from(Order)) or 0
    store_id = None
    if pickup:
        retailer = Retailer(slug=f"shop-{number}", name="Modehaus")
        session.add(retailer)
        await session.flush()
        store = Store(
            retailer_id=retailer.id,
            code="B1",
            name="Modehaus Mitte",
            city="Berlin",
            address="Rosenthaler Str. 1",
        )
        session.add(store)
        await session.flush()
        store_id = store.id
    order = Order(
        number=f"KR-{number + 1:05d}",
        user_id=LENA,
        chat_id=LENA,
        status="paid",
        delivery="pickup" if pickup else "standard",
        store_id=store_id,
        currency="EUR",
        subtotal=Decimal("49.90"),
        shipping=Decimal("0.00"),
        discount=Decimal("0.00"),
        total=Decimal("49.90"),
        telegram_payment_charge_id=f"charge-{number + 1}",
        payment_method="stars",
        locale=locale,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(order)
    await session.flush()
    if not pickup:
        await states.advance(session, order_id=order.id, to="packed", now=clock.now(), actor="shop")
    return order.id


async def _shipped(
    db: Database, clock: Clock, carrier: SimulatedCarrier, tracking_number: str = "SIM1"
) -> int:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock)
        await fulfilment.ship(
            session,
            order_id=order_id,
            carrier=SIMULATED,
            tracking_number=tracking_number,
            now=clock.now(),
            actor="shop",
        )
    carrier.register(tracking_number, clock.now(), "Berlin")
    return order_id


def _carriers(carrier: Carrier) -> Carriers:
    carriers = Carriers()
    carriers.add(SIMULATED, carrier)
    return carriers


async def _poll(db: Database, clock: Clock, carriers: Carriers, batch: int = 100) -> list[Notice]:
    async with db.unit_of_work() as session:
        return await fulfilment.poll(
            session, carrier_lookup=carriers.carrier_for, now=clock.now(), batch=batch
        )


async def _status(db: Database, order_id: int) -> str:
    async with db.unit_of_work() as session:
        order = await states.get(session, order_id=order_id)
    assert order is not None
    return order.status


async def _run_due(
    db: Database, clock: Clock, run: Callable[[Session, int], Awaitable[Notice | None]]
) -> list[Notice]:
    """Claim the due tasks and run each the way the job runner does: work and completion in one unit."""
    async with db.unit_of_work() as session:
        due = await tasks.claim_due(session, worker="test", now=clock.now())
    notices = []
    for task in due:
        async with db.unit_of_work() as session:
            notice = await run(session, int(task.key))
            await tasks.complete(session, task=task, worker="test", now=clock.now())
        if notice is not None:
            notices.append(notice)
    return notices


# Tracking


async def test_each_carrier_event_is_pushed_once_and_moves_the_order_on(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carriers = _carriers(carrier)
    order_id = await _shipped(db, clock, carrier)

    first = await _poll(db, clock, carriers)
    assert [notice.key for notice in first] == ["tracking-label-created"]
    assert first[0].chat_id == LENA and first[0].locale == "de" and first[0].args == {"number": "KR-00001"}
    assert await _poll(db, clock, carriers) == []

    clock.advance(6 * 3600)
    assert [notice.key for notice in await _poll(db, clock, carriers)] == ["tracking-in-transit"]

    _move_to(clock, _utc(24, 7))
    (out,) = await _poll(db, clock, carriers)
    assert out.key == "tracking-out-for-delivery" and out.urgent
    assert (out.args["window_start"], out.args["window_end"]) == (_utc(24, 9), _utc(24, 11))
    assert await _status(db, order_id) == "out_for_delivery"

    _move_to(clock, _utc(24, 10))
    (delivered,) = await _poll(db, clock, carriers)
    assert delivered.key == "tracking-delivered" and delivered.urgent
    assert await _status(db, order_id) == "delivered"
    assert await _poll(db, clock, carriers) == []

    async with db.unit_of_work() as session:
        history = [step.status for step in await states.history(session, order_id=order_id)]
        parcel = await fulfilment.shipment(session, order_id=order_id)
    assert history[-3:] == ["shipped", "out_for_delivery", "delivered"]
    assert parcel is not None and parcel.delivered and parcel.last_event_code == "delivered"


async def test_events_that_arrive_together_are_pushed_in_order(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    order_id = await _shipped(db, clock, carrier)
    clock.advance(3 * 24 * 3600)

    notices = await _poll(db, clock, _carriers(carrier))

    assert [(notice.key, notice.urgent) for notice in notices] == [
        ("tracking-label-created", False),
        ("tracking-in-transit", False),
        ("tracking-out-for-delivery", True),
        ("tracking-delivered", True),
    ]
    assert await _status(db, order_id) == "delivered"


async def test_concurrent_polls_push_every_event_once(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carriers = _carriers(carrier)
    for number in range(5):
        await _shipped(db, clock, carrier, f"SIM{number}")
    clock.advance(7 * 3600)

    results = await asyncio.gather(*(_poll(db, clock, carriers, batch=2) for _ in range(3)))

    pushed = sorted((notice.order_id, notice.key) for result in results for notice in result)
    assert len(pushed) == 10 and len(set(pushed)) == 10
    async with db.unit_of_work() as session:
        unnotified = await session.scalar(
            select(func.count())
            .select_from(fulfilment.ShipmentEvent)
            .where(fulfilment.ShipmentEvent.notified_at.is_(None))
        )
    assert unnotified == 0
    assert await _poll(db, clock, carriers) == []


class _FixedCarrier:
    """A carrier that reports the events it is given, or fails like a carrier that is down."""

    def __init__(self, events: list[CarrierEvent] | None) -> None:
        self.events = events

    async def get_status(self, tracking_number: str) -> list[CarrierEvent]:
        if self.events is None:
            raise ConnectionError("carrier down")
        return self.events

    async def windows(self, tracking_number: str) -> list[DeliveryWindow]:
        return []

    async def choose_window(self, tracking_number: str, window_id: str) -> DeliveryWindow:
        raise WindowUnavailable(window_id)


async def test_a_failed_delivery_is_urgent_and_a_carrier_outage_holds_up_nobody(
    db: Database, clock: Clock
) -> None:
    carriers = Carriers()
    carriers.add("down", _FixedCarrier(None))
    carriers.add("fixed", _FixedCarrier([CarrierEvent("delivery_failed", clock.now(), "Berlin")]))
    async with db.unit_of_work() as session:
        for name in ("down", "fixed"):
            await fulfilment.ship(
                session,
                order_id=await _order(session, clock),
                carrier=name,
                tracking_number=name,
                now=clock.now(),
                actor="shop",
            )

    (failed,) = await _poll(db, clock, carriers)

    assert failed.key == "tracking-delivery-failed" and failed.urgent
    assert await _status(db, failed.order_id) == "shipped"


async def test_a_chosen_window_is_confirmed_and_moves_the_delivery(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carriers = _carriers(carrier)
    order_id = await _shipped(db, clock, carrier)

    async with db.unit_of_work() as session:
        offered = await fulfilment.windows(session, order_id=order_id, carrier_lookup=carriers.carrier_for)
        chosen = await fulfilment.choose_window(
            session,
            order_id=order_id,
            window_id=offered[-1].id,
            carrier_lookup=carriers.carrier_for,
            now=clock.now(),
        )
        parcel = await fulfilment.shipment(session, order_id=order_id)
    assert chosen == offered[-1]
    assert parcel is not None and (parcel.window_start, parcel.window_end) == (chosen.start, chosen.end)

    _move_to(clock, _utc(24, 23))
    assert "tracking-out-for-delivery" not in [notice.key for notice in await _poll(db, clock, carriers)]
    _move_to(clock, chosen.end)
    notices = await _poll(db, clock, carriers)
    assert [notice.key for notice in notices] == ["tracking-out-for-delivery", "tracking-delivered"]
    assert notices[0].args["window_start"] == chosen.start

    with pytest.raises(fulfilment.TrackingRefused) as refused:
        async with db.unit_of_work() as session:
            await fulfilment.choose_window(
                session,
                order_id=order_id,
                window_id=offered[0].id,
                carrier_lookup=carriers.carrier_for,
                now=clock.now(),
            )
    assert refused.value.reason_key == "tracking-error-no-shipment"


async def test_a_window_that_has_passed_is_refused(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carriers = _carriers(carrier)
    order_id = await _shipped(db, clock, carrier)
    _move_to(clock, _utc(24, 12))

    with pytest.raises(fulfilment.TrackingRefused) as refused:
        async with db.unit_of_work() as session:
            await fulfilment.choose_window(
                session,
                order_id=order_id,
                window_id="2026-11-24T08",
                carrier_lookup=carriers.carrier_for,
                now=clock.now(),
            )
    assert refused.value.reason_key == "tracking-error-window-unavailable"


async def test_a_tracking_number_is_used_once(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    await _shipped(db, clock, carrier, "SIM1")

    with pytest.raises(fulfilment.TrackingNumberTaken):
        async with db.unit_of_work() as session:
            await fulfilment.ship(
                session,
                order_id=await _order(session, clock),
                carrier=SIMULATED,
                tracking_number="SIM1",
                now=clock.now(),
                actor="shop",
            )


@pytest.mark.parametrize(
    ("hour_utc", "quiet"),
    [(20, False), (21, True), (6, True), (7, False)],  # Berlin is UTC+1 in November
)
def test_quiet_hours_are_ten_at_night_to_eight_in_the_morning_local_time(hour_utc: int, quiet: bool) -> None:
    assert fulfilment.is_quiet(_utc(23, hour_utc), "Europe/Berlin") is quiet


# Click & collect


async def test_a_pickup_gets_a_readable_code_and_a_qr_code_that_scans_back(
    db: Database, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock, pickup=True)
        ready = await fulfilment.ready_for_pickup(session, order_id=order_id, now=clock.now(), actor="store")

    assert len(ready.code) == 6 and set(ready.code) <= set(fulfilment.CODE_ALPHABET)
    assert ready.store_name == "Modehaus Mitte"
    assert ready.deadline == datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)  # 23:59:59 in Berlin
    assert await _status(db, order_id) == "ready_for_pickup"
    picture = Image.open(io.BytesIO(fulfilment.pickup_qr(ready.code)))
    assert picture.width >= 250
    assert [barcode.text for barcode in zxingcpp.read_barcodes(picture)] == [ready.code]


async def test_the_order_is_handed_over_only_against_its_code(db: Database, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock, pickup=True)
        ready = await fulfilment.ready_for_pickup(session, order_id=order_id, now=clock.now(), actor="store")

    wrong = "".join(next(c for c in fulfilment.CODE_ALPHABET if c != ready.code[0]) + ready.code[1:])
    with pytest.raises(fulfilment.WrongPickupCode):
        async with db.unit_of_work() as session:
            await fulfilment.picked_up(session, order_id=order_id, code=wrong, now=clock.now(), actor="store")
    assert await _status(db, order_id) == "ready_for_pickup"

    async with db.unit_of_work() as session:
        handed = await fulfilment.picked_up(
            session, order_id=order_id, code=f" {ready.code.lower()} ", now=clock.now(), actor="store"
        )
    assert handed.picked_up_at == clock.now()
    assert await _status(db, order_id) == "picked_up"
    with pytest.raises(fulfilment.WrongPickupCode):
        async with db.unit_of_work() as session:
            await fulfilment.picked_up(
                session, order_id=order_id, code=ready.code, now=clock.now(), actor="store"
            )


async def test_the_pickup_reminder_comes_once_before_the_deadline(db: Database, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock, pickup=True, locale="en")
        ready = await fulfilment.ready_for_pickup(session, order_id=order_id, now=clock.now(), actor="store")

    def remind(session: Session, key: int) -> Awaitable[Notice | None]:
        return fulfilment.pickup_reminder(session, order_id=key, now=clock.now())

    _move_to(clock, _utc(29, 8))
    assert await _run_due(db, clock, remind) == []
    _move_to(clock, _utc(29, 9))  # 10:00 in Berlin on the day before the last day
    (reminder,) = await _run_due(db, clock, remind)
    assert reminder.key == "pickup-reminder" and reminder.locale == "en" and not reminder.urgent
    assert reminder.args["code"] == ready.code and reminder.args["deadline"] == ready.deadline
    assert reminder.args["store"] == "Modehaus Mitte"
    clock.advance(24 * 3600)
    assert await _run_due(db, clock, remind) == []


async def test_no_reminder_once_the_order_was_collected(db: Database, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock, pickup=True)
        ready = await fulfilment.ready_for_pickup(session, order_id=order_id, now=clock.now(), actor="store")
        await fulfilment.picked_up(
            session, order_id=order_id, code=ready.code, now=clock.now(), actor="store"
        )
        assert await fulfilment.pickup_reminder(session, order_id=order_id, now=clock.now()) is None


# Reviews


def _prompt(session: Session, key: int) -> Awaitable[Notice | None]:
    return fulfilment.review_prompt(session, order_id=key)


async def test_the_customer_is_asked_for_a_review_once_after_delivery(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    carriers = _carriers(carrier)
    order_id = await _shipped(db, clock, carrier)
    _move_to(clock, _utc(24, 10))
    await _poll(db, clock, carriers)

    assert await _run_due(db, clock, _prompt) == []
    clock.advance(fulfilment.REVIEW_PROMPT_AFTER.total_seconds())
    (prompt,) = await _run_due(db, clock, _prompt)
    assert (prompt.key, prompt.order_id, prompt.args) == ("review-prompt", order_id, {"number": "KR-00001"})
    async with db.unit_of_work() as session:
        assert not await fulfilment.review_prompt_due(session, order_id=order_id, now=clock.now())
    clock.advance(7 * 24 * 3600)
    assert await _run_due(db, clock, _prompt) == []


async def test_the_customer_is_asked_for_a_review_after_pickup_unless_already_reviewed(
    db: Database, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock, pickup=True)
        ready = await fulfilment.ready_for_pickup(session, order_id=order_id, now=clock.now(), actor="store")
        await fulfilment.picked_up(
            session, order_id=order_id, code=ready.code, now=clock.now(), actor="store"
        )
        assert await fulfilment.review_prompt(session, order_id=order_id) is not None
        await fulfilment.save_review(
            session, order_id=order_id, user_id=LENA, stars=5, text=None, now=clock.now()
        )

    clock.advance(fulfilment.REVIEW_PROMPT_AFTER.total_seconds())
    assert await _run_due(db, clock, _prompt) == []


async def _received(db: Database, clock: Clock) -> int:
    async with db.unit_of_work() as session:
        order_id = await _order(session, clock, pickup=True)
        ready = await fulfilment.ready_for_pickup(session, order_id=order_id, now=clock.now(), actor="store")
        await fulfilment.picked_up(
            session, order_id=order_id, code=ready.code, now=clock.now(), actor="store"
        )
    return order_id


async def _review(
    db: Database, clock: Clock, order_id: int, stars: int, text: str | None, user_id: int = LENA
) -> fulfilment.ReviewView:
    async with db.unit_of_work() as session:
        return await fulfilment.save_review(
            session, order_id=order_id, user_id=user_id, stars=stars, text=text, now=clock.now()
        )


@pytest.mark.parametrize(
    ("stars", "text", "reason"),
    [
        (0, None, "review-error-stars"),
        (6, "super", "review-error-stars"),
        (4, "x" * 501, "review-error-too-long"),
    ],
)
async def test_a_review_needs_one_to_five_stars_and_a_short_text(
    db: Database, clock: Clock, stars: int, text: str | None, reason: str
) -> None:
    order_id = await _received(db, clock)

    with pytest.raises(fulfilment.InvalidReview) as refused:
        await _review(db, clock, order_id, stars, text)

    assert refused.value.reason_key == reason


async def test_a_received_order_is_reviewed_once_by_its_customer(db: Database, clock: Clock) -> None:
    order_id = await _received(db, clock)

    with pytest.raises(fulfilment.InvalidReview) as stranger:
        await _review(db, clock, order_id, 5, None, user_id=LENA + 1)
    saved = await _review(db, clock, order_id, 4, "  Passt perfekt, schnell abgeholt.  ")
    with pytest.raises(fulfilment.InvalidReview) as again:
        await _review(db, clock, order_id, 1, None)

    assert stranger.value.reason_key == "review-error-not-received"
    assert (saved.stars, saved.text) == (4, "Passt perfekt, schnell abgeholt.")
    assert again.value.reason_key == "review-error-exists"


async def test_an_order_on_its_way_cannot_be_reviewed(db: Database, clock: Clock) -> None:
    carrier = SimulatedCarrier(clock)
    order_id = await _shipped(db, clock, carrier)

    with pytest.raises(fulfilment.InvalidReview) as refused:
        await _review(db, clock, order_id, 5, None)

    assert refused.value.reason_key == "review-error-not-received"


async def test_parcels_on_their_way_can_be_handed_to_a_new_carrier_after_a_restart(
    db: Database, clock: Clock
) -> None:
    await _shipped(db, clock, SimulatedCarrier(clock), "SIM-RESTART")
    async with db.unit_of_work() as session:
        parcels = await fulfilment.open_parcels(session, carrier=SIMULATED)
    assert [(number, shipped_at) for number, shipped_at, _ in parcels] == [("SIM-RESTART", clock.now())]
