"""Users, chats and memberships on a real database session."""

from __future__ import annotations

from core import chats, privacy, updates, users
from core.clock import Clock
from core.db import Database, Session

LENA = users.Person(id=5_000_000_001, first_name="Lena", username="lena", language_code="de-DE")


async def test_first_contact_creates_the_user_and_later_updates_refresh_them(
    session: Session, clock: Clock
) -> None:
    created = await users.touch(session, person=LENA, now=clock.now())
    clock.advance(60)
    renamed = users.Person(id=LENA.id, first_name="Lena M.", language_code="en")
    again = await users.touch(session, person=renamed, now=clock.now())

    assert created.first_name == "Lena"
    assert again.first_name == "Lena M."
    assert again.language_code == "en"
    assert again.time_zone == "Europe/Berlin"
    assert not again.consent_personal_deals and not again.consent_broadcasts


async def test_locale_prefers_the_choice_then_telegram_then_the_default(
    session: Session, clock: Clock
) -> None:
    user = await users.touch(session, person=LENA, now=clock.now())
    assert user.locale(("de", "en"), "en") == "de"

    await users.set_language(session, user_id=LENA.id, language="en")
    chosen = await users.get(session, user_id=LENA.id)
    assert chosen is not None and chosen.locale(("de", "en"), "de") == "en"

    stranger = await users.touch(
        session, person=users.Person(id=7, first_name="X", language_code="fr"), now=clock.now()
    )
    assert stranger.locale(("de", "en"), "de") == "de"


async def test_only_the_first_deep_link_parameter_is_kept(session: Session, clock: Clock) -> None:
    await users.touch(session, person=LENA, now=clock.now())
    assert await users.remember_start_parameter(session, user_id=LENA.id, parameter="ref-tom")
    assert not await users.remember_start_parameter(session, user_id=LENA.id, parameter="ref-aylin")
    user = await users.get(session, user_id=LENA.id)
    assert user is not None and user.start_parameter == "ref-tom"


async def test_a_redelivered_update_is_refused(db: Database, clock: Clock) -> None:
    group = chats.ChatInfo(id=-100, type="group", title="Freunde")
    async with db.unit_of_work() as session:
        fresh, sender = await updates.accept(session, update_id=42, now=clock.now(), person=LENA, chat=group)
    async with db.unit_of_work() as session:
        again, nobody = await updates.accept(session, update_id=42, now=clock.now(), person=LENA, chat=group)
        members = await chats.member_ids(session, chat_id=-100)

    assert fresh and sender is not None and sender.first_name == "Lena"
    assert not again and nobody is None
    assert members == [LENA.id]


async def test_a_redelivery_changes_nothing_and_each_kind_of_update_is_recorded(
    db: Database, clock: Clock
) -> None:
    group = chats.ChatInfo(id=-150, type="supergroup", title="Freunde")
    renamed = users.Person(id=LENA.id, first_name="Lena M.", language_code="en")
    async with db.unit_of_work() as session:  # an inline query: a sender, no chat
        inline = await updates.accept(session, update_id=10, now=clock.now(), person=LENA, chat=None)
    async with db.unit_of_work() as session:  # a post without a sender
        post = await updates.accept(session, update_id=11, now=clock.now(), person=None, chat=group)
    async with db.unit_of_work() as session:
        redelivered = await updates.accept(session, update_id=10, now=clock.now(), person=renamed, chat=group)
    async with db.unit_of_work() as session:
        again = await updates.accept(session, update_id=11, now=clock.now(), person=None, chat=group)
        stored = await users.get(session, user_id=LENA.id)
        members = await chats.member_ids(session, chat_id=group.id)

    assert inline[0] and inline[1] is not None and inline[1].language_code == "de-DE"
    assert post == (True, None)
    assert redelivered == (False, None) and again == (False, None)
    assert stored is not None and stored.first_name == "Lena" and members == []


async def test_a_released_update_is_accepted_again(db: Database, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        assert await updates.claim(session, update_id=7, now=clock.now())
        await updates.release(session, update_id=7)
    async with db.unit_of_work() as session:
        assert await updates.claim(session, update_id=7, now=clock.now())


async def test_old_update_ids_are_pruned(session: Session, clock: Clock) -> None:
    await updates.claim(session, update_id=1, now=clock.now())
    clock.advance(updates.KEEP_FOR.total_seconds() + 1)
    await updates.claim(session, update_id=2, now=clock.now())

    assert await updates.prune(session, now=clock.now()) == 1
    assert not await updates.claim(session, update_id=2, now=clock.now())
    assert await updates.claim(session, update_id=1, now=clock.now())


async def test_leaving_a_group_is_recorded(db: Database, clock: Clock) -> None:
    group = chats.ChatInfo(id=-200, type="supergroup", title="Team")
    async with db.unit_of_work() as session:
        await updates.accept(session, update_id=1, now=clock.now(), person=LENA, chat=group)
        joined = await chats.member_ids(session, chat_id=-200)
    async with db.unit_of_work() as session:
        await updates.accept(
            session, update_id=2, now=clock.now(), person=LENA, chat=group, member_status="left"
        )
        left = await chats.member_ids(session, chat_id=-200)
    assert (joined, left) == ([LENA.id], [])


async def test_export_contains_everything_and_erase_removes_it(db: Database, clock: Clock) -> None:
    group = chats.ChatInfo(id=-300, type="group", title="Familie <3")
    async with db.unit_of_work() as session:
        await updates.accept(session, update_id=1, now=clock.now(), person=LENA, chat=group)
        document = await privacy.export(session, user_id=LENA.id, now=clock.now())
        summary = await privacy.summary(session, user_id=LENA.id)
    async with db.unit_of_work() as session:
        assert await privacy.erase(session, user_id=LENA.id, now=clock.now())
    async with db.unit_of_work() as session:
        gone = await users.get(session, user_id=LENA.id)
        members = await chats.member_ids(session, chat_id=-300)
        empty = await privacy.export(session, user_id=LENA.id, now=clock.now())

    assert document["profile"]["first_name"] == "Lena"
    assert document["profile"]["telegram_language"] == "de-DE"
    assert document["groups"] == [{"chat_id": -300, "title": "Familie <3", "status": "member"}]
    assert summary is not None and summary.groups == 1
    assert gone is None and members == []
    assert empty["profile"] == {} and empty["groups"] == []
