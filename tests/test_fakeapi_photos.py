"""The fake Bot API takes an uploaded photo only if it is a real image within sendPhoto's limits."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram.error import BadRequest

from fakeapi import FakeTelegram, FakeUser
from fakeapi.images import ImageError, check_photo, image_info

TOKEN = "123456:TEST-token"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int) -> bytes:
    """A well-formed PNG header and chunks for any size; the pixels are not what is checked."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 8))
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="afterview_test_bot") as server:
        yield server


@pytest.fixture
async def client(fake: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with bot:
        yield bot


@pytest.fixture
async def ana(fake: FakeTelegram) -> FakeUser:
    user = fake.add_user(first_name="Ana", language_code="en")
    await user.send("/start")
    return user


def test_sizes_are_read_from_each_format() -> None:
    assert image_info(png(1200, 800)) == image_info(png(1200, 800))
    assert (image_info(png(1200, 800)).width, image_info(png(1200, 800)).height) == (1200, 800)
    assert image_info(jpeg(640, 480)).kind == "jpeg"
    assert (image_info(jpeg(640, 480)).width, image_info(jpeg(640, 480)).height) == (640, 480)
    gif = b"GIF89a" + struct.pack("<HH", 30, 20) + b"\x00" * 8
    assert (image_info(gif).width, image_info(gif).height) == (30, 20)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n",  # a signature and nothing else
        png(10, 10)[:40],  # cut short
        png(10, 10).replace(b"IEND", b"IENX"),  # a chunk whose CRC no longer matches
        png(0, 10),  # no pixels
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 5, 5, 1, 0, 0, 0, 0))
        + _chunk(b"IEND", b""),  # no image data
        b"\xff\xd8\xff\xe0\x00\x10garbage",  # a JPEG that never says its size
        b"GIF89a",
    ],
)
def test_broken_images_are_not_images(data: bytes) -> None:
    with pytest.raises(ImageError):
        image_info(data)


def test_photo_limits() -> None:
    assert check_photo(png(5000, 5000)).width == 5000
    assert check_photo(png(2000, 100)).width == 2000  # a ratio of exactly 20 is allowed
    for data in (png(6000, 4001), png(2100, 100), png(100, 2100)):
        with pytest.raises(ImageError, match="PHOTO_INVALID_DIMENSIONS"):
            check_photo(data)


async def test_uploaded_photo_is_checked_and_its_size_reported(
    fake: FakeTelegram, client: telegram.Bot, ana: FakeUser
) -> None:
    sent = await client.send_photo(ana.id, png(1200, 800), caption="<b>chart</b>")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (1200, 800)
    assert ana.last_message.photo == png(1200, 800)
    assert ana.last_message.caption == "<b>chart</b>"

    refusals = len(fake.refusals)
    for data, description in (
        (png(10, 10)[:40], "IMAGE_PROCESS_FAILED"),
        (png(9000, 2000), "PHOTO_INVALID_DIMENSIONS"),
        (png(4200, 200), "PHOTO_INVALID_DIMENSIONS"),
        (png(100, 100) + b"\x00" * (10 * 1024 * 1024), "larger than 10 MB"),
    ):
        with pytest.raises(BadRequest):
            await client.send_photo(ana.id, data)
        assert description in fake.refusals[-1].description
    assert len(fake.refusals) == refusals + 4
    # a caption past 1024 characters is refused as Telegram does
    with pytest.raises(BadRequest):
        await client.send_photo(ana.id, png(10, 10), caption="x" * 1025)
