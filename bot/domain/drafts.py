"""Ready-to-copy drafts of the notes the user sends: thank-yous, check-ins, courtesy notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Telegram's copy button takes at most 256 characters; longer drafts are shown, not offered
COPY_LIMIT = 256

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class DraftFacts:
    """What a draft is personalised with."""

    sender: str
    company: str
    role: str
    person: str = ""
    person_title: str = ""


def _letter(_: Gettext, facts: DraftFacts, body: str) -> str:
    """A short note: a greeting by name (or a neutral one), the body, a signature."""
    greeting = _("Dear {name},").format(name=facts.person) if facts.person else _("Hello,")
    closing = _("Best regards,\n{sender}").format(sender=facts.sender)
    return f"{greeting}\n\n{body}\n\n{closing}"


def thank_you(_: Gettext, facts: DraftFacts) -> str:
    return _letter(
        _,
        facts,
        _(
            "Thank you for taking the time to talk with me about the {role} role at {company}. "
            "I enjoyed our conversation and I am even more interested in joining your team. "
            "I look forward to hearing from you."
        ).format(role=facts.role, company=facts.company),
    )


def check_in(_: Gettext, facts: DraftFacts) -> str:
    return _letter(
        _,
        facts,
        _(
            "I hope you are well. I am writing to ask whether there is any news about the "
            "{role} role at {company}. I am still very interested and happy to share anything "
            "else you need."
        ).format(role=facts.role, company=facts.company),
    )


def courtesy(_: Gettext, facts: DraftFacts) -> str:
    return _letter(
        _,
        facts,
        _(
            "Thank you for letting me know, and for your time during the process for the {role} "
            "role. I enjoyed meeting the team at {company} and would be glad to be considered "
            "for future openings."
        ).format(role=facts.role, company=facts.company),
    )


def reference_heads_up(_: Gettext, facts: DraftFacts) -> str:
    if facts.person:
        # one reference to write to: greeted by name
        return _(
            "Hi {name}! I just interviewed for the {role} role at {company} and it went well. "
            "They may call you soon as my reference. Thank you so much for your help!\n{sender}"
        ).format(name=facts.person, role=facts.role, company=facts.company, sender=facts.sender)
    return _(
        "Hi! I just interviewed for the {role} role at {company} and it went well. "
        "They may call you soon as my reference. Thank you so much for your help!\n{sender}"
    ).format(role=facts.role, company=facts.company, sender=facts.sender)


def thank_references(_: Gettext, facts: DraftFacts) -> str:
    if facts.person:
        return _(
            "Hi {name}! Good news: I got the offer for the {role} role at {company}! "
            "Thank you for vouching for me; it made a difference.\n{sender}"
        ).format(name=facts.person, role=facts.role, company=facts.company, sender=facts.sender)
    return _(
        "Good news: I got the offer for the {role} role at {company}! "
        "Thank you for vouching for me; it made a difference.\n{sender}"
    ).format(role=facts.role, company=facts.company, sender=facts.sender)


DRAFTS: dict[str, Callable[[Gettext, DraftFacts], str]] = {
    "thank_you": thank_you,
    "check_in": check_in,
    "courtesy": courtesy,
    "references": reference_heads_up,
    "thank_references": thank_references,
}


def draft_for(kind: str, _: Gettext, facts: DraftFacts) -> str | None:
    maker = DRAFTS.get(kind)
    return maker(_, facts) if maker else None
