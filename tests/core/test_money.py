"""Money is Decimal with a currency; minor units only where Telegram wants them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.money import Money


def test_minor_units_round_half_up() -> None:
    assert Money(Decimal("79.905"), "EUR").minor == 7991
    assert Money(Decimal("79.90"), "EUR").minor == 7990
    assert Money.from_minor(7990, "EUR") == Money(Decimal("79.90"), "EUR")


def test_stars_and_yen_have_no_minor_unit() -> None:
    assert Money(Decimal(50), "XTR").minor == 50
    assert Money(Decimal(500), "JPY").minor == 500


def test_arithmetic_keeps_the_currency_and_refuses_mixing() -> None:
    total = Money(Decimal("10.10"), "EUR") + Money(Decimal("0.20"), "EUR") * 2
    assert total == Money(Decimal("10.50"), "EUR")
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


def test_floats_and_bad_currencies_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money(Decimal(1), "euro")
