"""Documents and photos the bot sends, getFile, and the store users' files go to as well."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fakeapi import limits, messages, objects
from fakeapi.images import ImageError, check_photo
from fakeapi.records import JSON, StoredFile
from fakeapi.spec import UploadedFile, bad_request

if TYPE_CHECKING:
    from fakeapi.server import FakeTelegram


def store_file(fake: FakeTelegram, data: bytes, filename: str, folder: str) -> StoredFile:
    n = next(fake._file_ids)
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    stored = StoredFile(
        file_id=f"FAKE{folder[:3].upper()}{n:08d}",
        unique_id=f"U{n:08d}",
        path=f"{folder}/file_{n}.{suffix}",
        data=data,
        filename=filename,
    )
    fake._files[stored.file_id] = stored
    fake._files_by_path[stored.path] = stored
    return stored


async def _send_media(fake: FakeTelegram, params: JSON, kind: Literal["document", "photo"]) -> JSON:
    objects.refuse_unsupported(
        params,
        (
            "business_connection_id",
            "message_thread_id",
            "direct_messages_topic_id",
            "suggested_post_parameters",
            "message_effect_id",
        ),
    )
    chat = objects.chat_for_bot(fake, params["chat_id"])
    parsed = messages.parsed_text(params, "caption")
    markup = params.get("reply_markup")
    messages.check_markup(markup, chat)
    reply_to = messages.reply_target(fake, params, chat)
    stored = _media_file(fake, params[kind], kind)
    limits.check_rate(fake, chat.id)
    message = messages.new_message(
        fake,
        chat,
        kind=kind,
        text=params.get("caption", ""),
        plain=parsed.text,
        parse_mode=params.get("parse_mode"),
        entities=[e.to_dict() for e in parsed.entities],
        reply_markup=markup,
        reply_to_message_id=reply_to,
        file_id=stored.file_id,
        document=(stored.data, stored.filename) if kind == "document" else None,
        photo=stored.data if kind == "photo" else None,
    )
    return objects.message_api(fake, message)


def _media_file(fake: FakeTelegram, value: Any, kind: Literal["document", "photo"]) -> StoredFile:
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            try:
                check_photo(value.data)
            except ImageError as err:
                raise bad_request(str(err)) from None
        folder = "documents" if kind == "document" else "photos"
        return store_file(fake, value.data, value.filename or f"{kind}.bin", folder)
    stored = fake._files.get(str(value))
    if stored is not None:
        return stored
    if str(value).startswith(("http://", "https://")):
        raise bad_request(
            "wrong file identifier/HTTP URL specified (FakeTelegram can't fetch URLs; "
            "upload the file)"
        )
    raise bad_request("wrong file identifier/HTTP URL specified")


async def send_document(fake: FakeTelegram, params: JSON) -> JSON:
    return await _send_media(fake, params, "document")


async def send_photo(fake: FakeTelegram, params: JSON) -> JSON:
    return await _send_media(fake, params, "photo")


async def get_file(fake: FakeTelegram, params: JSON) -> JSON:
    stored = fake._files.get(params["file_id"])
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        "file_size": len(stored.data),
        "file_path": stored.path,
    }
