"""Reads an uploaded photo's format and size from its bytes, refusing what is not a real image."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

# sendPhoto's documented limits
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageError(ValueError):
    """The bytes are not an image Telegram could process."""


@dataclass(frozen=True)
class ImageInfo:
    kind: str
    width: int
    height: int


def image_info(data: bytes) -> ImageInfo:
    """The format and pixel size of an image, checked far enough to know it is not a fake."""
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg(data)
    if data[:6] in {b"GIF87a", b"GIF89a"} and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return _sized("gif", width, height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return _sized("bmp", width, abs(height))
    raise ImageError("not an image")


def check_photo(data: bytes) -> ImageInfo:
    """What sendPhoto accepts: an image of at most 10 MB, width + height at most 10000, and
    neither side more than 20 times the other. Raises with Telegram's own error text."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ImageError("PHOTO_INVALID_DIMENSIONS: photo is larger than 10 MB")
    try:
        info = image_info(data)
    except ImageError:
        raise ImageError("IMAGE_PROCESS_FAILED") from None
    long_side, short_side = max(info.width, info.height), min(info.width, info.height)
    if info.width + info.height > MAX_PHOTO_SIDES or long_side > short_side * MAX_PHOTO_RATIO:
        raise ImageError("PHOTO_INVALID_DIMENSIONS")
    return info


def _sized(kind: str, width: int, height: int) -> ImageInfo:
    if width <= 0 or height <= 0:
        raise ImageError(f"{kind} with no pixels")
    return ImageInfo(kind, width, height)


def _png(data: bytes) -> ImageInfo:
    """Walks every chunk: lengths within the file, CRCs right, IHDR first, IEND last."""
    position = len(PNG_SIGNATURE)
    width = height = 0
    seen_data = False
    first = True
    while True:
        if position + 12 > len(data):
            raise ImageError("PNG cut short")
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        end = position + 12 + length
        if end > len(data):
            raise ImageError("PNG chunk runs past the end")
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise ImageError("PNG chunk with a wrong CRC")
        if first:
            if kind != b"IHDR" or length != 13:
                raise ImageError("PNG without IHDR first")
            width, height = struct.unpack(">II", body[:8])
            first = False
        elif kind == b"IDAT":
            seen_data = True
        elif kind == b"IEND":
            if not seen_data:
                raise ImageError("PNG without image data")
            return _sized("png", width, height)
        position = end


# start-of-frame markers that carry the size (all SOFn but DHT, JPG and DAC)
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> ImageInfo:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ImageError("JPEG marker expected")
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _SOF:
            if position + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return _sized("jpeg", width, height)
        position += 2 + length
    raise ImageError("JPEG without a frame")


def _webp(data: bytes) -> ImageInfo:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _sized("webp", width, height)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return _sized("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _sized("webp", width & 0x3FFF, height & 0x3FFF)
    raise ImageError("WebP without a known frame")
