"""Properties of money: minor units round-trip, rounding is half-up to the currency's unit, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import Money

# Euro cents, yen without a minor unit, Telegram Stars (XTR, whole stars), and a currency with three places.
CURRENCIES = {"EUR": 2, "JPY": 0, "XTR": 0, "KWD": 3}
amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(amount=amounts, currency=st.sampled_from(sorted(CURRENCIES)))
def test_minor_units_are_the_amount_rounded_half_up_and_come_back_unchanged(
    amount: Decimal, currency: str
) -> None:
    money = Money(amount, currency)
    places = CURRENCIES[currency]
    expected = int((amount * 10**places).to_integral_value(rounding=ROUND_HALF_UP))
    assert money.minor == expected
    back = Money.from_minor(money.minor, currency)
    assert back == money.quantize() and back.minor == money.minor
    assert back.quantize() == back, "rounding twice changes nothing"
    assert isinstance(back.amount, Decimal)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    parts=st.lists(st.decimals(min_value=0, max_value=10_000, places=2), min_size=1, max_size=20),
    factor=st.integers(min_value=0, max_value=99),
)
def test_sums_and_multiples_of_cents_are_exact(parts: list[Decimal], factor: int) -> None:
    total = sum((Money(part, "EUR") for part in parts), Money(Decimal(0), "EUR"))
    assert total.amount == sum(parts) and total.minor == sum(Money(part, "EUR").minor for part in parts)
    assert (total * factor).minor == total.minor * factor
    assert (total - total) == Money(Decimal(0), "EUR")


@settings(max_examples=50, deadline=None, derandomize=True, database=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_is_never_money(value: float) -> None:
    with pytest.raises(TypeError):
        Money(value, "EUR")  # type: ignore[arg-type]
