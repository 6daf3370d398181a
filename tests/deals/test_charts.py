"""The price-history picture: the right steps over the window, a small PNG that draws them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PIL import Image

from catalog.prices import PricePoint
from deals import charts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _change(days_ago: int, price: str, previous: str | None) -> PricePoint:
    return PricePoint(
        price=Decimal(price),
        previous_price=None if previous is None else Decimal(previous),
        compare_at_price=None,
        currency="EUR",
        changed_at=NOW - timedelta(days=days_ago),
    )


def test_the_steps_start_with_the_price_in_force_at_the_start_of_the_window() -> None:
    history = [_change(200, "90.00", "100.00"), _change(30, "80.00", "90.00"), _change(2, "64.00", "80.00")]
    assert charts.steps(history, now=NOW) == [
        (NOW - charts.WINDOW, Decimal("90.00")),
        (NOW - timedelta(days=30), Decimal("80.00")),
        (NOW - timedelta(days=2), Decimal("64.00")),
    ]
    only_recent = [_change(1, "40.00", "50.00")]
    assert charts.steps(only_recent, now=NOW)[0] == (NOW - charts.WINDOW, Decimal("50.00"))
    assert charts.steps([], now=NOW) == []


def test_the_picture_is_a_small_png_with_the_line_in_it() -> None:
    history = [_change(30, "80.00", "99.90"), _change(2, "64.00", "80.00")]
    picture = charts.price_history(history, now=NOW, currency="EUR", locale="de")
    image = Image.open(io.BytesIO(picture))
    assert (image.format, image.size) == ("PNG", (charts.WIDTH, charts.HEIGHT))
    assert len(picture) < 40_000
    colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=100_000) or []}
    assert charts.LINE in colours and charts.NOW in colours, "the price line and today's dot are drawn"
    flat = charts.price_history([_change(5, "20.00", "20.00")], now=NOW, currency="EUR", locale="en")
    assert Image.open(io.BytesIO(flat)).size == (charts.WIDTH, charts.HEIGHT)
