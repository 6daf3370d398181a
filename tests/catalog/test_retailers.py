"""Retailer accounts: created with a one-time owner code, staff invited, API keys, and whose data is whose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from catalog import products, retailers
from catalog.demo import RETAILER_SLUG
from catalog.models import Product, Retailer
from catalog.retailers import Refused
from core import users
from core.clock import Clock
from core.db import Database, Session
from orders import states
from tests.social.conftest import buy

ADMIN, OWNER, STAFF, STRANGER = 301, 302, 303, 304


async def _people(session: Session, clock: Clock) -> None:
    for user_id, name in ((ADMIN, "Ada"), (OWNER, "Olga"), (STAFF, "Sami"), (STRANGER, "Sven")):
        await users.touch(session, person=users.Person(id=user_id, first_name=name), now=clock.now())


async def test_a_retailer_is_created_and_its_code_makes_the_owner_once(
    session: Session, clock: Clock
) -> None:
    await _people(session, clock)
    invite = await retailers.create(session, name="  Müller   Mode ", created_by=ADMIN, now=clock.now())
    assert invite.name == "Müller Mode" and invite.code.startswith("R-")
    assert invite.expires_at == clock.now() + retailers.INVITE_VALID
    slug = await session.scalar(select(Retailer.slug).where(Retailer.id == invite.retailer_id))
    assert slug == "muller-mode"

    account = await retailers.redeem(session, code=invite.code, user_id=OWNER, now=clock.now())
    assert account == retailers.Account(retailer_id=invite.retailer_id, name="Müller Mode", role="owner")
    assert await retailers.of_user(session, user_id=OWNER) == account

    with pytest.raises(Refused) as used:
        await retailers.redeem(session, code=invite.code, user_id=STRANGER, now=clock.now())
    assert used.value.reason_key == "retailer-error-code"
    with pytest.raises(Refused) as again:
        await retailers.redeem(session, code=invite.code, user_id=OWNER, now=clock.now())
    assert again.value.reason_key == "retailer-error-already-member"
    assert await retailers.of_user(session, user_id=STRANGER) is None


async def test_only_the_code_itself_works_and_only_for_a_week(session: Session, clock: Clock) -> None:
    await _people(session, clock)
    invite = await retailers.create(session, name="Laden", created_by=ADMIN, now=clock.now())
    with pytest.raises(Refused):
        await retailers.redeem(session, code=invite.code[:-1] + "x", user_id=OWNER, now=clock.now())
    staff = await retailers.invite(
        session, retailer_id=invite.retailer_id, role="staff", created_by=OWNER, now=clock.now()
    )
    late = clock.now() + retailers.INVITE_VALID + timedelta(seconds=1)
    with pytest.raises(Refused) as expired:
        await retailers.redeem(session, code=staff.code, user_id=STAFF, now=late)
    assert expired.value.reason_key == "retailer-error-code"

    account = await retailers.redeem(session, code=f" {invite.code} ", user_id=OWNER, now=clock.now())
    assert account.role == "owner"


async def test_names_roles_and_unknown_retailers_are_refused(session: Session, clock: Clock) -> None:
    await _people(session, clock)
    with pytest.raises(Refused) as short:
        await retailers.create(session, name=" x ", created_by=ADMIN, now=clock.now())
    assert short.value.reason_key == "retailer-error-name"
    first = await retailers.create(session, name="Laden", created_by=ADMIN, now=clock.now())
    second = await retailers.create(session, name="Laden", created_by=ADMIN, now=clock.now())
    slugs = set(await session.scalars(select(Retailer.slug)))
    assert {"laden", "laden-2"} <= slugs and first.retailer_id != second.retailer_id
    with pytest.raises(Refused) as role:
        await retailers.invite(
            session, retailer_id=first.retailer_id, role="boss", created_by=ADMIN, now=clock.now()
        )
    assert role.value.reason_key == "retailer-error-role"
    with pytest.raises(Refused) as unknown:
        await retailers.invite(session, retailer_id=999_999, role="staff", created_by=ADMIN, now=clock.now())
    assert unknown.value.reason_key == "retailer-error-unknown"


async def test_staff_are_listed_after_the_owner_and_can_be_removed(session: Session, clock: Clock) -> None:
    await _people(session, clock)
    invite = await retailers.create(session, name="Laden", created_by=ADMIN, now=clock.now())
    await retailers.redeem(session, code=invite.code, user_id=OWNER, now=clock.now())
    staff = await retailers.invite(
        session, retailer_id=invite.retailer_id, role="staff", created_by=OWNER, now=clock.now()
    )
    assert (await retailers.redeem(session, code=staff.code, user_id=STAFF, now=clock.now())).role == "staff"

    listed = await retailers.members(session, retailer_id=invite.retailer_id)
    assert [(member.first_name, member.role) for member in listed] == [("Olga", "owner"), ("Sami", "staff")]

    with pytest.raises(Refused) as owner:
        await retailers.remove(session, retailer_id=invite.retailer_id, user_id=OWNER)
    assert owner.value.reason_key == "retailer-error-remove-owner"
    with pytest.raises(Refused) as stranger:
        await retailers.remove(session, retailer_id=invite.retailer_id, user_id=STRANGER)
    assert stranger.value.reason_key == "retailer-error-not-member"
    await retailers.remove(session, retailer_id=invite.retailer_id, user_id=STAFF)
    assert await retailers.of_user(session, user_id=STAFF) is None


async def test_an_api_key_is_found_until_it_is_revoked(session: Session, clock: Clock) -> None:
    await _people(session, clock)
    invite = await retailers.create(session, name="Laden", created_by=ADMIN, now=clock.now())
    first = await retailers.create_api_key(
        session, retailer_id=invite.retailer_id, created_by=OWNER, now=clock.now()
    )
    second = await retailers.create_api_key(
        session, retailer_id=invite.retailer_id, created_by=OWNER, now=clock.now()
    )
    assert first.startswith(retailers.KEY_PREFIX) and first != second
    account = await retailers.by_api_key(session, key=first)
    assert account == retailers.Account(retailer_id=invite.retailer_id, name="Laden", role="api")
    assert await retailers.by_api_key(session, key="kr_unknown") is None
    stored = await session.scalars(select(retailers.RetailerApiKey.key_hash))
    assert first not in set(stored), "only the hash is kept"
    assert [key.prefix for key in await retailers.api_keys(session, retailer_id=invite.retailer_id)] == [
        first[:10],
        second[:10],
    ]

    assert (
        await retailers.revoke_api_keys(
            session, retailer_id=invite.retailer_id, now=clock.now(), prefix=first[:10]
        )
        == 1
    )
    assert await retailers.by_api_key(session, key=first) is None
    assert await retailers.by_api_key(session, key=second) is not None
    assert await retailers.revoke_api_keys(session, retailer_id=invite.retailer_id, now=clock.now()) == 1
    assert await retailers.by_api_key(session, key=second) is None
    assert await retailers.api_keys(session, retailer_id=invite.retailer_id) == []


async def test_an_admin_acts_for_the_only_retailer_and_on_every_retailers_data(
    session: Session, clock: Clock
) -> None:
    await _people(session, clock)
    assert await retailers.acting_for(session, user_id=STRANGER, admin=False) is None
    assert await retailers.acting_for(session, user_id=ADMIN, admin=True) == retailers.Scope(None, admin=True)

    first = await retailers.create(session, name="Erster Laden", created_by=ADMIN, now=clock.now())
    alone = await retailers.acting_for(session, user_id=ADMIN, admin=True)
    assert alone is not None and alone.account is not None
    assert alone.account.retailer_id == first.retailer_id and alone.account.role == retailers.ADMIN
    assert alone.retailer_id is None, "an administrator's lists are not filtered"

    second = await retailers.create(session, name="Zweiter Laden", created_by=ADMIN, now=clock.now())
    several = await retailers.acting_for(session, user_id=ADMIN, admin=True)
    assert several == retailers.Scope(None, admin=True)
    assert several.covers(first.retailer_id) and several.covers_all({first.retailer_id, second.retailer_id})

    await retailers.redeem(session, code=second.code, user_id=OWNER, now=clock.now())
    owner = await retailers.acting_for(session, user_id=OWNER, admin=False)
    assert owner is not None and owner.retailer_id == second.retailer_id
    assert owner.covers(second.retailer_id) and not owner.covers(first.retailer_id)
    assert owner.covers_all({second.retailer_id})
    assert not owner.covers_all({first.retailer_id, second.retailer_id}), "a mixed order is no one's alone"
    assert not owner.covers_all(set()), "an order with no known articles is no one's"


async def test_products_and_orders_belong_to_their_retailer(demo_catalog: Database, clock: Clock) -> None:
    async with demo_catalog.unit_of_work() as session:
        await _people(session, clock)
        demo_product = await session.scalar(select(Product).order_by(Product.id).limit(1))
        assert demo_product is not None
        other = await retailers.create(session, name="Anderer Laden", created_by=ADMIN, now=clock.now())
        own = Product(
            retailer_id=other.retailer_id,
            sku=demo_product.sku,
            title_de="Eigenes",
            title_en="Own",
            category_id=demo_product.category_id,
            price=demo_product.price,
            currency="EUR",
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        session.add(own)
        await session.flush()
        demo_order = await buy(session, user_id=STRANGER, product_id=demo_product.id, now=clock.now())
        other_order = await buy(session, user_id=OWNER, product_id=own.id, now=clock.now())

        assert await retailers.owns_product(session, retailer_id=other.retailer_id, product_id=own.id)
        assert not await retailers.owns_product(
            session, retailer_id=other.retailer_id, product_id=demo_product.id
        )
        assert await retailers.of_product(session, product_id=own.id) == other.retailer_id
        assert await products.by_sku(session, sku=own.sku, retailer_id=other.retailer_id) == own.id
        assert await products.by_sku(session, sku=own.sku) == demo_product.id
        assert await states.retailer_ids(session, order_id=other_order) == {other.retailer_id}
        assert await states.retailer_ids(session, order_id=demo_order) == {demo_product.retailer_id}
        listed = await states.of_retailer(session, retailer_id=other.retailer_id)
        assert [order.id for order in listed] == [other_order]


async def test_the_demo_shop_gets_its_owner_once(demo_catalog: Database, clock: Clock) -> None:
    person = users.Person(id=OWNER, first_name="Kaufrunde Laden")
    async with demo_catalog.unit_of_work() as session:
        first = await retailers.ensure_owner(
            session, retailer_slug=RETAILER_SLUG, person=person, now=clock.now()
        )
        again = await retailers.ensure_owner(
            session, retailer_slug=RETAILER_SLUG, person=person, now=clock.now()
        )
        assert (
            await retailers.ensure_owner(session, retailer_slug="nobody", person=person, now=clock.now())
            is None
        )
        demo_id = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
        listed = await retailers.members(session, retailer_id=first.retailer_id if first else 0)
    assert first is not None and first == again and first.role == "owner" and first.retailer_id == demo_id
    assert [(member.user_id, member.role) for member in listed] == [(OWNER, "owner")]
