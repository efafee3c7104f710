"""Unit tests: whom the references tasks name and greet, and the drafts that greet them."""

from __future__ import annotations

from bot.db.models import Reference
from bot.domain import plan
from bot.domain.drafts import DraftFacts, draft_for
from bot.nudges.reference_views import ReferenceFacts, addressee


def _people(*names: str) -> list[Reference]:
    return [Reference(id=n, user_id=1, name=name) for n, name in enumerate(names, 1)]


def _same(text: str) -> str:
    return text


def test_the_heads_up_greets_the_next_one_not_told() -> None:
    olga, bo = _people("Olga", "Bo")
    assert addressee(plan.REFERENCES, ReferenceFacts([olga, bo], frozenset())) == "Olga"
    assert addressee(plan.REFERENCES, ReferenceFacts([olga, bo], frozenset({olga.id}))) == "Bo"
    assert addressee(plan.REFERENCES, ReferenceFacts([olga, bo], frozenset({1, 2}))) == ""
    assert addressee(plan.REFERENCES, ReferenceFacts([olga], frozenset({olga.id}))) == "Olga"
    assert addressee(plan.REFERENCES, ReferenceFacts([], frozenset())) == ""
    assert addressee(plan.REFERENCES, None) == ""


def test_thanks_go_to_those_told_or_else_everyone() -> None:
    olga, bo = _people("Olga", "Bo")
    told = ReferenceFacts([olga, bo], frozenset({bo.id}))
    assert told.to_thank() == [bo]
    assert addressee(plan.THANK_REFERENCES, told) == "Bo"
    nobody = ReferenceFacts([olga, bo], frozenset())
    assert nobody.to_thank() == [olga, bo]
    assert addressee(plan.THANK_REFERENCES, nobody) == ""


def test_reference_drafts_greet_by_name_only_when_there_is_one() -> None:
    named = DraftFacts(sender="Ana", company="Acme", role="Tester", person="Olga")
    unnamed = DraftFacts(sender="Ana", company="Acme", role="Tester")
    for kind in (plan.REFERENCES, plan.THANK_REFERENCES):
        greeted = draft_for(kind, _same, named) or ""
        plain = draft_for(kind, _same, unnamed) or ""
        assert greeted.startswith("Hi Olga!") and greeted.endswith("\nAna")
        assert "Olga" not in plain and "Acme" in plain
