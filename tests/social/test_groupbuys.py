"""Group buys: price tiers, joining within the maximum and the stock, the waiting list, closing at the
deadline, paying at the tier reached, the payment deadline, and what a user's data export shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypedDict

import pytest
from sqlalchemy import func, select

from catalog.models import Store, Variant
from core import chats, privacy, tasks, users
from core.clock import Clock
from core.db import Database, Session
from core.money import Money
from orders import carts, checkout
from orders.models import Checkout, Order
from social import groupbuys
from social.errors import Refused
from tests.orders.conftest import set_stock, stock_of
from tests.orders.test_checkout import pay
from tests.social.conftest import ANNA, BEN, CEM, CLUB, DORA, EVA, WG, Friends

RETAILER = EVA
TIERS = "1-4:50 5-9:42 10+:35"
STOCK = 30
DAY = 24 * 3600


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@dataclass(frozen=True)
class Article:
    """The product of the group buys and the variant people ask for, with ``STOCK`` units in the warehouse."""

    product_id: int
    variant_id: int
    warehouse: int


@pytest.fixture
async def article(db: Database, friends: Friends) -> Article:
    """Give the first variant of the first demo product ``STOCK`` units, all in the warehouse."""
    product_id = friends.products[0]
    async with db.unit_of_work() as session:
        warehouse = await session.scalar(select(Store.id).where(Store.is_warehouse.is_(True)))
        variant_id = await session.scalar(
            select(Variant.id).where(Variant.product_id == product_id).order_by(Variant.id).limit(1)
        )
        assert warehouse is not None and variant_id is not None
        await set_stock(session, variant_id=variant_id, units={warehouse: STOCK})
    return Article(product_id=product_id, variant_id=variant_id, warehouse=warehouse)


async def offer(
    session: Session,
    article: Article,
    clock: Clock,
    *,
    tiers: str = TIERS,
    min_units: int = 5,
    max_units: int | None = 10,
) -> groupbuys.Offer:
    """Let the retailer offer the product at these tiers."""
    return await groupbuys.set_offer(
        session,
        product_id=article.product_id,
        tiers=groupbuys.parse_tiers(tiers, currency="EUR"),
        min_units=min_units,
        max_units=max_units,
        by=RETAILER,
        now=clock.now(),
    )


async def open_by(
    session: Session,
    article: Article,
    clock: Clock,
    user_id: int = ANNA,
    *,
    chat_id: int = WG,
    by_retailer: bool = False,
    days: int = 3,
) -> groupbuys.Progress:
    """Open a group buy of the product (by Anna in the WG for three days, unless told otherwise)."""
    return await groupbuys.open(
        session,
        product_id=article.product_id,
        chat_id=chat_id,
        opened_by=user_id,
        by_retailer=by_retailer,
        days=days,
        locale="de",
        now=clock.now(),
    )


async def start(
    session: Session,
    article: Article,
    clock: Clock,
    joined: dict[int, int] | None = None,
    *,
    min_units: int = 5,
    max_units: int | None = 10,
) -> groupbuys.Progress:
    """Let the retailer offer the tiers, Anna open a group buy in the WG for three days and people join."""
    await offer(session, article, clock, min_units=min_units, max_units=max_units)
    group_buy = await open_by(session, article, clock)
    for user_id, quantity in (joined or {}).items():
        await join(session, group_buy, article, clock, user_id, quantity)
    return group_buy


async def close_now(
    session: Session, group_buy: groupbuys.Progress, clock: Clock, *, stars: bool = False
) -> groupbuys.Outcome | None:
    """Run the close, as the task at the deadline does."""
    return await groupbuys.close(session, group_buy_id=group_buy.id, now=clock.now(), stars=stars)


class Wish(TypedDict):
    """What a person asks for when joining or queueing: units of one variant."""

    group_buy_id: int
    user_id: int
    variant_id: int
    quantity: int
    locale: str
    now: datetime


def wish(group_buy: groupbuys.Progress, article: Article, clock: Clock, user_id: int, quantity: int) -> Wish:
    """Ask for ``quantity`` units of the article's variant, now."""
    return Wish(
        group_buy_id=group_buy.id,
        user_id=user_id,
        variant_id=article.variant_id,
        quantity=quantity,
        locale="de",
        now=clock.now(),
    )


async def join(
    session: Session,
    group_buy: groupbuys.Progress,
    article: Article,
    clock: Clock,
    user_id: int,
    quantity: int,
) -> groupbuys.Outcome:
    """Join (or change one's quantity) with the article's variant."""
    return await groupbuys.join(session, **wish(group_buy, article, clock, user_id, quantity))


async def queue(
    session: Session,
    group_buy: groupbuys.Progress,
    article: Article,
    clock: Clock,
    user_id: int,
    quantity: int,
) -> groupbuys.Share:
    """Put the person on the waiting list for the article's variant."""
    return await groupbuys.queue(session, **wish(group_buy, article, clock, user_id, quantity))


async def free_units(session: Session, article: Article, clock: Clock) -> int:
    """Return how many units of the article's variant anybody could still buy."""
    free = await carts.available(session, variant_ids=[article.variant_id], now=clock.now())
    return free[article.variant_id]


async def held_payload(session: Session, group_buy: groupbuys.Progress, user_id: int) -> str:
    """Return the payment reference of the person's held units (never sent to them before the close)."""
    payload = await session.scalar(
        select(Checkout.payload)
        .join(groupbuys.GroupBuyParticipant, groupbuys.GroupBuyParticipant.checkout_id == Checkout.id)
        .where(
            groupbuys.GroupBuyParticipant.group_buy_id == group_buy.id,
            groupbuys.GroupBuyParticipant.user_id == user_id,
        )
    )
    assert payload is not None
    return payload


async def try_to_pay(
    session: Session, payload: str, user_id: int, clock: Clock
) -> checkout.PreCheckoutResult:
    """Ask Telegram's pre-checkout question for a payload, as if the person pressed Pay."""
    return await checkout.pre_checkout(
        session,
        payload=payload,
        user_id=user_id,
        total_amount=0,
        currency="EUR",
        shipping_option_id="standard",
        now=clock.now(),
    )


def close_at_deadline(clock: Clock, group_buy: groupbuys.Progress) -> None:
    """Move the clock to the group buy's deadline."""
    clock.advance((group_buy.deadline - clock.now()).total_seconds())


@pytest.mark.parametrize("text", ["1-4:50 5-9:42 10+:35", "1:50 5:42 10:35", "1-4: 50 €, 5-9=42, 10+:35 EUR"])
def test_tiers_read_as_ranges_or_as_starting_points(text: str) -> None:
    assert groupbuys.parse_tiers(text, currency="EUR") == (
        groupbuys.Tier(1, eur("50")),
        groupbuys.Tier(5, eur("42")),
        groupbuys.Tier(10, eur("35")),
    )


def test_tiers_take_cents() -> None:
    tiers = groupbuys.parse_tiers("1:49,90 3:44.50", currency="EUR")
    assert [tier.price for tier in tiers] == [eur("49.90"), eur("44.50")]


@pytest.mark.parametrize(
    ("text", "reason_key"),
    [
        ("2-4:50 5+:42", "groupbuy-error-tiers-start"),
        ("3:50 5:42", "groupbuy-error-tiers-start"),
        ("1:0", "groupbuy-error-tiers-start"),
        ("1:50 5:50", "groupbuy-error-tiers-order"),
        ("1:42 5:50", "groupbuy-error-tiers-order"),
        ("1:50 5:42 3:40", "groupbuy-error-tiers-order"),
        ("1-4:50 6-9:42 10+:35", "groupbuy-error-tiers-order"),
        ("1-4:50 5-9:42 12+:35", "groupbuy-error-tiers-order"),
        ("1-4:50 3-9:42", "groupbuy-error-tiers-order"),
        ("5-1:50", "groupbuy-error-tiers-order"),
        ("1:50 5+:42 10:35", "groupbuy-error-tiers-order"),
        ("fifty euros", "groupbuy-error-tiers"),
        ("1:50 5:42 and 10 for 35", "groupbuy-error-tiers"),
        ("", "groupbuy-error-tiers"),
        ("1:50 2:49 3:48 4:47 5:46 6:45 7:44", "groupbuy-error-tiers"),
    ],
)
def test_tiers_that_make_no_sense_are_refused(text: str, reason_key: str) -> None:
    with pytest.raises(Refused) as refused:
        groupbuys.parse_tiers(text, currency="EUR")
    assert refused.value.reason_key == reason_key


async def test_opening_needs_an_offer_a_member_and_no_running_group_buy(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused) as no_offer:
            await open_by(session, article, clock)
        with pytest.raises(Refused) as limits:
            await offer(session, article, clock, min_units=10, max_units=5)
        await offer(session, article, clock)
        with pytest.raises(Refused) as stranger:
            await open_by(session, article, clock, DORA)
        with pytest.raises(Refused) as odd_deadline:
            await open_by(session, article, clock, days=2)
        opened = await open_by(session, article, clock)
        with pytest.raises(Refused) as twice:
            await open_by(session, article, clock, BEN)
        # The retailer may open one in another group without being a member of it.
        in_club = await open_by(session, article, clock, RETAILER, chat_id=CLUB, by_retailer=True, days=1)
        # A later change of the offer leaves the running group buys as they were opened.
        await offer(session, article, clock, tiers="1:60 2:55", min_units=2, max_units=None)
        still = await groupbuys.progress(session, group_buy_id=opened.id)
        close_due = await tasks.next_due(session, kind=groupbuys.CLOSE, key=str(opened.id))

    assert no_offer.value.reason_key == "groupbuy-error-no-tiers"
    assert limits.value.reason_key == "groupbuy-error-limits"
    assert stranger.value.reason_key == "groupbuy-error-not-member"
    assert odd_deadline.value.reason_key == "groupbuy-error-deadline"
    assert twice.value.reason_key == "groupbuy-error-already-open"
    assert twice.value.args_ == {"id": str(opened.id)}
    assert (opened.status, opened.units, opened.participants, opened.opened_by) == ("open", 0, 0, ANNA)
    assert opened.deadline == clock.now() + timedelta(days=3)
    assert close_due == opened.deadline
    assert in_club.deadline == clock.now() + timedelta(days=1)
    assert (still.tiers, still.min_units, still.max_units) == (
        groupbuys.parse_tiers(TIERS, currency="EUR"),
        5,
        10,
    )


async def test_progress_shows_units_tier_and_what_is_missing(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group_buy = await start(session, article, clock)
        assert (group_buy.tier.price, group_buy.next_tier, group_buy.left) == (
            eur("50"),
            groupbuys.Tier(5, eur("42")),
            10,
        )
        await join(session, group_buy, article, clock, ANNA, 2)
        two = (await join(session, group_buy, article, clock, BEN, 2)).progress
        five = (await join(session, group_buy, article, clock, CEM, 1)).progress
        changed = (await join(session, group_buy, article, clock, BEN, 7)).progress
        with pytest.raises(Refused) as too_many:
            await join(session, group_buy, article, clock, CEM, 3)
        with pytest.raises(Refused) as too_few_units:
            await join(session, group_buy, article, clock, CEM, 0)
        with pytest.raises(Refused) as stranger:
            await join(session, group_buy, article, clock, DORA, 1)
        full = (await join(session, group_buy, article, clock, CEM, 1)).progress
        left = (
            await groupbuys.leave(session, group_buy_id=group_buy.id, user_id=BEN, now=clock.now())
        ).progress
        anna = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=ANNA)

    assert (two.units, two.participants, two.tier.price) == (4, 2, eur("50"))
    assert two.next_tier == groupbuys.Tier(5, eur("42")) and two.next_tier.units - two.units == 1
    assert (five.units, five.participants, five.tier.price) == (5, 3, eur("42"))
    # The 35 € tier starts at 10 units, which the maximum of 10 still allows.
    assert five.next_tier == groupbuys.Tier(10, eur("35")) and five.next_tier.units - five.units == 5
    assert (changed.units, changed.participants, changed.left, changed.full) == (10, 3, 0, True)
    assert changed.tier.price == eur("35") and changed.next_tier is None
    assert too_many.value.reason_key == "groupbuy-sold-out" and too_many.value.args_ == {"available": 1}
    assert too_few_units.value.reason_key == "groupbuy-error-quantity"
    assert stranger.value.reason_key == "groupbuy-error-not-member"
    assert full.units == 10
    assert (left.units, left.participants, left.tier.price, left.full) == (3, 2, eur("50"), False)
    assert anna is not None and (anna.quantity, anna.status, anna.position) == (2, "joined", None)


async def test_joined_units_are_held_in_the_stock(db: Database, article: Article, clock: Clock) -> None:
    variant = article.variant_id
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=variant, units={article.warehouse: 6})
        group_buy = await start(session, article, clock)
        # Dora, who is not in the WG, buys three units in the shop at the same time.
        await carts.add(session, user_id=DORA, variant_id=variant, quantity=3, now=clock.now())
        invoice = await checkout.start(session, user_id=DORA, chat_id=DORA, locale="de", now=clock.now())
        options = await checkout.shipping_options(
            session, payload=invoice.payload, country_code="DE", now=clock.now()
        )
        shipping = next(option.price.minor for option in options if option.id == "standard")

        async def dora_pays() -> checkout.PreCheckoutResult:
            return await checkout.pre_checkout(
                session,
                payload=invoice.payload,
                user_id=DORA,
                total_amount=invoice.total_amount + shipping,
                currency="EUR",
                shipping_option_id="standard",
                now=clock.now(),
            )

        await join(session, group_buy, article, clock, ANNA, 4)
        held = await free_units(session, article, clock)
        refused = await dora_pays()
        with pytest.raises(Refused) as beyond_stock:
            await join(session, group_buy, article, clock, BEN, 3)
        await groupbuys.leave(session, group_buy_id=group_buy.id, user_id=ANNA, now=clock.now())
        given_back = await free_units(session, article, clock)
        accepted = await dora_pays()
        # Dora's units are reserved for her payment now: the group buy cannot take them.
        with pytest.raises(Refused) as reserved_for_dora:
            await join(session, group_buy, article, clock, BEN, 4)
        ben = await join(session, group_buy, article, clock, BEN, 3)
        stock = await stock_of(session, variant_id=variant)

    assert held == 2
    assert not refused.ok and refused.reason_key == "checkout-error-sold-out"
    assert refused.args["available"] == 2
    assert beyond_stock.value.reason_key == "groupbuy-sold-out" and beyond_stock.value.args_ == {
        "available": 2
    }
    assert given_back == 6 and accepted.ok
    assert reserved_for_dora.value.reason_key == "groupbuy-sold-out"
    assert reserved_for_dora.value.args_ == {"available": 3}
    assert ben.progress.units == 3
    # Holding takes nothing out of the stock itself: only paying does.
    assert stock == {article.warehouse: 6}


async def test_the_waiting_list_moves_up_whoever_fits_first(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        for newcomer in (DORA, EVA):
            await chats.set_membership(
                session, chat_id=WG, user_id=newcomer, status="member", now=clock.now()
            )
        group_buy = await start(session, article, clock, {ANNA: 6, BEN: 4})
        with pytest.raises(Refused) as sold_out:
            await join(session, group_buy, article, clock, CEM, 5)
        for person, quantity in ((CEM, 5), (DORA, 2), (EVA, 2)):
            clock.advance(60)
            await queue(session, group_buy, article, clock, person, quantity)
        with pytest.raises(Refused) as already_in:
            await queue(session, group_buy, article, clock, ANNA, 1)
        before = {
            person: await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=person)
            for person in (CEM, DORA, EVA)
        }
        # Ben leaves: four units are free, Cem's five do not fit, Dora's two and Eva's two do.
        ben_left = await groupbuys.leave(session, group_buy_id=group_buy.id, user_id=BEN, now=clock.now())
        cem_waits = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=CEM)
        # Anna lowers her share from six to one: Cem's five fit now.
        anna_lowered = await join(session, group_buy, article, clock, ANNA, 1)
        cem_in = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=CEM)
        free = await free_units(session, article, clock)

    assert sold_out.value.reason_key == "groupbuy-sold-out" and sold_out.value.args_ == {"available": 0}
    assert already_in.value.reason_key == "groupbuy-error-already-in"
    assert {person: (share.status, share.position) for person, share in before.items() if share} == {
        CEM: ("waiting", 1),
        DORA: ("waiting", 2),
        EVA: ("waiting", 3),
    }
    assert [(notice.user_id, notice.key, notice.args) for notice in ben_left.notices] == [
        (DORA, "groupbuy-moved-up", {"quantity": 2}),
        (EVA, "groupbuy-moved-up", {"quantity": 2}),
    ]
    assert (ben_left.progress.units, ben_left.progress.participants, ben_left.progress.waiting) == (10, 3, 1)
    assert cem_waits is not None and (cem_waits.status, cem_waits.position) == ("waiting", 1)
    assert [(notice.user_id, notice.key) for notice in anna_lowered.notices] == [(CEM, "groupbuy-moved-up")]
    assert (anna_lowered.progress.units, anna_lowered.progress.waiting) == (10, 0)
    assert cem_in is not None and (cem_in.status, cem_in.quantity, cem_in.position) == ("joined", 5, None)
    assert free == STOCK - 10


async def test_closing_with_the_minimum_reached_invoices_everyone_at_the_tier_reached(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group_buy = await start(session, article, clock, {ANNA: 2, BEN: 3})
        early = await try_to_pay(session, await held_payload(session, group_buy, BEN), BEN, clock)
        close_at_deadline(clock, group_buy)
        # The deadline has passed, the close has not run yet: the units stay as they are.
        with pytest.raises(Refused) as too_late:
            await join(session, group_buy, article, clock, CEM, 1)
        with pytest.raises(Refused) as leaving_at_deadline:
            await groupbuys.leave(session, group_buy_id=group_buy.id, user_id=BEN, now=clock.now())
        closed = await close_now(session, group_buy, clock)
        again = await close_now(session, group_buy, clock)
        assert closed is not None
        invitations = {invitation.user_id: invitation for invitation in closed.invitations}
        with pytest.raises(Refused) as leaving_now:
            await groupbuys.leave(session, group_buy_id=group_buy.id, user_id=ANNA, now=clock.now())
        settle_due = await tasks.next_due(session, kind=groupbuys.PAYMENT_DEADLINE, key=str(group_buy.id))

    async with db.unit_of_work() as session:
        order = await pay(session, invitations[BEN].invoice, clock, user_id=BEN, charge="ben-charge")
    async with db.unit_of_work() as session:
        repeated = await checkout.complete(
            session,
            payload=invitations[BEN].invoice.payload,
            user_id=BEN,
            chat_id=BEN,
            telegram_payment_charge_id="ben-charge",
            provider_payment_charge_id="provider-ben-charge",
            total_amount=invitations[BEN].invoice.total_amount,
            currency="EUR",
            shipping_option_id="standard",
            shipping_address={"country_code": "DE", "city": "Berlin"},
            now=clock.now(),
        )
        after = await groupbuys.progress(session, group_buy_id=group_buy.id)
        ben = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=BEN)
        orders = await session.scalar(select(func.count()).select_from(Order).where(Order.user_id == BEN))
        stock = await stock_of(session, variant_id=article.variant_id)

    # Before the close a share is held, not payable.
    assert not early.ok and early.reason_key == "checkout-error-expired"
    assert too_late.value.reason_key == "groupbuy-error-closed"
    assert leaving_at_deadline.value.reason_key == "groupbuy-error-leave-closed"
    assert (closed.progress.status, closed.progress.price, closed.progress.units) == ("payment", eur("42"), 5)
    assert again is None
    assert sorted(invitations) == [ANNA, BEN] and closed.notices == ()
    assert invitations[ANNA].invoice.total_amount == 2 * 4200
    assert invitations[BEN].invoice.total_amount == 3 * 4200
    assert invitations[BEN].invoice.currency == "EUR"
    assert invitations[BEN].pay_by == clock.now() + groupbuys.PAY_WITHIN == settle_due
    assert not invitations[BEN].moved_up
    assert leaving_now.value.reason_key == "groupbuy-error-leave-closed"
    assert [(line.quantity, line.unit_price) for line in order.lines] == [(3, eur("42"))]
    assert order.total == eur("126")
    assert repeated == order and orders == 1
    assert (after.paid_units, after.units) == (3, 5)
    assert ben is not None and ben.paid and ben.order_id == order.id
    assert stock == {article.warehouse: STOCK - 3}


async def test_without_a_payment_provider_shares_are_paid_in_stars(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group_buy = await start(session, article, clock, {ANNA: 2, BEN: 3})
        close_at_deadline(clock, group_buy)
        closed = await close_now(session, group_buy, clock, stars=True)
        assert closed is not None
        invoice = next(found.invoice for found in closed.invitations if found.user_id == BEN)
        order = await pay(session, invoice, clock, option=None, user_id=BEN, charge="ben-stars")

    # 126 € at 50 Stars a euro.
    assert (invoice.currency, invoice.total_amount) == ("XTR", 126 * 50)
    assert not invoice.need_shipping_address
    assert (order.payment_method, order.total, order.lines[0].unit_price) == ("stars", eur("126"), eur("42"))


async def test_closing_with_the_minimum_missed_cancels_and_nobody_pays(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group_buy = await start(session, article, clock, {ANNA: 2, BEN: 2})
        held = await free_units(session, article, clock)
        payloads = {person: await held_payload(session, group_buy, person) for person in (ANNA, BEN)}
        close_at_deadline(clock, group_buy)
        closed = await close_now(session, group_buy, clock)
        free = await free_units(session, article, clock)
        answers = {
            person: await try_to_pay(session, payload, person, clock) for person, payload in payloads.items()
        }
        anna = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=ANNA)

    assert closed is not None
    # The message still shows the four units reached of the five needed.
    assert (closed.progress.status, closed.progress.units, closed.progress.price) == ("cancelled", 4, None)
    assert closed.invitations == ()
    assert [(notice.user_id, notice.key, notice.args) for notice in closed.notices] == [
        (ANNA, "groupbuy-cancelled", {"min": 5}),
        (BEN, "groupbuy-cancelled", {"min": 5}),
    ]
    assert (held, free) == (STOCK - 4, STOCK)
    assert all(not answer.ok and answer.reason_key == "checkout-error-unknown" for answer in answers.values())
    assert anna is not None and anna.status == "cancelled"


async def test_only_the_opener_closes_early_and_only_when_full(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group_buy = await start(session, article, clock, {ANNA: 4, BEN: 5})

        async def close_by(user_id: int) -> groupbuys.Outcome | None:
            return await groupbuys.close(
                session, group_buy_id=group_buy.id, now=clock.now(), stars=False, by_user=user_id
            )

        with pytest.raises(Refused) as not_full:
            await close_by(ANNA)
        await join(session, group_buy, article, clock, CEM, 1)
        with pytest.raises(Refused) as not_opener:
            await close_by(BEN)
        closed = await close_by(ANNA)
        with pytest.raises(Refused) as closed_already:
            await close_by(ANNA)
        close_due = await tasks.next_due(session, kind=groupbuys.CLOSE, key=str(group_buy.id))
        close_at_deadline(clock, group_buy)
        claimed = await tasks.claim_due(session, worker="test", now=clock.now())
        at_deadline = await close_now(session, group_buy, clock)

    assert not_full.value.reason_key == "groupbuy-error-not-full"
    assert not_opener.value.reason_key == "groupbuy-error-not-opener"
    assert closed is not None and closed.progress.status == "payment"
    assert closed.progress.price == eur("35") and len(closed.invitations) == 3
    assert closed_already.value.reason_key == "groupbuy-error-closed"
    assert close_due is None
    # What comes due at the deadline is the payment deadline, not a second close.
    assert [(task.kind, task.key) for task in claimed] == [(groupbuys.PAYMENT_DEADLINE, str(group_buy.id))]
    assert at_deadline is None


async def test_unpaid_shares_lapse_at_the_payment_deadline_and_the_line_moves_up(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await chats.set_membership(session, chat_id=WG, user_id=DORA, status="member", now=clock.now())
        group_buy = await start(session, article, clock, {ANNA: 2, BEN: 3}, min_units=3, max_units=5)
        await queue(session, group_buy, article, clock, CEM, 2)
        clock.advance(60)
        await queue(session, group_buy, article, clock, DORA, 4)
        close_at_deadline(clock, group_buy)
        closed = await close_now(session, group_buy, clock)
        assert closed is not None
        anna_invoice = next(found.invoice for found in closed.invitations if found.user_id == ANNA)
    async with db.unit_of_work() as session:
        await pay(session, anna_invoice, clock, user_id=ANNA, charge="anna-charge")
        clock.advance(DAY / 2)
        too_early, early_next = await groupbuys.settle(
            session, group_buy_id=group_buy.id, now=clock.now(), stars=False
        )
    async with db.unit_of_work() as session:
        clock.advance(DAY / 2)
        lapsed, lapsed_next = await groupbuys.settle(
            session, group_buy_id=group_buy.id, now=clock.now(), stars=False
        )
        assert lapsed is not None
        free = await free_units(session, article, clock)
        ben = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=BEN)
        dora = await groupbuys.mine(session, group_buy_id=group_buy.id, user_id=DORA)
    (cem_invitation,) = lapsed.invitations
    async with db.unit_of_work() as session:
        await pay(session, cem_invitation.invoice, clock, user_id=CEM, charge="cem-charge")
        done, done_next = await groupbuys.settle(
            session, group_buy_id=group_buy.id, now=clock.now(), stars=False
        )
        after_done = await groupbuys.settle(session, group_buy_id=group_buy.id, now=clock.now(), stars=False)

    assert closed.progress.price == eur("42") and len(closed.invitations) == 2
    pay_by = closed.invitations[0].pay_by
    # Half a day in nobody is late yet: the next look is at the payment deadline.
    assert too_early is not None and (too_early.invitations, too_early.notices) == ((), ())
    assert early_next == pay_by
    assert [(notice.user_id, notice.key) for notice in lapsed.notices] == [(BEN, "groupbuy-lapsed")]
    # Cem's two units fit into Ben's three, Dora's four do not; Cem pays the 42 € fixed at the close,
    # although the four units now joined would only reach the 50 € tier.
    assert (cem_invitation.user_id, cem_invitation.moved_up) == (CEM, True)
    assert cem_invitation.invoice.total_amount == 2 * 4200
    assert cem_invitation.pay_by == clock.now() + groupbuys.PAY_WITHIN == lapsed_next
    assert (lapsed.progress.units, lapsed.progress.paid_units, lapsed.progress.waiting) == (4, 2, 1)
    assert free == STOCK - 4
    assert ben is not None and ben.status == "lapsed" and not ben.paid
    assert dora is not None and (dora.status, dora.position) == ("waiting", 1)
    assert done is not None and done.progress.status == "done" and done_next is None
    assert (done.progress.units, done.progress.paid_units) == (4, 4)
    assert [(notice.user_id, notice.key) for notice in done.notices] == [(DORA, "groupbuy-waiting-ended")]
    assert after_done == (None, None)


async def test_the_data_export_lists_shares_and_erasure_removes_them(
    db: Database, article: Article, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        group_buy = await start(session, article, clock, {BEN: 3})
        await queue(session, group_buy, article, clock, CEM, 1)
        anna = await privacy.export(session, user_id=ANNA, now=clock.now())
        ben = await privacy.export(session, user_id=BEN, now=clock.now())
        assert await users.erase(session, user_id=BEN)
        rows = await session.scalar(
            select(func.count())
            .select_from(groupbuys.GroupBuyParticipant)
            .where(groupbuys.GroupBuyParticipant.user_id == BEN)
        )
        after = await groupbuys.progress(session, group_buy_id=group_buy.id)
        free = await free_units(session, article, clock)

    assert anna["group_buys"] == {"opened": [group_buy.id], "shares": []}
    assert ben["group_buys"] == {
        "opened": [],
        "shares": [
            {
                "group_buy_id": group_buy.id,
                "variant_id": article.variant_id,
                "quantity": 3,
                "status": "joined",
                "since": clock.now().isoformat(),
            }
        ],
    }
    assert rows == 0
    assert (after.units, after.participants, after.waiting) == (0, 0, 1)
    assert free == STOCK


async def test_the_demo_shop_offers_tiers_once(demo_catalog: Database, clock: Clock) -> None:
    async with demo_catalog.unit_of_work() as session:
        assert await groupbuys.offer_demo(session, now=clock.now()) == 3
        assert await groupbuys.offer_demo(session, now=clock.now()) == 0
        offered = await groupbuys.offers(session)
    assert len(offered) == 3
    for offer in offered:
        first, second, third = offer.tiers
        assert (first.units, second.units, third.units) == (1, 5, 10)
        assert third.price.amount == (first.price.amount * Decimal("0.8")).quantize(Decimal("0.01"))
        assert (offer.min_units, offer.max_units) == (5, 30)
