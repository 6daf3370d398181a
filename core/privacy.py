"""A user's data as a whole: one export gathering every package's section, one erasure.

Each package that stores personal data registers a section with :func:`section`; erasure cascades
from the ``users`` row through foreign keys, so a new table only needs ``ondelete="CASCADE"``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import chats, users
from core.db import Session

Exporter = Callable[[Session, int], Awaitable[Any]]
_SECTIONS: dict[str, Exporter] = {}


def section(name: str) -> Callable[[Exporter], Exporter]:
    """Register an exporter for one part of a user's data under ``name``."""

    def register(exporter: Exporter) -> Exporter:
        _SECTIONS[name] = exporter
        return exporter

    return register


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


async def erase(session: Session, *, user_id: int) -> bool:
    """Delete everything stored about the user; True if there was anything."""
    return await users.erase(session, user_id=user_id)


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
