"""Polls between products in a group and their winners."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import privacy
from core.clock import Clock
from core.db import Database
from social import polls, votes
from social.errors import Refused
from tests.social.conftest import ANNA, BEN, CEM, DORA, WG, Friends


async def _start(db: Database, friends: Friends, clock: Clock, product_ids: list[int]) -> polls.PollView:
    async with db.unit_of_work() as session:
        return await polls.start(
            session,
            telegram_poll_id="tg-poll-1",
            chat_id=WG,
            message_id=500,
            product_ids=product_ids,
            opened_by=ANNA,
            closes_at=clock.now() + timedelta(hours=1),
            now=clock.now(),
        )


async def test_candidates_are_the_groups_recent_shares(db: Database, friends: Friends, clock: Clock) -> None:
    first, second, third = friends.products[:3]
    async with db.unit_of_work() as session:
        await votes.share(
            session,
            post=votes.PostRef.message(chat_id=WG, message_id=1),
            product_id=third,
            shared_by=ANNA,
            now=clock.now() - timedelta(days=8),
        )
        for message_id, product in ((2, first), (3, second)):
            clock.advance(60)
            await votes.share(
                session,
                post=votes.PostRef.message(chat_id=WG, message_id=message_id),
                product_id=product,
                shared_by=BEN,
                now=clock.now(),
            )
        found = await polls.candidates(session, chat_id=WG, now=clock.now(), locale="en")
        elsewhere = await polls.candidates(session, chat_id=-9, now=clock.now(), locale="en")

    assert [option.product_id for option in found] == [second, first]
    assert all(option.title for option in found)
    assert elsewhere == []


@pytest.mark.parametrize("count", [1, 11])
async def test_a_poll_needs_two_to_ten_products(
    db: Database, friends: Friends, clock: Clock, count: int
) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as refused:
            await polls.options(session, product_ids=list(friends.products[:count]), locale="de")
    assert refused.value.reason_key == "poll-error-options"
    assert refused.value.args_ == {"min": 2, "max": 10}


async def test_the_same_product_twice_or_an_unknown_one_is_refused(db: Database, friends: Friends) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as twice:
            await polls.options(session, product_ids=[friends.products[0]] * 2, locale="de")
        with pytest.raises(Refused) as unknown:
            await polls.options(session, product_ids=[friends.products[0], 987_654], locale="de")
        chosen = await polls.options(session, product_ids=list(friends.products[:10]), locale="de")
    assert twice.value.reason_key == "poll-error-options"
    assert unknown.value.reason_key == "poll-error-unknown-product"
    assert [option.product_id for option in chosen] == list(friends.products[:10])


async def test_answers_count_and_the_most_chosen_product_wins(
    db: Database, friends: Friends, clock: Clock
) -> None:
    first, second, third = friends.products[:3]
    poll = await _start(db, friends, clock, [first, second, third])
    async with db.unit_of_work() as session:
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=ANNA, option_ids=[0], now=clock.now()
        )
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=BEN, option_ids=[2], now=clock.now()
        )
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=CEM, option_ids=[2], now=clock.now()
        )
        # Ben changes his mind, Dora takes her answer back.
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=BEN, option_ids=[0], now=clock.now()
        )
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=DORA, option_ids=[1], now=clock.now()
        )
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=DORA, option_ids=[], now=clock.now()
        )
        assert await polls.due_to_close(session, now=clock.now()) == []
    clock.advance(3600)
    async with db.unit_of_work() as session:
        assert await polls.due_to_close(session, now=clock.now()) == ["tg-poll-1"]
        winner = await polls.close(session, telegram_poll_id="tg-poll-1", now=clock.now())
        again = await polls.close(session, telegram_poll_id="tg-poll-1", now=clock.now())
        late = await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=DORA, option_ids=[1], now=clock.now()
        )
        assert await polls.due_to_close(session, now=clock.now()) == []

    assert winner == polls.Winner(poll.id, WG, 500, first, votes=2, voters=3)
    assert again is None
    assert not late


async def test_a_tie_goes_to_the_product_shared_first(db: Database, friends: Friends, clock: Clock) -> None:
    first, second = friends.products[:2]
    async with db.unit_of_work() as session:
        await votes.share(
            session,
            post=votes.PostRef.message(chat_id=WG, message_id=1),
            product_id=second,
            shared_by=ANNA,
            now=clock.now(),
        )
        await votes.share(
            session,
            post=votes.PostRef.message(chat_id=WG, message_id=2),
            product_id=first,
            shared_by=ANNA,
            now=clock.now() + timedelta(minutes=1),
        )
    await _start(db, friends, clock, [first, second])
    async with db.unit_of_work() as session:
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=ANNA, option_ids=[0], now=clock.now()
        )
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=BEN, option_ids=[1], now=clock.now()
        )
        winner = await polls.close(session, telegram_poll_id="tg-poll-1", now=clock.now())
    assert winner is not None and winner.product_id == second and winner.votes == 1


async def test_a_poll_nobody_answered_has_no_winner(db: Database, friends: Friends, clock: Clock) -> None:
    await _start(db, friends, clock, list(friends.products[:2]))
    async with db.unit_of_work() as session:
        winner = await polls.close(session, telegram_poll_id="tg-poll-1", now=clock.now())
        with pytest.raises(Refused) as unknown:
            await polls.close(session, telegram_poll_id="other", now=clock.now())
    assert winner is not None and winner.product_id is None and winner.voters == 0
    assert unknown.value.reason_key == "poll-error-unknown"


async def test_a_poll_must_close_in_the_future(db: Database, friends: Friends, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as refused:
            await polls.start(
                session,
                telegram_poll_id="p",
                chat_id=WG,
                message_id=1,
                product_ids=list(friends.products[:2]),
                opened_by=ANNA,
                closes_at=clock.now(),
                now=clock.now(),
            )
    assert refused.value.reason_key == "poll-error-closes-in-past"


async def test_the_export_lists_the_users_poll_answers(db: Database, friends: Friends, clock: Clock) -> None:
    await _start(db, friends, clock, list(friends.products[:2]))
    async with db.unit_of_work() as session:
        await polls.record_answer(
            session, telegram_poll_id="tg-poll-1", user_id=BEN, option_ids=[1], now=clock.now()
        )
        document = await privacy.export(session, user_id=BEN, now=clock.now())
    assert document["poll_answers"] == [
        {"chat_id": WG, "product_id": friends.products[1], "at": clock.now().isoformat()}
    ]
