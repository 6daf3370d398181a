"""Server-sent events for the playground: one event per change of a message, poll, the clock or the chats.

The world only says *that* something changed (:class:`~bot.sandbox.state.Changes`); a stream keeps a
snapshot of what it last reported and sends the differences, so a page knows exactly what to fetch again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from aiohttp import web

from .state import JSON
from .world import World

# A comment line this often keeps proxies and browsers from dropping an idle stream.
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Snapshot:
    """What a stream has reported so far."""

    messages: dict[tuple[int, int], tuple[int, bool]]
    polls: dict[str, tuple[int, ...]]
    clock_moves: int
    chats: tuple[tuple[int, tuple[int, ...]], ...]
    users: int

    @classmethod
    def take(cls, world: World, clock_moves: int) -> Snapshot:
        """Take the current state's snapshot; ``clock_moves`` counts the demo clock's advances."""
        return cls(
            messages={
                (chat.id, message.message_id): (message.version, message.deleted)
                for chat in world.chats.values()
                for message in chat.messages.values()
            },
            polls={
                poll_id: (
                    *(option["voter_count"] for option in poll.to_json()["options"]),
                    int(poll.is_closed),
                )
                for poll_id, poll in world.polls.items()
            },
            clock_moves=clock_moves,
            chats=tuple((chat.id, tuple(chat.member_ids)) for chat in world.chats.values()),
            users=len(world.users),
        )


def differences(world: World, old: Snapshot, new: Snapshot) -> list[tuple[str, JSON]]:
    """Return the events that lead from one snapshot to the next, oldest messages first."""
    events: list[tuple[str, JSON]] = []
    if old.chats != new.chats or old.users != new.users:
        events.append(("chats", {}))
    for key, (version, deleted) in new.messages.items():
        before = old.messages.get(key)
        if before == (version, deleted):
            continue
        kind = "created" if before is None else "deleted" if deleted and not before[1] else "edited"
        events.append((f"message_{kind}", {"chat_id": key[0], "message_id": key[1]}))
    for poll_id, counts in new.polls.items():
        if old.polls.get(poll_id) != counts:
            poll = world.polls[poll_id]
            events.append(
                ("poll", {"poll_id": poll_id, "chat_id": poll.chat_id, "message_id": poll.message_id})
            )
    if old.clock_moves != new.clock_moves:
        events.append(("clock", {"now": world.clock.now().isoformat()}))
    return events


def _differs(world: World, clock_moves: Callable[[], int], reported: Snapshot) -> bool:
    return Snapshot.take(world, clock_moves()) != reported


async def stream(world: World, request: web.Request, clock_moves: Callable[[], int]) -> web.StreamResponse:
    """Send the changes of the world as server-sent events until the client leaves or the sandbox stops."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    snapshot = Snapshot.take(world, clock_moves())
    try:
        await response.write(b"retry: 1000\nevent: ready\ndata: {}\n\n")
        while not world.changes.closed:
            await world.changes.wait_for(partial(_differs, world, clock_moves, snapshot), KEEPALIVE_SECONDS)
            current = Snapshot.take(world, clock_moves())
            events = differences(world, snapshot, current)
            snapshot = current
            chunk = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
            await response.write((chunk or ": keepalive\n\n").encode())
    except (ConnectionResetError, ConnectionError):
        pass
    return response
