"""Referrals: a personal invite link per user, the friends who arrived through it, and the reward in
credit when an invited friend completes a first purchase; and the credit history behind ``/credits``.

The link's start parameter is ``ref-<token>``, one stable token per user. A friend counts as invited
when they are new to the bot: the parameter is the first one they arrived with (``users.start_parameter``)
and they were first seen at most :data:`NEW_USER_WINDOW` ago. Nobody invites themselves, and a friend is
linked to one inviter, once.

When the reward is given: when the invited friend's first order is received (delivered or picked up),
not at payment. An order cancelled or refunded before it arrives is no purchase and earns nothing, so
the friend's next received order counts instead. Both sides get the reward once per invited friend. If
the rewarded order is returned afterwards (refunded after it arrived), :func:`take_back` books the reward
back from both. Each step is a guarded UPDATE of the referral, so repeated or concurrent calls give and
take back at most once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core import privacy, users
from core.db import AutoId, Base, Session, UTCDateTime, upsert
from core.money import Money
from orders import credits, states
from orders.models import Amount, CreditEntry

PARAMETER_PREFIX = "ref-"
NEW_USER_WINDOW = timedelta(hours=1)
RECEIVED = frozenset({"delivered", "picked_up"})
REWARD_REASON = "referral"
TAKE_BACK_REASON = "referral-returned"
# Ledger reasons ("<kind>:<detail>") and the locale keys that describe them in /credits.
REASON_KEYS = {
    "voucher": ("credits-reason-voucher", "code"),
    "order": ("credits-reason-order", "number"),
    "idea": ("credits-reason-idea", None),
    REWARD_REASON: ("credits-reason-referral", None),
    TAKE_BACK_REASON: ("credits-reason-referral-returned", None),
}
OTHER_REASON_KEY = "credits-reason-other"


class ReferralLink(Base):
    """A user's invite token, made on their first ``/invite`` and kept."""

    __tablename__ = "referral_links"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Referral(Base):
    """A friend who arrived through someone's invite link, and the reward that brought both."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rewarded_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    rewarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What each side got, so a return takes back exactly that.
    reward: Mapped[Decimal | None] = mapped_column(Amount)
    currency: Mapped[str | None] = mapped_column(String(3))
    taken_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Reward:
    """Credit booked for one side of a referral (negative when taken back)."""

    user_id: int
    amount: Money
    invited: bool


@dataclass(frozen=True, slots=True)
class CreditLine:
    """One movement of a user's credit, described by a locale key and its arguments."""

    amount: Money
    key: str
    args: dict[str, str]
    at: datetime


@dataclass(frozen=True, slots=True)
class CreditHistory:
    """A user's credit: the balance per currency and the newest movements first."""

    balances: tuple[Money, ...]
    lines: tuple[CreditLine, ...]


async def invite_parameter(session: Session, *, user_id: int, now: datetime) -> str:
    """Return the user's invite start parameter (``ref-<token>``), the same every time."""
    await upsert(
        session,
        ReferralLink.__table__,
        {"user_id": user_id, "token": secrets.token_urlsafe(9), "created_at": now},
        conflict=["user_id"],
    )
    token = await session.scalar(select(ReferralLink.token).where(ReferralLink.user_id == user_id))
    assert token is not None
    return PARAMETER_PREFIX + token


async def record_arrival(session: Session, *, user_id: int, parameter: str, now: datetime) -> int | None:
    """Link a new user who arrived through an invite link to the inviter; return the inviter's id."""
    if not parameter.startswith(PARAMETER_PREFIX):
        return None
    inviter_id = await session.scalar(
        select(ReferralLink.user_id).where(ReferralLink.token == parameter[len(PARAMETER_PREFIX) :])
    )
    user = await session.get(users.User, user_id)
    if (
        inviter_id is None
        or inviter_id == user_id
        or user is None
        or user.start_parameter != parameter
        or user.created_at < now - NEW_USER_WINDOW
    ):
        return None
    linked = await upsert(
        session,
        Referral.__table__,
        {"inviter_id": inviter_id, "invited_id": user_id, "arrived_at": now},
        conflict=["invited_id"],
    )
    return inviter_id if linked else None


async def invited_count(session: Session, *, user_id: int) -> tuple[int, int]:
    """Return how many friends the user invited, and how many of them earned the reward."""
    rows = (await session.scalars(select(Referral.rewarded_at).where(Referral.inviter_id == user_id))).all()
    return len(rows), sum(1 for rewarded_at in rows if rewarded_at is not None)


async def reward_first_purchase(
    session: Session, *, order_id: int, now: datetime, amount: Money
) -> list[Reward]:
    """Credit inviter and invited friend when the friend's first order has arrived; once per friend."""
    order = await states.get(session, order_id=order_id)
    if order is None or order.user_id is None or order.status not in RECEIVED:
        return []
    rewarded = await session.execute(
        update(Referral)
        .where(Referral.invited_id == order.user_id, Referral.rewarded_at.is_(None))
        .values(rewarded_order_id=order_id, rewarded_at=now, reward=amount.amount, currency=amount.currency)
        .returning(Referral.id, Referral.inviter_id)
    )
    row = rewarded.one_or_none()
    if row is None:
        return []
    return await _book(
        session,
        referral_id=row.id,
        inviter_id=row.inviter_id,
        invited_id=order.user_id,
        amount=amount,
        reason=REWARD_REASON,
        now=now,
    )


async def take_back(session: Session, *, order_id: int, now: datetime) -> list[Reward]:
    """Book the reward back from both sides when the order that earned it has been refunded."""
    order = await states.get(session, order_id=order_id)
    if order is None or order.status != "refunded":
        return []
    taken = await session.execute(
        update(Referral)
        .where(Referral.rewarded_order_id == order_id, Referral.taken_back_at.is_(None))
        .values(taken_back_at=now)
        .returning(Referral.id, Referral.inviter_id, Referral.invited_id, Referral.reward, Referral.currency)
    )
    row = taken.one_or_none()
    if row is None:
        return []
    return await _book(
        session,
        referral_id=row.id,
        inviter_id=row.inviter_id,
        invited_id=row.invited_id,
        amount=Money(-row.reward, row.currency),
        reason=TAKE_BACK_REASON,
        now=now,
    )


async def _book(
    session: Session,
    *,
    referral_id: int,
    inviter_id: int,
    invited_id: int,
    amount: Money,
    reason: str,
    now: datetime,
) -> list[Reward]:
    rewards = [
        Reward(user_id=inviter_id, amount=amount, invited=False),
        Reward(user_id=invited_id, amount=amount, invited=True),
    ]
    for reward in rewards:
        await credits.grant(
            session, user_id=reward.user_id, amount=amount, reason=f"{reason}:{referral_id}", now=now
        )
    return rewards


def _describe(reason: str) -> tuple[str, dict[str, str]]:
    kind, _, detail = reason.partition(":")
    key, argument = REASON_KEYS.get(kind, (OTHER_REASON_KEY, None))
    return key, ({argument: detail} if argument else {})


async def history(session: Session, *, user_id: int, limit: int = 20) -> CreditHistory:
    """Return the user's credit balance per currency and their newest credit movements."""
    currencies = await session.scalars(
        select(CreditEntry.currency)
        .where(CreditEntry.user_id == user_id)
        .distinct()
        .order_by(CreditEntry.currency)
    )
    balances = [await credits.balance(session, user_id=user_id, currency=currency) for currency in currencies]
    entries = await session.scalars(
        select(CreditEntry)
        .where(CreditEntry.user_id == user_id)
        .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())
        .limit(limit)
    )
    lines = []
    for entry in entries:
        key, args = _describe(entry.reason)
        lines.append(
            CreditLine(amount=Money(entry.amount, entry.currency), key=key, args=args, at=entry.created_at)
        )
    return CreditHistory(balances=tuple(balances), lines=tuple(lines))


@privacy.section("referrals")
async def _export(session: Session, user_id: int) -> Any:
    token = await session.scalar(select(ReferralLink.token).where(ReferralLink.user_id == user_id))
    invited_by = await session.scalar(select(Referral.inviter_id).where(Referral.invited_id == user_id))
    invited, rewarded = await invited_count(session, user_id=user_id)
    return {
        "invite_link_parameter": PARAMETER_PREFIX + token if token is not None else None,
        "invited_by_user_id": invited_by,
        "friends_invited": invited,
        "friends_rewarded": rewarded,
    }
