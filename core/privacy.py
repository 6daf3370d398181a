"""A user's data as a whole: one export gathering every package's section, one erasure.

Each package that stores personal data registers a section with :func:`section`. Erasure deletes the
``users`` row, and every table that belongs to a user goes with it through ``ON DELETE CASCADE``. What a
foreign key cannot express — rows kept for others that must lose what names the person (orders for the
retailer's books, the items someone added to a group's wishlist), or values that name the person without
a key (a staff member's id in an order's history) — is handled by an eraser the package registers with
:func:`eraser`; erasers run before the ``users`` row goes. The table-by-table decisions are listed in
docs/security.md ("Personal data").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_

from core import chats, users
from core.db import Session
from core.tasks import ScheduledTask

Exporter = Callable[[Session, int], Awaitable[Any]]
Eraser = Callable[[Session, int, datetime], Awaitable[None]]
_SECTIONS: dict[str, Exporter] = {}
_ERASERS: dict[str, Eraser] = {}
# Task kinds whose key is a user's id (a reminder meant for one person).
_USER_KEYED_TASKS: set[str] = set()


def section(name: str) -> Callable[[Exporter], Exporter]:
    """Register an exporter for one part of a user's data under ``name``."""

    def register(exporter: Exporter) -> Exporter:
        _SECTIONS[name] = exporter
        return exporter

    return register


def sections() -> tuple[str, ...]:
    """Return the names of every registered export section, in the order of the export."""
    return tuple(_SECTIONS)


def eraser(name: str) -> Callable[[Eraser], Eraser]:
    """Register what has to happen under ``name`` before a user's row is deleted (beyond the cascade)."""

    def register(function: Eraser) -> Eraser:
        _ERASERS[name] = function
        return function

    return register


def user_keyed_task(kind: str) -> str:
    """Declare that tasks of ``kind`` are keyed by a user's id, so erasing the user drops them; return it."""
    _USER_KEYED_TASKS.add(kind)
    return kind


@section("profile")
async def _profile(session: Session, user_id: int) -> Any:
    return await users.export(session, user_id=user_id)


@section("groups")
async def _groups(session: Session, user_id: int) -> Any:
    return await chats.groups_of(session, user_id=user_id)


async def export(session: Session, *, user_id: int, now: datetime) -> dict[str, Any]:
    """Return everything stored about the user, one key per section."""
    document: dict[str, Any] = {"exported_at": now.isoformat(), "user_id": user_id}
    for name, exporter in _SECTIONS.items():
        document[name] = await exporter(session, user_id)
    return document


async def erase(session: Session, *, user_id: int, now: datetime) -> bool:
    """Delete everything stored about the user and anonymise what is kept for others; True if there was
    anything."""
    if await users.get(session, user_id=user_id) is None:
        return False
    for function in _ERASERS.values():
        await function(session, user_id, now)
    await forget_tasks(session, person_id=user_id)
    # A private chat's id is its user's id; rows that belong to that chat cascade from it.
    await session.execute(delete(chats.Chat).where(chats.Chat.id == user_id, chats.Chat.type == "private"))
    return await users.erase(session, user_id=user_id)


async def forget_tasks(session: Session, *, person_id: int) -> int:
    """Delete the scheduled tasks meant for one person, whatever their status; return how many.

    A task names its person by its key (kinds declared with :func:`user_keyed_task`) or by ``chat_id`` or
    ``user_id`` in its payload (a message waiting for the end of someone's quiet hours).
    """
    result = await session.execute(delete(ScheduledTask).where(_names(person_id)))
    return int(getattr(result, "rowcount", 0) or 0)


def _names(person_id: int) -> ColumnElement[bool]:
    payload = ScheduledTask.payload
    conditions: list[ColumnElement[bool]] = [
        payload[name].as_string() == str(person_id) for name in ("chat_id", "user_id")
    ]
    if _USER_KEYED_TASKS:
        conditions.append(
            ScheduledTask.kind.in_(sorted(_USER_KEYED_TASKS)) & (ScheduledTask.key == str(person_id))
        )
    return or_(*conditions)


@dataclass(frozen=True, slots=True)
class Summary:
    """What the privacy overview tells a user about their stored data."""

    first_name: str
    time_zone: str
    groups: int
    consent_personal_deals: bool
    consent_broadcasts: bool


async def summary(session: Session, *, user_id: int) -> Summary | None:
    """Summarise what is stored about the user, or None if nothing is."""
    user = await users.get(session, user_id=user_id)
    if user is None:
        return None
    return Summary(
        first_name=user.first_name,
        time_zone=user.time_zone,
        groups=len(await chats.groups_of(session, user_id=user_id)),
        consent_personal_deals=user.consent_personal_deals,
        consent_broadcasts=user.consent_broadcasts,
    )
