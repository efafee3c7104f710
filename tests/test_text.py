"""Unit tests for cleaning typed text: invisible characters, letters, shortening at a word."""

from __future__ import annotations

from bot.domain.text import has_letter_or_digit, has_visible_text, shorten, tidy


def test_tidy_collapses_whitespace_and_trims_invisible_ends() -> None:
    assert tidy("  Acme \n  Corp  ") == "Acme Corp"
    assert tidy("\u200bAcme\u200b") == "Acme"
    assert tidy("\u200b") == ""
    assert tidy("\ufeff\u200e") == ""


def test_joiners_inside_a_word_are_kept() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert tidy(f" {family} ") == family


def test_visible_text_and_letters() -> None:
    assert not has_visible_text("\u200b\u200c\u2060")
    assert not has_visible_text("   ")
    assert has_visible_text("—")
    assert not has_letter_or_digit("— —")
    assert has_letter_or_digit("Zoë")
    assert has_letter_or_digit("3M")
    assert has_letter_or_digit("Київ")


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("Zoë O'Brien-Núñez", 40) == "Zoë O'Brien-Núñez"
    assert shorten("Alexandra Konstantinopolskaya Smith", 20) == "Alexandra…"
    assert len(shorten("x" * 50, 10)) == 10
    assert shorten("Head of Data, Platform", 15) == "Head of Data…"
