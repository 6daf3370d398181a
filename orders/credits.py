"""Credits and vouchers: a ledger per user (the balance is its sum) and promotion codes.

A voucher worth an amount adds that credit when redeemed. A percentage voucher is kept as a redemption
and takes its percentage off the next order's goods. At checkout the voucher applies first, then the
credit balance, and together they leave at least one minor unit (1 cent, 1 Star) to pay: Telegram
refuses invoices of zero. The credit is spent (a negative ledger entry) when the payment arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select, update

from core import privacy
from core.db import Session, upsert
from core.money import Money
from orders.models import CreditEntry, Voucher, VoucherRedemption
from orders.states import Refused


@dataclass(frozen=True, slots=True)
class Redemption:
    """A redeemed voucher: the credit it added, or the percentage it takes off the next order."""

    code: str
    credit: Money | None
    percent: int | None


@dataclass(frozen=True, slots=True)
class Discount:
    """What a checkout takes off the goods: from a percentage voucher, then from the credit balance."""

    voucher: Money
    credit: Money
    voucher_redemption_id: int | None

    @property
    def total(self) -> Money:
        """Return the whole discount."""
        return self.voucher + self.credit


async def grant(session: Session, *, user_id: int, amount: Money, reason: str, now: datetime) -> Money:
    """Add credit to the user's account (negative to take it back); return the new balance."""
    session.add(
        CreditEntry(
            user_id=user_id, amount=amount.amount, currency=amount.currency, reason=reason, created_at=now
        )
    )
    await session.flush()
    return await balance(session, user_id=user_id, currency=amount.currency)


async def balance(session: Session, *, user_id: int, currency: str) -> Money:
    """Return the user's credit in ``currency``."""
    total = await session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.user_id == user_id, CreditEntry.currency == currency
        )
    )
    return Money(Decimal(total or 0), currency)


async def create_voucher(
    session: Session,
    *,
    code: str,
    amount: Money | None = None,
    percent: int | None = None,
    currency: str = "EUR",
    valid_until: datetime | None = None,
    max_uses: int | None = None,
) -> bool:
    """Create a voucher worth ``amount`` or ``percent`` unless the code exists; True if it was created."""
    if (amount is None) == (percent is None):
        raise ValueError("a voucher is worth either an amount or a percentage")
    created = await upsert(
        session,
        Voucher.__table__,
        {
            "code": code.strip().upper(),
            "amount": amount.amount if amount is not None else None,
            "percent": percent,
            "currency": amount.currency if amount is not None else currency,
            "valid_until": valid_until,
            "max_uses": max_uses,
            "uses": 0,
        },
        conflict=["code"],
    )
    return created == 1


async def redeem_voucher(session: Session, *, user_id: int, code: str, now: datetime) -> Redemption:
    """Redeem a voucher code for the user, once per user and code, within its validity and uses."""
    code = code.strip().upper()
    voucher = await session.scalar(select(Voucher).where(Voucher.code == code))
    if voucher is None:
        raise Refused("voucher-error-unknown", code=code)
    if voucher.valid_until is not None and voucher.valid_until < now:
        raise Refused("voucher-error-expired", code=code)
    redeemed = await session.scalar(
        select(VoucherRedemption.id).where(
            VoucherRedemption.voucher_id == voucher.id, VoucherRedemption.user_id == user_id
        )
    )
    if redeemed is not None:
        raise Refused("voucher-error-already-redeemed", code=code)
    # Counting in the UPDATE keeps two simultaneous redemptions from exceeding max_uses.
    counted = await session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id)
        .where((Voucher.max_uses.is_(None)) | (Voucher.uses < Voucher.max_uses))
        .values(uses=Voucher.uses + 1)
    )
    if not getattr(counted, "rowcount", 0):
        raise Refused("voucher-error-used-up", code=code)
    session.add(VoucherRedemption(voucher_id=voucher.id, user_id=user_id, redeemed_at=now))
    credit = None
    if voucher.amount is not None:
        credit = Money(voucher.amount, voucher.currency)
        await grant(session, user_id=user_id, amount=credit, reason=f"voucher:{code}", now=now)
    await session.flush()
    return Redemption(code=code, credit=credit, percent=voucher.percent)


async def discount(session: Session, *, user_id: int, subtotal: Money, now: datetime) -> Discount:
    """Return what the user's percentage voucher and credit take off ``subtotal``."""
    payable = subtotal - Money.from_minor(1, subtotal.currency)
    zero = Money(Decimal(0), subtotal.currency)
    if payable.amount <= 0:
        return Discount(voucher=zero, credit=zero, voucher_redemption_id=None)
    row = (
        await session.execute(
            select(VoucherRedemption.id, Voucher.percent)
            .join(Voucher, Voucher.id == VoucherRedemption.voucher_id)
            .where(
                VoucherRedemption.user_id == user_id,
                VoucherRedemption.order_id.is_(None),
                Voucher.percent.is_not(None),
                (Voucher.valid_until.is_(None)) | (Voucher.valid_until >= now),
            )
            .order_by(VoucherRedemption.redeemed_at, VoucherRedemption.id)
            .limit(1)
        )
    ).one_or_none()
    voucher, redemption_id = zero, None
    if row is not None:
        redemption_id, percent = row[0], int(row[1] or 0)
        off = (subtotal.amount * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        voucher = Money(min(off, payable.amount), subtotal.currency)
    credit = await balance(session, user_id=user_id, currency=subtotal.currency)
    credit = Money(max(Decimal(0), min(credit.amount, payable.amount - voucher.amount)), subtotal.currency)
    return Discount(voucher=voucher, credit=credit, voucher_redemption_id=redemption_id)


async def spend(
    session: Session,
    *,
    user_id: int,
    credit: Money,
    voucher_redemption_id: int | None,
    order_id: int,
    number: str,
    now: datetime,
) -> None:
    """Book the credit and the voucher an order used."""
    if credit.amount > 0:
        session.add(
            CreditEntry(
                user_id=user_id,
                amount=-credit.amount,
                currency=credit.currency,
                reason=f"order:{number}",
                order_id=order_id,
                created_at=now,
            )
        )
    if voucher_redemption_id is not None:
        await session.execute(
            update(VoucherRedemption)
            .where(VoucherRedemption.id == voucher_redemption_id)
            .values(order_id=order_id)
        )
    await session.flush()


@privacy.section("credits")
async def _export(session: Session, user_id: int) -> Any:
    entries = await session.scalars(
        select(CreditEntry)
        .where(CreditEntry.user_id == user_id)
        .order_by(CreditEntry.created_at, CreditEntry.id)
    )
    vouchers = await session.execute(
        select(Voucher.code, VoucherRedemption.redeemed_at)
        .join(Voucher, Voucher.id == VoucherRedemption.voucher_id)
        .where(VoucherRedemption.user_id == user_id)
    )
    return {
        "ledger": [
            {
                "amount": str(entry.amount),
                "currency": entry.currency,
                "reason": entry.reason,
                "at": entry.created_at.isoformat(),
            }
            for entry in entries
        ],
        "vouchers": [{"code": code, "redeemed_at": at.isoformat()} for code, at in vouchers],
    }
