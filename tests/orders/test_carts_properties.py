"""Properties of cart totals: the total is the sum of the lines at today's prices, in cents, never a float."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import Money
from orders import carts
from orders.carts import Item

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2).map(
    lambda amount: Money(amount, "EUR")
)


@st.composite
def items(draw: st.DrawFn) -> Item:
    price = draw(prices)
    return Item(
        variant_id=draw(st.integers(min_value=1, max_value=2**31)),
        product_id=draw(st.integers(min_value=1, max_value=2**31)),
        sku="SKU",
        title_de="Artikel",
        title_en="Item",
        colour="black",
        size="M",
        quantity=draw(st.integers(min_value=1, max_value=99)),
        unit_price=price,
        price_when_added=draw(prices),
        added_by=1,
        added_by_name="Anna",
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(lines=st.lists(items(), max_size=30), cut=st.integers(min_value=0, max_value=30))
def test_the_total_is_the_sum_of_the_lines_and_adds_up_over_any_split(lines: list[Item], cut: int) -> None:
    total = carts.total(lines)
    assert isinstance(total.amount, Decimal) and total.currency == "EUR"
    assert total.amount == sum((line.unit_price.amount * line.quantity for line in lines), Decimal(0))
    assert total.minor == sum(line.unit_price.minor * line.quantity for line in lines)
    assert carts.total(lines[:cut]) + carts.total(lines[cut:]) == total
    assert carts.total(list(reversed(lines))) == total, "the order of the lines does not matter"
