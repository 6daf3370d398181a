"""Product pictures drawn locally: a clean silhouette of the item in its colour on a soft background.

Pictures are deterministic (the same product, colour and brand give the same PNG) and need nothing but
Pillow and its built-in font. Shapes are drawn on a 100 × 100 grid, twice the final size, and scaled
down, which smooths the edges.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from catalog.vocabulary import COLOURS

SIZE = 640
_SUPERSAMPLE = 2

Point = tuple[float, float]
Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """A picture under the media folder: its relative path, its size and whether it was just drawn."""

    path: str
    width: int
    height: int
    created: bool


@dataclass(frozen=True, slots=True)
class _Poly:
    points: tuple[Point, ...]
    paint: str = "body"


@dataclass(frozen=True, slots=True)
class _Ellipse:
    box: Box
    paint: str = "body"


@dataclass(frozen=True, slots=True)
class _Rect:
    box: Box
    paint: str = "body"
    radius: float = 0.0


@dataclass(frozen=True, slots=True)
class _Line:
    points: tuple[Point, ...]
    paint: str = "detail"
    width: float = 0.8


_Part = _Poly | _Ellipse | _Rect | _Line


def _mirror(points: tuple[Point, ...]) -> tuple[Point, ...]:
    return tuple((100 - x, y) for x, y in points)


def _buttons(x: float, ys: tuple[float, ...], radius: float = 0.9) -> tuple[_Part, ...]:
    return tuple(_Ellipse((x - radius, y - radius, x + radius, y + radius), "detail") for y in ys)


def _symmetric(half: tuple[Point, ...], paint: str = "body") -> _Poly:
    """A polygon from its left half, top to bottom, mirrored onto the right."""
    return _Poly(half + tuple(reversed(_mirror(half))), paint)


_LONG_SLEEVES: tuple[Point, ...] = ((45, 16), (38, 18), (27, 24), (16, 68), (24, 70), (33, 40), (33, 84))
_SHORT_SLEEVES: tuple[Point, ...] = ((44, 18), (37, 20), (18, 31), (25, 44), (33, 40), (33, 82))
_COAT: tuple[Point, ...] = ((45, 14), (37, 17), (26, 23), (15, 72), (23, 74), (32, 40), (30, 92))
_JACKET: tuple[Point, ...] = ((45, 15), (37, 18), (26, 24), (15, 70), (23, 72), (32, 40), (32, 80))
_LAPELS = (
    _Poly(((45, 15), (50, 44), (40, 28), (42, 18)), "shade"),
    _Poly(((55, 15), (50, 44), (60, 28), (58, 18)), "shade"),
)
_CUFFS = (_Line(((16.5, 64), (24.5, 66))), _Line(((83.5, 64), (75.5, 66))))
_HOOD = _Poly(((38, 18), (39, 8), (44, 4), (56, 4), (61, 8), (62, 18), (55, 15), (45, 15)), "shade")

_SHAPES: dict[str, tuple[_Part, ...]] = {
    "tshirt": (
        _symmetric(_SHORT_SLEEVES),
        _Line(((44, 18.5), (47, 22.5), (50, 23.5), (53, 22.5), (56, 18.5)), width=1.2),
        _Line(((24, 42), (18.8, 33))),
        _Line(((76, 42), (81.2, 33))),
    ),
    "shirt": (
        _symmetric(_LONG_SLEEVES),
        _Poly(((45, 16), (50, 22), (43, 25), (40, 18)), "shade"),
        _Poly(((55, 16), (50, 22), (57, 25), (60, 18)), "shade"),
        _Line(((50, 22), (50, 84))),
        *_buttons(52.5, (30, 40, 50, 60, 70, 79)),
        *_CUFFS,
    ),
    "blouse": (
        _symmetric(((45, 16), (38, 18), (27, 24), (18, 66), (25, 68), (34, 40), (31, 80))),
        _Line(((45, 16), (50, 28), (55, 16)), width=1.2),
        _Poly(((50, 28), (45, 33), (47, 36), (50, 30), (53, 36), (55, 33)), "shade"),
        _Line(((34, 58), (66, 58))),
    ),
    "sweater": (
        _symmetric(_LONG_SLEEVES),
        _Line(((44, 17), (47, 21), (50, 22), (53, 21), (56, 17)), width=1.4),
        _Rect((33, 79, 67, 84), "shade"),
        *(_Line(((x, 79.5), (x, 83.5)), width=0.4) for x in range(35, 67, 2)),
        *_CUFFS,
    ),
    "puffer": (
        _symmetric(_JACKET),
        _Rect((42, 11, 58, 17), "shade", 2),
        *(_Line(((33, y), (67, y)), width=0.6) for y in (30, 42, 54, 66)),
        *(_Line(((x0, y), (x1, y + 2)), width=0.6) for x0, x1, y in ((27, 20, 40), (73, 80, 40))),
        _Line(((50, 17), (50, 80)), width=1.0),
    ),
    "raincoat": (
        _symmetric(_JACKET),
        _HOOD,
        _Line(((50, 15), (50, 80)), width=1.0),
        _Rect((36, 58, 45, 60), "shade"),
        _Rect((55, 58, 64, 60), "shade"),
        *_CUFFS,
    ),
    "parka": (
        _symmetric(_COAT),
        _HOOD,
        _Line(((50, 15), (50, 92)), width=1.0),
        _Rect((35, 60, 45, 68), "shade", 1),
        _Rect((55, 60, 65, 68), "shade", 1),
        _Line(((31, 54), (69, 54)), width=0.6),
    ),
    "biker": (
        _symmetric(_JACKET),
        *_LAPELS,
        _Line(((58, 20), (46, 44), (46, 80)), "metal", 1.0),
        _Line(((36, 50), (44, 48)), "metal", 0.8),
        _Rect((32, 74, 68, 80), "shade"),
        *_CUFFS,
    ),
    "coat": (
        _symmetric(_COAT),
        *_LAPELS,
        _Line(((50, 44), (50, 92))),
        *_buttons(45, (52, 62, 72), 1.1),
        *_buttons(55, (52, 62, 72), 1.1),
        _Line(((34, 70), (42, 70))),
        _Line(((58, 70), (66, 70))),
    ),
    "blazer": (
        _symmetric(_JACKET),
        _Poly(((45, 15), (55, 15), (50, 44)), "white"),
        *_LAPELS,
        _Line(((50, 44), (50, 80))),
        *_buttons(52, (52, 62), 1.1),
        _Line(((35, 66), (43, 66))),
        _Line(((57, 66), (65, 66))),
    ),
    "suit": (
        _symmetric(_JACKET),
        _Poly(((45, 15), (55, 15), (50, 44)), "white"),
        _Poly(((49, 18), (51, 18), (52.5, 38), (50, 42), (47.5, 38)), "shade"),
        *_LAPELS,
        _Line(((50, 44), (50, 80))),
        *_buttons(52, (52, 62), 1.1),
        _Line(((57, 30), (63, 29)), "white", 1.2),
    ),
    "trousers": (
        _Poly(((32, 14), (68, 14), (72, 88), (55, 88), (50, 36), (45, 88), (28, 88))),
        _Rect((32, 14, 68, 19), "shade"),
        _Line(((50, 19), (50, 33))),
        _Line(((40, 22), (37, 88)), width=0.5),
        _Line(((60, 22), (63, 88)), width=0.5),
    ),
    "jeans": (
        _Poly(((32, 14), (68, 14), (72, 88), (55, 88), (50, 36), (45, 88), (28, 88))),
        _Rect((32, 14, 68, 19), "shade"),
        _Line(((50, 19), (50, 33)), "stitch"),
        _Line(((33, 22), (38, 23), (42, 19)), "stitch"),
        _Line(((67, 22), (62, 23), (58, 19)), "stitch"),
        _Line(((29.5, 82), (44.5, 82)), "stitch", 0.5),
        _Line(((55.5, 82), (70.5, 82)), "stitch", 0.5),
        _Ellipse((49, 15.5, 51, 17.5), "metal"),
    ),
    "dress": (
        _symmetric(((50, 21), (45, 19), (44, 12), (41, 12), (39, 28), (42, 40), (26, 88))),
        _Line(((42, 40), (58, 40)), width=1.2),
        _Line(((45, 19), (50, 23), (55, 19)), width=1.0),
        _Line(((44, 52), (38, 86)), width=0.5),
        _Line(((56, 52), (62, 86)), width=0.5),
    ),
    "skirt": (
        _Poly(((36, 24), (64, 24), (78, 80), (22, 80))),
        _Rect((36, 22, 64, 28), "shade"),
        *(_Line(((50 + dx * 0.5, 28), (50 + dx, 80)), width=0.5) for dx in (-20, -10, 0, 10, 20)),
    ),
    "sneaker": (
        _Poly(((14, 66), (17, 44), (27, 40), (40, 42), (57, 52), (75, 54), (86, 59), (88, 66))),
        _Poly(((75, 54), (86, 59), (88, 66), (72, 66)), "shade"),
        _Poly(((14, 66), (17, 44), (24, 42), (26, 66)), "shade"),
        _Poly(((12, 66), (88, 66), (90, 71), (87, 76), (14, 76), (11, 71)), "sole"),
        *(_Line(((38 + 5 * i, 44 + 2.5 * i), (44 + 5 * i, 48 + 2.5 * i)), "white", 1.0) for i in range(4)),
        _Line(((34, 62), (50, 54), (66, 60)), "white", 1.2),
    ),
    "boot": (
        _Poly(((20, 72), (22, 16), (44, 16), (46, 50), (66, 55), (82, 61), (86, 72))),
        _Rect((20, 16, 46, 21), "shade"),
        _Poly(((18, 72), (88, 72), (88, 80), (18, 80)), "shade"),
        _Rect((18, 78, 32, 82), "shade"),
        _Line(((46, 26), (46, 48)), "metal", 0.8),
    ),
    "dress-shoe": (
        _Poly(((14, 66), (15, 50), (24, 47), (36, 51), (48, 50), (66, 53), (80, 57), (88, 61), (90, 66))),
        _Poly(((23, 48.5), (36, 52), (35, 54.5), (24, 52)), "shade"),
        _Poly(((66, 53), (80, 57), (88, 61), (90, 66), (72, 66)), "shade"),
        _Line(((46, 51), (52, 56)), width=0.6),
        *(_Ellipse((72 + 3.5 * i, 58.5 + 0.6 * i, 73 + 3.5 * i, 59.5 + 0.6 * i), "detail") for i in range(4)),
        _Poly(((12, 66), (91, 66), (90, 70), (12, 70)), "shade"),
        _Rect((14, 70, 27, 76), "shade"),
    ),
    "bag": (
        _Line(((34, 40), (36, 22), (50, 16), (64, 22), (66, 40)), "shade", 3.0),
        _Rect((20, 38, 80, 86), "body", 6),
        _Poly(((20, 44), (80, 44), (80, 58), (50, 66), (20, 58)), "shade"),
        _Rect((46, 61, 54, 68), "metal", 1),
        _Line(((24, 80), (76, 80)), width=0.5),
    ),
    "scarf": (
        _Poly(((30, 14), (70, 14), (70, 32), (62, 44), (62, 86), (48, 86), (48, 44), (38, 32), (30, 30))),
        _Poly(((30, 14), (70, 14), (66, 24), (34, 24)), "shade"),
        _Poly(((48, 44), (62, 44), (54, 54), (36, 86), (24, 82), (40, 50)), "shade"),
        *(_Line(((x, 86), (x, 91)), width=0.6) for x in range(49, 62, 2)),
        *(_Line(((24 + 1.5 * i, 83 + 0.5 * i), (22.5 + 1.5 * i, 88 + 0.5 * i)), width=0.6) for i in range(8)),
    ),
    "belt": (
        _Rect((8, 44, 70, 56), "body", 2),
        _Rect((70, 40, 86, 60), "metal", 2),
        _Rect((73.5, 43.5, 82.5, 56.5), "background", 1),
        _Line(((66, 50), (80, 50)), "metal", 1.4),
        _Rect((86, 44, 94, 56), "body", 2),
        *(_Ellipse((x - 0.9, 49.1, x + 0.9, 50.9), "detail") for x in (22, 30, 38, 46)),
        _Line(((8, 46), (70, 46)), "stitch", 0.4),
        _Line(((8, 54), (70, 54)), "stitch", 0.4),
    ),
    "beanie": (
        _Poly(((24, 66), (25, 48), (31, 34), (41, 27), (50, 25), (59, 27), (69, 34), (75, 48), (76, 66))),
        _Rect((22, 62, 78, 78), "shade", 3),
        _Ellipse((43, 14, 57, 28), "shade"),
        *(_Line(((x, 63), (x, 77)), width=0.5) for x in range(26, 76, 4)),
    ),
    "hat": (
        _Ellipse((10, 56, 90, 76), "shade"),
        _Poly(((28, 66), (30, 36), (38, 28), (50, 26), (62, 28), (70, 36), (72, 66))),
        _Rect((28.5, 54, 71.5, 60), "shade"),
    ),
    "cushion": (
        _Poly(((18, 20), (50, 24), (82, 20), (78, 50), (82, 80), (50, 76), (18, 80), (22, 50))),
        _Line(((22, 50), (50, 50), (78, 50)), width=0.4),
        _Line(((50, 24), (50, 76)), width=0.4),
        _Ellipse((47.5, 47.5, 52.5, 52.5), "shade"),
    ),
    "blanket": (
        _Rect((16, 62, 84, 82), "body", 3),
        _Rect((18, 44, 82, 64), "shade", 3),
        _Rect((20, 26, 80, 46), "body", 3),
        *(_Line(((x0, y), (x1, y)), width=0.7) for x0, x1, y in ((16, 84, 72), (18, 82, 54), (20, 80, 36))),
    ),
    "bedding": (
        _Rect((14, 44, 86, 86), "body", 3),
        _Rect((24, 20, 76, 44), "white", 5),
        _Line(((28, 40), (72, 40)), "detail", 0.5),
        _Poly(((14, 50), (86, 50), (86, 58), (14, 58)), "shade"),
        _Line(((14, 72), (86, 72)), width=0.4),
    ),
    "lamp": (
        _Ellipse((28, 38, 72, 52), "light"),
        _Line(((50, 44), (50, 84)), "metal", 1.6),
        _Ellipse((36, 82, 64, 88), "metal"),
        _Poly(((34, 16), (66, 16), (76, 44), (24, 44))),
        _Line(((25, 42), (75, 42)), width=0.6),
    ),
    "vase": (
        _symmetric(((42, 16), (43, 20), (41, 30), (30, 48), (28, 62), (33, 78), (38, 86))),
        _Rect((40, 14, 60, 18), "shade", 1),
        _Line(((31, 56), (69, 56)), width=0.6),
        _Line(((30, 62), (70, 62)), width=0.6),
    ),
    "mug": (
        _Ellipse((62, 40, 84, 68), "body"),
        _Ellipse((67, 46, 79, 62), "background"),
        _Rect((22, 30, 68, 82), "body", 4),
        _Ellipse((22, 27, 68, 35), "shade"),
        _Line(((22, 70), (68, 70)), width=0.6),
    ),
    "plate": (
        _Ellipse((12, 30, 88, 76), "body"),
        _Ellipse((24, 37, 76, 69), "shade"),
        _Ellipse((26, 38.5, 74, 67.5), "body"),
    ),
    "candle": (
        _Ellipse((42, 12, 58, 32), "light"),
        _Poly(((50, 14), (54, 24), (52, 29), (48, 29), (46, 24)), "flame"),
        _Line(((50, 29), (50, 34)), "wick", 0.8),
        _Rect((36, 34, 64, 86), "body", 2),
        _Ellipse((36, 31, 64, 37), "shade"),
        _Poly(((40, 34), (44, 34), (44, 44), (42, 46), (40, 44)), "shade"),
    ),
}

SHAPES = frozenset(_SHAPES)


@cache
def _offset(shape: str) -> Point:
    """Return the shift that centres the shape and stands it on the shadow."""
    points = [
        point
        for part in _SHAPES[shape]
        for point in (part.points if isinstance(part, _Poly | _Line) else (part.box[:2], part.box[2:]))
    ]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return 50 - (min(xs) + max(xs)) / 2, 90 - max(ys)


def _mix(colour: RGB, other: RGB, share: float) -> RGB:
    r, g, b = (round(a + (o - a) * share) for a, o in zip(colour, other, strict=True))
    return (r, g, b)


def _luminance(colour: RGB) -> float:
    r, g, b = colour
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


_BLACK: RGB = (0, 0, 0)
_WHITE: RGB = (255, 255, 255)
_FIXED_PAINTS: dict[str, tuple[RGB, RGB]] = {
    "sole": ((244, 242, 236), (188, 186, 180)),
    "metal": ((206, 168, 82), (150, 118, 50)),
    "white": ((249, 249, 247), (200, 200, 198)),
    "light": ((255, 238, 178), (255, 238, 178)),
    "flame": ((248, 176, 58), (226, 120, 40)),
    "wick": ((60, 50, 40), (60, 50, 40)),
    "stitch": ((214, 160, 70), (214, 160, 70)),
}


def _paints(colour: RGB) -> tuple[RGB, dict[str, tuple[RGB, RGB]]]:
    """Return the background and, per paint, its fill and outline."""
    light = _luminance(colour) > 0.7
    background = (222, 228, 236) if light else _mix(colour, (250, 248, 244), 0.86)
    dark = _luminance(colour) < 0.3
    outline = _mix(colour, _BLACK, 0.35)
    shade = _mix(colour, _WHITE, 0.14) if dark else _mix(colour, _BLACK, 0.16)
    detail = _mix(colour, _WHITE, 0.38) if dark else _mix(colour, _BLACK, 0.38)
    return background, {
        "body": (colour, outline),
        "shade": (shade, outline),
        "detail": (detail, detail),
        "background": (background, outline),
        **_FIXED_PAINTS,
    }


def render(*, shape: str, colour: str, brand: str) -> Image.Image:
    """Draw a product picture of ``shape`` in the named colour, the brand written small underneath."""
    if shape not in _SHAPES:
        raise ValueError(f"no picture for the shape {shape!r}")
    if colour not in COLOURS:
        raise ValueError(f"unknown colour {colour!r}")
    canvas = SIZE * _SUPERSAMPLE
    background, paints = _paints(COLOURS[colour].rgb)
    image = Image.new("RGB", (canvas, canvas), background)
    draw = ImageDraw.Draw(image)
    unit = canvas / 100
    # The 100 × 100 grid fills the picture down to the shadow; the brand sits below it.
    scale = 0.92 * unit
    dx, dy = _offset(shape)

    def at(point: Point) -> tuple[float, float]:
        return 4 * unit + (point[0] + dx) * scale, 1 * unit + (point[1] + dy) * scale

    outline_width = max(1, round(0.45 * scale))
    draw.ellipse((*at((14 - dx, 88 - dy)), *at((86 - dx, 96 - dy))), fill=_mix(background, _BLACK, 0.07))
    for part in _SHAPES[shape]:
        fill, outline = paints[part.paint]
        if isinstance(part, _Line):
            draw.line(
                [at(p) for p in part.points],
                fill=fill,
                width=max(1, round(part.width * scale)),
                joint="curve",
            )
        elif isinstance(part, _Poly):
            draw.polygon([at(p) for p in part.points], fill=fill, outline=outline, width=outline_width)
        else:
            box = (*at(part.box[:2]), *at(part.box[2:]))
            if isinstance(part, _Ellipse):
                draw.ellipse(box, fill=fill, outline=outline, width=outline_width)
            else:
                draw.rounded_rectangle(
                    box, radius=part.radius * scale, fill=fill, outline=outline, width=outline_width
                )
    draw.text(
        (canvas / 2, canvas * 0.955),
        brand.upper(),
        fill=_mix(background, _BLACK, 0.5),
        # A font of its own per picture: pictures are drawn in threads, and a FreeType face is not
        # safe to share between them (loading the built-in one takes microseconds).
        font=ImageFont.load_default(size=round(canvas * 0.034)),
        anchor="ms",
    )
    return image.reduce(_SUPERSAMPLE)


def ensure(*, media_dir: Path, path: str, shape: str, colour: str, brand: str) -> GeneratedImage:
    """Draw the picture to ``media_dir / path`` unless that file exists; return its path and size."""
    target = media_dir / path
    if target.is_file():
        with Image.open(target) as existing:
            width, height = existing.size
        return GeneratedImage(path=path, width=width, height=height, created=False)
    picture = render(shape=shape, colour=colour, brand=brand)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Level 1 takes a third less time than the default for files about 1.7 times as large (18 KB), which
    # matters on the first start, when the demo's pictures are drawn before the bot answers.
    _save_atomically(picture, target, format="PNG", compress_level=1)
    return GeneratedImage(path=path, width=picture.width, height=picture.height, created=True)


JPEG_FOLDER = ".jpeg"


def jpeg(*, media_dir: Path, path: str, max_side: int) -> Path | None:
    """Return a JPEG copy (at most ``max_side`` pixels wide and high) of a picture, made once and kept.

    Telegram takes only JPEG from URLs (inline results, thumbnails), while pictures are stored as drawn
    or imported. None when the picture does not exist or the path leaves the media folder.
    """
    root = media_dir.resolve()
    source = (root / path).resolve()
    if not source.is_relative_to(root) or not source.is_file():
        return None
    target = root / JPEG_FOLDER / str(max_side) / f"{source.relative_to(root)}.jpg"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        target.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(source) as picture:
            copy = picture.convert("RGB")
            copy.thumbnail((max_side, max_side))
            _save_atomically(copy, target, format="JPEG", quality=85, optimize=True)
    return target


def _save_atomically(picture: Image.Image, target: Path, **options: object) -> None:
    """Write the picture under a temporary name of its own, then rename it into place.

    Several processes (bot instances sharing the media folder) may make the same picture at once: each
    writes its own file, and whichever rename comes last leaves a complete picture, never a torn one.
    """
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        picture.save(partial, **options)  # type: ignore[arg-type]
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
