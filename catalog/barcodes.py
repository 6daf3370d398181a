"""Barcodes on photos: a shopper in a store photographs a product's barcode to look it up."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

RETAIL_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.UPCA]
)
MAX_SIDE = 2000


def decode(photo: bytes) -> list[str]:
    """Return the retail barcodes (EAN-13, EAN-8, UPC-A) readable on a photo, best first."""
    try:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(photo))).convert("L")
    except (UnidentifiedImageError, OSError, ValueError):
        return []
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    found = zxingcpp.read_barcodes(image, formats=RETAIL_FORMATS, try_rotate=True, try_downscale=True)
    return list(dict.fromkeys(result.text for result in found if result.valid))
