"""Broadcasts in the domain: sanitised text, who a segment reaches, the outbox's states, stats, isolation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.sandbox.html import parse_html
from catalog.demo import RETAILER_NAME, RETAILER_SLUG
from catalog.models import Category, Product, Retailer, Variant
from core import chats, privacy, tasks, users
from core.clock import Clock
from core.db import Database, Session
from deals import broadcasts, outbox, subscriptions
from deals.broadcasts import Segment
from deals.errors import Refused
from orders.models import Order, OrderLine
from social.groupbuys import GroupBuy, GroupBuyParticipant

LOCALES = ("de", "en")
ANNA, BEN, CEM, DORA, EVA, FINN = 401, 402, 403, 404, 405, 406
RETAILER_MEMBER = 499
EVERYONE = Segment()


@dataclass(frozen=True)
class World:
    """The demo shop with its subscribers, and a second shop with one subscriber of its own."""

    retailer_id: int
    other_id: int
    products: tuple[int, ...]
    other_product: int


async def _person(session: Session, user_id: int, now: datetime, language: str = "de") -> None:
    await users.touch(
        session, person=users.Person(id=user_id, first_name=f"P{user_id}", language_code=language), now=now
    )


async def _subscribe(
    session: Session, user_id: int, retailer_id: int, now: datetime, language: str = "de"
) -> None:
    await _person(session, user_id, now, language)
    await subscriptions.subscribe(session, user_id=user_id, now=now)
    await subscriptions.choose_retailer(
        session, user_id=user_id, retailer_id=retailer_id, chosen=True, now=now
    )


@pytest.fixture
async def world(demo_catalog: Database, clock: Clock) -> World:
    """Anna (de), Ben (en) and Finn (who blocked the bot) subscribe to the demo shop; Cem did but switched
    offers off; Dora subscribes only to the second shop; Eva never opted in."""
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        retailer_id = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
        assert retailer_id is not None
        other = Retailer(slug="garten", name="Garten Laden")
        session.add(other)
        await session.flush()
        products = tuple(
            (
                await session.scalars(
                    select(Product.id).where(Product.retailer_id == retailer_id).order_by(Product.id).limit(3)
                )
            ).all()
        )
        first = await session.get(Product, products[0])
        assert first is not None
        foreign = Product(
            retailer_id=other.id,
            sku="GARTEN-1",
            title_de="Gießkanne",
            title_en="Watering can",
            category_id=first.category_id,
            price=Decimal("12.00"),
            currency="EUR",
            created_at=now,
            updated_at=now,
        )
        session.add(foreign)
        await session.flush()
        await _subscribe(session, ANNA, retailer_id, now, "de")
        await _subscribe(session, BEN, retailer_id, now, "en")
        await _subscribe(session, CEM, retailer_id, now, "de")
        await subscriptions.unsubscribe(session, user_id=CEM, now=now)
        await _subscribe(session, DORA, other.id, now, "de")
        await _person(session, EVA, now)
        await _subscribe(session, FINN, retailer_id, now, "de")
        await users.mark_blocked(session, user_id=FINN)
        await _person(session, RETAILER_MEMBER, now)
    return World(retailer_id, other.id, products, foreign.id)


async def _create(
    db: Database, clock: Clock, world: World, segment: Segment = EVERYONE, **extra: object
) -> broadcasts.View:
    async with db.unit_of_work() as session:
        return await broadcasts.create(
            session,
            retailer_id=world.retailer_id,
            created_by=RETAILER_MEMBER,
            locale="de",
            text="<b>Sale</b> today",
            segment=segment,
            now=clock.now(),
            locales=LOCALES,
            default_locale="de",
            **extra,  # type: ignore[arg-type]
        )


async def _recipients(db: Database, broadcast_id: int) -> dict[int, tuple[str, str]]:
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(outbox.Recipient.user_id, outbox.Recipient.locale, outbox.Recipient.status).where(
                outbox.Recipient.broadcast_id == broadcast_id
            )
        )
        return {user_id: (locale, status) for user_id, locale, status in rows}


async def _claim(db: Database, clock: Clock, worker: str, limit: int = 100) -> list[outbox.Claimed]:
    async with db.unit_of_work() as session:
        return await outbox.claim(session, worker=worker, now=clock.now(), limit=limit)


async def _order(
    session: Session, *, user_id: int, product_id: int, at: datetime, status: str = "paid"
) -> int:
    order = Order(
        number=f"B{user_id}{int(at.timestamp()) % 100000}{product_id % 1000}{status[:2]}"[:16],
        user_id=user_id,
        chat_id=user_id,
        status=status,
        delivery="standard",
        currency="EUR",
        subtotal=Decimal("10.00"),
        shipping=Decimal("0.00"),
        discount=Decimal("0.00"),
        total=Decimal("10.00"),
        telegram_payment_charge_id=f"charge-{user_id}-{product_id}-{at.timestamp()}-{status}",
        payment_method="provider",
        locale="de",
        created_at=at,
        updated_at=at,
    )
    session.add(order)
    await session.flush()
    session.add(
        OrderLine(
            order_id=order.id,
            product_id=product_id,
            sku="SKU",
            title_de="Artikel",
            title_en="Article",
            colour="blau",
            size="M",
            quantity=1,
            unit_price=Decimal("10.00"),
        )
    )
    await session.flush()
    return order.id


# Sanitising.


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        ("<b>Sale</b> & <i>more</i>", "<b>Sale</b> &amp; <i>more</i>"),
        ("<strong>x</strong><em>y</em><u>z</u><s>w</s>", "<strong>x</strong><em>y</em><u>z</u><s>w</s>"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<b>open", "<b>open</b>"),
        ("stray</b> end", "stray&lt;/b&gt; end"),
        ("<b><i>crossed</b></i>", "<b><i>crossed</i></b>&lt;/i&gt;"),
        (
            '<a href="https://shop.example/sale?a=1&b=2">go</a>',
            '<a href="https://shop.example/sale?a=1&amp;b=2">go</a>',
        ),
        ('<a href="javascript:alert(1)">x</a>', '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;'),
        (
            '<span class="tg-spoiler">hid</span><span>no</span>',
            '<span class="tg-spoiler">hid</span>&lt;span&gt;no&lt;/span&gt;',
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            '<pre><code class="language-python">x = 1</code></pre>',
        ),
        ("line<br>break<br/>twice", "line\nbreak\ntwice"),
        ("3 < 4 and 5 > 2 &amp; &lt;b&gt;", "3 &lt; 4 and 5 &gt; 2 &amp; &lt;b&gt;"),
        ("<p onclick=x>para</p>", "&lt;p onclick=x&gt;para&lt;/p&gt;"),
        ("<blockquote expandable>long</blockquote>", "<blockquote expandable>long</blockquote>"),
        ("<!-- note --> ok", "&lt;!-- note --&gt; ok"),
    ],
)
def test_only_telegrams_tags_survive_and_the_rest_shows_as_typed(typed: str, html: str) -> None:
    assert broadcasts.sanitise(typed)[0] == html


@pytest.mark.parametrize(
    "typed",
    [
        "<b>Sale</b> & <i>more</i> < > \" '",
        "<b><i><u>deep</b> rest",
        "</i></b><b>",
        "<a href='https://x.example/?q=\"'>q</a><a>no href</a>",
        "<code><b>in code</b></code> <tg-spoiler>s</tg-spoiler>",
        "&#0; &#xZZ; &nbsp; &unknown; &",
        "<<b>>double<</b>>",
        "<img src=x onerror=alert(1)>",
        "emoji 😀 <b>fett 🎉</b>",
    ],
)
def test_whatever_is_typed_telegram_can_parse(typed: str) -> None:
    markup, plain = broadcasts.sanitise(typed)
    text, _ = parse_html(markup, lambda user_id: None)
    assert text == plain


def test_a_text_must_say_something_and_fit_telegrams_limits() -> None:
    with pytest.raises(Refused) as empty:
        broadcasts.checked_text("<b> </b>", photo=False)
    assert empty.value.reason_key == "broadcast-error-text-empty" and empty.value.field == "text"
    assert broadcasts.checked_text("x" * 4096, photo=False)
    with pytest.raises(Refused) as long:
        broadcasts.checked_text("x" * 1025, photo=True)
    assert long.value.args_["limit"] == 1024


# Who a broadcast reaches.


@pytest.mark.parametrize(
    ("segment", "reached"),
    [
        (Segment(), {ANNA: "de", BEN: "en"}),
        (Segment.of("language", "en"), {BEN: "en"}),
        (Segment.of("language", "de"), {ANNA: "de"}),
    ],
    ids=["all", "english", "german"],
)
async def test_only_subscribers_of_the_retailer_are_reached(
    db: Database, world: World, clock: Clock, segment: Segment, reached: dict[int, str]
) -> None:
    created = await _create(db, clock, world, segment)

    recipients = await _recipients(db, created.id)
    assert {user_id: locale for user_id, (locale, _) in recipients.items()} == reached
    assert {status for _, status in recipients.values()} == {outbox.PENDING}
    assert created.status == broadcasts.SENDING and created.total == len(reached)


async def test_past_buyers_and_group_buy_participants(db: Database, world: World, clock: Clock) -> None:
    now = clock.now()
    async with db.unit_of_work() as session:
        await _order(session, user_id=ANNA, product_id=world.products[0], at=now - timedelta(days=30))
        await _order(session, user_id=BEN, product_id=world.other_product, at=now - timedelta(days=3))
        await _order(session, user_id=BEN, product_id=world.products[1], at=now, status="refunded")
        await _order(session, user_id=EVA, product_id=world.products[0], at=now)
        group_buy = await _group_buy(session, world.products[2], [(BEN, "joined"), (ANNA, "left")], now)

    buyers = await _create(db, clock, world, Segment.of("buyers"))
    joined = await _create(db, clock, world, Segment.of("groupbuy"))
    that_one = await _create(db, clock, world, Segment.of("groupbuy", str(group_buy)))

    assert set(await _recipients(db, buyers.id)) == {ANNA}
    assert set(await _recipients(db, joined.id)) == {BEN}
    assert set(await _recipients(db, that_one.id)) == {BEN}


async def _group_buy(session: Session, product_id: int, people: list[tuple[int, str]], now: datetime) -> int:
    await chats.touch(session, chat=chats.ChatInfo(id=-4242, type="group", title="WG"), now=now)
    variant_id = await session.scalar(select(Variant.id).where(Variant.product_id == product_id).limit(1))
    assert variant_id is not None
    group_buy = GroupBuy(
        product_id=product_id,
        chat_id=-4242,
        opened_by=people[0][0],
        tiers=[[1, "10.00"]],
        min_units=1,
        currency="EUR",
        locale="de",
        deadline=now + timedelta(days=1),
        status="open",
        created_at=now,
    )
    session.add(group_buy)
    await session.flush()
    for user_id, status in people:
        session.add(
            GroupBuyParticipant(
                group_buy_id=group_buy.id,
                user_id=user_id,
                variant_id=variant_id,
                quantity=1,
                status=status,
                locale="de",
                queued_at=now,
                updated_at=now,
            )
        )
    await session.flush()
    return group_buy.id


async def test_interest_covers_the_category_above_and_below_but_not_a_mute(
    db: Database, world: World, clock: Clock
) -> None:
    now = clock.now()
    async with db.unit_of_work() as session:
        leaf = await session.get(Category, (await session.get(Product, world.products[0])).category_id)  # type: ignore[union-attr]
        assert leaf is not None and leaf.parent_id is not None
        parent = leaf.parent_id
        await subscriptions.choose_category(session, user_id=ANNA, category_id=parent, chosen=True, now=now)
        await subscriptions.choose_category(session, user_id=BEN, category_id=leaf.id, chosen=True, now=now)
        await _subscribe(session, EVA, world.retailer_id, now)
        await subscriptions.choose_category(session, user_id=EVA, category_id=leaf.id, chosen=True, now=now)
        await subscriptions.mute_category(session, user_id=EVA, category_id=parent, now=now)

    on_leaf = await _create(db, clock, world, Segment.of("interest", f"category:{leaf.id}"))
    on_parent = await _create(db, clock, world, Segment.of("interest", f"category:{parent}"))

    assert set(await _recipients(db, on_leaf.id)) == {ANNA, BEN}
    assert set(await _recipients(db, on_parent.id)) == {ANNA, BEN}


@pytest.mark.parametrize(
    ("kind", "value", "key"),
    [
        ("everyone", None, "broadcast-error-segment"),
        ("language", "deutsch", "broadcast-error-segment-language"),
        ("interest", "colour:red", "broadcast-error-segment-interest"),
        ("groupbuy", "x", "broadcast-error-segment"),
    ],
)
def test_a_bad_segment_is_refused_naming_the_field(kind: str, value: str | None, key: str) -> None:
    with pytest.raises(Refused) as refused:
        Segment.of(kind, value)
    assert refused.value.reason_key == key and refused.value.field == "segment"


# The retailer's own things only.


async def test_a_retailer_never_reaches_another_retailers_broadcast_product_or_group_buy(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _create(db, clock, world)
    async with db.unit_of_work() as session:
        assert await broadcasts.get(session, broadcast_id=created.id, retailer_id=world.other_id) is None
        assert await broadcasts.get(session, broadcast_id=created.id, retailer_id=None) is not None
        assert await broadcasts.listing(session, retailer_id=world.other_id) == []
        draft = await broadcasts.start_draft(
            session, retailer_id=world.other_id, created_by=DORA, locale="de", now=clock.now(), text="Hallo"
        )
        with pytest.raises(Refused) as foreign_product:
            await broadcasts.set_product(
                session, broadcast_id=draft.id, retailer_id=world.other_id, sku="DOES-NOT"
            )
        assert foreign_product.value.field == "product"
        demo_sku = (await session.get(Product, world.products[0])).sku  # type: ignore[union-attr]
        with pytest.raises(Refused):
            await broadcasts.set_product(
                session, broadcast_id=draft.id, retailer_id=world.other_id, sku=demo_sku
            )
        with pytest.raises(Refused):
            await broadcasts.set_text(
                session, broadcast_id=draft.id, retailer_id=world.retailer_id, text="mine"
            )
        group_buy = await _group_buy(session, world.products[0], [(ANNA, "joined")], clock.now())
        with pytest.raises(Refused) as foreign_group_buy:
            await broadcasts.set_segment(
                session,
                broadcast_id=draft.id,
                retailer_id=world.other_id,
                segment=Segment.of("groupbuy", str(group_buy)),
            )
        assert foreign_group_buy.value.reason_key == "broadcast-error-segment-groupbuy"


async def test_a_draft_is_remembered_in_the_database_and_a_new_one_replaces_it(
    db: Database, world: World, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        first = await broadcasts.start_draft(
            session, retailer_id=world.retailer_id, created_by=RETAILER_MEMBER, locale="de", now=clock.now()
        )
        await broadcasts.ask(session, broadcast_id=first.id, retailer_id=world.retailer_id, step="photo")
    async with db.unit_of_work() as session:
        remembered = await broadcasts.draft_of(session, user_id=RETAILER_MEMBER)
        assert remembered is not None and remembered.id == first.id and remembered.step == "photo"
        second = await broadcasts.start_draft(
            session, retailer_id=world.retailer_id, created_by=RETAILER_MEMBER, locale="de", now=clock.now()
        )
    async with db.unit_of_work() as session:
        assert await broadcasts.get(session, broadcast_id=first.id, retailer_id=None) is None
        assert (await broadcasts.draft_of(session, user_id=RETAILER_MEMBER)).id == second.id  # type: ignore[union-attr]


# Scheduling.


async def test_a_scheduled_broadcast_starts_once_from_its_task_and_a_cancelled_one_never(
    db: Database, world: World, clock: Clock
) -> None:
    later = clock.now() + timedelta(hours=1)
    planned = await _create(db, clock, world, send_at=later)
    called_off = await _create(db, clock, world, send_at=later)
    assert planned.status == broadcasts.SCHEDULED and planned.total == 0
    async with db.unit_of_work() as session:
        assert await tasks.next_due(session, kind=broadcasts.START, key=str(planned.id)) == later
        await broadcasts.cancel(
            session, broadcast_id=called_off.id, retailer_id=world.retailer_id, now=clock.now()
        )
        assert await tasks.next_due(session, kind=broadcasts.START, key=str(called_off.id)) is None

    clock.advance(3600)
    async with db.unit_of_work() as session:
        started = await broadcasts.begin(
            session, broadcast_id=planned.id, now=clock.now(), locales=LOCALES, default_locale="de"
        )
        again = await broadcasts.begin(
            session, broadcast_id=planned.id, now=clock.now(), locales=LOCALES, default_locale="de"
        )
        never = await broadcasts.begin(
            session, broadcast_id=called_off.id, now=clock.now(), locales=LOCALES, default_locale="de"
        )
    assert started is not None and started.total == 2
    assert again is None and never is None
    assert len(await _recipients(db, planned.id)) == 2
    assert await _recipients(db, called_off.id) == {}


async def test_a_time_in_the_past_or_too_far_ahead_is_refused(
    db: Database, world: World, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        draft = await broadcasts.start_draft(
            session,
            retailer_id=world.retailer_id,
            created_by=RETAILER_MEMBER,
            locale="de",
            now=clock.now(),
            text="x",
        )
        for at in (clock.now(), clock.now() + timedelta(days=61)):
            with pytest.raises(Refused) as refused:
                await broadcasts.schedule(
                    session, broadcast_id=draft.id, retailer_id=world.retailer_id, at=at, now=clock.now()
                )
            assert refused.value.field == "send_at"


# The outbox.


async def test_claims_hand_out_batches_and_never_a_row_twice(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _people_and_broadcast(db, clock, world, 60)

    claims = await asyncio.gather(*(_claim(db, clock, f"worker-{n}", limit=7) for n in range(8)))

    ids = [row.id for claimed in claims for row in claimed]
    assert len(ids) == len(set(ids)) == 56
    rest = await _claim(db, clock, "late", limit=100)
    assert len(rest) == 60 + 2 - 56 and not set(ids) & {row.id for row in rest}
    assert await _claim(db, clock, "later") == []
    async with db.unit_of_work() as session:
        assert (await outbox.counts(session, broadcast_ids=[created.id]))[created.id].claimed == 62


async def _people_and_broadcast(db: Database, clock: Clock, world: World, count: int) -> broadcasts.View:
    async with db.unit_of_work() as session:
        for number in range(count):
            await _subscribe(session, 10_000 + number, world.retailer_id, clock.now())
    return await _create(db, clock, world)


async def test_results_are_marked_in_bulk_only_by_the_worker_holding_the_claim(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _people_and_broadcast(db, clock, world, 4)
    rows = await _claim(db, clock, "a")
    by_user = {row.user_id: row for row in rows}
    sent, failed, lost, blocked, again, back = (
        by_user[user].id for user in (ANNA, BEN, 10_000, 10_001, 10_002, 10_003)
    )
    async with db.unit_of_work() as session:
        assert await outbox.mark_sent(session, worker="b", ids=[sent], now=clock.now()) == 0
        assert await outbox.mark_sent(session, worker="a", ids=[sent], now=clock.now()) == 1
        assert (
            await outbox.mark_failed(session, worker="a", ids=[failed], error="Bad Request: chat not found")
            == 1
        )
        assert await outbox.mark_unknown(session, worker="a", ids=[lost], error="no answer") == 1
        assert await outbox.mark_blocked(session, worker="a", ids=[blocked]) == 1
        assert await outbox.retry(
            session, worker="a", rows=[(again, 1)], error="Bad Gateway", now=clock.now()
        ) == (1, 0)
        assert await outbox.release(session, worker="a", ids=[back]) == 1
        assert await outbox.mark_sent(session, worker="a", ids=[failed, lost], now=clock.now()) == 0

    reclaimed = await _claim(db, clock, "c")
    assert [row.id for row in reclaimed] == [back]
    assert reclaimed[0].attempts == 1, "giving a row back does not count as an attempt"
    clock.advance(outbox.BACKOFF.total_seconds())
    assert [row.id for row in await _claim(db, clock, "c")] == [again]
    async with db.unit_of_work() as session:
        counts = (await outbox.counts(session, broadcast_ids=[created.id]))[created.id]
    assert (counts.sent, counts.failed, counts.unknown, counts.blocked, counts.claimed) == (1, 1, 1, 1, 2)


async def test_a_failing_send_is_retried_with_backoff_then_failed_for_good(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _create(db, clock, world, Segment.of("language", "en"))
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        (row,) = await _claim(db, clock, "a")
        assert row.attempts == attempt
        async with db.unit_of_work() as session:
            await outbox.retry(
                session,
                worker="a",
                rows=[(row.id, row.attempts)],
                error="Internal Server Error",
                now=clock.now(),
            )
        assert await _claim(db, clock, "a") == [] or attempt == outbox.MAX_ATTEMPTS
        clock.advance((outbox.BACKOFF * 2 ** (attempt - 1)).total_seconds())
    assert await _claim(db, clock, "a") == []
    assert await _recipients(db, created.id) == {BEN: ("en", outbox.FAILED)}


async def test_a_send_in_flight_when_its_worker_died_is_unknown_and_never_sent_again(
    db: Database, world: World, clock: Clock
) -> None:
    """A dead worker's started row may have reached Telegram: unknown. Its claimed one never left: resent."""
    created = await _people_and_broadcast(db, clock, world, 1)
    crashed = await _claim(db, clock, "crashed", limit=2)
    async with db.unit_of_work() as session:
        assert await outbox.start(session, worker="crashed", ids=[crashed[0].id]) == [crashed[0].id]
        assert await outbox.start(session, worker="someone", ids=[crashed[1].id]) == []
        assert await outbox.expire_leases(session, now=clock.now()) == []
    survivor = await _claim(db, clock, "survivor")
    assert len(survivor) == 1
    async with db.unit_of_work() as session:
        await outbox.mark_sent(session, worker="survivor", ids=[survivor[0].id], now=clock.now())

    clock.advance(outbox.LEASE.total_seconds() + 1)
    async with db.unit_of_work() as session:
        assert await outbox.any_due(session, now=clock.now())
        assert await outbox.expire_leases(session, now=clock.now()) == [created.id]
        assert await broadcasts.finish(session, broadcast_ids=[created.id], now=clock.now()) == []
        late = await outbox.mark_sent(
            session, worker="crashed", ids=[row.id for row in crashed], now=clock.now()
        )
    assert late == 0, "a worker whose lease ran out cannot overwrite what happened since"
    (again,) = await _claim(db, clock, "survivor")
    assert again.id == crashed[1].id and again.attempts == 1, "the claimed row goes out after all"
    async with db.unit_of_work() as session:
        await outbox.start(session, worker="survivor", ids=[again.id])
        await outbox.mark_sent(session, worker="survivor", ids=[again.id], now=clock.now())
        assert await broadcasts.finish(session, broadcast_ids=[created.id], now=clock.now()) == [created.id]
    statuses = sorted(status for _, status in (await _recipients(db, created.id)).values())
    assert statuses == [outbox.SENT, outbox.SENT, outbox.UNKNOWN]


async def test_people_who_blocked_the_bot_since_the_start_are_handed_out_marked(
    db: Database, world: World, clock: Clock
) -> None:
    await _create(db, clock, world)
    async with db.unit_of_work() as session:
        await users.mark_blocked(session, user_id=BEN)
    claimed = {row.user_id: row.blocked for row in await _claim(db, clock, "a")}
    assert claimed == {ANNA: False, BEN: True}


async def test_a_blocked_recipient_is_unsubscribed_from_the_retailer(
    db: Database, world: World, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await subscriptions.choose_retailer(
            session, user_id=ANNA, retailer_id=world.other_id, chosen=True, now=clock.now()
        )
        await broadcasts.blocked(session, pairs=[(ANNA, world.retailer_id)], now=clock.now())
    async with db.unit_of_work() as session:
        anna = await users.get(session, user_id=ANNA)
        chosen = await subscriptions.get(session, user_id=ANNA)
    assert anna is not None and anna.blocked_bot
    assert chosen.retailer_ids == {world.other_id}
    assert set(await _recipients(db, (await _create(db, clock, world)).id)) == {BEN}


async def test_stopping_a_broadcast_cancels_what_was_not_sent(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _people_and_broadcast(db, clock, world, 3)
    (in_flight,) = await _claim(db, clock, "a", limit=1)
    async with db.unit_of_work() as session:
        stopped = await broadcasts.cancel(
            session, broadcast_id=created.id, retailer_id=world.retailer_id, now=clock.now()
        )
        assert stopped is not None and stopped.finished_at is None, "one message is still on its way"
        await outbox.mark_sent(session, worker="a", ids=[in_flight.id], now=clock.now())
        assert await broadcasts.finish(session, broadcast_ids=[created.id], now=clock.now()) == [created.id]
        counts = (await outbox.counts(session, broadcast_ids=[created.id]))[created.id]
        view = await broadcasts.get(session, broadcast_id=created.id, retailer_id=world.retailer_id)
    assert (counts.sent, counts.cancelled) == (1, 4)
    assert view is not None and view.status == broadcasts.CANCELLED


# Progress and stats.


async def test_progress_is_shown_at_most_every_interval_and_the_end_at_once(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _people_and_broadcast(db, clock, world, 3)
    interval = timedelta(seconds=3)

    async def due() -> list[broadcasts.Progress]:
        async with db.unit_of_work() as session:
            return await broadcasts.due_progress(session, now=clock.now(), min_interval=interval)

    (first,) = await due()
    assert first.message_id is None and first.chat_id == RETAILER_MEMBER and first.counts.total == 5
    async with db.unit_of_work() as session:
        await broadcasts.attach_progress(
            session, broadcast_id=created.id, chat_id=RETAILER_MEMBER, message_id=77
        )
    rows = await _claim(db, clock, "a", limit=2)
    async with db.unit_of_work() as session:
        await outbox.mark_sent(session, worker="a", ids=[row.id for row in rows], now=clock.now())
    assert await due() == [], "edited a moment ago"
    clock.advance(3)
    (edit,) = await due()
    assert (edit.message_id, edit.counts.sent, edit.final) == (77, 2, False)
    clock.advance(3)
    assert await due() == [], "nothing changed"

    rest = await _claim(db, clock, "a")
    async with db.unit_of_work() as session:
        await outbox.mark_sent(session, worker="a", ids=[row.id for row in rest], now=clock.now())
        await broadcasts.finish(session, broadcast_ids=[created.id], now=clock.now())
    (last,) = await due()
    assert last.final and last.counts.sent == 5 and last.status == broadcasts.DONE
    assert await due() == []


async def test_clicks_count_recipients_once_and_purchases_within_a_week(
    db: Database, world: World, clock: Clock
) -> None:
    product = world.products[0]
    created = await _create(db, clock, world, product_id=product)
    rows = await _claim(db, clock, "a")
    sent_at = clock.now()
    async with db.unit_of_work() as session:
        await outbox.mark_sent(session, worker="a", ids=[row.id for row in rows], now=sent_at)
        for user_id in (ANNA, ANNA, BEN, EVA):
            assert (
                await broadcasts.click(session, broadcast_id=created.id, user_id=user_id, now=sent_at)
                == product
            )
        await _order(session, user_id=ANNA, product_id=product, at=sent_at + timedelta(days=2))
        await _order(session, user_id=ANNA, product_id=world.products[1], at=sent_at + timedelta(days=2))
        await _order(session, user_id=BEN, product_id=product, at=sent_at + timedelta(days=8))
        await _order(
            session, user_id=BEN, product_id=product, at=sent_at + timedelta(hours=1), status="cancelled"
        )
        await _order(session, user_id=BEN, product_id=product, at=sent_at - timedelta(hours=1))
        await _order(session, user_id=EVA, product_id=product, at=sent_at + timedelta(hours=1))
        stats = (await broadcasts.stats(session, broadcast_ids=[created.id]))[created.id]
    assert (stats.counts.sent, stats.clicks, stats.purchases) == (2, 2, 1)


async def test_without_a_product_any_order_of_the_retailers_products_counts(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _create(db, clock, world)
    rows = await _claim(db, clock, "a")
    async with db.unit_of_work() as session:
        await outbox.mark_sent(session, worker="a", ids=[row.id for row in rows], now=clock.now())
        await _order(session, user_id=ANNA, product_id=world.products[1], at=clock.now() + timedelta(days=1))
        await _order(session, user_id=BEN, product_id=world.other_product, at=clock.now() + timedelta(days=1))
        stats = (await broadcasts.stats(session, broadcast_ids=[created.id]))[created.id]
    assert stats.purchases == 1 and stats.clicks == 0


async def test_the_unsubscribe_button_stops_the_retailers_offers(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _create(db, clock, world)
    async with db.unit_of_work() as session:
        name = await broadcasts.unsubscribe(session, broadcast_id=created.id, user_id=BEN, now=clock.now())
        again = await broadcasts.unsubscribe(session, broadcast_id=created.id, user_id=BEN, now=clock.now())
    assert name == again == RETAILER_NAME
    assert set(await _recipients(db, (await _create(db, clock, world)).id)) == {ANNA}


async def test_erasing_a_recipient_takes_their_outbox_row_and_click_along(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _create(db, clock, world, product_id=world.products[0])
    async with db.unit_of_work() as session:
        await broadcasts.click(session, broadcast_id=created.id, user_id=ANNA, now=clock.now())
        await users.erase(session, user_id=ANNA)
    assert set(await _recipients(db, created.id)) == {BEN}
    async with db.unit_of_work() as session:
        clicks = (await broadcasts.stats(session, broadcast_ids=[created.id]))[created.id].clicks
    assert clicks == 0


async def test_the_data_export_lists_the_broadcasts_a_person_received(
    db: Database, world: World, clock: Clock
) -> None:
    created = await _create(db, clock, world, product_id=world.products[0])
    rows = await _claim(db, clock, "a")
    async with db.unit_of_work() as session:
        await outbox.mark_sent(session, worker="a", ids=[row.id for row in rows], now=clock.now())
        await broadcasts.click(session, broadcast_id=created.id, user_id=ANNA, now=clock.now())
        document = await privacy.export(session, user_id=ANNA, now=clock.now())
    assert document["broadcasts"] == [
        {
            "retailer": RETAILER_NAME,
            "broadcast": created.id,
            "status": "sent",
            "sent_at": clock.now().isoformat(),
            "clicked": True,
        }
    ]
