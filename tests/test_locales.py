"""The catalogs: fresh against the code, complete, and faithful to placeholders and markup."""

from __future__ import annotations

import pytest

from bot.catalogs import catalogs, extract_ids, problems, template_ids
from bot.i18n import SUPPORTED_LANGUAGES


def test_the_template_matches_the_code() -> None:
    in_code = extract_ids()
    in_template = template_ids()
    assert not in_code - in_template, "messages missing from locales/messages.pot: make locales"
    assert not in_template - in_code, "messages no longer used in the template: make locales"


def test_every_shipped_language_has_a_catalog() -> None:
    shipped = {path.parent.parent.name for path in catalogs()}
    assert shipped == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("path", catalogs(), ids=lambda p: p.parent.parent.name)
def test_catalog_is_complete_and_faithful(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    found = problems(path)
    assert not found, "\n".join(found[:30])
