"""Referrals: a stable invite link, new friends linked once, and a reward for both sides when the friend's
first purchase has arrived — once, never for oneself, never for a refunded order."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from core import privacy, users
from core.clock import Clock
from core.db import Database, Session
from core.money import Money
from orders import credits, states
from social import referrals
from tests.social.conftest import ANNA, BEN, Friends, buy

FINN, GABI, HANA = 301, 302, 303
REWARD = Money(Decimal("5.00"), "EUR")
ZERO = Money(Decimal("0"), "EUR")


async def _arrive(session: Session, *, user_id: int, parameter: str, clock: Clock) -> int | None:
    """Let a user start the bot through a link, as /start does, and record the arrival."""
    await users.touch(session, person=users.Person(id=user_id, first_name=f"U{user_id}"), now=clock.now())
    await users.remember_start_parameter(session, user_id=user_id, parameter=parameter)
    return await referrals.record_arrival(session, user_id=user_id, parameter=parameter, now=clock.now())


async def _deliver(session: Session, *, order_id: int, clock: Clock) -> None:
    for step in ("packed", "shipped", "delivered"):
        await states.advance(session, order_id=order_id, to=step, now=clock.now())


async def _balance(session: Session, user_id: int) -> Money:
    return await credits.balance(session, user_id=user_id, currency="EUR")


async def test_the_invite_link_is_stable_and_links_a_new_friend_once(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        link = await referrals.invite_parameter(session, user_id=ANNA, now=clock.now())
        assert await referrals.invite_parameter(session, user_id=ANNA, now=clock.now()) == link
        assert link.startswith("ref-") and len(link) <= 64
        assert link != await referrals.invite_parameter(session, user_id=BEN, now=clock.now())

        assert await _arrive(session, user_id=FINN, parameter=link, clock=clock) == ANNA
        assert await referrals.record_arrival(session, user_id=FINN, parameter=link, now=clock.now()) is None
        ben_link = await referrals.invite_parameter(session, user_id=BEN, now=clock.now())
        assert (
            await referrals.record_arrival(session, user_id=FINN, parameter=ben_link, now=clock.now()) is None
        )
        assert await referrals.invited_count(session, user_id=ANNA) == (1, 0)


async def test_nobody_invites_themselves_or_someone_who_was_here_before(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        link = await referrals.invite_parameter(session, user_id=ANNA, now=clock.now())
        # Gabi comes without a link, asks for her own and opens it.
        await users.touch(session, person=users.Person(id=GABI, first_name="Gabi"), now=clock.now())
        own = await referrals.invite_parameter(session, user_id=GABI, now=clock.now())
        assert await _arrive(session, user_id=GABI, parameter=own, clock=clock) is None
        # Hana first came with another link; Anna's later one does not make her invited.
        assert await _arrive(session, user_id=HANA, parameter="promo", clock=clock) is None
        assert await _arrive(session, user_id=HANA, parameter=link, clock=clock) is None
        # Ben has been using the bot for a while.
        clock.advance(2 * 3600)
        assert await _arrive(session, user_id=BEN, parameter=link, clock=clock) is None
        assert (
            await referrals.record_arrival(session, user_id=FINN, parameter="ref-unknown", now=clock.now())
            is None
        )
        assert await referrals.invited_count(session, user_id=ANNA) == (0, 0)


async def test_both_get_the_reward_after_the_first_purchase_arrives_not_after_the_second(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        link = await referrals.invite_parameter(session, user_id=ANNA, now=clock.now())
        await _arrive(session, user_id=FINN, parameter=link, clock=clock)
        first = await buy(
            session, user_id=FINN, product_id=friends.products[0], now=clock.now(), status="paid"
        )
        assert (
            await referrals.reward_first_purchase(session, order_id=first, now=clock.now(), amount=REWARD)
            == []
        )
        await _deliver(session, order_id=first, clock=clock)
        rewards = await referrals.reward_first_purchase(
            session, order_id=first, now=clock.now(), amount=REWARD
        )
        assert (
            await referrals.reward_first_purchase(session, order_id=first, now=clock.now(), amount=REWARD)
            == []
        )
        second = await buy(session, user_id=FINN, product_id=friends.products[1], now=clock.now())
        assert (
            await referrals.reward_first_purchase(session, order_id=second, now=clock.now(), amount=REWARD)
            == []
        )
        # An uninvited buyer earns nobody anything.
        bens = await buy(session, user_id=BEN, product_id=friends.products[0], now=clock.now())
        assert (
            await referrals.reward_first_purchase(session, order_id=bens, now=clock.now(), amount=REWARD)
            == []
        )
        balances = (
            await _balance(session, ANNA),
            await _balance(session, FINN),
            await _balance(session, BEN),
        )
        history = await referrals.history(session, user_id=ANNA)
        counted = await referrals.invited_count(session, user_id=ANNA)
        exported = (await privacy.export(session, user_id=FINN, now=clock.now()))["referrals"]

    assert rewards == [
        referrals.Reward(user_id=ANNA, amount=REWARD, invited=False),
        referrals.Reward(user_id=FINN, amount=REWARD, invited=True),
    ]
    assert balances == (REWARD, REWARD, ZERO)
    assert history.balances == (REWARD,)
    assert [(line.amount, line.key, line.args) for line in history.lines] == [
        (REWARD, "credits-reason-referral", {})
    ]
    assert counted == (1, 1)
    assert exported["invited_by_user_id"] == ANNA and exported["invite_link_parameter"] is None


async def test_a_refunded_order_earns_nothing_and_a_return_takes_the_reward_back(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        link = await referrals.invite_parameter(session, user_id=ANNA, now=clock.now())
        await _arrive(session, user_id=HANA, parameter=link, clock=clock)
        refunded = await buy(
            session, user_id=HANA, product_id=friends.products[0], now=clock.now(), status="paid"
        )
        await states.advance(session, order_id=refunded, to="refunded", now=clock.now())
        assert (
            await referrals.reward_first_purchase(session, order_id=refunded, now=clock.now(), amount=REWARD)
            == []
        )
        assert await referrals.take_back(session, order_id=refunded, now=clock.now()) == []
        assert await _balance(session, ANNA) == ZERO

        # Her first purchase that arrives is the one that counts; returned later, it counts no more.
        kept = await buy(session, user_id=HANA, product_id=friends.products[1], now=clock.now())
        assert (
            len(await referrals.reward_first_purchase(session, order_id=kept, now=clock.now(), amount=REWARD))
            == 2
        )
        assert await referrals.take_back(session, order_id=kept, now=clock.now()) == []
        await states.advance(session, order_id=kept, to="refunded", now=clock.now())
        taken = await referrals.take_back(session, order_id=kept, now=clock.now())
        assert await referrals.take_back(session, order_id=kept, now=clock.now()) == []
        later = await buy(session, user_id=HANA, product_id=friends.products[2], now=clock.now())
        assert (
            await referrals.reward_first_purchase(session, order_id=later, now=clock.now(), amount=REWARD)
            == []
        )
        balances = (await _balance(session, ANNA), await _balance(session, HANA))
        history = await referrals.history(session, user_id=HANA)

    minus = Money(-REWARD.amount, "EUR")
    assert [(reward.user_id, reward.amount) for reward in taken] == [(ANNA, minus), (HANA, minus)]
    assert balances == (ZERO, ZERO)
    assert [line.key for line in history.lines] == [
        "credits-reason-referral-returned",
        "credits-reason-referral",
    ]


async def test_the_reward_is_given_once_when_asked_twice_at_the_same_time(
    db: Database, friends: Friends, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        link = await referrals.invite_parameter(session, user_id=ANNA, now=clock.now())
        await _arrive(session, user_id=FINN, parameter=link, clock=clock)
        order_id = await buy(session, user_id=FINN, product_id=friends.products[0], now=clock.now())

    async def reward() -> list[referrals.Reward]:
        async with db.unit_of_work() as session:
            return await referrals.reward_first_purchase(
                session, order_id=order_id, now=clock.now(), amount=REWARD
            )

    results = await asyncio.gather(reward(), reward())
    assert sorted(len(result) for result in results) == [0, 2]
    async with db.unit_of_work() as session:
        assert await _balance(session, ANNA) == REWARD and await _balance(session, FINN) == REWARD


async def test_history_describes_every_kind_of_credit(db: Database, friends: Friends, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        for reason in ("voucher:WILLKOMMEN", "order:KR-000007", "idea:3", "goodwill"):
            clock.advance(1)
            await credits.grant(session, user_id=BEN, amount=REWARD, reason=reason, now=clock.now())
        history = await referrals.history(session, user_id=BEN, limit=3)
    assert history.balances == (REWARD * 4,)
    assert [(line.key, line.args) for line in history.lines] == [
        ("credits-reason-other", {}),
        ("credits-reason-idea", {}),
        ("credits-reason-order", {"number": "KR-000007"}),
    ]
