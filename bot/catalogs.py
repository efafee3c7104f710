"""Checks and chores for the message catalogs: freshness, completeness, placeholders, markup."""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
}
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_TAG = re.compile(r"</?[a-z][a-z0-9-]*[^>]*>")


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def extract_ids() -> set[str]:
    """Every message id the code uses now, as the template would list it."""
    ids: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / folder),
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        ):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def template_ids() -> set[str]:
    return {_first(m.id) for m in read_catalog(TEMPLATE) if m.id}


def _first(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return [str(form or "") for form in message.string]
    return [message.string or ""]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def placeholders(text: str) -> Counter[str]:
    return Counter(_PLACEHOLDER.findall(text))


def tags(text: str) -> Counter[str]:
    """The HTML tags in a text, by name and closing, ignoring attribute order and spacing."""
    found: Counter[str] = Counter()
    for tag in _TAG.findall(text):
        name = re.match(r"</?([a-z][a-z0-9-]*)", tag)
        if name:
            found[("/" if tag.startswith("</") else "") + name.group(1)] += 1
    return found


def problems(path: Path) -> list[str]:
    """What is wrong with one language's catalog, as readable lines."""
    catalog = read_catalog(path)
    wanted = template_ids()
    found: list[str] = []
    present = set()
    for message in catalog:
        if not message.id:
            continue
        present.add(_first(message.id))
        label = f"{path.parent.parent.name}: {_first(message.id)[:60]!r}"
        if message.fuzzy:
            found.append(f"{label} is fuzzy")
        forms = _forms(message)
        if not all(forms):
            found.append(f"{label} is not translated")
            continue
        ids = _ids(message)
        source_tags = tags(ids[0])
        if len(ids) == 1:
            expected = set(placeholders(ids[0]))
            if set(placeholders(forms[0])) != expected:
                found.append(f"{label} changes the placeholders: {forms[0][:80]!r}")
        else:
            # a plural's forms may leave out the number ("One thing"), never add a name
            allowed = set(placeholders(ids[0])) | set(placeholders(ids[1]))
            needed = set(placeholders(ids[1])) - {"{count}"}
            for form in forms:
                if not set(placeholders(form)) <= allowed or not needed <= set(placeholders(form)):
                    found.append(f"{label} changes the placeholders: {form[:80]!r}")
        for form in forms:
            if tags(form) != source_tags:
                found.append(f"{label} changes the HTML markup: {form[:80]!r}")
    for missing in sorted(wanted - present):
        found.append(f"{path.parent.parent.name}: {missing[:60]!r} is missing")
    return found


def catalogs() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))


def fill_source_language(path: Path) -> None:
    """English is the source language: its catalog says each message as written."""
    catalog = read_catalog(path)
    for message in catalog:
        if not message.id:
            continue
        message.string = tuple(_ids(message)) if isinstance(message.id, tuple) else message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=100)


def main(argv: Iterable[str]) -> int:
    args = list(argv)
    if args[:1] == ["fill-en"]:
        fill_source_language(LOCALES / "en" / "LC_MESSAGES" / "messages.po")
        return 0
    if args[:1] == ["check"]:
        stale = extract_ids() ^ template_ids()
        lines = [f"template out of date: {sorted(stale)[:5]} (run make locales)"] if stale else []
        for path in catalogs():
            lines += problems(path)
        print("\n".join(lines) or "All catalogs are complete.")
        return 1 if lines else 0
    print("usage: python -m bot.catalogs fill-en | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
