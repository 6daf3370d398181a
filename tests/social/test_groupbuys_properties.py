"""Properties of group-buy tiers: every well-formed list is read as written, every broken one is refused,
and buying more never makes a unit dearer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import Money
from social.errors import Refused
from social.groupbuys import TIERS_MAX, Tier, parse_tiers, reached


@dataclass(frozen=True)
class Written:
    """Tiers as a retailer may write them: starts, the end of each range (None: a starting point), prices."""

    starts: list[int]
    ends: list[int | None]
    prices: list[Decimal]
    open_end: bool
    separator: str
    decimal_comma: bool
    euro: bool

    def text(self) -> str:
        """Return the tiers in writing, e.g. ``1-4:50 5-9:42,50 € 10+:35``."""
        parts = []
        for number, (start, end, price) in enumerate(zip(self.starts, self.ends, self.prices, strict=True)):
            last = number == len(self.starts) - 1
            units = (
                f"{start}+" if last and self.open_end else f"{start}-{end}" if end is not None else str(start)
            )
            amount = f"{price:f}".replace(".", ",") if self.decimal_comma else f"{price:f}"
            parts.append(f"{units}:{amount}{' €' if self.euro else ''}")
        return self.separator.join(parts)


@st.composite
def written_tiers(draw: st.DrawFn) -> Written:
    count = draw(st.integers(min_value=1, max_value=TIERS_MAX))
    starts = [1]
    for _ in range(count - 1):
        starts.append(starts[-1] + draw(st.integers(min_value=1, max_value=500)))
    ends = [
        (following - 1 if draw(st.booleans()) and following - 1 >= start else None)
        for start, following in itertools.pairwise(starts)
    ] + [None]
    cents = sorted(
        draw(
            st.lists(
                st.integers(min_value=1, max_value=99_999_999), min_size=count, max_size=count, unique=True
            )
        ),
        reverse=True,
    )
    return Written(
        starts=starts,
        ends=ends,
        prices=[Decimal(cent).scaleb(-2) for cent in cents],
        open_end=draw(st.booleans()),
        separator=draw(st.sampled_from([" ", ", ", "; ", "  "])),
        decimal_comma=draw(st.booleans()),
        euro=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    written=written_tiers(),
    bought=st.lists(st.integers(min_value=0, max_value=5000), min_size=2, max_size=10),
)
def test_well_formed_tiers_are_read_as_written_and_more_units_never_cost_more(
    written: Written, bought: list[int]
) -> None:
    tiers = parse_tiers(written.text(), currency="EUR")
    assert tiers == tuple(
        Tier(start, Money(price, "EUR")) for start, price in zip(written.starts, written.prices, strict=True)
    )
    fewer, more = min(bought), max(bought)
    assert reached(tiers, more).price.amount <= reached(tiers, fewer).price.amount
    assert reached(tiers, fewer).units <= max(fewer, 1)


BREAKS = ("not from one", "dearer later", "gap", "overlap", "open end first", "junk")


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    written=written_tiers(), broken=st.sampled_from(BREAKS), at=st.integers(min_value=0, max_value=TIERS_MAX)
)
def test_tiers_that_break_a_rule_are_refused(written: Written, broken: str, at: int) -> None:
    starts, ends, prices = list(written.starts), list(written.ends), list(written.prices)
    later = 1 + at % max(len(starts) - 1, 1)  # a tier after the first, when there is one
    if len(starts) < 2 and broken not in ("not from one", "junk"):
        return  # the other rules are about a second tier
    if broken == "not from one":
        starts = [start + 1 for start in starts]
        ends = [None if end is None else end + 1 for end in ends]
    elif broken == "dearer later":
        prices[later] = prices[later - 1] + Decimal(at % 3)
    elif broken == "gap":
        ends[later - 1] = starts[later] - 1
        starts[later] += 1
        end = ends[later]
        if end is not None and end < starts[later]:
            ends[later] = None
    elif broken == "overlap":
        starts[later] = starts[later - 1]
    elif broken == "open end first":
        ends[0] = None
    text = Written(starts, ends, prices, written.open_end, written.separator, False, written.euro).text()
    if broken == "open end first":
        text = text.replace("1:", "1+:", 1)
    elif broken == "junk":
        text += " and ten for less"
    with pytest.raises(Refused):
        parse_tiers(text, currency="EUR")
