"""A small picture of a product's price over the last weeks, for price-drop messages (drawn with Pillow).

The price is drawn as steps (a price holds until it changes), the area below it lightly filled, the
highest price and today's price labelled, the first and last day on the axis. Amounts and dates follow
the reader's language (amounts with the currency's code, which the built-in font can draw).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from PIL import Image, ImageDraw, ImageFont

from catalog.prices import PricePoint
from core.i18n import babel_locale

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 24, 24, 36, 44
WINDOW = timedelta(days=90)
BACKGROUND = (255, 255, 255)
GRID = (226, 230, 236)
LINE = (31, 94, 168)
FILL = (222, 234, 248)
NOW = (200, 40, 60)
TEXT = (60, 64, 72)


def steps(
    points: Sequence[PricePoint], *, now: datetime, window: timedelta = WINDOW
) -> list[tuple[datetime, Decimal]]:
    """Return the price from ``now - window`` until ``now`` as (from when, price) steps, oldest first."""
    start = now - window
    ordered = sorted(points, key=lambda point: point.changed_at)
    if not ordered:
        return []
    before = [point for point in ordered if point.changed_at <= start]
    if before:
        opening = before[-1].price
    else:
        opening = ordered[0].previous_price if ordered[0].previous_price is not None else ordered[0].price
    series = [(start, opening)]
    series += [(point.changed_at, point.price) for point in ordered if start < point.changed_at <= now]
    return series


def price_history(
    points: Sequence[PricePoint], *, now: datetime, currency: str, locale: str, window: timedelta = WINDOW
) -> bytes:
    """Draw the price history as a PNG of WIDTH × HEIGHT pixels."""
    series = steps(points, now=now, window=window)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    if not series:
        return _png(image)
    start = now - window
    values = [price for _, price in series]
    low, high = min(values), max(values)
    pad = (high - low) * Decimal("0.15") or max(high * Decimal("0.1"), Decimal(1))
    floor, ceiling = max(Decimal(0), low - pad), high + pad
    span_x = (now - start).total_seconds()

    def x(moment: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (moment - start).total_seconds() / span_x

    def y(price: Decimal) -> float:
        return TOP + float((ceiling - price) / (ceiling - floor)) * (HEIGHT - TOP - BOTTOM)

    for price in (low, high):
        draw.line([(LEFT, y(price)), (WIDTH - RIGHT, y(price))], fill=GRID, width=1)
    outline: list[tuple[float, float]] = []
    for number, (moment, price) in enumerate(series):
        if number:
            outline.append((x(moment), outline[-1][1]))
        outline.append((x(moment), y(price)))
    outline.append((x(now), outline[-1][1]))
    base = HEIGHT - BOTTOM
    draw.polygon([(outline[0][0], base), *outline, (outline[-1][0], base)], fill=FILL)
    draw.line(outline, fill=LINE, width=3, joint="curve")
    last_x, last_y = outline[-1]
    draw.ellipse([last_x - 6, last_y - 6, last_x + 6, last_y + 6], fill=NOW)

    highest = _amount(high, currency, locale)
    draw.text((LEFT, y(high) - 6), highest, fill=TEXT, font=font, anchor="ls")
    current = _amount(values[-1], currency, locale)
    # Left of the last step, so the label never sits on the line.
    draw.text((min(last_x, x(series[-1][0])) - 8, last_y - 8), current, fill=NOW, font=font, anchor="rs")
    where = babel_locale(locale)
    draw.text(
        (LEFT, HEIGHT - 14),
        format_date(start.date(), "d MMM", locale=where),
        fill=TEXT,
        font=small,
        anchor="ls",
    )
    draw.text(
        (WIDTH - RIGHT, HEIGHT - 14),
        format_date(now.date(), "d MMM", locale=where),
        fill=TEXT,
        font=small,
        anchor="rs",
    )
    return _png(image)


def _amount(value: Decimal, currency: str, locale: str) -> str:
    # Pillow's built-in font has no currency signs: "79,90 EUR" rather than "79,90 €".
    return f"{format_decimal(value, format='#,##0.00', locale=babel_locale(locale))} {currency}"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
