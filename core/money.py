"""Money: a Decimal amount with its currency; minor units only at the edges (Telegram invoices)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency (``Decimal``, never float)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("money is never a float")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @property
    def exponent(self) -> int:
        """Return how many decimal places the currency has (EUR 2, JPY 0, XTR 0)."""
        return 0 if self.currency == "XTR" else get_currency_precision(self.currency)

    def quantize(self) -> Money:
        """Round half-up to the currency's smallest unit."""
        return Money(
            self.amount.quantize(Decimal(1).scaleb(-self.exponent), rounding=ROUND_HALF_UP), self.currency
        )

    @property
    def minor(self) -> int:
        """Return the amount in minor units (cents), as Telegram's invoices want it."""
        return int(self.quantize().amount.scaleb(self.exponent))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build money from minor units."""
        probe = cls(Decimal(0), currency)
        return cls(Decimal(minor).scaleb(-probe.exponent), currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(self.amount * factor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")
