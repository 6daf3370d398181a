"""Opting in to personal deals: retailers, interests, muting, the cap, quiet hours, time zone, the data."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core import privacy
from core.clock import Clock
from core.db import Database
from core.money import Money
from deals import subscriptions
from deals.errors import Refused
from deals.subscriptions import QuietHours
from orders import fulfilment
from tests.deals.helpers import LENA, category_id, person, shop


async def test_nobody_is_subscribed_until_they_opt_in_and_pick_a_retailer(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await person(session, LENA, now)
        fresh = await subscriptions.get(session, user_id=LENA)
        assert (fresh.subscribed, fresh.active, fresh.retailer_ids) == (False, False, frozenset())
        assert (fresh.cap, fresh.cap_period, fresh.quiet) == (1, "day", QuietHours(22, 8))
        assert fresh.time_zone == "Europe/Berlin"
        on = await subscriptions.subscribe(session, user_id=LENA, now=now)
        assert on.subscribed and not on.active, "opted in, but no retailer picked yet"
        picked = await subscriptions.choose_retailer(
            session, user_id=LENA, retailer_id=found.retailer_id, chosen=True, now=now
        )
        again = await subscriptions.choose_retailer(
            session, user_id=LENA, retailer_id=found.retailer_id, chosen=True, now=now
        )
        assert picked == again and picked.active and picked.retailer_ids == {found.retailer_id}
        off = await subscriptions.unsubscribe(session, user_id=LENA, now=now)
        assert not off.active and off.retailer_ids == {found.retailer_id}, "choices stay for later"
        with pytest.raises(Refused):
            await subscriptions.choose_retailer(
                session, user_id=LENA, retailer_id=999_999, chosen=True, now=now
            )


async def test_interests_and_mutes_of_categories_and_brands(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        await person(session, LENA, now)
        shoes, home = await category_id(session, "women-shoes"), await category_id(session, "home")
        await subscriptions.choose_category(session, user_id=LENA, category_id=shoes, chosen=True, now=now)
        await subscriptions.choose_category(session, user_id=LENA, category_id=home, chosen=True, now=now)
        muted = await subscriptions.mute_category(session, user_id=LENA, category_id=home, now=now)
        assert (muted.category_ids, muted.muted_category_ids) == (frozenset({shoes}), frozenset({home}))
        unmuted = await subscriptions.choose_category(
            session, user_id=LENA, category_id=home, chosen=True, now=now
        )
        assert (unmuted.category_ids, unmuted.muted_category_ids) == (frozenset({shoes, home}), frozenset())
        brand = (await subscriptions.brands(session))[0]
        chosen = await subscriptions.choose_brand(
            session, user_id=LENA, brand_id=brand.id, chosen=True, now=now
        )
        assert chosen.brand_ids == {brand.id}
        dropped = await subscriptions.choose_brand(
            session, user_id=LENA, brand_id=brand.id, chosen=False, now=now
        )
        assert dropped.brand_ids == set()
        top = await subscriptions.categories(session, parent_id=None)
        assert [choice.name_en for choice in top] == ["Women", "Men", "Accessories", "Home"]
        assert all(choice.has_children for choice in top)
        with pytest.raises(Refused):
            await subscriptions.mute_category(session, user_id=LENA, category_id=999_999, now=now)


async def test_cap_price_quiet_hours_and_time_zone_are_checked(demo_catalog: Database, clock: Clock) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        await person(session, LENA, now)
        capped = await subscriptions.set_cap(session, user_id=LENA, cap=3, period="week", now=now)
        assert (capped.cap, capped.cap_period) == (3, "week")
        for cap, period in ((0, "day"), (11, "day"), (2, "month")):
            with pytest.raises(Refused):
                await subscriptions.set_cap(session, user_id=LENA, cap=cap, period=period, now=now)
        limited = await subscriptions.set_max_price(
            session, user_id=LENA, max_price=Money(Decimal("50"), "EUR"), now=now
        )
        assert limited.max_price == Money(Decimal("50.00"), "EUR")
        assert (
            await subscriptions.set_max_price(session, user_id=LENA, max_price=None, now=now)
        ).max_price is None
        with pytest.raises(Refused):
            await subscriptions.set_max_price(
                session, user_id=LENA, max_price=Money(Decimal(0), "EUR"), now=now
            )
        quiet = await subscriptions.set_quiet_hours(session, user_id=LENA, start=21, end=7, now=now)
        assert quiet.quiet == QuietHours(21, 7)
        for start, end in ((21, None), (25, 7), (8, 8)):
            with pytest.raises(Refused):
                await subscriptions.set_quiet_hours(session, user_id=LENA, start=start, end=end, now=now)
        none = await subscriptions.set_quiet_hours(session, user_id=LENA, start=None, end=None, now=now)
        assert not none.quiet.active
        zoned = await subscriptions.set_time_zone(
            session, user_id=LENA, time_zone="America/New_York", now=now
        )
        assert zoned.time_zone == "America/New_York"
        with pytest.raises(Refused):
            await subscriptions.set_time_zone(session, user_id=LENA, time_zone="Mars/Olympus", now=now)
        assert await subscriptions.quiet_hours(session, user_id=LENA) == QuietHours(None, None)
        assert await subscriptions.quiet_hours(session, user_id=999) == QuietHours(22, 8), "the default"


@pytest.mark.parametrize(
    ("quiet", "hour_utc", "inside"),
    [
        (QuietHours(22, 8), 21, True),  # 22:00 in Berlin (UTC+1 in November)
        (QuietHours(22, 8), 6, True),
        (QuietHours(22, 8), 7, False),
        (QuietHours(0, 7), 23, True),
        (QuietHours(0, 7), 22, False),
        (QuietHours(9, 17), 10, True),  # a daytime span
        (QuietHours(9, 17), 17, False),
        (QuietHours(None, None), 2, False),
    ],
)
def test_quiet_hours_are_hours_of_the_persons_own_day(quiet: QuietHours, hour_utc: int, inside: bool) -> None:
    moment = datetime(2026, 11, 23, hour_utc, 0, tzinfo=UTC)
    assert quiet.contains(moment, "Europe/Berlin") is inside


def test_the_tracking_default_stays_ten_at_night_to_eight() -> None:
    assert fulfilment.is_quiet(datetime(2026, 11, 23, 21, 30, tzinfo=UTC), "Europe/Berlin")
    assert not fulfilment.is_quiet(
        datetime(2026, 11, 23, 21, 30, tzinfo=UTC), "Europe/Berlin", quiet_from=None
    )
    # 21:30 UTC is 22:30 in Berlin but 16:30, afternoon, in New York.
    assert not fulfilment.is_quiet(datetime(2026, 11, 23, 21, 30, tzinfo=UTC), "America/New_York")


async def test_the_choices_are_in_the_data_export_and_go_with_the_person(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, now)
        await person(session, LENA, now)
        await subscriptions.subscribe(session, user_id=LENA, now=now)
        await subscriptions.choose_retailer(
            session, user_id=LENA, retailer_id=found.retailer_id, chosen=True, now=now
        )
        document = await privacy.export(session, user_id=LENA, now=now)
        assert document["personal_deals"]["subscribed"] is True
        assert document["personal_deals"]["retailer_ids"] == [found.retailer_id]
        assert document["personal_deals"]["quiet_hours"] == {"from": 22, "until": 8}
        assert document["profile"]["consents"]["personal_deals"] is True
        assert await privacy.erase(session, user_id=LENA, now=now)
        with pytest.raises(Refused):
            await subscriptions.get(session, user_id=LENA)
        assert await subscriptions.quiet_hours(session, user_id=LENA) == QuietHours(22, 8)
