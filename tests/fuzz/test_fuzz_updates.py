"""Ten thousand odd, malformed and forged updates against the running bot.

Two channels reach the bot. Through the sandbox, what Telegram users can do: odd unicode (RTL, zero-width,
combining marks, emoji sequences, characters beyond the BMP, control characters, which the sandbox cleans
as Telegram does), huge texts, commands with junk arguments, presses of old and stale buttons, inline
queries; and presses of buttons the message never had, with data naming other people's carts, wishes,
orders and group buys (the client API refuses those, so they go through the sandbox's own query machinery,
in process).
And raw bodies posted to the webhook with the secret, which no client can produce: fields missing, fields of
the wrong type, fields and update kinds of later Bot API versions, no update at all.

No update may make the bot fail, except bodies that break the Bot API's own rules (a required field missing,
a field of the wrong type): Telegram never sends those, so the bot may refuse them or fail on them. Nothing
that belongs to the two victims and their group may change, and afterwards everyone still gets /start in
their language.

The inputs come from ``random.Random`` seeded per actor from ``SEED`` (20261123); ``FUZZ_SEED`` and
``FUZZ_UPDATES`` change the seed and the number of updates, ``pytest -s`` prints what was sent and how fast.
Which real buttons get pressed follows the bot's answers, so two runs with the same seed send the same kinds
of updates but may interleave the chats differently.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from sqlalchemy import select

from bot.runner import Runtime
from bot.sandbox import SandboxClient, SandboxError
from bot.sandbox.callbacks import chat_instance
from bot.sandbox.html import parse_html
from bot.sandbox.state import Message, Query
from bot.sandbox.world import World
from catalog.models import Product, Stock, Variant
from core import users
from core.clock import Clock
from core.db import Database
from core.i18n import Translator
from core.users import User
from handlers.context import SERVICES_KEY
from orders.models import CartItem, Order
from social import groupbuys
from social.groupbuys import GroupBuy
from social.ideas import Idea
from social.votes import ProductPost
from social.wishlists import Wishlist, WishlistItem
from tests.e2e.conftest import Chat, buttons, private_chat
from tests.fuzz.conftest import HOOK, SECRET
from tests.fuzz.harness import Failures, Handled, differences, owned_rows
from tests.fuzz.inputs import command_text, forged_data, inline_text, odd_text
from tests.fuzz.raw import RawUpdates

SEED = int(os.environ.get("FUZZ_SEED", "20261123"))
UPDATES = int(os.environ.get("FUZZ_UPDATES", "10000"))
PRIVATE_ACTORS = int(os.environ.get("FUZZ_PRIVATE", "16"))
GROUPS = int(os.environ.get("FUZZ_GROUPS", "4"))
GROUP_SIZE = 4
# The last users are in no group: only they delete their data while the run goes on. A user who deletes
# everything in the private chat while a message of theirs in a group is being handled makes that message
# fail (its search refers to a user who is gone): updates of different chats run concurrently.
ALONE = 4
# Each step sends about one update; a little more than needed, so the count is reached on every seed.
STEPS = UPDATES * 21 // 20 // (PRIVATE_ACTORS + GROUPS) + 1
LANGUAGES = ("de", "en", "en-US", "de-AT", "fr", None, "pt-br", "ar")
NAMES = (
    "Ölaf",
    "Ζωή",
    "李雷",
    "אורי",
    "Zoë\u0301",
    "👩🏽‍💻 Mia",
    "O'Brien <b>",
    "&amp;",
    "Jo\u200bnas",
    "Ahmad",
)
FORGED = (
    "wl:rm:{}",
    "wl:prio:{}:1",
    "wl:note:{}",
    "wl:gift:{}:{}",
    "wl:rel:{}:{}",
    "wl:to:{}",
    "wl:ttl:{}",
    "wl:add:{}",
    "cart:qty:{}:0",
    "cart:qty:{}:7",
    "cart:add:{}",
    "cart:pick:{}",
    "ord:{}",
    "win:{}",
    "win:{}:morning",
    "rev:{}:1",
    "adm:refund:{}",
    "adm:ship:{}",
    "gb:leave:{}",
    "gb:close:{}",
    "gb:join:{}",
    "gb:q:{}:{}:1",
    "gb:wl:{}:{}:2",
    "gb:v:{}:{}",
    "gb:adm:{}",
    "gb:open:{}:1",
    "gb:new:{}",
    "vote:{}:1",
    "vote:{}:-1",
    "idea:{}:1",
    "rv:{}",
    "rvr:{}",
    "rvr:{}:spam",
    "rvh:{}",
    "rec:{}",
    "rec:to:{}:{}",
    "rec:go:{}:{}",
    "bcc:{}:send",
    "bcs:{}",
    "bc:{}:{}",
    "bcx:{}",
    "dl:end:{}",
    "dl:list:{}",
    "dl:mute:{}",
    "dl:r:{}:1",
    "dl:c:{}:1:{}",
    "poll:t:{}",
    "srch:{}:{}",
    "sim:{}",
    "pair:{}",
    "card:{}",
    "sty:{}:a:x",
    "lang:fr",
    "menu:cart",
    "cart:checkout:mine",
    "privacy:delete:yes",
)
JUNK_IDS = (0, 1, 2, -1, 2**31, 2**63 - 1, 2**63, 10**30)


@dataclass
class Victims:
    """Two people and their group whose rows nobody else may change, and the ids a forger would name."""

    user_ids: set[int]
    chat_ids: set[int]
    ids: list[int]


@dataclass
class Actor:
    """A chat of the fuzz run with the users who act in it."""

    chat_id: int
    members: list[int]
    private: bool
    rng: random.Random
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        """Count one thing this actor did."""
        self.counts[what] = self.counts.get(what, 0) + 1


@dataclass
class Run:
    """Everything the actors share."""

    runtime: Runtime
    sb: SandboxClient
    http: aiohttp.ClientSession
    handled: Handled
    raw: RawUpdates
    victims: Victims
    raw_statuses: dict[int, int] = field(default_factory=dict)
    raw_bodies: dict[int, bytes] = field(default_factory=dict)
    invalid: set[int] = field(default_factory=set)
    grouped: set[int] = field(default_factory=set)
    unanswered: list[str] = field(default_factory=list)

    def update(self, update_id: int) -> object:
        """Return what the bot got as that update, to show with a failure."""
        if update_id in self.raw_bodies:
            return self.raw_bodies[update_id].decode(errors="replace")
        return self.runtime.sandbox.world.updates.updates.get(update_id)  # type: ignore[union-attr]


async def test_ten_thousand_odd_updates_break_nothing_and_change_nobody_elses_data(
    fuzz_runtime: Runtime, demo_catalog: Database, clock: Clock
) -> None:
    failures = Failures()
    logging.getLogger().addHandler(failures)
    try:
        await _fuzz(fuzz_runtime, demo_catalog, clock, failures)
    finally:
        logging.getLogger().removeHandler(failures)


async def _fuzz(runtime: Runtime, db: Database, clock: Clock, failures: Failures) -> None:
    assert runtime.application is not None and runtime.sandbox is not None and runtime.searcher is not None
    await runtime.searcher.refresh()
    handled = Handled(runtime.application)
    async with SandboxClient(runtime.url) as sb, aiohttp.ClientSession() as http:
        victims = await _victims(sb, db, clock.now())
        assert not failures.records, failures.describe()
        before = await owned_rows(db, user_ids=victims.user_ids, chat_ids=victims.chat_ids)
        kept = {"cart_items", "wishlist_items", "wishlist_claims", "wishlist_shares", "orders", "post_votes"}
        kept |= {"group_buy_participants", "ideas", "checkouts", "reservations"}
        assert kept <= set(before), f"the victims have no {sorted(kept - set(before))}"
        run = Run(runtime, sb, http, handled, RawUpdates(runtime.sandbox.world), victims)
        actors = await _actors(sb)
        run.grouped = {user for actor in actors if not actor.private for user in actor.members}
        handled_before = handled.count
        started = time.perf_counter()
        await asyncio.gather(*(_act(run, actor) for actor in actors))
        for update_id in list(runtime.sandbox.world.updates.updates):
            await handled.update(update_id)
        seconds = time.perf_counter() - started
        after = await owned_rows(db, user_ids=victims.user_ids, chat_ids=victims.chat_ids)

        refused = sum(1 for status in run.raw_statuses.values() if status != 200)
        total = handled.count - handled_before + refused
        counts: dict[str, int] = {}
        for actor in actors:
            for what, number in actor.counts.items():
                counts[what] = counts.get(what, 0) + number
        report = [
            f"fuzz seed {SEED}: {total} updates in {seconds:.1f} s ({total / seconds:.0f}/s), "
            f"{refused} raw bodies refused",
            *(f"  {number:6d}  {what}" for what, number in sorted(counts.items())),
        ]
        tolerated = failures.take(run.invalid)
        report.append(f"bodies against the Bot API's rules that failed in the bot: {len(tolerated.records)}")
        report.append(tolerated.describe(run.update, limit=40))
        print("\n".join(report))  # the figures for the run's log (pytest -s shows them)
        assert not failures.records, f"{len(failures.records)} failures:\n{failures.describe(run.update)}"
        assert not run.unanswered, f"presses the bot never answered: {run.unanswered[:10]}"
        assert set(run.raw_statuses.values()) <= {200, 400}, sorted(set(run.raw_statuses.values()))
        assert not differences(before, after), "\n".join(differences(before, after)[:20])
        assert total >= UPDATES, f"only {total} updates reached the bot"
        apologies = set(_apologies(runtime))
        said = [call for call in await sb.calls() if call["params"].get("text") in apologies]
        assert len(said) <= len(tolerated.records), "the bot apologised for more than the invalid bodies"

        for actor in actors:
            for user_id in actor.members if actor.private else ():
                await _greets_in_language(runtime, sb, db, user_id)
        for user_id in victims.user_ids:
            await _greets_in_language(runtime, sb, db, user_id)


def _apologies(runtime: Runtime) -> list[str]:
    assert runtime.application is not None
    translator: Translator = runtime.application.bot_data[SERVICES_KEY].translator
    return [translator.t(locale, "error-apology") for locale in translator.locales]


async def _greets_in_language(runtime: Runtime, sb: SandboxClient, db: Database, user_id: int) -> None:
    assert runtime.application is not None
    translator: Translator = runtime.application.bot_data[SERVICES_KEY].translator
    sent = await sb.send(user_id, user_id, "/start")
    (greeting,) = await sb.wait(user_id, after=sent["message_id"])
    async with db.unit_of_work() as session:
        person = await users.get(session, user_id=user_id)
    assert person is not None
    locale = person.locale(translator.locales, translator.default_locale)
    expected, _ = parse_html(translator.t(locale, "start-greeting", name=person.first_name), lambda _: None)
    assert greeting["text"] == expected, f"user {user_id} ({locale}) got {greeting['text'][:60]!r}"


# --- The victims ---------------------------------------------------------------------------------------


async def _victims(sb: SandboxClient, db: Database, now: datetime) -> Victims:
    """Give Vera and Victor carts, wishes, an order, a shared list with a claim, votes and a group buy."""
    vera = await private_chat(sb, "Vera", "de")
    victor = await private_chat(sb, "Victor", "en")
    group = await sb.create_chat("group", [vera.user_id, victor.user_id], title="Geheimrunde")
    for person in (vera, victor):
        sent = await sb.send(group["id"], person.user_id, "/wishlist")
        await sb.wait(group["id"], after=sent["message_id"])
    first, second, third = await _stocked_products(db, 3)

    await _add_to_cart(vera, first)
    (cart,) = await vera.say("/cart")
    invoice = (await vera.press(cart, "cart:checkout", count=1))["messages"][0]
    paid = await sb.pay(vera.chat_id, invoice["message_id"], vera.user_id)
    assert paid["status"] == "paid", paid
    await sb.wait(vera.chat_id, after=invoice["message_id"] + 1)
    await _add_to_cart(vera, second)
    for product in (first, third):
        await _wish(vera, product)

    for product in (second, third):
        await _wish(victor, product)
    (mine,) = await victor.say("/wishlist")
    (picker,) = (await victor.press(mine, "wl:share", count=1))["messages"]
    before = await _last(sb, group["id"])
    await victor.press(picker, f"wl:to:{group['id']}")
    (shared,) = await sb.wait(group["id"], after=before)
    gift = next(data for data in buttons(shared) if data.startswith("wl:gift:"))
    await sb.press(group["id"], shared["message_id"], vera.user_id, gift)

    sent = await sb.send(group["id"], vera.user_id, "@kaufrunde_bot Sneaker")
    (listing,) = await sb.wait(group["id"], after=sent["message_id"])
    card_button = next(data for data in buttons(listing) if data.startswith("card:"))
    await sb.press(group["id"], listing["message_id"], vera.user_id, card_button)
    (card,) = await sb.wait(group["id"], after=listing["message_id"])
    product_id = card_button.split(":")[1]
    await sb.press(group["id"], card["message_id"], victor.user_id, f"vote:{product_id}:1")
    before = await _last(sb, group["id"])
    answer = await sb.press(group["id"], card["message_id"], vera.user_id, f"cart:pick:{product_id}")
    if not (answer["answer"] and (answer["answer"]["text"] or "").startswith("✓")):
        (choice,) = await sb.wait(group["id"], after=before)
        await sb.press(group["id"], choice["message_id"], vera.user_id, next(iter(buttons(choice))))

    sent = await sb.send(group["id"], victor.user_id, "/idea Regenschirm mit Licht")
    await sb.wait(group["id"], after=sent["message_id"])
    await _group_buy(sb, db, now, group["id"], vera, victor)
    return Victims({vera.user_id, victor.user_id}, {group["id"]}, await _victim_ids(db, group["id"]))


async def _stocked_products(db: Database, count: int) -> list[Product]:
    async with db.unit_of_work() as session:
        found = await session.scalars(
            select(Product)
            .where(Product.active.is_(True), Product.id.in_(select(Variant.product_id).join(Stock)))
            .order_by(Product.id)
            .limit(count)
        )
        return list(found)


async def _add_to_cart(chat: Chat, product: Product) -> None:
    (card,) = await chat.say(f"/start p{product.id}")
    answer = await chat.press(card, f"cart:pick:{product.id}")
    if answer["answer"] and (answer["answer"]["text"] or "").startswith("✓"):
        return
    (choice,) = await chat.sb.wait(chat.chat_id, after=card["message_id"])
    answer = await chat.press(choice, next(iter(buttons(choice))))
    assert (answer["answer"]["text"] or "").startswith("✓"), answer


async def _wish(chat: Chat, product: Product) -> None:
    (card,) = await chat.say(f"/start p{product.id}")
    await chat.press(card, f"wl:add:{product.id}")


async def _group_buy(
    sb: SandboxClient, db: Database, now: datetime, group_id: int, opener: Chat, joiner: Chat
) -> None:
    async with db.unit_of_work() as session:
        await groupbuys.offer_demo(session, now=now)
        offer = (await groupbuys.offers(session, limit=1))[0]
        product = await session.get(Product, offer.product_id)
    assert product is not None
    sent = await sb.send(group_id, opener.user_id, f"/groupbuy {product.sku}")
    (picker,) = await sb.wait(group_id, after=sent["message_id"])
    await sb.press(group_id, picker["message_id"], opener.user_id, f"gb:new:{product.id}")
    picker = await sb.wait_edit(group_id, picker["message_id"], version=picker["version"])
    await sb.press(group_id, picker["message_id"], opener.user_id, f"gb:open:{product.id}:3")
    (progress,) = await sb.wait(group_id, after=picker["message_id"])
    join = next(data for data in buttons(progress) if data.startswith("gb:join:"))
    before = await _last(sb, joiner.chat_id)
    await sb.press(group_id, progress["message_id"], joiner.user_id, join)
    (question,) = await sb.wait(joiner.chat_id, after=before)
    while not any(data.startswith("gb:q:") for data in buttons(question)):
        choice = next(data for data in buttons(question) if data.startswith("gb:v:"))
        await sb.press(joiner.chat_id, question["message_id"], joiner.user_id, choice)
        question = await sb.wait_edit(joiner.chat_id, question["message_id"], version=question["version"])
    quantity = next(data for data in buttons(question) if data.startswith("gb:q:"))
    await sb.press(joiner.chat_id, question["message_id"], joiner.user_id, quantity)
    await sb.wait_edit(joiner.chat_id, question["message_id"], version=question["version"])


async def _victim_ids(db: Database, group_id: int) -> list[int]:
    """Return the ids a forger would put into callback data: the victims' rows of every kind."""
    async with db.unit_of_work() as session:
        ids: set[int] = {group_id}
        for column in (
            User.id,
            WishlistItem.id,
            Wishlist.id,
            Order.id,
            CartItem.variant_id,
            GroupBuy.id,
            ProductPost.product_id,
            Idea.id,
        ):
            ids |= set(await session.scalars(select(column)))
    return sorted(ids) + list(JUNK_IDS)


async def _last(sb: SandboxClient, chat_id: int) -> int:
    messages = await sb.messages(chat_id)
    return int(messages[-1]["message_id"]) if messages else 0


# --- The fuzzed users ----------------------------------------------------------------------------------


async def _actors(sb: SandboxClient) -> list[Actor]:
    """Create the fuzzed users with their private chats, and groups of them."""
    seeds = random.Random(SEED)
    actors = []
    for number in range(PRIVATE_ACTORS):
        name = NAMES[number % len(NAMES)]
        language = LANGUAGES[number % len(LANGUAGES)]
        user = await sb.create_user(name, language_code=language)
        await sb.create_chat("private", [user["id"]])
        actors.append(Actor(user["id"], [user["id"]], True, random.Random(seeds.getrandbits(64))))
    for number in range(GROUPS):
        seats = PRIVATE_ACTORS - ALONE
        members = [actors[(number * GROUP_SIZE + seat) % seats].chat_id for seat in range(GROUP_SIZE)]
        group = await sb.create_chat("group", members, title=f"Runde {number} ‮")
        actors.append(Actor(group["id"], members, False, random.Random(seeds.getrandbits(64))))
    return actors


async def _act(run: Run, actor: Actor) -> None:
    """Let the actor do ``STEPS`` things, each waited for until the bot has handled it."""
    rng = actor.rng
    moves = (_say, _command, _press, _forge, _inline, _raw)
    weights = (20, 20, 20, 16, 6, 18)
    for _ in range(STEPS):
        move = rng.choices(moves, weights)[0]
        await move(run, actor, rng.choice(actor.members))


async def _say(run: Run, actor: Actor, user_id: int) -> None:
    rng = actor.rng
    text = odd_text(actor.rng)
    reply_to = None
    if not actor.private:
        roll = rng.random()
        if roll < 0.5:
            text = f"@kaufrunde_bot {text}"[:4000]
        elif roll < 0.8:
            reply_to = await _bot_message_id(run, actor)
    try:
        sent = await run.sb.send(actor.chat_id, user_id, text, reply_to_message_id=reply_to)
    except SandboxError:
        actor.count("say refused by the sandbox")
        return
    await _handled(run, actor, sent["update_id"], "say")


async def _command(run: Run, actor: Actor, user_id: int) -> None:
    sent = await run.sb.send(actor.chat_id, user_id, command_text(actor.rng, group=not actor.private))
    await _handled(run, actor, sent["update_id"], "command")


async def _handled(run: Run, actor: Actor, update_id: int | None, what: str) -> None:
    if update_id is None:
        actor.count(f"{what} unseen by the bot")
        return
    actor.count(what)
    await run.handled.update(update_id)


async def _bot_message_id(run: Run, actor: Actor) -> int | None:
    world = run.runtime.sandbox.world  # type: ignore[union-attr]
    mine = [
        message.message_id for message in _recent(world, actor.chat_id, 60) if message.from_id == world.bot.id
    ]
    return actor.rng.choice(mine) if mine else None


def _recent(world: World, chat_id: int, count: int) -> list[Message]:
    """Return the chat's last ``count`` messages, oldest first."""
    return list(itertools.islice(reversed(world.chats[chat_id].messages.values()), count))[::-1]


async def _press(run: Run, actor: Actor, user_id: int) -> None:
    """Press a button of a recent message, or of an old one whose button may be stale by now."""
    rng = actor.rng
    world = run.runtime.sandbox.world  # type: ignore[union-attr]
    keyed = [
        message
        for message in _recent(world, actor.chat_id, 80)
        if message.reply_markup and not message.deleted
    ]
    pressable = [
        (message, data)
        for message in keyed
        for data in sorted(buttons({"reply_markup": message.reply_markup}))
    ]
    if not pressable:
        await _command(run, actor, user_id)
        return
    recent = [item for item in pressable if item[0].message_id >= keyed[-1].message_id - 3]
    message, data = rng.choice(recent if recent and rng.random() < 0.6 else pressable)
    if data == "privacy:delete:yes" and (user_id in run.grouped or rng.random() < 0.8):
        data = "privacy:delete:no"
    try:
        pressed = await run.sb.press(actor.chat_id, message.message_id, user_id, data, timeout=30)
    except SandboxError:
        actor.count("press refused by the sandbox")
        return
    actor.count("press")
    if pressed["answer"] is None:
        run.unanswered.append(data)
    await run.handled.query("callback_query", pressed["callback_query_id"])


async def _forge(run: Run, actor: Actor, user_id: int) -> None:
    """Press a button with callback data the message never had: other people's ids, junk, stale menus."""
    rng = actor.rng
    world = run.runtime.sandbox.world  # type: ignore[union-attr]
    # Buttons are only ever under the bot's messages (its own, or posted through it in inline mode).
    messages = [
        message
        for message in _recent(world, actor.chat_id, 40)
        if not message.deleted and (message.from_id == world.bot.id or message.via_bot)
    ]
    if not messages:
        await _command(run, actor, user_id)
        return
    message = rng.choice(messages)
    data = forged_data(rng, run.victims.ids, FORGED)
    if data == "privacy:delete:yes" and user_id in run.grouped:
        data = "privacy:delete:no"
    query = Query(world.new_id(), "callback_query", user_id)
    payload: dict[str, Any] = {"chat_instance": chat_instance(actor.chat_id), "data": data}
    if message.inline_message_id is not None:
        payload["inline_message_id"] = message.inline_message_id
    else:
        payload["message"] = world.message_json(message)
    answer = await world.ask(query, payload, 30)
    actor.count("forged press")
    if answer is None:
        run.unanswered.append(data)
    await run.handled.query("callback_query", query.id)


async def _inline(run: Run, actor: Actor, user_id: int) -> None:
    rng = actor.rng
    offered = await run.sb.inline(user_id, inline_text(rng), actor.chat_id, timeout=30)
    actor.count("inline query")
    await run.handled.query("inline_query", offered["inline_query_id"])
    if offered["results"] and rng.random() < 0.3:
        result = rng.choice(offered["results"])
        await run.sb.choose(offered["inline_query_id"], result["id"])
        actor.count("inline result posted")


async def _raw(run: Run, actor: Actor, user_id: int) -> None:
    body = run.raw.body(actor.rng, chat_id=actor.chat_id, user_id=user_id)
    async with run.http.post(
        f"{run.runtime.url}{HOOK}",
        data=body.data,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
    ) as response:
        status = response.status
    actor.count(f"raw {body.kind} {status}")
    key = body.update_id if body.update_id is not None else -len(run.raw_statuses) - 1
    run.raw_statuses[key] = status
    if status == 200 and body.update_id is not None:
        run.raw_bodies[body.update_id] = body.data
        if not body.valid:
            run.invalid.add(body.update_id)
        await run.handled.update(body.update_id)
