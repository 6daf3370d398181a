"""Files sent as photos and documents, their ids, sizes and download paths."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import struct
from itertools import count

from .errors import bad_request
from .limits import MAX_FILE_BYTES, MAX_PHOTO_BYTES
from .state import StoredFile

URL_PHOTO_SIZE = (512, 512)
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(data: bytes) -> tuple[int, int, str] | None:
    """Return width, height and file extension of a PNG, GIF or JPEG image, or None for other data."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height, "png"
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height, "gif"
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int, str] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height, "jpg"
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        index += 2 + length
    return None


class FileStore:
    """Keep every file by file_id and by download path."""

    def __init__(self) -> None:
        self._numbers = count(1)
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}

    def _add(self, data: bytes | None, folder: str, extension: str, *, url: str | None = None) -> StoredFile:
        number = next(self._numbers)
        source = data if data is not None else (url or "").encode()
        stored = StoredFile(
            file_id=_file_id(folder, number),
            file_unique_id=base64.urlsafe_b64encode(hashlib.sha256(source).digest()[:12]).decode(),
            file_path=f"{folder}/file_{number}.{extension}",
            data=data,
            url=url,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def photo(self, data: bytes) -> StoredFile:
        """Store an uploaded photo, or raise Telegram's error when it is no image or too big."""
        if len(data) > MAX_PHOTO_BYTES:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        size = image_size(data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        stored = self._add(data, "photos", size[2])
        stored.width, stored.height = size[0], size[1]
        return stored

    def document(self, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        """Store an uploaded document."""
        if len(data) > MAX_FILE_BYTES:
            raise bad_request("file is too big")
        extension = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else "bin"
        stored = self._add(data, "documents", extension)
        stored.file_name = file_name
        stored.mime_type = mime_type or (mimetypes.guess_type(file_name)[0] if file_name else None)
        return stored

    def reference(self, value: str, folder: str) -> StoredFile:
        """Resolve a file_id, or record an HTTP URL (never downloaded), or raise Telegram's error."""
        known = self.by_id.get(value)
        if known is not None:
            return known
        if not value.startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        path_part = value.split("?", 1)[0].rsplit("/", 1)[-1]
        extension = path_part.rpartition(".")[2] if "." in path_part else "jpg"
        stored = self._add(None, folder, extension, url=value)
        stored.width, stored.height = URL_PHOTO_SIZE
        stored.file_name = path_part or None
        return stored


def _file_id(folder: str, number: int) -> str:
    prefix = "AgAC" if folder == "photos" else "BQAC"
    return prefix + base64.urlsafe_b64encode(f"sandbox:{folder}:{number:08d}".encode()).decode().rstrip("=")
