"""Telegram HTML parse mode: validate strictly, measure like Telegram, render for a terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

MAX_TEXT = 4096
MAX_CAPTION = 1024

# Tag name -> entity type. Aliases are listed in the Bot API "HTML style" section.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_ALLOWED_TAGS = frozenset(
    [*_SIMPLE_TAGS, "span", "a", "tg-emoji", "tg-time", "code", "pre", "blockquote"]
)
_ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "span": frozenset({"class"}),
    "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "tg-time": frozenset({"unix", "format"}),
    "code": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
}
# Telegram drops formatting nested in code blocks; refusing it keeps the bot from relying on it.
_OPAQUE = frozenset({"code", "pre"})
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,7}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_LANGUAGE_CLASS = re.compile(r"language-([A-Za-z0-9_+#.-]+)")


class TextError(ValueError):
    """A text Telegram would refuse; ``description`` is the full Bot API error description."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class MarkupError(TextError):
    """HTML that Telegram's entity parser rejects."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Bad Request: can't parse entities: {detail}")
        self.detail = detail


@dataclass(frozen=True)
class Entity:
    """One MessageEntity; offsets and lengths in UTF-16 code units like the Bot API."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    unix_time: int | None = None
    date_time_format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id", "unix_time", "date_time_format"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


Event = tuple[Literal["text"], str] | tuple[Literal["open", "close"], str, dict[str, str]]


@dataclass(frozen=True)
class ParsedText:
    """The text a user would see, its entities, and the markup events for rendering."""

    text: str
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = field(default=(), repr=False, compare=False)

    @property
    def length(self) -> int:
        return utf16_len(self.text)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset into the untrimmed plain text
    index: int  # character index into the source, for error messages
    language: str | None = None


def _decode_entity(source: str, i: int) -> tuple[str, int]:
    match = _ENTITY.match(source, i)
    if match is None:
        raise MarkupError(
            f'Unescaped "&" at byte offset {_byte_offset(source, i)}: write &amp; '
            "(only &lt; &gt; &amp; &quot; and numeric entities are supported)"
        )
    named, dec, hexa = match.groups()
    if named:
        return _NAMED[named], match.end()
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise MarkupError(
            f"Invalid numeric character entity at byte offset {_byte_offset(source, i)}"
        )
    return chr(code), match.end()


def _parse_attrs(source: str, i: int, tag: str, tag_index: int) -> tuple[dict[str, str], int]:
    """Read attributes up to and including '>'; returns them and the index after '>'."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise MarkupError(
                f"Unclosed start tag at byte offset {_byte_offset(source, tag_index)}"
            )
        if source[i] == ">":
            return attrs, i + 1
        if source.startswith("/>", i):
            raise MarkupError(
                f'Self-closing tag "{tag}" at byte offset {_byte_offset(source, tag_index)} '
                "is not supported"
            )
        match = _ATTR_NAME.match(source, i)
        if match is None:
            raise MarkupError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, tag_index)}"
            )
        name = match.group(0).lower()
        i = match.end()
        while i < n and source[i].isspace():
            i += 1
        value = ""
        if i < n and source[i] == "=":
            i += 1
            while i < n and source[i].isspace():
                i += 1
            if i < n and source[i] in "\"'":
                quote = source[i]
                end = source.find(quote, i + 1)
                if end < 0:
                    raise MarkupError(
                        f'Unclosed value of attribute "{name}" in the tag "{tag}" at byte offset '
                        f"{_byte_offset(source, tag_index)}"
                    )
                value = _decode_attr(source, i + 1, end)
                i = end + 1
            else:
                start = i
                while i < n and not source[i].isspace() and source[i] not in "<>\"'`":
                    i += 1
                if start == i:
                    raise MarkupError(
                        f'Empty value of attribute "{name}" in the tag "{tag}" at byte offset '
                        f"{_byte_offset(source, tag_index)}"
                    )
                value = _decode_attr(source, start, i)
        if name not in _ALLOWED_ATTRS.get(tag, frozenset()):
            # Telegram ignores unknown attributes; refusing catches typos like hrf= early.
            raise MarkupError(
                f'Unsupported attribute "{name}" in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, tag_index)}"
            )
        if name in attrs:
            raise MarkupError(
                f'Duplicate attribute "{name}" in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, tag_index)}"
            )
        attrs[name] = value


def _decode_attr(source: str, start: int, end: int) -> str:
    out: list[str] = []
    i = start
    while i < end:
        amp = source.find("&", i, end)
        if amp < 0:
            out.append(source[i:end])
            break
        out.append(source[i:amp])
        text, i = _decode_entity(source, amp)
        out.append(text)
    return "".join(out)


def _check_start(source: str, tag: str, attrs: dict[str, str], stack: list[_Open], at: int) -> None:
    where = f"at byte offset {_byte_offset(source, at)}"
    for parent in stack:
        if parent.tag in _OPAQUE and not (
            tag == "code" and parent.tag == "pre" and parent is stack[-1]
        ):
            raise MarkupError(f'Tag "{tag}" {where} can\'t be nested in "{parent.tag}"')
        if parent.tag == tag and tag in {"a", "blockquote", "tg-emoji", "tg-time"}:
            raise MarkupError(f'Tag "{tag}" {where} can\'t be nested in itself')
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise MarkupError(f'Tag "span" {where} must have class "tg-spoiler"')
    if tag == "a" and not attrs.get("href", "").strip():
        raise MarkupError(f'Tag "a" {where} must have a non-empty href')
    if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise MarkupError(f'Tag "tg-emoji" {where} must have a numeric emoji-id')
    if tag == "tg-time":
        if not re.fullmatch(r"-?[0-9]+", attrs.get("unix", "")):
            raise MarkupError(f'Tag "tg-time" {where} must have an integer unix attribute')
        if "format" in attrs and not _TIME_FORMAT.fullmatch(attrs["format"]):
            raise MarkupError(f'Invalid format "{attrs["format"]}" of tag "tg-time" {where}')
    if tag == "code" and "class" in attrs:
        inside_pre = bool(stack) and stack[-1].tag == "pre"
        if not inside_pre:
            raise MarkupError(
                f'Tag "code" {where}: a language can be specified only for code inside pre'
            )
        if not _LANGUAGE_CLASS.fullmatch(attrs["class"]):
            raise MarkupError(f'Tag "code" {where}: class must be "language-<name>"')
    if tag == "blockquote" and attrs.get("expandable", "") != "":
        raise MarkupError(f'Attribute "expandable" of tag "blockquote" {where} takes no value')


def _entity_for(opened: _Open, end: int) -> Entity | None:
    length = end - opened.start
    tag, attrs = opened.tag, opened.attrs
    if tag in _SIMPLE_TAGS:
        kind = _SIMPLE_TAGS[tag]
    elif tag == "span":
        kind = "spoiler"
    elif tag == "a":
        return Entity("text_link", opened.start, length, url=attrs["href"])
    elif tag == "tg-emoji":
        return Entity("custom_emoji", opened.start, length, custom_emoji_id=attrs["emoji-id"])
    elif tag == "tg-time":
        return Entity(
            "date_time",
            opened.start,
            length,
            unix_time=int(attrs["unix"]),
            date_time_format=attrs.get("format"),
        )
    elif tag == "pre":
        return Entity("pre", opened.start, length, language=opened.language)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
    else:
        kind = "code"
    return Entity(kind, opened.start, length)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raise MarkupError where Telegram (or our stricter reading) refuses."""
    pieces: list[str] = []
    events: list[Event] = []
    entities: list[Entity] = []
    stack: list[_Open] = []
    pos = 0  # UTF-16 length of the plain text so far
    i, n = 0, len(source)

    def emit(text: str) -> None:
        nonlocal pos
        if text:
            pieces.append(text)
            events.append(("text", text))
            pos += utf16_len(text)

    while i < n:
        ch = source[i]
        if ch == "<":
            if source.startswith("</", i):
                match = _NAME.match(source, i + 2)
                end = match.end() if match else i + 2
                while end < n and source[end].isspace():
                    end += 1
                if match is None or end >= n or source[end] != ">":
                    raise MarkupError(f"Unclosed end tag at byte offset {_byte_offset(source, i)}")
                name = match.group(0).lower()
                if not stack:
                    raise MarkupError(
                        f"Unexpected end tag at byte offset {_byte_offset(source, i)}"
                    )
                if stack[-1].tag != name:
                    raise MarkupError(
                        f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                        f'expected "</{stack[-1].tag}>", found "</{name}>"'
                    )
                opened = stack.pop()
                events.append(("close", opened.tag, opened.attrs))
                code_in_pre = opened.tag == "code" and stack and stack[-1].tag == "pre"
                if code_in_pre:
                    # <pre><code class="language-x"> is one pre entity carrying the language.
                    match_lang = _LANGUAGE_CLASS.fullmatch(opened.attrs.get("class", ""))
                    if match_lang:
                        stack[-1].language = match_lang.group(1)
                else:
                    entity = _entity_for(opened, pos)
                    if entity is not None and entity.length > 0:
                        entities.append(entity)
                i = end + 1
                continue
            match = _NAME.match(source, i + 1)
            if match is None:
                raise MarkupError(
                    f'Unescaped "<" at byte offset {_byte_offset(source, i)}: write &lt;'
                )
            tag = match.group(0).lower()
            if tag not in _ALLOWED_TAGS:
                raise MarkupError(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, i)}'
                )
            after = match.end()
            if after < n and not (source[after].isspace() or source[after] in "/>"):
                raise MarkupError(
                    f'Unsupported start tag "{tag}{source[after]}" at byte offset '
                    f"{_byte_offset(source, i)}"
                )
            attrs, i_next = _parse_attrs(source, after, tag, i)
            _check_start(source, tag, attrs, stack, i)
            stack.append(_Open(tag, attrs, pos, i))
            events.append(("open", tag, attrs))
            i = i_next
        elif ch == ">":
            raise MarkupError(f'Unescaped ">" at byte offset {_byte_offset(source, i)}: write &gt;')
        elif ch == "&":
            text, i = _decode_entity(source, i)
            emit(text)
        else:
            j = i
            while j < n and source[j] not in "<>&":
                j += 1
            emit(source[i:j])
            i = j
    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return _trimmed("".join(pieces), entities, tuple(events))


def _trimmed(plain: str, entities: list[Entity], events: tuple[Event, ...]) -> ParsedText:
    """Telegram strips surrounding whitespace from a text; entities shift and clip with it."""
    stripped = plain.strip()
    if stripped == plain:
        ordered = sorted(entities, key=lambda e: (e.offset, -e.length))
        return ParsedText(plain, tuple(ordered), events)
    lead = utf16_len(plain[: len(plain) - len(plain.lstrip())])
    total = utf16_len(stripped)
    shifted: list[Entity] = []
    for e in entities:
        start = max(e.offset - lead, 0)
        end = min(e.offset + e.length - lead, total)
        if end > start:
            shifted.append(
                Entity(
                    e.type,
                    start,
                    end - start,
                    e.url,
                    e.language,
                    e.custom_emoji_id,
                    e.unix_time,
                    e.date_time_format,
                )
            )
    shifted.sort(key=lambda e: (e.offset, -e.length))
    return ParsedText(stripped, tuple(shifted), events)


def parse_text(
    source: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Entity parsing for the modes the fake supports: HTML, or none with explicit entities."""
    if parse_mode is not None and parse_mode != "":
        if parse_mode.lower() == "html":
            return parse_html(source)
        if parse_mode.lower() in {"markdown", "markdownv2"}:
            raise TextError(
                f"Bad Request: parse_mode {parse_mode} is not supported by the fake; use HTML"
            )
        raise TextError(f"Bad Request: unsupported parse_mode {parse_mode!r}")
    given = [_entity_from_dict(e) for e in entities or []]
    total = utf16_len(source)
    for e in given:
        if e.offset < 0 or e.length <= 0 or e.offset + e.length > total:
            raise TextError(
                f"Bad Request: can't parse entities: entity {e.type} at offset {e.offset} "
                f"with length {e.length} is outside the text"
            )
    return _trimmed(source, given, (("text", source),))


def _entity_from_dict(raw: dict[str, Any]) -> Entity:
    return Entity(
        str(raw.get("type", "")),
        int(raw.get("offset", 0)),
        int(raw.get("length", 0)),
        url=raw.get("url"),
        language=raw.get("language"),
        custom_emoji_id=raw.get("custom_emoji_id"),
        unix_time=raw.get("unix_time"),
        date_time_format=raw.get("date_time_format"),
    )


def check_message_text(
    source: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """A message text: 1-4096 UTF-16 code units after entity parsing."""
    parsed = parse_text(source, parse_mode, entities)
    if not parsed.text:
        raise TextError("Bad Request: message text is empty")
    if parsed.length > MAX_TEXT:
        raise TextError("Bad Request: message is too long")
    return parsed


def check_caption(
    source: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """A media caption: at most 1024 UTF-16 code units after entity parsing; may be empty."""
    parsed = parse_text(source, parse_mode, entities)
    if parsed.length > MAX_CAPTION:
        raise TextError("Bad Request: message caption is too long")
    return parsed


_ANSI = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "7",
    "code": "36",
    "pre": "36",
    "text_link": "4;34",
}


def _style_of(tag: str, attrs: dict[str, str]) -> str | None:
    if tag in _SIMPLE_TAGS:
        return _SIMPLE_TAGS[tag]
    if tag == "span":
        return "spoiler"
    if tag == "a":
        return "text_link"
    if tag in {"code", "pre"}:
        return tag
    return None


def render_terminal(source: str, parse_mode: str | None = "HTML", *, color: bool = True) -> str:
    """Readable terminal form of a message: ANSI styles, or plain text when color is False.

    Invalid markup is shown raw rather than raising: the sandbox must never crash on display.
    """
    try:
        parsed = parse_text(source, parse_mode)
    except TextError:
        return source
    plain = "".join(e[1] for e in parsed.events if e[0] == "text")
    # Telegram trims the text; trim the same characters here, wherever the events put them.
    keep_from = len(plain) - len(plain.lstrip())
    keep_to = len(plain.rstrip())
    seen = 0
    out: list[str] = []
    styles: list[str | None] = []
    active = ""
    quote_depth = 0
    after_quote = False
    prefix = "\u2502 " if color else "> "
    for event in parsed.events:
        if event[0] == "text":
            text = event[1][max(keep_from - seen, 0) : max(keep_to - seen, 0)]
            seen += len(event[1])
            if not text:
                continue
            if after_quote and not text.startswith("\n"):
                text = "\n" + text
            after_quote = False
            if quote_depth:
                text = text.replace("\n", "\n" + prefix)
            if color:
                wanted = ";".join(dict.fromkeys(_ANSI[s] for s in styles if s is not None))
                if wanted != active:
                    out.append("\x1b[0m" + (f"\x1b[{wanted}m" if wanted else ""))
                    active = wanted
            out.append(text)
        elif event[0] == "open":
            _, tag, attrs = event
            if tag == "blockquote":
                quote_depth += 1
                if out and not out[-1].endswith("\n"):
                    out.append("\n")
                out.append(prefix)
            styles.append(_style_of(tag, attrs))
        else:
            _, tag, attrs = event
            styles.pop()
            if tag == "blockquote":
                quote_depth -= 1
                after_quote = True
            elif tag == "a":
                href = attrs.get("href", "")
                if color:
                    out.append(f"\x1b[0m\x1b[2m ({href})")
                    active = "2"
                else:
                    out.append(f" ({href})")
    if color and active:
        out.append("\x1b[0m")
    return "".join(out)
