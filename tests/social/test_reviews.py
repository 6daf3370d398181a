"""Friends-first ratings from verified buyers, reports and hiding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import chats, privacy
from core.clock import Clock
from core.db import Database
from social import reviews
from social.errors import Refused
from tests.social.conftest import ANNA, BEN, CEM, DORA, EVA, WG, Friends, buy, review


async def test_friends_come_first_and_everyone_counts_in_all_buyers(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product, other_product = friends.products[:2]
    async with db.unit_of_work() as session:
        await review(session, user_id=BEN, product_id=product, stars=5, now=clock.now())
        await review(session, user_id=DORA, product_id=product, stars=4, now=clock.now())
        await review(session, user_id=EVA, product_id=product, stars=1, now=clock.now())
        await review(session, user_id=CEM, product_id=other_product, stars=2, now=clock.now())
        rating = await reviews.summary(session, product_id=product, viewer_id=ANNA)
        for_eva = await reviews.summary(session, product_id=product, viewer_id=EVA)

    assert (rating.friends_count, rating.friends_average) == (2, Decimal("4.5"))
    assert (rating.all_count, rating.all_average) == (3, Decimal("3.3"))
    assert {item.first_name for item in rating.friends_reviews} == {"Ben", "Dora"}
    assert [item.first_name for item in rating.others] == ["Eva"]
    assert (for_eva.friends_count, for_eva.friends_average) == (0, None)
    assert len(for_eva.others) == 3


async def test_only_buyers_who_received_and_reviewed_count(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product = friends.products[0]
    async with db.unit_of_work() as session:
        await buy(session, user_id=BEN, product_id=product, now=clock.now())
        await buy(session, user_id=CEM, product_id=product, now=clock.now(), status="paid")
        rating = await reviews.summary(session, product_id=product, viewer_id=ANNA)
    assert rating == reviews.RatingSummary(0, None, 0, None, [], [])


async def test_friends_are_only_members_of_the_viewers_active_groups(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product = friends.products[0]
    async with db.unit_of_work() as session:
        await review(session, user_id=BEN, product_id=product, stars=5, now=clock.now())
        await review(session, user_id=DORA, product_id=product, stars=3, now=clock.now())
        # Ben left the WG; Cem is still in it but Dora is only in the club, which Cem is not in.
        await chats.set_membership(session, chat_id=WG, user_id=BEN, status="left", now=clock.now())
        for_anna = await reviews.summary(session, product_id=product, viewer_id=ANNA)
        for_cem = await reviews.summary(session, product_id=product, viewer_id=CEM)
        assert await reviews.friend_ids(session, user_id=ANNA) == {CEM, DORA}
        assert await reviews.friend_ids(session, user_id=BEN) == set()

    assert [item.first_name for item in for_anna.friends_reviews] == ["Dora"]
    assert [item.first_name for item in for_anna.others] == ["Ben"]
    assert for_cem.friends_count == 0 and for_cem.all_count == 2


async def test_a_hidden_review_counts_nowhere(db: Database, friends: Friends, clock: Clock) -> None:
    product = friends.products[0]
    async with db.unit_of_work() as session:
        rude = await review(session, user_id=BEN, product_id=product, stars=1, now=clock.now())
        await review(session, user_id=CEM, product_id=product, stars=5, now=clock.now())
        assert await reviews.report(
            session, review_id=rude, reporter_id=ANNA, reason="Beleidigend", now=clock.now()
        )
        assert not await reviews.report(
            session, review_id=rude, reporter_id=ANNA, reason="nochmal", now=clock.now()
        )
        await reviews.report(session, review_id=rude, reporter_id=DORA, reason="Spam", now=clock.now())
        queue = await reviews.reported(session)
        assert await reviews.hide(session, review_id=rude, by="admin:1", now=clock.now())
        assert not await reviews.hide(session, review_id=rude, by="admin:1", now=clock.now())
        rating = await reviews.summary(session, product_id=product, viewer_id=ANNA)
        assert await reviews.reported(session) == []

    assert [(item.review.id, item.reports, item.reasons) for item in queue] == [
        (rude, 2, ["Beleidigend", "Spam"])
    ]
    assert (rating.friends_count, rating.friends_average, rating.all_count) == (1, Decimal("5.0"), 1)


async def test_reports_are_checked(db: Database, friends: Friends, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        own = await review(session, user_id=BEN, product_id=friends.products[0], stars=4, now=clock.now())
        refusals = []
        for review_id, reporter, reason in (
            (own, BEN, "meins"),
            (own, ANNA, " "),
            (own, ANNA, "x" * 201),
            (0, ANNA, "?"),
        ):
            with pytest.raises(Refused) as refused:
                await reviews.report(
                    session, review_id=review_id, reporter_id=reporter, reason=reason, now=clock.now()
                )
            refusals.append(refused.value.reason_key)
        with pytest.raises(Refused) as unknown:
            await reviews.hide(session, review_id=0, by="admin:1", now=clock.now())
    assert refusals == [
        "review-report-error-own",
        "review-report-error-reason",
        "review-report-error-reason",
        "review-error-unknown",
    ]
    assert unknown.value.reason_key == "review-error-unknown"


async def test_the_export_lists_the_users_reports(db: Database, friends: Friends, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        review_id = await review(
            session, user_id=BEN, product_id=friends.products[0], stars=4, now=clock.now()
        )
        await reviews.report(session, review_id=review_id, reporter_id=ANNA, reason="Spam", now=clock.now())
        document = await privacy.export(session, user_id=ANNA, now=clock.now())
    assert document["review_reports"] == [
        {"review_id": review_id, "reason": "Spam", "at": clock.now().isoformat()}
    ]
