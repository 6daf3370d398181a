"""Product pictures: drawn locally, in the product's colour, the same every time, drawn only once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from catalog import images
from catalog.vocabulary import COLOURS, KINDS


def _share_of(picture: Image.Image, rgb: tuple[int, int, int]) -> float:
    """Return the share of pixels that have exactly this colour."""
    colours = picture.getcolors(maxcolors=picture.width * picture.height) or []
    return sum(count for count, colour in colours if colour == rgb) / (picture.width * picture.height)


def test_every_kind_of_product_has_a_picture() -> None:
    wanted = {kind.shape for kind in KINDS.values()} | {
        noun.shape for kind in KINDS.values() for noun in kind.nouns if noun.shape
    }
    assert wanted <= images.SHAPES


@pytest.mark.parametrize("shape", sorted(images.SHAPES))
def test_the_item_is_drawn_in_its_colour_on_a_different_background(shape: str) -> None:
    red = COLOURS["red"].rgb

    picture = images.render(shape=shape, colour="red", brand="Fjordlicht")

    assert picture.size == (images.SIZE, images.SIZE)
    assert _share_of(picture, red) > 0.03
    assert picture.getpixel((3, 3)) != red


def test_a_white_item_stands_out_from_its_background() -> None:
    picture = images.render(shape="tshirt", colour="white", brand="Fjordlicht")

    assert _share_of(picture, COLOURS["white"].rgb) > 0.1
    assert picture.getpixel((3, 3)) != COLOURS["white"].rgb


def test_the_same_product_gives_the_same_picture() -> None:
    first = images.render(shape="sneaker", colour="navy", brand="Sohlenfuchs")
    again = images.render(shape="sneaker", colour="navy", brand="Sohlenfuchs")
    other = images.render(shape="sneaker", colour="green", brand="Sohlenfuchs")

    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()


def test_a_picture_is_written_once_and_then_reused(media_dir: Path) -> None:
    made = images.ensure(
        media_dir=media_dir, path="products/shop/a-1.png", shape="mug", colour="cream", brand="X"
    )
    written = (media_dir / made.path).read_bytes()

    again = images.ensure(
        media_dir=media_dir, path="products/shop/a-1.png", shape="vase", colour="red", brand="Y"
    )

    assert made == images.GeneratedImage(path="products/shop/a-1.png", width=640, height=640, created=True)
    assert again == images.GeneratedImage(path="products/shop/a-1.png", width=640, height=640, created=False)
    assert (media_dir / made.path).read_bytes() == written
    with Image.open(media_dir / made.path) as stored:
        assert stored.format == "PNG"
    assert [p.name for p in (media_dir / "products" / "shop").iterdir()] == ["a-1.png"]


@pytest.mark.parametrize(("shape", "colour"), [("unicorn", "red"), ("mug", "chartreuse")])
def test_unknown_shapes_and_colours_are_refused(shape: str, colour: str) -> None:
    with pytest.raises(ValueError):
        images.render(shape=shape, colour=colour, brand="X")


def test_processes_making_the_same_jpeg_at_once_leave_one_whole_picture(media_dir: Path) -> None:
    made = images.ensure(
        media_dir=media_dir, path="products/shop/a-1.png", shape="mug", colour="cream", brand="X"
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        copies = list(
            pool.map(lambda _: images.jpeg(media_dir=media_dir, path=made.path, max_side=320), range(16))
        )

    assert len(set(copies)) == 1 and copies[0] is not None
    with Image.open(copies[0]) as stored:
        stored.load()
        assert stored.format == "JPEG" and max(stored.size) == 320
    assert [p.name for p in copies[0].parent.iterdir()] == ["a-1.png.jpg"]
