"""Two bot instances behind one webhook URL on one PostgreSQL database: nothing done twice, nothing lost.

How it runs. The sandbox stands alone in this test process (a ``Sandbox`` on its own port, with no bot of
its own) and delivers the webhook to the two instances in turn (``PUT /sandbox/api/webhook/targets``), as a
load balancer in front of them would. Each instance is a separate ``Runtime`` in webhook mode, configured as
in production: ``TELEGRAM_BOT_TOKEN`` is the sandbox's token, ``TELEGRAM_API_URL`` the sandbox, one shared
``WEBHOOK_URL`` and secret. Each has its own database engine, HTTP server, application, JobQueue and worker
id; they meet only in the database, the Bot API and the webhook.

Decision: the instances run in this process, not as subprocesses, so that they share the sandbox's frozen
clock. ``POST /clock/advance`` then runs both instances' due work at the same moment (each registers its
``DueWork`` with the sandbox, as the embedded default registers its own) and answers when it is done, so the
test never sleeps; every task that ran is recorded with the worker that ran it. Python module globals are
shared by the two, but the bot keeps no state there: what an instance remembers lives in its application.

PostgreSQL only: SQLite has no row locks to share work between processes; several instances need PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select
from telegram import Bot

from bot import app as bot_app
from bot import jobs
from bot.config import SANDBOX_PROVIDER_TOKEN, sandbox_token
from bot.runner import Runtime
from bot.sandbox import Sandbox, SandboxClient
from catalog.demo import RETAILER_SLUG
from catalog.models import Retailer
from core import tasks
from core.clock import Clock
from core.db import Database, Session
from core.tasks import ScheduledTask
from core.updates import ProcessedUpdate
from handlers.common import App
from handlers.context import Services
from orders.models import Order
from social.groupbuys import CLOSE, PAYMENT_DEADLINE, GroupBuyParticipant
from tests.e2e.conftest import RETAILER_ID, Chat, buttons, private_chat, settings_for
from tests.e2e.test_broadcasts import DRAFT, _crowd, _subscribe
from tests.e2e.test_groupbuys import Group, _join, _last, _offer, _open, _product, _text
from tests.sandbox.conftest import start

PUBLIC_URL = "https://kaufrunde.example/telegram/webhook"
NO_POSTGRES = (
    "NOT TESTED ON SQLITE: several bot instances need PostgreSQL (row locks shared between processes); "
    "run with TEST_DATABASE_URL=postgresql://… as `make test-db` and .ci/run do"
)
PEOPLE = ("Lena", "Tom", "Aylin", "Jonas", "Mia", "Ben", "Emma", "Noah", "Lea", "Paul", "Hanna", "Elias")
MAXIMUM = 15
# Subscribers beyond the group: enough for a few seconds of sending at Telegram's 30 messages per second.
CROWD = 120
WINTER = "Alles für den Winter reduziert"
BROADCAST_RATE = 30.0
# Each instance sends at least this many of the broadcast's messages (it claims 15 at a time).
SHARE = 10


@dataclass(frozen=True, slots=True)
class Run:
    """A scheduled task that ran: which one, for which due time, on which instance."""

    kind: str
    key: str
    due_at: datetime
    worker: str


@dataclass
class Instances:
    """The sandbox and the instances behind its webhook."""

    sb: SandboxClient
    runtimes: list[Runtime]
    hooks: list[str]
    runs: list[Run] = field(default_factory=list)
    stopped: set[int] = field(default_factory=set)

    async def run_due_work(self) -> None:
        """Run every instance's due work at the same time (the sandbox's clock calls this)."""
        await asyncio.gather(*(bot_app.due_work(_application(runtime)).run() for runtime in self.runtimes))

    async def redeliver_elsewhere(self, update_ids: Iterable[int]) -> None:
        """Deliver each update once more, to an instance that did not get it first; wait until delivered."""
        first: dict[str, list[int]] = defaultdict(list)
        delivered: dict[int, str] = {}
        for item in await self.sb.webhook_deliveries():
            if item["status"] == 200:
                delivered.setdefault(item["update_id"], item["url"])
        for update_id in update_ids:
            first[delivered[update_id]].append(update_id)
        for url, ids in first.items():
            await self.sb.set_webhook_targets([hook for hook in self.hooks if hook != url])
            for update_id in ids:
                await self.sb.redeliver(update_id)
            assert await self.sb.wait_delivered() == {"pending_update_count": 0}
        await self.sb.set_webhook_targets(self.hooks)

    async def stop(self, *which: int) -> None:
        """Stop these instances (default: all); each first finishes the updates it has accepted."""
        for index in which or range(len(self.runtimes)):
            if index not in self.stopped:
                self.stopped.add(index)
                await self.runtimes[index].stop()


def _application(runtime: Runtime) -> App:
    assert runtime.application is not None
    return runtime.application


def _broadcast_shares(instances: Instances, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count, per instance, the messages its deliverer was let send under the overall limit."""
    shares = [0] * len(instances.runtimes)
    for index, runtime in enumerate(instances.runtimes):
        limiter = bot_app.delivery(_application(runtime)).limiter
        overall = limiter.overall

        async def counted(
            count: int = 1, *, index: int = index, overall: Callable[[int], Awaitable[None]] = overall
        ) -> None:
            await overall(count)
            shares[index] += count

        monkeypatch.setattr(limiter, "overall", counted)
    return shares


def _counting(instances: Instances, runtime: Runtime) -> None:
    """Record every task this instance runs."""
    work = bot_app.due_work(_application(runtime))
    worker = work.services.worker_id

    def counted(runner: jobs.Runner) -> jobs.Runner:
        async def run(session: Session, services: Services, bot: Bot, task: tasks.Task) -> datetime | None:
            instances.runs.append(Run(task.kind, task.key, task.due_at, worker))
            return await runner(session, services, bot, task)

        return run

    work.runners = {kind: counted(runner) for kind, runner in work.runners.items()}


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """Give the test database's URL, or skip, loudly, when it is not PostgreSQL."""
    if not database_url.startswith("postgresql"):
        pytest.skip(NO_POSTGRES)
    return database_url


@pytest.fixture
async def instances(
    request: pytest.FixtureRequest,
    postgresql_url: str,
    demo_catalog: Database,
    demo_media: Path,
    clock: Clock,
) -> AsyncIterator[Instances]:
    """Start the sandbox alone, then two instances in webhook mode behind it.

    Both are configured with Telegram's full 30 broadcast messages per second, as compose.yaml configures
    them: the rate is the bot's, shared through the database (indirect parametrisation gives another rate).
    """
    rate = getattr(request, "param", BROADCAST_RATE)
    token = sandbox_token()
    sandbox = Sandbox(clock=clock, bot_token=token)
    app = web.Application()
    sandbox.setup(app)
    runner, root = await start(app)
    settings = settings_for(
        postgresql_url,
        demo_media,
        telegram_bot_token=token,
        telegram_api_url=root,
        webhook_url=PUBLIC_URL,
        payment_provider_token=SANDBOX_PROVIDER_TOKEN,
        broadcast_rate_per_second=rate,
    )
    # The test database is migrated already (tests/bot/test_migrate_concurrently.py migrates concurrently).
    runtimes = [Runtime(settings, clock=clock, migrate=False, load_demo=False) for _ in range(2)]
    async with SandboxClient(root) as sb:
        running = Instances(sb, runtimes, hooks=[])
        try:
            await asyncio.gather(*(runtime.start() for runtime in runtimes))
            running.hooks = [f"{runtime.url}/telegram/webhook" for runtime in runtimes]
            await sb.set_webhook_targets(running.hooks)
            for runtime in runtimes:
                _counting(running, runtime)
            sandbox.on_clock_advanced.append(running.run_due_work)
            assert (await sb.bot_status())["webhook"]["url"] == PUBLIC_URL
            yield running
        finally:
            await running.stop()
            await runner.cleanup()


async def test_two_instances_share_the_work_and_do_nothing_twice(
    instances: Instances, demo_catalog: Database, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = instances.sb
    product, variant = await _product(demo_catalog, units=40)
    await _offer(sb, product, f"1-4:50 5-9:42 10+:35 min 5 max {MAXIMUM}")
    members = {name: await private_chat(sb, name, "de") for name in PEOPLE}
    chat = await sb.create_chat("group", [person.user_id for person in members.values()], title="Hof 7")
    group = Group(sb, chat["id"], members)
    await sb.set_member(group.chat_id, (await sb.bot_status())["id"], "administrator")
    progress = await _open(group, "Lena", product)

    # Twelve people join at the same moment, 18 units wanted for 15: never more than 15 are held.
    wanted = {name: 1 + index % 2 for index, name in enumerate(PEOPLE)}
    answers = await asyncio.gather(*(_join(group, name, progress, variant, wanted[name]) for name in PEOPLE))
    joined = {name for name, answer in zip(PEOPLE, answers, strict=True) if _text(answer).startswith("✅")}
    refused = set(PEOPLE) - joined
    assert all(_text(answers[PEOPLE.index(name)]).startswith("🔒 Ausverkauft") for name in refused)
    units = sum(wanted[name] for name in joined)
    assert MAXIMUM - 1 <= units <= MAXIMUM, "one unit may stay free when only people wanting two are left"

    # Every update so far once more, each to the instance that did not handle it: nothing changes.
    delivered = {item["update_id"] for item in await sb.webhook_deliveries()}
    await instances.redeliver_elsewhere(delivered)
    async with demo_catalog.unit_of_work() as session:
        accepted = set(await session.scalars(select(ProcessedUpdate.update_id)))
        shares = list(
            await session.execute(select(GroupBuyParticipant.user_id, GroupBuyParticipant.quantity))
        )
    assert delivered <= accepted, "every update was accepted: none was lost"
    assert sorted(shares) == sorted((members[name].user_id, wanted[name]) for name in joined)
    used = {item["url"] for item in await sb.webhook_deliveries() if item["status"] == 200}
    assert used == set(instances.hooks), "both instances received updates"

    # The deadline passes: both instances run their due work at once, the group buy closes once.
    seen = {name: await _last(sb, person.chat_id) for name, person in members.items()}
    await sb.advance_clock(3 * 24 * 3600)
    invoices = {}
    for name in joined:
        note, invoice = await sb.wait(members[name].chat_id, after=seen[name], count=2)
        assert _text(note).startswith("👥 Die Sammelbestellung für"), _text(note)
        assert invoice["invoice"]["total_amount"] == wanted[name] * 3500
        invoices[name] = invoice
    progress = await sb.wait_edit(group.chat_id, progress["message_id"], version=progress["version"])
    assert f"✅ Sie kommt zustande: {units} Stück zu je 35,00 €" in _text(progress)

    # Everyone pays at once; each payment is delivered once more right away, and later to the other instance.
    paid = await asyncio.gather(*(_pay_twice(sb, members[name], invoices[name]) for name in joined))
    await instances.redeliver_elsewhere(payment["update_id"] for payment in paid)
    for _ in range(4):  # the tracking poll is due every quarter hour
        await sb.advance_clock(15 * 60)
    await sb.advance_clock(24 * 3600)
    done = f"✅ Fertig: {units} Stück gemeinsam gekauft, zu je 35,00 €."
    progress = await _edited_until(sb, group.chat_id, progress, done)

    # A broadcast to the group's members and a crowd of other subscribers: both instances deliver it.
    receivers = await _subscribers(sb, demo_catalog, clock, members)
    sent_by = _broadcast_shares(instances, monkeypatch)
    await _broadcast(sb, WINTER)
    await sb.set_faults()

    assert await sb.wait_delivered() == {"pending_update_count": 0}
    await instances.stop()  # each instance finishes what it accepted
    await _nothing_twice(instances, demo_catalog, group, joined, paid)
    assert (await _broadcast_once(sb, receivers, WINTER))[429] == 0, "both at 30/s, together within 30/s"
    assert min(sent_by) >= SHARE, f"both instances sent a good part of the broadcast: {sent_by}"


async def _edited_until(
    sb: SandboxClient, chat_id: int, message: dict[str, Any], text: str
) -> dict[str, Any]:
    """Return the message once an edit shows ``text`` (each wait returns at the next edit)."""
    for _ in range(20):
        if text in _text(message):
            return message
        message = await sb.wait_edit(chat_id, message["message_id"], version=message["version"])
    raise AssertionError(f"the message never showed {text!r}: {_text(message)}")


async def _subscribers(sb: SandboxClient, db: Database, clock: Clock, members: dict[str, Chat]) -> list[Chat]:
    """Subscribe the members and a crowd to the demo shop's offers, as /deals does; return all of them."""
    async with db.unit_of_work() as session:
        shop = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
        assert shop is not None
        for person in members.values():
            await _subscribe(session, person.user_id, shop, clock)
    return [*members.values(), *await _crowd(sb, db, clock, shop, CROWD)]


async def _broadcast(sb: SandboxClient, text: str) -> None:
    """Have the retailer send a broadcast now, with Telegram's rate limits on; return when it is out."""
    await sb.set_faults(rate_limits=True)
    retailer = Chat(sb, RETAILER_ID, RETAILER_ID)
    (card,) = await retailer.say(f"/broadcast Hoffest\n<b>{text}</b>")
    draft = DRAFT.search(" ".join(buttons(card)))
    assert draft is not None, _text(card)
    started = await retailer.press_and_see(card, f"bcc:{draft[1]}:now")
    await _edited_until(sb, retailer.chat_id, started, "ist raus")


async def _broadcast_once(sb: SandboxClient, receivers: list[Chat], marker: str) -> Counter[int]:
    """Assert that every receiver got the broadcast once; return the statuses its sends were answered with."""
    for person in receivers:
        got = [m for m in await sb.messages(person.chat_id) if marker in str(m.get("text"))]
        assert len(got) == 1, (person.user_id, len(got))
    chats = {person.chat_id for person in receivers}
    sends = Counter(
        call["status"]
        for call in await sb.calls("sendMessage")
        if call["params"]["chat_id"] in chats and marker in str(call["params"].get("text"))
    )
    assert sends[200] == len(receivers), "each sent once"
    return sends


async def _pay_twice(sb: SandboxClient, person: Chat, invoice: dict[str, Any]) -> dict[str, Any]:
    payment = await sb.pay(
        person.chat_id, invoice["message_id"], person.user_id, shipping_option_id="standard"
    )
    assert payment["status"] == "paid", payment
    await sb.redeliver(payment["update_id"])
    (confirmation,) = await sb.wait(person.chat_id, after=payment["message_id"])
    assert _text(confirmation).startswith("✅ Danke! Deine Bestellung KR-")
    return payment


async def _nothing_twice(
    instances: Instances,
    db: Database,
    group: Group,
    joined: set[str],
    paid: list[dict[str, Any]],
) -> None:
    sb = instances.sb
    calls = await sb.calls()
    failed = [call for call in calls if call["status"] not in {200, 429}]
    assert failed == [], "no Bot API call failed (a 429 is answered by sending later)"
    callback_answers = Counter(
        c["params"]["callback_query_id"] for c in calls if c["method"] == "answerCallbackQuery"
    )
    assert callback_answers and set(callback_answers.values()) == {1}, "every button press was answered once"
    checkouts = Counter(
        c["params"]["pre_checkout_query_id"] for c in calls if c["method"] == "answerPreCheckoutQuery"
    )
    assert len(checkouts) == len(joined) and set(checkouts.values()) == {1}
    invoiced = Counter(c["params"]["chat_id"] for c in calls if c["method"] == "sendInvoice")
    assert invoiced == Counter(group.members[name].chat_id for name in joined), "one invoice per participant"

    for name, person in group.members.items():
        texts = [_text(m) for m in await sb.messages(person.chat_id) if m["from"]["is_bot"] and "text" in m]
        confirmations = [text for text in texts if text.startswith("✅ Danke! Deine Bestellung")]
        notes = [text for text in texts if text.startswith("👥 Die Sammelbestellung für")]
        assert len(confirmations) == len(notes) == (1 if name in joined else 0), (name, texts)
    in_group = [
        m for m in await sb.messages(group.chat_id) if m["from"]["is_bot"] and not m.get("new_chat_members")
    ]
    assert len(in_group) == 2, "the picker and the one progress message"

    async with db.unit_of_work() as session:
        orders = list(await session.scalars(select(Order.telegram_payment_charge_id)))
        failed = await session.scalar(
            select(func.count()).select_from(ScheduledTask).where(ScheduledTask.status == "failed")
        )
    assert sorted(orders) == sorted(payment["telegram_payment_charge_id"] for payment in paid), (
        "one order per payment, none for a redelivered one"
    )
    assert failed == 0
    per_due_time = Counter((run.kind, run.key, run.due_at) for run in instances.runs)
    assert [key for key, times in per_due_time.items() if times > 1] == [], "every task ran once per due time"
    kinds = Counter(run.kind for run in instances.runs)
    assert kinds[CLOSE] == 1 and kinds[PAYMENT_DEADLINE] >= 1
    assert kinds[jobs.TRACKING] >= 5, "the tracking poll ran at each quarter hour, once"


async def test_an_instance_that_stops_leaves_its_updates_to_the_other(instances: Instances) -> None:
    sb = instances.sb
    people = {name: await private_chat(sb, name, "de") for name in PEOPLE}

    stopping = asyncio.create_task(instances.stop(1))
    sent = await asyncio.gather(
        *(sb.send(person.chat_id, person.user_id, "/start") for person in people.values())
    )
    await stopping

    assert await sb.wait_delivered() == {"pending_update_count": 0}
    for (name, person), message in zip(people.items(), sent, strict=True):
        (greeting,) = await sb.wait(person.chat_id, after=message["message_id"])
        assert greeting["text"].startswith(f"Hallo {name}!")
    await instances.stop()
    for person, message in zip(people.values(), sent, strict=True):
        assert len(await sb.messages(person.chat_id, after=message["message_id"])) == 1, "greeted once"
    refused = [item["status"] for item in await sb.webhook_deliveries() if item["url"] == instances.hooks[1]]
    assert refused and 200 not in refused, "the stopping instance took nothing; the retries went to the other"
