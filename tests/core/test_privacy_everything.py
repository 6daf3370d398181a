"""Erasure leaves no row that names the person, in any table; the export holds every feature's data.

Quirinella shops, lives in a group and works for a retailer, and uses every feature through the domain
services; Bertholdine does the same alongside, Corvin is the third member of their group. After
Quirinella's erasure a scan of every table and every column of the migrated database (tables added later
included, since it reads the schema from the database) looks for her id, names, username, address, phone,
e-mail and the texts she wrote, and names ``table.column`` where it finds one. Bertholdine's rows stay as
they were. What is kept on purpose (anonymised orders, what she added to the group's wishlist, what she
wrote in the shop's name) is checked as kept. The per-table decisions are in docs/security.md, and a table
missing there fails too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Column, MetaData, Table, Text, cast, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.elements import ColumnElement

from bot import jobs
from catalog import demo, prices, retailers, searches, style
from catalog.models import Brand, Category, PriceChange, Product, Retailer, Stock, Store, Variant
from core import chats, privacy, tasks, users
from core.clock import Clock
from core.db import Database, Session
from core.money import Money
from deals import broadcasts, deliveries, offers, outbox, subscriptions
from orders import carts, checkout, credits, fulfilment, states
from orders.carriers import CarrierEvent, DeliveryWindow
from orders.models import Order, Refund
from social import groupbuys, ideas, polls, recommendations, referrals, reviews, votes, wishlists
from social.wishlists import WishlistItem

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
GROUP = chats.ChatInfo(id=-1_009_876_543_210, type="supergroup", title="Nachbarschaft am Anger")
VOUCHER = "HALLONACHBARN"


@dataclass(frozen=True)
class Someone:
    """A person with everything that names them: who they are, where they live, what they write."""

    person: users.Person
    address: dict[str, str]
    phone: str
    email: str
    # Put into every text the person writes, so a text of theirs left behind is found.
    marker: str

    @property
    def id(self) -> int:
        """Return their Telegram id (their private chat has the same)."""
        return self.person.id

    def wrote(self, what: str) -> str:
        """Return a text they write about ``what``."""
        return f"{what} ({self.marker})"

    @property
    def needles(self) -> tuple[str, ...]:
        """Return the texts that name them, lower case (ASCII, so JSON columns show them as they are)."""
        person = self.person
        assert person.last_name is not None and person.username is not None
        found = [str(person.id), person.first_name, person.last_name, person.username, self.phone, self.email]
        found += [value for key, value in self.address.items() if key != "country_code"]
        return tuple(value.lower() for value in [*found, self.marker])


QUIRINELLA = Someone(
    users.Person(5_918_273_645, "Quirinella", "Zwetschgenbaum", "quirinella_zw", "de"),
    {
        "country_code": "DE",
        "state": "Oberquittenland",
        "city": "Wendelstedt-Ost",
        "street_line1": "Holunderpfad 93",
        "street_line2": "Hinterhaus Quittengasse",
        "post_code": "39517",
    },
    phone="+49 170 5550199",
    email="quirinella@example.org",
    marker="qz-marker",
)
BERTHOLDINE = Someone(
    users.Person(6_107_345_279, "Bertholdine", "Holzapfel", "bertholdine_h", "en"),
    {
        "country_code": "AT",
        "state": "Unterbirnland",
        "city": "Birnbach-Nord",
        "street_line1": "Apfelallee 5",
        "street_line2": "Stiege Mispelhof",
        "post_code": "84061",
    },
    phone="+43 660 5550123",
    email="bertholdine@example.org",
    marker="bh-marker",
)
CORVIN = users.Person(7_220_118_409, "Corvin", language_code="de")
OWNER = users.Person(7_331_004_517, "Ladeninhaberin", language_code="de")
# What Quirinella writes in the shop's name: the shop keeps it (see docs/security.md).
SHOP_COMMENT = "Wir prüfen das für die Frühjahrskollektion"
SHOP_BROADCAST = "Neue Wintermäntel sind da"


@dataclass
class World:
    """What the people did, for the checks."""

    group_buy_id: int = 0
    group_wishlist_item_id: int = 0
    quirinella_orders: tuple[int, ...] = ()
    broadcast_id: int = 0


class Parcels:
    """A carrier whose parcels are delivered at once, in the town they were sent to."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.towns: dict[str, str] = {}

    async def get_status(self, tracking_number: str) -> list[CarrierEvent]:
        """Report the parcel delivered."""
        return [CarrierEvent("delivered", self.now, location=self.towns[tracking_number])]

    async def windows(self, tracking_number: str) -> list[DeliveryWindow]:
        """Offer no windows."""
        return []

    async def choose_window(self, tracking_number: str, window_id: str) -> DeliveryWindow:
        """Refuse every window."""
        raise LookupError(window_id)


async def test_erasure_leaves_nothing_that_names_the_person_and_the_export_holds_everything(
    demo_catalog: Database, clock: Clock
) -> None:
    world = await _everyone_uses_everything(demo_catalog, clock)

    async with demo_catalog.unit_of_work() as session:
        exported = await privacy.export(session, user_id=QUIRINELLA.id, now=clock.now())
        bertholdine_before = await _rows_naming(session, BERTHOLDINE)
        assert sum(1 for rows in bertholdine_before.values() if rows) >= 30, "she uses the features too"
        assert findings(await scan(session, QUIRINELLA)), "the scan finds her before the erasure"
    _check_the_export(exported)

    async with demo_catalog.unit_of_work() as session:
        assert await privacy.erase(session, user_id=QUIRINELLA.id, now=clock.now())

    async with demo_catalog.unit_of_work() as session:
        left = findings(await scan(session, QUIRINELLA))
        bertholdine_after = await _rows_naming(session, BERTHOLDINE)
        after = await privacy.export(session, user_id=QUIRINELLA.id, now=clock.now())
    assert not left, f"still naming her after the erasure: {', '.join(left)}"
    async with demo_catalog.unit_of_work() as session:
        await _check_what_is_kept(session, world)
    expected = {
        table: {row for row in rows if not _names(row, QUIRINELLA)}
        for table, rows in bertholdine_before.items()
    }
    changed = sorted(table for table in expected if expected[table] != bertholdine_after.get(table, set()))
    assert not changed, f"Bertholdine's rows changed in {', '.join(changed)}"
    assert not [
        name for name, value in after.items() if name not in {"exported_at", "user_id"} and _filled(value)
    ]


async def test_an_order_on_its_way_keeps_address_and_chat_until_it_is_finished(
    demo_catalog: Database, clock: Clock
) -> None:
    now = clock.now()
    async with demo_catalog.unit_of_work() as session:
        await _meet(session, QUIRINELLA.person, now)
        variant_id = (await _variants_in_store(session, count=1))[0]
        await carts.add(session, user_id=QUIRINELLA.id, variant_id=variant_id, now=now)
        order = await _pay(session, QUIRINELLA, "standard", "on-its-way", now)
        await states.advance(session, order_id=order.id, to="packed", now=now, actor="retailer:1")
        await tasks.schedule(
            session,
            kind=jobs.DEFERRED,
            key=f"{order.id}:tracking-in-transit",
            due_at=now + timedelta(hours=8),
            payload={"chat_id": QUIRINELLA.id, "text": "Dein Paket ist unterwegs"},
        )

    async with demo_catalog.unit_of_work() as session:
        await privacy.erase(session, user_id=QUIRINELLA.id, now=now)
    async with demo_catalog.unit_of_work() as session:
        kept = await states.get(session, order_id=order.id)
        assert kept is not None and kept.user_id is None
        assert (kept.chat_id, kept.shipping_address) == (QUIRINELLA.id, QUIRINELLA.address), (
            "the retailer still has to deliver it, and tell her where it is"
        )
        assert await fulfilment.anonymise_finished(session) == 0
        parcels = Parcels(now)
        parcels.towns["SIM-ON-ITS-WAY"] = QUIRINELLA.address["city"]
        await fulfilment.ship(
            session,
            order_id=order.id,
            carrier="parcels",
            tracking_number="SIM-ON-ITS-WAY",
            now=now,
            actor=None,
        )
        await tasks.schedule(
            session,
            kind=jobs.DEFERRED,
            key=f"{order.id}:tracking-delivered",
            due_at=now + timedelta(hours=8),
            payload={"chat_id": QUIRINELLA.id, "text": "Dein Paket ist da"},
        )
        notices = await fulfilment.poll(session, carrier_lookup=lambda _: parcels, now=now)
        assert [notice.chat_id for notice in notices] == [QUIRINELLA.id], "she is told it arrived"

    async with demo_catalog.unit_of_work() as session:
        assert await fulfilment.anonymise_finished(session) == 1
    async with demo_catalog.unit_of_work() as session:
        assert not findings(await scan(session, QUIRINELLA))
        done = await states.get(session, order_id=order.id)
        assert done is not None and done.status == "delivered" and done.total == order.total
        assert (done.chat_id, done.shipping_address) == (fulfilment.NO_CHAT, {"country_code": "DE"})
        assert await fulfilment.anonymise_finished(session) == 0


async def test_erasing_someone_unknown_changes_nothing(demo_catalog: Database, clock: Clock) -> None:
    async with demo_catalog.unit_of_work() as session:
        await _meet(session, BERTHOLDINE.person, clock.now())
        assert not await privacy.erase(session, user_id=QUIRINELLA.id, now=clock.now())
        assert await users.get(session, user_id=BERTHOLDINE.id) is not None


async def test_every_table_has_a_decision_in_the_security_docs(db: Database) -> None:
    async with db.unit_of_work() as session:
        tables = {table.name for table in await _tables(session)}
    listed = _documented_tables()
    assert not tables - listed, f"tables without a personal-data decision in {DOCS.name}: {tables - listed}"
    assert not listed - tables, f"{DOCS.name} decides on tables that do not exist: {listed - tables}"


# Filling every feature


async def _everyone_uses_everything(db: Database, clock: Clock) -> World:
    world = World()
    now = clock.now()
    quirinella, bertholdine = QUIRINELLA.id, BERTHOLDINE.id
    async with db.unit_of_work() as session:
        retailer_id = await session.scalar(select(Retailer.id).where(Retailer.slug == demo.RETAILER_SLUG))
        assert retailer_id is not None
        for person in (QUIRINELLA.person, BERTHOLDINE.person, CORVIN, OWNER):
            await _meet(session, person, now)
        await retailers.ensure_owner(session, retailer_slug=demo.RETAILER_SLUG, person=OWNER, now=now)
        await chats.touch(session, chat=GROUP, now=now)
        for member in (quirinella, bertholdine, CORVIN.id):
            await chats.set_membership(session, chat_id=GROUP.id, user_id=member, status="member", now=now)
        await credits.create_voucher(session, code=VOUCHER, amount=Money(Decimal(5), "EUR"))
        products = list(await session.scalars(select(Product.id).order_by(Product.id).limit(6)))
        variants = await _variants_in_store(session, count=6)

        # Arriving through a friend's link, and bringing a friend.
        parameter = await referrals.invite_parameter(session, user_id=bertholdine, now=now)
        await users.remember_start_parameter(session, user_id=quirinella, parameter=parameter)
        assert await referrals.record_arrival(session, user_id=quirinella, parameter=parameter, now=now)
        parameter = await referrals.invite_parameter(session, user_id=quirinella, now=now)
        await users.remember_start_parameter(session, user_id=CORVIN.id, parameter=parameter)
        assert await referrals.record_arrival(session, user_id=CORVIN.id, parameter=parameter, now=now)

        # Working for the demo retailer: invited by its owner, inviting in turn, an API key.
        invite = await retailers.invite(
            session, retailer_id=retailer_id, role="staff", created_by=OWNER.id, now=now
        )
        await retailers.redeem(session, code=invite.code, user_id=quirinella, now=now)
        await retailers.invite(session, retailer_id=retailer_id, role="staff", created_by=quirinella, now=now)
        await retailers.create_api_key(session, retailer_id=retailer_id, created_by=quirinella, now=now)

        for someone in (QUIRINELLA, BERTHOLDINE):
            await _on_their_own(session, someone, retailer_id=retailer_id, products=products, now=now)

        # Posted cards, votes and a poll in the group; a card in her private chat.
        group_post = votes.PostRef.message(chat_id=GROUP.id, message_id=11)
        await votes.share(session, post=group_post, product_id=products[0], shared_by=quirinella, now=now)
        own_post = votes.PostRef.message(chat_id=quirinella, message_id=12)
        await votes.share(session, post=own_post, product_id=products[1], shared_by=quirinella, now=now)
        for voter in (quirinella, bertholdine):
            await votes.vote(session, post=group_post, user_id=voter, value=1, now=now)
        await votes.vote(session, post=own_post, user_id=quirinella, value=-1, now=now)
        await polls.start(
            session,
            telegram_poll_id="poll-nachbarschaft",
            chat_id=GROUP.id,
            message_id=13,
            product_ids=products[:2],
            opened_by=quirinella,
            closes_at=now + timedelta(days=1),
            now=now,
        )
        for voter, option in ((quirinella, 0), (bertholdine, 1)):
            await polls.record_answer(
                session, telegram_poll_id="poll-nachbarschaft", user_id=voter, option_ids=[option], now=now
            )

        # Recommendations both ways.
        await recommendations.recommend(
            session,
            chat_id=GROUP.id,
            sender_id=quirinella,
            recipient_id=bertholdine,
            product_id=products[2],
            note=QUIRINELLA.wrote("Steht dir bestimmt"),
            now=now,
        )
        await recommendations.recommend(
            session,
            chat_id=GROUP.id,
            sender_id=bertholdine,
            recipient_id=quirinella,
            product_id=products[3],
            note=BERTHOLDINE.wrote("Try this"),
            now=now,
        )

        # Wishlists: her own, shared into the group with a gift claimed by Corvin; the group's own.
        for someone in (QUIRINELLA, BERTHOLDINE):
            own = await wishlists.personal(session, user_id=someone.id, now=now)
            item = await wishlists.add_item(
                session,
                wishlist_id=own.id,
                user_id=someone.id,
                product_id=products[4],
                quantity=2,
                note=someone.wrote("in Blau"),
                now=now,
            )
            await wishlists.share(
                session,
                wishlist_id=own.id,
                user_id=someone.id,
                chat_id=GROUP.id,
                title=f"{someone.person.first_name}s Geburtstag",
                now=now,
            )
            if someone is QUIRINELLA:
                await wishlists.claim(session, item_id=item.id, user_id=CORVIN.id, now=now)
        bertholdines_list = await wishlists.personal(session, user_id=bertholdine, now=now)
        bertholdines_item = await wishlists.view(
            session, wishlist_id=bertholdines_list.id, viewer_id=quirinella
        )
        await wishlists.claim(session, item_id=bertholdines_item.items[0].id, user_id=quirinella, now=now)
        groups_list = await wishlists.of_group(session, chat_id=GROUP.id, user_id=quirinella, now=now)
        added = await wishlists.add_item(
            session,
            wishlist_id=groups_list.id,
            user_id=quirinella,
            product_id=products[5],
            note=QUIRINELLA.wrote("für den Grillabend"),
            now=now,
        )
        world.group_wishlist_item_id = added.id
        await wishlists.add_item(
            session,
            wishlist_id=groups_list.id,
            user_id=bertholdine,
            product_id=products[1],
            note=BERTHOLDINE.wrote("for the party"),
            now=now,
        )

        # Ideas: hers and Bertholdine's in the group, votes on them, a comment in the shop's name.
        hers = await ideas.propose(
            session, author_id=quirinella, chat_id=GROUP.id, text=QUIRINELLA.wrote("Ein Regenmantel"), now=now
        )
        theirs = await ideas.propose(
            session, author_id=bertholdine, chat_id=GROUP.id, text=BERTHOLDINE.wrote("A rain hat"), now=now
        )
        await ideas.vote(session, idea_id=hers.id, user_id=CORVIN.id, value=1, now=now)
        await ideas.vote(session, idea_id=theirs.id, user_id=quirinella, value=1, now=now)
        await ideas.comment(
            session, idea_id=theirs.id, retailer_user_id=quirinella, text=SHOP_COMMENT, now=now
        )

        # Group carts.
        for someone, variant_id in ((QUIRINELLA, variants[0]), (BERTHOLDINE, variants[1])):
            await carts.add(
                session, user_id=someone.id, variant_id=variant_id, group_chat_id=GROUP.id, now=now
            )

        # Group buys: one the shop opened (full: Corvin waits), one she opened as a member; her tiers.
        tiers = (
            groupbuys.Tier(1, Money(Decimal("40.00"), "EUR")),
            groupbuys.Tier(3, Money(Decimal("30.00"), "EUR")),
        )
        first, second = await _group_buy_products(session, count=2)
        for product_id in (first, second):
            await groupbuys.set_offer(
                session, product_id=product_id, tiers=tiers, min_units=2, max_units=3, by=quirinella, now=now
            )
        opened = await groupbuys.open(
            session,
            product_id=first,
            chat_id=GROUP.id,
            opened_by=OWNER.id,
            by_retailer=True,
            days=3,
            locale="de",
            now=now,
        )
        world.group_buy_id = opened.id
        variant_of_first = await session.scalar(
            select(Variant.id).where(Variant.product_id == first).limit(1)
        )
        assert variant_of_first is not None
        for someone_id, quantity in ((quirinella, 2), (bertholdine, 1)):
            await groupbuys.join(
                session,
                group_buy_id=opened.id,
                user_id=someone_id,
                variant_id=variant_of_first,
                quantity=quantity,
                locale="de",
                now=now,
            )
        await groupbuys.queue(
            session,
            group_buy_id=opened.id,
            user_id=CORVIN.id,
            variant_id=variant_of_first,
            quantity=2,
            locale="de",
            now=now,
        )
        await groupbuys.open(
            session,
            product_id=second,
            chat_id=GROUP.id,
            opened_by=quirinella,
            by_retailer=False,
            days=7,
            locale="de",
            now=now,
        )

        # As staff: a deal, a broadcast reported to her private chat.
        await offers.create(
            session,
            retailer_id=retailer_id,
            percent=20,
            starts_at=now,
            ends_at=now + timedelta(days=3),
            created_by=quirinella,
            product_id=products[0],
            now=now,
        )
        sent = await broadcasts.create(
            session,
            retailer_id=retailer_id,
            created_by=quirinella,
            locale="de",
            text=SHOP_BROADCAST,
            segment=broadcasts.Segment(),
            product_id=products[0],
            now=now,
            locales=("de", "en"),
            default_locale="de",
        )
        world.broadcast_id = sent.id
        await broadcasts.begin(
            session,
            broadcast_id=sent.id,
            now=now,
            locales=("de", "en"),
            default_locale="de",
            progress_chat_id=quirinella,
            progress_message_id=14,
        )
        claimed = await outbox.claim(session, worker="sender", now=now, limit=10)
        started = await outbox.start(session, worker="sender", ids=[row.id for row in claimed])
        await outbox.mark_sent(session, worker="sender", ids=started, now=now)
        for someone_id in (quirinella, bertholdine):
            await broadcasts.click(session, broadcast_id=sent.id, user_id=someone_id, now=now)

    # Orders: delivered at home (with the carrier's events) and picked up in a store; reviews of them.
    parcels = Parcels(now)
    orders: dict[int, list[int]] = {}
    async with db.unit_of_work() as session:
        for number, (someone, variant_id) in enumerate(
            ((QUIRINELLA, variants[2]), (BERTHOLDINE, variants[3]))
        ):
            await carts.add(session, user_id=someone.id, variant_id=variant_id, now=now)
            home = await _pay(session, someone, "standard", f"{number}-home", now)
            await states.advance(
                session, order_id=home.id, to="packed", now=now, actor=f"retailer:{quirinella}"
            )
            tracking = f"SIM-PARCEL-{number}"
            parcels.towns[tracking] = someone.address["city"]
            await fulfilment.ship(
                session,
                order_id=home.id,
                carrier="parcels",
                tracking_number=tracking,
                now=now,
                actor=f"retailer:{quirinella}",
            )
            await carts.add(session, user_id=someone.id, variant_id=variants[4], now=now)
            pickup = await _pay(session, someone, "pickup", f"{number}-pickup", now)
            ready = await fulfilment.ready_for_pickup(session, order_id=pickup.id, now=now, actor=None)
            await fulfilment.picked_up(
                session, order_id=pickup.id, code=ready.code, now=now, actor=f"retailer:{quirinella}"
            )
            orders[someone.id] = [home.id, pickup.id]
            # An invoice not paid yet, and what is still in the cart.
            await carts.add(session, user_id=someone.id, variant_id=variants[5], now=now)
            await checkout.start(session, user_id=someone.id, chat_id=someone.id, locale="de", now=now)
        await fulfilment.poll(session, carrier_lookup=lambda _: parcels, now=now)
    world.quirinella_orders = tuple(orders[quirinella])
    async with db.unit_of_work() as session:
        for someone in (QUIRINELLA, BERTHOLDINE):
            await fulfilment.save_review(
                session,
                order_id=orders[someone.id][0],
                user_id=someone.id,
                stars=4,
                text=someone.wrote("Sitzt gut"),
                now=now,
            )
        bertholdines_review = await session.scalar(
            select(fulfilment.Review.id).where(fulfilment.Review.user_id == bertholdine)
        )
        assert bertholdines_review is not None
        await reviews.report(
            session,
            review_id=bertholdines_review,
            reporter_id=quirinella,
            reason=QUIRINELLA.wrote("Werbung"),
            now=now,
        )
        await reviews.hide(session, review_id=bertholdines_review, by=f"retailer:{quirinella}", now=now)
        await checkout.refund(
            session, order_id=orders[bertholdine][1], now=now, actor=f"retailer:{quirinella}"
        )
    return world


async def _on_their_own(
    session: Session, someone: Someone, *, retailer_id: int, products: list[int], now: datetime
) -> None:
    """Use what one person uses alone: searches, style, personal deals, credit, reminders, a private chat."""
    user_id = someone.id
    await searches.save(
        session, user_id=user_id, chat_id=user_id, text=someone.wrote("rote Sneaker"), locale="de", now=now
    )
    await style.save(
        session,
        user_id=user_id,
        profile=style.Profile(
            occasion="wedding", styles=("classic",), top_size="M", budget=Money(Decimal(200), "EUR")
        ),
        now=now,
    )
    await tasks.schedule(session, kind=style.REMINDER_TASK, key=str(user_id), due_at=now + timedelta(days=1))
    await tasks.schedule(
        session,
        kind=jobs.DEFERRED,
        key=f"{user_id}:tracking-in-transit",
        due_at=now + timedelta(hours=8),
        payload={"chat_id": user_id, "text": someone.wrote("Dein Paket ist unterwegs")},
    )
    category_id = await session.scalar(select(Category.id).where(Category.parent_id.is_not(None)).limit(1))
    brand_id = await session.scalar(select(Brand.id).limit(1))
    assert category_id is not None and brand_id is not None
    await subscriptions.subscribe(session, user_id=user_id, now=now)
    await subscriptions.choose_retailer(
        session, user_id=user_id, retailer_id=retailer_id, chosen=True, now=now
    )
    await subscriptions.choose_category(
        session, user_id=user_id, category_id=category_id, chosen=True, now=now
    )
    await subscriptions.choose_brand(session, user_id=user_id, brand_id=brand_id, chosen=True, now=now)
    await subscriptions.set_max_price(session, user_id=user_id, max_price=Money(Decimal(90), "EUR"), now=now)
    await subscriptions.set_cap(session, user_id=user_id, cap=2, period="week", now=now)
    await subscriptions.set_quiet_hours(session, user_id=user_id, start=21, end=7, now=now)
    product = await session.get(Product, products[3])
    assert product is not None
    await prices.set_price(
        session, product_id=product.id, price=product.price - Decimal(1), compare_at_price=None, now=now
    )
    change = await session.scalar(
        select(func.max(PriceChange.id)).where(PriceChange.product_id == product.id)
    )
    assert change is not None
    await deliveries.queue_drops(
        session,
        drops=[deliveries.Drop(user_id=user_id, product_id=product.id, price_change_id=change)],
        now=now,
    )
    await credits.redeem_voucher(session, user_id=user_id, code=VOUCHER, now=now)
    await credits.grant(session, user_id=user_id, amount=Money(Decimal(3), "EUR"), reason="goodwill", now=now)


async def _pay(
    session: Session, someone: Someone, option: str, charge: str, now: datetime
) -> states.OrderView:
    """Check the cart out and pay it with the person's address and shipping option (``pickup``: a store)."""
    invoice = await checkout.start(session, user_id=someone.id, chat_id=someone.id, locale="de", now=now)
    options = await checkout.shipping_options(
        session, payload=invoice.payload, country_code=someone.address["country_code"], now=now
    )
    chosen = next(found for found in options if found.id.startswith(option))
    total = invoice.total_amount + chosen.price.minor
    answer = await checkout.pre_checkout(
        session,
        payload=invoice.payload,
        user_id=someone.id,
        total_amount=total,
        currency=invoice.currency,
        shipping_option_id=chosen.id,
        now=now,
    )
    assert answer.ok, answer
    return await checkout.complete(
        session,
        payload=invoice.payload,
        user_id=someone.id,
        chat_id=someone.id,
        telegram_payment_charge_id=f"tg-charge-{charge}",
        provider_payment_charge_id=f"provider-charge-{charge}",
        total_amount=total,
        currency=invoice.currency,
        shipping_option_id=chosen.id,
        shipping_address=someone.address,
        now=now,
    )


async def _meet(session: Session, person: users.Person, now: datetime) -> None:
    await users.touch(session, person=person, now=now)
    if person.id > 0:
        await chats.touch(session, chat=chats.ChatInfo(id=person.id, type="private"), now=now)


async def _variants_in_store(session: Session, *, count: int) -> list[int]:
    """Return variants of different products with stock in a store (so click & collect is offered)."""
    store = await session.scalar(select(Store.id).where(Store.is_warehouse.is_(False)).order_by(Store.id))
    rows = await session.execute(
        select(Variant.id, Variant.product_id)
        .join(Stock, Stock.variant_id == Variant.id)
        .where(Stock.store_id == store, Stock.quantity >= 5)
        .order_by(Variant.id)
    )
    chosen: dict[int, int] = {}
    for variant_id, product_id in rows:
        chosen.setdefault(product_id, variant_id)
    assert len(chosen) >= count
    return list(chosen.values())[:count]


async def _group_buy_products(session: Session, *, count: int) -> list[int]:
    """Return products with at least five units in stock, for group buys."""
    rows = await session.execute(
        select(Variant.product_id)
        .join(Stock, Stock.variant_id == Variant.id)
        .group_by(Variant.product_id)
        .having(func.sum(Stock.quantity) >= 5)
        .order_by(Variant.product_id.desc())
        .limit(count)
    )
    return list(rows.scalars())


# The checks


def _filled(value: Any) -> bool:
    """Tell whether an export section holds something (a dict of only empty parts holds nothing)."""
    if isinstance(value, dict):
        return any(_filled(part) for part in value.values())
    if isinstance(value, list):
        return bool(value)
    return value not in (None, False, 0, "")


def _check_the_export(document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False)
    assert json.loads(text) == document, "the export is one JSON document"
    empty = sorted(name for name, value in document.items() if not _filled(value))
    assert not empty, f"sections of the export without her data (fill the feature here): {empty}"
    quirinella = QUIRINELLA.person
    assert document["profile"]["username"] == quirinella.username
    assert document["groups"] == [{"chat_id": GROUP.id, "title": GROUP.title, "status": "member"}]
    assert document["searches"][0]["text"] == QUIRINELLA.wrote("rote Sneaker")
    assert document["style_profile"]["occasion"] == "wedding"
    assert (document["retailer"]["retailer"], document["retailer"]["role"]) == (demo.RETAILER_NAME, "staff")
    assert len(document["retailer"]["invites_created"]) == len(document["retailer"]["api_keys_created"]) == 1
    assert document["broadcasts_written"][0]["text"] == SHOP_BROADCAST
    assert {step["status"] for step in document["order_steps"]["steps"]} == {
        "packed",
        "shipped",
        "picked_up",
        "refunded",
    }
    assert len(document["order_steps"]["refunds"]) == len(document["reviews_hidden"]) == 1
    assert len(document["shared_cards"]) == 2 and len(document["polls_opened"]) == 1
    assert len(document["group_buy_offers"]) == 2 and len(document["deals_created"]) == 1
    assert document["referrals"]["invited_by_user_id"] == BERTHOLDINE.id
    assert document["referrals"]["friends_invited"] == 1
    assert {item["note"] for item in document["wishlists"]["items"]} == {
        QUIRINELLA.wrote("in Blau"),
        QUIRINELLA.wrote("für den Grillabend"),
    }
    assert len(document["wishlists"]["gift_claims"]) == 1
    assert [share["quantity"] for share in document["group_buys"]["shares"]] == [2]
    assert len(document["group_buys"]["opened"]) == 1
    assert [answer["chat_id"] for answer in document["poll_answers"]] == [GROUP.id]
    assert document["review_reports"][0]["reason"] == QUIRINELLA.wrote("Werbung")
    assert {row["direction"] for row in document["recommendations"]} == {"sent", "received"}
    assert document["ideas"]["ideas"][0]["text"] == QUIRINELLA.wrote("Ein Regenmantel")
    assert document["ideas"]["comments"][0]["text"] == SHOP_COMMENT
    assert len(document["ideas"]["votes"]) == 1
    assert sorted(vote["vote"] for vote in document["product_votes"]) == [-1, 1]
    assert len(document["orders"]) == 2
    assert QUIRINELLA.address in [order["shipping_address"] for order in document["orders"]]
    assert document["reviews"][0]["text"] == QUIRINELLA.wrote("Sitzt gut")
    assert {entry["reason"] for entry in document["credits"]["ledger"]} >= {"goodwill", f"voucher:{VOUCHER}"}
    assert document["credits"]["vouchers"][0]["code"] == VOUCHER
    assert document["personal_deals"]["quiet_hours"] == {"from": 21, "until": 7}
    assert document["broadcasts"][0]["clicked"] is True
    assert document["deal_messages"][0]["kind"] == "drop"
    assert [item["group_chat_id"] for item in document["cart"]["items"]] == [GROUP.id, None]
    assert {row["status"] for row in document["cart"]["checkouts"]} >= {"paid", "pending", "held"}


async def _check_what_is_kept(session: Session, world: World) -> None:
    """Check what stays on purpose, without her: orders for the books, the group's, the shop's words."""
    kept = [await states.get(session, order_id=order_id) for order_id in world.quirinella_orders]
    assert [order.status if order else None for order in kept] == ["delivered", "picked_up"]
    for order in kept:
        assert order is not None and order.user_id is None and order.chat_id == fulfilment.NO_CHAT
        assert order.lines and order.total.amount > 0 and order.provider_payment_charge_id
    assert [order.shipping_address for order in kept if order] == [{"country_code": "DE"}, None]
    item = await session.get(WishlistItem, world.group_wishlist_item_id)
    assert item is not None and item.added_by is None and item.note is None
    comment = await ideas.of_chat(session, chat_id=GROUP.id, viewer_id=BERTHOLDINE.id)
    assert [idea.text for idea in comment] == [BERTHOLDINE.wrote("A rain hat")]
    sent = await broadcasts.get(session, broadcast_id=world.broadcast_id, retailer_id=None)
    assert sent is not None and sent.text == SHOP_BROADCAST
    shares = await groupbuys.shares(session, group_buy_id=world.group_buy_id)
    assert {(share.user_id, share.status) for share in shares} >= {(CORVIN.id, "joined")}, (
        "her units went to the waiting list"
    )
    refunded = await session.scalar(select(Refund.actor))
    assert refunded == fulfilment.STAFF_ERASED
    assert await session.scalar(select(func.count()).select_from(Order)) == 4


# The scan


async def _tables(session: Session) -> list[Table]:
    """Read every table of the database as it is migrated (not as the code declares it)."""

    def reflect(connection: Connection) -> MetaData:
        schema = MetaData()
        schema.reflect(connection)
        return schema

    schema = await (await session.connection()).run_sync(reflect)
    return [table for table in schema.sorted_tables if table.name != "alembic_version"]


# Types that hold no text and no id: a date, an amount, a flag cannot name anybody.
NO_NAMES = (
    sqltypes.DateTime,
    sqltypes.Date,
    sqltypes.Time,
    sqltypes.Numeric,
    sqltypes.Float,
    sqltypes.Boolean,
    sqltypes.Interval,
)


def _conditions(column: Column[Any], someone: Someone) -> list[ColumnElement[bool]]:
    """Return the conditions under which the column names the person (raise for a type not thought of)."""
    kind = column.type
    if isinstance(kind, sqltypes.Integer):
        # Widened: a 32-bit column cannot hold a Telegram id, and PostgreSQL refuses to compare it with one.
        return [cast(column, BigInteger) == someone.id]
    if isinstance(kind, sqltypes.JSON):
        text: ColumnElement[str] = func.lower(cast(column, Text))
    elif isinstance(kind, sqltypes.String):
        text = func.lower(column)
    elif isinstance(kind, NO_NAMES):
        return []
    else:
        raise AssertionError(
            f"{column.table.name}.{column.name}: decide how a {kind!r} column could name someone"
        )
    return [text.like(f"%{needle}%") for needle in someone.needles]


async def scan(session: Session, someone: Someone) -> dict[str, int]:
    """Return ``{"table.column": rows}`` for every column where a row names the person."""
    found: dict[str, int] = {}
    for table in await _tables(session):
        for column in table.columns:
            conditions = _conditions(column, someone)
            if not conditions:
                continue
            rows = await session.scalar(select(func.count()).select_from(table).where(or_(*conditions)))
            if rows:
                found[f"{table.name}.{column.name}"] = int(rows)
    return found


def findings(found: dict[str, int]) -> list[str]:
    """Return the columns that name someone, with how many rows do, for a failure message."""
    return [f"{where} ({rows} rows)" for where, rows in sorted(found.items())]


Row = tuple[Any, ...]


async def _rows_naming(session: Session, someone: Someone) -> dict[str, set[Row]]:
    """Return, per table, every row that names the person, as comparable tuples."""
    rows: dict[str, set[Row]] = {}
    for table in await _tables(session):
        conditions = [condition for column in table.columns for condition in _conditions(column, someone)]
        result = await session.execute(select(table).where(or_(*conditions)))
        rows[table.name] = {tuple(_comparable(value) for value in row) for row in result}
    return rows


def _comparable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, dict | list) else value


def _names(row: Iterable[Any], someone: Someone) -> bool:
    """Tell whether a row names the person, the way the scan decides it."""
    return any(
        value == someone.id
        or (isinstance(value, str) and any(needle in value.lower() for needle in someone.needles))
        for value in row
    )


def _documented_tables() -> set[str]:
    """Return the tables listed in the personal-data decisions of docs/security.md."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("## Personal data")
    end = text.find("\n## ", start + 1)
    part = text[start : end if end != -1 else None]
    return set(re.findall(r"^\| `([a-z_]+)` \|", part, flags=re.MULTILINE))
