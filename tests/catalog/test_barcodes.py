"""Reading a product's barcode from a photo."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, ImageFilter

from catalog import barcodes


def photo_of_barcode(code: str, *, angle: float = 0, blur: float = 0) -> bytes:
    """Draw a barcode on a larger light background, as a phone camera would see it, as JPEG."""
    symbol = zxingcpp.create_barcode(code, zxingcpp.BarcodeFormat.EAN13).to_image(
        scale=4, add_quiet_zones=True
    )
    view = memoryview(symbol)  # type: ignore[arg-type]  # the image supports the buffer protocol
    height, width = view.shape or (0, 0)
    printed = Image.frombytes("L", (width, height), view.tobytes())
    scene = Image.new("RGB", (printed.width + 400, printed.height + 300), (236, 232, 224))
    scene.paste(printed, (200, 150))
    scene = scene.rotate(angle, expand=True, fillcolor=(236, 232, 224))
    if blur:
        scene = scene.filter(ImageFilter.GaussianBlur(blur))
    buffer = io.BytesIO()
    scene.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def test_a_straight_photo_is_read() -> None:
    assert barcodes.decode(photo_of_barcode("4006381333931")) == ["4006381333931"]


def test_a_tilted_slightly_blurred_photo_is_read() -> None:
    assert barcodes.decode(photo_of_barcode("4006381333931", angle=90, blur=0.8)) == ["4006381333931"]


def test_a_photo_without_a_barcode_or_not_a_picture_gives_nothing() -> None:
    empty = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(empty, format="PNG")
    assert barcodes.decode(empty.getvalue()) == []
    assert barcodes.decode(b"not a picture") == []
