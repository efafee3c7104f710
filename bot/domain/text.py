"""Cleaning what a user types: invisible characters out, whitespace tidied, shortening at a word."""

from __future__ import annotations

import html
import re
import unicodedata

# Format characters (Cf: zero-width space and joiners, the BOM, direction marks) and other
# invisible code points are kept inside a word, where they can matter (a ZWJ in an emoji, a
# ZWNJ in Persian script), but alone they are no answer at all.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cn", "Zs", "Zl", "Zp"})


def tidy(text: str) -> str:
    """The text with whitespace runs made one space and invisible ends trimmed off."""
    words = text.split()
    joined = " ".join(words)
    start, end = 0, len(joined)
    while start < end and unicodedata.category(joined[start]) in _INVISIBLE_CATEGORIES:
        start += 1
    while end > start and unicodedata.category(joined[end - 1]) in _INVISIBLE_CATEGORIES:
        end -= 1
    return joined[start:end]


def has_visible_text(text: str) -> bool:
    """Whether the text holds at least one letter, digit, mark, symbol or punctuation to see."""
    return any(unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in text)


def has_letter_or_digit(text: str) -> bool:
    """Whether the text holds a letter or a digit: a name, a company or a role needs one."""
    return any(unicodedata.category(char)[0] in ("L", "N") for char in text)


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """The text cut to at most `limit` characters at a word boundary, with an ellipsis if cut."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ellipsis), 1)
    cut = text[:room]
    space = cut.rfind(" ")
    # a single very long word is cut inside it rather than shown as nothing
    if space >= room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-—–") + ellipsis


_TAGS = re.compile(r"<[^>]+>")


def visible_length(text: str) -> int:
    """Characters Telegram counts in an HTML text: tags dropped, entities as one, in UTF-16
    code units (what its 4096-character limit is measured in)."""
    return len(html.unescape(_TAGS.sub("", text)).encode("utf-16-le")) // 2
