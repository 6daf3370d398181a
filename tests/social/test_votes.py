"""Votes on product cards in a group, and how often their counts are edited."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core import privacy
from core.clock import Clock
from core.db import Database
from social import votes
from social.errors import Refused
from tests.social.conftest import ANNA, BEN, CEM, DORA, WG, Friends

CARD = votes.PostRef.message(chat_id=WG, message_id=77)
INTERVAL = timedelta(seconds=5)


async def _share(db: Database, friends: Friends, clock: Clock, post: votes.PostRef = CARD) -> None:
    async with db.unit_of_work() as session:
        await votes.share(session, post=post, product_id=friends.products[0], shared_by=ANNA, now=clock.now())


async def test_a_vote_can_be_changed_and_taken_back(db: Database, friends: Friends, clock: Clock) -> None:
    await _share(db, friends, clock)
    async with db.unit_of_work() as session:
        first = await votes.vote(session, post=CARD, user_id=BEN, value=1, now=clock.now())
        await votes.vote(session, post=CARD, user_id=CEM, value=1, now=clock.now())
        changed = await votes.vote(session, post=CARD, user_id=BEN, value=-1, now=clock.now())
        mine = await votes.my_vote(session, post=CARD, user_id=BEN)
        retracted = await votes.vote(session, post=CARD, user_id=BEN, value=0, now=clock.now())
        shown = await votes.tally(session, post=CARD)

    assert (first.up, first.down) == (1, 0)
    assert (changed.up, changed.down) == (1, 1)
    assert mine == -1
    assert (retracted.up, retracted.down) == (1, 0)
    assert shown == retracted and shown.product_id == friends.products[0]


async def test_a_press_counts_a_vote_takes_it_back_and_records_an_unknown_card(
    db: Database, friends: Friends, clock: Clock
) -> None:
    product, now = friends.products[0], clock.now()
    async with db.unit_of_work() as session:
        # The card was posted before the bot kept track of it: the first press records it.
        first = await votes.press(session, post=CARD, product_id=product, user_id=BEN, wanted=1, now=now)
        other = await votes.press(session, post=CARD, product_id=product, user_id=CEM, wanted=-1, now=now)
        again = await votes.press(session, post=CARD, product_id=product, user_id=BEN, wanted=1, now=now)
        changed = await votes.press(session, post=CARD, product_id=product, user_id=CEM, wanted=1, now=now)
        shown = await votes.tally(session, post=CARD)
        with pytest.raises(Refused) as forged:  # a button naming another product than the card's
            await votes.press(
                session, post=CARD, product_id=friends.products[1], user_id=BEN, wanted=1, now=now
            )

    assert (first, other, again, changed) == (1, -1, 0, 1)
    assert shown is not None and (shown.up, shown.down, shown.product_id) == (1, 0, product)
    assert forged.value.reason_key == "vote-error-unknown-post"


async def test_votes_on_unknown_cards_or_with_odd_values_are_refused(
    db: Database, friends: Friends, clock: Clock
) -> None:
    await _share(db, friends, clock)
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as unknown:
            await votes.vote(
                session,
                post=votes.PostRef.inline(inline_message_id="nope"),
                user_id=BEN,
                value=1,
                now=clock.now(),
            )
        with pytest.raises(Refused) as odd:
            await votes.vote(session, post=CARD, user_id=BEN, value=2, now=clock.now())
        assert await votes.tally(session, post=votes.PostRef.message(chat_id=WG, message_id=1)) is None

    assert unknown.value.reason_key == "vote-error-unknown-post"
    assert odd.value.reason_key == "vote-error-value"


async def test_sharing_the_same_message_twice_keeps_one_post(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        first = await votes.share(
            session, post=CARD, product_id=friends.products[0], shared_by=ANNA, now=clock.now()
        )
        again = await votes.share(
            session, post=CARD, product_id=friends.products[0], shared_by=BEN, now=clock.now()
        )
    assert first == again


async def test_counts_are_right_when_everyone_votes_at_once(
    db: Database, friends: Friends, clock: Clock
) -> None:
    inline = votes.PostRef.inline(inline_message_id="AgAAAB-inline")
    await _share(db, friends, clock, inline)

    async def cast(user_id: int, value: int) -> None:
        async with db.unit_of_work() as session:
            await votes.vote(session, post=inline, user_id=user_id, value=value, now=clock.now())

    await asyncio.gather(
        cast(ANNA, 1), cast(BEN, 1), cast(CEM, -1), cast(DORA, 1), cast(ANNA, 1), cast(BEN, 1)
    )
    async with db.unit_of_work() as session:
        shown = await votes.tally(session, post=inline)
    assert shown is not None and (shown.up, shown.down) == (3, 1)


async def test_many_votes_lead_to_one_edit_per_interval(db: Database, friends: Friends, clock: Clock) -> None:
    await _share(db, friends, clock)
    async with db.unit_of_work() as session:
        await votes.vote(session, post=CARD, user_id=BEN, value=1, now=clock.now())
        first = await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL, post=CARD)
    async with db.unit_of_work() as session:
        for user_id in (CEM, ANNA):
            await votes.vote(session, post=CARD, user_id=user_id, value=1, now=clock.now())
        too_soon = await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL)
    clock.advance(2)
    async with db.unit_of_work() as session:
        await votes.vote(session, post=CARD, user_id=DORA, value=-1, now=clock.now())
        still_too_soon = await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL)
    clock.advance(3)
    async with db.unit_of_work() as session:
        second = await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL)
        nothing_new = await votes.due_edits(session, now=clock.now() + INTERVAL, min_interval=INTERVAL)

    assert [(edit.post, edit.tally.up, edit.tally.down) for edit in first] == [(CARD, 1, 0)]
    assert too_soon == [] and still_too_soon == []
    assert [(edit.post, edit.tally.up, edit.tally.down) for edit in second] == [(CARD, 3, 1)]
    assert nothing_new == []


async def test_a_vote_taken_back_before_the_edit_needs_no_edit(
    db: Database, friends: Friends, clock: Clock
) -> None:
    await _share(db, friends, clock)
    async with db.unit_of_work() as session:
        await votes.vote(session, post=CARD, user_id=BEN, value=1, now=clock.now())
        assert len(await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL)) == 1
        await votes.vote(session, post=CARD, user_id=CEM, value=1, now=clock.now())
        await votes.vote(session, post=CARD, user_id=CEM, value=0, now=clock.now())
        clock.advance(INTERVAL.total_seconds())
        assert await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL) == []
        await votes.vote(session, post=CARD, user_id=CEM, value=-1, now=clock.now())
        later = await votes.due_edits(session, now=clock.now(), min_interval=INTERVAL)
    assert [(edit.tally.up, edit.tally.down) for edit in later] == [(1, 1)]


async def test_the_export_lists_the_users_votes(db: Database, friends: Friends, clock: Clock) -> None:
    await _share(db, friends, clock)
    async with db.unit_of_work() as session:
        await votes.vote(session, post=CARD, user_id=BEN, value=-1, now=clock.now())
        document = await privacy.export(session, user_id=BEN, now=clock.now())
        others = await privacy.export(session, user_id=CEM, now=clock.now())
    assert document["product_votes"] == [
        {"chat_id": WG, "product_id": friends.products[0], "vote": -1, "at": clock.now().isoformat()}
    ]
    assert others["product_votes"] == []
